/* cmd_check.c: `tierperf check RUN.json --profile NAME|FILE`: pass/fail
 * per pair and per tier against an acceptance profile; exit 0 all pass,
 * 1 failures, 2 bad input, 3 INCOMPLETE (a threshold could not be judged).
 * --junit writes JUnit XML for CI, --json the verdict for machines. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check_culprit.h"
#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../answers/ans_check.h"
#include "../../answers/ans_sizes.h"
#include "../../answers/ans_units.h"
#include "../../report/report_render.h"
#include "../../topology/topology.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf check RUN.json --profile NAME|FILE [options]\n"
            "  --profile P       built-in (test-dev, sme-production, large-scale-ai) or a YAML file\n"
            "  --junit FILE      also write JUnit XML (one testcase per pair, a suite per tier,\n"
            "                    and a 'verdict' suite carrying the result)\n"
            "  --html FILE       also write the HTML report with the check results\n"
            "  --json            print the verdict as JSON instead of text (docs/answers.md)\n"
            "  --size SIZE       judge this message size (must have been measured; default:\n"
            "                    largest for bandwidth, smallest for latency, per pair)\n"
            "  --latency-max-size SIZE\n"
            "                    judge latency thresholds only on messages up to SIZE\n"
            "                    (default: the profile's latency_max_size, else 64K)\n"
            "  --allow-unjudged  exit 0 when the result is INCOMPLETE (still stated)\n"
            "  --outlier-pct P   flag pairs P%% below their tier's median (default 20, 0 = off)\n"
            "  --fail-outliers   outliers fail the check (default: warn)\n"
            "  --topology FILE   the HyperNode tree for naming the culprit (default: the run's)\n"
            "  --nodes FILE      kubectl get nodes -o yaml|json: node labels, for profile\n"
            "                    rules with node_labels (sme-production's storage rule selects\n"
            "                    nodes labelled node-role.kubernetes.io/storage=\"\")\n"
            "  --culprit-factor F  slow for the culprit: F times below the tier's typical\n"
            "                    rate (default 2)\n"
            "  --list-profiles   print the built-in profiles' YAML and exit\n"
            "  -v, --verbose     print passing and unjudged pairs too\n"
            "exit status: 0 every judged pair passes and every threshold was judged,\n"
            "  1 a pair or tier failed, 2 bad input (a --size the run did not measure too),\n"
            "  3 INCOMPLETE: no pair failed but a threshold could not be judged (or no pair\n"
            "  was selected); --allow-unjudged makes that 0 when anything was judged\n");
}

static int list_profiles(void)
{
    for (size_t i = 0; i < ans_profile_builtin_count(); i++)
        printf("---\n%s", ans_profile_builtin_text(ans_profile_builtin_name(i)));
    return 0;
}

struct check_args {
    struct ans_check_opts opts;
    struct ans_culprit_opts copts;
    const char *profile, *junit, *html, *path, *topology, *nodes;
    int verbose, json;
};

/* -1: go on; else the exit status. */
static int parse_args(int argc, char **argv, struct check_args *a)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"junit", required_argument, NULL, 'j'},
        {"html", required_argument, NULL, 'H'},    {"size", required_argument, NULL, 's'},
        {"outlier-pct", required_argument, NULL, 'o'}, {"fail-outliers", no_argument, NULL, 'F'},
        {"list-profiles", no_argument, NULL, 'L'}, {"verbose", no_argument, NULL, 'v'},
        {"json", no_argument, NULL, 'J'},          {"allow-unjudged", no_argument, NULL, 'A'},
        {"latency-max-size", required_argument, NULL, 'l'},
        {"topology", required_argument, NULL, 'T'}, {"culprit-factor", required_argument, NULL, 'C'},
        {"nodes", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    struct tp_error err = {0};
    int c;

    *a = (struct check_args){.opts = {.size = -1, .outlier_pct = 20, .lat_max_size = -1},
                             .copts = ANS_CULPRIT_OPTS_DEFAULT};
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': a->profile = optarg; break;
        case 'j': a->junit = optarg; break;
        case 'H': a->html = optarg; break;
        case 'F': a->opts.fail_outliers = 1; break;
        case 'A': a->opts.allow_unjudged = 1; break;
        case 'J': a->json = 1; break;
        case 'v': a->verbose = 1; break;
        case 'L': return list_profiles();
        case 'T': a->topology = optarg; break;
        case 'N': a->nodes = optarg; break;
        case 'C':
            if (check_culprit_parse_factor(optarg, &a->copts) != 0)
                return 2;
            break;
        case 'h': usage(stdout); return 0;
        case 's':
        case 'l':
            if (ans_parse_msgsize(optarg, c == 's' ? &a->opts.size : &a->opts.lat_max_size,
                                  &err) != TP_OK) {
                tp_log_error("--%s: %s", c == 's' ? "size" : "latency-max-size", err.msg);
                return 2;
            }
            break;
        case 'o':
            if (ans_parse_percent(optarg, &a->opts.outlier_pct, &err) != TP_OK ||
                a->opts.outlier_pct >= 100) {
                tp_log_error("--outlier-pct: %s", err.msg[0] ? err.msg : "must be below 100");
                return 2;
            }
            break;
        default: return cli_opt_fail("check", argv, longopts);
        }
    }
    if (optind != argc - 1 || a->profile == NULL) {
        tp_log_error("check needs one results file and --profile (see tierperf check --help)");
        return 2;
    }
    a->path = argv[optind];
    return -1;
}

