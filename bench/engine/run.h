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

/* Bounds (s) that end a run whatever its faults (run --help states them):
 * a step's (one pair, one size) planned time plus 6 x --timeout: rank 0
 * gives up on a pair silent for that long; a round's: every step of two
 * pairs, after which the other ranks stop waiting at its end. */
double run_step_bound_s(const struct run_opts *o, uint64_t ring_bytes);
double run_round_budget_s(const struct run_opts *o, uint64_t ring_bytes);

#endif
