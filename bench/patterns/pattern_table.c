/* pattern_table.c: the one list of traffic patterns `run` offers.  Each
 * pattern's file defines its struct bench_pattern; a new pattern is that
 * file and one row here (its extern line and its array entry). */
#include "pattern.h"

#include <string.h>

extern const struct bench_pattern pattern_pairs;
extern const struct bench_pattern pattern_tiers;
extern const struct bench_pattern pattern_allpairs;
extern const struct bench_pattern pattern_sweep;
extern const struct bench_pattern pattern_rails;
extern const struct bench_pattern pattern_fanout;
extern const struct bench_pattern pattern_kv;
extern const struct bench_pattern pattern_alltoall;
extern const struct bench_pattern pattern_congestion;
extern const struct bench_pattern pattern_copy;

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
