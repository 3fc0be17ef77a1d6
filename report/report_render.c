/* report_render.c: `tierperf report --html`: one self-contained page (no
 * script, no external resource; charts are inline SVG from report_svg.c):
 * run header and environment, bandwidth and latency per tier and size,
 * the node x node heatmap, check results when present, per-pair table and
 * errors.  Every string from the results file is escaped. */
#include "report_render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../answers/ans_atomic.h"
#include "../answers/ans_escape.h"
#include "../answers/ans_pairs.h"
#include "../answers/ans_recommend.h"
#include "../answers/ans_units.h"
#include "report_data.h"
#include "report_svg.h"
#include "../bench/results/results_rows.h"

#define PAIR_ROWS_MAX 2000

static const char *style =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;"
    "margin-top:28px}table{border-collapse:collapse;font-size:13px;margin:8px 0}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f2f2f2}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".banner{background:#fff3cd;border:2px solid #e0a800;padding:10px;font-weight:bold}"
    ".pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}"
    ".note{color:#555;font-size:13px}svg{max-width:100%;height:auto}";

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void esc(FILE *f, const char *s)
{
    ans_xml_puts(f, s ? s : "-");
}

static void td_num(FILE *f, double v, const char *fmt)
{
    fputs("<td class='n'>", f);
    char num[64];
    if (isfinite(v) && strchr(fmt, 'g') != NULL)   /* "%g"-like: plain decimals, never 1e+04 */
        fputs(units_fmt_num(v, 4, num, sizeof(num)), f);
    else if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("-", f);
    fputs("</td>", f);
}

/* "tier 2 (spine)", "same node", "no tier". */
static void tier_label(const cJSON *run, int tier, char *buf, size_t len)
{
    const char *name = tier >= 0 ? ans_run_tier_name(run, tier) : NULL;
    if (tier == ANS_NO_TIER)
        snprintf(buf, len, "no tier");
    else if (tier == 0)
        snprintf(buf, len, "tier 0 (same node)");
    else if (name != NULL)
        snprintf(buf, len, "tier %d (%.64s)", tier, name);
    else
        snprintf(buf, len, "tier %d", tier);
}

static void kv_row(FILE *f, const char *k, const char *v)
{
    fprintf(f, "<tr><th>%s</th><td>", k);
    esc(f, v);
    fputs("</td></tr>\n", f);
}

static void section_run(FILE *f, const cJSON *run)
{
    const cJSON *complete = cJSON_GetObjectItemCaseSensitive(run, "complete");
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(run, "topology");
    char buf[64];

    if (cJSON_IsFalse(complete)) {
        fprintf(f, "<p class='banner' id='partial'>Partial run: it ended before every "
                   "measurement was made (%d result(s) kept", results_count(
                       cJSON_GetObjectItemCaseSensitive(run, "results")));
        if (jstr(run, "source") != NULL)
            fprintf(f, ", read from the run's journal");
        if (jstr(run, "warning") != NULL) {
            fputs("; ", f);
            esc(f, jstr(run, "warning"));
        }
        fputs("). Figures below cover only what was measured.</p>\n", f);
    }
    fputs("<h2 id='run'>Run</h2>\n<table>\n", f);
    kv_row(f, "tool", jstr(run, "tool"));
    kv_row(f, "version", jstr(run, "version"));
    kv_row(f, "command line", jstr(run, "command_line"));
    kv_row(f, "start (UTC)", jstr(run, "start_time"));
    kv_row(f, "end (UTC)", jstr(run, "end_time"));
    kv_row(f, "complete", cJSON_IsFalse(complete) ? "no (partial run)"
                          : cJSON_IsTrue(complete) ? "yes" : NULL);
    kv_row(f, "transport", jstr(run, "transport"));
    kv_row(f, "memory", jstr(run, "mem"));
    kv_row(f, "pattern", jstr(run, "pattern"));
    kv_row(f, "topology file", jstr(topo, "file"));
    snprintf(buf, sizeof(buf), "%d", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(run, "hosts")));
    kv_row(f, "ranks", buf);
    snprintf(buf, sizeof(buf), "%d", results_count(cJSON_GetObjectItemCaseSensitive(run, "results")));
    kv_row(f, "results", buf);
    fputs("</table>\n", f);
}

