/* topo_sweep.c: the sweep plan (topology.h topo_plan_sweep).  Tier by tier
 * (one tier entry each, lowest first): under every HyperNode H of the
 * tier (and the virtual root), H's present units (child HyperNodes and
 * nodes held directly) are matched round robin; a matched pair of units
 * sends one node of each to the other, both directions, the node inside a
 * unit changing every time so that the pairs are independent.  A unit
 * takes part in one pair per round, and HyperNodes of one tier hold
 * disjoint subtrees, so no directed link carries two pairs of a round.
 * Each unit is matched `times` times (fewer when its pairs would only
 * repeat), which crosses its uplink, or its access link, that many times
 * each way; a node's access link is crossed again at every tier above.
 * Rounds per tier: times for two units, at most 2 x times otherwise, so
 * the plan grows with the number of tiers, not with the nodes. */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_ptree.h"

struct rvec {                   /* the rounds of one tier entry */
    struct topo_round *r;
    size_t n, *cap;
};

static int rvec_push(struct rvec *v, size_t round, struct topo_pair p)
{
    if (round >= v->n) {
        struct topo_round *r = realloc(v->r, (round + 1) * sizeof(*r));
        size_t *cap = r != NULL ? realloc(v->cap, (round + 1) * sizeof(size_t)) : NULL;
        if (r != NULL)
            v->r = r;
        if (cap == NULL)
            return -1;
        v->cap = cap;
        for (size_t i = v->n; i <= round; i++) {
            v->r[i] = (struct topo_round){NULL, 0};
            v->cap[i] = 0;
        }
        v->n = round + 1;
    }
    struct topo_round *r = &v->r[round];
    if (r->npairs == v->cap[round]) {
        size_t ncap = v->cap[round] ? v->cap[round] * 2 : 8;
        struct topo_pair *np = realloc(r->pairs, ncap * sizeof(*np));
        if (np == NULL)
            return -1;
        r->pairs = np;
        v->cap[round] = ncap;
    }
    r->pairs[r->npairs++] = p;
    return 0;
}

struct sunit {
    size_t lo, n;               /* its nodes: order[lo .. lo+n) */
    size_t next, matched;
};

/* 1 when nodes a, b were paired under this HyperNode already. */
static int seen_pair(const int *done, size_t ndone, int a, int b)
{
    for (size_t i = 0; i < ndone; i++)
        if ((done[2 * i] == a && done[2 * i + 1] == b) || (done[2 * i] == b && done[2 * i + 1] == a))
            return 1;
    return 0;
}

static int all_matched(const struct sunit *u, size_t m, size_t times)
{
    for (size_t i = 0; i < m; i++)
        if (u[i].matched < times)
            return 0;
    return 1;
}

/* The rounds of HyperNode h (index nhns: the virtual root). */
static int sweep_hypernode(const struct ptree *p, size_t h, int tier, const char *name, size_t times,
                           struct rvec *v)
{
    size_t m = p->ndirect[h] + p->nkids[h], M = m + m % 2, ndone = 0;
    /* a full cycle is M-1 rounds; a unit sits out at most one round of it */
    size_t max_rounds = (times * M + M - 2) / (M - 1) + 1;
    struct sunit *u = calloc(m, sizeof(*u));
    int *done = malloc((max_rounds * M / 2 + 1) * 2 * sizeof(int)), rc = 0;
    if (u == NULL || done == NULL) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < p->ndirect[h]; i++)
        u[i] = (struct sunit){p->lo[h] + i, 1, 0, 0};
    for (size_t k = 0; k < p->nkids[h]; k++) {
        int c = p->kids[h][k];
        u[p->ndirect[h] + k] = (struct sunit){p->lo[c], p->hi[c] - p->lo[c], 0, 0};
    }
    for (size_t r = 0; r < max_rounds && !all_matched(u, m, times); r++)
        for (size_t pos = 0; pos < M / 2; pos++) {
            size_t a = pos == 0 ? M - 1 : (pos - 1 + r) % (M - 1);
            size_t b = (M - 1 - pos - 1 + r) % (M - 1);
            if (a >= m || b >= m)
                continue;
            int na = p->order[u[a].lo + u[a].next % u[a].n], nb = -1;
            /* the next node of b not yet paired with na here */
            for (size_t k = 0; k < u[b].n && nb < 0; k++) {
                int c = p->order[u[b].lo + (u[b].next + k) % u[b].n];
                if (!seen_pair(done, ndone, na, c))
                    nb = c;
            }
            if (nb < 0)
                continue;
            done[2 * ndone] = na;
            done[2 * ndone + 1] = nb;
            ndone++;
            u[a].next++, u[b].next++, u[a].matched++, u[b].matched++;
            struct topo_pair ab = {.src = p->rep[na], .dst = p->rep[nb], .tier = tier, .hypernode = name};
            struct topo_pair ba = {.src = p->rep[nb], .dst = p->rep[na], .tier = tier, .hypernode = name};
            if (rvec_push(v, r, ab) != 0 || rvec_push(v, r, ba) != 0) {
                rc = -1;
                goto out;
            }
        }
out:
    free(u);
    free(done);
    return rc;
}

/* Move v's non-empty rounds into a new tier entry of plan. */
static void add_phase(struct topo_plan *plan, struct rvec *v, int tier, const char *tier_name)
{
    struct topo_tier_plan *tp = &plan->tiers[plan->ntiers];
    size_t k = 0;
    for (size_t r = 0; r < v->n; r++) {
        if (v->r[r].npairs > 0)
            v->r[k++] = v->r[r];
        else
            free(v->r[r].pairs);
    }
    if (k == 0) {
        v->n = 0;
        return;
    }
    *tp = (struct topo_tier_plan){tier, tier_name, v->r, k};
    plan->ntiers++;
    free(v->cap);
    *v = (struct rvec){NULL, 0, NULL};
}

static void rvec_free(struct rvec *v)
{
    for (size_t r = 0; r < v->n; r++)
        free(v->r[r].pairs);
    free(v->r);
    free(v->cap);
    *v = (struct rvec){NULL, 0, NULL};
}

tp_status_t topo_plan_sweep(const struct topo *topo, const char *const *node_of_rank, size_t nranks,
                            size_t times, struct topo_plan **plan_p, struct tp_error *err)
{
    struct ptree p;
    struct rvec v = {NULL, 0, NULL};
    size_t nh = topo->nhns;
    struct topo_plan *plan;
    tp_status_t st = topo_plan_start(topo, node_of_rank, nranks, &p, &plan, err);

    if (st != TP_OK)
        return st;
    for (size_t ti = 0; st == TP_OK && ti <= topo->ntiers; ti++) {
        int virt = ti == topo->ntiers;
        int tier = virt ? topo_virtual_tier(topo) : topo->tiers[ti];
        for (size_t h = 0; h <= nh; h++) {
            int is_v = h == nh;
            if (!topo_ptree_joins(&p, h, virt, tier))
                continue;
            if (sweep_hypernode(&p, h, tier, is_v ? NULL : topo->hns[h].name, times ? times : 1, &v) != 0) {
                st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
                break;
            }
        }
        if (st == TP_OK)
            add_phase(plan, &v, tier, virt ? NULL : topo_tier_name(topo, tier));
    }
    rvec_free(&v);
    topo_ptree_free(&p, nh);
    return topo_plan_finish(plan, st, plan_p);
}
