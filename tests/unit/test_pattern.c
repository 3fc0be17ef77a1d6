/* test_pattern.c: the pattern table and its planners: pairs, allpairs
 * (every ordered pair once, disjoint rounds), tiers (each pair crosses the
 * tier it claims), and --serial's split. */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/patterns/pattern.h"
#include "bench/cli/run_opts.h"

Test(pattern, table_has_the_builtin_patterns)
{
    const char *names[] = {"pairs", "tiers", "allpairs"};
    size_t n = 0;

    for (size_t i = 0; i < 3; i++) {
        const struct bench_pattern *p = pattern_find(names[i]);
        cr_assert_not_null(p, "%s missing", names[i]);
        cr_assert_str_eq(p->name, names[i]);
        cr_assert_not_null(p->plan);
        cr_assert_not_null(p->summary);
    }
    cr_assert_null(pattern_find("zigzag"));
    for (const struct bench_pattern *const *p = pattern_list(); *p != NULL; p++)
        n++;
    cr_assert_geq(n, 3);
    cr_assert(pattern_find("tiers")->needs_topology);
    cr_assert(!pattern_find("pairs")->needs_topology);
}

static const char *const five[] = {"a", "b", "c", "d", "e"};

Test(pattern, pairs_even_to_odd_last_idles)
{
    struct pattern_input in = {NULL, five, 5};
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};

    cr_assert_eq(pattern_plan_pairs(&in, &plan, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(plan->ntiers, 1);
    cr_assert_eq(plan->tiers[0].nrounds, 1);
    const struct topo_round *r = &plan->tiers[0].rounds[0];
    cr_assert_eq(r->npairs, 2);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(r->pairs[i].src, (int)(2 * i));
        cr_assert_eq(r->pairs[i].dst, (int)(2 * i + 1));
        cr_assert_eq(r->pairs[i].tier, -1, "no topology: tier unknown");
    }
    topo_plan_free(plan);
    in.nranks = 1;
    cr_assert_eq(pattern_plan_pairs(&in, &plan, &err), TP_ERR_INVALID);
    cr_assert_not_null(strstr(err.msg, "2 ranks"));
}

