/* results_valid.c: field and range checks of results[] and errors[]
 * entries, and duplicate detection (see results_valid.h). */
#include "results_valid.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2^53: past it a JSON number is no exact count of bytes */
#define VALID_MAX_COUNT 9007199254740992.0

/* A measurement's identity, hashed twice (128 bits: a false duplicate is
 * out of reach) and kept in an open-addressing set. */
struct valid_key {
    uint64_t a, b;
};

struct results_valid {
    int nranks;
    size_t n, cap;              /* keys held, slots (a power of two) */
    struct valid_key *slot;     /* {0, 0} is empty */
};

struct results_valid *results_valid_new(int nranks)
{
    struct results_valid *v = calloc(1, sizeof(*v));

    if (v != NULL)
        v->nranks = nranks > 0 ? nranks : 0;
    return v;
}

void results_valid_free(struct results_valid *v)
{
    if (v == NULL)
        return;
    free(v->slot);
    free(v);
}

int results_valid_nranks(const cJSON *run)
{
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(run, "hosts");
    return cJSON_IsArray(hosts) ? cJSON_GetArraySize(hosts) : 0;
}

static const char *kind_of(const cJSON *it)
{
    return cJSON_IsString(it) ? "a string" : cJSON_IsBool(it) ? "a boolean"
           : cJSON_IsArray(it) ? "an array" : cJSON_IsObject(it) ? "an object" : "null";
}

/* A number field: required or null/absent allowed; finite; >= 0; at most max;
 * whole when integer is set. */
static int check_num(const cJSON *obj, const char *name, int required, double max, int integer,
                     const char *prefix, char *why, size_t len)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (it == NULL || cJSON_IsNull(it)) {
        if (!required)
            return 0;
        snprintf(why, len, "%s%s: missing", prefix, name);
        return -1;
    }
    if (!cJSON_IsNumber(it)) {
        snprintf(why, len, "%s%s: not a number (%s)", prefix, name, kind_of(it));
        return -1;
    }
    double x = it->valuedouble;
    if (x < 0) {
        snprintf(why, len, "%s%s: negative", prefix, name);
        return -1;
    }
    if (!isfinite(x) || x > max || (integer && x != floor(x))) {
        if (max < DBL_MAX)
            snprintf(why, len, "%s%s: out of range (%s from 0 to %.0f)", prefix, name,
                     integer ? "a whole number" : "a number", max);
        else
            snprintf(why, len, "%s%s: not a finite number", prefix, name);
        return -1;
    }
    return 0;
}

static int check_str(const cJSON *obj, const char *name, int required, char *why, size_t len)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (cJSON_IsString(it) || (!required && (it == NULL || cJSON_IsNull(it))))
        return 0;
    snprintf(why, len, "%s: %s", name, it == NULL ? "missing" : "not a string");
    return -1;
}

static int check_rank(const struct results_valid *v, const cJSON *obj, const char *name,
                      int required, char *why, size_t len)
{
    double max = v->nranks > 0 ? v->nranks - 1 : INT_MAX;

    if (check_num(obj, name, required, max, 1, "", why, len) != 0) {
        if (v->nranks > 0 && strstr(why, "out of range") != NULL)
            snprintf(why + strlen(why), len - strlen(why), ": the run has %d ranks (hosts[])",
                     v->nranks);
        return -1;
    }
    return 0;
}

static int check_lat(const cJSON *e, char *why, size_t len)
{
    static const char *const names[] = {"min", "mean", "p50", "p90", "p99", "p999", "max"};
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "lat_us");

    if (lat == NULL || cJSON_IsNull(lat))
        return 0;
    if (!cJSON_IsObject(lat)) {
        snprintf(why, len, "lat_us: not an object (%s)", kind_of(lat));
        return -1;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (check_num(lat, names[i], 0, DBL_MAX, 0, "lat_us.", why, len) != 0)
            return -1;
    return check_num(lat, "samples", 0, VALID_MAX_COUNT, 1, "lat_us.", why, len);
}

static uint64_t mix_num(uint64_t h, uint64_t prime, double x)
{
    uint64_t bits;

    memcpy(&bits, &x, sizeof(bits));
    for (int i = 0; i < 8; i++)
        h = (h ^ ((bits >> (8 * i)) & 0xff)) * prime;
    return h;
}

static uint64_t mix(uint64_t h, uint64_t prime, const void *data, size_t n)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * prime;
    return (h ^ 0xff) * prime;   /* field separator */
}

/* pattern, ranks, size and the labels in extra (strings and booleans such
 * as role, mode, direction, bidir: numbers there are measurements) */
static struct valid_key key_of(const cJSON *e)
{
    static const uint64_t pa = 1099511628211ULL, pb = 0x100000001b3ULL * 31 + 2;
    struct valid_key k = {1469598103934665603ULL, 0x84222325cbf29ce4ULL};
    const char *pattern = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "pattern"));
    double num[3] = {cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "src_rank")),
                     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "dst_rank")),
                     cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "size_bytes"))};
    const cJSON *x;

    pattern = pattern != NULL ? pattern : "";
    k.a = mix(k.a, pa, pattern, strlen(pattern));
    k.b = mix(k.b, pb, pattern, strlen(pattern));
    for (int i = 0; i < 3; i++) {
        k.a = mix_num(k.a, pa, num[i]);
        k.b = mix_num(k.b, pb, num[i]);
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "extra")) {
        const char *label = cJSON_IsString(x) ? x->valuestring
                            : cJSON_IsTrue(x) ? "true" : cJSON_IsFalse(x) ? "false" : NULL;
        if (label == NULL || x->string == NULL)
            continue;
        k.a = mix(mix(k.a, pa, x->string, strlen(x->string)), pa, label, strlen(label));
        k.b = mix(mix(k.b, pb, x->string, strlen(x->string)), pb, label, strlen(label));
    }
    if (k.a == 0 && k.b == 0)
        k.a = 1;
    return k;
}

