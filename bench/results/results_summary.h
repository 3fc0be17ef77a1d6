/* results_summary.h: tier_summary[] of a run (docs/results-schema.md):
 * per (tier, size) the number of pairs measured and min/median/max of
 * their bandwidth and latency percentiles.  Used by the writer at the end
 * of a run and by `report` for partial runs (journals have no summary). */
#ifndef TIERPERF_RESULTS_SUMMARY_H
#define TIERPERF_RESULTS_SUMMARY_H

#include <cjson/cJSON.h>

/* tier_name(arg, tier): name for tier_summary's tier_name, or NULL. */
typedef const char *(*results_tier_name_fn)(void *arg, int tier);

/* results: a results[] array.  Entries with an error, failed verification
 * or no bandwidth are left out, and so are intra-node copies (pattern copy,
 * summarized per direction by report_copy.h); tier null sorts first, then
 * ascending tier, then size.
 * Returns a new array (NULL only when out of memory). */
cJSON *results_tier_summary(const cJSON *results, results_tier_name_fn tier_name, void *arg);

/* A results_tier_name_fn over a loaded run: its topology.tiers[] names,
 * "same node" for tier 0, "virtual root" for topology.virtual_tier.
 * arg is the run (const cJSON *). */
const char *results_tier_name_from_run(void *run, int tier);

#endif
