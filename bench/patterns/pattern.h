/* pattern.h: traffic patterns as table entries (nccl-tests style).  A
 * pattern plans rounds of rank pairs; the shared engine (round.c) drives
 * the timing loop.  A new pattern is one new file, which defines its
 * const struct bench_pattern pattern_<name>, plus one row in
 * pattern_table.c; patterns whose traffic is not pairwise supply their own
 * run_round. */
#ifndef TIERPERF_PATTERN_H
#define TIERPERF_PATTERN_H

#include <stddef.h>

#include "../../common/opt_table.h"
#include "../../common/status.h"
#include "../../topology/topology.h"

struct bench_engine;

/* What a planner gets: the ranks' node names and the bound topology (or
 * NULL without --topology). */
struct run_opts;
struct pattern_input {
    const struct topo *topo;
    const char *const *node_of_rank;
    size_t nranks;
    const struct run_opts *opts;    /* pattern options (may be NULL in tests) */
};

struct bench_pattern {
    const char *name;
    const char *summary;            /* one line for --help */
    int needs_topology;
    unsigned needs_caps;            /* transport caps the pattern relies on */
    const char *default_sizes;      /* --sizes when not given; NULL = run's */
    /* The pattern's own options (NULL: none), parsed into its config
     * struct (run_opts.pattern_cfg when it is the chosen pattern), and a
     * check of that struct against the run's options (NULL: none). */
    const struct opt_table *options;
    tp_status_t (*check_options)(const void *cfg, const struct run_opts *o,
                                 struct tp_error *err);
    /* Rounds of pairs, in the struct topo_plan layout (free with
     * topo_plan_free: every array malloc'd). */
    tp_status_t (*plan)(const struct pattern_input *in, struct topo_plan **plan_p,
                        struct tp_error *err);
    /* NULL: the pairwise engine (round_run_pairs). */
    tp_status_t (*run_round)(struct bench_engine *eng, const struct topo_tier_plan *tier,
                             const struct topo_round *round);
};

const struct bench_pattern *pattern_find(const char *name);
/* NULL-terminated */
const struct bench_pattern *const *pattern_list(void);

/* Rank 2i -> 2i+1 (pattern_pairs.c), a planner other patterns reuse (kv).
 * The other planners and run_round functions are their files' own,
 * reached through the table (pattern_find). */
tp_status_t pattern_plan_pairs(const struct pattern_input *in, struct topo_plan **plan_p,
                               struct tp_error *err);

/* Helpers for planners (pattern_plan.c): a plan of one tier entry with
 * nrounds empty rounds of room for cap pairs each; and --serial's split of
 * every round into rounds that each hold the pairs of one rank pair. */
struct topo_plan *pattern_plan_alloc(int tier, size_t nrounds, size_t cap);
tp_status_t pattern_plan_serialize(struct topo_plan *plan, struct tp_error *err);

#endif
