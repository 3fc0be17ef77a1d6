/* ans_check.c: evaluate a profile's rules on every pair of a run. */
#include "ans_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ans_sizes.h"
#include "ans_units.h"

void ans_check_note(struct ans_check_pair *cp, const char *fmt, ...)
{
    size_t used = strlen(cp->reason);
    va_list ap;
    if (used + 3 >= sizeof(cp->reason))
        return;
    if (used > 0) {
        strcat(cp->reason, "; ");
        used += 2;
    }
    va_start(ap, fmt);
    vsnprintf(cp->reason + used, sizeof(cp->reason) - used, fmt, ap);
    va_end(ap);
}

/* A threshold that could not be judged: noted on the pair and counted
 * under its reason (reasons name no pair, so they group). */
void ans_check_pair_unjudged(struct ans_check *out, struct ans_check_pair *cp, const char *why)
{
    ans_check_note(cp, "not judged: %s", why);
    cp->unjudged++;
    ans_check_unjudged(out, why);
}

void ans_unjudged_count(struct ans_unjudged *kinds, size_t *n, const char *why)
{
    size_t k;

    for (k = 0; k < *n && strcmp(kinds[k].why, why) != 0; k++)
        ;
    if (k == *n && *n < ANS_UNJUDGED_KINDS)
        snprintf(kinds[(*n)++].why, sizeof(kinds[0].why), "%s", why);
    else if (k == *n)
        k = ANS_UNJUDGED_KINDS - 1;   /* the last kind takes the rest */
    kinds[k].thresholds++;
}

void ans_check_unjudged(struct ans_check *out, const char *why)
{
    out->unmeasured++;
    ans_unjudged_count(out->why, &out->nwhy, why);
}

static void apply_bw(const struct ans_rule *r, const struct ans_pair *m, long long size,
                     struct ans_check_pair *cp, struct ans_check *out)
{
    char a[32], b[32], why[200];

    if (isnan(m->bw_gbit)) {
        if (size >= 0)
            snprintf(why, sizeof(why), "%s: bandwidth not measured at %s", r->name,
                     ans_fmt_msgsize(size, a, sizeof(a)));
        else
            snprintf(why, sizeof(why), "%s: bandwidth not measured", r->name);
        ans_check_pair_unjudged(out, cp, why);
        return;
    }
    out->evaluated++;
    if (m->bw_gbit < r->min_bw_gbit) {
        cp->failed = 1;
        cp->bw_near |= m->bw_gbit >= 0.9 * r->min_bw_gbit;
        ans_check_note(cp, "%s: bandwidth %s < %s", r->name, ans_fmt_gbit(m->bw_gbit, a, sizeof(a)),
             ans_fmt_gbit(r->min_bw_gbit, b, sizeof(b)));
    }
}

static void apply_lat(const struct ans_rule *r, int i, const struct ans_pair *m,
                      struct ans_check_pair *cp, struct ans_check *out)
{
    char a[32], b[32], why[200];

    if (isnan(m->lat_us[i])) {
        snprintf(why, sizeof(why), "%s: latency %s not measured", r->name, ans_lat_names[i]);
        ans_check_pair_unjudged(out, cp, why);
    } else if (m->lat_size > out->lat_max_size) {
        /* a large ping-pong measures transfer time, not latency */
        snprintf(why, sizeof(why),
                 "%s: latency %s measured only at %s, above the latency size limit %s", r->name,
                 ans_lat_names[i], ans_fmt_msgsize(m->lat_size, a, sizeof(a)),
                 ans_fmt_msgsize(out->lat_max_size, b, sizeof(b)));
        ans_check_pair_unjudged(out, cp, why);
        out->lat_over_limit++;
    } else {
        out->evaluated++;
        if (m->lat_us[i] > r->max_lat_us[i]) {
            cp->failed = 1;
            ans_check_note(cp, "%s: latency %s %s us > %s us", r->name, ans_lat_names[i],
                 units_fmt_num(m->lat_us[i], 6, a, sizeof(a)),
                 units_fmt_num(r->max_lat_us[i], 6, b, sizeof(b)));
        }
    }
}

/* m: the pair as measured at the rule's size (may differ from cp->pair). */
static void apply_rule(const struct ans_rule *r, const struct ans_pair *m, long long size,
                       struct ans_check_pair *cp, struct ans_check *out)
{
    if (!isnan(r->min_bw_gbit))
        apply_bw(r, m, size, cp, out);
    for (int i = 0; i < ANS_LAT_N; i++)
        if (!isnan(r->max_lat_us[i]))
            apply_lat(r, i, m, cp, out);
    if (!isnan(r->max_retrans_pct) || !isnan(r->max_dev_errors))
        ans_check_loss_apply(r, m, cp, out);
}

