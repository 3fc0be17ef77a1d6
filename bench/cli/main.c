/* main.c: tierperf's entry point: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "../../common/log.h"
#include "commands.h"
#include "tierperf_version.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "measure bandwidth and latency between MPI ranks (under mpirun)"},
    {"report", cmd_report, "print a results file as a table (--html, --csv)"},
    {"topo", cmd_topo, "read Volcano HyperNodes: tree, node paths, tier matrix"},
    {"check", cmd_check, "pass/fail a results file against an acceptance profile"},
    {"recommend", cmd_recommend, "recommend networkTopology.highestTierAllowed for a need"},
    {"estimate", cmd_estimate, "bandwidth needed to move a model in a target time"},
    {"infer", cmd_infer, "infer HyperNode YAML from measurements; diff with declared"},
    {"compare", cmd_compare, "compare two or more results files side by side"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "tierperf %s: how fast data moves between nodes at every tier of a network\n\n"
            "usage: tierperf COMMAND [OPTIONS]   (tierperf COMMAND --help for each)\n\n"
            "commands:\n",
            TIERPERF_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nunits: Gbit/s = 10^9 bit/s, GB/s = 10^9 byte/s (SI); sizes accept\n"
            "K/M/G (binary, 2^10...) and KB/MB/GB (SI, 10^3...); durations 500ms, 30s,\n"
            "2m, 1h (bare = seconds); one grammar for every command (docs/units.md).\n"
            "exit status: 0 success, 1 a measurement or check failed, 2 bad usage or input\n"
            "example: mpirun -np 8 --map-by ppr:1:node tierperf run --pattern tiers \\\n"
            "           --topology hypernodes.yaml --transport tcp\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tierperf %s\n", TIERPERF_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    tp_log_error("unknown command '%s' (see tierperf --help)", argv[1]);
    return 2;
}
