/* test_topo_tier.c: the tier of a node pair as Volcano's scheduler sees
 * it: 0 for the same node, the tier of the lowest common HyperNode, the
 * virtual root (highest tier + 1) when none holds both; regexMatch and
 * labelMatch binding; paths; warnings. */
#include <criterion/criterion.h>
#include <string.h>

#include "topology/topology.h"

#define FIX "tests/fixtures/hypernodes"

static struct topo *load(const char *path, const char *nodes)
{
    struct topo *t = NULL;
    struct tp_error err = {0};
    cr_assert_eq(topo_load(path, nodes, &t, &err), TP_OK, "%s: %s", path, err.msg);
    return t;
}

static void bind(struct topo *t, const char *const *names, size_t n)
{
    struct tp_error err = {0};
    cr_assert_eq(topo_bind_nodes(t, names, n, &err), TP_OK, "%s", err.msg);
}

/* tier and lowest common HyperNode (NULL: none) */
static void expect_tier(const struct topo *t, const char *a, const char *b, int tier, const char *hn)
{
    const char *got = "unset";
    int x = topo_tier(t, a, b, &got);
    cr_expect_eq(x, tier, "tier(%s, %s) = %d, want %d", a, b, x, tier);
    if (hn == NULL)
        cr_expect_null(got, "tier(%s, %s): HyperNode %s, want none", a, b, got);
    else
        cr_expect(got != NULL && strcmp(got, hn) == 0, "tier(%s, %s): HyperNode %s, want %s", a, b,
                  got ? got : "(none)", hn);
    cr_expect_eq(topo_tier(t, b, a, NULL), tier, "tier(%s, %s) not symmetric", b, a);
}

Test(topo_tier, list_3tier_regex_and_exact_members)
{
    struct topo *t = load(FIX "/list-3tier.yaml", NULL);
    const char *names[] = {"gpu-node-0", "gpu-node-3", "gpu-node-4", "gpu-node-7", "gpu-node-9"};
    bind(t, names, 5);
    cr_expect_eq(topo_max_tier(t), 3);
    cr_expect_eq(topo_virtual_tier(t), 4);
    expect_tier(t, "gpu-node-0", "gpu-node-0", 0, NULL);
    expect_tier(t, "gpu-node-0", "gpu-node-3", 1, "leaf-a");  /* both by regexMatch */
    expect_tier(t, "gpu-node-4", "gpu-node-7", 1, "leaf-b");  /* both by exactMatch */
    expect_tier(t, "gpu-node-0", "gpu-node-4", 2, "spine");
    /* gpu-node-9 matches no selector: only the virtual root holds it */
    expect_tier(t, "gpu-node-9", "gpu-node-0", 4, NULL);
    cr_expect_eq(topo_tier(t, "gpu-node-0", "nobody", NULL), -1);
    cr_expect_null(topo_tier_name(t, 1));
    topo_free(t);
}

Test(topo_tier, tier_names_and_paths)
{
    struct topo *t = load(FIX "/good-multidoc-tiername.yaml", NULL);
    const char *names[4];
    int tiers[4];
    cr_expect_str_eq(topo_tier_name(t, 1), "topology-rack");
    cr_expect_str_eq(topo_tier_name(t, 2), "topology-spine");
    cr_expect_null(topo_tier_name(t, 3));
    expect_tier(t, "n0", "n1", 1, "rack-0");
    expect_tier(t, "n2", "n3", 1, "rack-1");
    expect_tier(t, "n1", "n2", 2, "spine-0");
    cr_assert_eq(topo_node_path(t, "n3", names, tiers, 4), 2);
    cr_expect_str_eq(names[0], "rack-1");
    cr_expect_str_eq(names[1], "spine-0");
    cr_expect_eq(tiers[0], 1);
    cr_expect_eq(tiers[1], 2);
    cr_expect_eq(topo_node_path(t, "n3", names, tiers, 1), 2, "length is the full length");
    cr_expect_eq(topo_node_path(t, "nobody", NULL, NULL, 0), -1);
    cr_expect_eq(topo_node_count(t), 4);
    cr_expect_eq(topo_hypernode_count(t), 3);
    cr_expect_str_eq(topo_node_name(t, 0), "n0");
    cr_expect_null(topo_node_name(t, 4));
    cr_expect_eq(topo_warning_count(t), 0);
    topo_free(t);
}

Test(topo_tier, mixed_depth_node_under_a_higher_tier_and_virtual_root)
{
    struct topo *t = load(FIX "/good-mixed-depth.yaml", NULL);
    /* n9 sits directly in the tier-2 spine: it meets rack-0's nodes there */
    expect_tier(t, "n9", "n0", 2, "spine");
    expect_tier(t, "n0", "n1", 1, "rack-0");
    /* island and spine share no HyperNode: the virtual root, tier 2 + 1 */
    expect_tier(t, "n5", "n0", 3, NULL);
    expect_tier(t, "n5", "n9", 3, NULL);
    cr_expect_eq(topo_node_path(t, "n9", NULL, NULL, 0), 1);
    cr_assert_eq(topo_warning_count(t), 1);
    const char *w = topo_warning(t, 0);
    cr_expect_not_null(strstr(w, FIX "/good-mixed-depth.yaml:"), "%s", w);
    cr_expect_not_null(strstr(w, "HyperNode 'spine'"), "%s", w);
    cr_expect_not_null(strstr(w, "spec.members"), "%s", w);
    cr_expect_not_null(strstr(w, "node 'n9'"), "%s", w);
    cr_expect_not_null(strstr(w, "lowest tier present (1)"), "%s", w);
    topo_free(t);
}

