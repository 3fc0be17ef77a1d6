/* pattern_sweep.c: `--pattern sweep`: every node's access link and every
 * HyperNode uplink crossed TOPO_SWEEP_TIMES times each way, by
 * independent pairs, in rounds where no two pairs share a directed link:
 * the input `check` names a culprit from, in rounds that grow with the
 * tiers, not with the nodes (topology/topo_sweep.c). */
#include "pattern.h"

static tp_status_t pattern_plan_sweep(const struct pattern_input *in, struct topo_plan **plan_p,
                                      struct tp_error *err)
{
    if (in->topo == NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--pattern sweep: needs --topology FILE");
    if (in->nranks < 2)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern sweep: needs at least 2 ranks (run under mpirun)");
    tp_status_t st = topo_plan_sweep(in->topo, in->node_of_rank, in->nranks, TOPO_SWEEP_TIMES,
                                     plan_p, err);
    if (st == TP_OK && (*plan_p)->ntiers == 0) {
        topo_plan_free(*plan_p);
        *plan_p = NULL;
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern sweep: no two nodes of the ranks meet under any HyperNode "
                            "(one node only?)");
    }
    return st;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_sweep = {
    .name = "sweep",
    .summary = "every access link and uplink 3 times each way, rounds grow with tiers (needs --topology)",
    .needs_topology = 1,
    .plan = pattern_plan_sweep,
};
