/* round_report.h: the reports of a round's pairs to rank 0, one message
 * per measured (pair, size) as soon as it is measured, then one per pair
 * with its outcome, so rank 0 journals every measurement at once and a
 * killed run loses nothing already measured.
 *
 * Senders post each message with MPI_Isend (small: eager) and never wait
 * on rank 0 while measuring; they complete the sends at the end of the
 * round.  Rank 0 records its own pairs' steps directly; a listener thread
 * of its own takes the others' as they come (MPI_Iprobe every
 * millisecond), whatever rank 0's own pair is doing.  Where MPI offers no
 * MPI_THREAD_MULTIPLE (and with --transport mpi, whose measurements it
 * would slow), rank 0 takes them after each of its own steps and at every
 * control exchange of its own pair instead, that is between any two units
 * of its work (a warm-up chunk, a ~50 ms batch, a set of round trips: each
 * bounded by pair_limit).  At the end
 * of the round rank 0 waits for the rest: a pair from which nothing came
 * for a step's bound (run_step_bound_s) is given up and recorded as
 * failed while the others carry on; then the job is aborted with the
 * results so far saved (its rank cannot be relied on to end the round). */
#ifndef TIERPERF_ROUND_REPORT_H
#define TIERPERF_ROUND_REPORT_H

#include <mpi.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct round_report_msg;

struct round_reports {
    struct bench_engine *e;
    const struct topo_round *round;
    int tag;                        /* one per epoch, both message kinds */
    /* senders: posted messages (kept alive until their send completes) */
    struct round_report_msg *out;
    MPI_Request *reqs;
    size_t nout, capout;
    /* rank 0: per pair, steps recorded and whether its outcome came */
    int32_t *got;
    unsigned char *ended;
    double *last;                   /* when its last report came */
    size_t given_up;                /* pairs abandoned for silence */
    size_t waiting;                 /* pairs whose outcome has not come */
    uint64_t bytes;                 /* moved by the recorded steps */
    struct round_report_msg *in;    /* receive buffer */
    /* rank 0's listener thread (MPI_THREAD_MULTIPLE), guarded by lock */
    pthread_t listener;
    pthread_mutex_t lock;
    int listening, stop_listening;
};

/* Every rank, at the start of a round; npairs: how many of the round's
 * pairs this rank is in (a sender reports each step and the end, a
 * receiver a failure).  Aborts the job when out of memory. */
void round_reports_open(struct round_reports *rr, struct bench_engine *e,
                        const struct topo_round *round, int tag, size_t npairs);

/* A step (index in the sizes) of pair round->pairs[pair] is done on this
 * rank.  The sender passes its result (sent to rank 0, or recorded at once
 * by rank 0 itself); the other side passes NULL.  On rank 0 either way,
 * the reports that have arrived are recorded. */
void round_reports_step(struct round_reports *rr, size_t pair, size_t step,
                        const struct result_row *r);
/* The sender of round->pairs[pair] is done with it: its outcome (status,
 * error; rep->nres steps); or its receiver failed it (rep->status). */
void round_reports_end(struct round_reports *rr, size_t pair, const struct pair_report *rep);

/* End of this rank's measurements: rank 0 waits for the reports still to
 * come, others for their sends to complete; within the round's budget,
 * else the job is aborted (rank 0 saving what it has). */
void round_reports_finish(struct round_reports *rr);
void round_reports_close(struct round_reports *rr);
/* Rank 0: record the reports that have come, without waiting (the
 * control plane's idle hook; arg is the struct round_reports). */
void round_reports_poll(void *arg);
/* Rank 0, with MPI_THREAD_MULTIPLE: a thread records reports as they come
 * until round_reports_finish (or close); others: no-op. */
void round_reports_listen(struct round_reports *rr);
void round_reports_unlisten(struct round_reports *rr);

#endif
