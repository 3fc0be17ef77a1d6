/* cmd_compare.c: `tierperf compare A.json B.json [...]`: runs side by side
 * per tier and size, with each run's NICs, firmware, link rate and MTU;
 * --size keeps one message size, --json prints the table for machines. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../answers/ans_compare.h"
#include "../../answers/ans_sizes.h"
#include "../../answers/ans_units.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf compare A.json B.json [...] [options]   (2 to %d results files)\n"
            "  per tier and message size: median bandwidth, B/A ratios, median p50\n"
            "  latency, and which run wins; each run's links (environment.links[]) above\n"
            "  --size SIZE   only this message size (every run must have measured it)\n"
            "  --json        print the comparison as JSON (docs/answers.md)\n"
            "exit status: 0 compared, 2 bad input\n",
            ANS_COMPARE_MAX);
}

static int print_json(const struct ans_compare *c, const char *const *names,
                      const cJSON *const *runs)
{
    cJSON *j = ans_compare_to_json(c, names, runs);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (text == NULL) {
        tp_log_error("compare --json: out of memory");
        return 2;
    }
    printf("%s\n", text);
    cJSON_free(text);
    return 0;
}

static int load_runs(int argc, char **argv, long long size, const cJSON **runs,
                     const char **names, size_t *n)
{
    struct tp_error err = {0};

    if (argc - optind < 2 || argc - optind > ANS_COMPARE_MAX) {
        tp_log_error("compare takes 2 to %d results files (see tierperf compare --help)",
                     ANS_COMPARE_MAX);
        return 2;
    }
    for (int i = optind; i < argc; i++) {
        cJSON *run;
        if (results_load(argv[i], &run, &err) != TP_OK) {
            tp_log_error("%s", err.msg);
            return 2;
        }
        runs[*n] = run;
        names[(*n)++] = argv[i];
        if (size >= 0 && ans_size_require(run, size, argv[i], &err) != TP_OK) {
            tp_log_error("%s", err.msg);
            return 2;
        }
    }
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option longopts[] = {{"size", required_argument, NULL, 's'},
                                             {"json", no_argument, NULL, 'J'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const cJSON *runs[ANS_COMPARE_MAX];
    const char *names[ANS_COMPARE_MAX];
    size_t n = 0;
    struct tp_error err = {0};
    struct ans_compare c;
    long long size = -1;
    int rc, json = 0, opt;

    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'J': json = 1; break;
        case 'h': usage(stdout); return 0;
        case 's':
            if (ans_parse_msgsize(optarg, &size, &err) != TP_OK) {
                tp_log_error("--size: %s", err.msg);
                return 2;
            }
            break;
        default: return cli_opt_fail("compare", argv, longopts);
        }
    }
    rc = load_runs(argc, argv, size, runs, names, &n);
    if (rc == 0 && ans_compare_build(runs, n, &c, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        rc = 2;
    } else if (rc == 0) {
        if (size >= 0)
            ans_compare_keep_size(&c, size);
        if (json)
            rc = print_json(&c, names, runs);
        else
            ans_compare_print(stdout, &c, names, runs);
        ans_compare_free(&c);
    }
    for (size_t i = 0; i < n; i++)
        cJSON_Delete((cJSON *)runs[i]);
    return rc;
}
