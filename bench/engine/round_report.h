/* round_report.h: the one transport of result rows to rank 0.  Every
 * pattern's rows travel here: the pairwise engine's (pair, size) steps one
 * message each as soon as they are measured, then one message per pair
 * with its outcome, so rank 0 journals every measurement at once and a
 * killed run loses nothing already measured; the traffic shapes' rows
 * (round_reports_gather(), round_gather.c) the same way at the end of
 * their round, where rank 0 needs them all to merge them.  A stream has
 * units (a pairwise round's pairs; a shape round's ranks), each sent by
 * its src rank; rank 0 hands what comes to a sink.
 *
 * Senders post each message with MPI_Isend (small: eager) and never wait
 * on rank 0 while measuring; they complete the sends at the end of the
 * round.  Rank 0 delivers its own units' rows directly; a listener thread
 * of its own takes the others' as they come (MPI_Iprobe every
 * millisecond), whatever rank 0's own pair is doing.  Where MPI offers no
 * MPI_THREAD_MULTIPLE (and with --transport mpi, whose measurements it
 * would slow), rank 0 takes them after each of its own steps and at every
 * control exchange of its own pair instead, that is between any two units
 * of its work (a warm-up chunk, a ~50 ms batch, a set of round trips: each
 * bounded by pair_limit).  At the end of the round rank 0 waits for the
 * rest: a unit from which nothing came for the stream's silence bound
 * (pairs: a step's bound, run_step_bound_s) is given up (the sink's
 * missing) while the others carry on; the caller then aborts the job
 * with the results so far saved (its rank cannot be relied on to end the
 * round). */
#ifndef TIERPERF_ROUND_REPORT_H
#define TIERPERF_ROUND_REPORT_H

#include <mpi.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct round_report_msg;

/* What rank 0 does with what comes (each hook may be NULL); u is the
 * unit, its rows come in order (step 0, 1, ...). */
struct round_sink {
    void (*row)(void *arg, const struct topo_pair *u, size_t step, const struct result_row *r);
    /* u's outcome: its src's end, or a failure its dst reported */
    void (*end)(void *arg, const struct topo_pair *u, const struct pair_report *rep);
    /* u given up: nothing from it for silence_s, got rows in */
    void (*missing)(void *arg, const struct topo_pair *u, size_t got, double silence_s);
    void *arg;
};

/* A stream: its units (src sends; dst, if a rank, may fail it), the most
 * rows a unit has, the most messages this rank posts, and how long rank 0
 * waits for a silent unit (and a sender for rank 0) before giving up. */
struct round_stream {
    const struct topo_pair *units;
    size_t nunits;
    size_t max_rows;
    size_t nposts;
    double silence_s;
    struct round_sink sink;
};

struct round_reports {
    struct bench_engine *e;
    struct round_stream s;
    int tag;                        /* one per epoch, both message kinds */
    /* senders: posted messages (kept alive until their send completes) */
    struct round_report_msg *out;
    MPI_Request *reqs;
    size_t nout, capout;
    /* rank 0: per unit, rows recorded and whether its outcome came */
    int32_t *got;
    unsigned char *ended;
    double *last;                   /* when its last report came */
    size_t given_up;                /* units abandoned for silence */
    size_t waiting;                 /* units whose outcome has not come */
    uint64_t bytes;                 /* moved by the recorded rows */
    struct round_report_msg *in;    /* receive buffer */
    /* rank 0's listener thread (MPI_THREAD_MULTIPLE), guarded by lock */
    pthread_t listener;
    pthread_mutex_t lock;
    int listening, stop_listening;
};

/* Every rank, at the start of a round (tag from e->epoch).  Aborts the
 * job when out of memory. */
void round_reports_open(struct round_reports *rr, struct bench_engine *e,
                        const struct round_stream *s);

/* Row `step` of unit s->units[unit] is done on this rank.  Its sender
 * passes the row (sent to rank 0, or handed to the sink at once by rank 0
 * itself); the other side passes NULL.  On rank 0 either way, the
 * reports that have arrived are handed on. */
void round_reports_step(struct round_reports *rr, size_t unit, size_t step,
                        const struct result_row *r);
/* The sender of a unit is done with it: its outcome (status, error;
 * rep->nres rows); or its dst failed it (rep->status). */
void round_reports_end(struct round_reports *rr, size_t unit, const struct pair_report *rep);

/* End of this rank's part: rank 0 waits for the reports still to come,
 * giving up on silent units, and returns how many it gave up (0 on the
 * others, which wait for their sends to complete within the silence
 * bound, else abort the job). */
size_t round_reports_finish(struct round_reports *rr);
void round_reports_close(struct round_reports *rr);
/* Rank 0: hand on the reports that have come, without waiting (the
 * control plane's idle hook; arg is the struct round_reports). */
void round_reports_poll(void *arg);
/* Rank 0, with MPI_THREAD_MULTIPLE: a thread hands on reports as they
 * come until round_reports_finish (or close); others: no-op. */
void round_reports_listen(struct round_reports *rr);
void round_reports_unlisten(struct round_reports *rr);

/* The traffic shapes' use of the stream (round_gather.c): every rank
 * sends its rows (n_mine each); rank 0 returns them all (malloc'd) in
 * rank order, others NULL.  A rank whose rows do not come within the
 * round budget: TP_ERR_TIMEOUT on rank 0. */
tp_status_t round_reports_gather(struct bench_engine *e, const struct result_row *mine,
                                 size_t n_mine, struct result_row **all_p, size_t *n_all_p);

#endif
