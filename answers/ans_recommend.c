/* ans_recommend.c: pick networkTopology.highestTierAllowed from measurements
 * and print it as Volcano / kthena YAML. */
#include "ans_recommend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_escape.h"
#include "ans_units.h"

const char *ans_run_tier_name(const cJSON *run, int tier)
{
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(run, "topology");
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(topo, "tiers")) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(t, "tier");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
        if (cJSON_IsNumber(n) && n->valueint == tier && cJSON_IsString(name) &&
            name->valuestring[0] != '\0')
            return name->valuestring;
    }
    return NULL;
}

static void eval_tier(const struct ans_pairs *pairs, struct ans_tier_eval *te, double percentile)
{
    double *bw = malloc((pairs->n ? pairs->n : 1) * sizeof(*bw));
    size_t m = 0;

    for (size_t i = 0; i < pairs->n; i++) {
        const struct ans_pair *p = &pairs->v[i];
        if (p->tier != te->tier || (p->failure == NULL && isnan(p->bw_gbit)))
            continue;
        /* a failed pair moved nothing: it is the worst pair */
        double v = p->failure ? 0.0 : p->bw_gbit;
        te->pairs++;
        te->failed += p->failure != NULL;
        if (bw)
            bw[m++] = v;
        if (te->worst == NULL || v < (te->worst->failure ? 0.0 : te->worst->bw_gbit))
            te->worst = p;
    }
    te->judged_gbit = ans_percentile(bw, m, percentile < 0 ? 0 : percentile);
    te->median_gbit = ans_median(bw, m);
    free(bw);
}

tp_status_t ans_recommend(const struct ans_pairs *pairs, const cJSON *run, double need_gbit,
                          double percentile, const char *what, struct ans_recommendation *out,
                          struct tp_error *err)
{
    int *tiers;
    size_t nt = ans_pairs_tiers(pairs, &tiers);

    memset(out, 0, sizeof(*out));
    out->need_gbit = need_gbit;
    out->percentile = percentile;
    out->virtual_tier = -1;
    const cJSON *vt = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(run, "topology"), "virtual_tier");
    if (cJSON_IsNumber(vt))
        out->virtual_tier = vt->valueint;
    out->tiers = calloc(nt ? nt : 1, sizeof(*out->tiers));
    if (out->tiers == NULL) {
        free(tiers);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < nt; i++) {
        if (tiers[i] < 1)
            continue;   /* same node (0) or unknown tier: not a scheduling choice */
        struct ans_tier_eval *te = &out->tiers[out->ntiers];
        te->tier = tiers[i];
        eval_tier(pairs, te, percentile);
        if (te->pairs == 0)
            continue;
        te->meets = !isnan(te->judged_gbit) && te->judged_gbit >= need_gbit;
        out->ntiers++;
    }
    free(tiers);
    if (out->ntiers == 0) {
        ans_recommendation_free(out);
        return tp_error_set(err, TP_ERR_INVALID,
                            "%s: no pair has a tier >= 1 with a bandwidth (was the run made "
                            "with --topology?)", what);
    }
    /* Pods may land on any tier up to the limit, so every tier below it
     * must meet the need too, not just the limit's own tier. */
    for (size_t i = 0; i < out->ntiers && out->tiers[i].meets; i++)
        out->tier = out->tiers[i].tier;
    return TP_OK;
}

void ans_recommendation_free(struct ans_recommendation *rec)
{
    free(rec->tiers);
    memset(rec, 0, sizeof(*rec));
}

void ans_recommend_print_evidence(FILE *out, const struct ans_recommendation *rec,
                                  const char *label)
{
    char a[32], b[32], c[32], pl[600];
    char judged[32];

    if (rec->percentile < 0)
        snprintf(judged, sizeof(judged), "worst pair");
    else
        snprintf(judged, sizeof(judged), "p%s of pairs",
                 units_fmt_num(rec->percentile, 4, a, sizeof(a)));
    fprintf(out, "%s: need %s, judged by each tier's %s\n", label,
            ans_fmt_gbit(rec->need_gbit, a, sizeof(a)), judged);
    fprintf(out, "  %-5s %6s %14s %14s  %-5s %s\n", "tier", "pairs", judged, "median", "meets",
            "slowest pair");
    for (size_t i = 0; i < rec->ntiers; i++) {
        const struct ans_tier_eval *te = &rec->tiers[i];
        fprintf(out, "  %-5d %6zu %14s %14s  %-5s %s%s\n", te->tier, te->pairs,
                ans_fmt_gbit(te->judged_gbit, b, sizeof(b)),
                ans_fmt_gbit(te->median_gbit, c, sizeof(c)), te->meets ? "yes" : "no",
                te->worst ? ans_pair_label(te->worst, pl, sizeof(pl)) : "-",
                te->worst && te->worst->failure ? " (failed)" : "");
    }
}

static void policy(FILE *out, const char *indent, int tier, const char *name, const char *mode)
{
    fprintf(out, "%smode: %s\n%shighestTierAllowed: %d\n", indent, mode, indent, tier);
    if (name != NULL) {
        /* quoted in a comment: the name comes from the input file */
        fprintf(out, "%s# or, instead of highestTierAllowed: highestTierName: ", indent);
        ans_yaml_puts(out, name);
        fputc('\n', out);
    }
}

void ans_recommend_print_yaml(FILE *out, int group_tier, const char *group_tier_name,
                              int role_tier)
{
    ans_recommend_print_yaml_mode(out, group_tier, group_tier_name, role_tier, "hard");
}

/* kthena's groupPolicy is the ServingGroup's PodGroup networkTopology: every
 * role's pods, so it governs prefill<->decode traffic too.  rolePolicy is
 * each role's subGroupPolicy: the entry and worker pods of one role instance
 * (one prefill, or one decode), nothing between roles; Volcano >= 1.14. */
void ans_recommend_print_yaml_mode(FILE *out, int group_tier, const char *group_tier_name,
                                   int role_tier, const char *mode)
{
    fprintf(out, "# Volcano Job or PodGroup: spec.networkTopology\n"
                 "spec:\n  networkTopology:\n");
    policy(out, "    ", group_tier, group_tier_name, mode);
    fprintf(out, "---\n# kthena ModelServing: spec.template.networkTopology\n"
                 "spec:\n  template:\n    networkTopology:\n");
    fprintf(out, "      groupPolicy:     # the whole ServingGroup: all roles' pods, so also the\n"
                 "                       # prefill<->decode (KV cache) traffic between roles\n");
    policy(out, "        ", group_tier, group_tier_name, mode);
    if (role_tier >= 0) {
        fprintf(out, "      rolePolicy:      # the pods of one role instance (its entry and worker\n"
                     "                       # pods, e.g. one prefill); needs Volcano >= 1.14\n");
        policy(out, "        ", role_tier, NULL, mode);
    }
}
