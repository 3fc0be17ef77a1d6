/* topo_pack.h: rounds in which no healthy pair can look slow.  Pairs of
 * one round run at once; two pairs whose paths share a link in the same
 * direction each get part of its rate.  The packer re-cuts a plan's
 * rounds so that no directed link (topo_links.h) carries two pairs of a
 * round and no rank has two peers in a round, and the annotator records,
 * for every pair, its run-wide round and how many other pairs of that
 * round shared a directed link of its path.
 *
 * Packing is greedy first-fit colouring, pairs ordered busiest link
 * first.  Lower bound on the rounds of a tier entry: the most pairs
 * through one directed link, or the most distinct peers of one rank.
 * First-fit never needs more than 1 + (pairs conflicting with one pair),
 * so at most about (links on the longest path + 2) x the bound; measured
 * on the tree shapes of tests/unit/test_topo_pack.c it stays within 1.5x
 * (docs/topology.md). */
#ifndef TIERPERF_TOPO_PACK_H
#define TIERPERF_TOPO_PACK_H

#include <stddef.h>

#include "topology.h"

/* Re-cut every tier entry of plan (pairs keep their tier) whose rounds
 * share a directed link; entries already free of sharing stay as they
 * are.  node_of_rank[] names every rank's node (bound in topo).  When the
 * work would be too large (more than limit_pairs pairs in an entry; 0 =
 * the default of 20000), the entry is left as it is and *skipped_p (may
 * be NULL) counts it.  *bound_p (may be NULL) gets the largest lower
 * bound over the entries. */
tp_status_t topo_plan_pack(const struct topo *topo, const char *const *node_of_rank,
                           size_t nranks, struct topo_plan *plan, size_t limit_pairs,
                           size_t *bound_p, size_t *skipped_p, struct tp_error *err);

/* Lower bound on the rounds of one tier entry (see above). */
size_t topo_tier_round_bound(const struct topo *topo, const char *const *node_of_rank,
                             size_t nranks, const struct topo_tier_plan *tier);

/* Set every pair's round (run-wide index in execution order) and shared
 * (other pairs of its round, on other rank pairs, that cross a directed
 * link of its path; -1 when topo is NULL). */
tp_status_t topo_plan_annotate(const struct topo *topo, const char *const *node_of_rank,
                               size_t nranks, struct topo_plan *plan, struct tp_error *err);

#endif