static void section_env(FILE *f, const cJSON *run)
{
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(run, "environment");
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(env, "links"), *l;
    static const char *const cols[] = {"device", "model", "driver", "firmware", "line_rate_gbit",
                                       "mtu", "address", "detail"};

    fputs("<h2 id='environment'>Environment</h2>\n<table>\n", f);
    kv_row(f, "kernel", jstr(env, "kernel"));
    kv_row(f, "MPI", jstr(env, "mpi_version"));
    kv_row(f, "CPU", jstr(env, "cpu_model"));
    fputs("</table>\n", f);
    if (cJSON_GetArraySize(links) == 0)
        return;
    fputs("<table><tr><th>rank</th><th>device</th><th>model</th><th>driver</th><th>firmware</th>"
          "<th>line rate (Gbit/s)</th><th>MTU</th><th>address</th><th>detail</th></tr>\n", f);
    int rank = 0;
    cJSON_ArrayForEach(l, links) {
        fprintf(f, "<tr><td class='n'>%d</td>", rank++);
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
            const cJSON *it = cJSON_GetObjectItemCaseSensitive(l, cols[c]);
            if (cJSON_IsNumber(it)) {
                td_num(f, it->valuedouble, "%g");
            } else {
                fputs("<td>", f);
                esc(f, cJSON_IsString(it) ? it->valuestring : NULL);
                fputs("</td>", f);
            }
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The culprit's suspects (answers/ans_culprit.h's JSON). */
static void section_culprit(FILE *f, const cJSON *culprit)
{
    const cJSON *s, *v = cJSON_GetObjectItemCaseSensitive(culprit, "suspects");
    if (!cJSON_IsObject(culprit))
        return;
    if (cJSON_GetArraySize(v) == 0) {
        fputs("<p>culprit: no suspect (no pair far below its tier's typical rate).</p>\n", f);
        return;
    }
    fputs("<p>culprit (outlined on the heatmap):</p>\n<ul class='culprit'>\n", f);
    cJSON_ArrayForEach(s, v) {
        int named = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "confirmed"));
        fprintf(f, "<li%s>%s: ", named ? " class='fail'" : "", named ? "suspect" : "unconfirmed");
        esc(f, jstr(s, "text"));
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static void section_check(FILE *f, const cJSON *check)
{
    const cJSON *it;
    if (!cJSON_IsObject(check))
        return;
    int passed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(check, "passed"));
    /* "result": PASS, FAIL or INCOMPLETE (older check objects: "passed" only) */
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(check, "result");
    const char *verdict = cJSON_IsString(result) ? result->valuestring : passed ? "PASS" : "FAIL";
    fputs("<h2 id='check'>Check</h2>\n<p>profile <b>", f);
    esc(f, jstr(check, "profile"));
    fputs("</b>: ", f);
    esc(f, jstr(check, "description"));
    fprintf(f, " &mdash; <span class='%s'>", passed ? "pass" : "fail");
    esc(f, verdict);
    fputs("</span></p>\n", f);
    fputs("<table><tr><th>tier</th><th>pairs</th><th>failed</th><th>outliers</th>"
          "<th>min Gbit/s</th><th>median Gbit/s</th></tr>\n", f);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(check, "tiers")) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "tier");
        fputs("<tr>", f);
        td_num(f, cJSON_IsNumber(t) ? t->valuedouble : NAN, "%.0f");
        static const char *const k[] = {"pairs", "failed", "outliers"};
        for (int i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, k[i]);
            td_num(f, cJSON_IsNumber(v) ? v->valuedouble : NAN, "%.0f");
        }
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(it, "bw_min");
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(it, "bw_median");
        td_num(f, cJSON_IsNumber(mn) ? mn->valuedouble : NAN, "%.4g");
        td_num(f, cJSON_IsNumber(md) ? md->valuedouble : NAN, "%.4g");
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    section_culprit(f, cJSON_GetObjectItemCaseSensitive(check, "culprit"));
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(check, "pairs");
    if (cJSON_GetArraySize(pairs) == 0)
        return;
    fputs("<table><tr><th>verdict</th><th>pair</th><th>Gbit/s</th><th>reason</th></tr>\n", f);
    cJSON_ArrayForEach(it, pairs) {
        int failed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "failed"));
        const cJSON *bw = cJSON_GetObjectItemCaseSensitive(it, "bw_gbit_s");
        const cJSON *pv = cJSON_GetObjectItemCaseSensitive(it, "verdict");
        fprintf(f, "<tr><td class='%s'>", failed ? "fail" : "");
        esc(f, cJSON_IsString(pv) ? pv->valuestring : failed ? "FAIL" : "outlier");
        fputs("</td><td>", f);
        esc(f, jstr(it, "src"));
        fputs(" &rarr; ", f);
        esc(f, jstr(it, "dst"));
        fputs("</td>", f);
        td_num(f, cJSON_IsNumber(bw) ? bw->valuedouble : NAN, "%.4g");
        fputs("<td>", f);
        esc(f, jstr(it, "reason"));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* A per-tier table row's first cells: tier, message size, pairs. */
