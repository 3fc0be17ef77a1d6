/* cmd_compare.c: `tierperf compare A.json B.json [...]`: runs side by side
 * per tier and size, with each run's NICs, firmware, link rate and MTU. */
#include <stdio.h>
#include <string.h>

#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../answers/ans_compare.h"

int cmd_compare(int argc, char **argv)
{
    const cJSON *runs[ANS_COMPARE_MAX];
    const char *names[ANS_COMPARE_MAX];
    size_t n = 0;
    struct tp_error err = {0};
    struct ans_compare c;
    int rc = 2;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: tierperf compare A.json B.json [...]   (2 to %d results files)\n"
               "  per tier and message size: median bandwidth, B/A ratios, median p50\n"
               "  latency, and which run wins; each run's links (environment.links[]) above\n"
               "exit status: 0 compared, 2 bad usage or an unreadable results file\n",
               ANS_COMPARE_MAX);
        return 0;
    }
    if (argc - 1 < 2 || argc - 1 > ANS_COMPARE_MAX) {
        tp_log_error("compare takes 2 to %d results files (see tierperf compare --help)",
                     ANS_COMPARE_MAX);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            static const struct option known[] = {{"help", no_argument, NULL, 'h'},
                                                  {NULL, 0, NULL, 0}};
            cli_opt_explain("compare", argv[i], known, &err);
            tp_log_error("%s", err.msg);
            return 2;
        }
    }
    for (int i = 1; i < argc; i++) {
        cJSON *run;
        if (results_load(argv[i], &run, &err) != TP_OK) {
            tp_log_error("%s", err.msg);
            goto out;
        }
        runs[n] = run;
        names[n++] = argv[i];
    }
    if (ans_compare_build(runs, n, &c, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        goto out;
    }
    ans_compare_print(stdout, &c, names, runs);
    ans_compare_free(&c);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        cJSON_Delete((cJSON *)runs[i]);
    return rc;
}
