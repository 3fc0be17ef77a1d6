/* cmd_report.c: `tierperf report FILE.json|FILE.journal.jsonl`: print a
 * run as tables; --html/--csv also render it to files.  A partial run (a
 * journal, or complete:false) is printed with a warning; a truncated or
 * malformed file is a one-line error and exit 2. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../report/report_openmetrics.h"
#include "../../report/report_render.h"
#include "../../common/log.h"
#include "cli_opts.h"
#include "commands.h"
#include "../../report/report_table.h"
#include "../results/results_read.h"
#include "../results/results_rows.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf report FILE.json|FILE.json.journal.jsonl [options]\n"
            "  prints the run (transport, pattern, hosts, date, complete or not), the\n"
            "  per-tier summary per message size and any errors.  A killed run's journal\n"
            "  (FILE.json.journal.jsonl) is read as a partial run.\n"
            "  --pairs           also one row per measured pair and size\n"
            "  --tier N          only tier N (0 = same node)\n"
            "  --html FILE       also write a self-contained HTML report\n"
            "  --csv FILE        also write the results as CSV\n"
            "  --openmetrics FILE  also write OpenMetrics text (node_exporter textfile\n"
            "                    collector, Pushgateway; docs/prometheus.md); - = stdout,\n"
            "                    instead of the tables\n"
            "  --profile P       with --openmetrics: also the verdicts of check --profile P\n"
            "units: Gbit/s = 10^9 bit/s, GB/s = 10^9 byte/s; latency one-way (RTT/2) in us\n"
            "exit status: 0 printed, 2 bad usage or unreadable file\n");
}

static int parse_tier(const char *text, int *tier)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < 0 || v > INT_MAX / 2) {
        tp_log_error("--tier '%s': not a tier number (0, 1, 2, ...)", text);
        return -1;
    }
    *tier = (int)v;
    return 0;
}

/* --openmetrics [--profile]: the check runs here so the verdicts are the
 * ones `tierperf check --profile P` gives. */
static int report_om(const cJSON *run, const char *path, const char *om, const char *profile_arg)
{
    struct tp_error err = {0};
    struct ans_profile profile;
    struct ans_check check = {0};
    struct ans_check_opts opts = {.size = -1, .outlier_pct = 20, .fail_outliers = 0};   /* check's defaults */
    int have = 0, rc = 0;

    if (profile_arg != NULL) {
        if (ans_profile_load(profile_arg, &profile, &err) != TP_OK ||
            ans_check_run(run, path, &profile, &opts, &check, &err) != TP_OK) {
            tp_log_error("%s", err.msg);
            return 2;
        }
        have = 1;
    }
    if (report_write_openmetrics(run, have ? &check : NULL, have ? &profile : NULL, &opts, om,
                                 &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        rc = 2;
    }
    if (have)
        ans_check_free(&check);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"pairs", no_argument, NULL, 'p'},     {"tier", required_argument, NULL, 't'},
        {"html", required_argument, NULL, 'H'}, {"csv", required_argument, NULL, 'C'},
        {"openmetrics", required_argument, NULL, 'O'}, {"profile", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    const char *om = NULL, *profile = NULL;
    struct report_table_opts opts = {REPORT_ALL_TIERS, 0};
    const char *html = NULL, *csv = NULL;
    struct tp_error err = {0};
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': opts.pairs = 1; break;
        case 'H': html = optarg; break;
        case 'C': csv = optarg; break;
        case 'O': om = optarg; break;
        case 'P': profile = optarg; break;
        case 't':
            if (parse_tier(optarg, &opts.tier_filter) != 0)
                return 2;
            break;
        case 'h': usage(stdout); return 0;
        default: return cli_opt_fail("report", argv, longopts);
        }
    }
    if (optind != argc - 1) {
        tp_log_error("report needs one results file (see tierperf report --help)");
        return 2;
    }
    if (profile != NULL && om == NULL) {
        tp_log_error("report: --profile goes with --openmetrics (for verdicts alone: tierperf check)");
        return 2;
    }
    const char *path = argv[optind];
    cJSON *run = NULL;
    if (results_load(path, &run, &err) != TP_OK) {
        char journal[PATH_MAX];
        /* a killed run never wrote FILE (or left it torn); its journal holds
         * what was measured */
        if (snprintf(journal, sizeof(journal), "%s.journal.jsonl", path) < (int)sizeof(journal) &&
            access(journal, R_OK) == 0)
            tp_log_error("%s; the run's journal exists: tierperf report %s", err.msg, journal);
        else
            tp_log_error("%s", err.msg);
        return 2;
    }
    if (om == NULL || strcmp(om, "-") != 0)   /* "-": stdout holds the metrics alone */
        report_print_table(run, stdout, &opts);
    fflush(stdout);
    /* the partial-run warning also goes to stderr, where scripts look
     * (results_load logged the torn-line one) */
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run, "complete")))
        tp_log_warn("%s: partial run (did not finish); showing the %d measurements saved", path,
                    results_count(cJSON_GetObjectItemCaseSensitive(run, "results")));
    int rc = 0;
    if (html != NULL && report_write_html(run, html, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        rc = 2;
    }
    if (csv != NULL && report_write_csv(run, csv, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        rc = 2;
    }
    if (om != NULL && report_om(run, path, om, profile) != 0)
        rc = 2;
    cJSON_Delete(run);
    return rc;
}
