/* ans_sizes.h: which message sizes a run measured, so that a --size the
 * run never measured is refused as bad input (one line listing the sizes
 * that were measured) instead of silently judging nothing. */
#ifndef TIERPERF_ANS_SIZES_H
#define TIERPERF_ANS_SIZES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

/* Distinct size_bytes of results[] entries without an error, ascending,
 * into a malloc'd array (NULL when none); returns the count. */
size_t ans_sizes_measured(const cJSON *run, long long **sizes_p);
/* "64 B, 4 MiB" (or "none") into buf. */
const char *ans_sizes_list(const long long *sizes, size_t n, char *buf, size_t len);
/* TP_OK when the run measured size; otherwise TP_ERR_INVALID with
 * "--size 1 MiB was not measured in WHAT; measured sizes: 64 B, 4 MiB". */
tp_status_t ans_size_require(const cJSON *run, long long size, const char *what,
                             struct tp_error *err);

#endif
