/* pattern_plan.c: building and reshaping plans (struct topo_plan layout,
 * every array malloc'd so topo_plan_free releases it). */
#include "pattern.h"

#include <stdlib.h>

struct topo_plan *pattern_plan_alloc(int tier, size_t nrounds, size_t cap)
{
    struct topo_plan *plan = calloc(1, sizeof(*plan));

    if (plan == NULL || (plan->tiers = calloc(1, sizeof(*plan->tiers))) == NULL) {
        free(plan);
        return NULL;
    }
    plan->ntiers = 1;
    plan->tiers[0].tier = tier;
    plan->tiers[0].rounds = calloc(nrounds ? nrounds : 1, sizeof(struct topo_round));
    if (plan->tiers[0].rounds == NULL) {
        topo_plan_free(plan);
        return NULL;
    }
    plan->tiers[0].nrounds = nrounds;
    for (size_t r = 0; r < nrounds; r++)
        if ((plan->tiers[0].rounds[r].pairs = malloc((cap ? cap : 1) * sizeof(struct topo_pair))) ==
            NULL) {
            topo_plan_free(plan);
            return NULL;
        }
    return plan;
}

static int same_ranks(const struct topo_pair *a, const struct topo_pair *b)
{
    return (a->src == b->src && a->dst == b->dst) || (a->src == b->dst && a->dst == b->src);
}

/* One tier: each round becomes as many rounds as it has distinct rank
 * pairs (a->b and b->a stay together: they share a connection). */
static tp_status_t serialize_tier(struct topo_tier_plan *t)
{
    size_t total = 0;

    for (size_t r = 0; r < t->nrounds; r++)
        total += t->rounds[r].npairs;
    struct topo_round *out = calloc(total ? total : 1, sizeof(*out));
    if (out == NULL)
        return TP_ERR_NO_MEMORY;
    size_t nout = 0;
    for (size_t r = 0; r < t->nrounds; r++) {
        const struct topo_round *in = &t->rounds[r];
        size_t first = nout;
        for (size_t i = 0; i < in->npairs; i++) {
            size_t k = first;
            while (k < nout && !same_ranks(&out[k].pairs[0], &in->pairs[i]))
                k++;
            if (k == nout) {
                out[k].pairs = malloc(in->npairs * sizeof(struct topo_pair));
                if (out[k].pairs == NULL)
                    goto oom;
                nout++;
            }
            out[k].pairs[out[k].npairs++] = in->pairs[i];
        }
    }
    for (size_t r = 0; r < t->nrounds; r++)
        free(t->rounds[r].pairs);
    free(t->rounds);
    t->rounds = out;
    t->nrounds = nout;
    return TP_OK;
oom:
    for (size_t k = 0; k < nout; k++)
        free(out[k].pairs);
    free(out);
    return TP_ERR_NO_MEMORY;
}

tp_status_t pattern_plan_serialize(struct topo_plan *plan, struct tp_error *err)
{
    for (size_t t = 0; t < plan->ntiers; t++)
        if (serialize_tier(&plan->tiers[t]) != TP_OK)
            return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning --serial");
    return TP_OK;
}
