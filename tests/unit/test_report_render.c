/* test_report_render.c: the HTML report (inline SVG charts, escaped names,
 * heatmap per node or aggregated per HyperNode, partial-run banner) and the
 * CSV export (header, RFC 4180 quoting), both written atomically. */
#include <dirent.h>
#include <math.h>

#include "answers/ans_pairs.h"
#include "report/report_data.h"
#include "report/report_render.h"
#include "ans_test_util.h"
#include "bench/results/results_rows.h"

static char dir[64];

static void setup(void)
{
    scratch_dir(dir, sizeof(dir));
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

static size_t files_in_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static char *render_html(const cJSON *run)
{
    char path[128];
    struct tp_error err = {0};
    snprintf(path, sizeof(path), "%s/report.html", dir);
    cr_assert_eq(report_write_html(run, path, &err), TP_OK, "%s", err.msg);
    return read_text(path);
}

static char *render_csv(const cJSON *run)
{
    char path[128];
    struct tp_error err = {0};
    snprintf(path, sizeof(path), "%s/report.csv", dir);
    cr_assert_eq(report_write_csv(run, path, &err), TP_OK, "%s", err.msg);
    return read_text(path);
}

/* Every <svg>...</svg> of the page is well-formed XML. */
static size_t check_svgs(const char *html)
{
    size_t n = 0;
    for (const char *p = strstr(html, "<svg"); p; p = strstr(p + 1, "<svg")) {
        const char *end = strstr(p, "</svg>");
        cr_assert_not_null(end);
        size_t len = (size_t)(end - p) + 6;
        char *svg = malloc(len + 1);
        memcpy(svg, p, len);
        svg[len] = '\0';
        const char *why = xml_check(svg);
        cr_assert_null(why, "svg %zu: %s", n, why);
        free(svg);
        n++;
    }
    return n;
}

/* No script and no tag that loads or links anything: every tag's text
 * (escaped page text has no raw '<') is free of src= and href=. */
static void assert_self_contained(const char *html)
{
    cr_assert_null(strstr(html, "<script"), "page has a script");
    cr_assert_null(strstr(html, "<link"), "page links a stylesheet");
    cr_assert_null(strstr(html, "@import"));
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        size_t n = strcspn(p, ">");
        char tag[4096];
        snprintf(tag, sizeof(tag), "%.*s", (int)(n < sizeof(tag) - 1 ? n : sizeof(tag) - 1), p);
        cr_assert_null(strstr(tag, "src="), "tag loads something: %s", tag);
        cr_assert_null(strstr(tag, "href="), "tag links something: %s", tag);
    }
}

TestSuite(report, .init = setup, .fini = teardown);

Test(report, html_has_charts_tables_and_environment)
{
    cJSON *run = load_fixture("recommend.json");
    char *html = render_html(run);
    assert_self_contained(html);
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    cr_assert(strstr(html, "</html>\n"));
    cr_assert_eq(check_svgs(html), 3, "bandwidth, latency and heatmap charts");
    /* 64 KiB and 4 MiB only: points, no line across the sizes between */
    cr_assert_null(strstr(html, "<polyline"));
    cr_assert(strstr(html, "Only 2 message sizes measured"));
    cr_assert(strstr(html, "bandwidth (Gbit/s)"));
    cr_assert(strstr(html, "message size (bytes, log2 scale)"));
    cr_assert(strstr(html, ">4 MiB</text>"), "log2 x axis tick at 4 MiB");
    cr_assert(strstr(html, ">64 KiB</text>"));
    cr_assert(strstr(html, "tier 2 (spine)"));
    cr_assert(strstr(html, "tier 0 (same node)"));
    cr_assert(strstr(html, "latency (\xc2\xb5s)"));
    cr_assert(strstr(html, ">p99.9</text>"));
    cr_assert(strstr(html, "ConnectX-7"));
    cr_assert(strstr(html, "28.39.1002"));
    cr_assert(strstr(html, "Open MPI 4.1.4"));
    cr_assert(strstr(html, "tierperf run --pattern tiers"));
    cr_assert(strstr(html, "<td class='n'>40.5</td>"), "tier 2 median at 4 MiB");
    cr_assert_null(strstr(html, "id='partial'"), "complete run shown as partial");
    cr_assert(strstr(html, "<h2 id='errors'>Errors</h2>\n<p class='note'>None."));
    cr_assert_eq(files_in_dir(), 1, "temp file left behind");
    free(html);
    cJSON_Delete(run);
}

