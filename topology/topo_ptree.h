/* topo_ptree.h: the present tree the planners walk (topo_plan.c builds
 * it): the HyperNodes holding any rank's node, a virtual root (index
 * nhns) above the parentless ones, each HyperNode's present child
 * HyperNodes and directly held nodes, and the nodes in DFS order so that
 * every HyperNode's nodes are one range.  Internal to topology/. */
#ifndef TIERPERF_TOPO_PTREE_H
#define TIERPERF_TOPO_PTREE_H

#include "topo_internal.h"

/* The present tree: what the tiers planner walks. */
struct ptree {
    const struct topo *t;
    int *rep;                   /* node -> first rank, -1 absent */
    int *second;                /* node -> second rank, -1 none */
    int *present_nodes;         /* node indices in first-rank order */
    size_t npresent;
    unsigned char *pres;        /* per HyperNode (+1 virtual root) */
    int **kids;                 /* per H: child HyperNodes present */
    size_t *nkids;
    int **direct;               /* per H: present nodes whose own == H */
    size_t *ndirect;
    int *order;                 /* present nodes in DFS order */
    size_t *lo, *hi;            /* per H: its range in order[] */
};

tp_status_t topo_ptree_build(struct ptree *p, const struct topo *t, const char *const *node_of_rank,
                             size_t nranks, struct tp_error *err);
/* nh: the topo's nhns (the arrays hold nh + 1 entries) */
void topo_ptree_free(struct ptree *p, size_t nh);
/* Whether HyperNode h (the tree's nhns: the virtual root) is present, of
 * tier (virt: the virtual tier above the top, which only the root has) and
 * joins at least two units (child HyperNodes or directly held nodes): one
 * the planners make pairs under. */
int topo_ptree_joins(const struct ptree *p, size_t h, int virt, int tier);
/* The tree planners' start: an empty plan with room for every tier, the
 * virtual one and tier 0, and the present tree of the ranks' nodes.  On
 * failure nothing is left to free. */
tp_status_t topo_plan_start(const struct topo *topo, const char *const *node_of_rank,
                            size_t nranks, struct ptree *p, struct topo_plan **plan_p,
                            struct tp_error *err);
/* A planner's end: the plan into *plan_p when st is TP_OK, else freed;
 * returns st. */
tp_status_t topo_plan_finish(struct topo_plan *plan, tp_status_t st, struct topo_plan **plan_p);

#endif
