/* mpi_boot.h: MPI_Init/MPI_Finalize for `run`, with what sanitizer builds
 * need around them (see mpi_boot.c). */
#ifndef TIERPERF_MPI_BOOT_H
#define TIERPERF_MPI_BOOT_H

/* 0 on success.  want_multiple: ask for MPI_THREAD_MULTIPLE (rank 0's
 * report listener; not with --transport mpi, whose measurements the
 * locking would slow), else MPI_THREAD_FUNNELED. */
int mpi_boot_init(int *argc, char ***argv, int want_multiple);
/* MPI_THREAD_MULTIPLE was granted. */
int mpi_boot_thread_multiple(void);
void mpi_boot_finalize(void);

#endif
