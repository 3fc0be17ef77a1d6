/* cmd_recommend.c: `tierperf recommend RUN.json --need 25Gbit/s` (or
 * --model SIZE --within TIME --concurrency N): the highest tier whose
 * measured pairs still meet the need, as Volcano and kthena YAML. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../answers/ans_estimate.h"
#include "../../answers/ans_recommend.h"
#include "../../answers/ans_sizes.h"
#include "../../answers/ans_units.h"

struct rec_args {
    const char *path;
    double need, role_need;      /* Gbit/s; NAN when not given */
    double model_bytes, within_s, concurrency, headroom;
    double percentile;           /* < 0 worst pair */
    long long size;
    int yaml_only, json;
    const char *mode;            /* networkTopology mode: "hard" (default) or "soft" */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf recommend RUN.json (--need BW | --model SIZE --within TIME\n"
            "                          [--concurrency N] [--headroom PCT]) [options]\n"
            "  --need BW          bandwidth each pair must sustain, e.g. 25Gbit/s, 3GB/s\n"
            "  --model SIZE       derive the need: SIZE x N copies within TIME (140GB = 10^9 B)\n"
            "  --role-need BW     need between the pods of one role instance (its entry and\n"
            "                     worker pods, e.g. one prefill): kthena rolePolicy, needs\n"
            "                     Volcano >= 1.14.  Prefill<->decode traffic crosses roles:\n"
            "                     it is the group's need (--need, kthena groupPolicy)\n"
            "  --mode hard|soft   networkTopology mode in the YAML (default hard: pods stay\n"
            "                     pending rather than spread; soft only prefers the tier)\n"
            "  --percentile P     judge tiers by the P-th percentile pair, not the worst\n"
            "  --size SIZE        judge this message size (default: largest per pair); a\n"
            "                     size the run did not measure is bad input\n"
            "  --yaml-only        print only the YAML\n"
            "  --json             print the answer as JSON, the YAML in its \"yaml\" field\n"
            "                     (docs/answers.md)\n"
            "exit status: 0 a tier meets the need, 1 no tier does, 2 bad input\n");
}

/* What the options mean together; -1 to go on, else the exit code. */
static int check_args(int argc, char **argv, struct rec_args *a)
{
    if (a->need <= 0 || a->role_need <= 0) {
        tp_log_error("recommend: --%s must be more than 0", a->need <= 0 ? "need" : "role-need");
        return 2;
    }
    if (optind != argc - 1) {
        tp_log_error("recommend needs one results file (see tierperf recommend --help)");
        return 2;
    }
    a->path = argv[optind];
    if (!isnan(a->model_bytes) != !isnan(a->within_s)) {
        tp_log_error("--model and --within go together");
        return 2;
    }
    if (!isnan(a->model_bytes))
        a->need = ans_need_gbit(a->model_bytes, a->concurrency, a->within_s, a->headroom);
    else if (!isnan(a->need))
        a->need *= 1 + a->headroom / 100;
    if (isnan(a->need)) {
        tp_log_error("give --need BW or --model SIZE --within TIME");
        return 2;
    }
    return -1;
}

static int parse_args(int argc, char **argv, struct rec_args *a)
{
    static const struct option longopts[] = {
        {"need", required_argument, NULL, 'n'},       {"role-need", required_argument, NULL, 'r'},
        {"model", required_argument, NULL, 'm'},      {"within", required_argument, NULL, 'w'},
        {"concurrency", required_argument, NULL, 'c'}, {"headroom", required_argument, NULL, 'H'},
        {"percentile", required_argument, NULL, 'p'}, {"size", required_argument, NULL, 's'},
        {"yaml-only", no_argument, NULL, 'y'},        {"help", no_argument, NULL, 'h'},
        {"mode", required_argument, NULL, 'M'},       {"json", no_argument, NULL, 'J'},
        {NULL, 0, NULL, 0}};
    unsigned char seen[128] = {0};
    int li = -1;
    struct tp_error err = {0};
    tp_status_t st = TP_OK;
    char *end;
    int c;

    *a = (struct rec_args){.need = NAN, .role_need = NAN, .model_bytes = NAN, .within_s = NAN,
                           .concurrency = 1, .percentile = -1, .size = -1, .mode = "hard"};
    optind = 0;
    opterr = 0;
    while (st == TP_OK && (c = getopt_long(argc, argv, "h", longopts, &li)) != -1) {
        if (c > 0 && c < 128 && c != 'h' && seen[c]++) {
            tp_log_error("recommend: --%s given twice (give it once)", li >= 0 ? longopts[li].name : "?");
            return 2;
        }
        li = -1;
        switch (c) {
        case 'n': st = ans_parse_bandwidth(optarg, &a->need, &err); break;
        case 'r': st = ans_parse_bandwidth(optarg, &a->role_need, &err); break;
        case 'm': st = ans_parse_size(optarg, &a->model_bytes, &err); break;
        case 'w': st = ans_parse_duration(optarg, &a->within_s, &err); break;
        case 'H': st = ans_parse_percent(optarg, &a->headroom, &err); break;
        case 'y': a->yaml_only = 1; break;
        case 'M':
            if (strcmp(optarg, "hard") != 0 && strcmp(optarg, "soft") != 0)
                st = tp_error_set(&err, TP_ERR_INVALID, "--mode '%s': expected hard or soft", optarg);
            a->mode = optarg;
            break;
        case 'J': a->json = 1; break;
        case 'h': usage(stdout); return 0;
        case 'c':
            a->concurrency = strtod(optarg, &end);
            if (*end != '\0' || !(a->concurrency >= 1))
                st = tp_error_set(&err, TP_ERR_INVALID, "--concurrency '%s': need a number >= 1",
                                  optarg);
            break;
        case 'p':
            a->percentile = strtod(optarg, &end);
            if (*end != '\0' || !(a->percentile >= 0 && a->percentile <= 100))
                st = tp_error_set(&err, TP_ERR_INVALID, "--percentile '%s': need 0..100", optarg);
            break;
        case 's':
            st = ans_parse_msgsize(optarg, &a->size, &err);
            break;
        default: return cli_opt_fail("recommend", argv, longopts);
        }
    }
    if (st != TP_OK) {
        tp_log_error("%s", err.msg);
        return 2;
    }
    return check_args(argc, argv, a);
}

