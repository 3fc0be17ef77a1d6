/* units.c: the one parser for quantities on any command line: sizes and
 * size sweeps, rates, durations and percentages (grammar in units.h and
 * docs/units.md).  Every quantity starts with the same NUMBER, read exactly
 * (no strtod), so "1e3", "inf", "-1" and "0x10" are refused the same way
 * everywhere. */
#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNITS_MAX_FRACTION_DIGITS 9
#define UNITS_MAX_SWEEP 4096   /* sizes in one --sizes value */

/* NUMBER = digits [ "." digits ], then at most one space.  *mant_p / *scale_p
 * is the value exactly; *rest_p points at the unit.  Returns NULL or why not. */
static const char *scan_number(const char *text, unsigned __int128 *mant_p,
                               unsigned __int128 *scale_p, const char **rest_p)
{
    const char *p = text;
    unsigned __int128 mantissa = 0, scale = 1;
    int digits = 0, frac_digits = 0;

    for (; isdigit((unsigned char)*p); p++, digits++) {
        mantissa = mantissa * 10 + (unsigned)(*p - '0');
        if (mantissa > UINT64_MAX)
            return "too large";
    }
    if (digits == 0)
        return "not a number";
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++, frac_digits++) {
            if (frac_digits == UNITS_MAX_FRACTION_DIGITS)
                return "too many decimals";
            mantissa = mantissa * 10 + (unsigned)(*p - '0');
            scale *= 10;
        }
        if (frac_digits == 0)
            return "no digits after '.'";
    }
    if (*p == ' ')      /* "4 KiB", "1.5 ms", as the formatters print them */
        p++;
    *mant_p = mantissa;
    *scale_p = scale;
    *rest_p = p;
    return NULL;
}

/* A size unit: "" or B; K, Ki, KiB (binary); KB (SI).  The prefix letter and
 * the 'i' in any case; a final 'b' must be 'B' (lowercase b is bits). */
static int size_unit(const char *u, uint64_t *mult_p)
{
    static const char prefixes[] = "KMGT";
    size_t len = strlen(u);

    if (len > 0 && u[len - 1] == 'b')
        return -1;
    if (len == 0 || strcmp(u, "B") == 0) {
        *mult_p = 1;
        return 0;
    }
    const char *p = strchr(prefixes, toupper((unsigned char)u[0]));
    if (p == NULL || u[0] == '\0')
        return -1;
    int power = (int)(p - prefixes) + 1;
    uint64_t bin = 1, si = 1;
    for (int i = 0; i < power; i++) {
        bin *= 1024;
        si *= 1000;
    }
    if (strcasecmp(u + 1, "") == 0 || strcasecmp(u + 1, "i") == 0 || strcasecmp(u + 1, "iB") == 0)
        *mult_p = bin;
    else if (strcmp(u + 1, "B") == 0)
        *mult_p = si;
    else
        return -1;
    return 0;
}

tp_status_t units_parse_size(const char *text, uint64_t *bytes_p, struct tp_error *err)
{
    unsigned __int128 mantissa, scale;
    const char *unit, *why;
    uint64_t mult = 0;

    if (text == NULL || *text == '\0')
        return tp_error_set(err, TP_ERR_INVALID, "size '': empty (give bytes, or e.g. 64K, 1M, 4MB)");
    if ((why = scan_number(text, &mantissa, &scale, &unit)) != NULL)
        return tp_error_set(err, TP_ERR_INVALID, "size '%s': %s (give bytes, or e.g. 64K, 1M, 4MB)",
                            text, why);
    if (size_unit(unit, &mult) != 0)
        return tp_error_set(err, TP_ERR_INVALID,
                            "size '%s': unknown unit '%s' (K/Ki/KiB.. = 2^10.., KB/MB/GB/TB = "
                            "10^3.., B = bytes; lowercase b would be bits)", text, unit);
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

/* Rate units: [k|K|M|G|T] then bits (bit/s, bits/s, bps, b/s, bit) or bytes
 * (B/s, Bps, byte/s, bytes/s).  *mult_p in bit/s per unit. */
static int rate_unit(const char *u, double *mult_p)
{
    static const char *const bits[] = {"bit/s", "bits/s", "bps", "b/s", "bit"};
    static const char *const bytes[] = {"B/s", "Bps", "byte/s", "bytes/s"};
    double prefix = 1;

    switch (*u) {
    case 'k': case 'K': prefix = 1e3; u++; break;
    case 'M': prefix = 1e6; u++; break;
    case 'G': case 'g': prefix = 1e9; u++; break;
    case 'T': case 't': prefix = 1e12; u++; break;
    default: break;
    }
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        if (strcmp(u, bits[i]) == 0) {
            *mult_p = prefix;
            return 0;
        }
    for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++)
        if (strcmp(u, bytes[i]) == 0) {
            *mult_p = prefix * 8;
            return 0;
        }
    return -1;
}

tp_status_t units_parse_rate(const char *text, double *gbit_p, struct tp_error *err)
{
    unsigned __int128 mantissa, scale;
    const char *unit;
    double mult = 1e9;

    if (text == NULL || scan_number(text, &mantissa, &scale, &unit) != NULL ||
        (*unit != '\0' && rate_unit(unit, &mult) != 0))
        return tp_error_set(err, TP_ERR_INVALID,
                            "rate '%s' not understood (e.g. 25Gbit/s, 100Mbit/s, 3GB/s; "
                            "a bare number is Gbit/s)", text ? text : "");
    *gbit_p = (double)mantissa / (double)scale * mult / 1e9;
    return TP_OK;
}

tp_status_t units_parse_duration(const char *text, double *seconds_p, struct tp_error *err)
{
    static const struct { const char *name; double mult; } units[] = {
        {"", 1}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6},
        {"m", 60}, {"min", 60}, {"h", 3600},
    };
    unsigned __int128 mantissa, scale;
    const char *unit;

    if (text != NULL && scan_number(text, &mantissa, &scale, &unit) == NULL && mantissa > 0) {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (strcmp(unit, units[i].name) == 0) {
                *seconds_p = (double)mantissa / (double)scale * units[i].mult;
                return TP_OK;
            }
    }
    return tp_error_set(err, TP_ERR_INVALID,
                        "duration '%s' not understood (e.g. 60s, 500ms, 50us, 2m, 1h; a bare "
                        "number is seconds; must be > 0)", text ? text : "");
}

tp_status_t units_parse_percent(const char *text, double *pct_p, struct tp_error *err)
{
    unsigned __int128 mantissa, scale;
    const char *unit;

    if (text == NULL || scan_number(text, &mantissa, &scale, &unit) != NULL ||
        (unit[0] != '\0' && strcmp(unit, "%") != 0) || mantissa > 1000 * scale)
        return tp_error_set(err, TP_ERR_INVALID, "percentage '%s' not understood (e.g. 30%%, 0..1000)",
                            text ? text : "");
    *pct_p = (double)mantissa / (double)scale;
    return TP_OK;
}
