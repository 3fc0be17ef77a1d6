/* shape_round.h: what the traffic-shape patterns (fanout, kv, alltoall,
 * congestion) share on top of the engine: connections to several peers
 * with a buffer pair and verify state each; rounds whose rows
 * (bench/results/row.h) go to rank 0 over the one row transport
 * (round_reports_gather(), bench/engine/round_report.h) and are written
 * there by the pattern with collect_rows(). */
#ifndef TIERPERF_SHAPE_ROUND_H
#define TIERPERF_SHAPE_ROUND_H

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
    struct tp_error verr;       /* the verification pass's failure, if any */
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

/* A timed transfer over a link's ring: tx or rx, never with the --verify
 * hooks (verification is not timed: see shape_verify_pass). */
struct tp_xfer shape_xfer_tx(struct shape_link *l, uint64_t msg, uint64_t bytes);
struct tp_xfer shape_xfer_rx(struct shape_link *l, uint64_t msg, uint64_t bytes);
/* The untimed verification pass's bytes after a timed transfer of
 * `timed` bytes in messages of msg: a lap of the largest ring a link gets
 * (half of --buffer-size) and one message more, so every slot and the
 * wrap of every ring; no more messages than were timed; 2..4096
 * messages.  The same on every rank (the ends of a link may have rings of
 * different lengths). */
uint64_t shape_check_bytes(const struct bench_engine *e, uint64_t msg, uint64_t timed);
/* ... its transfers: filled (tx) or checked (rx). */
struct tp_xfer shape_xfer_check_tx(struct shape_link *l, uint64_t msg, uint64_t bytes);
struct tp_xfer shape_xfer_check_rx(struct shape_link *l, uint64_t msg, uint64_t bytes);

/* Every rank, after a timed step that ended with st on this rank: with
 * --verify, and when every rank's step succeeded, the verification pass
 * over this rank's links (dir: what this rank does on each, one thread
 * per link).  A link's failure is kept for its row (l->verr).  Without
 * --verify: nothing, not even the agreement. */
void shape_verify_pass(struct bench_engine *e, struct shape_link *links, size_t n,
                       enum shape_dir dir, uint64_t msg, uint64_t timed, tp_status_t st);
/* ... the chain's: the head fills, middle ranks forward (and check), the
 * tail checks, in chunks of msg. */
void shape_verify_relay(struct bench_engine *e, struct shape_link *prev,
                        struct shape_link *next, uint64_t msg, uint64_t timed, tp_status_t st);

/* A row's verification from its link's receive side: verdict, first bad
 * offset and the bytes checked, then cleared; a failed pass fails the
 * row (when it had not failed already). */
void shape_link_verdict(struct shape_link *l, struct result_row *row);

/* Ring length for n links within --buffer-size: at least min_len. */
size_t shape_ring_len(const struct bench_engine *e, size_t nlinks, uint64_t min_len);

/* Every rank: wait for all (bounded by the round budget; abort on expiry). */
void shape_barrier(struct bench_engine *e, const char *where);

/* A shape pattern's round, opening: links to every pair of the round this
 * rank is in (rings of ring_len), agreed by all ranks.  On failure all is
 * undone, the round ended, and TP_ERR_PEER returned. */
tp_status_t shape_round_open(struct bench_engine *e, const struct topo_round *round,
                             size_t ring_len, struct shape_link **links_p, size_t *n_p,
                             const char *name);

/* ... and closing: wait for every rank, close links, send every rank's
 * rows to rank 0 (round_reports_gather), which hands them to record
 * (merge and journal them),
 * then end the round (barrier, next epoch). */
typedef void (*shape_record_fn)(struct bench_engine *e, struct result_row *all, size_t n,
                                void *arg);
void shape_round_close(struct bench_engine *e, struct shape_link *links, size_t nlinks,
                       const struct result_row *rows, size_t nrows, shape_record_fn record,
                       void *arg, const char *name);

/* Every rank: the lowest (worst) status of all ranks, bounded by the
 * round budget (abort on expiry). */
tp_status_t shape_agree(struct bench_engine *e, tp_status_t mine);

/* Peak resident memory of this process, KiB (getrusage). */
double shape_max_rss_kib(void);

#endif
