/* ans_check_out.c: the check verdict as text, JUnit XML and JSON. */
#include "ans_check.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "ans_culprit.h"
#include "ans_escape.h"
#include "ans_units.h"

static const char *tier_str(int tier, char *buf, int len)
{
    if (tier == ANS_NO_TIER)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%d", tier);
    return buf;
}

void ans_check_print(FILE *out, const struct ans_check *c, const struct ans_profile *profile,
                     const struct ans_check_opts *opts, int verbose)
{
    char a[32], b[32], d[32], t[16], label[600];

    fprintf(out, "profile %s: %s\n", profile->name, profile->description);
    if (profile->overhead_pct > 0)
        fprintf(out, "thresholds judge application throughput; this profile allows %s%% for "
                "protocol overhead (min_bandwidth x %s)\n",
                units_fmt_num(profile->overhead_pct, 4, a, sizeof(a)),
                units_fmt_num(1 - profile->overhead_pct / 100, 4, b, sizeof(b)));
    fprintf(out, "%-5s %6s %6s %6s %8s  %-36s %s\n", "tier", "pairs", "judged", "failed",
            "outliers", "bandwidth min / median / max", "lat p50 (median)");
    for (size_t i = 0; i < c->ntiers; i++) {
        const struct ans_check_tier *ct = &c->tiers[i];
        char bw[64];
        snprintf(bw, sizeof(bw), "%s / %s / %s", ans_fmt_gbit(ct->bw_min, a, sizeof(a)),
                 ans_fmt_gbit(ct->bw_median, b, sizeof(b)), ans_fmt_gbit(ct->bw_max, d, sizeof(d)));
        fprintf(out, "%-5s %6zu %6zu %6zu %8zu  %-36s ", tier_str(ct->tier, t, sizeof(t)),
                ct->pairs, ct->judged, ct->failed, ct->outliers, bw);
        if (isnan(ct->lat_p50_median))
            fprintf(out, "%-10s", "-");
        else
            fprintf(out, "%10s", units_fmt_usec(ct->lat_p50_median, a, sizeof(a)));
        fprintf(out, "  %s\n", ct->failed ? "FAIL" : ct->judged ? "PASS" : "not judged");
    }
    for (size_t i = 0; i < c->pairs.n; i++) {
        const struct ans_check_pair *cp = &c->v[i];
        const char *verdict = cp->failed ? "FAIL" : cp->outlier ? "WARN" : "PASS";
        if (!verbose && !cp->failed && !cp->outlier)
            continue;
        if (!cp->judged && !cp->outlier)
            verdict = "SKIP";
        fprintf(out, "%s %s tier %s bw %s", verdict, ans_pair_label(cp->pair, label, sizeof(label)),
                tier_str(cp->pair->tier, t, sizeof(t)),
                ans_fmt_gbit(cp->pair->bw_gbit, a, sizeof(a)));
        if (!isnan(cp->pair->lat_us[ANS_P50]))
            fprintf(out, " p50 %s", units_fmt_usec(cp->pair->lat_us[ANS_P50], a, sizeof(a)));
        fprintf(out, "%s%s\n", cp->reason[0] ? ": " : "", cp->reason);
    }
    if (c->unmeasured > 0)
        fprintf(out, "note: %zu threshold(s) could not be judged (not measured); see the pair lines "
                "with -v\n", c->unmeasured);
    if (c->judged == 0)
        fprintf(out, "result: FAIL (no pair was selected by the profile's rules: wrong tiers or "
                "no results?)\n");
    else
        fprintf(out, "result: %s (%zu of %zu judged pairs failed, %zu outlier%s%s)\n",
                c->failed ? "FAIL" : "PASS", c->failed, c->judged, c->outliers,
                c->outliers == 1 ? "" : "s",
                c->outliers && !opts->fail_outliers ? ", warned only" : "");
}

