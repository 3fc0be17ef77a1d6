/* test_profile_overhead.c: a profile's protocol_overhead allowance lowers
 * every min_bandwidth (thresholds judge application throughput), a bad
 * allowance is refused naming the field, and check says so when pairs miss
 * a threshold by a few percent under a profile without an allowance. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "answers/ans_check.h"
#include "answers/ans_profile.h"
#include "ans_test_util.h"

static const char *const with_allowance =
    "name: sold-at-100m\n"
    "protocol_overhead: 6%\n"
    "rules:\n"
    "  - name: all\n"
    "    min_bandwidth: 100Mbit/s\n"
    "  - name: lat\n"
    "    max_latency: {p50: 1ms}\n";

Test(profile, overhead_lowers_bandwidth_thresholds)
{
    struct ans_profile p;
    struct tp_error err = {0};
    cr_assert_eq(ans_profile_parse(with_allowance, strlen(with_allowance), "t.yaml", &p, &err),
                 TP_OK, "%s", err.msg);
    cr_assert_float_eq(p.overhead_pct, 6, 1e-12);
    cr_assert_float_eq(p.rules[0].min_bw_gbit, 0.094, 1e-12);
    cr_assert(isnan(p.rules[1].min_bw_gbit));
}

Test(profile, overhead_refused_when_not_a_small_percentage)
{
    static const char *const bad[] = {"60%", "lots", "-1%", "1e1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        struct ans_profile p;
        struct tp_error err = {0};
        snprintf(text, sizeof(text), "name: x\nprotocol_overhead: %s\nrules:\n  - min_bandwidth: 1\n",
                 bad[i]);
        cr_assert_neq(ans_profile_parse(text, strlen(text), "t.yaml", &p, &err), TP_OK, "%s", bad[i]);
        cr_assert(strstr(err.msg, "protocol_overhead") != NULL, "%s", err.msg);
    }
}

/* check's text for threshold.json (n2->n3 at 999 Mbit/s against 1 Gbit/s)
 * under profile yaml; *near gets the count of pairs just below. */
static char *check_text(const char *yaml, size_t *near)
{
    struct ans_profile p;
    struct tp_error err = {0};
    struct ans_check c;
    const struct ans_check_opts opts = {.size = -1, .outlier_pct = 20};
    cr_assert_eq(ans_profile_parse(yaml, strlen(yaml), "t.yaml", &p, &err), TP_OK, "%s", err.msg);
    cJSON *run = load_fixture("threshold.json");
    cr_assert_eq(ans_check_run(run, "threshold.json", &p, &opts, &c, &err), TP_OK, "%s", err.msg);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ans_check_print(f, &c, &p, &opts, 0);
    fclose(f);
    *near = c.bw_near;
    ans_check_free(&c);
    cJSON_Delete(run);
    return text;
}

Test(profile, check_says_thresholds_judge_application_throughput)
{
    size_t near;
    char *text = check_text("rules:\n  - min_bandwidth: 1Gbit/s\n", &near);
    cr_assert_eq(near, 1, "n2->n3 at 999 Mbit/s, 0.1 %% short");
    cr_assert(strstr(text, "note: 1 pair(s) missed a bandwidth threshold by under 10 %: thresholds "
                           "judge application throughput"), "%s", text);
    cr_assert(strstr(text, "protocol_overhead (e.g. 6%) allows for that"));
    free(text);
    /* far below (0.1 Gbit/s pairs at 2 Gbit/s): no such note */
    text = check_text("rules:\n  - min_bandwidth: 12Gbit/s\n", &near);
    cr_assert_eq(near, 0);
    cr_assert_null(strstr(text, "application throughput"), "%s", text);
    free(text);
    /* an allowance stated: the header says it, the note is not repeated */
    text = check_text("protocol_overhead: 0.05%\nrules:\n  - min_bandwidth: 1Gbit/s\n", &near);
    cr_assert(strstr(text, "thresholds judge application throughput; this profile allows"));
    cr_assert_null(strstr(text, "note: "), "%s", text);
    free(text);
}
