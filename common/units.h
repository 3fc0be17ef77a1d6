/* units.h: sizes on the `run` command line, and the size sweep.
 * Binary suffixes K/M/G/T (and KiB/MiB/GiB/TiB) = 2^10...; SI suffixes
 * KB/MB/GB/TB = 10^3...; bare number = bytes. */
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

/* "4 KiB", "1 MiB", "64 B", "1.5 GiB" into buf. */
const char *units_fmt_size(uint64_t bytes, char *buf, size_t len);

#endif