static void row_head(FILE *f, const cJSON *run, const struct report_grid *g, size_t t, size_t k)
{
    char tl[128], sz[32];

    tier_label(run, g->tiers[t], tl, sizeof(tl));
    fputs("<tr><td>", f);
    esc(f, tl);
    fprintf(f, "</td><td class='n'>%s</td><td class='n'>%zu</td>",
            ans_fmt_msgsize(g->sizes[k], sz, sizeof(sz)), g->cells[t * g->nsizes + k].pairs);
}

static void section_bandwidth(FILE *f, const cJSON *run, const struct report_grid *g)
{
    struct svg_series s[64];
    double *x = malloc((g->nsizes + 1) * sizeof(*x));
    double *y = malloc((g->ntiers * g->nsizes + 1) * sizeof(*y));
    char names[64][128];
    size_t ns = 0;

    fputs("<h2 id='bandwidth'>Bandwidth by tier and message size</h2>\n", f);
    if (x == NULL || y == NULL || g->nsizes == 0) {
        fputs("<p class='note'>No bandwidth measured.</p>\n", f);
        free(x);
        free(y);
        return;
    }
    for (size_t k = 0; k < g->nsizes; k++)
        x[k] = (double)g->sizes[k];
    for (size_t t = 0; t < g->ntiers && ns < 64; t++) {
        tier_label(run, g->tiers[t], names[ns], sizeof(names[ns]));
        for (size_t k = 0; k < g->nsizes; k++)
            y[t * g->nsizes + k] = g->cells[t * g->nsizes + k].bw;
        s[ns] = (struct svg_series){names[ns], g->nsizes, x, &y[t * g->nsizes]};
        ns++;
    }
    fputs("<p class='note'>Median over pairs of each tier; Gbit/s = 10<sup>9</sup> bit/s. "
          "Points are measured sizes; a line joins only neighbouring sizes (at most 2x apart), "
          "never across sizes that were not measured.", f);
    if (g->nsizes <= 2)
        fprintf(f, " <b>Only %zu message size%s measured</b>: points, not a curve.", g->nsizes,
                g->nsizes == 1 ? "" : "s");
    fputs("</p>\n", f);
    svg_line_chart(f, s, ns, "message size (bytes, log2 scale)", "bandwidth (Gbit/s)");
    fputs("<table><tr><th>tier</th><th>size</th><th>pairs</th><th>median Gbit/s</th>"
          "<th>median GB/s</th></tr>\n", f);
    for (size_t t = 0; t < g->ntiers; t++)
        for (size_t k = 0; k < g->nsizes; k++) {
            const struct report_cell *c = &g->cells[t * g->nsizes + k];
            if (c->pairs == 0)
                continue;
            row_head(f, run, g, t, k);
            td_num(f, c->bw, "%.4g");
            td_num(f, c->bw / 8, "%.4g");
            fputs("</tr>\n", f);
        }
    fputs("</table>\n", f);
    free(x);
    free(y);
}

