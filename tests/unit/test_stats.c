/* test_stats.c: latency from round-trip times, nearest-rank percentiles,
 * min/median/max. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "bench/engine/stats.h"

Test(stats, percentile_nearest_rank)
{
    double v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 50), 5, 1e-12);   /* ceil(5) = 5th */
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 90), 9, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 91), 10, 1e-12);  /* ceil(9.1) = 10th */
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 99.9), 10, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 0), 1, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 100), 10, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 10), 1, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 10, 10.5), 2, 1e-12);
    cr_assert_float_eq(stats_percentile_sorted(v, 0, 50), 0, 1e-12);
}

Test(stats, latency_is_half_rtt_in_us)
{
    /* 1000 samples, rtt = 2000 * i ns -> one-way i us, i = 1..1000, shuffled */
    size_t n = 1000;
    uint64_t *rtt = malloc(n * sizeof(*rtt));
    for (size_t i = 0; i < n; i++)
        rtt[i] = 2000 * (uint64_t)((i * 7919) % n + 1);
    uint64_t first = rtt[0];
    struct stats_lat lat;
    stats_latency_from_rtt(rtt, n, &lat);
    cr_assert_eq(rtt[0], first, "input must not be modified");
    cr_assert_float_eq(lat.min, 1.0, 1e-9);
    cr_assert_float_eq(lat.max, 1000.0, 1e-9);
    cr_assert_float_eq(lat.mean, 500.5, 1e-9);
    cr_assert_float_eq(lat.p50, 500.0, 1e-9);
    cr_assert_float_eq(lat.p90, 900.0, 1e-9);
    cr_assert_float_eq(lat.p99, 990.0, 1e-9);
    cr_assert_float_eq(lat.p999, 999.0, 1e-9);
    cr_assert_eq(lat.samples, 1000);
    free(rtt);
}

Test(stats, latency_sub_microsecond_and_single)
{
    uint64_t rtt[] = {1500};
    struct stats_lat lat;
    stats_latency_from_rtt(rtt, 1, &lat);
    cr_assert_float_eq(lat.min, 0.75, 1e-12);
    cr_assert_float_eq(lat.p999, 0.75, 1e-12);
    cr_assert_float_eq(lat.max, 0.75, 1e-12);
    cr_assert_eq(lat.samples, 1);
}

Test(stats, latency_empty_is_zero)
{
    struct stats_lat lat;
    lat.p50 = 42;
    stats_latency_from_rtt(NULL, 0, &lat);
    cr_assert_float_eq(lat.p50, 0, 1e-12);
    cr_assert_eq(lat.samples, 0);
}

Test(stats, min_median_max)
{
    double odd[] = {5, 1, 3};
    double even[] = {4, 1, 3, 2};
    struct stats_mmm m;
    stats_min_median_max(odd, 3, &m);
    cr_assert_float_eq(m.min, 1, 1e-12);
    cr_assert_float_eq(m.median, 3, 1e-12);
    cr_assert_float_eq(m.max, 5, 1e-12);
    cr_assert_float_eq(odd[0], 5, 1e-12, "input must not be modified");
    stats_min_median_max(even, 4, &m);
    cr_assert_float_eq(m.median, 2.5, 1e-12);
    stats_min_median_max(even, 0, &m);
    cr_assert_float_eq(m.max, 0, 1e-12);
}
