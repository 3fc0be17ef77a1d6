/* ans_check_out.c: the check verdict as text and JSON, one section at a
 * time (see ans_check_out.h). */
#include "ans_check_out.h"

#include <math.h>
#include <string.h>

#include "ans_culprit.h"
#include "ans_units.h"

static const char *tier_str(int tier, char *buf, int len)
{
    if (tier == ANS_NO_TIER)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%d", tier);
    return buf;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

static void add_size(cJSON *o, const char *k, long long v)
{
    add_num(o, k, v < 0 ? NAN : (double)v);
}

const char *ans_check_pair_verdict(const struct ans_check_pair *cp)
{
    if (cp->failed)
        return "FAIL";
    if (cp->outlier)
        return "WARN";   /* the reason says when a threshold went unjudged too */
    if (cp->unjudged)
        return "UNJUDGED";
    return cp->judged ? "PASS" : "SKIP";
}

static const char *tier_verdict(const struct ans_check_tier *ct)
{
    return ct->failed ? "FAIL" : ct->unjudged ? "INCOMPLETE" : ct->judged ? "PASS" : "not judged";
}

/* ---- header ---------------------------------------------------------- */

static void header_text(FILE *out, const struct ans_check_view *v)
{
    const struct ans_profile *profile = v->profile;
    char a[32], b[32];

    fprintf(out, "profile %s: %s\n", profile->name, profile->description);
    if (profile->overhead_pct > 0)
        fprintf(out, "thresholds judge application throughput; this profile allows %s%% for "
                "protocol overhead (min_bandwidth x %s)\n",
                units_fmt_num(profile->overhead_pct, 4, a, sizeof(a)),
                units_fmt_num(1 - profile->overhead_pct / 100, 4, b, sizeof(b)));
}

static const struct ans_check_section section_header = {NULL, header_text, NULL, NULL};

/* ---- tiers ----------------------------------------------------------- */

static void tiers_text(FILE *out, const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    char a[32], b[32], d[32], t[16];

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
        fprintf(out, "  %s\n", tier_verdict(ct));
    }
}

static cJSON *tiers_json(const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    cJSON *tiers = cJSON_CreateArray();
    for (size_t i = 0; i < c->ntiers; i++) {
        const struct ans_check_tier *ct = &c->tiers[i];
        cJSON *t = cJSON_CreateObject();
        add_num(t, "tier", ct->tier == ANS_NO_TIER ? NAN : ct->tier);
        cJSON_AddNumberToObject(t, "pairs", (double)ct->pairs);
        cJSON_AddNumberToObject(t, "judged", (double)ct->judged);
        cJSON_AddNumberToObject(t, "failed", (double)ct->failed);
        cJSON_AddNumberToObject(t, "outliers", (double)ct->outliers);
        cJSON_AddNumberToObject(t, "unjudged", (double)ct->unjudged);
        add_num(t, "bw_min", ct->bw_min);
        add_num(t, "bw_median", ct->bw_median);
        add_num(t, "bw_max", ct->bw_max);
        add_num(t, "lat_p50_median_us", ct->lat_p50_median);
        cJSON_AddStringToObject(t, "verdict", tier_verdict(ct));
        cJSON_AddItemToArray(tiers, t);
    }
    return tiers;
}

static const struct ans_check_section section_tiers = {"tiers", tiers_text, tiers_json, NULL};

/* ---- pairs ----------------------------------------------------------- */

