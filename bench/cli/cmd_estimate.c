/* cmd_estimate.c: `tierperf estimate --model-size 10GB --concurrency 10
 * --target 60s [--headroom 30%] [--results RUN.json]`: the bandwidth a
 * model rollout needs, and with a run, how long it takes on each tier. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../answers/ans_estimate.h"
#include "../../answers/ans_pairs.h"
#include "../../answers/ans_units.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf estimate --model-size SIZE --target TIME [--concurrency N]\n"
            "                         [--headroom PCT] [--results RUN.json]\n"
            "  needed bandwidth = SIZE x N concurrent downloads / TIME (x (1 + headroom))\n"
            "  SIZE: 10GB = 10^9 bytes x 10, 10GiB = 2^30 x 10; printed in GB/s and Gbit/s\n"
            "  TIME: 60s, 1.5min, 500ms, 2h (bare = seconds); units: docs/units.md\n"
            "exit status: 0 estimated, 2 bad usage or an unreadable results file\n");
}

static int per_tier(const char *path, double bytes, double conc, double target)
{
    struct tp_error err = {0};
    cJSON *run = NULL;
    struct ans_pairs pairs;
    int *tiers;
    char a[32], b[32], c[32], d[32];

    if (results_load(path, &run, &err) != TP_OK ||
        ans_pairs_collect(run, -1, path, &pairs, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        cJSON_Delete(run);
        return 2;
    }
    size_t nt = ans_pairs_tiers(&pairs, &tiers);
    printf("\non the measured tiers of %s (one link carries all %s downloads):\n", path,
           units_fmt_num(conc, 6, a, sizeof(a)));
    printf("  %-5s %14s %10s  %14s %10s  %s\n", "tier", "median bw", "time", "worst bw", "time",
           "meets target");
    for (size_t i = 0; i < nt; i++) {
        double *bw;
        size_t n = ans_tier_bandwidths(&pairs, tiers[i], &bw);
        if (n > 0) {
            double med = ans_median(bw, n), worst = ans_percentile(bw, n, 0);
            double tw = ans_transfer_seconds(bytes, conc, worst);
            char tier[16];
            snprintf(tier, sizeof(tier), tiers[i] == ANS_NO_TIER ? "-" : "%d", tiers[i]);
            printf("  %-5s %14s %10s  %14s %10s  %s\n", tier, ans_fmt_gbit(med, a, sizeof(a)),
                   ans_fmt_seconds(ans_transfer_seconds(bytes, conc, med), b, sizeof(b)),
                   ans_fmt_gbit(worst, c, sizeof(c)), ans_fmt_seconds(tw, d, sizeof(d)),
                   tw <= target ? "yes" : "no");
        }
        free(bw);
    }
    free(tiers);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
    return 0;
}

int cmd_estimate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model-size", required_argument, NULL, 'm'}, {"model", required_argument, NULL, 'm'},
        {"concurrency", required_argument, NULL, 'c'}, {"target", required_argument, NULL, 't'},
        {"within", required_argument, NULL, 't'},     {"headroom", required_argument, NULL, 'H'},
        {"results", required_argument, NULL, 'r'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    double bytes = NAN, target = NAN, conc = 1, headroom = 0;
    const char *results = NULL;
    struct tp_error err = {0};
    tp_status_t st = TP_OK;
    char *end;
    int c;

    optind = 0;
    opterr = 0;
    while (st == TP_OK && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': st = ans_parse_size(optarg, &bytes, &err); break;
        case 't': st = ans_parse_duration(optarg, &target, &err); break;
        case 'H': st = ans_parse_percent(optarg, &headroom, &err); break;
        case 'r': results = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'c':
            conc = strtod(optarg, &end);
            if (*end != '\0' || !(conc >= 1 && conc <= 1e6))
                st = tp_error_set(&err, TP_ERR_INVALID, "--concurrency '%s': need a number from 1 to 1000000",
                                  optarg);
            break;
        default: return cli_opt_fail("estimate", argv, longopts);
        }
    }
    if (st != TP_OK) {
        tp_log_error("%s", err.msg);
        return 2;
    }
    if (optind != argc) {
        tp_log_error("estimate: unexpected argument '%s' (a value with a space is one argument: "
                     "--target '1 min' or --target 1min; see tierperf estimate --help)",
                     argv[optind]);
        return 2;
    }
    if (isnan(bytes) || isnan(target)) {
        tp_log_error("estimate needs --model-size SIZE and --target TIME (see tierperf estimate --help)");
        return 2;
    }
    char a[32], b[32], t[32], n[32], r[32];
    double raw = ans_need_gbit(bytes, conc, target, 0);
    double need = ans_need_gbit(bytes, conc, target, headroom);
    printf("%s x %s concurrent downloads in %s = %s/s = %s\n",
           ans_fmt_bytes(bytes, a, sizeof(a)), units_fmt_num(conc, 6, n, sizeof(n)),
           ans_fmt_seconds(target, t, sizeof(t)), units_fmt_bytes_si(raw / 8 * 1e9, r, sizeof(r)),
           ans_fmt_gbit(raw, b, sizeof(b)));
    if (headroom > 0)
        printf("with %s%% headroom: %s/s = %s\n", units_fmt_num(headroom, 4, n, sizeof(n)),
               units_fmt_bytes_si(need / 8 * 1e9, r, sizeof(r)), ans_fmt_gbit(need, b, sizeof(b)));
    printf("needed bandwidth: %s (%s Gbit/s; 1 GB/s = 8 Gbit/s)\n",
           ans_fmt_gbit(need, b, sizeof(b)), units_fmt_num(need, 4, n, sizeof(n)));
    return results != NULL ? per_tier(results, bytes, conc, target) : 0;
}
