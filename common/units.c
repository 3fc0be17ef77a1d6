/* units.c: message sizes and size sweeps from the command line.
 * K/M/G/T and KiB/MiB/GiB/TiB are binary (2^10...), KB/MB/GB/TB are SI
 * (10^3...), a bare number or "B" is bytes.  A fraction is allowed when it
 * comes to a whole number of bytes ("1.5K" = 1536). */
#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNITS_MAX_FRACTION_DIGITS 9
#define UNITS_MAX_SWEEP 4096   /* sizes in one --sizes value */

struct unit_suffix {
    const char *name;
    uint64_t mult;
};

static const struct unit_suffix suffixes[] = {
    {"", 1}, {"B", 1},
    {"K", 1ULL << 10}, {"M", 1ULL << 20}, {"G", 1ULL << 30}, {"T", 1ULL << 40},
    {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30}, {"TiB", 1ULL << 40},
    {"KB", 1000ULL}, {"MB", 1000000ULL}, {"GB", 1000000000ULL}, {"TB", 1000000000000ULL},
};

/* Case-insensitive, except a final lowercase 'b', which usually means bits. */
static int suffix_mult(const char *s, uint64_t *mult_p)
{
    size_t len = strlen(s);

    if (len > 0 && s[len - 1] == 'b')
        return -1;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (strcasecmp(s, suffixes[i].name) == 0) {
            *mult_p = suffixes[i].mult;
            return 0;
        }
    }
    return -1;
}

tp_status_t units_parse_size(const char *text, uint64_t *bytes_p, struct tp_error *err)
{
    const char *p = text;
    unsigned __int128 mantissa = 0, scale = 1;
    int digits = 0, frac_digits = 0;

    if (text == NULL || *text == '\0')
        return tp_error_set(err, TP_ERR_INVALID, "size '': empty (give bytes, or e.g. 64K, 1M, 4MB)");
    for (; isdigit((unsigned char)*p); p++, digits++) {
        mantissa = mantissa * 10 + (unsigned)(*p - '0');
        if (mantissa > UINT64_MAX)
            return tp_error_set(err, TP_ERR_INVALID, "size '%s': too large (max %llu bytes)",
                                text, (unsigned long long)UINT64_MAX);
    }
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++, frac_digits++) {
            if (frac_digits == UNITS_MAX_FRACTION_DIGITS)
                return tp_error_set(err, TP_ERR_INVALID, "size '%s': too many decimals", text);
            mantissa = mantissa * 10 + (unsigned)(*p - '0');
            scale *= 10;
        }
        if (frac_digits == 0)
            return tp_error_set(err, TP_ERR_INVALID, "size '%s': no digits after '.'", text);
    }
    if (digits == 0)
        return tp_error_set(err, TP_ERR_INVALID, "size '%s': not a number (give bytes, or e.g. 64K, 1M, 4MB)",
                            text);
    if (*p == ' ')      /* "4 KiB", as units_fmt_size prints it */
        p++;
    uint64_t mult = 0;
    if (suffix_mult(p, &mult) != 0)
        return tp_error_set(err, TP_ERR_INVALID,
                            "size '%s': unknown unit '%s' (K/M/G/T or KiB/MiB/GiB/TiB = 2^10.., "
                            "KB/MB/GB/TB = 10^3.., or B = bytes)", text, p);
    if (mantissa / scale > UINT64_MAX / mult)
        return tp_error_set(err, TP_ERR_INVALID, "size '%s': too large (max %llu bytes)",
                            text, (unsigned long long)UINT64_MAX);
    /* now mantissa * mult < (2^64 + mult) * scale < 2^96: no wrap */
    unsigned __int128 total = mantissa * mult;
    if (total % scale != 0)
        return tp_error_set(err, TP_ERR_INVALID, "size '%s': not a whole number of bytes", text);
    total /= scale;
    if (total > UINT64_MAX)
        return tp_error_set(err, TP_ERR_INVALID, "size '%s': too large (max %llu bytes)",
                            text, (unsigned long long)UINT64_MAX);
    *bytes_p = (uint64_t)total;
    return TP_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static tp_status_t push_size(uint64_t **v, size_t *n, size_t *cap, uint64_t size,
                             const char *text, struct tp_error *err)
{
    if (*n == UNITS_MAX_SWEEP)
        return tp_error_set(err, TP_ERR_INVALID, "sizes: more than %d sizes in '%.40s...'",
                            UNITS_MAX_SWEEP, text);
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        uint64_t *grown = realloc(*v, grown_cap * sizeof(**v));
        if (grown == NULL)
            return tp_error_set(err, TP_ERR_NO_MEMORY, "sizes '%s': out of memory", text);
        *v = grown;
        *cap = grown_cap;
    }
    (*v)[(*n)++] = size;
    return TP_OK;
}

