/* pattern_pairs.c: `--pattern pairs`: rank 2i sends to rank 2i+1, every
 * pair at once in one round; an odd last rank idles.  With --topology
 * each pair carries its tier and lowest common HyperNode. */
#include "pattern.h"

tp_status_t pattern_plan_pairs(const struct pattern_input *in, struct topo_plan **plan_p,
                               struct tp_error *err)
{
    size_t npairs = in->nranks / 2;
    struct topo_plan *plan;

    if (npairs == 0)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern pairs: needs at least 2 ranks (run under mpirun -np 2 or more)");
    plan = pattern_plan_alloc(-1, 1, npairs);
    if (plan == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    struct topo_round *round = &plan->tiers[0].rounds[0];
    for (size_t i = 0; i < npairs; i++) {
        struct topo_pair *p = &round->pairs[round->npairs++];
        p->src = (int)(2 * i);
        p->dst = (int)(2 * i + 1);
        p->tier = -1;
        p->hypernode = NULL;
        if (in->topo != NULL)
            p->tier = topo_tier(in->topo, in->node_of_rank[p->src], in->node_of_rank[p->dst],
                                &p->hypernode);
    }
    *plan_p = plan;
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_pairs = {
    .name = "pairs",
    .summary = "rank 2i -> 2i+1, all pairs at once (tier from --topology if given)",
    .plan = pattern_plan_pairs,
};
