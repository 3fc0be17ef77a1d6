/* ans_pairs.h: reduce a loaded run (bench/results/results_read.h) to one judged
 * measurement per node pair, the common input of check, recommend, infer
 * and compare.  By default bandwidth is judged at the largest size measured
 * for the pair and latency at the smallest; a size filter picks one size.
 * Pointers into the run are borrowed: keep the run alive. */
#ifndef TIERPERF_ANS_PAIRS_H
#define TIERPERF_ANS_PAIRS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

#define ANS_NO_TIER (-1)   /* results entry had "tier": null */

enum ans_lat { ANS_P50, ANS_P90, ANS_P99, ANS_P999, ANS_MEAN, ANS_MIN, ANS_MAX, ANS_LAT_N };
extern const char *const ans_lat_names[ANS_LAT_N];   /* "p50", ... as in lat_us */
int ans_lat_from_name(const char *name);              /* -1 when unknown */

struct ans_pair {
    const char *src, *dst;      /* node names */
    int src_rank, dst_rank;
    int tier;                   /* ANS_NO_TIER when unknown */
    const char *hypernode;      /* lowest common HyperNode or NULL */
    long long bw_size;          /* size judged for bandwidth, -1 none */
    double bw_gbit;             /* NAN when no bandwidth measured */
    long long lat_size;         /* size judged for latency, -1 none */
    double lat_us[ANS_LAT_N];   /* NAN when not measured */
    double line_rate_gbit;      /* NAN when unknown */
    const char *failure;        /* error / verify failure text, NULL when fine */
    int round_shared;           /* of the bandwidth row: other pairs of its round
                                   on a shared link; -1 unknown */
    double retrans_pct;         /* of the bandwidth row (extra.loss): retransmitted
                                   segments, % of sent; NAN not measured */
    double retrans_segs;        /* NAN not measured (or a device-counter rate) */
    double device_errors;       /* verbs: the RDMA port's error counters that
                                   moved (extra.loss.device_errors); NAN none */
};

struct ans_pairs {
    struct ans_pair *v;
    size_t n;
};

/* size < 0: default sizes (largest for bandwidth, smallest for latency).
 * Pairs from the run's errors[] are included as failures.  what names the
 * file in error messages. */
tp_status_t ans_pairs_collect(const cJSON *run, long long size, const char *what,
                              struct ans_pairs *out, struct tp_error *err);
void ans_pairs_free(struct ans_pairs *pairs);

/* Distinct tiers present (ascending, ANS_NO_TIER first if present).
 * Returns the count; *tiers_p is malloc'd (may be NULL when 0). */
size_t ans_pairs_tiers(const struct ans_pairs *pairs, int **tiers_p);

/* Sorted-copy percentile with linear interpolation; p in [0,100].  NANs
 * are skipped; returns NAN when nothing is left. */
double ans_percentile(const double *values, size_t n, double p);
double ans_median(const double *values, size_t n);

/* Bandwidths of the pairs at tier (failed pairs excluded) into a malloc'd
 * array; returns the count. */
size_t ans_tier_bandwidths(const struct ans_pairs *pairs, int tier, double **out_p);

/* "a->b" or "a->b (ranks 3->7)" when several ranks share a node. */
const char *ans_pair_label(const struct ans_pair *p, char *buf, int len);

#endif
