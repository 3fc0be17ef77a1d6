/* round_report.h: the reports of a round's pairs to rank 0, one message
 * per measured (pair, size) as soon as it is measured, then one per pair
 * with its outcome, so rank 0 journals every measurement at once and a
 * killed run loses nothing already measured.
 *
 * Senders post each message with MPI_Isend (small: eager) and never wait
 * on rank 0 while measuring; they complete the sends at the end of the
 * round.  Rank 0 records its own pairs' steps directly, takes what has
 * arrived between its own steps (MPI_Iprobe, never blocking), and at the
 * end of the round waits for the rest, each wait bounded by the round's
 * budget; a pair whose report does not come is recorded as failed and the
 * job is aborted with the results so far saved. */
#ifndef TIERPERF_ROUND_REPORT_H
#define TIERPERF_ROUND_REPORT_H

#include <mpi.h>
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
    size_t waiting;                 /* pairs whose outcome has not come */
    uint64_t bytes;                 /* moved by the recorded steps */
    struct round_report_msg *in;    /* receive buffer */
};

/* Every rank, at the start of a round; pairs_sent: how many of the
 * round's pairs this rank sends in (it reports them).  Aborts the job when
 * out of memory. */
void round_reports_open(struct round_reports *rr, struct bench_engine *e,
                        const struct topo_round *round, int tag, size_t pairs_sent);

/* A step (index in the sizes) of pair round->pairs[pair] is done on this
 * rank.  The sender passes its result (sent to rank 0, or recorded at once
 * by rank 0 itself); the other side passes NULL.  On rank 0 either way,
 * the reports that have arrived are recorded. */
void round_reports_step(struct round_reports *rr, size_t pair, size_t step,
                        const struct pair_result *r);
/* The sender of round->pairs[pair] is done with it: its outcome (status,
 * error; rep->nres steps). */
void round_reports_end(struct round_reports *rr, size_t pair, const struct pair_report *rep);

/* End of this rank's measurements: rank 0 waits for the reports still to
 * come, others for their sends to complete; within the round's budget,
 * else the job is aborted (rank 0 saving what it has). */
void round_reports_finish(struct round_reports *rr);
void round_reports_close(struct round_reports *rr);

#endif
