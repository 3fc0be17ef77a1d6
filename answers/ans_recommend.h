/* ans_recommend.h: which networkTopology tier limit a workload can use:
 * the highest tier such that every tier up to it still meets the needed
 * bandwidth at its worst measured pair (or a low percentile of pairs). */
#ifndef TIERPERF_ANS_RECOMMEND_H
#define TIERPERF_ANS_RECOMMEND_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "ans_pairs.h"

struct ans_tier_eval {
    int tier;
    size_t pairs, failed;
    double judged_gbit;            /* worst pair, or the chosen percentile */
    double median_gbit;
    const struct ans_pair *worst;  /* slowest pair (failed pairs count as 0) */
    int meets;
};

struct ans_recommendation {
    struct ans_tier_eval *tiers;   /* measured tiers >= 1, ascending */
    size_t ntiers;
    double need_gbit;
    double percentile;             /* < 0: worst pair */
    int tier;                      /* highest allowed tier; 0 when none meets */
    int virtual_tier;              /* run's virtual root tier, -1 unknown */
};

/* percentile < 0 judges each tier by its worst pair.  Errors: no tiered
 * pairs (a run without --topology). */
tp_status_t ans_recommend(const struct ans_pairs *pairs, const cJSON *run, double need_gbit,
                          double percentile, const char *what, struct ans_recommendation *out,
                          struct tp_error *err);
void ans_recommendation_free(struct ans_recommendation *rec);

void ans_recommend_print_evidence(FILE *out, const struct ans_recommendation *rec,
                                  const char *label);
/* role_tier < 0: no rolePolicy.  tier_name (may be NULL) is offered as
 * the highestTierName alternative in a comment. */
void ans_recommend_print_yaml(FILE *out, int group_tier, const char *group_tier_name,
                              int role_tier);
/* The same with mode "hard" or "soft" (recommend --mode). */
void ans_recommend_print_yaml_mode(FILE *out, int group_tier, const char *group_tier_name,
                                   int role_tier, const char *mode);
/* ans_recommend_json.c: the answer for machines (docs/answers.md,
 * "recommend --json"): the group's evaluation, the role's (role may be
 * NULL), the tiers allowed, the exit status and the YAML (mode "hard" or
 * "soft") as text. */
cJSON *ans_recommend_to_json(const struct ans_recommendation *group,
                             const struct ans_recommendation *role, const char *tier_name,
                             const char *mode);
/* The role's tier: never above the group's; -1 without a role. */
int ans_recommend_role_tier(const struct ans_recommendation *group,
                            const struct ans_recommendation *role);

/* The run's topology.tiers[] name for a tier, or NULL. */
const char *ans_run_tier_name(const cJSON *run, int tier);

#endif
