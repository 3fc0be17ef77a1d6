/* topology.h: Volcano HyperNode trees (topology.volcano.sh/v1alpha1) and
 * the tier of a node pair, plus the planners that choose which rank pairs
 * measure which tier.  Semantics follow Volcano's scheduler: a node's own
 * HyperNode is looked up among the lowest tier present; the tier of a pair
 * is the tier of their lowest common HyperNode; 0 for the same node; with
 * no common HyperNode, a virtual root at (highest tier + 1). */
#ifndef TIERPERF_TOPOLOGY_H
#define TIERPERF_TOPOLOGY_H

#include <stddef.h>

#include "../common/status.h"

struct topo;                 /* a parsed, validated HyperNode forest */

/* Parse one or more files' worth of HyperNodes: multi-document YAML,
 * `kind: List` with items (kubectl -o yaml), or single objects.
 * nodes_path (may be NULL) is `kubectl get nodes -o yaml|json` output,
 * needed for labelMatch and giving the known node names.  Errors name
 * file, object and field. */
tp_status_t topo_load(const char *path, const char *nodes_path,
                      struct topo **topo_p, struct tp_error *err);
void topo_free(struct topo *topo);

/* Resolve node names (from ranks, or the nodes file) against the
 * selectors.  Names may repeat (several ranks on one node).  A node
 * matched by two HyperNodes of the same tier is an error. */
tp_status_t topo_bind_nodes(struct topo *topo, const char *const *nodes,
                            size_t n, struct tp_error *err);

/* Tier between two bound nodes; *hypernode_p gets the lowest common
 * HyperNode's name, NULL for tier 0 (same node), or NULL at the virtual
 * root.  Returns -1 when a node is unknown to the tree (not bound / in no
 * HyperNode: such nodes meet others only at the virtual root, so this
 * returns the virtual tier for them instead; -1 is for names never bound). */
int topo_tier(const struct topo *topo, const char *node_a, const char *node_b,
              const char **hypernode_p);
int topo_max_tier(const struct topo *topo);        /* highest real tier */
int topo_virtual_tier(const struct topo *topo);    /* max real tier + 1 */
const char *topo_tier_name(const struct topo *topo, int tier); /* or NULL */

/* Warnings found while loading/binding (each one line naming file, object
 * and field): selectors the scheduler ignores, nodes hung above the
 * lowest tier, labelMatch without node labels.  Not errors. */
size_t topo_warning_count(const struct topo *topo);
const char *topo_warning(const struct topo *topo, size_t i);

/* A node's path: its own HyperNode (lowest tier among those listing it)
 * up to its root.  Fills at most max names/tiers (either may be NULL) and
 * returns the full length: 0 for a node in no HyperNode, -1 unknown. */
int topo_node_path(const struct topo *topo, const char *node, const char **names,
                   int *tiers, size_t max);
/* Known nodes (exactMatch members, nodes file, bound names), in the order
 * first seen. */
size_t topo_node_count(const struct topo *topo);
size_t topo_hypernode_count(const struct topo *topo);
const char *topo_node_name(const struct topo *topo, size_t i);

/* topo_labels.c: a nodes file alone (`kubectl get nodes -o yaml|json`), no
 * HyperNodes: node names and labels; free with topo_free. */
tp_status_t topo_nodes_read(const char *nodes_path, struct topo **topo_p, struct tp_error *err);
/* The value of label key on node (from a nodes file), NULL when the node
 * or the label is unknown. */
const char *topo_node_label(const struct topo *topo, const char *node, const char *key);

/* Plans.  Ranks are indices into node_of_rank[]; pairs are ordered
 * (src -> dst).  Rounds hold disjoint pairs that may run concurrently. */
struct topo_pair {
    int src, dst;
    int tier;
    const char *hypernode;   /* lowest common HyperNode, NULL if none */
    int round;               /* run-wide round index, set by topo_plan_annotate */
    int shared;              /* other pairs of the round sharing a directed
                                link of this pair's path; -1 unknown */
};
struct topo_round {
    struct topo_pair *pairs;
    size_t npairs;
};
struct topo_tier_plan {
    int tier;
    const char *tier_name;   /* may be NULL */
    struct topo_round *rounds;
    size_t nrounds;
};
struct topo_plan {
    struct topo_tier_plan *tiers;   /* ascending tier */
    size_t ntiers;
};

/* --pattern tiers: for every tier present among the ranks, pairs whose
 * tier is exactly that tier; every node measured at every tier it can
 * reach, every HyperNode's uplink crossed by at least one pair, O(N) pairs
 * per tier. */
tp_status_t topo_plan_tiers(const struct topo *topo,
                            const char *const *node_of_rank, size_t nranks,
                            struct topo_plan **plan_p, struct tp_error *err);
/* --pattern allpairs: every ordered pair of ranks in N-1 rounds (as
 * mpiGraph), grouped as a single "tier" entry with tier = -1. */
tp_status_t topo_plan_allpairs(const struct topo *topo,
                               const char *const *node_of_rank, size_t nranks,
                               struct topo_plan **plan_p, struct tp_error *err);
/* --pattern sweep: every node's access link and every HyperNode uplink
 * crossed `times` times each way (fewer only where no new node pair is
 * left), in rounds where no directed link carries two pairs; one tier
 * entry per tier, at most 2 x times rounds each: the rounds grow with
 * the tiers, not with the nodes (topo_sweep.c). */
#define TOPO_SWEEP_TIMES 3
tp_status_t topo_plan_sweep(const struct topo *topo, const char *const *node_of_rank, size_t nranks,
                            size_t times, struct topo_plan **plan_p, struct tp_error *err);
void topo_plan_free(struct topo_plan *plan);

#endif