Test(report, html_lists_errors_and_check)
{
    cJSON *run = load_fixture("bad_pair.json");
    cJSON *check = parse_run("{\"profile\":\"test-dev\",\"description\":\"d\",\"passed\":false,"
                             "\"tiers\":[{\"tier\":1,\"pairs\":7,\"failed\":1,\"outliers\":0}],"
                             "\"pairs\":[{\"src\":\"a3\",\"dst\":\"a4\",\"failed\":true,"
                             "\"reason\":\"error: peer a4 reset\"}]}");
    cJSON_AddItemToObject(run, "check", check);
    char *html = render_html(run);
    cr_assert(strstr(html, "<h2 id='check'>Check</h2>"));
    cr_assert(strstr(html, "<span class='fail'>FAIL</span>"));
    cr_assert(strstr(html, "error: peer a4 reset"));
    cr_assert(strstr(html, "<td>peer a4 reset the connection</td>"), "errors table");
    cr_assert(strstr(html, "<td class='fail'>data verification failed"), "pair table status");
    free(html);
    cJSON_Delete(run);
}

Test(report, hostile_strings_are_escaped)
{
    cJSON *run = parse_run(
        "{\"pattern\":\"<b>p</b>\",\"transport\":\"tcp\",\"command_line\":\"run --x '\\\"&'\","
        "\"environment\":{\"kernel\":\"<img src=x onerror=alert(1)>\",\"links\":[{\"model\":"
        "\"</td><script>\"}]},\"topology\":{\"tiers\":[{\"tier\":1,\"name\":\"<leaf>\"}]},"
        "\"results\":[{\"src_node\":\"<script>alert(1)</script>\",\"dst_node\":\"x&y\",\"tier\":1,"
        "\"hypernode\":\"hn'\\\"\",\"size_bytes\":8,\"bw_gbit_s\":1,\"lat_us\":{\"p50\":2}},"
        "{\"src_node\":\"x&y\",\"dst_node\":\"z\",\"tier\":1,\"size_bytes\":8,"
        "\"error\":\"<iframe>\"}],\"errors\":[{\"src_node\":\"a\",\"dst_node\":\"b\","
        "\"message\":\"</table>\"}]}");
    char *html = render_html(run);
    assert_self_contained(html);
    cr_assert_null(strstr(html, "<b>p"));
    cr_assert_null(strstr(html, "<img"));
    cr_assert_null(strstr(html, "<iframe"));
    cr_assert_null(strstr(html, "<leaf>"));
    cr_assert(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    cr_assert(strstr(html, "x&amp;y"));
    cr_assert(strstr(html, "hn&#39;&quot;"));
    cr_assert(strstr(html, "run --x &#39;&quot;&amp;&#39;"));
    cr_assert(strstr(html, "tier 1 (&lt;leaf&gt;)"));
    cr_assert_eq(count_of(html, "</table>"), count_of(html, "<table>"), "a message closed a table");
    check_svgs(html);
    free(html);
    cJSON_Delete(run);
}

Test(report, partial_run_banner_from_a_journal)
{
    char path[128];
    struct tp_error err = {0};
    cJSON *run = NULL;
    snprintf(path, sizeof(path), "%s/run.json.journal.jsonl", dir);
    write_text(path, "{\"run_header\":{\"pattern\":\"pairs\",\"transport\":\"tcp\"}}\n"
                     "{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":null,\"size_bytes\":8,"
                     "\"bw_gbit_s\":5}\n{\"src_node\":\"a\",\"dst_no");
    cr_assert_eq(results_load(path, &run, &err), TP_OK, "%s", err.msg);
    char *html = render_html(run);
    cr_assert(strstr(html, "<p class='banner' id='partial'>Partial run"), "no banner");
    cr_assert(strstr(html, "1 result(s) kept, read from the run's journal; 1 torn journal line(s) "
                           "skipped (line 3; killed mid-write or disk full)"), "%s", html);
    cr_assert(strstr(html, "<tr><th>complete</th><td>no (partial run)</td></tr>"));
    free(html);
    cJSON_Delete(run);
}

Test(report, heatmap_one_cell_per_node)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct report_heat h;
    cJSON *run = load_fixture("allpairs15.json");
    cr_assert_eq(ans_pairs_collect(run, -1, "a", &pairs, &err), TP_OK);
    cr_assert_eq(report_heat_build(&pairs, REPORT_HEAT_MAX, &h, &err), TP_OK);
    cr_assert_eq(h.n, 15);
    cr_assert_eq(h.nodes, 15);
    cr_assert_eq(h.group_tier, 0);
    cr_assert_str_eq(h.labels[0], "h00");
    cr_assert(isnan(h.bw[0]), "diagonal measured");
    cr_assert_gt(h.bw[1], 90);                 /* h00 -> h01: same leaf */
    cr_assert_lt(h.bw[14], 11);                /* h00 -> h14: across the core */
    cr_assert_eq(h.count[1], 1);
    cr_assert_lt(h.min, 10);
    cr_assert_gt(h.max, 100);
    report_heat_free(&h);
    ans_pairs_free(&pairs);
    char *html = render_html(run);
    cr_assert(strstr(html, "15 nodes; each cell is the bandwidth"));
    cr_assert_geq(count_of(html, "<rect"), 15 * 15);
    cr_assert(strstr(html, "<title>h00 \xe2\x86\x92 h01: "), "cell tooltip");
    free(html);
    cJSON_Delete(run);
}

