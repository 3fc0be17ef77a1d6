/* topo_plan.c: which rank pairs measure which tier.
 *
 * tiers: ranks are grouped by node (the first rank of a node speaks for it
 * above tier 0).  The nodes present form a tree: HyperNodes holding any of
 * them, and a virtual root above the parentless ones.  For a HyperNode H
 * whose present children ("units": child HyperNodes and nodes directly in
 * H) number two or more, every pair across two units meets exactly at H.
 * Each round takes at most one pair per unit, so a round never crosses the
 * same uplink twice, and HyperNodes of one tier have disjoint subtrees, so
 * their rounds merge.  Units with the most nodes still to measure go first;
 * a unit left over is paired with one already done.  Every pair measures at
 * least one new node, so a tier costs at most N pairs.
 *
 * allpairs: the circle method (round robin), both directions per round. */
#define _GNU_SOURCE 1   /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_ptree.h"

struct pvec {                   /* pairs of one tier, tagged with a round */
    struct topo_pair *p;
    size_t *round;
    size_t n, cap;
    size_t nrounds;
};

static int pvec_push(struct pvec *v, size_t round, int src, int dst, int tier, const char *hn)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 64;
        struct topo_pair *p = realloc(v->p, ncap * sizeof(*p));
        if (p == NULL)
            return -1;
        v->p = p;
        size_t *r = realloc(v->round, ncap * sizeof(*r));
        if (r == NULL)
            return -1;
        v->round = r;
        v->cap = ncap;
    }
    v->p[v->n] = (struct topo_pair){src, dst, tier, hn};
    v->round[v->n++] = round;
    if (round + 1 > v->nrounds)
        v->nrounds = round + 1;
    return 0;
}

/* Move a tier's pairs into rounds (stable: pair order within a round is
 * the order they were made). */
static int pvec_to_tier(struct pvec *v, struct topo_tier_plan *tp)
{
    size_t *cnt = calloc(v->nrounds ? v->nrounds : 1, sizeof(size_t));
    tp->rounds = calloc(v->nrounds ? v->nrounds : 1, sizeof(*tp->rounds));
    if (cnt == NULL || tp->rounds == NULL) {
        free(cnt);
        return -1;
    }
    tp->nrounds = v->nrounds;
    for (size_t i = 0; i < v->n; i++)
        cnt[v->round[i]]++;
    for (size_t r = 0; r < v->nrounds; r++)
        if ((tp->rounds[r].pairs = malloc((cnt[r] ? cnt[r] : 1) * sizeof(struct topo_pair))) == NULL) {
            free(cnt);
            return -1;
        }
    for (size_t i = 0; i < v->n; i++) {
        struct topo_round *r = &tp->rounds[v->round[i]];
        /* every round's pairs was allocated above; the analyser loses
         * that through the symbolic index */
        r->pairs[r->npairs++] = v->p[i]; // NOLINT(clang-analyzer-core.NullDereference)
    }
    free(cnt);
    return 0;
}

void topo_plan_free(struct topo_plan *plan)
{
    if (plan == NULL)
        return;
    for (size_t t = 0; t < plan->ntiers; t++) {
        for (size_t r = 0; r < plan->tiers[t].nrounds; r++)
            free(plan->tiers[t].rounds[r].pairs);
        free(plan->tiers[t].rounds);
    }
    free(plan->tiers);
    free(plan);
}

static tp_status_t add_tier(struct topo_plan *plan, struct pvec *v, int tier, const char *name,
                            struct tp_error *err)
{
    struct topo_tier_plan *tp = &plan->tiers[plan->ntiers];
    memset(tp, 0, sizeof(*tp));
    tp->tier = tier;
    tp->tier_name = name;
    plan->ntiers++;
    if (pvec_to_tier(v, tp) != 0)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    return TP_OK;
}

static int push_int(int **a, size_t *n, int v)
{
    int *p = realloc(*a, (*n + 1) * sizeof(int));
    if (p == NULL)
        return -1;
    *a = p;
    p[(*n)++] = v;
    return 0;
}

static int cmp_hn_name(const void *a, const void *b, void *ctx)
{
    const struct topo *t = ctx;
    return strcmp(t->hns[*(const int *)a].name, t->hns[*(const int *)b].name);
}

