/* stats.c: latency percentiles (nearest rank) and min/median/max. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_percentile_sorted(const double *sorted, size_t n, double pct)
{
    if (n == 0)
        return 0.0;
    if (!(pct > 0.0))          /* also NaN */
        return sorted[0];
    if (pct >= 100.0)
        return sorted[n - 1];
    /* nearest rank: the smallest value with at least pct% of samples <= it */
    double x = pct * (double)n / 100.0;
    double rank = ceil(x - x * 1e-12);   /* 99.9% of 1000 is rank 999, not 1000 */
    size_t idx = rank < 1.0 ? 0 : (size_t)rank - 1;
    return sorted[idx < n ? idx : n - 1];
}

/* Summary of ns[i] / div_ns in microseconds. */
static void summarize_us(const uint64_t *ns, size_t n, double div_ns, struct stats_lat *out)
{
    memset(out, 0, sizeof(*out));
    if (n == 0 || ns == NULL)
        return;
    double *us = malloc(n * sizeof(*us));
    if (us == NULL)
        return;
    long double sum = 0;
    for (size_t i = 0; i < n; i++) {
        us[i] = (double)ns[i] / div_ns;
        sum += us[i];
    }
    qsort(us, n, sizeof(*us), cmp_double);
    out->min = us[0];
    out->max = us[n - 1];
    out->mean = (double)(sum / (long double)n);
    out->p50 = stats_percentile_sorted(us, n, 50.0);
    out->p90 = stats_percentile_sorted(us, n, 90.0);
    out->p99 = stats_percentile_sorted(us, n, 99.0);
    out->p999 = stats_percentile_sorted(us, n, 99.9);
    out->samples = n;
    free(us);
}

void stats_latency_from_rtt(const uint64_t *rtt_ns, size_t n, struct stats_lat *out)
{
    summarize_us(rtt_ns, n, 2000.0, out);   /* half the round trip, ns -> us */
}

void stats_duration_from_ns(const uint64_t *ns, size_t n, struct stats_lat *out)
{
    summarize_us(ns, n, 1000.0, out);
}

void stats_min_median_max(const double *v, size_t n, struct stats_mmm *out)
{
    memset(out, 0, sizeof(*out));
    if (n == 0 || v == NULL)
        return;
    double *s = malloc(n * sizeof(*s));
    if (s == NULL)
        return;
    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_double);
    out->min = s[0];
    out->max = s[n - 1];
    /* even count: mean of the two middle values */
    out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    free(s);
}
