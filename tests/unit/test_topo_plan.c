/* test_topo_plan.c: the guarantees of the planners, checked by brute force
 * on hand-made trees and on generated ones (skipped tiers, nodes hung under
 * higher tiers, several roots, nodes in no HyperNode, absent nodes, several
 * ranks per node, shuffled ranks).
 * tiers: each pair's tier is exactly the tier it claims (and names the
 * lowest common HyperNode); pairs in a round are disjoint; every tier
 * present among the ranks is covered; every node is measured at every tier
 * it can reach; every HyperNode's uplink is crossed by a pair when a node
 * outside it is present; at most N pairs per tier.
 * allpairs: every ordered pair once, N-1 rounds for even N (N for odd),
 * each rank sending once and receiving once per round. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topology/topology.h"

#define FIX "tests/fixtures/hypernodes"
#define MAXT 16

static struct topo *load(const char *path, const char *nodes)
{
    struct topo *t = NULL;
    struct tp_error err = {0};
    cr_assert_eq(topo_load(path, nodes, &t, &err), TP_OK, "%s: %s", path, err.msg);
    return t;
}

static int name_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* distinct node names of the ranks, and rank -> index into them */
struct nodeset {
    const char **names;
    int *of_rank;
    int *nranks_of;
    size_t n;
};

static void nodeset_build(struct nodeset *s, const char *const *rank_node, size_t nranks)
{
    s->names = calloc(nranks + 1, sizeof(char *));
    s->of_rank = calloc(nranks + 1, sizeof(int));
    s->nranks_of = calloc(nranks + 1, sizeof(int));
    s->n = 0;
    for (size_t r = 0; r < nranks; r++) {
        size_t i;
        for (i = 0; i < s->n && strcmp(s->names[i], rank_node[r]) != 0; i++)
            ;
        if (i == s->n)
            s->names[s->n++] = rank_node[r];
        s->of_rank[r] = (int)i;
        s->nranks_of[i]++;
    }
}

static void nodeset_free(struct nodeset *s)
{
    free(s->names);
    free(s->of_rank);
    free(s->nranks_of);
}

/* Every HyperNode's uplink on some node's path is crossed by a planned
 * pair (one end inside it, one outside), unless nothing is outside. */
static void check_uplinks(const struct topo *t, const struct topo_plan *plan,
                          const struct nodeset *ns)
{
    size_t n = ns->n;
    /* uplinks: for every HyperNode on some present node's path */
    const char **path = calloc(MAXT, sizeof(char *));
    for (size_t a = 0; a < n; a++) {
        int len = topo_node_path(t, ns->names[a], path, NULL, MAXT);
        for (int h = 0; h < len; h++) {
            const char *H = path[h];
            /* inside[x]: node x lies under H */
            unsigned char *inside = calloc(n, 1);
            size_t nin = 0;
            const char *q[MAXT];
            for (size_t x = 0; x < n; x++) {
                int l = topo_node_path(t, ns->names[x], q, NULL, MAXT);
                for (int j = 0; j < l; j++)
                    if (strcmp(q[j], H) == 0)
                        inside[x] = 1;
                nin += inside[x];
            }
            int crossed = nin == n;           /* nothing outside: no uplink to test */
            for (size_t i = 0; !crossed && i < plan->ntiers; i++)
                for (size_t r = 0; !crossed && r < plan->tiers[i].nrounds; r++)
                    for (size_t k = 0; k < plan->tiers[i].rounds[r].npairs; k++) {
                        const struct topo_pair *p = &plan->tiers[i].rounds[r].pairs[k];
                        if (inside[ns->of_rank[p->src]] != inside[ns->of_rank[p->dst]])
                            crossed = 1;
                    }
            cr_expect(crossed, "no pair crosses the uplink of HyperNode %s", H);
            free(inside);
        }
    }
    free(path);
}

/* What brute force says: the tiers present, and each node's reachable
 * tiers (reach[node * MAXT + tier]). */
