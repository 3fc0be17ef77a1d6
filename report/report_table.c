/* report_table.c: print a loaded run as text tables.  Every field is
 * optional here: a journal of a killed run, an older file or a hand-made
 * one prints what it has ("-" for the rest). */
#include "report_table.h"

#include <math.h>
#include <string.h>

#include "report_copy.h"
#include "report_loss.h"
#include "../bench/results/results_summary.h"
#include "../common/units.h"
#include "report_data.h"
#include "../answers/ans_rails.h"
#include "../bench/results/results_rows.h"

#define REPORT_MAX_HOSTS_LISTED 8

static const char *str_of(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static int num_of(const cJSON *obj, const char *key, double *v)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item))
        return 0;
    *v = item->valuedouble;
    return 1;
}

/* Enough digits for 0.004 Gbit/s and 380 Gbit/s alike; "-" when unknown. */
static const char *fmt_num(const cJSON *obj, const char *key, char *buf, size_t len)
{
    double v;
    if (!num_of(obj, key, &v) || !isfinite(v))
        snprintf(buf, len, "-");
    else if (fabs(v) >= 100)
        snprintf(buf, len, "%.1f", v);
    else if (fabs(v) >= 1 || v == 0)
        snprintf(buf, len, "%.2f", v);
    else
        units_fmt_num(v, 3, buf, len);
    return buf;
}

static const char *fmt_size(const cJSON *obj, char *buf, size_t len)
{
    double v;
    if (!num_of(obj, "size_bytes", &v) || !(v >= 0) || v >= 18446744073709551615.0)
        snprintf(buf, len, "-");
    else
        units_fmt_size((uint64_t)v, buf, len);
    return buf;
}

static int tier_of(const cJSON *obj, int *tier)
{
    double v;
    if (!num_of(obj, "tier", &v))
        return 0;
    *tier = v > 1e9 ? 1000000000 : v < -1e9 ? -1000000000 : (int)v;
    return 1;
}

static int tier_selected(const cJSON *obj, const struct report_table_opts *opts)
{
    int tier;
    if (opts->tier_filter == REPORT_ALL_TIERS)
        return 1;
    return tier_of(obj, &tier) && tier == opts->tier_filter;
}

/* "  slurm: job 12 (tierperf-tiers), cluster sim, partition sim, nodes
 * sim-n[0-7]": the job a run came from (results header "slurm"). */
static void print_slurm(const cJSON *run, FILE *out)
{
    static const char *const parts[][2] = {
        {"cluster", ", cluster "}, {"partition", ", partition "}, {"job_nodelist", ", nodes "}};
    const cJSON *slurm = cJSON_GetObjectItemCaseSensitive(run, "slurm");
    const char *id = str_of(slurm, "job_id"), *name = str_of(slurm, "job_name");

    if (!cJSON_IsObject(slurm) || id == NULL)
        return;
    fprintf(out, "  slurm: job %s", id);
    if (name != NULL)
        fprintf(out, " (%s)", name);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        const char *v = str_of(slurm, parts[i][0]);
        if (v != NULL)
            fprintf(out, "%s%s", parts[i][1], v);
    }
    fprintf(out, "\n");
}

static void print_header(const cJSON *run, FILE *out)
{
    const char *start = str_of(run, "start_time"), *end = str_of(run, "end_time");
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(run, "hosts");
    const cJSON *complete = cJSON_GetObjectItemCaseSensitive(run, "complete");
    const cJSON *topo = cJSON_GetObjectItemCaseSensitive(run, "topology");
    const char *command = str_of(run, "command_line");
    int nhosts = cJSON_IsArray(hosts) ? cJSON_GetArraySize(hosts) : 0;

    fprintf(out, "tierperf run %s .. %s  (%s)\n", start ? start : "?", end ? end : "?",
            cJSON_IsTrue(complete) ? "complete" : "PARTIAL: did not finish");
    fprintf(out, "  transport %s, memory %s, pattern %s, tool version %s\n",
            str_of(run, "transport") ? str_of(run, "transport") : "?",
            str_of(run, "mem") ? str_of(run, "mem") : "?",
            str_of(run, "pattern") ? str_of(run, "pattern") : "?",
            str_of(run, "version") ? str_of(run, "version") : "?");
    if (command != NULL)
        fprintf(out, "  command: %s\n", command);
    print_slurm(run, out);
    fprintf(out, "  hosts (%d ranks):", nhosts);
    int listed = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, hosts) {
        if (listed++ == REPORT_MAX_HOSTS_LISTED) {
            fprintf(out, " ...");
            break;
        }
        const char *node = str_of(h, "node");
        fprintf(out, " %s", node ? node : "?");
    }
    fprintf(out, "\n");
    if (cJSON_IsObject(topo)) {
        const char *file = str_of(topo, "file");
        fprintf(out, "  topology: %s, tiers:", file ? file : "?");
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(topo, "tiers")) {
            int tier;
            const char *name = str_of(t, "name");
            if (tier_of(t, &tier))
                fprintf(out, " %d=%s", tier, name ? name : "?");
        }
        fprintf(out, "\n");
    } else {
        fprintf(out, "  topology: none (tier not known)\n");
    }
}

