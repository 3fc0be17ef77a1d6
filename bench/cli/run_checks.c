/* run_checks.c: `tierperf run` input refused up front (run_checks.h), so
 * that a run never starts only to be OOM-killed or to fail after start-up. */
#include "run_checks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/units.h"

/* The first of the launcher's variables that holds a number in [lo, 10^6);
 * dflt when none does (Open MPI, MPICH/Hydra, Slurm). */
static int launcher_var(const char *const vars[3], long lo, int dflt)
{
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        char *end = NULL;
        long n = v != NULL ? strtol(v, &end, 10) : 0;
        if (v != NULL && end != v && *end == '\0' && n >= lo && n < 1000000)
            return (int)n;
    }
    return dflt;
}

/* Ranks the launcher put on this host; 1 when not known. */
static int local_ranks(void)
{
    static const char *const vars[3] = {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS",
                                        "SLURM_NTASKS_PER_NODE"};
    return launcher_var(vars, 1, 1);
}

int run_checks_local_rank(void)
{
    static const char *const vars[3] = {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
                                        "SLURM_LOCALID"};
    return launcher_var(vars, 0, 0);
}

/* MemAvailable from /proc/meminfo in bytes; 0 when not known. */
static unsigned long long mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    unsigned long long kib = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "MemAvailable:", 13) == 0) {
            kib = strtoull(line + 13, NULL, 10);
            break;
        }
    fclose(f);
    return kib * 1024ULL;
}

unsigned long long run_checks_buffer_bytes(const struct run_opts *o, int nlocal)
{
    unsigned long long ring = run_opts_ring_bytes(o), per_rank = ring * (o->bidir ? 2 : 1);

    if (per_rank / (o->bidir ? 2 : 1) != ring || per_rank > ~0ULL / (unsigned)nlocal)
        return ~0ULL;
    return per_rank * (unsigned)nlocal;
}

/* Host buffers only: device memory (--mem cuda) is the GPU's to refuse. */
tp_status_t run_checks_memory(const struct run_opts *o, struct tp_error *err)
{
    int nlocal = local_ranks();
    unsigned long long need = run_checks_buffer_bytes(o, nlocal), avail = mem_available();
    char need_s[32], avail_s[32], msg_s[32], host[256] = "this host";

    if (strcmp(o->mem, "host") != 0 || avail == 0 || need <= avail)
        return TP_OK;
    if (gethostname(host, sizeof(host) - 1) != 0)
        snprintf(host, sizeof(host), "this host");
    units_fmt_size(need, need_s, sizeof(need_s));
    units_fmt_size(avail, avail_s, sizeof(avail_s));
    units_fmt_size(o->stream_bytes > 0 ? o->buffer_size : run_opts_max_msg(o), msg_s,
                   sizeof(msg_s));
    return tp_error_set(err, TP_ERR_INVALID,
                        "%s '%s': buffers of %s per rank%s x %d rank(s) on %s need %s, "
                        "more than the %s of memory available there (MemAvailable, "
                        "/proc/meminfo)",
                        o->stream_bytes > 0 ? "--buffer-size" : "--sizes",
                        o->stream_bytes > 0 ? msg_s : o->sizes_text, msg_s,
                        o->bidir ? " (two with --bidir)" : "", nlocal, host, need_s, avail_s);
}

tp_status_t run_checks_before_mpi(const struct run_opts *o, int rank0, struct tp_error *err)
{
    struct stat sb;

    /* below a second a loaded host's ordinary pauses (scheduling, a
     * connection's first round trips) read as stalls; 0 would disable
     * the deadline that keeps a run from hanging */
    if (o->cfg.timeout_s < RUN_MIN_TIMEOUT_S) {
        char given[32], lim[32];
        return tp_error_set(err, TP_ERR_INVALID, "--timeout %s: must be at least %s",
                            units_fmt_duration(o->cfg.timeout_s, given, sizeof(given)),
                            units_fmt_duration(RUN_MIN_TIMEOUT_S, lim, sizeof(lim)));
    }
    if (rank0 && o->out != NULL && !o->force && stat(o->out, &sb) == 0)
        return tp_error_set(err, TP_ERR_INVALID, "--out %s: exists (%s); pass --force to replace it",
                            o->out, S_ISREG(sb.st_mode) ? "an earlier run's results?" : "not a file");
    if (rank0 && o->out != NULL && o->force && stat(o->out, &sb) == 0 && !S_ISREG(sb.st_mode))
        return tp_error_set(err, TP_ERR_INVALID, "--out %s: exists and is not a file", o->out);
    return TP_OK;
}