static void section_latency(FILE *f, const cJSON *run, const struct report_grid *g)
{
    static const char *const bars[] = {"p50", "p99", "p99.9"};
    char names[64][128], sz[32];
    const char *groups[64];
    double values[64 * 3];
    size_t ng = 0;

    fputs("<h2 id='latency'>Latency percentiles per tier</h2>\n", f);
    /* the bar chart shows each tier at its smallest size with latency */
    for (size_t t = 0; t < g->ntiers && ng < 64; t++)
        for (size_t k = 0; k < g->nsizes; k++) {
            const struct report_cell *c = &g->cells[t * g->nsizes + k];
            if (isnan(c->p50) && isnan(c->p99) && isnan(c->p999))
                continue;
            char tl[100];
            tier_label(run, g->tiers[t], tl, sizeof(tl));
            snprintf(names[ng], sizeof(names[ng]), "%s, %s", tl,
                     ans_fmt_msgsize(g->sizes[k], sz, sizeof(sz)));
            groups[ng] = names[ng];
            values[ng * 3] = c->p50;
            values[ng * 3 + 1] = c->p99;
            values[ng * 3 + 2] = c->p999;
            ng++;
            break;
        }
    if (ng == 0) {
        fputs("<p class='note'>No latency measured.</p>\n", f);
        return;
    }
    fputs("<p class='note'>Half round-trip ping-pong latency in microseconds, smallest message "
          "size of each tier; median over pairs of each pair's percentile.</p>\n", f);
    svg_bar_chart(f, groups, ng, bars, 3, values, "latency (\xc2\xb5s)");
    fputs("<table><tr><th>tier</th><th>size</th><th>pairs</th><th>p50 \xc2\xb5s</th>"
          "<th>p99 \xc2\xb5s</th><th>p99.9 \xc2\xb5s</th></tr>\n", f);
    for (size_t t = 0; t < g->ntiers; t++)
        for (size_t k = 0; k < g->nsizes; k++) {
            const struct report_cell *c = &g->cells[t * g->nsizes + k];
            if (isnan(c->p50) && isnan(c->p99) && isnan(c->p999))
                continue;
            row_head(f, run, g, t, k);
            td_num(f, c->p50, "%.4g");
            td_num(f, c->p99, "%.4g");
            td_num(f, c->p999, "%.4g");
            fputs("</tr>\n", f);
        }
    fputs("</table>\n", f);
}

/* A tiers or pairs run measures few node pairs: one row per tier, one
 * cell per pair, instead of a node x node matrix that is mostly grey. */
static tp_status_t section_tierview(FILE *f, const cJSON *run, const struct ans_pairs *pairs,
                                    size_t nodes, struct tp_error *err)
{
    struct report_tierview tv;
    tp_status_t st = report_tierview_build(pairs, REPORT_TIERVIEW_MAX, &tv, err);

    if (st != TP_OK)
        return st;
    for (size_t k = 0; k < tv.nrows; k++)
        tier_label(run, tv.rows[k].tier, tv.rows[k].label, sizeof(tv.rows[k].label));
    report_tierview_mark(&tv, cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(run, "check"), "culprit"));
    fprintf(f, "<h2 id='heatmap'>Bandwidth per tier and pair</h2>\n<p class='note' "
               "id='tierview'>%zu nodes, %zu pairs: too few of the node-by-node cells were "
               "measured for a matrix, so each tier is a row and each pair a cell (bandwidth at "
               "its largest message size), coloured against its own tier's median.</p>\n",
            nodes, pairs->n);
    svg_tierview(f, &tv);
    report_tierview_free(&tv);
    return TP_OK;
}

