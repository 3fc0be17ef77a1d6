/* ans_infer_conf.c: how sure each inferred HyperNode is.  Two kinds of
 * evidence, each measured against the tree's clear factor F:
 * - membership: each member's mean bandwidth to the rest of its group (the
 *   pairs the group stands for) against its mean bandwidth to each other
 *   group of the tier; a member only 1.2x closer to its own group than to
 *   another is a coin toss, not a grouping (confidence 0 at 1x, 1 at F);
 * - a hidden tier: average linkage over the group's children; wherever
 *   two clusters of two or more children each merge, the mean inside
 *   them against the mean between them: clusters F^3/4 apart (1.68x for
 *   F = 2) are likely a tier that noise kept the gap rule from cutting
 *   (confidence 1 up to F^1/4, 0 from F^3/4 on).
 * A HyperNode's confidence is the weakest of these, log-linear in the
 * ratio.  Means, not single pairs: one noisy pair moves a mean by 1/k. */
#include "ans_infer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_units.h"

struct conf_work {
    const struct ans_tree *t;
    const struct ans_matrix *m;
    int tier;
    double *sum, *cnt;      /* n each: per group / per half */
    int *cidx;              /* n: child id -> 0..k-1, or -1 */
};

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static const int *grp_at(const struct ans_tree *t, int tier)
{
    return &t->group[(size_t)(tier - 1) * t->n];
}

/* The child of node i inside its tier-`tier` group: its group one tier
 * down, or the node itself at tier 1. */
static int child_of(const struct ans_tree *t, int tier, size_t i)
{
    return tier > 1 ? grp_at(t, tier - 1)[i] : (int)i;
}

/* Least attached member of group g: lowest ratio of its mean bandwidth to
 * its group-mates (other children) over its mean to the closest other
 * group of the tier. */
static void conf_member(struct conf_work *w, int g, struct ans_hn_conf *c)
{
    const struct ans_tree *t = w->t;
    const int *grp = grp_at(t, w->tier);
    size_t n = t->n, ng = t->ngroups[w->tier - 1];

    for (size_t i = 0; i < n; i++) {
        if (grp[i] != g)
            continue;
        memset(w->sum, 0, ng * sizeof(*w->sum));
        memset(w->cnt, 0, ng * sizeof(*w->cnt));
        for (size_t j = 0; j < n; j++) {
            double bw = w->m->bw[i * n + j];
            if (j == i || isnan(bw) || (grp[j] == g && child_of(t, w->tier, j) ==
                                                       child_of(t, w->tier, i)))
                continue;
            w->sum[grp[j]] += bw;
            w->cnt[grp[j]] += 1;
        }
        double in = w->cnt[g] > 0 ? w->sum[g] / w->cnt[g] : t->tier_bw[w->tier - 1];
        int rival = -1;
        double out = 0;
        for (size_t h = 0; h < ng; h++)
            if ((int)h != g && w->cnt[h] > 0 && w->sum[h] / w->cnt[h] > out) {
                out = w->sum[h] / w->cnt[h];
                rival = (int)h;
            }
        if (rival < 0 || isnan(in))
            continue;
        double conf = out > 0 ? clamp01(log(in / out) / log(t->factor)) : 1;
        if (conf < c->conf)
            *c = (struct ans_hn_conf){conf, ANS_CONF_MEMBER, (long)i, rival, in, out};
    }
}

/* Children of group g as slots 0..k-1 in w->cidx; returns k. */
static size_t children(struct conf_work *w, int g)
{
    const int *grp = grp_at(w->t, w->tier);
    size_t k = 0;
    for (size_t i = 0; i < w->t->n; i++)
        w->cidx[i] = -1;
    for (size_t i = 0; i < w->t->n; i++) {
        int ch = child_of(w->t, w->tier, i);
        if (grp[i] == g && w->cidx[ch] < 0)
            w->cidx[ch] = (int)k++;
    }
    return k;
}

/* sum/cnt[a*k+b]: the group's pairs between children a and b. */
static void child_sums(struct conf_work *w, int g, size_t k, double *sum, double *cnt)
{
    const struct ans_tree *t = w->t;
    const int *grp = grp_at(t, w->tier);
    size_t n = t->n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; grp[i] == g && j < n; j++) {
            int a = w->cidx[child_of(t, w->tier, i)], b = w->cidx[child_of(t, w->tier, j)];
            if (i < j && grp[j] == g && a != b && !isnan(w->m->bw[i * n + j])) {
                sum[(size_t)a * k + (size_t)b] += w->m->bw[i * n + j];
                cnt[(size_t)a * k + (size_t)b] += 1;
                sum[(size_t)b * k + (size_t)a] += w->m->bw[i * n + j];
                cnt[(size_t)b * k + (size_t)a] += 1;
            }
        }
}

/* Average linkage over the group's children; at every merge of two
 * clusters of two or more children each, with four or more pairs inside
 * them (one or two pairs are noise, not a tier), the ratio of the mean of the
 * pairs inside them to the mean between them.  The largest ratio is the
 * clearest tier hiding inside the group. */