static void pairs_text(FILE *out, const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    char a[32], t[16], label[600];

    for (size_t i = 0; i < c->pairs.n; i++) {
        const struct ans_check_pair *cp = &c->v[i];
        /* unjudged pairs are summarized by reason below; -v lists them */
        if (!v->verbose && !cp->failed && !cp->outlier)
            continue;
        fprintf(out, "%s %s tier %s bw %s", ans_check_pair_verdict(cp),
                ans_pair_label(cp->pair, label, sizeof(label)),
                tier_str(cp->pair->tier, t, sizeof(t)),
                ans_fmt_gbit(cp->pair->bw_gbit, a, sizeof(a)));
        if (!isnan(cp->pair->lat_us[ANS_P50]))
            fprintf(out, " p50 %s", units_fmt_usec(cp->pair->lat_us[ANS_P50], a, sizeof(a)));
        if (!isnan(cp->pair->retrans_pct))
            fprintf(out, " retrans %s%%", units_fmt_num(cp->pair->retrans_pct, 3, a, sizeof(a)));
        fprintf(out, "%s%s\n", cp->reason[0] ? ": " : "", cp->reason);
    }
}

static cJSON *pair_json(const struct ans_check_pair *cp)
{
    const struct ans_pair *p = cp->pair;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "src", p->src);
    cJSON_AddStringToObject(o, "dst", p->dst);
    cJSON_AddNumberToObject(o, "src_rank", p->src_rank);
    cJSON_AddNumberToObject(o, "dst_rank", p->dst_rank);
    add_num(o, "tier", p->tier == ANS_NO_TIER ? NAN : p->tier);
    add_num(o, "bw_gbit_s", p->bw_gbit);
    add_size(o, "bw_size_bytes", p->bw_size);
    add_num(o, "lat_p50_us", p->lat_us[ANS_P50]);
    add_size(o, "lat_size_bytes", p->lat_size);
    add_num(o, "retrans_pct", p->retrans_pct);
    cJSON_AddStringToObject(o, "verdict", ans_check_pair_verdict(cp));
    cJSON_AddBoolToObject(o, "failed", cp->failed);
    cJSON_AddBoolToObject(o, "outlier", cp->outlier);
    cJSON_AddNumberToObject(o, "unjudged", cp->unjudged);
    cJSON_AddStringToObject(o, "reason", cp->reason);
    return o;
}

static cJSON *pairs_json(const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    cJSON *pairs = cJSON_CreateArray();
    for (size_t i = 0; i < c->pairs.n; i++) {
        const struct ans_check_pair *cp = &c->v[i];
        if (v->all_pairs || cp->failed || cp->outlier || cp->unjudged)
            cJSON_AddItemToArray(pairs, pair_json(cp));
    }
    return pairs;
}

static const struct ans_check_section section_pairs = {"pairs", pairs_text, pairs_json, NULL};

/* ---- culprit (answers/ans_culprit.h) ----------------------------------- */

static void culprit_text(FILE *out, const struct ans_check_view *v)
{
    if (v->check->culprit != NULL)
        ans_culprit_print(out, v->check->culprit);
    else if (v->check->culprit_note != NULL)
        fprintf(out, "%s\n", v->check->culprit_note);
}

static cJSON *culprit_json(const struct ans_check_view *v)
{
    return v->check->culprit != NULL ? ans_culprit_to_json(v->check->culprit, &v->check->pairs)
                                     : NULL;
}

static void culprit_junit(FILE *f, const struct ans_check_view *v)
{
    if (v->check->culprit != NULL)
        ans_culprit_write_junit(f, v->check->culprit);
}

static const struct ans_check_section section_culprit = {"culprit", culprit_text, culprit_json,
                                                         culprit_junit};

/* ---- unjudged thresholds --------------------------------------------- */

/* A size as `run --sizes` and `check --size` read it: 64, 64K, 4M. */
static const char *size_arg(long long bytes, char *buf, int len)
{
    static const char *const units[] = {"", "K", "M", "G", "T"};
    int i = 0;
    while (bytes >= 1024 && bytes % 1024 == 0 && i < 4) {
        bytes /= 1024;
        i++;
    }
    snprintf(buf, len, "%lld%s", bytes, units[i]);
    return buf;
}