static tp_status_t section_heatmap(FILE *f, const cJSON *run, const struct ans_pairs *pairs,
                                   struct tp_error *err)
{
    struct report_heat h;
    tp_status_t st = report_heat_build(pairs, REPORT_HEAT_MAX, &h, err);

    if (st != TP_OK)
        return st;
    report_heat_mark(&h, cJSON_GetObjectItemCaseSensitive(
                             cJSON_GetObjectItemCaseSensitive(run, "check"), "culprit"));
    if (h.nodes >= 2 && report_heat_sparse(&h)) {
        st = section_tierview(f, run, pairs, h.nodes, err);
    } else if (h.nodes >= 2) {
        fputs("<h2 id='heatmap'>Node-by-node bandwidth</h2>\n<p class='note'>", f);
        if (h.group_tier == 0)
            fprintf(f, "%zu nodes; each cell is the bandwidth from the row's node to the "
                       "column's node at its largest message size.", h.nodes);
        else if (h.group_tier > 0)
            fprintf(f, "%zu nodes, aggregated by HyperNode of tier %d (%zu groups): each cell "
                       "is the mean over the measured pairs between two groups.", h.nodes,
                    h.group_tier, h.n);
        else
            fprintf(f, "%zu nodes without topology, aggregated into %zu blocks of "
                       "consecutive names: each cell is the mean over measured pairs.",
                    h.nodes, h.n);
        fputs(" Colours compare each pair with its own tier's median, so a top tier that "
              "is slower by design is not painted as a fault.</p>\n", f);
        svg_heatmap(f, &h);
    }
    report_heat_free(&h);
    return st;
}

