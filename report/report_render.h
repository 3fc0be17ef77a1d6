/* report_render.h: render a loaded run (see bench/results/results_read.h) as a
 * self-contained HTML page with charts, or as CSV.  Used by
 * `tierperf report --html FILE` / `--csv FILE`. */
#ifndef TIERPERF_REPORT_RENDER_H
#define TIERPERF_REPORT_RENDER_H

#include <cjson/cJSON.h>

#include "../common/status.h"

tp_status_t report_write_html(const cJSON *run, const char *path, struct tp_error *err);
tp_status_t report_write_csv(const cJSON *run, const char *path, struct tp_error *err);

#endif