/* nodes n000.. in leaves of `per_leaf`, leaves in spines of `per_spine`:
 * each node sends to the next in its leaf (tier 1) and to the node
 * per_leaf further on (tier 2 or 3, or tier null without topology). */
static cJSON *big_run(int nodes, int per_leaf, int per_spine, int with_topology)
{
    cJSON *run = cJSON_CreateObject(), *results = cJSON_AddArrayToObject(run, "results");
    cJSON_AddStringToObject(run, "pattern", "tiers");
    for (int i = 0; i < nodes; i++) {
        int leaf = i / per_leaf, targets[2] = {leaf * per_leaf + (i + 1) % per_leaf,
                                               (i + per_leaf) % nodes};
        for (int k = 0; k < 2; k++) {
            int j = targets[k], lj = j / per_leaf;
            char s[16], d[16], hn[32];
            cJSON *e = cJSON_CreateObject();
            snprintf(s, sizeof(s), "n%03d", i);
            snprintf(d, sizeof(d), "n%03d", j);
            cJSON_AddStringToObject(e, "src_node", s);
            cJSON_AddStringToObject(e, "dst_node", d);
            cJSON_AddNumberToObject(e, "src_rank", i);
            cJSON_AddNumberToObject(e, "dst_rank", j);
            int tier = lj == leaf ? 1 : lj / per_spine == leaf / per_spine ? 2 : 3;
            if (tier == 1)
                snprintf(hn, sizeof(hn), "leaf-%d", leaf);
            else if (tier == 2)
                snprintf(hn, sizeof(hn), "spine-%d", leaf / per_spine);
            else
                snprintf(hn, sizeof(hn), "core");
            if (with_topology) {
                cJSON_AddNumberToObject(e, "tier", tier);
                cJSON_AddStringToObject(e, "hypernode", hn);
            } else {
                cJSON_AddNullToObject(e, "tier");
            }
            cJSON_AddNumberToObject(e, "size_bytes", 1048576);
            cJSON_AddNumberToObject(e, "bw_gbit_s", tier == 1 ? 100 : tier == 2 ? 40 : 10);
            cJSON_AddItemToArray(results, e);
        }
    }
    return run;
}