static void brute_reach(const struct topo *t, const struct nodeset *ns, int vt,
                        unsigned char *reach, int *present)
{
    for (size_t a = 0; a < ns->n; a++) {
        if (ns->nranks_of[a] > 1) {
            reach[a * MAXT + 0] = 1;
            present[0] = 1;
        }
        for (size_t b = 0; b < ns->n; b++) {
            if (a == b)
                continue;
            int tier = topo_tier(t, ns->names[a], ns->names[b], NULL);
            cr_assert(tier > 0 && tier <= vt, "tier(%s, %s) = %d", ns->names[a], ns->names[b],
                      tier);
            reach[a * MAXT + (size_t)tier] = 1;
            present[tier] = 1;
        }
    }
}

/* tier index into [0, MAXT) by the plan's tier value; tiers are small */
static void check_tiers_plan(const struct topo *t, const char *const *rank_node, size_t nranks)
{
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    struct nodeset s;
    cr_assert_eq(topo_plan_tiers(t, rank_node, nranks, &plan, &err), TP_OK, "%s", err.msg);
    nodeset_build(&s, rank_node, nranks);
    size_t n = s.n;
    int vt = topo_virtual_tier(t);
    cr_assert_lt(vt, MAXT);

    /* what brute force says: tiers present, and each node's reachable tiers */
    unsigned char *reach = calloc(n * MAXT + 1, 1), *measured = calloc(n * MAXT + 1, 1);
    int present[MAXT] = {0};
    brute_reach(t, &s, vt, reach, present);

    /* HyperNodes present, from the paths: a pair crosses H's uplink when
     * exactly one end is inside H */
    int planned[MAXT] = {0};
    int last_tier = -1;
    unsigned char *in_round = calloc(nranks + 1, 1);
    for (size_t i = 0; i < plan->ntiers; i++) {
        const struct topo_tier_plan *tp = &plan->tiers[i];
        size_t npairs = 0;
        cr_assert(tp->tier >= 0 && tp->tier <= vt, "plan tier %d", tp->tier);
        cr_expect_gt(tp->tier, last_tier, "tiers not ascending");
        last_tier = tp->tier;
        planned[tp->tier] = 1;
        cr_expect_gt(tp->nrounds, 0, "tier %d: no rounds", tp->tier);
        for (size_t r = 0; r < tp->nrounds; r++) {
            const struct topo_round *rd = &tp->rounds[r];
            cr_expect_gt(rd->npairs, 0, "tier %d round %zu empty", tp->tier, r);
            memset(in_round, 0, nranks);
            for (size_t k = 0; k < rd->npairs; k++) {
                const struct topo_pair *p = &rd->pairs[k];
                cr_assert(p->src >= 0 && (size_t)p->src < nranks && p->dst >= 0 && (size_t)p->dst < nranks);
                cr_expect_neq(p->src, p->dst);
                cr_expect(!in_round[p->src] && !in_round[p->dst],
                          "tier %d round %zu: rank %d or %d used twice", tp->tier, r, p->src, p->dst);
                in_round[p->src] = in_round[p->dst] = 1;
                const char *hn = "unset";
                const char *a = rank_node[p->src], *b = rank_node[p->dst];
                int real = strcmp(a, b) == 0 ? 0 : topo_tier(t, a, b, &hn);
                if (real == 0)
                    hn = NULL;
                cr_expect_eq(real, tp->tier, "pair %d->%d (%s, %s) is at tier %d, planned at %d", p->src,
                             p->dst, a, b, real, tp->tier);
                cr_expect_eq(p->tier, tp->tier);
                cr_expect(name_eq(p->hypernode, hn), "pair %s-%s: HyperNode %s, want %s", a, b,
                          p->hypernode ? p->hypernode : "(none)", hn ? hn : "(none)");
                measured[(size_t)s.of_rank[p->src] * MAXT + (size_t)tp->tier] = 1;
                measured[(size_t)s.of_rank[p->dst] * MAXT + (size_t)tp->tier] = 1;
            }
            npairs += rd->npairs;
        }
        cr_expect_leq(npairs, n, "tier %d: %zu pairs for %zu nodes (not O(N))", tp->tier, npairs, n);
    }
    for (int k = 0; k < MAXT; k++)
        cr_expect_eq(planned[k], present[k], "tier %d: present %d, planned %d", k, present[k], planned[k]);
    for (size_t a = 0; a < n; a++)
        for (int k = 0; k < MAXT; k++)
            cr_expect(!reach[a * MAXT + (size_t)k] || measured[a * MAXT + (size_t)k],
                      "node %s can reach tier %d but is never measured there", s.names[a], k);

    check_uplinks(t, plan, &s);
    free(in_round);
    free(reach);
    free(measured);
    nodeset_free(&s);
    topo_plan_free(plan);
}