Test(pattern, allpairs_every_ordered_pair_once_in_disjoint_rounds)
{
    static const char *const four[] = {"a", "b", "c", "d"};
    struct pattern_input in = {NULL, four, 4};
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    int seen[4][4] = {{0}};

    cr_assert_eq(pattern_find("allpairs")->plan(&in, &plan, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(plan->tiers[0].nrounds, 3, "N-1 rounds");
    for (size_t r = 0; r < plan->tiers[0].nrounds; r++) {
        int peer[4] = {-1, -1, -1, -1};
        const struct topo_round *rd = &plan->tiers[0].rounds[r];
        for (size_t i = 0; i < rd->npairs; i++) {
            int a = rd->pairs[i].src, b = rd->pairs[i].dst;
            seen[a][b]++;
            cr_assert(peer[a] < 0 || peer[a] == b, "rank %d has two peers in round %zu", a, r);
            peer[a] = b;
            peer[b] = a;
        }
    }
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            cr_assert_eq(seen[a][b], a == b ? 0 : 1, "pair %d->%d seen %d times", a, b,
                         seen[a][b]);
    topo_plan_free(plan);
}

Test(pattern, serial_splits_rounds_but_keeps_both_directions_together)
{
    static const char *const four[] = {"a", "b", "c", "d"};
    struct pattern_input in = {NULL, four, 4};
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};

    cr_assert_eq(pattern_find("allpairs")->plan(&in, &plan, &err), TP_OK);
    cr_assert_eq(pattern_plan_serialize(plan, &err), TP_OK);
    cr_assert_eq(plan->tiers[0].nrounds, 6, "3 rounds of 2 rank pairs each");
    for (size_t r = 0; r < plan->tiers[0].nrounds; r++) {
        const struct topo_round *rd = &plan->tiers[0].rounds[r];
        cr_assert_eq(rd->npairs, 2);
        cr_assert_eq(rd->pairs[0].src, rd->pairs[1].dst);
        cr_assert_eq(rd->pairs[0].dst, rd->pairs[1].src);
    }
    topo_plan_free(plan);
}

Test(pattern, tiers_needs_topology_and_pairs_cross_their_tier)
{
    static const char *const nodes[] = {"sim-n0", "sim-n1", "sim-n2", "sim-n4", "sim-n5",
                                        "sim-n7"};
    struct pattern_input in = {NULL, nodes, 6};
    struct topo_plan *plan = NULL;
    struct topo *topo = NULL;
    struct tp_error err = {0};
    int tiers_seen[8] = {0};

    cr_assert_eq(pattern_find("tiers")->plan(&in, &plan, &err), TP_ERR_INVALID);
    cr_assert_not_null(strstr(err.msg, "--topology"));
    cr_assert_eq(topo_load("topologies/sim-8node-3tier.yaml", NULL, &topo, &err), TP_OK, "%s",
                 err.msg);
    cr_assert_eq(topo_bind_nodes(topo, nodes, 6, &err), TP_OK, "%s", err.msg);
    in.topo = topo;
    cr_assert_eq(pattern_find("tiers")->plan(&in, &plan, &err), TP_OK, "%s", err.msg);
    for (size_t t = 0; t < plan->ntiers; t++)
        for (size_t r = 0; r < plan->tiers[t].nrounds; r++)
            for (size_t i = 0; i < plan->tiers[t].rounds[r].npairs; i++) {
                const struct topo_pair *p = &plan->tiers[t].rounds[r].pairs[i];
                cr_assert_eq(p->tier, plan->tiers[t].tier);
                cr_assert_eq(topo_tier(topo, nodes[p->src], nodes[p->dst], NULL), p->tier,
                             "%s-%s claims tier %d", nodes[p->src], nodes[p->dst], p->tier);
                tiers_seen[p->tier]++;
            }
    cr_assert(tiers_seen[1] && tiers_seen[2] && tiers_seen[3], "tiers 1, 2 and 3 covered");
    topo_plan_free(plan);
    /* pairs with a topology carry the tier */
    cr_assert_eq(pattern_plan_pairs(&in, &plan, &err), TP_OK);
    cr_assert_eq(plan->tiers[0].rounds[0].pairs[0].tier, 1, "sim-n0/sim-n1 share a leaf");
    cr_assert_str_eq(plan->tiers[0].rounds[0].pairs[0].hypernode, "sim-leaf-0");
    topo_plan_free(plan);
    topo_free(topo);
}

/* --pattern copy: every rank with itself, tier 0, one round; the options
 * that make no sense for copies are refused with one line. */
Test(pattern, copy_plans_each_rank_with_itself_at_tier_0)
{
    struct run_opts o;
    struct pattern_input in = {NULL, five, 3, NULL};
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};

    cr_assert_not_null(pattern_find("copy"));
    cr_assert_not_null(pattern_find("copy")->run_round);
    cr_assert_eq(pattern_find("copy")->plan(&in, &plan, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(plan->ntiers, 1);
    cr_assert_eq(plan->tiers[0].tier, 0);
    cr_assert_eq(plan->tiers[0].nrounds, 1);
    const struct topo_round *r = &plan->tiers[0].rounds[0];
    cr_assert_eq(r->npairs, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(r->pairs[i].src, (int)i);
        cr_assert_eq(r->pairs[i].dst, (int)i);
        cr_assert_eq(r->pairs[i].tier, 0);
    }
    topo_plan_free(plan);

    memset(&o, 0, sizeof(o));
    o.stream_bytes = 1u << 30;
    in.opts = &o;
    cr_assert_eq(pattern_find("copy")->plan(&in, &plan, &err), TP_ERR_INVALID);
    cr_assert_not_null(strstr(err.msg, "--size"), "%s", err.msg);
    o.stream_bytes = 0;
    o.bidir = 1;
    cr_assert_eq(pattern_find("copy")->plan(&in, &plan, &err), TP_ERR_INVALID);
    cr_assert_not_null(strstr(err.msg, "--bidir"), "%s", err.msg);
}
