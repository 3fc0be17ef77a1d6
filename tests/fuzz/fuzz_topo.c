/* fuzz_topo.c: the HyperNode reader and the nodes-file reader on arbitrary
 * bytes.  Each input is read once as a HyperNode file and once as the
 * nodes file of a small fixed tree (regexMatch + labelMatch leaves).  When
 * it loads, the tree is exercised: bind names, tiers, both planners, both
 * emitters.  It must return an error or a tree, never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "topology/topo_print.h"
#include "topology/topology.h"

static const char fixed_tree[] =
    "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: leaf-r}\n"
    "spec: {tier: 1, members: [{type: Node, selector: {regexMatch: {pattern: '^r[0-9]+$'}}}]}\n---\n"
    "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: leaf-l}\n"
    "spec: {tier: 1, members: [{type: Node, selector: {labelMatch: {matchLabels: {zone: a},\n"
    "  matchExpressions: [{key: gpu, operator: NotIn, values: [none]}]}}}]}\n---\n"
    "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: top}\n"
    "spec: {tier: 3, members: [{type: HyperNode, selector: {exactMatch: {name: leaf-r}}},\n"
    "  {type: HyperNode, selector: {exactMatch: {name: leaf-l}}}]}\n";

static void exercise(struct topo *t)
{
    static const char *const extra[] = {"r1", "r22", "x", "r1"};
    struct tp_error err = {0};
    if (topo_bind_nodes(t, extra, 4, &err) != TP_OK)
        return;
    size_t n = topo_node_count(t);
    if (n > 64)
        n = 64;
    const char *names[64];
    for (size_t i = 0; i < n; i++)
        names[i] = topo_node_name(t, i);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++)
            (void)topo_tier(t, names[i], names[k], NULL);
    struct topo_plan *plan = NULL;
    if (topo_plan_tiers(t, names, n, &plan, &err) == TP_OK)
        topo_plan_free(plan);
    plan = NULL;
    if (topo_plan_allpairs(t, names, n, &plan, &err) == TP_OK)
        topo_plan_free(plan);
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull != NULL) {
        topo_print_tree(devnull, t);
        topo_print_paths(devnull, t, NULL, n);
        (void)topo_emit_sim(devnull, t, &err);
        (void)topo_emit_yaml(devnull, t, &err);
        fclose(devnull);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], tree[128];
    struct tp_error err = {0};
    struct topo *t = NULL;

    if (fuzz_write_temp(data, size, ".yaml", path, sizeof(path)) != 0)
        return 0;
    if (topo_load(path, NULL, &t, &err) == TP_OK) {
        exercise(t);
        topo_free(t);
    }
    t = NULL;
    if (fuzz_write_temp((const uint8_t *)fixed_tree, sizeof(fixed_tree) - 1, "-tree.yaml", tree,
                        sizeof(tree)) == 0 &&
        topo_load(tree, path, &t, &err) == TP_OK) {
        exercise(t);
        topo_free(t);
    }
    unlink(path);
    unlink(tree);
    return 0;
}