Test(topo_plan, tiers_hand_made_trees)
{
    struct topo *t = load("topologies/sim-8node-3tier.yaml", NULL);
    const char *one[8], *two[16];
    for (size_t i = 0; i < 8; i++) {
        one[i] = topo_node_name(t, i);
        two[2 * i] = two[2 * i + 1] = one[i];
    }
    check_tiers_plan(t, one, 8);
    check_tiers_plan(t, two, 16);
    check_tiers_plan(t, one, 3);                  /* a subset of the nodes */
    check_tiers_plan(t, one, 1);
    check_tiers_plan(t, one, 0);

    /* exactly: 8 nodes, 1 rank each: tier 1 one round of 4 pairs */
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    cr_assert_eq(topo_plan_tiers(t, one, 8, &plan, &err), TP_OK);
    cr_assert_eq(plan->ntiers, 3);
    cr_expect_eq(plan->tiers[0].tier, 1);
    cr_expect_str_eq(plan->tiers[0].tier_name, "leaf");
    cr_expect_eq(plan->tiers[0].nrounds, 1);
    cr_expect_eq(plan->tiers[0].rounds[0].npairs, 4);
    cr_expect_eq(plan->tiers[2].tier, 3);
    topo_plan_free(plan);
    topo_free(t);

    t = load(FIX "/good-mixed-depth.yaml", NULL);
    const char *mixed[] = {"n0", "n1", "n9", "n5", "n0"};
    check_tiers_plan(t, mixed, 5);                /* tiers 0, 1, 2 and virtual 3 */
    topo_free(t);

    t = load(FIX "/list-3tier.yaml", NULL);
    const char *gpus[] = {"gpu-node-5", "gpu-node-0", "gpu-node-1", "gpu-node-6", "gpu-node-7", "gpu-node-2"};
    struct tp_error e2 = {0};
    cr_assert_eq(topo_bind_nodes(t, gpus, 6, &e2), TP_OK);
    check_tiers_plan(t, gpus, 6);
    topo_free(t);

    t = load(FIX "/good-labelexpr.yaml", FIX "/good-labelexpr-nodes.json");
    const char *lab[] = {"a0", "a1", "b0", "b1"};
    check_tiers_plan(t, lab, 4);
    topo_free(t);
}

Test(topo_plan, tiers_unknown_rank_node_is_an_error)
{
    struct topo *t = load(FIX "/good-single.yaml", NULL);
    const char *names[] = {"a-1", "zz"};
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    cr_expect_eq(topo_plan_tiers(t, names, 2, &plan, &err), TP_ERR_INVALID);
    cr_expect_not_null(strstr(err.msg, "'zz'"), "%s", err.msg);
    cr_expect_null(plan);
    topo_free(t);
}

/* ---- generated trees ---- */

struct rng {
    unsigned long long s;
};

static unsigned rnd(struct rng *g, unsigned n)
{
    g->s = g->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((g->s >> 33) % n);
}

struct gen {
    struct rng g;
    int nhn, nnode;
    int tiers[6];
    int ntiers;
};

/* Makes HyperNode at tiers[ti]; returns its id.  Children come at any
 * lower tier (so tiers get skipped); leaves get 1-6 nodes; higher
 * HyperNodes sometimes hold a node directly (mixed depth). */
