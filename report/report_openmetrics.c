/* report_openmetrics.c: one results file as OpenMetrics text (which the
 * Prometheus text parser of node_exporter's textfile collector and the
 * Pushgateway read as well): per pair and size the bandwidth and latency
 * percentiles, per tier and size their medians over pairs, and with a
 * profile the check's verdicts.  Gauges only, base units (bytes per second,
 * seconds), no timestamps (the textfile collector refuses them). */
#include "report_openmetrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"
#include "../bench/results/results_rows.h"

/* A label value: backslash, double quote and newline escaped. */
static void label_puts(FILE *out, const char *s)
{
    for (; s != NULL && *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
}

static void label(FILE *out, const char *name, const char *value, int first)
{
    fprintf(out, "%s%s=\"", first ? "" : ",", name);
    label_puts(out, value);
    fputc('"', out);
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : "";
}

static int jnum(const cJSON *o, const char *k, double *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
        return 0;
    *v = it->valuedouble;
    return 1;
}

static void family(FILE *out, const char *name, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void tier_text(int tier, char *buf, size_t len)
{
    if (tier == ANS_NO_TIER)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%d", tier);
}

/* A result row worth a series: no error, a size, sender and receiver. */
struct om_row {
    long long src, dst, size;
    size_t idx;    /* 1 + its index in results[] */
};

static int row_cmp(const void *a, const void *b)
{
    const struct om_row *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->dst != y->dst)
        return x->dst < y->dst ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* One row per (src rank, dst rank, size), the first in the file: a series
 * appears once.  Returns the count; *rows_p malloc'd (NULL when none). */
static size_t rows_collect(const cJSON *run, struct om_row **rows_p)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(run, "results");
    size_t n = 0, cap = (size_t)results_count(res), i = 0, kept = 0;
    struct om_row *v = cap ? calloc(cap, sizeof(*v)) : NULL;
    const cJSON *r;

    *rows_p = NULL;
    if (v == NULL)
        return 0;
    RESULTS_EACH(r, res) {
        double s, a, b;
        i++;
        if (!jnum(r, "size_bytes", &s) || !jnum(r, "src_rank", &a) || !jnum(r, "dst_rank", &b))
            continue;
        v[n++] = (struct om_row){(long long)a, (long long)b, (long long)s, i};
    }
    qsort(v, n, sizeof(*v), row_cmp);
    for (i = 0; i < n; i++)
        if (kept == 0 || v[kept - 1].src != v[i].src || v[kept - 1].dst != v[i].dst ||
            v[kept - 1].size != v[i].size)
            v[kept++] = v[i];
    *rows_p = v;
    return kept;
}

/* The entry of a row in the run's results (results_rows.h: valid until the
 * next one). */
static const cJSON *entry_of(const cJSON *res, const struct om_row *w)
{
    return results_at(res, w->idx - 1);
}

static void pair_labels(FILE *out, const cJSON *run, const struct om_row *w, const cJSON *r)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "tier");
    char buf[64];
    label(out, "transport", jstr(run, "transport"), 1);
    label(out, "pattern", jstr(run, "pattern"), 0);
    label(out, "src_node", jstr(r, "src_node"), 0);
    label(out, "dst_node", jstr(r, "dst_node"), 0);
    snprintf(buf, sizeof(buf), "%lld", w->src);
    label(out, "src_rank", buf, 0);
    snprintf(buf, sizeof(buf), "%lld", w->dst);
    label(out, "dst_rank", buf, 0);
    tier_text(cJSON_IsNumber(t) ? (int)t->valuedouble : ANS_NO_TIER, buf, sizeof(buf));
    label(out, "tier", buf, 0);
    label(out, "hypernode", jstr(r, "hypernode"), 0);
    snprintf(buf, sizeof(buf), "%lld", w->size);
    label(out, "size_bytes", buf, 0);
}

static const char *const lat_keys[] = {"p50", "p99", "p999"};

