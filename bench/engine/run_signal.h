/* run_signal.h: SIGINT and SIGTERM during `tierperf run`.
 *
 * mpirun, asked to stop, sends its ranks SIGCONT, then SIGTERM about a
 * second later and SIGKILL half a second after that (Open MPI 4.1); srun
 * and a terminal send SIGINT or SIGTERM.  So rank 0 saves on the signal
 * itself, not when its measurement next pauses: a thread of its own waits
 * for the signal (sigwait), and then, holding the lock every results write
 * takes, writes the results so far (complete: false), says "interrupted"
 * in one line and exits with RUN_SIGNAL_EXIT_BASE + the signal's number
 * (130 for SIGINT, 143 for SIGTERM).  The other ranks end with the same
 * status RUN_SIGNAL_LINGER_S seconds later, so that rank 0 is not killed
 * by the launcher as soon as they are gone.
 *
 * The signals are blocked before MPI_Init so the threads MPI starts never
 * take them. */
#ifndef TIERPERF_RUN_SIGNAL_H
#define TIERPERF_RUN_SIGNAL_H

#include "../../common/status.h"

struct results_writer;

#define RUN_SIGNAL_EXIT_BASE 128
#define RUN_SIGNAL_LINGER_S 2

/* Before MPI_Init (and before any other thread starts). */
void run_signal_block(void);
/* After MPI_Init: start the thread that waits for the signals.  0 on
 * success. */
int run_signal_start(int rank);

/* Rank 0: the writer a signal saves (NULL: nothing to save yet), with the
 * tier-name lookup for its summary (arg: struct topo or NULL). */
void run_signal_attach(struct results_writer *w, const void *topo);
/* Around every use of the attached writer. */
void run_signal_lock(void);
void run_signal_unlock(void);

/* Rank 0: results_finish of w under the lock, w detached in the same hold,
 * so a signal after it saves nothing again (a complete file rewritten as
 * complete: false). */
tp_status_t run_signal_finish(struct results_writer *w, int complete, const void *topo,
                              struct tp_error *err);

/* Before the process ends other than by the signal thread (MPI_Abort): a
 * save under way in another thread ends the process itself (its temp file
 * renamed or removed), so this waits for it; then holds the lock for good,
 * so no save starts while the process goes.  Harmless in a thread that
 * holds the lock, or where no writer is attached. */
void run_signal_quiesce(void);

#endif
