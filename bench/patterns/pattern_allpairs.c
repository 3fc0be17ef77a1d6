/* pattern_allpairs.c: `--pattern allpairs`: every ordered rank pair, for a
 * node-by-node matrix.  Without --topology: N-1 rounds of disjoint rank
 * pairs (both directions per round, as mpiGraph), whose pairs may share
 * links.  With --topology: the same pairs re-cut into rounds where no two
 * pairs cross a link in the same direction (topology/topo_pack.h), so a
 * healthy pair never looks slow because of its neighbours. */
#include "pattern.h"

#include "../cli/run_opts.h"
#include "../../topology/topo_pack.h"

static tp_status_t pattern_plan_allpairs(const struct pattern_input *in, struct topo_plan **plan_p,
                                         struct tp_error *err)
{
    if (in->nranks < 2)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern allpairs: needs at least 2 ranks (run under mpirun)");
    tp_status_t st = topo_plan_allpairs(in->topo, in->node_of_rank, in->nranks, plan_p, err);
    if (st != TP_OK || in->topo == NULL || (in->opts != NULL && in->opts->serial))
        return st;
    st = topo_plan_pack(in->topo, in->node_of_rank, in->nranks, *plan_p, 0, NULL, NULL, err);
    if (st != TP_OK) {
        topo_plan_free(*plan_p);
        *plan_p = NULL;
    }
    return st;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_allpairs = {
    .name = "allpairs",
    .summary = "every ordered rank pair in N-1 rounds (bandwidth/latency matrix)",
    .default_sizes = "64,4M",   /* a latency size and a bandwidth size */
    .plan = pattern_plan_allpairs,
};
