/* ans_pairs.c: one judged measurement per pair out of a run's results[]. */
#include "ans_pairs.h"
#include "../bench/results/results_rows.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ans_lat_names[ANS_LAT_N] = {"p50", "p90", "p99", "p999", "mean", "min", "max"};

int ans_lat_from_name(const char *name)
{
    for (int i = 0; i < ANS_LAT_N; i++)
        if (strcmp(name, ans_lat_names[i]) == 0)
            return i;
    return -1;
}

static int int_field(const cJSON *obj, const char *name, int dflt)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(it) ? it->valueint : dflt;
}

static double num_field(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static const char *str_field(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Pairs by (ranks, node names), open addressing: a 10,000-node run has
 * tens of thousands of pairs, too many for a linear search per entry. */
struct pair_index {
    size_t cap;      /* entries allocated in out->v (a power of two) */
    size_t *slot;    /* 2 * cap slots: index into out->v, SIZE_MAX empty */
};

static size_t pair_hash(const char *src, const char *dst, int src_rank, int dst_rank)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (const char *p = src; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = dst; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h ^= (uint64_t)(unsigned)src_rank * 0x9E3779B97F4A7C15ULL;
    h ^= (uint64_t)(unsigned)dst_rank * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 29));
}

static int pair_is(const struct ans_pair *p, const char *src, const char *dst, int src_rank,
                   int dst_rank)
{
    return p->src_rank == src_rank && p->dst_rank == dst_rank && strcmp(p->src, src) == 0 &&
           strcmp(p->dst, dst) == 0;
}

static size_t *probe(const struct ans_pairs *out, const struct pair_index *idx, const char *src,
                     const char *dst, int src_rank, int dst_rank)
{
    size_t mask = 2 * idx->cap - 1, i = pair_hash(src, dst, src_rank, dst_rank) & mask;
    while (idx->slot[i] != SIZE_MAX && !pair_is(&out->v[idx->slot[i]], src, dst, src_rank, dst_rank))
        i = (i + 1) & mask;
    return &idx->slot[i];
}

static int grow(struct ans_pairs *out, struct pair_index *idx)
{
    size_t ncap = idx->cap ? idx->cap * 2 : 64;
    struct ans_pair *grown = realloc(out->v, ncap * sizeof(*grown));
    size_t *slot = malloc(2 * ncap * sizeof(*slot));
    if (grown != NULL)
        out->v = grown;
    if (grown == NULL || slot == NULL) {
        free(slot);
        return -1;
    }
    free(idx->slot);
    idx->slot = slot;
    idx->cap = ncap;
    for (size_t k = 0; k < 2 * ncap; k++)
        slot[k] = SIZE_MAX;
    for (size_t k = 0; k < out->n; k++)
        *probe(out, idx, out->v[k].src, out->v[k].dst, out->v[k].src_rank, out->v[k].dst_rank) = k;
    return 0;
}

static struct ans_pair *find_or_add(struct ans_pairs *out, struct pair_index *idx,
                                    const char *src, const char *dst, int src_rank, int dst_rank)
{
    if (out->n == idx->cap && grow(out, idx) != 0)
        return NULL;
    size_t *slot = probe(out, idx, src, dst, src_rank, dst_rank);
    if (*slot != SIZE_MAX)
        return &out->v[*slot];
    *slot = out->n;
    struct ans_pair *p = &out->v[out->n++];
    memset(p, 0, sizeof(*p));
    p->src = src;
    p->dst = dst;
    p->src_rank = src_rank;
    p->dst_rank = dst_rank;
    p->tier = ANS_NO_TIER;
    p->bw_size = p->lat_size = -1;
    p->round_shared = -1;
    p->bw_gbit = p->line_rate_gbit = p->retrans_pct = p->retrans_segs = p->device_errors = NAN;
    for (int i = 0; i < ANS_LAT_N; i++)
        p->lat_us[i] = NAN;
    return p;
}

static void take_entry(struct ans_pair *p, const cJSON *e, long long size, long long filter)
{
    const cJSON *tier = cJSON_GetObjectItemCaseSensitive(e, "tier");
    if (cJSON_IsNumber(tier))
        p->tier = tier->valueint;
    if (str_field(e, "hypernode"))
        p->hypernode = str_field(e, "hypernode");
    const char *error = str_field(e, "error");
    const char *verify = str_field(e, "verify");
    if (error != NULL && p->failure == NULL)
        p->failure = error;
    else if (verify != NULL && strcmp(verify, "failed") == 0 && p->failure == NULL)
        p->failure = "data verification failed";
    if (error != NULL || (filter >= 0 && size != filter))
        return;
    double bw = num_field(e, "bw_gbit_s");
    if (isfinite(bw) && size > p->bw_size) {
        p->bw_size = size;
        p->bw_gbit = bw;
        p->line_rate_gbit = num_field(e, "line_rate_gbit");
        p->round_shared = int_field(e, "round_shared", -1);
        const cJSON *loss = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(e, "extra"), "loss");
        p->retrans_pct = num_field(loss, "retrans_pct");
        p->retrans_segs = num_field(loss, "retrans_segs");
        p->device_errors = num_field(loss, "device_errors");
    }
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "lat_us");
    if (cJSON_IsObject(lat) && (p->lat_size < 0 || size < p->lat_size)) {
        p->lat_size = size;
        for (int i = 0; i < ANS_LAT_N; i++)
            p->lat_us[i] = num_field(lat, ans_lat_names[i]);
    }
}

