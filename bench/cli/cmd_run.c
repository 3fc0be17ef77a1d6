/* cmd_run.c: `tierperf run`: options and --topology are checked before
 * MPI_Init (one line from the first rank, exit 2, no MPI noise); then
 * MPI_Init, the run (run.c), MPI_Finalize. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"
#include "commands.h"
#include "../engine/mpi_boot.h"
#include "../engine/run.h"
#include "run_checks.h"
#include "run_opts.h"

/* The launcher's rank before MPI_Init, so only one rank prints a usage
 * error (SLURM_PROCID: srun without PMIx); 0 when not under a launcher. */
static int launcher_rank(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK",
                                       "SLURM_PROCID"};

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);
        if (v == NULL || v[0] == '\0')
            continue;
        char *end = NULL;
        long r = strtol(v, &end, 10);
        if (*end == '\0' && r >= 0 && r <= INT_MAX)
            return (int)r;
        /* not a rank: try the next variable */
    }
    return 0;
}

/* Bad input: the first rank prints the line; the others wait a little
 * before exiting, because mpirun ends the whole job as soon as one rank
 * exits non-zero, which could kill the first rank before it has written. */
static int usage_exit(int first)
{
    if (!first)
        sleep(2);
    return 2;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    struct tp_error err = {0};
    struct topo *topo = NULL;
    int help = 0, rc;
    int first = launcher_rank() == 0;

    tp_log_set_rank(-1);
    if (run_opts_parse(argc, argv, &o, &help, &err) != TP_OK) {
        if (first)
            tp_log_error("%s", err.msg);
        run_opts_free(&o);
        return usage_exit(first);
    }
    if (help) {
        if (first)
            run_opts_help(stdout);
        run_opts_free(&o);
        return 0;
    }
    tp_log_set_level(o.quiet ? TP_LOG_WARN : o.verbose >= 2 ? TP_LOG_DEBUG : o.verbose ? TP_LOG_INFO : TP_LOG_WARN);
    if (o.topology != NULL && topo_load(o.topology, o.nodes, &topo, &err) != TP_OK) {
        if (first)
            tp_log_error("--topology: %s", err.msg);
        run_opts_free(&o);
        return usage_exit(first);
    }
    tp_status_t st = run_checks_before_mpi(&o, first, &err);
    int mem_refused = st == TP_OK && (st = run_checks_memory(&o, &err)) != TP_OK;
    if (st != TP_OK) {
        /* memory differs per host: the first rank of each host speaks */
        if (first || (mem_refused && run_checks_local_rank() == 0))
            tp_log_error("%s", err.msg);
        topo_free(topo);
        run_opts_free(&o);
        return usage_exit(first);
    }
    if (mpi_boot_init(&argc, &argv, strcmp(o.transport, "mpi") != 0) != 0) {
        tp_log_error("MPI_Init failed (run under mpirun)");
        topo_free(topo);
        run_opts_free(&o);
        return 1;
    }
    rc = run_main(&o, topo, argc, argv);
    mpi_boot_finalize();
    topo_free(topo);
    run_opts_free(&o);
    return rc;
}
