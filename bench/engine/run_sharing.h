/* run_sharing.h: can the concurrent pairs of a run share links?  Without
 * a topology tierperf cannot know which pairs cross the same switch
 * uplink; when a round runs several pairs at once it says so (a warning
 * line and the results header's "concurrency" object), because a shared
 * uplink makes healthy pairs look slow. */
#ifndef TIERPERF_RUN_SHARING_H
#define TIERPERF_RUN_SHARING_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../../topology/topology.h"

struct run_sharing {
    size_t max_pairs;       /* most pairs any round runs at once */
    int links_known;        /* a topology was given */
    char warning[320];      /* "" when none */
};

/* own_rounds: the pattern schedules its traffic itself (fanout, alltoall,
 * ...: sharing is what it measures), so no warning. */
void run_sharing_assess(const struct topo_plan *plan, const struct topo *topo, int own_rounds,
                        struct run_sharing *out);
/* {"max_pairs_per_round", "links_known", "warning": string or null} */
cJSON *run_sharing_json(const struct run_sharing *s);

#endif
