/* cmd_check.c: `tierperf check RUN.json --profile NAME|FILE`: pass/fail
 * per pair and per tier against an acceptance profile; exit 0 all pass,
 * 1 failures, 2 bad input.  --junit writes JUnit XML for CI. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check_culprit.h"
#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../answers/ans_check.h"
#include "../../answers/ans_units.h"
#include "../../report/report_render.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf check RUN.json --profile NAME|FILE [options]\n"
            "  --profile P       built-in (test-dev, sme-production, large-scale-ai) or a YAML file\n"
            "  --junit FILE      also write JUnit XML (one testcase per pair, a suite per tier)\n"
            "  --html FILE       also write the HTML report with the check results\n"
            "  --size SIZE       judge this message size (default: largest for bandwidth,\n"
            "                    smallest for latency, per pair)\n"
            "  --outlier-pct P   flag pairs P%% below their tier's median (default 20, 0 = off)\n"
            "  --fail-outliers   outliers fail the check (default: warn)\n"
            "  --topology FILE   the HyperNode tree for naming the culprit (default: the run's)\n"
            "  --culprit-factor F  slow for the culprit: F times below the tier's typical\n"
            "                    rate (default 2)\n"
            "  --list-profiles   print the built-in profiles' YAML and exit\n"
            "  -v, --verbose     print passing pairs too\n"
            "exit status: 0 all judged pairs pass, 1 a pair or tier failed, 2 bad input\n");
}

static int list_profiles(void)
{
    for (size_t i = 0; i < ans_profile_builtin_count(); i++)
        printf("---\n%s", ans_profile_builtin_text(ans_profile_builtin_name(i)));
    return 0;
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"junit", required_argument, NULL, 'j'},
        {"html", required_argument, NULL, 'H'},    {"size", required_argument, NULL, 's'},
        {"outlier-pct", required_argument, NULL, 'o'}, {"fail-outliers", no_argument, NULL, 'F'},
        {"list-profiles", no_argument, NULL, 'L'}, {"verbose", no_argument, NULL, 'v'},
        {"topology", required_argument, NULL, 'T'}, {"culprit-factor", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    struct ans_culprit_opts copts = ANS_CULPRIT_OPTS_DEFAULT;
    struct check_culprit culprit;
    const char *topology = NULL;
    struct ans_check_opts opts = {.size = -1, .outlier_pct = 20, .fail_outliers = 0};
    const char *profile_arg = NULL, *junit = NULL, *html = NULL;
    struct tp_error err = {0};
    int verbose = 0, c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': profile_arg = optarg; break;
        case 'j': junit = optarg; break;
        case 'H': html = optarg; break;
        case 'F': opts.fail_outliers = 1; break;
        case 'v': verbose = 1; break;
        case 'L': return list_profiles();
        case 'h': usage(stdout); return 0;
        case 'T': topology = optarg; break;
        case 'C':
            if (check_culprit_parse_factor(optarg, &copts) != 0)
                return 2;
            break;
        case 's':
            if (ans_parse_msgsize(optarg, &opts.size, &err) != TP_OK) {
                tp_log_error("--size: %s", err.msg);
                return 2;
            }
            break;
        case 'o':
            if (ans_parse_percent(optarg, &opts.outlier_pct, &err) != TP_OK ||
                opts.outlier_pct >= 100) {
                tp_log_error("--outlier-pct: %s", err.msg[0] ? err.msg : "must be below 100");
                return 2;
            }
            break;
        default: return cli_opt_fail("check", argv, longopts);
        }
    }
    if (optind != argc - 1 || profile_arg == NULL) {
        tp_log_error("check needs one results file and --profile (see tierperf check --help)");
        return 2;
    }
    const char *path = argv[optind];
    struct ans_profile profile;
    cJSON *run = NULL;
    struct ans_check check;
    if (ans_profile_load(profile_arg, &profile, &err) != TP_OK ||
        results_load(path, &run, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        return 2;
    }
    if (ans_check_run(run, path, &profile, &opts, &check, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        cJSON_Delete(run);
        return 2;
    }
    if (check_culprit_run(run, topology, &copts, &check.pairs, &culprit) != 0) {
        ans_check_free(&check);
        cJSON_Delete(run);
        return 2;
    }
    check.culprit = culprit.done ? &culprit.c : NULL;
    ans_check_print(stdout, &check, &profile, &opts, verbose);
    check_culprit_print(stdout, &culprit);
    int rc = ans_check_passed(&check, &opts) ? 0 : 1;
    if (junit != NULL && ans_check_write_junit(&check, &profile, junit, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        rc = 2;
    }
    if (html != NULL) {
        cJSON_AddItemToObject(run, "check", ans_check_to_json(&check, &profile, &opts));
        if (report_write_html(run, html, &err) != TP_OK) {
            tp_log_error("%s", err.msg);
            rc = 2;
        }
    }
    ans_check_free(&check);
    check_culprit_free(&culprit);
    cJSON_Delete(run);
    return rc;
}
