/* stats.h: latency percentiles and min/median/max reductions. */
#ifndef TIERPERF_STATS_H
#define TIERPERF_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Latency summary in microseconds. */
struct stats_lat {
    double min, mean, p50, p90, p99, p999, max;
    uint64_t samples;
};

/* From round-trip times in ns: one-way latency = rtt / 2, in us.
 * Percentiles by nearest rank on a sorted copy (rtt_ns is not modified).
 * n == 0 gives all zeros. */
void stats_latency_from_rtt(const uint64_t *rtt_ns, size_t n, struct stats_lat *out);

/* The same summary of whole durations (not halved): ns -> us. */
void stats_duration_from_ns(const uint64_t *ns, size_t n, struct stats_lat *out);

/* Nearest-rank percentile (0..100) of a sorted array. */
double stats_percentile_sorted(const double *sorted, size_t n, double pct);

/* min / median / max of n values (v is not modified). */
struct stats_mmm { double min, median, max; };
void stats_min_median_max(const double *v, size_t n, struct stats_mmm *out);

#endif
