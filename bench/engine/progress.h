/* progress.h: rank 0's progress line (bytes moved, rate, ETA) for long
 * runs, on stderr when it is a terminal, else on the controlling terminal
 * (mpirun hands ranks a pipe for stderr, but ranks it starts locally
 * share its terminal); off when there is none, or with --quiet. */
#ifndef TIERPERF_PROGRESS_H
#define TIERPERF_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
    int enabled;
    FILE *out;                  /* stderr, or the opened terminal */
    double t0, last_print;
    uint64_t bytes;             /* moved in completed rounds */
    uint64_t rounds_done, rounds_total;
};

void progress_init(struct progress *p, int enabled, uint64_t rounds_total);
/* A round finished, having moved bytes. */
void progress_round(struct progress *p, uint64_t bytes);
/* Inside a streamed transfer: moved of total bytes so far at rate_Bps. */
void progress_stream(struct progress *p, uint64_t moved, uint64_t total, double rate_Bps);
/* Ends the line if one was printed; closes the terminal. */
void progress_end(struct progress *p);

/* "12.3 GB" (SI), for progress lines. */
const char *progress_fmt_bytes(uint64_t bytes, char *buf, unsigned len);

#endif
