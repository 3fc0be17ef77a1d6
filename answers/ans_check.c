/* ans_check.c: evaluate a profile's rules on every pair of a run. */
#include "ans_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ans_units.h"

static void note(struct ans_check_pair *cp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(struct ans_check_pair *cp, const char *fmt, ...)
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

/* m: the pair as measured at the rule's size (may differ from cp->pair). */
static void apply_rule(const struct ans_rule *r, const struct ans_pair *m,
                       struct ans_check_pair *cp, struct ans_check *out)
{
    char a[32], b[32];
    if (!isnan(r->min_bw_gbit)) {
        if (isnan(m->bw_gbit)) {
            note(cp, "%s: no bandwidth measured%s", r->name, r->size >= 0 ? " at rule size" : "");
            out->unmeasured++;
        } else if (m->bw_gbit < r->min_bw_gbit) {
            cp->failed = 1;
            note(cp, "%s: bandwidth %s < %s", r->name, ans_fmt_gbit(m->bw_gbit, a, sizeof(a)),
                 ans_fmt_gbit(r->min_bw_gbit, b, sizeof(b)));
        }
    }
    for (int i = 0; i < ANS_LAT_N; i++) {
        if (isnan(r->max_lat_us[i]))
            continue;
        if (isnan(m->lat_us[i])) {
            note(cp, "%s: latency %s not measured", r->name, ans_lat_names[i]);
            out->unmeasured++;
        } else if (m->lat_us[i] > r->max_lat_us[i]) {
            cp->failed = 1;
            note(cp, "%s: latency %s %s us > %s us", r->name, ans_lat_names[i],
                 units_fmt_num(m->lat_us[i], 6, a, sizeof(a)),
                 units_fmt_num(r->max_lat_us[i], 6, b, sizeof(b)));
        }
    }
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
            note(cp, "outlier: %s is %.0f%% below tier %d median %s",
                 ans_fmt_gbit(p->bw_gbit, a, sizeof(a)), 100 * (1 - p->bw_gbit / ct->bw_median),
                 ct->tier, ans_fmt_gbit(ct->bw_median, b, sizeof(b)));
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

tp_status_t ans_check_run(const cJSON *run, const char *what, const struct ans_profile *profile,
                          const struct ans_check_opts *opts, struct ans_check *out,
                          struct tp_error *err)
{
    tp_status_t st;

    memset(out, 0, sizeof(*out));
    st = ans_pairs_collect(run, opts->size, what, &out->pairs, err);
    if (st != TP_OK)
        return st;
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
        for (size_t i = 0; i < out->pairs.n && i < src->n; i++) {
            if (!ans_rule_selects(rule, &out->pairs.v[i]))
                continue;
            out->v[i].judged = 1;
            if (out->pairs.v[i].failure != NULL)
                continue;   /* failed outright below; its numbers mean nothing */
            apply_rule(rule, &src->v[i], &out->v[i], out);
        }
        ans_pairs_free(&sized);
    }
    for (size_t i = 0; i < out->pairs.n; i++) {
        struct ans_check_pair *cp = &out->v[i];
        if (cp->pair->failure != NULL) {
            cp->judged = cp->failed = 1;
            note(cp, "error: %s", cp->pair->failure);
        }
        out->judged += cp->judged;
        out->failed += cp->failed;
    }
    if (summarize_tiers(out) != TP_OK)
        goto oom;
    flag_outliers(out, opts);
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
    memset(check, 0, sizeof(*check));
}

int ans_check_passed(const struct ans_check *check, const struct ans_check_opts *opts)
{
    (void)opts;   /* fail_outliers already counted outliers as failures */
    return check->judged > 0 && check->failed == 0;
}
