/* ans_units.h: parse and print the quantities the answer commands take on
 * their command lines (bandwidth, size, duration, percent).  One place for
 * the bits-versus-bytes rules so every command reads "10GB" the same way. */
#ifndef TIERPERF_ANS_UNITS_H
#define TIERPERF_ANS_UNITS_H

#include "../common/status.h"

/* "25Gbit/s", "25Gbps", "100Mbit/s", "3GB/s" (bytes), bare number = Gbit/s.
 * Prefixes are SI (k/M/G/T = 10^3...).  *gbit_p in Gbit/s. */
tp_status_t ans_parse_bandwidth(const char *text, double *gbit_p, struct tp_error *err);
/* "140GB" (SI), "140GiB" or "140G" (binary, as `tierperf run` sizes), bare = bytes. */
tp_status_t ans_parse_size(const char *text, double *bytes_p, struct tp_error *err);
/* A message size for --size: as ans_parse_size, a whole number of bytes
 * from 1 to 2^53 (what a results file can hold exactly). */
tp_status_t ans_parse_msgsize(const char *text, long long *bytes_p, struct tp_error *err);
/* "60s", "500ms", "2m", "1h", bare = seconds. */
tp_status_t ans_parse_duration(const char *text, double *seconds_p, struct tp_error *err);
/* "30%" or "30" -> 30.0 (percent, 0..1000). */
tp_status_t ans_parse_percent(const char *text, double *pct_p, struct tp_error *err);

/* Human forms into buf: "13.3 Gbit/s" / "850 Mbit/s"; "140 GB"; "1.5 s". */
const char *ans_fmt_gbit(double gbit, char *buf, int len);
const char *ans_fmt_bytes(double bytes, char *buf, int len);
const char *ans_fmt_seconds(double seconds, char *buf, int len);
/* Message sizes as `run` prints them: 4 KiB, 1 MiB, 64 B. */
const char *ans_fmt_msgsize(long long bytes, char *buf, int len);

#endif