static int print_json(const struct ans_check *check, const struct ans_profile *profile,
                      const struct ans_check_opts *opts)
{
    cJSON *j = ans_check_to_json(check, profile, opts, 1);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (text == NULL) {
        tp_log_error("check --json: out of memory");
        return -1;
    }
    printf("%s\n", text);
    cJSON_free(text);
    return 0;
}

int cmd_check(int argc, char **argv)
{
    struct check_args a;
    struct tp_error err = {0};
    int rc = parse_args(argc, argv, &a);

    if (rc >= 0)
        return rc;
    struct ans_profile profile;
    cJSON *run = NULL;
    struct ans_check check;
    struct topo *labels = NULL;
    if (a.nodes != NULL && topo_nodes_read(a.nodes, &labels, &err) != TP_OK) {
        tp_log_error("--nodes %s", err.msg);
        return 2;
    }
    a.opts.node_labels = labels;
    if (ans_profile_load(a.profile, &profile, &err) != TP_OK ||
        results_load(a.path, &run, &err) != TP_OK ||
        (a.opts.size >= 0 && ans_size_require(run, a.opts.size, a.path, &err) != TP_OK) ||
        ans_check_run(run, a.path, &profile, &a.opts, &check, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        cJSON_Delete(run);
        topo_free(labels);
        return 2;
    }
    struct check_culprit culprit;
    if (check_culprit_run(run, a.topology, &a.copts, &check.pairs, &culprit) != 0) {
        ans_check_free(&check);
        cJSON_Delete(run);
        topo_free(labels);
        return 2;
    }
    check.culprit = culprit.done ? &culprit.c : NULL;
    check.culprit_note = culprit.done ? NULL : culprit.why;
    if (a.json) {
        if (print_json(&check, &profile, &a.opts) != 0)
            rc = 2;
    } else {
        ans_check_print(stdout, &check, &profile, &a.opts, a.verbose);
    }
    if (rc < 0)
        rc = ans_check_exit_status(&check, &a.opts);
    if (a.junit != NULL &&
        ans_check_write_junit(&check, &profile, &a.opts, a.junit, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        rc = 2;
    }
    if (a.html != NULL) {
        cJSON_AddItemToObject(run, "check", ans_check_to_json(&check, &profile, &a.opts, 0));
        if (report_write_html(run, a.html, &err) != TP_OK) {
            tp_log_error("%s", err.msg);
            rc = 2;
        }
    }
    ans_check_free(&check);
    check_culprit_free(&culprit);
    cJSON_Delete(run);
    topo_free(labels);
    return rc;
}