struct first_split {
    double in_sum, in_cnt, out_sum, out_cnt;   /* the lowest merge of two 2+ clusters */
};

static void hidden_scan(size_t k, double *sum, double *cnt, double *in_sum, double *in_cnt,
                        int *size, struct ans_hn_conf *best, struct first_split *first)
{
    for (size_t a = 0; a < k; a++) {
        in_sum[a] = in_cnt[a] = 0;
        size[a] = 1;
    }
    for (size_t left = k; left > 1; left--) {
        double top = -1;
        size_t ba = 0, bb = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; size[a] > 0 && b < k; b++)
                if (size[b] > 0 && cnt[a * k + b] > 0 && sum[a * k + b] / cnt[a * k + b] > top) {
                    top = sum[a * k + b] / cnt[a * k + b];
                    ba = a;
                    bb = b;
                }
        if (top <= 0)
            return;   /* the rest never measured against each other */
        if (size[ba] >= 2 && size[bb] >= 2 && first->in_cnt == 0)
            *first = (struct first_split){in_sum[ba] + in_sum[bb], in_cnt[ba] + in_cnt[bb],
                                          sum[ba * k + bb], cnt[ba * k + bb]};
        if (size[ba] >= 2 && size[bb] >= 2 && in_cnt[ba] + in_cnt[bb] >= 4) {
            double in = (in_sum[ba] + in_sum[bb]) / (in_cnt[ba] + in_cnt[bb]);
            if (isnan(best->inside) || in / top > best->inside / best->outside) {
                best->inside = in;
                best->outside = top;
            }
        }
        in_sum[ba] += in_sum[bb] + sum[ba * k + bb];
        in_cnt[ba] += in_cnt[bb] + cnt[ba * k + bb];
        size[ba] += size[bb];
        size[bb] = 0;
        for (size_t x = 0; x < k; x++) {
            sum[ba * k + x] += sum[bb * k + x];
            cnt[ba * k + x] += cnt[bb * k + x];
            sum[x * k + ba] = sum[ba * k + x];
            cnt[x * k + ba] = cnt[ba * k + x];
        }
    }
}

/* A tier inside the group that the gap rule did not cut: confidence 1 up
 * to F^1/4 between two of its clusters (noise), 0 from F^3/4 on. */
/* 1 up to F^lo_exp, 0 from F^hi_exp on, log-linear between. */
static double hidden_conf(double factor, double inside, double outside, double lo_exp,
                          double hi_exp)
{
    double lo = pow(factor, lo_exp), hi = pow(factor, hi_exp);
    return 1 - clamp01(log(inside / outside / lo) / log(hi / lo));
}

static int conf_hidden(struct conf_work *w, int g, struct ans_hn_conf *c,
                       struct first_split *pool)
{
    size_t k = children(w, g);
    if (k < 4)
        return 0;   /* no two clusters of two children each */
    double *sum = calloc(k * k, sizeof(*sum)), *cnt = calloc(k * k, sizeof(*cnt));
    double *in = calloc(2 * k, sizeof(*in));
    int *size = calloc(k, sizeof(*size));
    if (sum == NULL || cnt == NULL || in == NULL || size == NULL) {
        free(sum);
        free(cnt);
        free(in);
        free(size);
        return -1;
    }
    child_sums(w, g, k, sum, cnt);
    struct ans_hn_conf h = {1, ANS_CONF_HIDDEN, -1, -1, NAN, NAN};
    struct first_split first = {0, 0, 0, 0};
    hidden_scan(k, sum, cnt, in, in + k, size, &h, &first);
    pool->in_sum += first.in_sum;
    pool->in_cnt += first.in_cnt;
    pool->out_sum += first.out_sum;
    pool->out_cnt += first.out_cnt;
    free(sum);
    free(cnt);
    free(in);
    free(size);
    if (isnan(h.inside))
        return 0;
    h.conf = hidden_conf(w->t->factor, h.inside, h.outside, 0.25, 0.75);
    if (h.conf < c->conf)
        *c = h;
    return 0;
}

/* Groups too small to show a hidden tier alone (two racks of two) show it
 * together: the lowest split of every group of the tier, pooled.  Those
 * splits are the best pairs of each group, so noise alone makes them look
 * apart: confidence 1 up to sqrt(F), 0 from F on.  The doubt goes to every
 * group of the tier. */
static void conf_pooled(struct ans_tree *t, int tier, const struct first_split *pool)
{
    if (pool->in_cnt < 4 || pool->out_cnt < 1)
        return;
    double in = pool->in_sum / pool->in_cnt, out = pool->out_sum / pool->out_cnt;
    double conf = hidden_conf(t->factor, in, out, 0.5, 1);
    for (size_t g = 0; g < t->ngroups[tier - 1]; g++) {
        struct ans_hn_conf *c = &t->conf[(size_t)(tier - 1) * t->n + g];
        if (conf < c->conf)
            *c = (struct ans_hn_conf){conf, ANS_CONF_HIDDEN, (long)t->ngroups[tier - 1], -1,
                                      in, out};
    }
}