void topo_ptree_free(struct ptree *p, size_t nh)
{
    for (size_t i = 0; p->kids && p->direct && i <= nh; i++) {
        free(p->kids[i]);
        free(p->direct[i]);
    }
    free(p->kids);
    free(p->direct);
    free(p->nkids);
    free(p->ndirect);
    free(p->rep);
    free(p->second);
    free(p->present_nodes);
    free(p->pres);
    free(p->order);
    free(p->lo);
    free(p->hi);
}

tp_status_t topo_ptree_build(struct ptree *p, const struct topo *t, const char *const *node_of_rank,
                             size_t nranks, struct tp_error *err)
{
    size_t nh = t->nhns, V = nh;      /* index V is the virtual root */
    memset(p, 0, sizeof(*p));
    p->t = t;
    p->rep = malloc((t->nnodes + 1) * sizeof(int));
    p->second = malloc((t->nnodes + 1) * sizeof(int));
    p->present_nodes = malloc((t->nnodes + 1) * sizeof(int));
    p->pres = calloc(nh + 1, 1);
    p->kids = calloc(nh + 1, sizeof(int *));
    p->nkids = calloc(nh + 1, sizeof(size_t));
    p->direct = calloc(nh + 1, sizeof(int *));
    p->ndirect = calloc(nh + 1, sizeof(size_t));
    p->order = malloc((t->nnodes + 1) * sizeof(int));
    p->lo = calloc(nh + 1, sizeof(size_t));
    p->hi = calloc(nh + 1, sizeof(size_t));
    if (!p->rep || !p->second || !p->present_nodes || !p->pres || !p->kids || !p->nkids ||
        !p->direct || !p->ndirect || !p->order || !p->lo || !p->hi)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    for (size_t i = 0; i < t->nnodes; i++)
        p->rep[i] = p->second[i] = -1;
    for (size_t r = 0; r < nranks; r++) {
        int n = node_of_rank[r] ? topo_strmap_get(&t->node_index, node_of_rank[r]) : -1;
        if (n < 0)
            return tp_error_set(err, TP_ERR_INVALID,
                                "rank %zu: node '%s' is not known to the topology %s (bind rank node names first)",
                                r, node_of_rank[r] ? node_of_rank[r] : "(null)", t->path);
        if (p->rep[n] < 0) {
            p->rep[n] = (int)r;
            p->present_nodes[p->npresent++] = n;
        } else if (p->second[n] < 0) {
            p->second[n] = (int)r;
        }
    }
    p->pres[V] = 1;
    for (size_t i = 0; i < p->npresent; i++) {
        int n = p->present_nodes[i], own = t->nodes[n].own;
        if (push_int(&p->direct[own >= 0 ? (size_t)own : V], &p->ndirect[own >= 0 ? (size_t)own : V], n))
            return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
        for (int h = own; h >= 0 && !p->pres[h]; h = t->hns[h].parent) {
            size_t parent = t->hns[h].parent >= 0 ? (size_t)t->hns[h].parent : V;
            p->pres[h] = 1;
            if (push_int(&p->kids[parent], &p->nkids[parent], h))
                return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
        }
    }
    for (size_t h = 0; h <= nh; h++)
        if (p->nkids[h] > 1)
            qsort_r(p->kids[h], p->nkids[h], sizeof(int), cmp_hn_name, (void *)t);
    /* iterative DFS; stack entries are H indices, hi filled on the way out */
    size_t *stack = malloc((nh + 2) * 2 * sizeof(size_t)), sp = 0, pos = 0;
    if (stack == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    stack[sp++] = V;
    stack[sp++] = 0;                  /* next kid to visit */
    p->lo[V] = 0;
    while (sp > 0) {
        size_t h = stack[sp - 2], k = stack[sp - 1];
        if (k == 0) {
            p->lo[h] = pos;
            for (size_t d = 0; d < p->ndirect[h]; d++)
                p->order[pos++] = p->direct[h][d];
        }
        if (k < p->nkids[h]) {
            stack[sp - 1] = k + 1;
            stack[sp++] = (size_t)p->kids[h][k];
            stack[sp++] = 0;
            continue;
        }
        p->hi[h] = pos;
        sp -= 2;
    }
    free(stack);
    return TP_OK;
}

struct unit {
    size_t lo, n;               /* range in order[] */
    size_t next;                /* nodes measured so far */
};

static int cmp_unit_ptr(const void *a, const void *b)
{
    const struct unit *x = *(struct unit *const *)a, *y = *(struct unit *const *)b;
    size_t rx = x->n - x->next, ry = y->n - y->next;
    if (rx != ry)
        return rx > ry ? -1 : 1;
    return x < y ? -1 : x > y;        /* units live in one array: stable */
}

/* Pairs meeting exactly at H (or the virtual root). */
static int plan_hypernode(const struct ptree *p, size_t h, int tier, const char *hn_name,
                          size_t base, struct pvec *v)
{
    size_t m = p->ndirect[h] + p->nkids[h];
    struct unit *u = calloc(m, sizeof(*u));
    struct unit **cand = calloc(m, sizeof(*cand)); // NOLINT(bugprone-sizeof-expression): array of pointers
    int rc = 0;
    if (u == NULL || cand == NULL) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < p->ndirect[h]; i++)
        u[i] = (struct unit){p->lo[h] + i, 1, 0};
    for (size_t k = 0; k < p->nkids[h]; k++) {
        int c = p->kids[h][k];
        u[p->ndirect[h] + k] = (struct unit){p->lo[c], p->hi[c] - p->lo[c], 0};
    }
    for (size_t round = 0;; round++) {
        size_t nc = 0, done = m;
        for (size_t i = 0; i < m; i++) {
            if (u[i].next < u[i].n)
                cand[nc++] = &u[i];
            else if (done == m)
                done = i;
        }
        if (nc == 0)
            break;
        qsort(cand, nc, sizeof(*cand), cmp_unit_ptr); // NOLINT(bugprone-sizeof-expression): array of pointers
        for (size_t i = 0; i + 1 < nc + (nc % 2 && done < m); i += 2) {
            struct unit *a = cand[i];
            int na = p->order[a->lo + a->next++], nb;
            if (i + 1 < nc) {
                struct unit *b = cand[i + 1];
                nb = p->order[b->lo + b->next++];
            } else {                  /* leftover: partner from a done unit */
                nb = p->order[u[done].lo + round % u[done].n];
            }
            int src = p->rep[na], dst = p->rep[nb];
            if (round % 2) {
                int tmp = src;
                src = dst;
                dst = tmp;
            }
            if (pvec_push(v, base + round, src, dst, tier, hn_name) != 0) {
                rc = -1;
                goto out;
            }
        }
    }
out:
    free(u);
    free(cand);
    return rc;
}

