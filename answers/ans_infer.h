/* ans_infer.h: infer a HyperNode tree from measurements.  Nodes are
 * clustered by average-linkage agglomeration on the node x node bandwidth
 * (pairs never measured are left out of the averages, so sparse `tiers`
 * runs work too); merges are cut into tiers only where the merge bandwidth
 * drops by more than a clear factor below the lowest merge of the current
 * tier (a gap), so noise inside a tier never opens a new one.  Each
 * HyperNode gets a confidence (ans_infer_conf.c). */
#ifndef TIERPERF_ANS_INFER_H
#define TIERPERF_ANS_INFER_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "ans_pairs.h"

struct ans_matrix {
    const char **nodes;   /* sorted names, borrowed from the pairs */
    size_t n;
    double *bw;           /* n*n, mean of both directions, NAN unmeasured */
    size_t shared;        /* rows left out: measured while another pair of their
                           * round crossed one of their links (round_shared > 0) */
};

tp_status_t ans_matrix_build(const struct ans_pairs *pairs, struct ans_matrix *m,
                             struct tp_error *err);
void ans_matrix_free(struct ans_matrix *m);
long ans_matrix_index(const struct ans_matrix *m, const char *node);   /* -1 unknown */

/* How sure a HyperNode's grouping is, 0..1 (1: every member is a clear
 * factor closer to its group than to any other group of the tier, and the
 * group shows no inner split by that factor).  why names the weakest
 * evidence. */
enum ans_conf_why { ANS_CONF_CLEAR, ANS_CONF_MEMBER, ANS_CONF_HIDDEN, ANS_CONF_BELOW };
struct ans_hn_conf {
    double conf;
    enum ans_conf_why why;
    long node;            /* MEMBER: the least attached member */
    int rival;            /* MEMBER: the group of the tier it is nearly as close to;
                           * BELOW: the child (tier - 1) that may hide a tier */
    double inside, outside;   /* MEMBER: its bandwidth to its group / to the rival;
                               * HIDDEN, BELOW: inside two clusters / between them */
};

struct ans_tree {
    size_t n;             /* nodes, as in the matrix */
    int ntiers;
    int *group;           /* group[(tier-1)*n + i]: node i's HyperNode index at tier */
    size_t *ngroups;      /* per tier */
    double *tier_bw;      /* median merge bandwidth per tier */
    double factor;        /* the clear factor the tiers were cut with */
    struct ans_hn_conf *conf;   /* conf[(tier-1)*n + g] */
};

/* Clustering is O(n^3) time and O(n^2) memory: beyond this many nodes
 * ans_infer_tree refuses instead of running for hours. */
#define ANS_INFER_MAX_NODES 2048

/* factor > 1: tiers are separated only where bandwidth drops by more than
 * this factor (docs/answers.md, "infer"). */
#define ANS_INFER_FACTOR_DEFAULT 2.0
tp_status_t ans_infer_tree(const struct ans_matrix *m, double factor, struct ans_tree *t,
                           struct tp_error *err);
/* ans_infer_conf.c: fill t->conf (called by ans_infer_tree); -1 out of
 * memory.  A confidence below ANS_CONF_LOW is reported as unsure. */
#define ANS_CONF_LOW 0.5
int ans_tree_confidence(struct ans_tree *t, const struct ans_matrix *m);
/* One line (no newline) saying what the confidence of group g rests on. */
void ans_tree_conf_explain(const struct ans_tree *t, const struct ans_matrix *m,
                           const char *prefix, int tier, int g, char *buf, size_t len);
void ans_tree_free(struct ans_tree *t);
/* 0 same node, the lowest tier grouping both, or ntiers + 1 (virtual root). */
int ans_tree_tier(const struct ans_tree *t, size_t a, size_t b);
/* HyperNode name of group g at tier: PREFIX-t<tier>-<g>. */
void ans_tree_name(const char *prefix, int tier, int g, char *buf, size_t len);
/* spec.tierName of every inferred HyperNode of a tier: "PREFIX-t<tier>", so a
 * workload can use highestTierName with an inferred tree. */
void ans_tree_tier_name(const char *prefix, int tier, char *buf, size_t len);
/* --prefix: a DNS name that still is one with "-t<tier>-<i>" appended. */
#define ANS_PREFIX_MAX 200
#define ANS_PREFIX_MAX_STR "200"
tp_status_t ans_infer_prefix_check(const char *prefix, struct tp_error *err);
/* kind: List of topology.volcano.sh/v1alpha1 HyperNodes, exactMatch members. */
void ans_tree_print_yaml(FILE *out, const struct ans_tree *t, const struct ans_matrix *m,
                         const char *prefix, const char *source);

/* ans_infer_json.c: the answer for machines (docs/answers.md, "infer
 * --json"): tiers, HyperNodes with their members, the disagreements with a
 * declared tree (diff_text: ans_infer_diff's lines, NULL without one) and
 * the YAML as text. */
cJSON *ans_infer_to_json(const struct ans_tree *t, const struct ans_matrix *m, const char *prefix,
                         const char *source, const char *diff_text);

/* Declared topology as matrices over the same nodes (filled by the caller
 * from topology/topology.h): tier[i*n+j] (-1 unknown) and the lowest
 * common HyperNode's name (NULL at tier 0 or the virtual root). */
struct ans_declared {
    int *tier;
    const char **hypernode;
};

/* Where the declared tree disagrees with the measured one: nodes whose
 * declared leaf-mates measure as further away than their leaf (cabled to
 * the wrong switch), and HyperNodes whose uplink is measurably slower than
 * their peers' at the same tier.  Prints one finding per line; returns
 * the number of findings. */
size_t ans_infer_diff(FILE *out, const struct ans_matrix *m, const struct ans_tree *t,
                      const struct ans_declared *d, double slow_pct);

#endif
