/* pattern_rails.c: `--pattern rails`: multi-rail nodes, one rank per NIC
 * (--ifaces/--devices give local rank i rail i).  Nodes are paired in the
 * order they appear (1st with 2nd, 3rd with 4th, ...); round 0 runs every
 * same-rail pair of every node pair at once (local rank i of A -> local
 * rank i of B), so a node's rows of that round sum to its node aggregate;
 * each further round shifts the rails (i -> (i + s) mod L): the cross-rail
 * pairs.  The rows' rail_pair says which each pair was. */
#include "pattern.h"

#include <stdlib.h>
#include <string.h>

/* Ranks of node k in rank order: first[k] is the node's first rank,
 * next[r] the node's next rank after r (-1 at the end). */
struct node_ranks {
    int *first, *count, *next;
    size_t nnodes;
};

static void node_ranks_free(struct node_ranks *n)
{
    free(n->first);
    free(n->count);
    free(n->next);
}

static int node_ranks_build(const struct pattern_input *in, struct node_ranks *n)
{
    int *last = calloc(in->nranks, sizeof(int));

    memset(n, 0, sizeof(*n));
    n->first = calloc(in->nranks, sizeof(int));
    n->count = calloc(in->nranks, sizeof(int));
    n->next = calloc(in->nranks, sizeof(int));
    if (last == NULL || n->first == NULL || n->count == NULL || n->next == NULL) {
        free(last);
        node_ranks_free(n);
        return -1;
    }
    for (size_t r = 0; r < in->nranks; r++) {
        size_t k = 0;
        while (k < n->nnodes && strcmp(in->node_of_rank[n->first[k]], in->node_of_rank[r]) != 0)
            k++;
        n->next[r] = -1;
        if (k == n->nnodes) {
            n->first[k] = (int)r;
            n->nnodes++;
        } else {
            n->next[last[k]] = (int)r;
        }
        last[k] = (int)r;
        n->count[k]++;
    }
    free(last);
    return 0;
}

/* The i-th rank of node k. */
static int nth_rank(const struct node_ranks *n, size_t k, int i)
{
    int r = n->first[k];

    while (i-- > 0 && r >= 0)
        r = n->next[r];
    return r;
}

static int rails_of(const struct node_ranks *n, size_t a)
{
    return n->count[a] < n->count[a + 1] ? n->count[a] : n->count[a + 1];
}

static void add_round(const struct pattern_input *in, const struct node_ranks *n, int shift,
                      struct topo_round *round)
{
    for (size_t a = 0; a + 1 < n->nnodes; a += 2) {
        int rails = rails_of(n, a);
        if (shift >= rails)
            continue;
        for (int i = 0; i < rails; i++) {
            struct topo_pair *p = &round->pairs[round->npairs++];
            p->src = nth_rank(n, a, i);
            p->dst = nth_rank(n, a + 1, (i + shift) % rails);
            p->tier = -1;
            p->hypernode = NULL;
            if (in->topo != NULL)
                p->tier = topo_tier(in->topo, in->node_of_rank[p->src],
                                    in->node_of_rank[p->dst], &p->hypernode);
        }
    }
}

static tp_status_t pattern_plan_rails(const struct pattern_input *in, struct topo_plan **plan_p,
                                      struct tp_error *err)
{
    struct node_ranks n;
    int maxrails = 0;

    if (node_ranks_build(in, &n) != 0)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    for (size_t a = 0; a + 1 < n.nnodes; a += 2)
        if (rails_of(&n, a) > maxrails)
            maxrails = rails_of(&n, a);
    if (maxrails == 0) {
        node_ranks_free(&n);
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern rails: needs ranks on at least 2 nodes (one rank per "
                            "NIC on each: mpirun --map-by ppr:NICS:node)");
    }
    struct topo_plan *plan = pattern_plan_alloc(-1, (size_t)maxrails, in->nranks);
    if (plan == NULL) {
        node_ranks_free(&n);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    }
    for (int s = 0; s < maxrails; s++)
        add_round(in, &n, s, &plan->tiers[0].rounds[s]);
    node_ranks_free(&n);
    *plan_p = plan;
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_rails = {
    .name = "rails",
    .summary = "multi-rail nodes: same-rail pairs of two nodes at once, then cross-rail",
    .plan = pattern_plan_rails,
};
