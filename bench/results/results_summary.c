/* results_summary.c: per (tier, size) aggregates of a run's results[]. */
#include "results_summary.h"

#include <stdlib.h>
#include <string.h>

#include "../engine/stats.h"
#include "results_rows.h"

/* A results[] entry reduced to what the summary needs. */
struct summary_row {
    int has_tier;
    int tier;
    double size;
    double bw_gbit, bw_gbyte;
    int has_lat;
    double p50, p99, p999;
};

static int cmp_row(const void *a, const void *b)
{
    const struct summary_row *x = a, *y = b;
    if (x->has_tier != y->has_tier)
        return x->has_tier - y->has_tier;          /* tier null first */
    if (x->tier != y->tier)
        return (x->tier > y->tier) - (x->tier < y->tier);
    return (x->size > y->size) - (x->size < y->size);
}

static double number_or(const cJSON *obj, const char *key, double fallback, int *ok)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item)) {
        if (ok != NULL)
            *ok = 0;
        return fallback;
    }
    return item->valuedouble;
}

static int row_from_entry(const cJSON *e, struct summary_row *row)
{
    const cJSON *tier = cJSON_GetObjectItemCaseSensitive(e, "tier");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(e, "error");
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "lat_us");
    int ok = 1;

    const cJSON *verify = cJSON_GetObjectItemCaseSensitive(e, "verify");

    if (!cJSON_IsObject(e) || (error != NULL && !cJSON_IsNull(error)))
        return 0;
    if (cJSON_IsString(verify) && strcmp(verify->valuestring, "failed") == 0)
        return 0;   /* data did not arrive intact: its speed means nothing */
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(e, "pattern");
    if (cJSON_IsString(pattern) && strcmp(pattern->valuestring, "copy") == 0)
        return 0;   /* copies inside a node, not transfers: report_copy.c */
    row->size = number_or(e, "size_bytes", 0, &ok);
    row->bw_gbit = number_or(e, "bw_gbit_s", 0, &ok);
    if (!ok)
        return 0;
    row->bw_gbyte = number_or(e, "bw_gbyte_s", row->bw_gbit / 8.0, NULL);
    row->has_tier = cJSON_IsNumber(tier);
    row->tier = row->has_tier ? tier->valueint : 0;
    row->has_lat = 1;
    row->p50 = number_or(lat, "p50", 0, &row->has_lat);
    row->p99 = number_or(lat, "p99", 0, &row->has_lat);
    row->p999 = number_or(lat, "p999", row->p99, NULL);
    return 1;
}

static void add_mmm(cJSON *obj, const char *key, const double *v, size_t n)
{
    struct stats_mmm m;

    if (n == 0) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    stats_min_median_max(v, n, &m);
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    cJSON_AddNumberToObject(o, "min", m.min);
    cJSON_AddNumberToObject(o, "median", m.median);
    cJSON_AddNumberToObject(o, "max", m.max);
}

/* rows[0..n) share tier and size. */
static cJSON *group_json(const struct summary_row *rows, size_t n, double *scratch,
                         results_tier_name_fn tier_name, void *arg)
{
    cJSON *g = cJSON_CreateObject();
    const char *name = NULL;
    size_t nlat = 0;

    if (rows[0].has_tier) {
        cJSON_AddNumberToObject(g, "tier", rows[0].tier);
        name = tier_name ? tier_name(arg, rows[0].tier) : NULL;
    } else {
        cJSON_AddNullToObject(g, "tier");
    }
    if (name != NULL)
        cJSON_AddStringToObject(g, "tier_name", name);
    else
        cJSON_AddNullToObject(g, "tier_name");
    cJSON_AddNumberToObject(g, "size_bytes", rows[0].size);
    cJSON_AddNumberToObject(g, "pairs", (double)n);
    for (size_t i = 0; i < n; i++)
        scratch[i] = rows[i].bw_gbit;
    add_mmm(g, "bw_gbit_s", scratch, n);
    for (size_t i = 0; i < n; i++)
        scratch[i] = rows[i].bw_gbyte;
    add_mmm(g, "bw_gbyte_s", scratch, n);
    for (size_t i = 0; i < n; i++)
        if (rows[i].has_lat)
            scratch[nlat++] = rows[i].p50;
    add_mmm(g, "lat_us_p50", scratch, nlat);
    nlat = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].has_lat)
            scratch[nlat++] = rows[i].p99;
    add_mmm(g, "lat_us_p99", scratch, nlat);
    nlat = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].has_lat)
            scratch[nlat++] = rows[i].p999;
    add_mmm(g, "lat_us_p999", scratch, nlat);
    return g;
}

cJSON *results_tier_summary(const cJSON *results, results_tier_name_fn tier_name, void *arg)
{
    cJSON *summary = cJSON_CreateArray();
    int count = results_count(results);
    size_t n = 0;

    if (summary == NULL || count <= 0)
        return summary;
    struct summary_row *rows = calloc((size_t)count, sizeof(*rows));
    double *scratch = calloc((size_t)count, sizeof(*scratch));
    if (rows == NULL || scratch == NULL) {
        free(rows);
        free(scratch);
        cJSON_Delete(summary);
        return NULL;
    }
    const cJSON *e;
    RESULTS_EACH(e, results)
        n += (size_t)row_from_entry(e, &rows[n]);
    qsort(rows, n, sizeof(*rows), cmp_row);
    for (size_t start = 0, end; start < n; start = end) {
        for (end = start + 1; end < n && cmp_row(&rows[start], &rows[end]) == 0; end++)
            ;
        cJSON_AddItemToArray(summary, group_json(rows + start, end - start, scratch,
                                                 tier_name, arg));
    }
    free(rows);
    free(scratch);
    return summary;
}

const char *results_tier_name_from_run(void *arg, int tier)
{
    const cJSON *run = arg;
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(run, "topology");
    const cJSON *t;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(topo, "tiers")) {
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(t, "tier");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
        if (cJSON_IsNumber(num) && num->valueint == tier && cJSON_IsString(name))
            return name->valuestring;
    }
    if (tier == 0)
        return "same node";
    const cJSON *virt = cJSON_GetObjectItemCaseSensitive(topo, "virtual_tier");
    if (cJSON_IsNumber(virt) && virt->valueint == tier)
        return "virtual root";
    return NULL;
}