/* A child that may hide a tier makes every tier number above it unsure:
 * the group inherits the lowest such doubt below it. */
static void conf_below(struct ans_tree *t, int tier, int g, struct ans_hn_conf *c)
{
    const int *grp = grp_at(t, tier), *below = grp_at(t, tier - 1);
    size_t n = t->n;
    for (size_t i = 0; i < n; i++) {
        if (grp[i] != g)
            continue;
        const struct ans_hn_conf *ch = &t->conf[(size_t)(tier - 2) * n + (size_t)below[i]];
        double doubt = ch->why == ANS_CONF_HIDDEN || ch->why == ANS_CONF_BELOW ? ch->conf : 1;
        if (doubt < c->conf)
            *c = (struct ans_hn_conf){doubt, ANS_CONF_BELOW, -1, below[i], ch->inside,
                                      ch->outside};
    }
}

int ans_tree_confidence(struct ans_tree *t, const struct ans_matrix *m)
{
    size_t n = t->n;
    struct conf_work w = {t, m, 0, NULL, NULL, NULL};
    int rc = -1;

    w.sum = malloc((n + 1) * sizeof(*w.sum));
    w.cnt = malloc((n + 1) * sizeof(*w.cnt));
    w.cidx = malloc((n + 1) * sizeof(*w.cidx));
    if (w.sum == NULL || w.cnt == NULL || w.cidx == NULL)
        goto out;
    for (w.tier = 1; w.tier <= t->ntiers; w.tier++) {
        struct first_split pool = {0, 0, 0, 0};
        for (size_t g = 0; g < t->ngroups[w.tier - 1]; g++) {
            struct ans_hn_conf *c = &t->conf[(size_t)(w.tier - 1) * n + g];
            *c = (struct ans_hn_conf){1, ANS_CONF_CLEAR, -1, -1, NAN, NAN};
            conf_member(&w, (int)g, c);
            if (conf_hidden(&w, (int)g, c, &pool) != 0)
                goto out;
            if (w.tier > 1)
                conf_below(t, w.tier, (int)g, c);
        }
        conf_pooled(t, w.tier, &pool);
    }
    rc = 0;
out:
    free(w.sum);
    free(w.cnt);
    free(w.cidx);
    return rc;
}

void ans_tree_conf_explain(const struct ans_tree *t, const struct ans_matrix *m,
                           const char *prefix, int tier, int g, char *buf, size_t len)
{
    const struct ans_hn_conf *c = &t->conf[(size_t)(tier - 1) * t->n + (size_t)g];
    char a[32], b[32], rival[256];

    if (c->why == ANS_CONF_MEMBER) {
        ans_tree_name(prefix, tier, c->rival, rival, sizeof(rival));
        snprintf(buf, len, "confidence %.2f: member %s measures %s to its group, %s to %s "
                 "(%.2fx; clear factor %.3g)", c->conf, m->nodes[c->node],
                 ans_fmt_gbit(c->inside, a, sizeof(a)), ans_fmt_gbit(c->outside, b, sizeof(b)),
                 rival, c->inside / c->outside, t->factor);
    } else if (c->why == ANS_CONF_HIDDEN && c->node > 0) {
        snprintf(buf, len, "confidence %.2f: in the tier's %ld HyperNodes together, two clusters "
                 "of members are %.2fx apart (%s inside, %s between): maybe a tier too close to "
                 "cut (clear factor %.3g)", c->conf, c->node, c->inside / c->outside,
                 ans_fmt_gbit(c->inside, a, sizeof(a)), ans_fmt_gbit(c->outside, b, sizeof(b)),
                 t->factor);
    } else if (c->why == ANS_CONF_HIDDEN) {
        snprintf(buf, len, "confidence %.2f: two clusters of its members are %.2fx apart "
                 "(%s inside each, %s between): maybe a tier too close to cut (clear factor "
                 "%.2f)", c->conf, c->inside / c->outside, ans_fmt_gbit(c->inside, a, sizeof(a)),
                 ans_fmt_gbit(c->outside, b, sizeof(b)), t->factor);
    } else if (c->why == ANS_CONF_BELOW) {
        ans_tree_name(prefix, tier - 1, c->rival, rival, sizeof(rival));
        snprintf(buf, len, "confidence %.2f: %s below it may hide a tier (%.2fx), so this "
                 "tier's number may be one too low", c->conf, rival, c->inside / c->outside);
    } else if (t->ngroups[tier - 1] == 1) {
        snprintf(buf, len, "confidence %.2f: the tier's only HyperNode, no inner split",
                 c->conf);
    } else {
        snprintf(buf, len, "confidence %.2f: every member at least %.3gx closer to its group "
                 "than to any other", c->conf, t->factor);
    }
}
