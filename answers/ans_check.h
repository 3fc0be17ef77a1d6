/* ans_check.h: judge a run against an acceptance profile: pass/fail per
 * pair and per tier, plus outliers (pairs far below their tier's median
 * even when above the threshold: one bad cable among good ones). */
#ifndef TIERPERF_ANS_CHECK_H
#define TIERPERF_ANS_CHECK_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "ans_pairs.h"
#include "ans_profile.h"

struct ans_culprit;

struct ans_check_opts {
    long long size;        /* -1: default sizes */
    double outlier_pct;    /* flag pairs this % below their tier median; 0 off */
    int fail_outliers;     /* outliers fail the check too */
};

struct ans_check_pair {
    const struct ans_pair *pair;
    int judged;            /* selected by a rule, or failed outright */
    int failed;
    int outlier;
    char reason[384];      /* why it failed / notes */
};

struct ans_check_tier {
    int tier;
    size_t pairs, judged, failed, outliers;
    double bw_min, bw_median, bw_max, lat_p50_median;
};

struct ans_check {
    struct ans_pairs pairs;            /* owned */
    struct ans_check_pair *v;          /* one per pairs.v[i] */
    struct ans_check_tier *tiers;
    size_t ntiers;
    size_t judged, failed, outliers, unmeasured;
    const struct ans_culprit *culprit; /* borrowed, may be NULL: JUnit and JSON add it */
};

tp_status_t ans_check_run(const cJSON *run, const char *what, const struct ans_profile *profile,
                          const struct ans_check_opts *opts, struct ans_check *out,
                          struct tp_error *err);
void ans_check_free(struct ans_check *check);
/* 1 when every judged pair passed (and no outlier when fail_outliers)
 * and at least one pair was judged. */
int ans_check_passed(const struct ans_check *check, const struct ans_check_opts *opts);

void ans_check_print(FILE *out, const struct ans_check *check, const struct ans_profile *profile,
                     const struct ans_check_opts *opts, int verbose);
tp_status_t ans_check_write_junit(const struct ans_check *check, const struct ans_profile *profile,
                                  const char *path, struct tp_error *err);
/* {"profile", "passed", "tiers":[...], "pairs":[{src,dst,tier,failed,outlier,reason}]}
 * as the HTML report shows it (report_render reads run["check"]). */
cJSON *ans_check_to_json(const struct ans_check *check, const struct ans_profile *profile,
                         const struct ans_check_opts *opts);

#endif
