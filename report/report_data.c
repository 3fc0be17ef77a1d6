/* report_data.c: medians per (tier, size) and the heatmap matrix. */
#include "report_data.h"
#include "../bench/results/results_rows.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sizes past 2^53 do not survive a JSON double: treat them as absent. */
#define REPORT_SIZE_MAX 9007199254740992.0

struct sample {
    size_t cell;
    double bw, p50, p99, p999;
};

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_sample(const void *a, const void *b)
{
    size_t x = ((const struct sample *)a)->cell, y = ((const struct sample *)b)->cell;
    return (x > y) - (x < y);
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

/* Entry's tier and size; 0 when the entry is not drawn. */
static int entry_key(const cJSON *e, int *tier, long long *size)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "tier");
    double s = num(e, "size_bytes");
    if (!cJSON_IsObject(e) || !(s >= 0 && s <= REPORT_SIZE_MAX) ||
        cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "error")))
        return 0;
    *tier = cJSON_IsNumber(t) && t->valuedouble >= 0 && t->valuedouble < 1000
                ? (int)t->valuedouble : ANS_NO_TIER;
    *size = (long long)s;
    return 1;
}

static size_t uniq_ll(long long *v, size_t n)
{
    size_t u = 0;
    qsort(v, n, sizeof(*v), cmp_ll);
    for (size_t i = 0; i < n; i++)
        if (u == 0 || v[u - 1] != v[i])
            v[u++] = v[i];
    return u;
}

static size_t uniq_int(int *v, size_t n)
{
    size_t u = 0;
    qsort(v, n, sizeof(*v), cmp_int);
    for (size_t i = 0; i < n; i++)
        if (u == 0 || v[u - 1] != v[i])
            v[u++] = v[i];
    return u;
}

static size_t index_ll(const long long *v, size_t n, long long x)
{
    const long long *hit = bsearch(&x, v, n, sizeof(*v), cmp_ll);
    return (size_t)(hit - v);
}

static size_t index_int(const int *v, size_t n, int x)
{
    const int *hit = bsearch(&x, v, n, sizeof(*v), cmp_int);
    return (size_t)(hit - v);
}

/* Medians of one run of samples (same cell) into the cell. */
static void reduce(const struct sample *s, size_t n, double *tmp, struct report_cell *c)
{
    size_t off[4] = {offsetof(struct sample, bw), offsetof(struct sample, p50),
                     offsetof(struct sample, p99), offsetof(struct sample, p999)};
    double *out[4] = {&c->bw, &c->p50, &c->p99, &c->p999};
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < n; i++)
            memcpy(&tmp[i], (const char *)&s[i] + off[k], sizeof(double));
        *out[k] = ans_median(tmp, n);
    }
    c->pairs = n;
}

tp_status_t report_grid_build(const cJSON *run, struct report_grid *g, struct tp_error *err)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *e;
    size_t cap = (size_t)results_count(results) + 1, n = 0;
    struct sample *smp = malloc(cap * sizeof(*smp));
    double *tmp = malloc(cap * sizeof(*tmp));
    int tier;
    long long size;

    memset(g, 0, sizeof(*g));
    g->tiers = malloc(cap * sizeof(*g->tiers));
    g->sizes = malloc(cap * sizeof(*g->sizes));
    if (smp == NULL || tmp == NULL || g->tiers == NULL || g->sizes == NULL)
        goto oom;
    RESULTS_EACH(e, results) {
        if (!entry_key(e, &tier, &size))
            continue;
        g->tiers[g->ntiers++] = tier;
        g->sizes[g->nsizes++] = size;
    }
    g->ntiers = uniq_int(g->tiers, g->ntiers);
    g->nsizes = uniq_ll(g->sizes, g->nsizes);
    g->cells = calloc(g->ntiers * g->nsizes + 1, sizeof(*g->cells));
    if (g->cells == NULL)
        goto oom;
    for (size_t i = 0; i < g->ntiers * g->nsizes; i++)
        g->cells[i].bw = g->cells[i].p50 = g->cells[i].p99 = g->cells[i].p999 = NAN;
    RESULTS_EACH(e, results) {
        if (!entry_key(e, &tier, &size))
            continue;
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "lat_us");
        smp[n++] = (struct sample){
            index_int(g->tiers, g->ntiers, tier) * g->nsizes + index_ll(g->sizes, g->nsizes, size),
            num(e, "bw_gbit_s"), num(lat, "p50"), num(lat, "p99"), num(lat, "p999")};
    }
    qsort(smp, n, sizeof(*smp), cmp_sample);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && smp[j].cell == smp[i].cell; j++)
            ;
        reduce(&smp[i], j - i, tmp, &g->cells[smp[i].cell]);
    }
    free(smp);
    free(tmp);
    return TP_OK;
oom:
    free(smp);
    free(tmp);
    report_grid_free(g);
    return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory summarizing results");
}

void report_grid_free(struct report_grid *g)
{
    free(g->tiers);
    free(g->sizes);
    free(g->cells);
    memset(g, 0, sizeof(*g));
}

int report_line_rate_real(const cJSON *run)
{
    static const char *const virt[] = {"veth", "virtio_net", "tun", "bridge", "dummy", "vxlan",
                                       "geneve", "macvlan", "ipvlan", "loopback", "vrf"};
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(run, "environment");
    const cJSON *l;

    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(env, "links")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(l, "driver");
        const cJSON *dev = cJSON_GetObjectItemCaseSensitive(l, "device");
        if (cJSON_IsString(dev) && strcmp(dev->valuestring, "lo") == 0)
            return 0;
        for (size_t i = 0; cJSON_IsString(d) && i < sizeof(virt) / sizeof(virt[0]); i++)
            if (strcmp(d->valuestring, virt[i]) == 0)
                return 0;
    }
    return 1;
}