/* What to do about latency judged on large messages only; "" when nothing. */
static const char *lat_hint(const struct ans_check *c, char *buf, size_t len)
{
    char lim[32], s1[32], s2[32];

    buf[0] = '\0';
    if (c->lat_over_limit == 0)
        return buf;
    ans_fmt_msgsize(c->lat_max_size, lim, sizeof(lim));
    if (c->lat_suggest >= 0)
        snprintf(buf, len,
                 "latency thresholds are judged on messages up to %s: this run measured %s, "
                 "judge latency with --size %s",
                 lim, ans_fmt_msgsize(c->lat_suggest, s1, sizeof(s1)),
                 size_arg(c->lat_suggest, s2, sizeof(s2)));
    else
        snprintf(buf, len,
                 "latency thresholds are judged on messages up to %s and this run measured "
                 "none: add one to the run (e.g. --sizes 64,%s), or raise the limit "
                 "(check --latency-max-size, profile key latency_max_size)",
                 lim, size_arg(c->largest_size > 64 ? c->largest_size : 4194304, s1, sizeof(s1)));
    return buf;
}

static void unjudged_text(FILE *out, const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    char hint[400];

    if (c->unmeasured == 0)
        return;
    fprintf(out, "not judged: %zu threshold(s) on %zu pair(s)%s:\n", c->unmeasured,
            c->unjudged_pairs, v->verbose ? "" : " (the pairs: -v)");
    for (size_t k = 0; k < c->nwhy; k++)
        fprintf(out, "  %zu x %s\n", c->why[k].thresholds, c->why[k].why);
    if (lat_hint(c, hint, sizeof(hint))[0] != '\0')
        fprintf(out, "hint: %s\n", hint);
}