static int gen_hn(struct gen *G, int ti, char *buf, size_t *len, size_t cap)
{
    int id = G->nhn++;
    int tier = G->tiers[ti];
    char kids[64][16];
    int nk = 0;
    if (ti > 0) {
        int nchild = 1 + (int)rnd(&G->g, 4);
        for (int c = 0; c < nchild && nk < 60; c++) {
            int cti = rnd(&G->g, 4) == 0 ? (int)rnd(&G->g, (unsigned)ti) : ti - 1;
            snprintf(kids[nk++], 16, "h%d", gen_hn(G, cti, buf, len, cap));
        }
    }
    int nnodes = ti == 0 ? 1 + (int)rnd(&G->g, 6) : (rnd(&G->g, 5) == 0 ? 1 : 0);
    *len += (size_t)snprintf(buf + *len, cap - *len, "---\napiVersion: topology.volcano.sh/v1alpha1\n"
                             "kind: HyperNode\nmetadata: {name: h%d}\nspec:\n  tier: %d\n  members:\n",
                             id, tier);
    for (int k = 0; k < nk; k++)
        *len += (size_t)snprintf(buf + *len, cap - *len,
                                 "  - {type: HyperNode, selector: {exactMatch: {name: %s}}}\n", kids[k]);
    for (int k = 0; k < nnodes; k++)
        *len += (size_t)snprintf(buf + *len, cap - *len,
                                 "  - {type: Node, selector: {exactMatch: {name: n%d}}}\n", G->nnode++);
    if (nk == 0 && nnodes == 0)
        *len += (size_t)snprintf(buf + *len, cap - *len,
                                 "  - {type: Node, selector: {exactMatch: {name: n%d}}}\n", G->nnode++);
    return id;
}

static struct topo *gen_tree(unsigned seed, char ***names_p, size_t *n_p)
{
    struct gen G = {.g = {seed * 2654435761ULL + 1}};
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap), path[128];
    static const int all[] = {1, 2, 3, 5, 6, 9};
    G.ntiers = 2 + (int)rnd(&G.g, 3);
    for (int i = 0, k = 0; i < 6 && k < G.ntiers; i++)
        if (rnd(&G.g, 3) != 0 || 6 - i <= G.ntiers - k)
            G.tiers[k++] = all[i];
    int roots = 1 + (int)rnd(&G.g, 3);
    for (int r = 0; r < roots; r++)
        gen_hn(&G, G.ntiers - 1 - (int)rnd(&G.g, 2), buf, &len, cap);
    int loose = (int)rnd(&G.g, 3);                /* nodes in no HyperNode */
    cr_assert_lt(len, cap - 1000);
    snprintf(path, sizeof(path), "/tmp/tierperf-test-plan-%d-%u.yaml", (int)getpid(), seed);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fwrite(buf, 1, len, f);
    fclose(f);
    free(buf);
    struct topo *t = load(path, NULL);
    unlink(path);

    /* ranks: most nodes present, some with 2 or 3 ranks, order shuffled */
    size_t cap_r = (size_t)(G.nnode + loose) * 3 + 1, n = 0;
    char **names = calloc(cap_r, sizeof(char *));
    for (int i = 0; i < G.nnode + loose; i++) {
        if (rnd(&G.g, 8) == 0)
            continue;
        int k = rnd(&G.g, 4) == 0 ? 2 + (int)rnd(&G.g, 2) : 1;
        for (int j = 0; j < k; j++) {
            char nm[32];
            snprintf(nm, sizeof(nm), i < G.nnode ? "n%d" : "loose%d", i);
            names[n++] = strdup(nm);
        }
    }
    for (size_t i = n; i > 1; i--) {
        size_t j = rnd(&G.g, (unsigned)i);
        char *tmp = names[i - 1];
        names[i - 1] = names[j];
        names[j] = tmp;
    }
    struct tp_error err = {0};
    cr_assert_eq(topo_bind_nodes(t, (const char *const *)names, n, &err), TP_OK, "seed %u: %s", seed, err.msg);
    *names_p = names;
    *n_p = n;
    return t;
}

Test(topo_plan, tiers_generated_trees, .timeout = 120)
{
    for (unsigned seed = 1; seed <= 60; seed++) {
        char **names;
        size_t n;
        struct topo *t = gen_tree(seed, &names, &n);
        cr_log_info("seed %u: %zu HyperNodes, %zu ranks, virtual tier %d", seed, topo_hypernode_count(t), n,
                    topo_virtual_tier(t));
        check_tiers_plan(t, (const char *const *)names, n);
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        topo_free(t);
    }
}

