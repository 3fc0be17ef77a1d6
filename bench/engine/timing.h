/* timing.h: the clock and the arithmetic that decides how many messages
 * to time.  Small messages are batched so timer and control overhead do
 * not dominate (as perftest does); large ones are bounded by bytes and
 * time so a sweep to 1 GiB stays short. */
#ifndef TIERPERF_TIMING_H
#define TIERPERF_TIMING_H

#include <stdint.h>

/* CLOCK_MONOTONIC */
uint64_t timing_now_ns(void);
double timing_now_s(void);
/* Sleep about s seconds (0 <= s < 1): the nap of a polling loop. */
void timing_nap_s(double s);

#define TIMING_BATCH_TARGET_S 0.05      /* shortest timed batch: --iters, short --duration */
#define TIMING_BATCH_MAX_S 1.0          /* longest timed batch (as the --size windows) */
#define TIMING_BATCHES_PER_RUN 10       /* a --duration run aims at this many batches */
#define TIMING_LAT_BUDGET_S 0.3         /* latency phase per size */
#define TIMING_WARMUP_BYTES (64ull << 20)   /* automatic warm-up volume */
#define TIMING_WARMUP_MAX_BYTES (256ull << 20) /* cap for an explicit --warmup */
#define TIMING_WARMUP_MAX_S 1.0         /* automatic warm-up stops after this */
#define TIMING_WARMUP_CHUNK_S 0.25      /* one warm-up chunk aims at this */
#define TIMING_FLOOR_BPS 12.5e6         /* 0.1 Gbit/s: assumed before a rate is known */

/* Messages in one timed bandwidth batch: at least max(min(tx_depth,
 * nslots), 1) so the window fills, otherwise about target_s worth at the
 * estimated rate (bytes/s; <= 0 = unknown: the minimum), never more than
 * `left` (0 = no limit). */
uint64_t timing_batch_msgs(double rate_Bps, uint64_t msg_size, int tx_depth, uint64_t nslots,
                           double target_s, uint64_t left);

/* Seconds the next timed bandwidth batch aims at.  Each batch ends with
 * the receiver's acknowledgement (the pipe drains, the batch lasts as long
 * as its slowest stream), a cost per batch, so a longer --duration gets
 * longer batches: duration_s / TIMING_BATCHES_PER_RUN, within
 * [TIMING_BATCH_TARGET_S, TIMING_BATCH_MAX_S], and no longer than the time
 * left (duration_s - elapsed_s) unless that is under TIMING_BATCH_TARGET_S.
 * duration_s <= 0 (--iters): TIMING_BATCH_TARGET_S. */
double timing_batch_s(double duration_s, double elapsed_s);

/* timing_batch_s for a run's options: --iters runs get the shortest
 * batch, --duration runs theirs at elapsed_s into the phase. */
struct run_opts;
double timing_run_batch_s(const struct run_opts *o, double elapsed_s);

/* Warm-up messages: `requested` (0 = automatic: TIMING_WARMUP_BYTES worth,
 * 16..4096 messages) capped at TIMING_WARMUP_MAX_BYTES worth; at least 1. */
uint64_t timing_warmup_msgs(uint64_t requested, uint64_t msg_size);

/* Round trips for latency: given the measured round trip (s, <= 0 =
 * unknown), at most max_iters and about budget_s worth; at least 1.
 * exact: max_iters exactly (explicit --lat-iters). */
uint64_t timing_lat_iters(double rtt_s, uint64_t max_iters, double budget_s, int exact);

/* Calibration round trips before choosing the latency count. */
uint64_t timing_lat_calibration(uint64_t msg_size);

/* The time one unit of a pair's work (a transfer of `bytes`, or round
 * trips moving that many) may take before it fails as stalled: twice what
 * it should take at rate_Bps (<= 0: not yet known, TIMING_FLOOR_BPS is
 * assumed), plus timeout_s (--timeout).  0 when timeout_s <= 0 (no limit). */
double timing_unit_limit_s(double bytes, double rate_Bps, double timeout_s);

/* Seconds of one timed transfer: the transport's span (tp_xfer.span_ns:
 * first message posted to last delivered) when it gave one that fits in
 * the wall time around the call, else that wall time. */
double timing_xfer_s(uint64_t wall_ns, uint64_t span_ns);

/* Gbit/s (10^9 bit/s) of bytes over seconds; 0 when seconds <= 0. */
double timing_gbit_s(uint64_t bytes, double seconds);

#endif