int topo_ptree_joins(const struct ptree *p, size_t h, int virt, int tier)
{
    int is_v = h == p->t->nhns;
    return p->pres[h] && is_v == virt && (is_v || p->t->hns[h].tier == tier) &&
           p->ndirect[h] + p->nkids[h] >= 2;
}

/* An empty plan with room for n tier entries; NULL when out of memory. */
static struct topo_plan *topo_plan_new(size_t n)
{
    struct topo_plan *plan = calloc(1, sizeof(*plan));

    if (plan != NULL && (plan->tiers = calloc(n, sizeof(*plan->tiers))) == NULL) {
        free(plan);
        plan = NULL;
    }
    return plan;
}

tp_status_t topo_plan_start(const struct topo *topo, const char *const *node_of_rank,
                            size_t nranks, struct ptree *p, struct topo_plan **plan_p,
                            struct tp_error *err)
{
    struct topo_plan *plan = topo_plan_new(topo->ntiers + 2);

    if (plan == NULL) {
        tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
        return TP_ERR_NO_MEMORY;
    }
    tp_status_t st = topo_ptree_build(p, topo, node_of_rank, nranks, err);
    if (st != TP_OK) {
        topo_ptree_free(p, topo->nhns);
        topo_plan_free(plan);
        return st;
    }
    *plan_p = plan;
    return TP_OK;
}

