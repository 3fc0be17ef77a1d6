/* test_topo_pack.c: link paths (topo_links.h) and contention-free rounds
 * (topo_pack.h) on several tree shapes: a binary 3-tier tree, one spine
 * over uneven leaves, a forest under the virtual root with mixed depth,
 * with one and with two ranks per node.  Properties: every pair kept
 * once; in a round no directed link carries two pairs and no rank has
 * two peers; rounds within PACK_FACTOR of the lower bound (the most pairs
 * through one directed link or the most peers of one rank); the
 * annotator's sharing counts match brute force, 0 after packing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "topo_test_trees.h"
#include "topology/topo_links.h"
#include "topology/topo_pack.h"

#define PACK_FACTOR 1.5   /* the factor docs/topology.md states */

static struct topo *load_bound(const char *spec, const char *const *names, size_t n)
{
    struct tp_error err = {0};
    struct topo *t = tt_load(spec, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_eq(topo_bind_nodes(t, names, n, &err), TP_OK, "%s", err.msg);
    return t;
}

static const char *link_str(const struct topo *t, int id, char *buf, size_t len)
{
    enum topo_link_kind k;
    const char *name;
    int up;
    cr_assert_eq(topo_link_info(t, id, &k, &name, &up), 0);
    snprintf(buf, len, "%s:%s:%s", k == TOPO_LINK_ACCESS ? "node" : "hn", name, up ? "up" : "down");
    return buf;
}

static void expect_path(const struct topo *t, const char *a, const char *b, const char *want)
{
    int ids[TOPO_PATH_MAX];
    char got[512] = "", one[96];
    size_t n = topo_pair_links(t, topo_node_index(t, a), topo_node_index(t, b), ids, TOPO_PATH_MAX);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(got, " ");
        strcat(got, link_str(t, ids[i], one, sizeof(one)));
    }
    cr_assert_str_eq(got, want, "%s -> %s", a, b);
}

Test(topo_links, paths)
{
    static const char *names[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};
    struct topo *t = load_bound(TT_BINARY, names, 8);
    expect_path(t, "n0", "n1", "node:n0:up node:n1:down");
    expect_path(t, "n0", "n2", "node:n0:up hn:lf0:up hn:lf1:down node:n2:down");
    expect_path(t, "n7", "n0",
                "node:n7:up hn:lf3:up hn:sp1:up hn:sp0:down hn:lf0:down node:n0:down");
    expect_path(t, "n3", "n3", "");
    cr_assert_eq(topo_link_count(t), 2 * (7 + 8));
    cr_assert_str_eq(topo_link_parent(t, 2 * topo_node_index(t, "n0") + 2 * 7), "lf0");
    topo_free(t);

    static const char *fnames[] = {"x0", "x9", "y0", "loose"};
    t = load_bound(TT_FOREST, fnames, 4);
    /* across the virtual root: each side climbs to its root's uplink */
    expect_path(t, "x0", "y0",
                "node:x0:up hn:l0:up hn:s0:up hn:r0:up hn:r1:down hn:l2:down node:y0:down");
    expect_path(t, "x9", "x0", "node:x9:up hn:s0:down hn:l0:down node:x0:down");
    expect_path(t, "loose", "x9", "node:loose:up hn:r0:down node:x9:down");
    topo_free(t);
}