static void say_no_tier(const struct ans_recommendation *rec, const char *what)
{
    char a[32], b[32];
    const struct ans_tier_eval *t1 = &rec->tiers[0];
    printf("no tier meets the %s need of %s: even tier %d measured %s (%s)\n", what,
           ans_fmt_gbit(rec->need_gbit, a, sizeof(a)), t1->tier,
           ans_fmt_gbit(t1->judged_gbit, b, sizeof(b)),
           rec->percentile < 0 ? "worst pair" : "chosen percentile");
}

/* The exit status, as without --json. */
static int print_json(const struct ans_recommendation *rec, const struct ans_recommendation *role,
                      const char *tier_name, const char *mode)
{
    cJSON *j = ans_recommend_to_json(rec, role, tier_name, mode);
    char *text = j ? cJSON_Print(j) : NULL;
    int rc = cJSON_GetObjectItemCaseSensitive(j, "exit_status")
                 ? cJSON_GetObjectItemCaseSensitive(j, "exit_status")->valueint
                 : 2;
    cJSON_Delete(j);
    if (text == NULL) {
        tp_log_error("recommend --json: out of memory");
        return 2;
    }
    printf("%s\n", text);
    cJSON_free(text);
    return rc;
}

int cmd_recommend(int argc, char **argv)
{
    struct rec_args a;
    struct tp_error err = {0};
    cJSON *run = NULL;
    struct ans_pairs pairs;
    struct ans_recommendation rec, role = {0};
    int rc = parse_args(argc, argv, &a);

    if (rc >= 0)
        return rc;
    if (results_load(a.path, &run, &err) != TP_OK ||
        (a.size >= 0 && ans_size_require(run, a.size, a.path, &err) != TP_OK) ||
        ans_pairs_collect(run, a.size, a.path, &pairs, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        cJSON_Delete(run);
        return 2;
    }
    rc = 2;
    const int want_role = !isnan(a.role_need);
    if (ans_recommend(&pairs, run, a.need, a.percentile, a.path, &rec, &err) != TP_OK)
        goto out_err;
    if (want_role &&
        ans_recommend(&pairs, run, a.role_need, a.percentile, a.path, &role, &err) != TP_OK)
        goto out_err;
    if (a.json) {
        rc = print_json(&rec, want_role ? &role : NULL, ans_run_tier_name(run, rec.tier), a.mode);
        goto out;
    }
    FILE *ev = a.yaml_only ? stderr : stdout;
    if (!a.yaml_only) {
        ans_recommend_print_evidence(ev, &rec, "serving group / job");
        if (want_role)
            ans_recommend_print_evidence(ev, &role, "inside one role instance (rolePolicy)");
    }
    rc = 1;
    if (rec.tier == 0) {
        say_no_tier(&rec, "group");
        goto out;
    }
    if (want_role && role.tier == 0) {
        say_no_tier(&role, "role");
        goto out;
    }
    int role_tier = ans_recommend_role_tier(&rec, want_role ? &role : NULL);
    const char *name = ans_run_tier_name(run, rec.tier);
    if (!a.yaml_only) {
        printf("recommendation: highestTierAllowed: %d%s%s%s", rec.tier, name ? " (tier '" : "",
               name ? name : "", name ? "')" : "");
        if (rec.tier == rec.tiers[rec.ntiers - 1].tier)
            printf(": every measured tier meets the need%s",
                   rec.virtual_tier >= 0 && rec.tier >= rec.virtual_tier
                       ? " (this is the virtual root tier: no constraint is needed)"
                       : "");
        if (role_tier >= 0)
            printf("; inside one role instance (rolePolicy): highestTierAllowed: %d", role_tier);
        printf("\n\n");
    }
    ans_recommend_print_yaml_mode(stdout, rec.tier, name, role_tier, a.mode);
    rc = 0;
    goto out;
out_err:
    tp_log_error("%s", err.msg);
out:
    ans_recommendation_free(&rec);
    ans_recommendation_free(&role);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
    return rc;
}
