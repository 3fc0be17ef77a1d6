/* report_openmetrics.h: a run as OpenMetrics / Prometheus text, for
 * node_exporter's textfile collector and the Pushgateway
 * (`tierperf report RUN --openmetrics OUT.prom`; docs/prometheus.md). */
#ifndef TIERPERF_REPORT_OPENMETRICS_H
#define TIERPERF_REPORT_OPENMETRICS_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "../common/status.h"
#include "../answers/ans_check.h"

/* check may be NULL (no --profile): no verdict metrics.  The file is written
 * beside `path` and renamed over it, so a collector never reads half of it. */
tp_status_t report_write_openmetrics(const cJSON *run, const struct ans_check *check,
                                     const struct ans_profile *profile,
                                     const struct ans_check_opts *opts, const char *path,
                                     struct tp_error *err);
/* The same text to an open stream. */
void report_openmetrics_print(FILE *out, const cJSON *run, const struct ans_check *check,
                              const struct ans_profile *profile,
                              const struct ans_check_opts *opts);

#endif
