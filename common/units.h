/* units.h: the one grammar for sizes, rates, durations and percentages that
 * every command reads (`run` and the answer commands alike), and the
 * formatters every human-readable output uses.  The grammar is documented in
 * docs/units.md; in short:
 *   NUMBER  = digits [ "." digits ]    (no sign, no exponent, no "inf"/"nan")
 *   QUANTITY = NUMBER [ " " ] UNIT     (at most one space before the unit)
 *   size:     "" or B = bytes; K, Ki, KiB (M, G, T likewise) = 2^10...;
 *             KB, MB, GB, TB = 10^3...; a lowercase final 'b' (bits) is refused;
 *             the result must be a whole number of bytes ("1.5K" = 1536).
 *   rate:     bare number = Gbit/s; [k|M|G|T] bit/s, bps, b/s (bits) or
 *             B/s, Bps, byte/s (bytes, x8); prefixes are SI (10^3...).
 *   duration: bare number = seconds; us, ms, s, m or min, h; more than 0.
 *   percent:  "30%" or "30", 0..1000.
 * Formatters never print scientific notation. */
#ifndef TIERPERF_UNITS_H
#define TIERPERF_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

tp_status_t units_parse_size(const char *text, uint64_t *bytes_p, struct tp_error *err);

/* --sizes: "1:1G" (powers of two from 1 to 1 GiB inclusive), "4K,64K,1M"
 * (a list), or one size.  *sizes_p is malloc'd, ascending, no duplicates. */
tp_status_t units_parse_sweep(const char *text, uint64_t **sizes_p, size_t *n_p,
                              struct tp_error *err);

/* A rate, into Gbit/s (10^9 bit/s). */
tp_status_t units_parse_rate(const char *text, double *gbit_p, struct tp_error *err);
/* A duration, into seconds (> 0). */
tp_status_t units_parse_duration(const char *text, double *seconds_p, struct tp_error *err);
/* A percentage, 0..1000. */
tp_status_t units_parse_percent(const char *text, double *pct_p, struct tp_error *err);

/* v with `sig` significant digits in plain decimal notation, trailing zeros
 * dropped: 56.6, 850, 56600, 0.00123.  "-" for NaN/inf. */
const char *units_fmt_num(double v, int sig, char *buf, size_t len);
/* "4 KiB", "1 MiB", "64 B", "1.5 GiB" (binary, two decimals at most). */
const char *units_fmt_size(uint64_t bytes, char *buf, size_t len);
/* A message size exactly: the largest binary unit that divides it
 * ("4 KiB", "1000 B", "1000000 B"). */
const char *units_fmt_msgsize(uint64_t bytes, char *buf, size_t len);
/* Bytes with SI prefixes, 3 significant digits: "140 GB", "1.5 kB". */
const char *units_fmt_bytes_si(double bytes, char *buf, size_t len);
/* Gbit/s into "13.3 Gbit/s", "850 Mbit/s", "1.5 Tbit/s". */
const char *units_fmt_rate(double gbit, char *buf, size_t len);
/* Seconds into "50 us", "250 ms", "1.5 s", "10 min", "32 h". */
const char *units_fmt_duration(double seconds, char *buf, size_t len);
/* Microseconds (latency) into "8.2 us", "56.6 ms", "1.2 s". */
const char *units_fmt_usec(double us, char *buf, size_t len);

#endif