static tp_status_t add_errors(const cJSON *run, struct ans_pairs *out, struct pair_index *idx)
{
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(run, "errors");
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        const char *src = str_field(e, "src_node"), *dst = str_field(e, "dst_node");
        if (src == NULL || dst == NULL)
            continue;   /* a run-level error without a pair: nothing to judge */
        struct ans_pair *p = find_or_add(out, idx, src, dst, int_field(e, "src_rank", -1),
                                         int_field(e, "dst_rank", -1));
        if (p == NULL)
            return TP_ERR_NO_MEMORY;
        if (p->failure == NULL)
            p->failure = str_field(e, "message") ? str_field(e, "message") : "pair failed";
    }
    return TP_OK;
}

tp_status_t ans_pairs_collect(const cJSON *run, long long size, const char *what,
                              struct ans_pairs *out, struct tp_error *err)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
    struct pair_index index = {0, NULL};
    size_t idx = 0;
    const cJSON *e;

    out->v = NULL;
    out->n = 0;
    RESULTS_EACH(e, results) {
        const char *src = str_field(e, "src_node"), *dst = str_field(e, "dst_node");
        const cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size_bytes");
        if (!cJSON_IsObject(e) || src == NULL || dst == NULL) {
            free(index.slot);
            ans_pairs_free(out);
            return tp_error_set(err, TP_ERR_PARSE, "%s: results[%zu]: %s missing or not a string",
                                what, idx, src == NULL ? "src_node" : "dst_node");
        }
        /* 2^53: past it a JSON number is no exact byte count (and the
         * conversion to long long would overflow) */
        if (!cJSON_IsNumber(sz) || !(sz->valuedouble >= 0 && sz->valuedouble <= 9007199254740992.0)) {
            free(index.slot);
            ans_pairs_free(out);
            return tp_error_set(err, TP_ERR_PARSE,
                                "%s: results[%zu].size_bytes missing, negative or too large",
                                what, idx);
        }
        struct ans_pair *p = find_or_add(out, &index, src, dst, int_field(e, "src_rank", -1),
                                         int_field(e, "dst_rank", -1));
        if (p == NULL) {
            free(index.slot);
            ans_pairs_free(out);
            return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", what);
        }
        take_entry(p, e, (long long)sz->valuedouble, size);
        idx++;
    }
    tp_status_t st = add_errors(run, out, &index);
    free(index.slot);
    if (st != TP_OK) {
        ans_pairs_free(out);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", what);
    }
    return TP_OK;
}

void ans_pairs_free(struct ans_pairs *pairs)
{
    free(pairs->v);
    pairs->v = NULL;
    pairs->n = 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t ans_pairs_tiers(const struct ans_pairs *pairs, int **tiers_p)
{
    int *t = NULL;
    size_t n = 0;

    *tiers_p = NULL;
    for (size_t i = 0; i < pairs->n; i++) {
        size_t j;
        for (j = 0; j < n && t[j] != pairs->v[i].tier; j++)
            ;
        if (j < n)
            continue;
        int *grown = realloc(t, (n + 1) * sizeof(*t));
        if (grown == NULL)
            break;
        t = grown;
        t[n++] = pairs->v[i].tier;
    }
    if (n > 0)
        qsort(t, n, sizeof(*t), cmp_int);
    *tiers_p = t;
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ans_percentile(const double *values, size_t n, double p)
{
    double *v = malloc((n ? n : 1) * sizeof(*v));
    size_t m = 0;
    double r = NAN;

    if (v == NULL)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i]))
            v[m++] = values[i];
    if (m > 0) {
        qsort(v, m, sizeof(*v), cmp_double);
        double pos = (p < 0 ? 0 : p > 100 ? 100 : p) / 100.0 * (double)(m - 1);
        size_t lo = (size_t)floor(pos);
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        r = v[lo] + (v[hi] - v[lo]) * (pos - (double)lo);
    }
    free(v);
    return r;
}

double ans_median(const double *values, size_t n)
{
    return ans_percentile(values, n, 50);
}

size_t ans_tier_bandwidths(const struct ans_pairs *pairs, int tier, double **out_p)
{
    double *v = malloc((pairs->n ? pairs->n : 1) * sizeof(*v));
    size_t m = 0;

    if (v != NULL)
        for (size_t i = 0; i < pairs->n; i++) {
            const struct ans_pair *p = &pairs->v[i];
            if (p->tier == tier && p->failure == NULL && !isnan(p->bw_gbit))
                v[m++] = p->bw_gbit;
        }
    *out_p = v;
    return m;
}

const char *ans_pair_label(const struct ans_pair *p, char *buf, int len)
{
    snprintf(buf, len, "%s->%s (ranks %d->%d)", p->src, p->dst, p->src_rank, p->dst_rank);
    return buf;
}
