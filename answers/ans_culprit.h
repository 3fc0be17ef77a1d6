/* ans_culprit.h: name the culprit.  From a run's pairs and the HyperNode
 * tree, the smallest set of components that explains the slow pairs: a
 * node's access link (and which direction), a HyperNode's uplink, or one
 * pair.  Boolean tomography over a tree (the path of a pair is unique:
 * topology/topo_links.h):
 *
 * - slow: a pair whose bandwidth is at least `factor` times below its
 *   tier's typical rate (the 75th percentile of the tier's pairs, so a
 *   fault under up to three quarters of a tier's pairs leaves the
 *   reference healthy);
 * - a directed link is a candidate when at least min_pairs measured pairs
 *   cross it and at least `agree` of them are slow;
 * - links crossed by exactly the same measured pairs cannot be told apart
 *   (a HyperNode with two children: every pair across it uses both
 *   uplinks); such a class is named as "one of these";
 * - candidates are chosen greedily, the one explaining the most slow
 *   pairs not yet explained first, until none explains more; the two
 *   directions of one link chosen together become "both directions";
 * - a slow pair no chosen link explains is reported as one pair, but
 *   unconfirmed: one measurement cannot tell a fault of that pair from a
 *   moment of noise (a loaded host), so it is never printed as a suspect.
 * Pairs that shared a link with another pair of their round
 * (round_shared > 0) are left out: their slowness may be contention. */
#ifndef TIERPERF_ANS_CULPRIT_H
#define TIERPERF_ANS_CULPRIT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "ans_pairs.h"
#include "../topology/topo_links.h"

struct ans_culprit_opts {
    double factor;          /* slow: this many times below the tier's typical rate (2) */
    size_t min_pairs;       /* pairs through a link before it can be named (3) */
    double agree;           /* share of them that must be slow (0.9) */
};
#define ANS_CULPRIT_OPTS_DEFAULT {2.0, 3, 0.9}

#define ANS_CULPRIT_MAX_ALTS 8
#define ANS_DIR_UP 1        /* the node / child HyperNode transmits */
#define ANS_DIR_DOWN 2

struct ans_component {
    enum topo_link_kind kind;
    const char *name;       /* node or HyperNode (borrowed from the topo) */
    const char *parent;     /* HyperNode above it; NULL: the virtual root */
    int dirs;               /* ANS_DIR_* */
};

enum ans_suspect_kind { ANS_SUSPECT_LINK, ANS_SUSPECT_PAIR };

struct ans_suspect {
    enum ans_suspect_kind kind;
    struct ans_component alt[ANS_CULPRIT_MAX_ALTS]; /* LINK: one of these */
    size_t nalts, more_alts;                        /* more_alts: not listed */
    const struct ans_pair *pair;                    /* PAIR */
    size_t through, slow_through;   /* measured pairs through it, slow ones */
    double below_min_pct, below_max_pct;  /* slow ones, % below their tier's rate */
    size_t others, others_slow;     /* pairs not through it; slow ones no other suspect explains */
    size_t *slow_pairs;             /* indices into the pairs: the slow ones through it */
};

struct ans_culprit {
    struct ans_culprit_opts opts;
    struct ans_suspect *v;
    size_t n;
    size_t judged;          /* pairs with a bandwidth, in the tree */
    size_t slow;
    size_t contended;       /* left out: round_shared > 0 */
    size_t unexplained;     /* slow pairs named as pairs */
};

/* topo gets the pairs' node names bound.  Pairs without a bandwidth, with
 * a failure or with nodes unknown to the tree are not judged. */
tp_status_t ans_culprit_find(const struct ans_pairs *pairs, struct topo *topo,
                             const struct ans_culprit_opts *opts, struct ans_culprit *out,
                             struct tp_error *err);
void ans_culprit_free(struct ans_culprit *c);

/* Human text of suspect i, without a trailing newline:
 * "node sim-n5, access link, both directions: 10 of 10 pairs through it
 * 60-98% below their tier's typical rate; 0 of 46 other pairs". */
void ans_suspect_text(const struct ans_suspect *s, char *buf, size_t len);
/* "suspect: ..." lines, or one line saying none / why not. */
void ans_culprit_print(FILE *out, const struct ans_culprit *c);
/* {"factor", "judged", "slow", "contended", "suspects": [{kind, text,
 * components: [{kind, name, parent, directions}], pair: {src, dst},
 * pairs_through, slow_through, below_pct: [min, max], other_pairs,
 * other_slow, slow_pairs: [[src, dst], ...]}]}; docs/answers.md.  pairs
 * are the ones given to ans_culprit_find. */
cJSON *ans_culprit_to_json(const struct ans_culprit *c, const struct ans_pairs *pairs);
/* A JUnit <testsuite name="culprit"> (one failing testcase per suspect,
 * one passing when none). */
void ans_culprit_write_junit(FILE *f, const struct ans_culprit *c);

#endif
