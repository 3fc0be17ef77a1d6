/* engine.h: the run engine's shared state and the pieces that drive a
 * round: per-pair measurement (pair_*.c), rounds and reports to rank 0
 * (round.c, round_report.c; rows are written by bench/results/collect.c).
 * One struct bench_engine per rank, built by run.c. */
#ifndef TIERPERF_ENGINE_H
#define TIERPERF_ENGINE_H

#include <stdint.h>

#include "../../topology/topology.h"
#include "../../transports/transport.h"
#include "ctrl_mpi.h"
#include "../patterns/pattern.h"
#include "progress.h"
#include "../cli/run_opts.h"
#include "stats.h"
#include "verify.h"
#include "../results/collect.h"
#include "../results/row.h"

struct results_writer;

/* A pair's outcome: results for the sizes it reached. */
struct pair_report {
    int32_t src, dst;
    int32_t status;             /* pair-level failure (connect, peer) */
    int32_t nres;
    char error[240];
};

struct bench_engine {
    const struct run_opts *o;
    const struct bench_pattern *pattern;
    const struct tp_transport_ops *ops;
    void *tctx;
    struct ctrl_mpi *cm;
    int rank, nranks;
    const char *const *node_of_rank;
    const struct topo *topo;
    const struct tp_mem *mem;
    struct tp_buf bufs[2];      /* [0] send / ping-pong, [1] receive with --bidir */
    const struct tp_link_info *links;   /* every rank's */
    double round_budget_s;      /* bound on one round's duration (run.h) */
    double step_bound_s;        /* bound on one (pair, size) step (run.h) */
    int report_thread;          /* rank 0 may listen for reports in a thread */
    unsigned epoch;
    size_t nsteps;              /* results per pair (sizes, or 1 with --size) */
    /* rank 0 */
    struct results_writer *w;
    int nerrors;
    struct progress *prog;
};

/* Called by pair_run on both ranks of a pair after each step (index in
 * the sizes), measured or failed: r is the sender's result, NULL on the
 * other rank. */
typedef void (*pair_step_fn)(void *arg, size_t step, const struct result_row *r);

/* Both ranks of a pair call it on a connected endpoint; the sender fills
 * rep and res[0..nsteps).  Returns non-OK when the pair had to stop (the
 * connection is then unusable); failures are recorded in rep/res.
 * on_step (may be NULL) gets each step as soon as it is done. */
tp_status_t pair_run(struct bench_engine *e, const struct topo_pair *p, void *ep,
                     tp_status_t connect_status, struct pair_report *rep,
                     struct result_row *res, pair_step_fn on_step, void *arg);

/* One side of a pair at work. */
struct pair_ctx {
    struct bench_engine *e;
    int sender;                 /* this rank sends (and initiates ping-pong) */
    int peer;
    void *ep;
    struct verify_ctx *vtx, *vrx;   /* NULL without --verify */
    int peer_knows;             /* a sync carried a failure: both sides know */
    tp_status_t peer_failed;    /* the peer's notice: how it failed (else TP_OK) */
};

/* Steps of one (pair, size): bandwidth (or the --size stream) and
 * latency.  Both peers call them in the same order. */
tp_status_t pair_bandwidth(struct pair_ctx *pc, uint64_t size, struct result_row *r,
                           struct tp_error *err);
tp_status_t pair_stream(struct pair_ctx *pc, struct result_row *r, struct tp_error *err);
tp_status_t pair_latency(struct pair_ctx *pc, uint64_t size, struct result_row *r,
                         struct tp_error *err);

/* Loss over the timed phase: read the counters before it (*before), and
 * after it fill *loss with the difference; with --bidir the peer's TCP
 * counts are added (a pair_sync both sides make).  Counters the transport
 * cannot read stay absent. */
void pair_loss_begin(struct pair_ctx *pc, struct tp_counters *before);
tp_status_t pair_loss_end(struct pair_ctx *pc, const struct tp_counters *before,
                          struct row_loss *loss, struct tp_error *err);
/* The same for any endpoint (the traffic shapes' links): its counters now
 * (unreadable: all zero, nothing set), and *loss = after - before, what
 * this side sent (no peer's share). */
void loss_counters_read(const struct tp_transport_ops *ops, void *ep, struct tp_counters *c);
void loss_delta(const struct tp_counters *before, const struct tp_counters *after,
                struct row_loss *loss);

/* A small message both peers send each other between steps, carrying each
 * side's status and a value (batch size, iteration count). */
struct pair_sync {
    int32_t status;
    uint32_t step;
    uint64_t value;
    uint64_t value2;
};
/* Non-OK when the exchange fails or either side reports a failure (err
 * then names the peer). */
tp_status_t pair_sync(struct pair_ctx *pc, const struct pair_sync *out, struct pair_sync *in,
                      struct tp_error *err);

/* Bound this thread's next transport calls for the pair (tp_deadline.h):
 * done within timing_unit_limit_s(bytes, rate_Bps, --timeout) from now, or
 * they fail with TP_ERR_TIMEOUT.  pair_unlimit() lifts the bound. */
void pair_limit(const struct pair_ctx *pc, double bytes, double rate_Bps);
void pair_unlimit(void);

/* The pairwise pattern engine: run one round (pattern.h run_round). */
tp_status_t round_run_pairs(struct bench_engine *e, const struct topo_tier_plan *tier,
                            const struct topo_round *round);

/* Rank 0: record a measured (pair, size) in the results writer (the
 * journal has it at once), and a pair's outcome once it is done. */
void collect_step(struct bench_engine *e, const struct topo_pair *p, const struct result_row *r);
void collect_pair_end(struct bench_engine *e, const struct topo_pair *p,
                      const struct pair_report *rep);
/* The pairwise engine's row hooks for a step of pair p (collect.h). */
struct row_hooks collect_pair_hooks(const struct topo_pair *p);
/* Rank 0: a pair whose report never came (timeout). */
void collect_missing(struct bench_engine *e, const struct topo_pair *p, const char *why);

/* results_finish's tier-name lookup; arg is the struct topo (or NULL). */
const char *collect_tier_name(void *arg, int tier);

/* Rank 0: save what was measured and abort the job (deadline passed). */
void engine_abort(struct bench_engine *e, const char *why) __attribute__((noreturn));

#endif
