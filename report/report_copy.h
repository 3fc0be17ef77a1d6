/* report_copy.h: the intra-node copy section of a report (--pattern copy
 * entries: the tier-0 reference): per direction and size, min/median/max
 * bandwidth over the ranks that copied. */
#ifndef TIERPERF_REPORT_COPY_H
#define TIERPERF_REPORT_COPY_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* Copy entries in results[] (any outcome). */
int report_copy_count(const cJSON *run);
/* Prints the section when there are copy entries; returns the rows printed. */
int report_print_copies(const cJSON *run, FILE *out);

#endif