/* Distinct values of key over the hosts[] entries (quadratic: hosts are ranks). */
static int distinct(const cJSON *hosts, const char *key)
{
    int n = 0, i = 0;
    const cJSON *h, *o;
    cJSON_ArrayForEach(h, hosts) {
        const char *v = str_of(h, key);
        int seen = 0, j = 0;
        cJSON_ArrayForEach(o, hosts) {
            if (j++ >= i)
                break;
            const char *w = str_of(o, key);
            if (v != NULL && w != NULL && strcmp(v, w) == 0)
                seen = 1;
        }
        n += v != NULL && !seen;
        i++;
    }
    return n;
}

/* Several node names on one host (TIERPERF_NODE_NAME on a loopback run):
 * pairs between them never left the machine, whatever tier they map to. */
static int warn_loopback(const cJSON *run, FILE *out)
{
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(run, "hosts");
    int nodes = distinct(hosts, "node"), machines = distinct(hosts, "hostname");
    if (machines == 0 || nodes <= machines)
        return 0;
    fprintf(out, "WARNING: %d node names on %d host%s: pairs between node names of one host did "
            "not cross a network, so their tiers were not measured across one\n", nodes,
            machines, machines == 1 ? "" : "s");
    return 1;
}

static int print_warnings(const cJSON *run, FILE *out)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
    const char *source = str_of(run, "source"), *warning = str_of(run, "warning");
    int warnings = 0;

    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run, "complete"))) {
        fprintf(out, "WARNING: partial run: it did not finish%s; %d measurements saved\n",
                source != NULL && strcmp(source, "journal") == 0 ? " (read from its journal)" : "",
                results_count(results));
        warnings++;
    }
    if (warning != NULL) {
        fprintf(out, "WARNING: %s\n", warning);
        warnings++;
    }
    return warnings + warn_loopback(run, out);
}

/* A percentile needs samples: p99 one in 100 (>= 100 samples), p99.9 one in
 * 1000.  Fewer, and the value is the max of a handful: mark it "*". */
#define REPORT_P99_SAMPLES 100
#define REPORT_P999_SAMPLES 1000

static int mark_few(char *cell, size_t len, double samples, double need)
{
    if (!(samples < need) || strcmp(cell, "-") == 0)
        return 0;
    size_t n = strlen(cell);
    if (n + 1 < len) {
        cell[n] = '*';
        cell[n + 1] = '\0';
    }
    return 1;
}

/* Fewest latency samples of the successful rows at this tier (or no tier)
 * and size; INFINITY when none says. */
static double group_min_samples(const cJSON *run, const cJSON *g)
{
    double size = -1, s, best = INFINITY;
    int gt = 0, gt_known = tier_of(g, &gt), t = 0;
    const cJSON *e;
    num_of(g, "size_bytes", &size);
    RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        double es = -2;
        int known = tier_of(e, &t);
        if (!num_of(e, "size_bytes", &es) || es != size || known != gt_known || (known && t != gt))
            continue;
        if (num_of(cJSON_GetObjectItemCaseSensitive(e, "lat_us"), "samples", &s) && s < best)
            best = s;
    }
    return best;
}

static void footnote_few(FILE *out, int marked)
{
    if (marked)
        fprintf(out, "  * fewer latency samples than the percentile needs (p99: %d, p99.9: %d); "
                "raise --lat-iters\n", REPORT_P99_SAMPLES, REPORT_P999_SAMPLES);
}

static void mmm_cells(const cJSON *g, const char *key, char cells[3][32])
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(g, key);
    fmt_num(m, "min", cells[0], sizeof(cells[0]));
    fmt_num(m, "median", cells[1], sizeof(cells[1]));
    fmt_num(m, "max", cells[2], sizeof(cells[2]));
}