/* Brute-force checks of a plan's single tier entry. */
static void check_packed(const struct topo *t, const char *const *rank_node, size_t nranks,
                         const struct topo_plan *plan, size_t want_pairs)
{
    size_t nl = topo_link_count(t), total = 0;
    int *peer = malloc(nranks * sizeof(int));
    unsigned char *used = malloc(nl), *seen = calloc(nranks * nranks, 1);
    cr_assert_eq(plan->ntiers, 1);
    const struct topo_tier_plan *tier = &plan->tiers[0];
    for (size_t r = 0; r < tier->nrounds; r++) {
        const struct topo_round *rd = &tier->rounds[r];
        cr_assert_gt(rd->npairs, 0, "round %zu is empty", r);
        memset(used, 0, nl);
        for (size_t i = 0; i < nranks; i++)
            peer[i] = -1;
        for (size_t i = 0; i < rd->npairs; i++) {
            const struct topo_pair *p = &rd->pairs[i];
            int ids[TOPO_PATH_MAX];
            size_t k = topo_pair_links(t, topo_node_index(t, rank_node[p->src]),
                                       topo_node_index(t, rank_node[p->dst]), ids, TOPO_PATH_MAX);
            for (size_t j = 0; j < k; j++) {
                char b[96];
                cr_assert_eq(used[ids[j]], 0, "round %zu: link %s carries two pairs", r,
                             link_str(t, ids[j], b, sizeof(b)));
                used[ids[j]] = 1;
            }
            cr_assert(peer[p->src] < 0 || peer[p->src] == p->dst, "round %zu: rank %d has two peers", r, p->src);
            cr_assert(peer[p->dst] < 0 || peer[p->dst] == p->src, "round %zu: rank %d has two peers", r, p->dst);
            peer[p->src] = p->dst;
            peer[p->dst] = p->src;
            cr_assert_eq(seen[(size_t)p->src * nranks + (size_t)p->dst], 0, "pair %d->%d twice", p->src, p->dst);
            seen[(size_t)p->src * nranks + (size_t)p->dst] = 1;
            total++;
        }
    }
    cr_assert_eq(total, want_pairs);
    size_t bound = topo_tier_round_bound(t, rank_node, nranks, tier);
    cr_assert_gt(bound, 0);
    cr_assert_leq((double)tier->nrounds, PACK_FACTOR * (double)bound, "%zu rounds, bound %zu",
                  tier->nrounds, bound);
    free(peer);
    free(used);
    free(seen);
}

/* Brute-force sharing of every pair against the annotator's. */
static size_t check_shared(const struct topo *t, const char *const *rank_node, size_t nranks,
                           struct topo_plan *plan)
{
    struct tp_error err = {0};
    size_t sharing = 0;
    cr_assert_eq(topo_plan_annotate(t, rank_node, nranks, plan, &err), TP_OK, "%s", err.msg);
    const struct topo_tier_plan *tier = &plan->tiers[0];
    for (size_t r = 0; r < tier->nrounds; r++) {
        const struct topo_round *rd = &tier->rounds[r];
        for (size_t i = 0; i < rd->npairs; i++) {
            const struct topo_pair *p = &rd->pairs[i];
            int a[TOPO_PATH_MAX], b[TOPO_PATH_MAX], cnt = 0;
            size_t na = topo_pair_links(t, topo_node_index(t, rank_node[p->src]),
                                        topo_node_index(t, rank_node[p->dst]), a, TOPO_PATH_MAX);
            for (size_t j = 0; j < rd->npairs; j++) {
                const struct topo_pair *q = &rd->pairs[j];
                if (j == i || (q->src == p->src && q->dst == p->dst) || (q->src == p->dst && q->dst == p->src))
                    continue;
                size_t nb = topo_pair_links(t, topo_node_index(t, rank_node[q->src]),
                                            topo_node_index(t, rank_node[q->dst]), b, TOPO_PATH_MAX);
                int hit = 0;
                for (size_t x = 0; x < na && !hit; x++)
                    for (size_t y = 0; y < nb && !hit; y++)
                        hit = a[x] == b[y];
                cnt += hit;
            }
            cr_assert_eq(p->shared, cnt, "round %zu pair %d->%d: shared %d, brute force %d", r,
                         p->src, p->dst, p->shared, cnt);
            cr_assert_eq(p->round, (int)r);
            sharing += cnt > 0;
        }
    }
    return sharing;
}