tp_status_t topo_plan_finish(struct topo_plan *plan, tp_status_t st, struct topo_plan **plan_p)
{
    if (st != TP_OK)
        topo_plan_free(plan);
    else
        *plan_p = plan;
    return st;
}

tp_status_t topo_plan_tiers(const struct topo *topo, const char *const *node_of_rank, size_t nranks,
                            struct topo_plan **plan_p, struct tp_error *err)
{
    struct ptree p;
    struct pvec v = {0};
    size_t nh = topo->nhns;
    struct topo_plan *plan;
    tp_status_t st = topo_plan_start(topo, node_of_rank, nranks, &p, &plan, err);

    if (st != TP_OK)
        return st;
    /* tier 0: two ranks of one node */
    for (size_t i = 0; i < p.npresent; i++) {
        int n = p.present_nodes[i];
        if (p.second[n] >= 0 && pvec_push(&v, 0, p.rep[n], p.second[n], 0, NULL) != 0)
            goto oom;
    }
    /* A real tier-0 HyperNode (allowed, if unusual) shares tier 0 with
     * same-node pairs: its rounds come after theirs in one tier entry. */
    if (v.n > 0 && (topo->ntiers == 0 || topo->tiers[0] != 0) &&
        (st = add_tier(plan, &v, 0, topo_tier_name(topo, 0), err)) != TP_OK)
        goto out;
    for (size_t ti = 0; ti <= topo->ntiers; ti++) {
        int virt = ti == topo->ntiers;
        int tier = virt ? topo_virtual_tier(topo) : topo->tiers[ti];
        if (tier != 0)
            v.n = v.nrounds = 0;
        size_t base = v.nrounds;
        for (size_t h = 0; h <= nh; h++) {
            int is_v = h == nh;
            if (!topo_ptree_joins(&p, h, virt, tier))
                continue;
            if (plan_hypernode(&p, h, tier, is_v ? NULL : topo->hns[h].name, base, &v) != 0)
                goto oom;
        }
        if (v.n > 0 &&
            (st = add_tier(plan, &v, tier, virt ? NULL : topo_tier_name(topo, tier), err)) != TP_OK)
            goto out;
    }
    goto out;
oom:
    st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
out:
    topo_ptree_free(&p, nh);
    free(v.p);
    free(v.round);
    return topo_plan_finish(plan, st, plan_p);
}

tp_status_t topo_plan_allpairs(const struct topo *topo, const char *const *node_of_rank, size_t nranks,
                               struct topo_plan **plan_p, struct tp_error *err)
{
    struct pvec v = {0};
    int *node = NULL;
    size_t M = nranks + (nranks % 2);  /* odd: a dummy rank sits out */
    struct topo_plan *plan = topo_plan_new(1);
    tp_status_t st = TP_OK;

    if (plan == NULL || (node = malloc((nranks + 1) * sizeof(int))) == NULL)
        goto oom;
    for (size_t r = 0; r < nranks; r++)
        node[r] = topo && node_of_rank[r] ? topo_strmap_get(&topo->node_index, node_of_rank[r]) : -1;
    for (size_t round = 0; M >= 2 && round < M - 1; round++)
        for (size_t pos = 0; pos < M / 2; pos++) {
            size_t a = pos == 0 ? M - 1 : (pos - 1 + round) % (M - 1);
            size_t q = M - 1 - pos;
            size_t b = (q - 1 + round) % (M - 1);
            if (a >= nranks || b >= nranks)
                continue;
            int tier = -1, hn = -1;
            if (node[a] >= 0 && node[b] >= 0)
                tier = topo_node_tier_idx(topo, node[a], node[b], &hn);
            const char *name = hn >= 0 ? topo->hns[hn].name : NULL;
            if (pvec_push(&v, round, (int)a, (int)b, tier, name) != 0 ||
                pvec_push(&v, round, (int)b, (int)a, tier, name) != 0)
                goto oom;
        }
    if ((st = add_tier(plan, &v, -1, NULL, err)) != TP_OK)
        goto out;
    goto out;
oom:
    st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
out:
    free(v.p);
    free(v.round);
    free(node);
    return topo_plan_finish(plan, st, plan_p);
}
