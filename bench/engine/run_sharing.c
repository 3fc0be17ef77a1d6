/* run_sharing.c: the concurrent-pairs warning (see run_sharing.h). */
#include "run_sharing.h"

#include <stdio.h>

/* Pairs that can contend: more than two, or two that are not one pair's
 * two directions (a full-duplex link carries those without sharing). */
static int round_concurrent(const struct topo_round *rd)
{
    return rd->npairs > 2 ||
           (rd->npairs == 2 &&
            (rd->pairs[0].src != rd->pairs[1].dst || rd->pairs[0].dst != rd->pairs[1].src));
}

void run_sharing_assess(const struct topo_plan *plan, const struct topo *topo, int own_rounds,
                        struct run_sharing *out)
{
    int concurrent = 0;

    out->max_pairs = 0;
    out->links_known = topo != NULL;
    out->warning[0] = '\0';
    for (size_t t = 0; plan != NULL && t < plan->ntiers; t++)
        for (size_t r = 0; r < plan->tiers[t].nrounds; r++) {
            const struct topo_round *rd = &plan->tiers[t].rounds[r];
            concurrent |= round_concurrent(rd);
            if (rd->npairs > out->max_pairs)
                out->max_pairs = rd->npairs;
        }
    if (topo == NULL && !own_rounds && concurrent)
        snprintf(out->warning, sizeof(out->warning),
                 "without --topology, up to %zu pairs of a round run at once and may share "
                 "links: a slow pair may be contention, not a fault (add --topology, or --serial "
                 "to measure one pair at a time)",
                 out->max_pairs);
}

cJSON *run_sharing_json(const struct run_sharing *s)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "max_pairs_per_round", (double)s->max_pairs);
    cJSON_AddBoolToObject(o, "links_known", s->links_known);
    if (s->warning[0] != '\0')
        cJSON_AddStringToObject(o, "warning", s->warning);
    else
        cJSON_AddNullToObject(o, "warning");
    return o;
}
