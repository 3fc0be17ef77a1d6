/* ans_compare.h: two or more runs side by side per (tier, size): median
 * bandwidth and p50 latency, ratios to the first run, and the winner. */
#ifndef TIERPERF_ANS_COMPARE_H
#define TIERPERF_ANS_COMPARE_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

#define ANS_COMPARE_MAX 8

struct ans_cmp_row {
    int tier;                            /* -1 no tier */
    long long size;
    double bw[ANS_COMPARE_MAX];          /* median Gbit/s, NAN not measured */
    double lat[ANS_COMPARE_MAX];         /* median of p50 us, NAN not measured */
};

struct ans_compare {
    size_t nruns;
    struct ans_cmp_row *rows;            /* ascending tier, then size */
    size_t nrows;
};

tp_status_t ans_compare_build(const cJSON *const *runs, size_t nruns, struct ans_compare *out,
                              struct tp_error *err);
void ans_compare_free(struct ans_compare *c);
#define ANS_COMPARE_TIE (-2)
/* Index of the best run in a row (highest bw / lowest latency), -1 when
 * fewer than two runs measured it, ANS_COMPARE_TIE when all within 1%. */
int ans_compare_best(const struct ans_compare *c, const struct ans_cmp_row *row, int latency);
/* One line describing a run's links: model, firmware, rate, MTU, driver. */
void ans_compare_env(FILE *out, const cJSON *run);
void ans_compare_print(FILE *out, const struct ans_compare *c, const char *const *names,
                       const cJSON *const *runs);

/* ans_compare_json.c: keep only the rows of one message size. */
void ans_compare_keep_size(struct ans_compare *c, long long size);
/* {"command":"compare","runs":[...],"rows":[...]} (docs/answers.md). */
cJSON *ans_compare_to_json(const struct ans_compare *c, const char *const *names,
                           const cJSON *const *runs);

#endif