static struct valid_key *probe(struct valid_key *slot, size_t cap, struct valid_key k)
{
    size_t i = (size_t)(k.a ^ (k.b >> 7)) & (cap - 1);

    while ((slot[i].a != 0 || slot[i].b != 0) && (slot[i].a != k.a || slot[i].b != k.b))
        i = (i + 1) & (cap - 1);
    return &slot[i];
}

static int grow(struct results_valid *v)
{
    size_t cap = v->cap ? v->cap * 2 : 1024;
    struct valid_key *slot = calloc(cap, sizeof(*slot));

    if (slot == NULL)
        return -1;
    for (size_t i = 0; i < v->cap; i++)
        if (v->slot[i].a != 0 || v->slot[i].b != 0)
            *probe(slot, cap, v->slot[i]) = v->slot[i];
    free(v->slot);
    v->slot = slot;
    v->cap = cap;
    return 0;
}

/* 1: seen before, 0: new, -1: out of memory */
static int seen(struct results_valid *v, const cJSON *e)
{
    if (2 * (v->n + 1) > v->cap && grow(v) != 0)
        return -1;
    struct valid_key k = key_of(e), *s = probe(v->slot, v->cap, k);
    if (s->a != 0 || s->b != 0)
        return 1;
    *s = k;
    v->n++;
    return 0;
}

static int check_fields(const struct results_valid *v, const cJSON *e, char *why, size_t len)
{
    static const char *const rates[] = {"seconds", "bw_gbit_s", "bw_gbyte_s", "line_rate_gbit",
                                        "bw_pct_line"};
    const cJSON *tier = cJSON_GetObjectItemCaseSensitive(e, "tier");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(e, "extra");

    if (check_rank(v, e, "src_rank", 0, why, len) || check_rank(v, e, "dst_rank", 0, why, len) ||
        check_str(e, "src_node", 1, why, len) || check_str(e, "dst_node", 1, why, len) ||
        check_str(e, "pattern", 0, why, len) || check_str(e, "hypernode", 0, why, len) ||
        check_str(e, "verify", 0, why, len) || check_str(e, "error", 0, why, len) ||
        check_num(e, "size_bytes", 1, VALID_MAX_COUNT, 1, "", why, len) ||
        check_num(e, "iters", 0, VALID_MAX_COUNT, 1, "", why, len) ||
        check_num(e, "bytes_total", 0, VALID_MAX_COUNT, 1, "", why, len))
        return -1;
    /* a tier is a HyperNode spec.tier: an int, minimum 0 */
    if (tier != NULL && !cJSON_IsNull(tier) && check_num(e, "tier", 0, INT_MAX, 1, "", why, len))
        return -1;
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
        if (check_num(e, rates[i], 0, DBL_MAX, 0, "", why, len) != 0)
            return -1;
    if (extra != NULL && !cJSON_IsNull(extra) && !cJSON_IsObject(extra)) {
        snprintf(why, len, "extra: not an object (%s)", kind_of(extra));
        return -1;
    }
    return check_lat(e, why, len);
}

tp_status_t results_valid_entry(struct results_valid *v, const cJSON *e, char *why, size_t len)
{
    if (!cJSON_IsObject(e)) {
        snprintf(why, len, "not an object (%s)", cJSON_IsNumber(e) ? "a number" : kind_of(e));
        return TP_ERR_PARSE;
    }
    if (check_fields(v, e, why, len) != 0)
        return TP_ERR_PARSE;
    int dup = seen(v, e);
    if (dup < 0) {
        snprintf(why, len, "out of memory");
        return TP_ERR_NO_MEMORY;
    }
    if (dup > 0) {
        snprintf(why, len, "duplicate: ranks %.0f -> %.0f, size_bytes %.0f measured twice",
                 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "src_rank")),
                 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "dst_rank")),
                 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "size_bytes")));
        return TP_ERR_PARSE;
    }
    return TP_OK;
}

tp_status_t results_valid_error(const struct results_valid *v, const cJSON *e, char *why,
                                size_t len)
{
    if (!cJSON_IsObject(e)) {
        snprintf(why, len, "not an object (%s)", cJSON_IsNumber(e) ? "a number" : kind_of(e));
        return TP_ERR_PARSE;
    }
    if (check_rank(v, e, "src_rank", 0, why, len) || check_rank(v, e, "dst_rank", 0, why, len) ||
        check_str(e, "src_node", 0, why, len) || check_str(e, "dst_node", 0, why, len) ||
        check_str(e, "status", 0, why, len) || check_str(e, "message", 0, why, len))
        return TP_ERR_PARSE;
    return TP_OK;
}