Test(topo_tier, label_match_with_nodes_file)
{
    struct topo *t = load(FIX "/good-labelexpr.yaml", FIX "/good-labelexpr-nodes.json");
    /* zone-a: zone In [a] and gpu Exists -> a0; zone-b: zone=b, no cordoned -> b0 */
    expect_tier(t, "a0", "b0", 2, "top");
    expect_tier(t, "a0", "a1", 3, NULL);      /* a1 has no gpu label */
    expect_tier(t, "b0", "b1", 3, NULL);      /* b1 is cordoned */
    cr_expect_eq(topo_node_path(t, "a1", NULL, NULL, 0), 0);
    cr_expect_eq(topo_node_count(t), 4);
    cr_expect_eq(topo_warning_count(t), 0);
    topo_free(t);

    t = load(FIX "/seed-kthena.yaml", FIX "/seed-kthena-nodes.yaml");
    const char *names[2];
    cr_assert_eq(topo_node_path(t, "kthena-worker", names, NULL, 2), 2);
    cr_expect_str_eq(names[0], "s0");
    cr_expect_str_eq(names[1], "s2");
    expect_tier(t, "kthena-worker", "kthena-worker2", 3, NULL);
    topo_free(t);
}

Test(topo_tier, label_match_without_nodes_file_warns)
{
    struct topo *t = load(FIX "/seed-kthena.yaml", NULL);
    cr_assert_eq(topo_warning_count(t), 1);
    cr_expect_not_null(strstr(topo_warning(t, 0), FIX "/seed-kthena.yaml"), "%s", topo_warning(t, 0));
    cr_expect_not_null(strstr(topo_warning(t, 0), "labelMatch"), "%s", topo_warning(t, 0));
    cr_expect_eq(topo_node_count(t), 0);
    /* without labels a bound name cannot match the labelMatch leaf */
    const char *names[] = {"kthena-worker", "kthena-worker2"};
    bind(t, names, 2);
    expect_tier(t, "kthena-worker", "kthena-worker2", 3, NULL);
    topo_free(t);
}

Test(topo_tier, regex_member_of_hypernode_warns_and_is_ignored)
{
    struct topo *t = load(FIX "/warn-hn-regex.yaml", NULL);
    cr_assert_eq(topo_warning_count(t), 1);
    const char *w = topo_warning(t, 0);
    cr_expect_not_null(strstr(w, FIX "/warn-hn-regex.yaml:"), "%s", w);
    cr_expect_not_null(strstr(w, "HyperNode 'top'"), "%s", w);
    cr_expect_not_null(strstr(w, "spec.members[1].selector"), "%s", w);
    cr_expect_not_null(strstr(w, "regexMatch"), "%s", w);
    expect_tier(t, "w0", "w1", 1, "leaf");
    topo_free(t);
}

Test(topo_tier, binding_same_tier_conflict_and_empty_name)
{
    struct topo *t = load(FIX "/bad-same-tier-regex.yaml", NULL);
    struct tp_error err = {0};
    const char *ok[] = {"gpu-0", "gpu-9", "gpu-0"};
    bind(t, ok, 3);                               /* repeats are fine */
    expect_tier(t, "gpu-0", "gpu-9", 2, NULL);   /* two tier-1 roots */
    const char *empty[] = {""};
    cr_expect_eq(topo_bind_nodes(t, empty, 1, &err), TP_ERR_INVALID);
    const char *both[] = {"gpu-7"};
    cr_expect_eq(topo_bind_nodes(t, both, 1, &err), TP_ERR_INVALID);
    cr_expect_not_null(strstr(err.msg, "gpu-7"), "%s", err.msg);
    topo_free(t);
}

Test(topo_tier, sim_default_topology)
{
    struct topo *t = load("topologies/sim-8node-3tier.yaml", NULL);
    cr_expect_eq(topo_node_count(t), 8);
    cr_expect_eq(topo_virtual_tier(t), 4);
    expect_tier(t, "sim-n0", "sim-n1", 1, "sim-leaf-0");
    expect_tier(t, "sim-n0", "sim-n2", 2, "sim-spine-0");
    expect_tier(t, "sim-n3", "sim-n4", 3, "sim-core");
    cr_expect_str_eq(topo_tier_name(t, 3), "core");
    topo_free(t);
}

Test(topo_tier, regex_match_with_nodes_file)
{
    struct topo *t = load(FIX "/good-regex.yaml", FIX "/good-regex-nodes.yaml");
    cr_expect_eq(topo_node_count(t), 6);
    expect_tier(t, "r0-n0", "r0-n1", 1, "leaf-0");
    expect_tier(t, "r1-n0", "r1-n12", 1, "leaf-1");   /* RE2 \d translated */
    expect_tier(t, "r0-n1", "r1-n12", 2, "spine");
    expect_tier(t, "r1-nx", "r1-n0", 3, NULL);        /* matches no pattern */
    expect_tier(t, "other-0", "r0-n0", 3, NULL);
    cr_expect_eq(topo_warning_count(t), 0);
    topo_free(t);
}
