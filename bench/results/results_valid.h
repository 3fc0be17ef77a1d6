/* results_valid.h: the one validation of a results file's entries, shared
 * by every command that reads runs (through results_load): each results[]
 * entry has the fields of docs/results-schema.md with values in range, and
 * no measurement appears twice.  The message names the field; the caller
 * adds the file and the entry (index or journal line). */
#ifndef TIERPERF_RESULTS_VALID_H
#define TIERPERF_RESULTS_VALID_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../../common/status.h"

struct results_valid;

/* nranks: ranks in the run (hosts[]), 0 when unknown (then any rank that
 * fits in an int is accepted).  NULL when out of memory. */
struct results_valid *results_valid_new(int nranks);
void results_valid_free(struct results_valid *v);

/* One results[] entry.  On failure writes "FIELD: what is wrong" into why. */
tp_status_t results_valid_entry(struct results_valid *v, const cJSON *entry, char *why,
                                size_t len);

/* One errors[] entry (a pair that failed as a whole). */
tp_status_t results_valid_error(const struct results_valid *v, const cJSON *entry, char *why,
                                size_t len);

/* Ranks in a run: the size of its hosts[] (0 when absent). */
int results_valid_nranks(const cJSON *run);

#endif