static struct report_heat heat_of(const cJSON *run)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct report_heat h;
    cr_assert_eq(ans_pairs_collect(run, -1, "big", &pairs, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(report_heat_build(&pairs, REPORT_HEAT_MAX, &h, &err), TP_OK, "%s", err.msg);
    ans_pairs_free(&pairs);
    return h;
}

Test(report, heatmap_aggregates_by_leaf_hypernode)
{
    cJSON *run = big_run(100, 10, 5, 1);
    struct report_heat h = heat_of(run);
    cr_assert_eq(h.nodes, 100);
    cr_assert_eq(h.group_tier, 1);
    cr_assert_eq(h.n, 10);
    cr_assert_str_eq(h.labels[0], "leaf-0");
    cr_assert_str_eq(h.labels[2], "leaf-2");   /* natural order: not leaf-10... */
    cr_assert_str_eq(h.labels[9], "leaf-9");
    /* leaf-0 -> leaf-0: its ten tier-1 pairs at 100 Gbit/s */
    cr_assert_float_eq(h.bw[0], 100, 1e-9);
    cr_assert_eq(h.count[0], 10);
    /* leaf-0 -> leaf-1: ten tier-2 pairs; leaf-4 -> leaf-5 crosses the core */
    cr_assert_float_eq(h.bw[0 * 10 + 1], 40, 1e-9);
    cr_assert_float_eq(h.bw[4 * 10 + 5], 10, 1e-9);
    cr_assert(isnan(h.bw[0 * 10 + 2]), "never measured");
    report_heat_free(&h);
    char *html = render_html(run);
    cr_assert(strstr(html, "100 nodes, aggregated by HyperNode of tier 1 (10 groups)"));
    cr_assert(strstr(html, "<title>leaf-0 \xe2\x86\x92 leaf-1: 40 Gbit/s (10 pairs), 100 % of the "
                           "tier 2 median</title>"), "%s", html);
    /* leaf-0 -> leaf-0 holds tier-1 pairs only; a cell mixing tiers says so */
    cr_assert(strstr(html, "<title>leaf-0 \xe2\x86\x92 leaf-0: 100 Gbit/s (10 pairs), 100 % of "
                           "the tier 1 median</title>"));
    check_svgs(html);
    free(html);
    cJSON_Delete(run);
}

Test(report, heatmap_goes_up_a_tier_when_leaves_are_too_many)
{
    /* 130 nodes in 65 leaves of two: too many leaves, so 5 spines of 13 */
    cJSON *run = big_run(130, 2, 13, 1);
    struct report_heat h = heat_of(run);
    cr_assert_eq(h.group_tier, 2);
    cr_assert_eq(h.n, 5);
    cr_assert_str_eq(h.labels[0], "spine-0");
    cr_assert_str_eq(h.labels[4], "spine-4");
    cr_assert_leq(h.n, REPORT_HEAT_MAX);
    report_heat_free(&h);
    cJSON_Delete(run);
}

Test(report, heatmap_without_topology_uses_blocks)
{
    cJSON *run = big_run(100, 10, 5, 0);
    struct report_heat h = heat_of(run);
    cr_assert_eq(h.group_tier, -1);
    cr_assert_eq(h.n, 50);   /* blocks of two names */
    cr_assert_str_eq(h.labels[0], "n000 .. n001");
    report_heat_free(&h);
    char *html = render_html(run);
    cr_assert(strstr(html, "100 nodes without topology, aggregated into 50 blocks"));
    free(html);
    cJSON_Delete(run);
}

Test(report, empty_and_odd_runs_still_render)
{
    cJSON *run = parse_run("{\"results\":[]}");
    char *html = render_html(run);
    cr_assert(strstr(html, "No bandwidth measured."));
    cr_assert(strstr(html, "No latency measured."));
    cr_assert(strstr(html, "<h2 id='pairs'>Pairs</h2>\n<p class='note'>No results."));
    cr_assert_null(strstr(html, "id='heatmap'"));
    free(html);
    char *csv = render_csv(run);
    cr_assert_eq(count_of(csv, "\r\n"), 1, "header only");
    free(csv);
    cJSON_Delete(run);

    /* nulls and wrong types everywhere */
    run = parse_run("{\"complete\":false,\"environment\":5,\"topology\":null,\"hosts\":\"x\","
                    "\"errors\":[1,null,{}],\"check\":[],\"results\":[{\"src_node\":\"a\","
                    "\"dst_node\":\"b\",\"tier\":null,\"size_bytes\":0,\"bw_gbit_s\":null,"
                    "\"lat_us\":5},{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":1e300,"
                    "\"size_bytes\":16,\"bw_gbit_s\":2,\"lat_us\":{\"p50\":\"x\"}}]}");
    html = render_html(run);
    cr_assert(strstr(html, "id='partial'"));
    free(html);
    csv = render_csv(run);
    cr_assert_eq(count_of(csv, "\r\n"), 3);
    free(csv);
    cJSON_Delete(run);

    /* a size no byte count can have: one error naming the entry */
    struct tp_error err = {0};
    char path[128];
    snprintf(path, sizeof(path), "%s/report.html", dir);
    run = parse_run("{\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\",\"size_bytes\":1e300}]}");
    cr_assert_neq(report_write_html(run, path, &err), TP_OK);
    cr_assert_str_eq(err.msg, "results file: results[0].size_bytes missing, negative or too large");
    cJSON_Delete(run);
}

Test(report, csv_rows_and_quoting)
{
    cJSON *run = load_fixture("bad_pair.json");
    char *csv = render_csv(run);
    cr_assert(strncmp(csv, "pattern,src_rank,dst_rank,src_node,dst_node,tier,hypernode,"
                           "size_bytes,iters,bytes_total,seconds,bw_gbit_s,bw_gbyte_s,lat_min_us,"
                           "lat_mean_us,lat_p50_us,lat_p90_us,lat_p99_us,lat_p999_us,lat_max_us,"
                           "lat_samples,line_rate_gbit,bw_pct_line,verify,error,extra\r\n",
                  strlen("pattern,src_rank")) == 0, "%s", csv);
    cr_assert(strstr(csv, ",lat_samples,line_rate_gbit,bw_pct_line,verify,error,extra\r\n"));
    cr_assert_eq(count_of(csv, "\r\n"), 1 + 9, "header + one row per results[] entry");
    cr_assert_null(strstr(csv, "\r\n\n"));
    cr_assert(strstr(csv, "tiers,0,1,a0,a1,1,leaf-a,1048576,100,"), "%s", csv);
    cr_assert(strstr(csv, ",20,2.5,8,11,10,13,20,30,40,1000,100,20,ok,,{}\r\n"), "latency columns: %s", csv);
    cr_assert(strstr(csv, ",peer a4 reset the connection,{}\r\n"), "%s", csv);
    free(csv);
    cJSON_Delete(run);

    run = parse_run("{\"results\":[{\"src_node\":\"a,\\\"b\",\"dst_node\":\"=cmd()\",\"tier\":null,"
                    "\"size_bytes\":8,\"error\":\"line1\\nline2\",\"extra\":{\"k\":[1,2]}}]}");
    csv = render_csv(run);
    cr_assert(strstr(csv, "\r\n,,,\"a,\"\"b\",\"'=cmd()\",,,8,,,,,,,,,,,,,,,,,\"line1\nline2\","
                          "\"{\"\"k\"\":[1,2]}\"\r\n"), "%s", csv);
    free(csv);
    cJSON_Delete(run);
}

Test(report, writes_are_atomic_and_errors_name_the_file)
{
    struct tp_error err = {0};
    char path[128];
    cJSON *run = load_fixture("outlier.json");

    cr_assert_neq(report_write_html(run, "/nonexistent-dir/r.html", &err), TP_OK);
    cr_assert(strstr(err.msg, "/nonexistent-dir/r.html"), "%s", err.msg);
    cr_assert_neq(report_write_csv(run, "/nonexistent-dir/r.csv", &err), TP_OK);
    cr_assert(strstr(err.msg, "/nonexistent-dir/r.csv"), "%s", err.msg);

    snprintf(path, sizeof(path), "%s/report.html", dir);
    write_text(path, "old");
    free(render_html(run));
    char *html = read_text(path);
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0, "old file not replaced");
    free(html);
    cr_assert_eq(files_in_dir(), 1, "temp file left behind");

    /* a run the report cannot read leaves the old file alone */
    cJSON *bad = parse_run("{\"results\":[{\"src_node\":\"a\"}]}");
    cr_assert_neq(report_write_html(bad, path, &err), TP_OK);
    cr_assert(strstr(err.msg, "dst_node"), "%s", err.msg);
    html = read_text(path);
    cr_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    free(html);
    cr_assert_eq(files_in_dir(), 1, "temp file left behind");
    cJSON_Delete(bad);
    cJSON_Delete(run);
}

