/* mpi_boot.h: MPI_Init/MPI_Finalize for `run`, with what sanitizer builds
 * need around them (see mpi_boot.c). */
#ifndef TIERPERF_MPI_BOOT_H
#define TIERPERF_MPI_BOOT_H

/* 0 on success. */
int mpi_boot_init(int *argc, char ***argv);
void mpi_boot_finalize(void);

#endif