static void allpairs_case(const char *spec, const char *const *rank_node, size_t nranks,
                          int expect_sharing_before)
{
    struct topo *t = load_bound(spec, rank_node, nranks);
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    cr_assert_eq(topo_plan_allpairs(t, rank_node, nranks, &plan, &err), TP_OK, "%s", err.msg);
    size_t before = check_shared(t, rank_node, nranks, plan);
    cr_log_info("%zu ranks: circle method %zu rounds, %zu pairs sharing a link", nranks,
                plan->tiers[0].nrounds, before);
    if (expect_sharing_before)
        cr_assert_gt(before, 0, "the circle method should share links on this tree");
    size_t bound = 0, skipped = 9;
    cr_assert_eq(topo_plan_pack(t, rank_node, nranks, plan, 0, &bound, &skipped, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(skipped, 0);
    check_packed(t, rank_node, nranks, plan, nranks * (nranks - 1));
    cr_assert_eq(check_shared(t, rank_node, nranks, plan), 0);
    cr_log_info("%zu ranks: %zu rounds, bound %zu", nranks, plan->tiers[0].nrounds, bound);
    topo_plan_free(plan);
    topo_free(t);
}

Test(topo_pack, binary_tree)
{
    static const char *r[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};
    allpairs_case(TT_BINARY, r, 8, 1);
    /* the uplink of a spine carries 4 x 4 pairs each way */
    static const char *two[] = {"n0", "n0", "n1", "n2", "n3", "n4", "n4", "n5", "n6", "n7"};
    allpairs_case(TT_BINARY, two, 10, 1);
}

Test(topo_pack, wide_uneven)
{
    static const char *r[] = {"a0", "a1", "a2", "a3", "b0", "b1", "b2", "c0", "c1", "c2", "c3", "c4"};
    allpairs_case(TT_WIDE, r, 12, 1);
    static const char *odd[] = {"c4", "a0", "b1", "c0", "a3", "b2", "c1"};
    allpairs_case(TT_WIDE, odd, 7, 0);
}

Test(topo_pack, forest_mixed_depth)
{
    static const char *r[] = {"x0", "x1", "x2", "x3", "x4", "x9", "y0", "y1", "y2", "loose"};
    allpairs_case(TT_FOREST, r, 10, 1);
}

Test(topo_pack, tiers_plan_stays)
{
    static const char *r[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};
    struct topo *t = load_bound(TT_BINARY, r, 8);
    struct topo_plan *plan = NULL, *again = NULL;
    struct tp_error err = {0};
    cr_assert_eq(topo_plan_tiers(t, r, 8, &plan, &err), TP_OK);
    cr_assert_eq(topo_plan_tiers(t, r, 8, &again, &err), TP_OK);
    cr_assert_eq(topo_plan_pack(t, r, 8, plan, 0, NULL, NULL, &err), TP_OK);
    cr_assert_eq(plan->ntiers, again->ntiers);
    for (size_t i = 0; i < plan->ntiers; i++)
        cr_assert_eq(plan->tiers[i].nrounds, again->tiers[i].nrounds, "tier entry %zu re-cut", i);
    cr_assert_eq(topo_plan_annotate(t, r, 8, plan, &err), TP_OK);
    for (size_t i = 0; i < plan->ntiers; i++)
        for (size_t k = 0; k < plan->tiers[i].nrounds; k++)
            for (size_t j = 0; j < plan->tiers[i].rounds[k].npairs; j++)
                cr_assert_eq(plan->tiers[i].rounds[k].pairs[j].shared, 0);
    cr_assert_eq(topo_plan_annotate(NULL, r, 8, again, &err), TP_OK);
    cr_assert_eq(again->tiers[0].rounds[0].pairs[0].shared, -1, "no topology: unknown");
    topo_plan_free(plan);
    topo_plan_free(again);
    topo_free(t);
}

Test(topo_pack, limit_leaves_plan)
{
    static const char *r[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};
    struct topo *t = load_bound(TT_BINARY, r, 8);
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    size_t skipped = 0;
    cr_assert_eq(topo_plan_allpairs(t, r, 8, &plan, &err), TP_OK);
    cr_assert_eq(topo_plan_pack(t, r, 8, plan, 10, NULL, &skipped, &err), TP_OK);
    cr_assert_eq(skipped, 1);
    cr_assert_eq(plan->tiers[0].nrounds, 7, "too large: left as planned");
    topo_plan_free(plan);
    topo_free(t);
}

Test(topo_pack, regular_32_nodes)
{
    /* 2 spines x 4 leaves x 4 nodes */
    char spec[2048] = "", line[256];
    const char *names[32];
    char nm[32][8];
    strcat(spec, "core 3 s0 s1\n");
    for (int s = 0; s < 2; s++) {
        snprintf(line, sizeof(line), "s%d 2 l%d l%d l%d l%d\n", s, 4 * s, 4 * s + 1, 4 * s + 2, 4 * s + 3);
        strcat(spec, line);
    }
    for (int l = 0; l < 8; l++) {
        snprintf(line, sizeof(line), "l%d 1 m%d m%d m%d m%d\n", l, 4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3);
        strcat(spec, line);
    }
    for (int i = 0; i < 32; i++) {
        snprintf(nm[i], sizeof(nm[i]), "m%d", (i * 7) % 32);   /* ranks shuffled */
        names[i] = nm[i];
    }
    allpairs_case(spec, names, 32, 1);
}

/* sweep: contention-free, every directed link any pair could cross is
 * crossed at least twice, rounds at most 2 x times per tier entry. */
static void sweep_case(const char *spec, const char *const *rank_node, size_t nranks)
{
    struct topo *t = load_bound(spec, rank_node, nranks);
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    size_t nl = topo_link_count(t), rounds = 0;
    int ids[TOPO_PATH_MAX];
    cr_assert_eq(topo_plan_sweep(t, rank_node, nranks, TOPO_SWEEP_TIMES, &plan, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(topo_plan_annotate(t, rank_node, nranks, plan, &err), TP_OK);
    size_t *crossed = calloc(nl, sizeof(size_t));
    unsigned char *possible = calloc(nl, 1);
    int *peer = malloc(nranks * sizeof(int));
    for (size_t i = 0; i < plan->ntiers; i++) {
        const struct topo_tier_plan *tp = &plan->tiers[i];
        cr_assert_leq(tp->nrounds, 2 * TOPO_SWEEP_TIMES, "tier %d: %zu rounds", tp->tier, tp->nrounds);
        rounds += tp->nrounds;
        for (size_t r = 0; r < tp->nrounds; r++) {
            for (size_t k = 0; k < nranks; k++)
                peer[k] = -1;
            for (size_t j = 0; j < tp->rounds[r].npairs; j++) {
                const struct topo_pair *p = &tp->rounds[r].pairs[j];
                cr_assert_eq(p->shared, 0, "tier %d round %zu: %d->%d shares a link", tp->tier, r, p->src, p->dst);
                cr_assert(peer[p->src] < 0 || peer[p->src] == p->dst);
                cr_assert(peer[p->dst] < 0 || peer[p->dst] == p->src);
                peer[p->src] = p->dst;
                peer[p->dst] = p->src;
                cr_assert_eq(topo_tier(t, rank_node[p->src], rank_node[p->dst], NULL), tp->tier);
                size_t k = topo_pair_links(t, topo_node_index(t, rank_node[p->src]),
                                           topo_node_index(t, rank_node[p->dst]), ids, TOPO_PATH_MAX);
                for (size_t x = 0; x < k; x++)
                    crossed[ids[x]]++;
            }
        }
    }
    for (size_t a = 0; a < nranks; a++)
        for (size_t b = 0; b < nranks; b++) {
            size_t k = topo_pair_links(t, topo_node_index(t, rank_node[a]), topo_node_index(t, rank_node[b]),
                                       ids, TOPO_PATH_MAX);
            for (size_t x = 0; x < k; x++)
                possible[ids[x]] = 1;
        }
    for (size_t l = 0; l < nl; l++) {
        char b[96];
        if (possible[l])
            cr_assert_geq(crossed[l], 2, "link %s crossed %zu times", link_str(t, (int)l, b, sizeof(b)), crossed[l]);
    }
    cr_log_info("sweep, %zu ranks: %zu tier entries, %zu rounds", nranks, plan->ntiers, rounds);
    free(crossed);
    free(possible);
    free(peer);
    topo_plan_free(plan);
    topo_free(t);
}

Test(topo_sweep, shapes)
{
    static const char *bin[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};
    sweep_case(TT_BINARY, bin, 8);
    static const char *wide[] = {"a0", "a1", "a2", "a3", "b0", "b1", "b2", "c0", "c1", "c2", "c3", "c4"};
    sweep_case(TT_WIDE, wide, 12);
    static const char *forest[] = {"x0", "x1", "x2", "x3", "x4", "x9", "y0", "y1", "y2", "loose"};
    sweep_case(TT_FOREST, forest, 10);
    /* one rank per node present only in part, and a node with two ranks */
    static const char *part[] = {"n0", "n0", "n3", "n5", "n6"};
    sweep_case(TT_BINARY, part, 5);
}