/* ---- allpairs ---- */

static void check_allpairs(const struct topo *t, const char *const *rank_node, size_t n)
{
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    cr_assert_eq(topo_plan_allpairs(t, rank_node, n, &plan, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(plan->ntiers, 1);
    const struct topo_tier_plan *tp = &plan->tiers[0];
    cr_expect_eq(tp->tier, -1);
    size_t want_rounds = n < 2 ? 0 : (n % 2 ? n : n - 1);
    cr_expect_eq(tp->nrounds, want_rounds, "%zu ranks: %zu rounds, want %zu", n, tp->nrounds, want_rounds);
    int *seen = calloc(n * n + 1, sizeof(int));
    int *sat_out = calloc(n + 1, sizeof(int));
    for (size_t r = 0; r < tp->nrounds; r++) {
        int *src = calloc(n, sizeof(int)), *dst = calloc(n, sizeof(int)), *peer = calloc(n, sizeof(int));
        for (size_t i = 0; i < n; i++)
            peer[i] = -1;
        for (size_t k = 0; k < tp->rounds[r].npairs; k++) {
            const struct topo_pair *p = &tp->rounds[r].pairs[k];
            cr_assert(p->src >= 0 && (size_t)p->src < n && p->dst >= 0 && (size_t)p->dst < n);
            cr_expect_neq(p->src, p->dst);
            seen[p->src * (int)n + p->dst]++;
            cr_expect_eq(src[p->src]++, 0, "round %zu: rank %d sends twice", r, p->src);
            cr_expect_eq(dst[p->dst]++, 0, "round %zu: rank %d receives twice", r, p->dst);
            /* the unordered pairs of a round form a matching */
            cr_expect(peer[p->src] < 0 || peer[p->src] == p->dst, "round %zu: rank %d in two pairs", r, p->src);
            cr_expect(peer[p->dst] < 0 || peer[p->dst] == p->src, "round %zu: rank %d in two pairs", r, p->dst);
            peer[p->src] = p->dst;
            peer[p->dst] = p->src;
            if (t != NULL) {
                const char *hn = "unset";
                int real = topo_tier(t, rank_node[p->src], rank_node[p->dst], &hn);
                cr_expect_eq(p->tier, real, "pair %d->%d tier", p->src, p->dst);
                cr_expect(name_eq(p->hypernode, hn), "pair %d->%d HyperNode", p->src, p->dst);
            }
        }
        for (size_t i = 0; i < n; i++)
            sat_out[i] += peer[i] < 0;
        free(src);
        free(dst);
        free(peer);
    }
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++)
            cr_expect_eq(seen[a * n + b], a == b ? 0 : 1, "%zu ranks: pair %zu->%zu seen %d times", n, a, b,
                         seen[a * n + b]);
        cr_expect_eq(sat_out[a], n >= 2 && n % 2 ? 1 : 0, "%zu ranks: rank %zu sat out %d rounds", n, a,
                     sat_out[a]);
    }
    free(seen);
    free(sat_out);
    topo_plan_free(plan);
}

Test(topo_plan, allpairs_even_odd_and_tiny)
{
    struct topo *t = load("topologies/sim-8node-3tier.yaml", NULL);
    const char *one[8], *two[16];
    for (size_t i = 0; i < 8; i++) {
        one[i] = topo_node_name(t, i);
        two[2 * i] = two[2 * i + 1] = one[i];
    }
    check_allpairs(t, one, 8);
    check_allpairs(t, one, 7);
    check_allpairs(t, two, 16);
    check_allpairs(t, two, 13);
    check_allpairs(t, one, 2);
    check_allpairs(t, one, 1);
    check_allpairs(t, one, 0);
    topo_free(t);
    const char *many[41];
    for (size_t i = 0; i < 41; i++)
        many[i] = "x";
    for (size_t n = 3; n <= 41; n++)
        check_allpairs(NULL, many, n);            /* no topology: tiers unknown */
}