static void flag_outliers(struct ans_check *out, const struct ans_check_opts *opts)
{
    if (opts->outlier_pct <= 0)
        return;
    for (size_t t = 0; t < out->ntiers; t++) {
        struct ans_check_tier *ct = &out->tiers[t];
        if (ct->pairs < 3 || isnan(ct->bw_median))
            continue;   /* a median of one or two pairs says nothing */
        double floor_bw = ct->bw_median * (1 - opts->outlier_pct / 100);
        for (size_t i = 0; i < out->pairs.n; i++) {
            struct ans_check_pair *cp = &out->v[i];
            const struct ans_pair *p = cp->pair;
            if (p->tier != ct->tier || p->failure != NULL || isnan(p->bw_gbit) ||
                p->bw_gbit >= floor_bw)
                continue;
            cp->outlier = 1;
            ct->outliers++;
            out->outliers++;
            char a[32], b[32];
            char which[32];
            if (ct->tier == ANS_NO_TIER)
                snprintf(which, sizeof(which), "the untiered pairs'");
            else
                snprintf(which, sizeof(which), "tier %d", ct->tier);
            ans_check_note(cp, "outlier: %s is %.0f%% below %s median %s",
                 ans_fmt_gbit(p->bw_gbit, a, sizeof(a)), 100 * (1 - p->bw_gbit / ct->bw_median), which,
                 ans_fmt_gbit(ct->bw_median, b, sizeof(b)));
            if (opts->fail_outliers && !cp->failed) {
                cp->failed = 1;
                ct->failed++;
                out->failed++;
            }
        }
    }
}

static tp_status_t summarize_tiers(struct ans_check *out)
{
    int *tiers;
    size_t nt = ans_pairs_tiers(&out->pairs, &tiers);

    out->tiers = calloc(nt ? nt : 1, sizeof(*out->tiers));
    if (out->tiers == NULL) {
        free(tiers);
        return TP_ERR_NO_MEMORY;
    }
    out->ntiers = nt;
    for (size_t t = 0; t < nt; t++) {
        struct ans_check_tier *ct = &out->tiers[t];
        double *bw, *lat = malloc((out->pairs.n ? out->pairs.n : 1) * sizeof(*lat));
        size_t nbw = ans_tier_bandwidths(&out->pairs, tiers[t], &bw), nlat = 0;
        ct->tier = tiers[t];
        for (size_t i = 0; i < out->pairs.n; i++) {
            if (out->pairs.v[i].tier != ct->tier)
                continue;
            ct->pairs++;
            ct->judged += out->v[i].judged;
            ct->failed += out->v[i].failed;
            ct->unjudged += out->v[i].unjudged > 0;
            if (lat && out->pairs.v[i].failure == NULL)
                lat[nlat++] = out->pairs.v[i].lat_us[ANS_P50];
        }
        ct->bw_min = ans_percentile(bw, nbw, 0);
        ct->bw_median = ans_median(bw, nbw);
        ct->bw_max = ans_percentile(bw, nbw, 100);
        ct->lat_p50_median = lat ? ans_median(lat, nlat) : NAN;
        free(bw);
        free(lat);
    }
    free(tiers);
    return TP_OK;
}

/* The latency size limit, and what to suggest when nothing under it
 * was judged: a measured size within the limit, or the run's largest. */
static void sizes_in_force(const cJSON *run, const struct ans_profile *profile,
                           const struct ans_check_opts *opts, struct ans_check *out)
{
    long long *sizes;
    size_t n = ans_sizes_measured(run, &sizes);

    out->lat_max_size = opts->lat_max_size > 0        ? opts->lat_max_size
                        : profile->latency_max_size > 0 ? profile->latency_max_size
                                                         : ANS_LAT_MAX_SIZE_DEFAULT;
    out->lat_suggest = n > 0 && sizes[0] <= out->lat_max_size ? sizes[0] : -1;
    out->largest_size = n > 0 ? sizes[n - 1] : -1;
    free(sizes);
}

/* A rule that selects no pair at all (sme-production's storage rule on a
 * cluster without "storage" in any node name nor a node labelled as
 * storage) judged nothing: say so, and how to select, and the verdict
 * cannot be PASS (INCOMPLETE), rather than pass silently. */
static void rule_selected_none(struct ans_check *out, const struct ans_rule *rule,
                               const struct ans_check_opts *opts)
{
    char names[160] = "", labels[600], by_label[200] = "";
    if (out->nwhy >= ANS_UNJUDGED_KINDS)
        return;
    if (rule->nodes[0])
        snprintf(names, sizeof(names), "no node name matches '%.100s'", rule->nodes);
    ans_rule_labels_text(rule, labels, sizeof(labels));
    if (rule->nlabels > 0 && opts->node_labels != NULL)
        snprintf(by_label, sizeof(by_label), "%sno node of --nodes has %.120s",
                 names[0] ? ", " : "", labels);
    else if (rule->nlabels > 0)
        snprintf(by_label, sizeof(by_label), "%snode labels unknown: --nodes FILE selects "
                 "nodes with %.80s", names[0] ? "; " : "", labels);
    snprintf(out->why[out->nwhy].why, sizeof(out->why[0].why), "rule '%.60s' selected no pair%s%.130s%.160s%s",
             rule->name, names[0] || by_label[0] ? " (" : "", names, by_label,
             names[0] || by_label[0] ? ")" : "");
    out->why[out->nwhy++].thresholds = 1;
    out->unmeasured++;
}