tp_status_t ans_check_write_junit(const struct ans_check *c, const struct ans_profile *profile,
                                  const char *path, struct tp_error *err)
{
    FILE *f = fopen(path, "w");
    char t[16], label[600];

    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "--junit %s: %s", path, strerror(errno));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"tierperf check ");
    ans_xml_puts(f, profile->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", c->judged, c->failed);
    for (size_t i = 0; i < c->ntiers; i++) {
        const struct ans_check_tier *ct = &c->tiers[i];
        fprintf(f, "  <testsuite name=\"tier %s\" tests=\"%zu\" failures=\"%zu\">\n",
                tier_str(ct->tier, t, sizeof(t)), ct->judged, ct->failed);
        for (size_t j = 0; j < c->pairs.n; j++) {
            const struct ans_check_pair *cp = &c->v[j];
            if (cp->pair->tier != ct->tier || !cp->judged)
                continue;
            fprintf(f, "    <testcase classname=\"tierperf.");
            ans_xml_puts(f, profile->name);
            fprintf(f, ".tier%s\" name=\"", t);
            ans_xml_puts(f, ans_pair_label(cp->pair, label, sizeof(label)));
            fprintf(f, "\" time=\"0\">");
            if (cp->failed) {
                fprintf(f, "<failure message=\"");
                ans_xml_puts(f, cp->reason);
                fprintf(f, "\"/>");
            } else if (cp->outlier) {
                fprintf(f, "<system-out>");
                ans_xml_puts(f, cp->reason);
                fprintf(f, "</system-out>");
            }
            fprintf(f, "</testcase>\n");
        }
        fprintf(f, "  </testsuite>\n");
    }
    if (c->culprit != NULL)
        ans_culprit_write_junit(f, c->culprit);
    fprintf(f, "</testsuites>\n");
    if (fclose(f) != 0)
        return tp_error_set(err, TP_ERR_IO, "--junit %s: write failed", path);
    return TP_OK;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

cJSON *ans_check_to_json(const struct ans_check *c, const struct ans_profile *profile,
                         const struct ans_check_opts *opts)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "profile", profile->name);
    cJSON_AddStringToObject(o, "description", profile->description);
    cJSON_AddBoolToObject(o, "passed", ans_check_passed(c, opts));
    cJSON_AddNumberToObject(o, "judged", (double)c->judged);
    cJSON_AddNumberToObject(o, "failed", (double)c->failed);
    cJSON_AddNumberToObject(o, "outliers", (double)c->outliers);
    cJSON *tiers = cJSON_AddArrayToObject(o, "tiers");
    for (size_t i = 0; i < c->ntiers; i++) {
        const struct ans_check_tier *ct = &c->tiers[i];
        cJSON *t = cJSON_CreateObject();
        add_num(t, "tier", ct->tier == ANS_NO_TIER ? NAN : ct->tier);
        cJSON_AddNumberToObject(t, "pairs", (double)ct->pairs);
        cJSON_AddNumberToObject(t, "failed", (double)ct->failed);
        cJSON_AddNumberToObject(t, "outliers", (double)ct->outliers);
        add_num(t, "bw_min", ct->bw_min);
        add_num(t, "bw_median", ct->bw_median);
        cJSON_AddItemToArray(tiers, t);
    }
    cJSON *pairs = cJSON_AddArrayToObject(o, "pairs");
    for (size_t i = 0; i < c->pairs.n; i++) {
        const struct ans_check_pair *cp = &c->v[i];
        if (!cp->failed && !cp->outlier)
            continue;   /* the report lists problems; passing pairs are in the heatmap */
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "src", cp->pair->src);
        cJSON_AddStringToObject(p, "dst", cp->pair->dst);
        add_num(p, "tier", cp->pair->tier == ANS_NO_TIER ? NAN : cp->pair->tier);
        add_num(p, "bw_gbit_s", cp->pair->bw_gbit);
        cJSON_AddBoolToObject(p, "failed", cp->failed);
        cJSON_AddBoolToObject(p, "outlier", cp->outlier);
        cJSON_AddStringToObject(p, "reason", cp->reason);
        cJSON_AddItemToArray(pairs, p);
    }
    if (c->culprit != NULL)
        cJSON_AddItemToObject(o, "culprit", ans_culprit_to_json(c->culprit, &c->pairs));
    return o;
}
