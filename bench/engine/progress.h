/* progress.h: rank 0's progress (rounds and pairs done, bytes moved, rate,
 * ETA) for long runs.  On a terminal (stderr, else the controlling terminal:
 * mpirun hands ranks a pipe for stderr, but ranks it starts locally share
 * its terminal) one updating line.  Without a terminal (kubectl logs, Slurm
 * output files) whole lines on stderr, at most one every
 * PROGRESS_LOG_EVERY_S seconds; TIERPERF_PROGRESS_S=N sets N and asks for
 * lines even on a terminal.  Off with --quiet. */
#ifndef TIERPERF_PROGRESS_H
#define TIERPERF_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct topo_plan;

#define PROGRESS_LOG_EVERY_S 10.0

struct progress {
    int enabled;
    int lines;                  /* 1: whole lines (no terminal), 0: one updating line */
    double every_s;             /* lines: seconds between two */
    FILE *out;                  /* stderr, or the opened terminal */
    uint64_t *round_pairs;      /* pairs of each round in plan order, or NULL */
    uint64_t pairs_done, pairs_total;
    double t0, last_print;
    double round_t0;            /* when the round in progress began */
    double last_wait;           /* the last line inside a round (never delays the others) */
    uint64_t bytes;             /* moved in completed rounds */
    uint64_t rounds_done, rounds_total;
};

void progress_init(struct progress *p, int enabled, uint64_t rounds_total);
/* The plan the rounds come from, for the pair counts (may be skipped). */
void progress_plan(struct progress *p, const struct topo_plan *plan);
/* A round finished, having moved bytes. */
void progress_round(struct progress *p, uint64_t bytes);
/* Inside a streamed transfer: moved of total bytes so far at rate_Bps. */
void progress_stream(struct progress *p, uint64_t moved, uint64_t total, double rate_Bps);
/* Inside a round: once it has run every_s with no line for as long, a
 * line saying how long it has run and what it waits for (describe writes
 * that, called only then), so a long round is never mistaken for a
 * stalled one.  May be called from rank 0's report listener. */
void progress_waiting(struct progress *p, void (*describe)(void *arg, char *buf, size_t len),
                      void *arg);
/* Ends the line if one was printed; closes the terminal. */
void progress_end(struct progress *p);

/* "12.3 GB" (SI), for progress lines. */
const char *progress_fmt_bytes(uint64_t bytes, char *buf, unsigned len);

#endif
