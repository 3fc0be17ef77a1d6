/* shape_round.h: what the traffic-shape patterns (fanout, kv, alltoall,
 * congestion) share on top of the engine: connections to several peers
 * with a buffer pair and verify state each, and rows of results sent to
 * rank 0 and journalled there. */
#ifndef TIERPERF_SHAPE_ROUND_H
#define TIERPERF_SHAPE_ROUND_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "../engine/engine.h"
#include "../engine/shape.h"

/* One connected peer of this rank, with its own send and receive rings
 * (so concurrent peers never share a slot) and verify state. */
struct shape_link {
    int peer;
    void *ep;
    struct tp_buf tx, rx;
    struct verify_ctx vtx, vrx;
    int verify;                 /* --verify: vtx/vrx in use */
};

/* Connect this rank to every edge it is in.  Edges are unordered pairs,
 * the same list in the same order on every rank: each rank connects its
 * edges in that order, which cannot deadlock (the first unfinished edge
 * always has both ranks waiting on it).  Each link gets rings of
 * ring_len bytes (allocated in --mem memory, registered).  *links_p is
 * malloc'd with one entry per edge this rank is in (*n_p). */
tp_status_t shape_links_open(struct bench_engine *e, const struct topo_pair *edges,
                             size_t nedges, size_t ring_len, struct shape_link **links_p,
                             size_t *n_p, struct tp_error *err);
void shape_links_close(struct bench_engine *e, struct shape_link *links, size_t n);
struct shape_link *shape_link_to(struct shape_link *links, size_t n, int peer);

/* A transfer over a link's ring: tx (fill when verifying) or rx (check). */
struct tp_xfer shape_xfer_tx(struct shape_link *l, uint64_t msg, uint64_t bytes);
struct tp_xfer shape_xfer_rx(struct shape_link *l, uint64_t msg, uint64_t bytes);
/* The link's receive verdict as a pair_verify value, then cleared. */
int32_t shape_link_verdict(struct shape_link *l, uint64_t *offset_p);

/* Ring length for n links within --buffer-size: at least min_len. */
size_t shape_ring_len(const struct bench_engine *e, size_t nlinks, uint64_t min_len);

/* One result row, plain data so it can travel to rank 0. */
struct shape_row {
    int32_t src, dst;
    int32_t status;             /* tp_status_t */
    int32_t verify;             /* enum pair_verify */
    int32_t has_lat;
    int32_t kind;               /* pattern-specific (mode, phase) */
    uint64_t size_bytes, iters, bytes_total, verify_offset;
    double seconds;
    struct stats_lat lat;
    double x[4];                /* pattern-specific figures */
    char error[200];
};

/* Marks a row failed: "what: msg" (msg NULL or empty: the status text). */
void shape_row_fail(struct shape_row *row, tp_status_t st, const char *what, const char *msg);

/* Rank 0 gathers every rank's rows (n_mine each elsewhere) and returns
 * them all (malloc'd) in rank order; other ranks send theirs and get
 * NULL.  Bounded by the round budget. */
tp_status_t shape_rows_gather(struct bench_engine *e, const struct shape_row *mine,
                              size_t n_mine, struct shape_row **all_p, size_t *n_all_p);

/* Rank 0: a failed row becomes an errors[] entry of the results (logged). */
void shape_row_error(struct bench_engine *e, const struct shape_row *r, tp_status_t st,
                     const char *msg);

/* Rank 0: journal rows as results entries; extra_fn (may be NULL) adds
 * the pattern's fields to each entry's extra object. */
typedef void (*shape_extra_fn)(const struct shape_row *row, cJSON *extra, void *arg);
void shape_rows_record(struct bench_engine *e, const struct shape_row *rows, size_t n,
                       shape_extra_fn extra_fn, void *arg);

/* Every rank: wait for all (bounded by the round budget; abort on expiry). */
void shape_barrier(struct bench_engine *e, const char *where);

/* A shape pattern's round, opening: links to every pair of the round this
 * rank is in (rings of ring_len), agreed by all ranks.  On failure all is
 * undone, the round ended, and TP_ERR_PEER returned. */
tp_status_t shape_round_open(struct bench_engine *e, const struct topo_round *round,
                             size_t ring_len, struct shape_link **links_p, size_t *n_p,
                             const char *name);

/* ... and closing: wait for every rank, close links, gather every rank's
 * rows to rank 0, which hands them to record (merge and journal them),
 * then end the round (barrier, next epoch). */
typedef void (*shape_record_fn)(struct bench_engine *e, struct shape_row *all, size_t n,
                                void *arg);
void shape_round_close(struct bench_engine *e, struct shape_link *links, size_t nlinks,
                       const struct shape_row *rows, size_t nrows, shape_record_fn record,
                       void *arg, const char *name);

/* Every rank: the lowest (worst) status of all ranks, bounded by the
 * round budget (abort on expiry). */
tp_status_t shape_agree(struct bench_engine *e, tp_status_t mine);

/* Peak resident memory of this process, KiB (getrusage). */
double shape_max_rss_kib(void);

#endif