static void print_pairs(FILE *out, const cJSON *run, const struct om_row *v, size_t n)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(run, "results");
    double x;
    family(out, "tierperf_pair_up", "1 when the pair was measured at this size, 0 when it failed");
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = entry_of(res, &v[i]);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
        fputs("tierperf_pair_up{", out);
        pair_labels(out, run, &v[i], r);
        fprintf(out, "} %d\n", e == NULL || cJSON_IsNull(e) ? 1 : 0);
    }
    family(out, "tierperf_pair_bandwidth_bytes_per_second",
           "measured application throughput of one pair at one message size");
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = entry_of(res, &v[i]);
        if (!jnum(r, "bw_gbit_s", &x))
            continue;
        fputs("tierperf_pair_bandwidth_bytes_per_second{", out);
        pair_labels(out, run, &v[i], r);
        fprintf(out, "} %.15g\n", x * 1e9 / 8);
    }
    family(out, "tierperf_pair_latency_seconds",
           "one-way latency (half the ping-pong round trip) percentile of one pair");
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = entry_of(res, &v[i]);
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(r, "lat_us");
        for (size_t k = 0; k < sizeof(lat_keys) / sizeof(lat_keys[0]); k++) {
            if (!jnum(lat, lat_keys[k], &x))
                continue;
            fputs("tierperf_pair_latency_seconds{", out);
            pair_labels(out, run, &v[i], r);
            label(out, "percentile", lat_keys[k], 0);
            fprintf(out, "} %.15g\n", x / 1e6);
        }
    }
    family(out, "tierperf_pair_latency_samples",
           "latency samples behind the percentiles (p99.9 needs at least 1000)");
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = entry_of(res, &v[i]);
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(r, "lat_us");
        if (!jnum(lat, "samples", &x))
            continue;
        fputs("tierperf_pair_latency_samples{", out);
        pair_labels(out, run, &v[i], r);
        fprintf(out, "} %.15g\n", x);
    }
}

static void tier_labels(FILE *out, const cJSON *run, int tier, long long size)
{
    char buf[64];
    label(out, "transport", jstr(run, "transport"), 1);
    label(out, "pattern", jstr(run, "pattern"), 0);
    tier_text(tier, buf, sizeof(buf));
    label(out, "tier", buf, 0);
    snprintf(buf, sizeof(buf), "%lld", size);
    label(out, "size_bytes", buf, 0);
}

static void print_tiers(FILE *out, const cJSON *run)
{
    struct report_grid g;
    if (report_grid_build(run, &g, NULL) != TP_OK)
        return;
    family(out, "tierperf_tier_pairs", "pairs measured at this tier and message size");
    for (size_t t = 0; t < g.ntiers; t++)
        for (size_t s = 0; s < g.nsizes; s++) {
            const struct report_cell *c = &g.cells[t * g.nsizes + s];
            if (c->pairs == 0)
                continue;
            fputs("tierperf_tier_pairs{", out);
            tier_labels(out, run, g.tiers[t], g.sizes[s]);
            fprintf(out, "} %zu\n", c->pairs);
        }
    family(out, "tierperf_tier_bandwidth_bytes_per_second",
           "median over the tier's pairs of their throughput at this size");
    for (size_t t = 0; t < g.ntiers; t++)
        for (size_t s = 0; s < g.nsizes; s++) {
            const struct report_cell *c = &g.cells[t * g.nsizes + s];
            if (c->pairs == 0 || !isfinite(c->bw))
                continue;
            fputs("tierperf_tier_bandwidth_bytes_per_second{", out);
            tier_labels(out, run, g.tiers[t], g.sizes[s]);
            fprintf(out, "} %.15g\n", c->bw * 1e9 / 8);
        }
    family(out, "tierperf_tier_latency_seconds",
           "median over the tier's pairs of their one-way latency percentile");
    for (size_t t = 0; t < g.ntiers; t++)
        for (size_t s = 0; s < g.nsizes; s++) {
            const struct report_cell *c = &g.cells[t * g.nsizes + s];
            const double v[3] = {c->p50, c->p99, c->p999};
            for (size_t k = 0; k < 3; k++) {
                if (c->pairs == 0 || !isfinite(v[k]))
                    continue;
                fputs("tierperf_tier_latency_seconds{", out);
                tier_labels(out, run, g.tiers[t], g.sizes[s]);
                label(out, "percentile", lat_keys[k], 0);
                fprintf(out, "} %.15g\n", v[k] / 1e6);
            }
        }
    report_grid_free(&g);
}

