/* run_checks.h: `tierperf run` input refused before MPI_Init, beyond what
 * each option's own range says: the buffers must fit in this host's
 * available memory, --timeout has a floor, and an explicit --out never
 * replaces an existing file without --force. */
#ifndef TIERPERF_RUN_CHECKS_H
#define TIERPERF_RUN_CHECKS_H

#include "../../common/status.h"
#include "run_opts.h"

#define RUN_MIN_TIMEOUT_S 1.0   /* --timeout floor: see run_checks.c */

/* rank0: this process is the launcher's rank 0 (it alone writes --out).
 * TP_ERR_INVALID with one line naming the option when refused. */
tp_status_t run_checks_before_mpi(const struct run_opts *o, int rank0, struct tp_error *err);

/* The buffers of every rank on this host fit in its available memory
 * (MemAvailable); host memory only.  Checked by every rank: the first rank
 * on each host says so (run_checks_local_rank() == 0). */
tp_status_t run_checks_memory(const struct run_opts *o, struct tp_error *err);
int run_checks_local_rank(void);   /* this rank's index on its host, 0 when unknown */

/* Host memory the run's buffers take on this host: per rank (a ring of
 * the largest message, two with --bidir) times the ranks on this host. */
unsigned long long run_checks_buffer_bytes(const struct run_opts *o, int local_ranks);

#endif