tp_status_t ans_check_run(const cJSON *run, const char *what, const struct ans_profile *profile,
                          const struct ans_check_opts *opts, struct ans_check *out,
                          struct tp_error *err)
{
    tp_status_t st;

    memset(out, 0, sizeof(*out));
    st = ans_pairs_collect(run, opts->size, what, &out->pairs, err);
    if (st != TP_OK)
        return st;
    sizes_in_force(run, profile, opts, out);
    ans_check_loss_scan(run, out);
    out->v = calloc(out->pairs.n ? out->pairs.n : 1, sizeof(*out->v));
    if (out->v == NULL)
        goto oom;
    for (size_t i = 0; i < out->pairs.n; i++)
        out->v[i].pair = &out->pairs.v[i];
    for (size_t r = 0; r < profile->nrules; r++) {
        const struct ans_rule *rule = &profile->rules[r];
        struct ans_pairs sized = {0};
        const struct ans_pairs *src = &out->pairs;
        if (rule->size >= 0) {
            /* Same results in the same order: pair i of both lists is the
             * same pair, only the judged sizes differ. */
            st = ans_pairs_collect(run, rule->size, what, &sized, err);
            if (st != TP_OK)
                goto fail;
            src = &sized;
        }
        size_t selected = 0;
        for (size_t i = 0; i < out->pairs.n && i < src->n; i++) {
            if (!ans_rule_selects_in(rule, &out->pairs.v[i], opts->node_labels))
                continue;
            selected++;
            out->v[i].judged = 1;
            if (out->pairs.v[i].failure != NULL)
                continue;   /* failed outright below; its numbers mean nothing */
            apply_rule(rule, &src->v[i], rule->size >= 0 ? rule->size : opts->size, &out->v[i],
                       out);
        }
        if (selected == 0 && out->pairs.n > 0)
            rule_selected_none(out, rule, opts);
        ans_pairs_free(&sized);
    }
    for (size_t i = 0; i < out->pairs.n; i++) {
        struct ans_check_pair *cp = &out->v[i];
        if (cp->pair->failure != NULL) {
            cp->judged = cp->failed = 1;
            ans_check_note(cp, "error: %s", cp->pair->failure);
        }
        out->judged += cp->judged;
        out->failed += cp->failed;
        out->unjudged_pairs += cp->unjudged > 0;
        out->bw_near += cp->bw_near;
    }
    if (summarize_tiers(out) != TP_OK)
        goto oom;
    flag_outliers(out, opts);
    if ((st = ans_check_nics(run, profile, out, err)) != TP_OK)
        goto fail;
    return TP_OK;
oom:
    st = tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", what);
fail:
    ans_check_free(out);
    return st;
}

void ans_check_free(struct ans_check *check)
{
    ans_pairs_free(&check->pairs);
    free(check->v);
    free(check->tiers);
    ans_rails_free(&check->rails);
    free(check->nic_verdict);
    memset(check, 0, sizeof(*check));
}

const char *ans_verdict_name(enum ans_verdict v)
{
    return v == ANS_VERDICT_PASS ? "PASS" : v == ANS_VERDICT_FAIL ? "FAIL" : "INCOMPLETE";
}

int ans_check_none_applied(const struct ans_check *check)
{
    return check->evaluated == 0 && check->not_applicable > 0;
}

enum ans_verdict ans_check_verdict(const struct ans_check *check)
{
    /* fail_outliers already counted outliers as failures */
    if (check->failed > 0 || check->nic_failed > 0)
        return ANS_VERDICT_FAIL;
    if (check->judged == 0 || check->unmeasured > 0)
        return ANS_VERDICT_INCOMPLETE;
    if (ans_check_none_applied(check))
        return ANS_VERDICT_INCOMPLETE;   /* only thresholds the run cannot judge */
    return ANS_VERDICT_PASS;
}

int ans_check_exit_status(const struct ans_check *check, const struct ans_check_opts *opts)
{
    switch (ans_check_verdict(check)) {
    case ANS_VERDICT_PASS: return ANS_EXIT_PASS;
    case ANS_VERDICT_FAIL: return ANS_EXIT_FAIL;
    default:
        /* accepting unjudged thresholds needs some judged evidence */
        return opts->allow_unjudged && check->evaluated > 0 ? ANS_EXIT_PASS
                                                            : ANS_EXIT_INCOMPLETE;
    }
}

int ans_check_passed(const struct ans_check *check, const struct ans_check_opts *opts)
{
    (void)opts;
    return ans_check_verdict(check) == ANS_VERDICT_PASS;
}