/* A newer results format is refused with its version named (the reader
 * once read the version after freeing the tree: ASan builds catch that). */
Test(report, newer_schema_is_refused)
{
    char path[128];
    struct tp_error err = {0};
    cJSON *run = NULL;
    snprintf(path, sizeof(path), "%s/new.json", dir);
    write_text(path, "{\"schema_version\":2,\"results\":[]}");
    cr_assert_neq(results_load(path, &run, &err), TP_OK);
    cr_assert(strstr(err.msg, "schema_version 2 is newer"), "%s", err.msg);
}

Test(report, heatmap_groups_in_natural_order)
{
    cJSON *run = big_run(120, 10, 6, 1);   /* leaf-0 .. leaf-11 */
    struct report_heat h = heat_of(run);
    cr_assert_eq(h.group_tier, 1);
    cr_assert_eq(h.n, 12);
    cr_assert_str_eq(h.labels[2], "leaf-2");
    cr_assert_str_eq(h.labels[10], "leaf-10");
    cr_assert_str_eq(h.labels[11], "leaf-11");
    report_heat_free(&h);
    cJSON_Delete(run);
}

/* The height='...' of the n-th <svg> of the page. */
static double svg_height(const char *html, const char *aria)
{
    const char *p = strstr(html, aria);
    cr_assert_not_null(p, "no svg %s", aria);
    while (p > html && strncmp(p, "<svg", 4) != 0)
        p--;
    const char *h = strstr(p, "height='");
    cr_assert_not_null(h);
    return atof(h + 8);
}

