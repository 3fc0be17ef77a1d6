/* ans_units.h: the answer commands' names for the one units grammar in
 * common/units.h (parsing and printing live there, once).  These wrappers
 * only adapt types: sizes as doubles, message sizes as the 1..2^53 bytes a
 * results file holds exactly. */
#ifndef TIERPERF_ANS_UNITS_H
#define TIERPERF_ANS_UNITS_H

#include <stdint.h>

#include "../common/status.h"
#include "../common/units.h"

static inline tp_status_t ans_parse_bandwidth(const char *text, double *gbit_p,
                                              struct tp_error *err)
{
    return units_parse_rate(text, gbit_p, err);
}

static inline tp_status_t ans_parse_size(const char *text, double *bytes_p, struct tp_error *err)
{
    uint64_t b = 0;
    tp_status_t st = units_parse_size(text, &b, err);
    if (st == TP_OK)
        *bytes_p = (double)b;
    return st;
}

static inline tp_status_t ans_parse_msgsize(const char *text, long long *bytes_p,
                                            struct tp_error *err)
{
    uint64_t b = 0;
    tp_status_t st = units_parse_size(text, &b, err);
    if (st != TP_OK)
        return st;
    if (b < 1 || b > (1ULL << 53))
        return tp_error_set(err, TP_ERR_INVALID,
                            "message size '%s' must be from 1 byte to 2^53 bytes", text);
    *bytes_p = (long long)b;
    return TP_OK;
}

static inline tp_status_t ans_parse_duration(const char *text, double *seconds_p,
                                             struct tp_error *err)
{
    return units_parse_duration(text, seconds_p, err);
}

static inline tp_status_t ans_parse_percent(const char *text, double *pct_p, struct tp_error *err)
{
    return units_parse_percent(text, pct_p, err);
}

static inline const char *ans_fmt_gbit(double gbit, char *buf, int len)
{
    return units_fmt_rate(gbit, buf, (size_t)len);
}

static inline const char *ans_fmt_bytes(double bytes, char *buf, int len)
{
    return units_fmt_bytes_si(bytes, buf, (size_t)len);
}

static inline const char *ans_fmt_seconds(double seconds, char *buf, int len)
{
    return units_fmt_duration(seconds, buf, (size_t)len);
}

static inline const char *ans_fmt_msgsize(long long bytes, char *buf, int len)
{
    return units_fmt_msgsize(bytes > 0 ? (uint64_t)bytes : 0, buf, (size_t)len);
}

#endif
