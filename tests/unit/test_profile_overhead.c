/* test_profile_overhead.c: a profile's protocol_overhead allowance lowers
 * every min_bandwidth (thresholds judge application throughput), and a bad
 * allowance is refused naming the field. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "answers/ans_profile.h"

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