static void print_summary(const cJSON *run, FILE *out, const struct report_table_opts *opts)
{
    cJSON *summary = results_tier_summary(cJSON_GetObjectItemCaseSensitive(run, "results"),
                                          results_tier_name_from_run, (void *)run);
    int rows = 0, marked = 0;
    const cJSON *g;

    fprintf(out,
            "\nPer-tier summary: min/median/max over pairs; latency = one-way (RTT/2), median "
            "over pairs\n"
            "  Gbit/s = 10^9 bit/s, GB/s = 10^9 byte/s, us = microseconds\n"
            "%4s  %-12s %10s %5s  %10s %10s %10s  %9s  %9s %9s %9s\n",
            "tier", "name", "size", "pairs", "Gbit/s min", "median", "max", "GB/s med",
            "p50 us", "p99 us", "p99.9 us");
    cJSON_ArrayForEach(g, summary) {
        if (!tier_selected(g, opts))
            continue;
        char tier[16], size[32], pairs[32], gbyte[32], bw[3][32], p50[3][32], p99[3][32],
            p999[3][32];
        int t;
        const char *name = str_of(g, "tier_name");
        if (tier_of(g, &t))
            snprintf(tier, sizeof(tier), "%d", t);
        else
            snprintf(tier, sizeof(tier), "-");
        mmm_cells(g, "bw_gbit_s", bw);
        mmm_cells(g, "lat_us_p50", p50);
        mmm_cells(g, "lat_us_p99", p99);
        mmm_cells(g, "lat_us_p999", p999);
        double few = group_min_samples(run, g);
        marked |= mark_few(p99[1], sizeof(p99[1]), few, REPORT_P99_SAMPLES);
        marked |= mark_few(p999[1], sizeof(p999[1]), few, REPORT_P999_SAMPLES);
        fmt_num(cJSON_GetObjectItemCaseSensitive(g, "bw_gbyte_s"), "median", gbyte, sizeof(gbyte));
        double npairs = 0;
        num_of(g, "pairs", &npairs);
        snprintf(pairs, sizeof(pairs), "%.0f", npairs);
        fprintf(out, "%4s  %-12.12s %10s %5s  %10s %10s %10s  %9s  %9s %9s %9s\n", tier,
                name ? name : (tier[0] == '-' ? "(no topo)" : "-"), fmt_size(g, size, sizeof(size)),
                pairs, bw[0], bw[1], bw[2], gbyte, p50[1], p99[1], p999[1]);
        rows++;
    }
    if (rows == 0)
        fprintf(out, "  (no successful measurements%s)\n",
                opts->tier_filter != REPORT_ALL_TIERS ? " at this tier" : "");
    footnote_few(out, marked);
    cJSON_Delete(summary);
}

static void print_pairs(const cJSON *run, FILE *out, const struct report_table_opts *opts)
{
    const cJSON *e;
    int marked = 0, real_rate = report_line_rate_real(run);

    fprintf(out, "\nPer pair (ranks and nodes; latency one-way in us)\n"
                 "%5s %5s  %-24s %4s %10s  %9s %9s %6s  %9s %9s %9s  %-6s %s\n",
            "src", "dst", "nodes", "tier", "size", "Gbit/s", "GB/s", "%line", "p50 us", "p99 us",
            "p99.9 us", "verify", "error");
    RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        if (!tier_selected(e, opts))
            continue;
        char nodes[64], tier[16], size[32], gbit[32], gbyte[32], pct[32], p50[32], p99[32],
            p999[32];
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "lat_us");
        const char *sn = str_of(e, "src_node"), *dn = str_of(e, "dst_node");
        const char *verify = str_of(e, "verify"), *error = str_of(e, "error");
        double src = -1, dst = -1;
        int t;
        num_of(e, "src_rank", &src);
        num_of(e, "dst_rank", &dst);
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(e, "extra"), "direction");
        if (cJSON_IsString(dir))    /* a copy inside one node (pattern copy) */
            snprintf(nodes, sizeof(nodes), "%s copy %s", sn ? sn : "?", dir->valuestring);
        else
            snprintf(nodes, sizeof(nodes), "%s -> %s", sn ? sn : "?", dn ? dn : "?");
        if (tier_of(e, &t))
            snprintf(tier, sizeof(tier), "%d", t);
        else
            snprintf(tier, sizeof(tier), "-");
        double samples = INFINITY;
        num_of(lat, "samples", &samples);
        fmt_num(lat, "p99", p99, sizeof(p99));
        fmt_num(lat, "p999", p999, sizeof(p999));
        marked |= mark_few(p99, sizeof(p99), samples, REPORT_P99_SAMPLES);
        marked |= mark_few(p999, sizeof(p999), samples, REPORT_P999_SAMPLES);
        if (!real_rate)
            snprintf(pct, sizeof(pct), "?");
        fprintf(out, "%5.0f %5.0f  %-24.24s %4s %10s  %9s %9s %6s  %9s %9s %9s  %-6s %s\n", src,
                dst, nodes, tier, fmt_size(e, size, sizeof(size)),
                fmt_num(e, "bw_gbit_s", gbit, sizeof(gbit)),
                fmt_num(e, "bw_gbyte_s", gbyte, sizeof(gbyte)),
                real_rate ? fmt_num(e, "bw_pct_line", pct, sizeof(pct)) : pct,
                fmt_num(lat, "p50", p50, sizeof(p50)),
                p99, p999, verify ? verify : "-", error ? error : "");
    }
    footnote_few(out, marked);
    if (!real_rate)
        fprintf(out, "  %%line ?: virtual links (veth, virtio...) report a nominal speed, not a "
                "line rate\n");
}