/* A family of per-tier pair counts of check: those judged, else those
 * that failed. */
static void print_check_tiers(FILE *out, const struct ans_check *c, const char *profile,
                              const char *name, const char *help, int judged)
{
    char buf[32];

    family(out, name, help);
    for (size_t i = 0; i < c->ntiers; i++) {
        fprintf(out, "%s{", name);
        label(out, "profile", profile, 1);
        tier_text(c->tiers[i].tier, buf, sizeof(buf));
        label(out, "tier", buf, 0);
        fprintf(out, "} %zu\n", judged ? c->tiers[i].judged : c->tiers[i].failed);
    }
}

static void print_check(FILE *out, const struct ans_check *c, const struct ans_profile *p,
                        const struct ans_check_opts *opts)
{
    family(out, "tierperf_check_passed",
           "1 when every judged pair met the acceptance profile, else 0");
    fputs("tierperf_check_passed{", out);
    label(out, "profile", p->name, 1);
    fprintf(out, "} %d\n", ans_check_passed(c, opts) ? 1 : 0);
    /* not passed is FAIL or INCOMPLETE: say which thresholds went unjudged */
    family(out, "tierperf_check_unjudged_thresholds",
           "thresholds check could not judge (not measured, or latency only on large "
           "messages): the verdict is INCOMPLETE when no pair failed");
    fputs("tierperf_check_unjudged_thresholds{", out);
    label(out, "profile", p->name, 1);
    fprintf(out, "} %zu\n", c->unmeasured);
    print_check_tiers(out, c, p->name, "tierperf_check_tier_failed_pairs",
                      "pairs of the tier that failed the profile", 0);
    print_check_tiers(out, c, p->name, "tierperf_check_tier_judged_pairs",
                      "pairs of the tier the profile judged", 1);
}

void report_openmetrics_print(FILE *out, const cJSON *run, const struct ans_check *check,
                              const struct ans_profile *profile,
                              const struct ans_check_opts *opts)
{
    struct om_row *rows = NULL;
    size_t n = rows_collect(run, &rows);
    const cJSON *complete = cJSON_GetObjectItemCaseSensitive(run, "complete");

    family(out, "tierperf_run_info", "the run these metrics come from (value always 1)");
    fputs("tierperf_run_info{", out);
    label(out, "transport", jstr(run, "transport"), 1);
    label(out, "pattern", jstr(run, "pattern"), 0);
    label(out, "version", jstr(run, "version"), 0);
    label(out, "start_time", jstr(run, "start_time"), 0);
    fputs("} 1\n", out);
    family(out, "tierperf_run_complete", "1 when the run finished, 0 for a partial run");
    fprintf(out, "tierperf_run_complete %d\n", cJSON_IsTrue(complete) ? 1 : 0);
    print_pairs(out, run, rows, n);
    print_tiers(out, run);
    if (check != NULL && profile != NULL)
        print_check(out, check, profile, opts);
    fputs("# EOF\n", out);
    free(rows);
}

tp_status_t report_write_openmetrics(const cJSON *run, const struct ans_check *check,
                                     const struct ans_profile *profile,
                                     const struct ans_check_opts *opts, const char *path,
                                     struct tp_error *err)
{
    char tmp[4096];
    if (strcmp(path, "-") == 0) {
        report_openmetrics_print(stdout, run, check, profile, opts);
        return fflush(stdout) == 0 && !ferror(stdout)
                   ? TP_OK
                   : tp_error_set(err, TP_ERR_IO, "--openmetrics -: cannot write to stdout");
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return tp_error_set(err, TP_ERR_INVALID, "--openmetrics '%.64s...': path too long", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    report_openmetrics_print(f, run, check, profile, opts);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return tp_error_set(err, TP_ERR_IO, "%s: write failed", tmp);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return tp_error_set(err, TP_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(e));
    }
    return TP_OK;
}
