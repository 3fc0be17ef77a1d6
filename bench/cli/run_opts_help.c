/* run_opts_help.c: `tierperf run --help`, generated from the option
 * tables: the run's own, then each transport's and each pattern's, every
 * row once (an option several transports share is listed under the first). */
#include <string.h>

#include "../patterns/pattern.h"
#include "run_opts.h"

static int listed_before(const struct opt_table *const *t, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        if (opt_table_find(t[i], name) != NULL)
            return 1;
    return 0;
}

/* The rows of table i not listed by an earlier table, under "  TITLE:". */
static void table_help(const struct opt_table *const *t, size_t i, const char *what, FILE *out)
{
    int head = 0;

    for (const struct opt_field *f = t[i]->fields; f->name != NULL; f++) {
        if (listed_before(t, i, f->name))
            continue;
        if (!head)
            fprintf(out, "  with %s %s:\n", what, t[i]->title);
        head = 1;
        opt_field_help(f, out);
    }
}

static int is_transport_table(const struct opt_table *tab)
{
    const struct tp_transport_ops *const *tl = tp_transport_list();

    for (size_t i = 0; tl[i] != NULL; i++)
        if (tl[i]->options == tab)
            return 1;
    return 0;
}

void run_opts_help(FILE *out)
{
    const struct opt_table *const *t = run_opts_tables();

    fprintf(out,
            "usage: mpirun -np N [--map-by ppr:1:node] tierperf run [OPTIONS]\n\n"
            "Measures bandwidth and latency between MPI rank pairs and writes one JSON file\n"
            "(docs/results-schema.md).  Units: bandwidth in Gbit/s = 10^9 bit/s and GB/s =\n"
            "10^9 byte/s; latency in microseconds (half the ping-pong round trip); sizes in\n"
            "bytes with K/M/G/T = 2^10.. (binary) or KB/MB/GB/TB = 10^3.. (SI).\n");
    opt_table_help(t[0], out);
    for (size_t i = 1; t[i] != NULL; i++)
        if (is_transport_table(t[i]))
            table_help(t, i, "--transport", out);
    fprintf(out, "\nTraffic shapes:\n");
    for (size_t i = 1; t[i] != NULL; i++)
        if (!is_transport_table(t[i]))
            table_help(t, i, "--pattern", out);
    fprintf(out,
            "\nFaults (every wait is bounded; docs/results-schema.md):\n"
            "  A transfer that makes no progress for --timeout, or is not done within twice\n"
            "  its expected time (at the rate measured so far; 0.1 Gbit/s before any) plus\n"
            "  --timeout, fails its pair; the other pairs carry on.  The side that fails\n"
            "  tells its peer, which stops waiting as soon as it runs again (so a rank\n"
            "  frozen for 2 x --timeout still ends its round in time), and rank 0.  A rank\n"
            "  that stops answering (frozen, unreachable, killed) ends the run: once its\n"
            "  pair has failed, rank 0 waits for it at the round's end 2 x --timeout + 1 s,\n"
            "  then saves what it has (complete: false) and aborts the job.  So a run ends\n"
            "  within its measurement time plus 3 x --timeout + 1 s per fault (when both\n"
            "  ranks of a pair stop, rank 0 first waits the pair's planned step time plus\n"
            "  6 x --timeout for a report).  Every measurement is in <out>.journal.jsonl\n"
            "  as soon as it is measured.\n"
            "  Rank 0 itself frozen or cut off: a thread of rank 0 sends every rank a\n"
            "  heartbeat at least every 0.5 s, whatever rank 0 does.  Once rank 1 has\n"
            "  heard none for 3 x --timeout (the others 4 x, in case rank 1 cannot) and\n"
            "  another rank hears none either, it names rank 0 and its node in one line\n"
            "  and aborts the job (MPI_Abort, status 1): the run ends\n"
            "  within 4 x --timeout of rank 0 stopping, whatever the sizes and pattern,\n"
            "  and rank 0's journal holds every measurement it received.  (--transport\n"
            "  mpi runs MPI without threads: there, a round's budget,\n"
            "  options.round_budget_s.)\n"
            "  A node cut off: mpirun ends the job only once it knows its daemon there is\n"
            "  lost; give Open MPI short keepalives (--mca oob_tcp_keepalive_time 3\n"
            "  --mca oob_tcp_keepalive_intvl 2 --mca oob_tcp_keepalive_probes 4, as\n"
            "  scripts/sim-mpirun.sh does), else it waits for the link to come back.\n"
            "  SIGINT/SIGTERM: rank 0 saves what it has (complete: false), says\n"
            "  \"interrupted\" in one line and exits 128 + the signal (130, 143); under\n"
            "  mpirun the shell sees mpirun's status (1 with Open MPI 4.1).\n");
    fprintf(out, "\nExit status: 0 all measured, 1 a pair or measurement failed, 2 bad usage,\n"
                 "130/143 interrupted by SIGINT/SIGTERM (results so far saved).\n");
}