static void section_pairs(FILE *f, const struct ans_pairs *pairs, int real_rate)
{
    char sz[32];
    fputs("<h2 id='pairs'>Pairs</h2>\n", f);
    if (pairs->n == 0) {
        fputs("<p class='note'>No results.</p>\n", f);
        return;
    }
    if (pairs->n > PAIR_ROWS_MAX)
        fprintf(f, "<p class='note'>First %d of %zu pairs; the CSV export has every "
                   "measurement.</p>\n", PAIR_ROWS_MAX, pairs->n);
    fputs("<table><tr><th>sender</th><th>receiver</th><th>ranks</th><th>tier</th>"
          "<th>HyperNode</th><th>size</th><th>Gbit/s</th><th>GB/s</th><th>% of line</th>"
          "<th>p50 \xc2\xb5s</th><th>p99 \xc2\xb5s</th><th>p99.9 \xc2\xb5s</th><th>status</th></tr>\n", f);
    for (size_t i = 0; i < pairs->n && i < PAIR_ROWS_MAX; i++) {
        const struct ans_pair *p = &pairs->v[i];
        fputs("<tr><td>", f);
        esc(f, p->src);
        fputs("</td><td>", f);
        esc(f, p->dst);
        fprintf(f, "</td><td class='n'>%d&rarr;%d</td>", p->src_rank, p->dst_rank);
        td_num(f, p->tier == ANS_NO_TIER ? NAN : p->tier, "%.0f");
        fputs("<td>", f);
        esc(f, p->hypernode);
        fprintf(f, "</td><td class='n'>%s</td>",
                p->bw_size >= 0 ? ans_fmt_msgsize(p->bw_size, sz, sizeof(sz)) : "-");
        td_num(f, p->bw_gbit, "%.4g");
        td_num(f, p->bw_gbit / 8, "%.4g");
        if (real_rate)
            td_num(f, p->line_rate_gbit > 0 ? 100 * p->bw_gbit / p->line_rate_gbit : NAN, "%.1f");
        else
            fputs("<td class='n'>unknown</td>", f);
        td_num(f, p->lat_us[ANS_P50], "%.4g");
        td_num(f, p->lat_us[ANS_P99], "%.4g");
        td_num(f, p->lat_us[ANS_P999], "%.4g");
        if (p->failure != NULL) {
            fputs("<td class='fail'>", f);
            esc(f, p->failure);
        } else {
            fputs("<td>ok", f);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void error_row(FILE *f, const cJSON *e, const char *msg_key)
{
    fputs("<tr><td>", f);
    esc(f, jstr(e, "src_node"));
    fputs("</td><td>", f);
    esc(f, jstr(e, "dst_node"));
    fputs("</td><td>", f);
    esc(f, jstr(e, "status"));
    fputs("</td><td>", f);
    esc(f, jstr(e, msg_key));
    fputs("</td></tr>\n", f);
}

static void section_errors(FILE *f, const cJSON *run)
{
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(run, "errors"), *e;
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
    int n = 0;

    fputs("<h2 id='errors'>Errors</h2>\n", f);
    cJSON_ArrayForEach(e, errors)
        n += cJSON_IsObject(e);
    RESULTS_EACH(e, results)
        n += jstr(e, "error") != NULL;
    if (n == 0) {
        fputs("<p class='note'>None.</p>\n", f);
        return;
    }
    fputs("<table><tr><th>sender</th><th>receiver</th><th>status</th><th>message</th></tr>\n", f);
    cJSON_ArrayForEach(e, errors)
        if (cJSON_IsObject(e))
            error_row(f, e, "message");
    RESULTS_EACH(e, results)
        if (jstr(e, "error") != NULL)
            error_row(f, e, "error");
    fputs("</table>\n", f);
}

static tp_status_t write_page(FILE *f, const cJSON *run, const char *path, struct tp_error *err)
{
    struct report_grid grid;
    struct ans_pairs pairs;
    tp_status_t st = ans_pairs_collect(run, -1, "results file", &pairs, err);

    if (st != TP_OK)
        return st;
    if ((st = report_grid_build(run, &grid, err)) != TP_OK) {
        ans_pairs_free(&pairs);
        return st;
    }
    fputs("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n<title>tierperf "
          "report: ", f);
    esc(f, jstr(run, "pattern"));
    fputs(" ", f);
    esc(f, jstr(run, "start_time"));
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>tierperf report: ", style);
    esc(f, jstr(run, "pattern"));
    fputs(" over ", f);
    esc(f, jstr(run, "transport"));
    fputs("</h1>\n", f);
    /* the verdict first: what a reader came for, above run and environment */
    section_check(f, cJSON_GetObjectItemCaseSensitive(run, "check"));
    section_run(f, run);
    section_env(f, run);
    section_bandwidth(f, run, &grid);
    section_latency(f, run, &grid);
    st = section_heatmap(f, run, &pairs, err);
    if (st == TP_OK) {
        int real_rate = report_line_rate_real(run);
        if (!real_rate)
            fputs("<p class='note'>% of line rate: unknown. The links are virtual (veth, "
                  "virtio, bridges...): their reported speed is nominal, not a line rate.</p>\n",
                  f);
        section_pairs(f, &pairs, real_rate);
        section_errors(f, run);
        fputs("<p class='note'>Units: Gbit/s = 10<sup>9</sup> bit/s, GB/s = 10<sup>9</sup> "
              "byte/s; message sizes in binary units (1 KiB = 1024 B). Written by tierperf "
              "report.</p>\n</body>\n</html>\n", f);
    }
    (void)path;
    report_grid_free(&grid);
    ans_pairs_free(&pairs);
    return st;
}

tp_status_t report_write_html(const cJSON *run, const char *path, struct tp_error *err)
{
    struct ans_atomic a;
    tp_status_t st;

    if (!cJSON_IsObject(run))
        return tp_error_set(err, TP_ERR_INVALID, "%s: no run to report", path ? path : "-");
    if ((st = ans_atomic_open(&a, path, err)) != TP_OK)
        return st;
    if ((st = write_page(a.f, run, path, err)) != TP_OK) {
        ans_atomic_abort(&a);
        return st;
    }
    return ans_atomic_commit(&a, err);
}
