/* results_read.h: load a results file for the commands that read runs
 * (report, check, recommend, infer, compare).  Accepts the final JSON file
 * or, for a run that was killed, its `.journal.jsonl` (then the returned
 * object has "complete": false and results[] from the journal). */
#ifndef TIERPERF_RESULTS_READ_H
#define TIERPERF_RESULTS_READ_H

#include <cjson/cJSON.h>

#include "../../common/status.h"

/* On success *run_p owns a cJSON object with at least "results" (array).
 * Errors (missing file, truncated or malformed JSON, wrong schema) name
 * the file and, for JSON, the byte offset or line. */
tp_status_t results_load(const char *path, cJSON **run_p, struct tp_error *err);

#endif