static cJSON *unjudged_json(const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    cJSON *a = cJSON_CreateArray();
    for (size_t k = 0; k < c->nwhy; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "reason", c->why[k].why);
        cJSON_AddNumberToObject(o, "thresholds", (double)c->why[k].thresholds);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* Pairs that miss a bandwidth threshold by a few percent, under a profile
 * without a protocol overhead allowance: a link sold or shaped at exactly
 * the threshold delivers ~95 % of it as TCP payload. */
static const char *overhead_hint(const struct ans_check_view *v, char *buf, size_t len)
{
    buf[0] = '\0';
    if (v->check->bw_near > 0 && v->profile->overhead_pct <= 0)
        snprintf(buf, len, "%zu pair(s) missed a bandwidth threshold by under 10 %%: thresholds "
                 "judge application throughput (payload after protocol headers; TCP delivers "
                 "~95 %% of a link's rate), so a link at exactly the threshold's rate fails it; "
                 "a profile's protocol_overhead (e.g. 6%%) allows for that",
                 v->check->bw_near);
    return buf;
}

static void hints_text(FILE *out, const struct ans_check_view *v)
{
    char hint[400];
    if (overhead_hint(v, hint, sizeof(hint))[0] != '\0')
        fprintf(out, "note: %s\n", hint);
}

static cJSON *hints_json(const struct ans_check_view *v)
{
    char hint[400];
    cJSON *a = cJSON_CreateArray();
    if (lat_hint(v->check, hint, sizeof(hint))[0] != '\0')
        cJSON_AddItemToArray(a, cJSON_CreateString(hint));
    if (overhead_hint(v, hint, sizeof(hint))[0] != '\0')
        cJSON_AddItemToArray(a, cJSON_CreateString(hint));
    return a;
}

static const struct ans_check_section section_unjudged = {"unjudged", unjudged_text,
                                                          unjudged_json, NULL};
static const struct ans_check_section section_hints = {"hints", hints_text, hints_json, NULL};

/* ---- result ------------------------------------------------------------ */

void ans_check_result_line(FILE *out, const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    enum ans_verdict verdict = ans_check_verdict(c);
    int rc = ans_check_exit_status(c, v->opts);

    fprintf(out, "%s", ans_verdict_name(verdict));
    if (verdict == ANS_VERDICT_INCOMPLETE && rc == ANS_EXIT_PASS)
        fprintf(out, ", accepted with --allow-unjudged");
    if (c->judged == 0) {
        fprintf(out, " (no pair was selected by the profile's rules: wrong tiers or no results?)");
    } else {
        fprintf(out, " (%zu of %zu judged pairs failed, %zu outlier%s%s", c->failed, c->judged,
                c->outliers, c->outliers == 1 ? "" : "s",
                c->outliers && !v->opts->fail_outliers ? ", warned only" : "");
        if (c->nic_failed > 0)
            fprintf(out, "; %zu NIC(s) below the per-NIC threshold", c->nic_failed);
        if (c->unmeasured > 0)
            fprintf(out, "; %zu threshold(s) not judged", c->unmeasured);
        if (ans_check_none_applied(c))
            fprintf(out, "; no threshold applied to this run");
        fprintf(out, ")");
    }
    fprintf(out, ", exit status %d", rc);
}

static void result_text(FILE *out, const struct ans_check_view *v)
{
    fprintf(out, "result: ");
    ans_check_result_line(out, v);
    fputc('\n', out);
}

static const struct ans_check_section section_result = {NULL, result_text, NULL, NULL};

const struct ans_check_section *const ans_check_sections[] = {
    &section_header, &section_tiers,  &section_pairs,  &ans_check_section_nics,
    &section_culprit, &section_unjudged, &ans_check_section_loss, &section_hints,
    &section_result, NULL,
};

void ans_check_print(FILE *out, const struct ans_check *check, const struct ans_profile *profile,
                     const struct ans_check_opts *opts, int verbose)
{
    const struct ans_check_view v = {check, profile, opts, verbose, 0};
    for (size_t i = 0; ans_check_sections[i] != NULL; i++)
        if (ans_check_sections[i]->text != NULL)
            ans_check_sections[i]->text(out, &v);
}

cJSON *ans_check_to_json(const struct ans_check *c, const struct ans_profile *profile,
                         const struct ans_check_opts *opts, int all_pairs)
{
    const struct ans_check_view v = {c, profile, opts, 0, all_pairs};
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "command", "check");
    cJSON_AddStringToObject(o, "result", ans_verdict_name(ans_check_verdict(c)));
    cJSON_AddNumberToObject(o, "exit_status", ans_check_exit_status(c, opts));
    cJSON_AddBoolToObject(o, "passed", ans_check_passed(c, opts));
    cJSON_AddBoolToObject(o, "allow_unjudged", opts->allow_unjudged);
    cJSON_AddStringToObject(o, "profile", profile->name);
    cJSON_AddStringToObject(o, "description", profile->description);
    cJSON_AddNumberToObject(o, "protocol_overhead_pct", profile->overhead_pct);
    add_size(o, "size_bytes", opts->size);
    cJSON_AddNumberToObject(o, "latency_max_size_bytes", (double)c->lat_max_size);
    cJSON_AddNumberToObject(o, "judged", (double)c->judged);
    cJSON_AddNumberToObject(o, "failed", (double)c->failed);
    cJSON_AddNumberToObject(o, "outliers", (double)c->outliers);
    cJSON_AddNumberToObject(o, "judged_thresholds", (double)c->evaluated);
    cJSON_AddNumberToObject(o, "unjudged_thresholds", (double)c->unmeasured);
    cJSON_AddNumberToObject(o, "unjudged_pairs", (double)c->unjudged_pairs);
    for (size_t i = 0; ans_check_sections[i] != NULL; i++) {
        const struct ans_check_section *s = ans_check_sections[i];
        cJSON *part = s->key != NULL && s->json != NULL ? s->json(&v) : NULL;
        if (part != NULL)   /* NULL: the section has nothing to say */
            cJSON_AddItemToObject(o, s->key, part);
    }
    return o;
}