/* Issue 16: each cell against its own tier's median, so allpairs15's core
 * tier (10 Gbit/s against 100 in a leaf) is green, not a wall of red; a
 * miswired node's pairs stand out; no empty band above the matrix. */
/* allpairs15 with its tiers: leaves of 3 nodes, spines h00-h05, h06-h14. */
static cJSON *allpairs15_tiered(const char *fixture)
{
    cJSON *run = load_fixture(fixture), *e;
    cr_assert_eq(results_unpack(run), 0);   /* entries edited below */
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(run, "results")) {
        int i = atoi(cJSON_GetStringValue(cJSON_GetObjectItem(e, "src_node")) + 1);
        int j = atoi(cJSON_GetStringValue(cJSON_GetObjectItem(e, "dst_node")) + 1);
        int tier = i / 3 == j / 3 ? 1 : (i < 6) == (j < 6) ? 2 : 3;
        cJSON_ReplaceItemInObject(e, "tier", cJSON_CreateNumber(tier));
    }
    return run;
}

Test(report, heatmap_colours_each_tier_against_its_median)
{
    cJSON *run = allpairs15_tiered("allpairs15.json");
    struct report_heat h = heat_of(run);
    cr_assert_lt(h.bw[14], 11, "h00 -> h14 crosses the core");
    cr_assert_float_eq(h.rel[14], 1, 0.1, "but is typical of its tier: %g", h.rel[14]);
    cr_assert_eq(h.tier[14], 3);
    for (size_t c = 0; c < h.n * h.n; c++)
        cr_assert(isnan(h.bw[c]) || h.rel[c] > 0.8, "cell %zu at %g of its tier", c, h.rel[c]);
    report_heat_free(&h);
    char *html = render_html(run);
    cr_assert(strstr(html, "not painted as a fault"));
    cr_assert(strstr(html, "colour: bandwidth as % of its tier's median"));
    cr_assert_null(strstr(html, "fill='hsl(0,"), "a red cell in a healthy run");
    /* 15 rows of 28 px, 3-character labels: little above the matrix */
    cr_assert_lt(svg_height(html, "aria-label='bandwidth heatmap'"), 15 * 28 + 140);
    free(html);
    cJSON_Delete(run);

    run = allpairs15_tiered("allpairs15_miswired.json");
    h = heat_of(run);
    double low = INFINITY;
    for (size_t c = 0; c < h.n * h.n; c++)
        low = isnan(h.rel[c]) ? low : fmin(low, h.rel[c]);
    cr_assert_lt(low, 0.75, "the slow uplink's pairs are below their tier: %g", low);
    report_heat_free(&h);
    cJSON_Delete(run);
}

