/* pattern_allpairs.c: `--pattern allpairs`: every ordered rank pair, in
 * N-1 rounds of disjoint rank pairs (both directions per round, as
 * mpiGraph), for a node-by-node matrix.  Tiers filled with --topology. */
#include "pattern.h"

tp_status_t pattern_plan_allpairs(const struct pattern_input *in, struct topo_plan **plan_p,
                                  struct tp_error *err)
{
    if (in->nranks < 2)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern allpairs: needs at least 2 ranks (run under mpirun)");
    return topo_plan_allpairs(in->topo, in->node_of_rank, in->nranks, plan_p, err);
}
