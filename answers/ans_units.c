/* ans_units.c: quantity parsing and printing for the answer commands. */
#include "ans_units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Leading number, then the unit with surrounding spaces removed. */
static int split_number(const char *text, double *value_p, char *unit, size_t len)
{
    char *end;
    if (text == NULL)
        return -1;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    size_t n = strlen(end);
    while (n > 0 && isspace((unsigned char)end[n - 1]))
        n--;
    if (n >= len)
        return -1;
    memcpy(unit, end, n);
    unit[n] = '\0';
    *value_p = v;
    return 0;
}

static double si_prefix(char c)
{
    switch (c) {
    case 'k': case 'K': return 1e3;
    case 'M': return 1e6;
    case 'G': case 'g': return 1e9;
    case 'T': case 't': return 1e12;
    default: return 0;
    }
}

tp_status_t ans_parse_bandwidth(const char *text, double *gbit_p, struct tp_error *err)
{
    double v, mult = 1e9;
    char unit[32];
    const char *u = unit;

    if (split_number(text, &v, unit, sizeof(unit)) != 0)
        goto bad;
    if (*u == '\0') {
        *gbit_p = v;
        return TP_OK;
    }
    if (u[0] != 'b' && u[0] != 'B') {
        mult = si_prefix(u[0]);
        if (mult == 0)
            goto bad;
        u++;
    } else {
        mult = 1;
    }
    /* bits: "bit/s", "bps", "b/s", "bit"; bytes: "B/s", "Bps", "byte/s" */
    int bytes;
    if (strcmp(u, "bit/s") == 0 || strcmp(u, "bps") == 0 || strcmp(u, "b/s") == 0 ||
        strcmp(u, "bit") == 0 || strcmp(u, "bits/s") == 0)
        bytes = 0;
    else if (strcmp(u, "B/s") == 0 || strcmp(u, "Bps") == 0 || strcmp(u, "byte/s") == 0 ||
             strcmp(u, "bytes/s") == 0)
        bytes = 1;
    else
        goto bad;
    *gbit_p = v * mult * (bytes ? 8 : 1) / 1e9;
    return TP_OK;
bad:
    return tp_error_set(err, TP_ERR_INVALID,
                        "bandwidth '%s' not understood (e.g. 25Gbit/s, 100Mbit/s, 3GB/s)",
                        text ? text : "");
}

tp_status_t ans_parse_size(const char *text, double *bytes_p, struct tp_error *err)
{
    double v, mult;
    char unit[16];

    if (split_number(text, &v, unit, sizeof(unit)) != 0)
        goto bad;
    if (unit[0] == '\0' || strcmp(unit, "B") == 0) {
        *bytes_p = v;
        return TP_OK;
    }
    static const char prefixes[] = "KMGT";
    const char *p = strchr(prefixes, toupper((unsigned char)unit[0]));
    if (p == NULL)
        goto bad;
    int power = (int)(p - prefixes) + 1;
    const char *rest = unit + 1;
    if (strcmp(rest, "") == 0 || strcmp(rest, "iB") == 0 || strcmp(rest, "i") == 0)
        mult = pow(1024.0, power);
    else if (strcmp(rest, "B") == 0)
        mult = pow(1000.0, power);
    else
        goto bad;
    *bytes_p = v * mult;
    return TP_OK;
bad:
    return tp_error_set(err, TP_ERR_INVALID,
                        "size '%s' not understood (e.g. 140GB = 140*10^9 bytes, 4GiB, 1M)",
                        text ? text : "");
}

tp_status_t ans_parse_msgsize(const char *text, long long *bytes_p, struct tp_error *err)
{
    double v = 0;
    if (ans_parse_size(text, &v, err) != TP_OK)
        return TP_ERR_INVALID;
    if (!(v >= 1 && v <= 9007199254740992.0) || v != floor(v))
        return tp_error_set(err, TP_ERR_INVALID,
                            "message size '%s' must be a whole number of bytes from 1 to 2^53",
                            text);
    *bytes_p = (long long)v;
    return TP_OK;
}

tp_status_t ans_parse_duration(const char *text, double *seconds_p, struct tp_error *err)
{
    double v, mult;
    char unit[16];

    if (split_number(text, &v, unit, sizeof(unit)) != 0)
        goto bad;
    if (unit[0] == '\0' || strcmp(unit, "s") == 0)
        mult = 1;
    else if (strcmp(unit, "ms") == 0)
        mult = 1e-3;
    else if (strcmp(unit, "us") == 0 || strcmp(unit, "\xc2\xb5s") == 0)
        mult = 1e-6;
    else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
        mult = 60;
    else if (strcmp(unit, "h") == 0)
        mult = 3600;
    else
        goto bad;
    if (v * mult <= 0)
        goto bad;
    *seconds_p = v * mult;
    return TP_OK;
bad:
    return tp_error_set(err, TP_ERR_INVALID,
                        "duration '%s' not understood (e.g. 60s, 500ms, 50us, 2m; must be > 0)",
                        text ? text : "");
}

tp_status_t ans_parse_percent(const char *text, double *pct_p, struct tp_error *err)
{
    double v;
    char unit[8];

    if (split_number(text, &v, unit, sizeof(unit)) != 0 ||
        (unit[0] != '\0' && strcmp(unit, "%") != 0) || v > 1000)
        return tp_error_set(err, TP_ERR_INVALID, "percentage '%s' not understood (e.g. 30%%)",
                            text ? text : "");
    *pct_p = v;
    return TP_OK;
}

const char *ans_fmt_gbit(double gbit, char *buf, int len)
{
    if (!isfinite(gbit))
        snprintf(buf, len, "-");
    else if (gbit >= 1000)
        snprintf(buf, len, "%.3g Tbit/s", gbit / 1000);
    else if (gbit >= 1)
        snprintf(buf, len, "%.3g Gbit/s", gbit);
    else
        snprintf(buf, len, "%.3g Mbit/s", gbit * 1000);
    return buf;
}

const char *ans_fmt_bytes(double bytes, char *buf, int len)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int i = 0;
    while (bytes >= 1000 && i < 5) {
        bytes /= 1000;
        i++;
    }
    snprintf(buf, len, "%.3g %s", bytes, units[i]);
    return buf;
}

const char *ans_fmt_seconds(double s, char *buf, int len)
{
    if (!isfinite(s))
        snprintf(buf, len, "-");
    else if (s < 1)
        snprintf(buf, len, "%.3g ms", s * 1000);
    else if (s < 120)
        snprintf(buf, len, "%.3g s", s);
    else
        snprintf(buf, len, "%.3g min", s / 60);
    return buf;
}

const char *ans_fmt_msgsize(long long bytes, char *buf, int len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (bytes >= 1024 && bytes % 1024 == 0 && i < 4) {
        bytes /= 1024;
        i++;
    }
    snprintf(buf, len, "%lld %s", bytes, units[i]);
    return buf;
}
