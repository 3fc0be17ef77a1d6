/* ans_infer_diff.c: compare a declared HyperNode tree with the measured
 * one: miswired nodes (declared leaf-mates that measure further apart) and
 * slow uplinks (a HyperNode whose pairs through its uplink are measurably
 * slower than its peers' at the same tier). */
#include "ans_infer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_units.h"

/* Declared HyperNode at `tier` containing node x: the lowest common
 * HyperNode with any node exactly `tier` away; NULL when none. */
static const char *declared_at(const struct ans_matrix *m, const struct ans_declared *d, size_t x,
                               int tier)
{
    for (size_t y = 0; y < m->n; y++)
        if (y != x && d->tier[x * m->n + y] == tier && d->hypernode[x * m->n + y] != NULL)
            return d->hypernode[x * m->n + y];
    return NULL;
}

static int lowest_declared(const struct ans_matrix *m, const struct ans_declared *d, size_t i)
{
    int low = -1;
    for (size_t j = 0; j < m->n; j++) {
        int t = d->tier[i * m->n + j];
        if (j != i && t > 0 && (low < 0 || t < low))
            low = t;
    }
    return low;
}

static size_t miswired(FILE *out, const struct ans_matrix *m, const struct ans_tree *t,
                       const struct ans_declared *d)
{
    size_t n = m->n, found = 0;
    double *v = malloc((n + 1) * sizeof(*v)), *in = malloc((n + 1) * sizeof(*in));
    char a[32], b[32];

    for (size_t i = 0; v && in && i < n; i++) {
        int low = lowest_declared(m, d, i);
        size_t mates = 0, off = 0, nin = 0;
        if (low < 0)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || d->tier[i * n + j] != low)
                continue;
            mates++;
            if (ans_tree_tier(t, i, j) > 1)
                v[off++] = m->bw[i * n + j];
        }
        if (mates == 0 || off * 2 <= mates)
            continue;
        found++;
        fprintf(out, "# miswired? %s: declared in %s (tier %d) with %zu other node(s), but %zu "
                     "of them measure outside its leaf (median %s)",
                m->nodes[i], declared_at(m, d, i, low) ? declared_at(m, d, i, low) : "?", low,
                mates, off, ans_fmt_gbit(ans_median(v, off), a, sizeof(a)));
        int first = 1;
        for (size_t k = 0; k < n; k++) {
            if (k == i || ans_tree_tier(t, i, k) != 1 || d->tier[i * n + k] == low)
                continue;
            in[nin++] = m->bw[i * n + k];
            fprintf(out, "%s%s", first ? "; it measures as a leaf-mate of " : ", ", m->nodes[k]);
            first = 0;
        }
        if (nin > 0)
            fprintf(out, " (median %s, declared further apart)",
                    ans_fmt_gbit(ans_median(in, nin), b, sizeof(b)));
        fprintf(out, ": cabled to the wrong switch, or declared in the wrong HyperNode\n");
    }
    free(v);
    free(in);
    return found;
}

struct uplink {
    int tier;            /* tier of the child HyperNode */
    const char *name;
    double *v;
    size_t n, cap;
    double est;
};

static struct uplink *uplink_get(struct uplink **ups, size_t *nups, int tier, const char *name)
{
    for (size_t i = 0; i < *nups; i++)
        if ((*ups)[i].tier == tier && strcmp((*ups)[i].name, name) == 0)
            return &(*ups)[i];
    struct uplink *grown = realloc(*ups, (*nups + 1) * sizeof(**ups));
    if (grown == NULL)
        return NULL;
    *ups = grown;
    struct uplink *u = &grown[(*nups)++];
    memset(u, 0, sizeof(*u));
    u->tier = tier;
    u->name = name;
    return u;
}

static void uplink_add(struct uplink *u, double bw)
{
    if (u == NULL || isnan(bw))
        return;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 16;
        double *grown = realloc(u->v, cap * sizeof(*grown));
        if (grown == NULL)
            return;
        u->v = grown;
        u->cap = cap;
    }
    u->v[u->n++] = bw;
}

/* A pair's bandwidth is bounded by both uplinks it crosses, so a child's
 * uplink is estimated by the fast end (p90) of the pairs through it: a
 * slow uplink drags all of its pairs down, a slow peer only some. */
static size_t slow_uplinks(FILE *out, const struct ans_matrix *m, const struct ans_declared *d,
                           double slow_pct)
{
    size_t n = m->n, nups = 0, found = 0;
    struct uplink *ups = NULL;
    char a[32], b[32];

    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int tier = d->tier[i * n + j];
            if (tier < 2 || isnan(m->bw[i * n + j]))
                continue;
            const char *ci = declared_at(m, d, i, tier - 1), *cj = declared_at(m, d, j, tier - 1);
            if (ci != NULL)
                uplink_add(uplink_get(&ups, &nups, tier - 1, ci), m->bw[i * n + j]);
            if (cj != NULL)
                uplink_add(uplink_get(&ups, &nups, tier - 1, cj), m->bw[i * n + j]);
        }
    double *est = malloc((nups + 1) * sizeof(*est));
    for (size_t i = 0; i < nups; i++)
        ups[i].est = ans_percentile(ups[i].v, ups[i].n, 90);
    for (size_t i = 0; est && i < nups; i++) {
        size_t ne = 0;
        for (size_t j = 0; j < nups; j++)
            if (ups[j].tier == ups[i].tier)
                est[ne++] = ups[j].est;
        if (ne < 3)
            continue;   /* with two peers, either end could be the slow one */
        double med = ans_median(est, ne);
        if (ups[i].est < med * (1 - slow_pct / 100)) {
            found++;
            fprintf(out, "# slow uplink? %s (tier %d): pairs through its uplink reach %s (p90 of "
                         "%zu pairs) vs a median of %s for its %zu peers at tier %d\n",
                    ups[i].name, ups[i].tier, ans_fmt_gbit(ups[i].est, a, sizeof(a)), ups[i].n,
                    ans_fmt_gbit(med, b, sizeof(b)), ne - 1, ups[i].tier);
        }
    }
    for (size_t i = 0; i < nups; i++)
        free(ups[i].v);
    free(ups);
    free(est);
    return found;
}

size_t ans_infer_diff(FILE *out, const struct ans_matrix *m, const struct ans_tree *t,
                      const struct ans_declared *d, double slow_pct)
{
    return miswired(out, m, t, d) + slow_uplinks(out, m, d, slow_pct);
}
