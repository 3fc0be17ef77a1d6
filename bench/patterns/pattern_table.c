/* pattern_table.c: the one list of traffic patterns `run` offers. */
#include "pattern.h"

#include <string.h>

#include "../../transports/transport.h"

static const struct bench_pattern pattern_pairs = {
    .name = "pairs",
    .summary = "rank 2i -> 2i+1, all pairs at once (tier from --topology if given)",
    .plan = pattern_plan_pairs,
};

static const struct bench_pattern pattern_tiers = {
    .name = "tiers",
    .summary = "per tier, disjoint pairs crossing exactly that tier (needs --topology)",
    .needs_topology = 1,
    .default_sizes = "64,4M",   /* a latency size and a bandwidth size */
    .plan = pattern_plan_tiers,
};

static const struct bench_pattern pattern_allpairs = {
    .name = "allpairs",
    .summary = "every ordered rank pair in N-1 rounds (bandwidth/latency matrix)",
    .default_sizes = "64,4M",   /* a latency size and a bandwidth size */
    .plan = pattern_plan_allpairs,
};

static const struct bench_pattern pattern_sweep = {
    .name = "sweep",
    .summary = "every access link and uplink 3 times each way, rounds grow with tiers (needs --topology)",
    .needs_topology = 1,
    .plan = pattern_plan_sweep,
};

static const struct bench_pattern pattern_rails = {
    .name = "rails",
    .summary = "multi-rail nodes: same-rail pairs of two nodes at once, then cross-rail",
    .plan = pattern_plan_rails,
};

static const struct bench_pattern pattern_fanout = {
    .name = "fanout",
    .summary = "rank 0 sends --size to all others at once (star) and as a chain",
    .needs_caps = TP_CAP_THREAD_EPS,
    .options = &pattern_fanout_options,
    .plan = pattern_plan_fanout,
    .run_round = pattern_run_fanout,
};

static const struct bench_pattern pattern_kv = {
    .name = "kv",
    .summary = "prefill -> decode KV-cache blocks (--sizes, --iters), per-block percentiles",
    .needs_caps = TP_CAP_THREAD_EPS,
    .default_sizes = "64K,256K,1M,4M,16M",
    .options = &pattern_kv_options,
    .check_options = pattern_kv_check_options,
    .plan = pattern_plan_kv,
    .run_round = pattern_run_kv,
};

static const struct bench_pattern pattern_alltoall = {
    .name = "alltoall",
    .summary = "every rank to every other at once, per size (rank aggregate receive rate)",
    .needs_caps = TP_CAP_THREAD_EPS,
    .default_sizes = "64K,1M,4M",
    .plan = pattern_plan_alltoall,
    .run_round = pattern_run_alltoall,
};

static const struct bench_pattern pattern_congestion = {
    .name = "congestion",
    .summary = "a victim pair alone, then with aggressors loading its tier (slowdown)",
    .needs_topology = 1,
    .needs_caps = TP_CAP_THREAD_EPS,
    .default_sizes = "64,4M",
    .options = &pattern_congestion_options,
    .plan = pattern_plan_congestion,
    .run_round = pattern_run_congestion,
};

static const struct bench_pattern pattern_copy = {
    .name = "copy",
    .summary = "each rank's own copies h2d, d2h, d2d per size (tier-0 reference)",
    .plan = pattern_plan_copy,
    .run_round = pattern_run_copy,
};

static const struct bench_pattern *const patterns[] = {
    &pattern_pairs,
    &pattern_tiers,
    &pattern_allpairs,
    &pattern_sweep,
    &pattern_rails,
    &pattern_fanout,
    &pattern_kv,
    &pattern_alltoall,
    &pattern_congestion,
    &pattern_copy,
    NULL,
};

const struct bench_pattern *const *pattern_list(void)
{
    return patterns;
}

const struct bench_pattern *pattern_find(const char *name)
{
    for (size_t i = 0; patterns[i] != NULL; i++)
        if (strcmp(patterns[i]->name, name) == 0)
            return patterns[i];
    return NULL;
}
