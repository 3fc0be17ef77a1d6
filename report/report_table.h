/* report_table.h: a loaded run (bench/results/results_read.h) as a readable text
 * table: run header, warnings for partial runs, per-tier summary per size,
 * optional per-pair rows, errors.  Used by `tierperf report` and printed
 * by `tierperf run` at the end. */
#ifndef TIERPERF_REPORT_TABLE_H
#define TIERPERF_REPORT_TABLE_H

#include <stdio.h>

#include <cjson/cJSON.h>

struct report_table_opts {
    int tier_filter;     /* only this tier; REPORT_ALL_TIERS for all */
    int pairs;           /* also one row per measured pair and size */
};
#define REPORT_ALL_TIERS (-1)

/* opts NULL: all tiers, no per-pair rows.  Returns the number of warnings
 * printed (partial run, torn journal line, errors), 0 for a clean run. */
int report_print_table(const cJSON *run, FILE *out, const struct report_table_opts *opts);

#endif
