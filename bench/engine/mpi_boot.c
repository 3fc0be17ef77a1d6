/* mpi_boot.c: MPI start and end.  In an AddressSanitizer build two things
 * of Open MPI's, not ours, would swamp the tests: hwloc's PCI discovery
 * (libpciaccess grows a buffer by realloc for every line of pci.ids, which
 * ASan turns into minutes), so such builds skip it unless HWLOC_COMPONENTS
 * is set; and allocations of MCA components that are dlclose'd at
 * init (the ones not selected) or at finalize: their leak reports have no
 * symbols left to suppress.  So MPI_Init runs with leak tracking off for
 * this thread, and the leak check runs just before MPI_Finalize, when
 * everything of ours has been freed and MPI's memory is still reachable
 * (LeakSanitizer then skips its check at exit). */
#include "mpi_boot.h"

#include <mpi.h>
#include <stdlib.h>

#include "run_signal.h"

#if defined(__SANITIZE_ADDRESS__)
#define BOOT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BOOT_ASAN 1
#endif
#endif

#ifdef BOOT_ASAN
#include <sanitizer/lsan_interface.h>
#endif

static int g_provided = MPI_THREAD_SINGLE;

int mpi_boot_init(int *argc, char ***argv, int want_multiple)
{
    int provided = 0;

#ifdef BOOT_ASAN
    setenv("HWLOC_COMPONENTS", "-pci", 0);
    __lsan_disable();
#endif
    run_signal_block();     /* MPI's threads must never take SIGINT/SIGTERM */
    int rc = MPI_Init_thread(argc, argv, want_multiple ? MPI_THREAD_MULTIPLE : MPI_THREAD_FUNNELED,
                             &provided);
    g_provided = provided;
#ifdef BOOT_ASAN
    __lsan_enable();
#endif
    return rc == MPI_SUCCESS ? 0 : -1;
}

int mpi_boot_thread_multiple(void)
{
    return g_provided >= MPI_THREAD_MULTIPLE;
}

void mpi_boot_finalize(void)
{
#ifdef BOOT_ASAN
    __lsan_do_leak_check();
#endif
    MPI_Finalize();
}