/* A tiers run measures 11 of 56 node pairs: a row per tier, a cell per pair. */
Test(report, tiers_run_gets_the_compact_per_tier_view)
{
    cJSON *run = load_fixture("recommend.json");
    char *html = render_html(run);
    cr_assert(strstr(html, "<h2 id='heatmap'>Bandwidth per tier and pair</h2>"));
    cr_assert(strstr(html, "id='tierview'>8 nodes, 11 pairs"), "%s", html);
    cr_assert_null(strstr(html, "Node-by-node"), "the mostly grey matrix is drawn");
    cr_assert_null(strstr(html, "not measured</title>"));
    cr_assert(strstr(html, ">tier 2 (spine)</text><text x='8' y='"));
    cr_assert(strstr(html, ">median 40.5 Gbit/s</text>"), "tier 2 median");
    cr_assert(strstr(html, ">4 pairs</text>"));
    cr_assert(strstr(html, "<title>r5 \xe2\x86\x92 r6: 38 Gbit/s, 94 % of the tier's median"
                           "</title>"), "%s", html);
    cr_assert_eq(count_of(html, "<g><rect"), 11, "one cell per pair");
    cr_assert_lt(svg_height(html, "aria-label='bandwidth per tier and pair'"), 400);
    cr_assert_null(strstr(html, "class='culprit'/>"));
    check_svgs(html);
    free(html);
    /* a check's culprit: its slow pairs outlined here too */
    cJSON *check = cJSON_AddObjectToObject(run, "check");
    cJSON_AddItemToObject(check, "culprit", cJSON_Parse("{\"suspects\":[{\"text\":\"x\","
                                                        "\"slow_pairs\":[[\"r5\",\"r6\"]]}]}"));
    html = render_html(run);
    cr_assert_eq(count_of(html, "class='culprit'/>"), 1, "%s", html);
    cr_assert(strstr(html, "outlined: slow pairs a suspect explains"));
    check_svgs(html);
    free(html);
    cJSON_Delete(run);
}

/* Many pairs per tier: the slowest are drawn (a failed pair first), and the
 * row says how many of how many. */
Test(report, tierview_keeps_the_slowest_pairs)
{
    cJSON *run = big_run(40, 10, 2, 1);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "results"), 6);   /* n003 -> n004 */
    cJSON_ReplaceItemInObject(e, "bw_gbit_s", cJSON_CreateNumber(30));
    e = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "results"), 10);         /* n005 -> n006 */
    cJSON_AddStringToObject(e, "error", "peer reset");
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct report_tierview tv;
    cr_assert_eq(ans_pairs_collect(run, -1, "big", &pairs, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(report_tierview_build(&pairs, 3, &tv, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(tv.nrows, 3, "tiers 1, 2, 3");
    const struct report_tv_row *r = &tv.rows[0];
    cr_assert_eq(r->tier, 1);
    cr_assert_eq(r->pairs, 40);
    cr_assert_eq(r->n, 3);
    cr_assert_float_eq(r->median, 100, 1e-9);
    /* the failed pair, the slow one, then one at the median; by name */
    cr_assert_str_eq(r->cells[0].src, "n000");
    cr_assert_float_eq(r->cells[0].rel, 1, 1e-9);
    cr_assert_str_eq(r->cells[1].src, "n003");
    cr_assert_float_eq(r->cells[1].rel, 0.3, 1e-9);
    cr_assert_str_eq(r->cells[2].src, "n005");
    cr_assert_str_eq(r->cells[2].failure, "peer reset");
    report_tierview_free(&tv);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
}
