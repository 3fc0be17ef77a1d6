/* pattern_tiers.c: `--pattern tiers` (the main job): for every tier
 * present, disjoint pairs crossing exactly that tier, one tier at a time.
 * The pair choice is the topology planner's (topo_plan_tiers); rounds
 * never share a directed link (topo_pack.h). */
#include "pattern.h"

#include "../cli/run_opts.h"
#include "../../topology/topo_pack.h"

static tp_status_t pattern_plan_tiers(const struct pattern_input *in, struct topo_plan **plan_p,
                                      struct tp_error *err)
{
    if (in->topo == NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--pattern tiers: needs --topology FILE");
    if (in->nranks < 2)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern tiers: needs at least 2 ranks (run under mpirun)");
    tp_status_t st = topo_plan_tiers(in->topo, in->node_of_rank, in->nranks, plan_p, err);
    if (st == TP_OK && (*plan_p)->ntiers == 0) {
        topo_plan_free(*plan_p);
        *plan_p = NULL;
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern tiers: no rank pair crosses any tier (all ranks on one node "
                            "and one rank per node?)");
    }
    /* the planner's rounds cross disjoint subtrees already; packing checks
     * that and re-cuts only a tier entry that shares a link */
    if (st == TP_OK && (in->opts == NULL || !in->opts->serial) &&
        (st = topo_plan_pack(in->topo, in->node_of_rank, in->nranks, *plan_p, 0, NULL, NULL,
                             err)) != TP_OK) {
        topo_plan_free(*plan_p);
        *plan_p = NULL;
    }
    return st;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_tiers = {
    .name = "tiers",
    .summary = "per tier, disjoint pairs crossing exactly that tier (needs --topology)",
    .needs_topology = 1,
    .default_sizes = "64,4M",   /* a latency size and a bandwidth size */
    .plan = pattern_plan_tiers,
};
