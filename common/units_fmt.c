/* units_fmt.c: every quantity a person reads, in plain decimal notation with
 * its unit: no "5.66e+04 us", no "1.95e+03 min" (units.h lists the forms). */
#include "units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *units_fmt_num(double v, int sig, char *buf, size_t len)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "-");
        return buf;
    }
    int decimals = 0;
    if (v != 0) {
        int mag = (int)floor(log10(fabs(v)));
        decimals = sig - 1 - mag;
        if (decimals < 0)
            decimals = 0;
        if (decimals > 12)
            decimals = 12;
    }
    snprintf(buf, len, "%.*f", decimals, v);
    if (strchr(buf, '.') != NULL) {
        char *end = buf + strlen(buf);
        while (end > buf && end[-1] == '0')
            *--end = '\0';
        if (end > buf && end[-1] == '.')
            *--end = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, len, "0");
    return buf;
}

/* value / divisor with 3 significant digits and the unit. */
static const char *with_unit(double v, const char *unit, char *buf, size_t len)
{
    char num[64];
    snprintf(buf, len, "%s %s", units_fmt_num(v, 3, num, sizeof(num)), unit);
    return buf;
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

const char *units_fmt_msgsize(uint64_t bytes, char *buf, size_t len)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t i = 0;
    while (bytes >= 1024 && bytes % 1024 == 0 && i + 1 < sizeof(names) / sizeof(names[0])) {
        bytes /= 1024;
        i++;
    }
    snprintf(buf, len, "%llu %s", (unsigned long long)bytes, names[i]);
    return buf;
}

const char *units_fmt_bytes_si(double bytes, char *buf, size_t len)
{
    static const char *const names[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    size_t i = 0;
    if (!isfinite(bytes)) {
        snprintf(buf, len, "-");
        return buf;
    }
    while (fabs(bytes) >= 999.5 && i + 1 < sizeof(names) / sizeof(names[0])) {
        bytes /= 1000;
        i++;
    }
    return with_unit(bytes, names[i], buf, len);
}

const char *units_fmt_rate(double gbit, char *buf, size_t len)
{
    if (!isfinite(gbit))
        snprintf(buf, len, "-");
    else if (gbit >= 999.5)
        with_unit(gbit / 1000, "Tbit/s", buf, len);
    else if (gbit >= 0.9995 || gbit == 0)
        with_unit(gbit, "Gbit/s", buf, len);
    else if (gbit >= 0.0009995)
        with_unit(gbit * 1e3, "Mbit/s", buf, len);
    else
        with_unit(gbit * 1e6, "kbit/s", buf, len);
    return buf;
}

const char *units_fmt_duration(double s, char *buf, size_t len)
{
    if (!isfinite(s))
        snprintf(buf, len, "-");
    else if (s < 0.0009995)
        with_unit(s * 1e6, "us", buf, len);
    else if (s < 0.9995)
        with_unit(s * 1e3, "ms", buf, len);
    else if (s < 120)
        with_unit(s, "s", buf, len);
    else if (s < 7200)
        with_unit(s / 60, "min", buf, len);
    else
        with_unit(s / 3600, "h", buf, len);
    return buf;
}

const char *units_fmt_usec(double us, char *buf, size_t len)
{
    if (!isfinite(us))
        snprintf(buf, len, "-");
    else if (us < 999.5)
        with_unit(us, "us", buf, len);
    else if (us < 999500)
        with_unit(us / 1e3, "ms", buf, len);
    else
        units_fmt_duration(us / 1e6, buf, len);
    return buf;
}
