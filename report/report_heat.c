/* report_heat.c: the node x node bandwidth matrix behind the report's
 * heatmap.  Up to max_groups nodes get a cell each; beyond that nodes are
 * grouped by the HyperNode of the lowest tier that yields few enough groups
 * (a 10,000-node run becomes leaf x leaf or spine x spine), or, in a run
 * without topology, by blocks of consecutive names. */
#include "report_data.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Natural order, so rows read leaf-2 before leaf-10: digit runs compare
 * as numbers; equal-looking names ("a01", "a1") fall back to strcmp, which
 * keeps the order total (the same function sorts and searches). */
int report_name_cmp(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x && *y) {
        if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
            while (*x == '0')
                x++;
            while (*y == '0')
                y++;
            size_t nx = strspn(x, "0123456789"), ny = strspn(y, "0123456789");
            if (nx != ny)
                return nx < ny ? -1 : 1;
            int c = strncmp(x, y, nx);
            if (c != 0)
                return c;
            x += nx;
            y += ny;
        } else if (*x != *y) {
            return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
        } else {
            x++;
            y++;
        }
    }
    if (*x || *y)
        return *x ? 1 : -1;
    return strcmp(a, b);
}

static int cmp_str(const void *a, const void *b)
{
    return report_name_cmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t uniq_str(const char **v, size_t n)
{
    size_t u = 0;
    qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (u == 0 || report_name_cmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    return u;
}

static size_t node_index(const char **nodes, size_t n, const char *name)
{
    const char **hit = bsearch(&name, nodes, n, sizeof(*nodes), cmp_str);
    return (size_t)(hit - nodes);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* Groups by the tier-t HyperNode of each node (from any pair at tier t
 * that involves it).  Returns the group count, 0 when unusable. */
static size_t group_by_tier(const struct ans_pairs *pairs, const char **nodes, size_t n, int t,
                            size_t max_groups, const char **hn, const char **names,
                            size_t *group)
{
    size_t named = 0, unassigned = 0;

    memset(hn, 0, n * sizeof(*hn));
    for (size_t i = 0; i < pairs->n; i++) {
        const struct ans_pair *p = &pairs->v[i];
        if (p->tier != t || p->hypernode == NULL)
            continue;
        size_t a = node_index(nodes, n, p->src), b = node_index(nodes, n, p->dst);
        if (hn[a] == NULL)
            hn[a] = p->hypernode;
        if (hn[b] == NULL)
            hn[b] = p->hypernode;
    }
    for (size_t i = 0; i < n; i++) {
        if (hn[i] != NULL)
            names[named++] = hn[i];
        else
            unassigned++;
    }
    if (named == 0)
        return 0;
    named = uniq_str(names, named);
    if (named + (unassigned > 0) > max_groups)
        return 0;
    for (size_t i = 0; i < n; i++)
        group[i] = hn[i] ? node_index(names, named, hn[i]) : named;
    return named + (unassigned > 0);
}

static tp_status_t set_labels(struct report_heat *h, const char **nodes, const char **names,
                              const size_t *group, size_t nnodes)
{
    h->labels = calloc(h->n + 1, sizeof(*h->labels));
    if (h->labels == NULL)
        return TP_ERR_NO_MEMORY;
    for (size_t g = 0; g < h->n; g++) {
        char buf[600];
        if (h->group_tier == 0) {
            snprintf(buf, sizeof(buf), "%s", nodes[g]);
        } else if (h->group_tier > 0) {
            snprintf(buf, sizeof(buf), "%s", names[g] ? names[g] : "(none)");
        } else {
            size_t first = nnodes, last = 0;
            for (size_t i = 0; i < nnodes; i++)
                if (group[i] == g) {
                    if (first == nnodes)
                        first = i;
                    last = i;
                }
            snprintf(buf, sizeof(buf), "%.280s .. %.280s", first < nnodes ? nodes[first] : "?",
                     nodes[last]);
        }
        if ((h->labels[g] = dup_str(buf)) == NULL)
            return TP_ERR_NO_MEMORY;
    }
    return TP_OK;
}

static void fill_cells(struct report_heat *h, const struct ans_pairs *pairs, const char **nodes,
                       size_t nnodes, const size_t *group, const double *med)
{
    size_t cells = h->n * h->n, *nrel = calloc(cells + 1, sizeof(*nrel));
    for (size_t i = 0; i < pairs->n; i++) {
        const struct ans_pair *p = &pairs->v[i];
        if (p->failure != NULL || isnan(p->bw_gbit))
            continue;
        size_t a = group[node_index(nodes, nnodes, p->src)];
        size_t c = a * h->n + group[node_index(nodes, nnodes, p->dst)];
        h->bw[c] += p->bw_gbit;
        h->tier[c] = h->count[c]++ == 0 || h->tier[c] == p->tier ? p->tier : REPORT_TIER_MIXED;
        if (med[i] > 0 && nrel != NULL) {
            h->rel[c] += p->bw_gbit / med[i];
            nrel[c]++;
        }
    }
    h->min = INFINITY;
    h->max = -INFINITY;
    for (size_t c = 0; c < cells; c++) {
        h->rel[c] = nrel != NULL && nrel[c] > 0 ? h->rel[c] / (double)nrel[c] : NAN;
        if (h->count[c] == 0) {
            h->bw[c] = NAN;
            continue;
        }
        h->bw[c] /= (double)h->count[c];
        h->min = fmin(h->min, h->bw[c]);
        h->max = fmax(h->max, h->bw[c]);
    }
    if (h->min > h->max)
        h->min = h->max = NAN;
    free(nrel);
}

tp_status_t report_heat_build(const struct ans_pairs *pairs, size_t max_groups,
                              struct report_heat *h, struct tp_error *err)
{
    size_t cap = 2 * pairs->n + 1, n = 0;
    const char **nodes = malloc(cap * sizeof(*nodes));
    /* calloc: every slot read is set first, zeroed so the analyser sees it too */
    const char **hn = calloc(cap, sizeof(*hn)), **names = malloc(cap * sizeof(*names));
    size_t *group = calloc(cap, sizeof(*group));
    double *med = calloc(pairs->n + 1, sizeof(*med));
    int *tiers = NULL;
    tp_status_t st = TP_ERR_NO_MEMORY;

    memset(h, 0, sizeof(*h));
    if (max_groups < 1)
        max_groups = 1;
    if (nodes == NULL || hn == NULL || names == NULL || group == NULL || med == NULL ||
        report_tier_medians(pairs, med) != TP_OK)
        goto out;
    for (size_t i = 0; i < pairs->n; i++) {
        nodes[n++] = pairs->v[i].src;
        nodes[n++] = pairs->v[i].dst;
    }
    n = uniq_str(nodes, n);
    h->nodes = n;
    if (n <= max_groups) {
        for (size_t i = 0; i < n; i++)
            group[i] = i;
        h->n = n;
    } else {
        size_t nt = ans_pairs_tiers(pairs, &tiers);
        for (size_t k = 0; k < nt && h->n == 0; k++)
            if (tiers[k] >= 1 &&
                (h->n = group_by_tier(pairs, nodes, n, tiers[k], max_groups, hn, names, group)))
                h->group_tier = tiers[k];
        if (h->n == 0) {
            size_t per = (n + max_groups - 1) / max_groups;
            for (size_t i = 0; i < n; i++)
                group[i] = i / per;
            h->n = (n + per - 1) / per;
            h->group_tier = -1;
        }
    }
    h->bw = calloc(h->n * h->n + 1, sizeof(*h->bw));
    h->count = calloc(h->n * h->n + 1, sizeof(*h->count));
    h->rel = calloc(h->n * h->n + 1, sizeof(*h->rel));
    h->tier = calloc(h->n * h->n + 1, sizeof(*h->tier));
    if (h->bw == NULL || h->count == NULL || h->rel == NULL || h->tier == NULL)
        goto out;
    if (h->group_tier > 0)
        /* the last group holds nodes without a HyperNode at that tier */
        for (size_t g = 0; g < h->n; g++) {
            int any = 0;
            for (size_t i = 0; i < n && !any; i++)
                any = group[i] == g && hn[i] != NULL;
            if (!any)
                names[g] = NULL;
        }
    if (set_labels(h, nodes, names, group, n) != TP_OK)
        goto out;
    fill_cells(h, pairs, nodes, n, group, med);
    st = TP_OK;
out:
    free(nodes);
    free(hn);
    free(names);
    free(group);
    free(med);
    free(tiers);
    if (st != TP_OK) {
        report_heat_free(h);
        return tp_error_set(err, st, "out of memory building the heatmap");
    }
    return TP_OK;
}

void report_heat_free(struct report_heat *h)
{
    for (size_t i = 0; h->labels != NULL && i < h->n; i++)
        free(h->labels[i]);
    free(h->labels);
    free(h->bw);
    free(h->count);
    free(h->rel);
    free(h->tier);
    free(h->mark);
    memset(h, 0, sizeof(*h));
}

int report_heat_sparse(const struct report_heat *h)
{
    size_t measured = 0;
    if (h->group_tier != 0 || h->n < 3)
        return 0;
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < h->n; j++)
            measured += i != j && h->count[i * h->n + j] > 0;
    return 2 * measured < h->n * (h->n - 1);
}

static size_t label_index(const struct report_heat *h, const char *name)
{
    for (size_t i = 0; name != NULL && i < h->n; i++)
        if (strcmp(h->labels[i], name) == 0)
            return i;
    return SIZE_MAX;
}

void report_heat_mark(struct report_heat *h, const cJSON *culprit)
{
    const cJSON *s, *p;
    if (h->group_tier != 0 || !cJSON_IsObject(culprit) || h->n == 0)
        return;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(culprit, "suspects")) {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "slow_pairs")) {
            size_t i = label_index(h, cJSON_GetStringValue(cJSON_GetArrayItem(p, 0)));
            size_t j = label_index(h, cJSON_GetStringValue(cJSON_GetArrayItem(p, 1)));
            if (i == SIZE_MAX || j == SIZE_MAX)
                continue;
            if (h->mark == NULL && (h->mark = calloc(h->n * h->n, 1)) == NULL)
                return;
            h->mark[i * h->n + j] = 1;
        }
    }
}