/* The start of an error line: the pair of entry e; the section's title
 * before the first (n: the lines so far). */
static void print_error_pair(FILE *out, const cJSON *e, int n)
{
    const char *sn = str_of(e, "src_node"), *dn = str_of(e, "dst_node");
    double src = -1, dst = -1;

    num_of(e, "src_rank", &src);
    num_of(e, "dst_rank", &dst);
    if (n == 0)
        fprintf(out, "\nErrors\n");
    fprintf(out, "  rank %.0f (%s) -> rank %.0f (%s)", src, sn ? sn : "?", dst, dn ? dn : "?");
}

/* errors[] (whole pairs) and results[] entries that failed or did not verify */
static int print_errors(const cJSON *run, FILE *out, const struct report_table_opts *opts)
{
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(run, "errors");
    const cJSON *e;
    int n = 0;

    cJSON_ArrayForEach(e, errors) {
        const char *status = str_of(e, "status"), *msg = str_of(e, "message");
        print_error_pair(out, e, n++);
        fprintf(out, ": %s: %s\n", status ? status : "error", msg ? msg : "");
    }
    RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        const char *error = str_of(e, "error"), *verify = str_of(e, "verify");
        int failed_verify = verify != NULL && strcmp(verify, "failed") == 0;
        if ((error == NULL && !failed_verify) || !tier_selected(e, opts))
            continue;
        char size[32];
        print_error_pair(out, e, n++);
        fprintf(out, ", %s: %s\n", fmt_size(e, size, sizeof(size)),
                error != NULL ? error : "data verification failed");
    }
    return n;
}

/* Multi-rail runs: the per-rail and per-node tables (answers/ans_rails.h). */
static void print_rails(const cJSON *run, FILE *out)
{
    struct ans_rails r;
    struct tp_error err = {0};

    if (ans_rails_collect(run, -1, &r, &err) != TP_OK) {
        fprintf(out, "\n(per-rail tables: %s)\n", err.msg);
        return;
    }
    ans_rails_print(out, &r);
    ans_rails_free(&r);
}

int report_print_table(const cJSON *run, FILE *out, const struct report_table_opts *opts)
{
    static const struct report_table_opts defaults = {REPORT_ALL_TIERS, 0};
    if (opts == NULL)
        opts = &defaults;

    print_header(run, out);
    int warnings = print_warnings(run, out);
    int ncopies = report_copy_count(run);
    /* a copy-only run has no transfers to summarize per tier */
    if (ncopies == 0 || ncopies < results_count(cJSON_GetObjectItemCaseSensitive(run, "results")))
        print_summary(run, out, opts);
    if (ncopies > 0 && (opts->tier_filter == REPORT_ALL_TIERS || opts->tier_filter == 0))
        report_print_copies(run, out);
    if (opts->pairs)
        print_pairs(run, out, opts);
    print_rails(run, out);
    report_print_loss(run, out);
    warnings += print_errors(run, out, opts);
    return warnings;
}
