/* ctrl_beat.h: the other ranks notice when rank 0 stops answering.
 *
 * Rank 0 runs the control plane: every bound of a round is kept by it
 * (round.c), so when it is frozen (SIGSTOP) or cut off, nobody would end
 * the job before a round's budget.  So rank 0 has a thread of its own that
 * sends every other rank a heartbeat every CTRL_BEAT_INTERVAL_S at most,
 * whatever its main thread is doing (its own long transfer, writing the
 * results); a SIGSTOP stops that thread too, which is how the others tell
 * "frozen" from "busy".  On every other rank a watch thread takes the
 * heartbeats.  When one has heard nothing for CTRL_BEAT_SILENT_X x
 * --timeout, it asks another rank whether it hears rank 0: the answer "no"
 * means rank 0 is gone, and the watcher ends the job (one line naming rank
 * 0 and its node, then MPI_Abort); the answer "yes", or none, means this
 * rank is the one cut off, and rank 0 deals with it (its pair fails, the
 * others carry on).  With two ranks there is nobody to ask: the job is the
 * one pair, and it ends.  An unanswered question is put to the next rank
 * after --timeout.  Rank 1 acts first; the others act a --timeout later,
 * in case rank 1 cannot (so that one rank, not all, says why the job
 * ends): the job ends within 4 x --timeout of rank 0 stopping.
 *
 * The heartbeats travel on their own communicator from threads, so they
 * need MPI_THREAD_MULTIPLE (not given to --transport mpi, whose
 * measurements it would slow): without it nothing starts, and the round's
 * budget stays the bound. */
#ifndef TIERPERF_CTRL_BEAT_H
#define TIERPERF_CTRL_BEAT_H

#include <mpi.h>
#include <pthread.h>

#define CTRL_BEAT_INTERVAL_S 0.5
#define CTRL_BEAT_SILENT_X 3

struct ctrl_beat {
    MPI_Comm comm;
    int rank, size;
    double timeout_s;
    char node0[128];            /* rank 0's node, for the message */
    char journal[512];          /* where rank 0 keeps what it received */
    pthread_t thread;
    pthread_mutex_t lock;
    int have_comm, running, stop;
};

/* Every rank, collectively (duplicates world), right after MPI_Init so
 * that every later wait, blocking collectives included, is watched;
 * threads start only when threaded is non-zero (MPI_THREAD_MULTIPLE).
 * timeout_s: --timeout (<= 0: 60 s).  out: --out, whose journal the
 * message names.  Returns 0, or -1 when no watch runs (then the caller
 * says so, once). */
int ctrl_beat_start(struct ctrl_beat *b, MPI_Comm world, int threaded, double timeout_s,
                    const char *out);
/* Rank 0's node, for the message, once the ranks have agreed on names. */
void ctrl_beat_name(struct ctrl_beat *b, const char *node0);
/* Every rank, before MPI_Finalize; safe on a never-started one. */
void ctrl_beat_stop(struct ctrl_beat *b);

#endif