/* One comma-separated item: "SIZE" or "FROM:TO" (doubling from FROM while <= TO). */
static tp_status_t parse_item(char *item, const char *text, uint64_t **v, size_t *n,
                              size_t *cap, struct tp_error *err)
{
    char *colon = strchr(item, ':');
    uint64_t from = 0, to = 0;
    tp_status_t st;

    if (colon != NULL)
        *colon = '\0';
    if ((st = units_parse_size(item, &from, err)) != TP_OK)
        return st;
    if (colon == NULL) {
        if (from == 0)
            return tp_error_set(err, TP_ERR_INVALID, "sizes '%s': size '%s' is zero", text, item);
        return push_size(v, n, cap, from, text, err);
    }
    if (strchr(colon + 1, ':') != NULL)
        return tp_error_set(err, TP_ERR_INVALID, "sizes '%s': a range is FROM:TO (e.g. 1:1G)", text);
    if ((st = units_parse_size(colon + 1, &to, err)) != TP_OK)
        return st;
    if (from == 0)
        return tp_error_set(err, TP_ERR_INVALID, "sizes '%s': range starts at zero", text);
    if (from > to)
        return tp_error_set(err, TP_ERR_INVALID, "sizes '%s': range %s:%s runs backwards",
                            text, item, colon + 1);
    for (uint64_t s = from;; s *= 2) {
        if ((st = push_size(v, n, cap, s, text, err)) != TP_OK)
            return st;
        if (s > to / 2)
            break;
    }
    return TP_OK;
}

tp_status_t units_parse_sweep(const char *text, uint64_t **sizes_p, size_t *n_p,
                              struct tp_error *err)
{
    uint64_t *v = NULL;
    size_t n = 0, cap = 0;
    tp_status_t st = TP_OK;

    if (text == NULL || *text == '\0')
        return tp_error_set(err, TP_ERR_INVALID, "sizes '': empty (e.g. 1:1G, 4K,64K,1M or 1M)");
    char *copy = strdup(text);
    if (copy == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "sizes '%s': out of memory", text);
    for (char *item = copy, *next; item != NULL && st == TP_OK; item = next) {
        next = strchr(item, ',');
        if (next != NULL)
            *next++ = '\0';
        if (*item == '\0')
            st = tp_error_set(err, TP_ERR_INVALID, "sizes '%s': empty item in the list", text);
        else
            st = parse_item(item, text, &v, &n, &cap, err);
    }
    free(copy);
    if (st == TP_OK && (n == 0 || v == NULL)) {
        free(v);
        return tp_error_set(err, TP_ERR_INVALID, "sizes '%s': no sizes", text);
    }
    if (st != TP_OK) {
        free(v);
        return st;
    }
    qsort(v, n, sizeof(*v), cmp_u64);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || v[kept - 1] != v[i])
            v[kept++] = v[i];
    *sizes_p = v;
    *n_p = kept;
    return TP_OK;
}

const char *units_fmt_size(uint64_t bytes, char *buf, size_t len)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t u = 0;

    while (u + 1 < sizeof(names) / sizeof(names[0]) && bytes >= (1ULL << (10 * (u + 1))))
        u++;
    uint64_t unit = 1ULL << (10 * u);
    if (bytes % unit == 0) {
        snprintf(buf, len, "%llu %s", (unsigned long long)(bytes / unit), names[u]);
        return buf;
    }
    char num[32];
    snprintf(num, sizeof(num), "%.2f", (double)bytes / (double)unit);
    char *end = num + strlen(num);
    while (end[-1] == '0')
        *--end = '\0';
    if (end[-1] == '.')
        *--end = '\0';
    snprintf(buf, len, "%s %s", num, names[u]);
    return buf;
}
