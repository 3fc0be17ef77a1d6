/* run.h: `tierperf run` after MPI_Init: set up every rank (secret, node
 * names, topology binding, plan, transport, memory, CPU binding,
 * environment), drive the pattern's rounds, and let rank 0 write the
 * results.  Returns the exit status, the same on every rank. */
#ifndef TIERPERF_RUN_H
#define TIERPERF_RUN_H

#include "../../topology/topology.h"
#include "../cli/run_opts.h"

/* topo: loaded before MPI_Init (--topology), or NULL. */
int run_main(const struct run_opts *opts, struct topo *topo, int argc, char **argv);

/* A generous upper bound on one round's duration (s): measurement time at
 * a floor rate of 0.1 Gbit/s plus several --timeout.  Waits at round ends
 * give up after it. */
double run_round_budget_s(const struct run_opts *o, uint64_t ring_bytes);

#endif
