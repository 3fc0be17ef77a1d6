/* test_results.c: the results writer (journal, atomic final file, mode,
 * tier_summary) read back through results_load, including a run that was
 * killed before results_finish. */
#define _GNU_SOURCE 1   /* nftw */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/results/results_read.h"
#include "bench/results/results_rows.h"
#include "bench/results/results_summary.h"
#include "bench/results/results_write.h"

static char dir[64];
static char source_dir[4096];   /* ctest runs unit tests from the source folder */

/* each test (its own process) works in a fresh folder */
static void in_temp_dir(void)
{
    cr_assert_not_null(getcwd(source_dir, sizeof(source_dir)));
    strcpy(dir, "/tmp/tierperf-test-results-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(chdir(dir), 0);
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* best effort: remove what the test wrote (results/ too) */
static void cleanup_dir(void)
{
    if (chdir("/") == 0)
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(results, .init = in_temp_dir, .fini = cleanup_dir);

static cJSON *header(const char *pattern)
{
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "command_line", "tierperf run --pattern pairs");
    cJSON_AddStringToObject(h, "transport", "tcp");
    cJSON_AddStringToObject(h, "mem", "host");
    cJSON_AddStringToObject(h, "pattern", pattern);
    return h;
}

static struct results_entry entry(int src, int dst, int tier, uint64_t size, double gbit,
                                  const struct stats_lat *lat)
{
    struct results_entry e = {0};
    e.pattern = "pairs";
    e.src_rank = src;
    e.dst_rank = dst;
    e.src_node = "n-src";
    e.dst_node = "n-dst";
    e.tier = tier;
    e.size_bytes = size;
    e.iters = 100;
    e.seconds = 0.5;
    e.bytes_total = (uint64_t)(gbit * 1e9 / 8 * e.seconds);
    e.lat = lat;
    e.verify = "ok";
    return e;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert(cJSON_IsNumber(item), "field %s is not a number", key);
    return item->valuedouble;
}

static double mmm(const cJSON *o, const char *key, const char *which)
{
    return num(cJSON_GetObjectItemCaseSensitive(o, key), which);
}

static cJSON *load(const char *path)
{
    struct tp_error err = {0};
    cJSON *run = NULL;
    cr_assert_eq(results_load(path, &run, &err), TP_OK, "%s", err.msg);
    return run;
}

static int count_files(void)
{
    DIR *d = opendir(".");
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(results, entry_json_units_and_nulls)
{
    struct stats_lat lat = {1, 2, 3, 4, 5, 6, 7, 1000};
    struct results_entry e = entry(0, 1, -1, 4096, 0, &lat);
    e.bytes_total = 1250000000;   /* 10 Gbit in 0.5 s = 20 Gbit/s = 2.5 GB/s */
    e.line_rate_gbit = 100;
    cJSON *o = results_entry_json(&e);
    cr_assert_float_eq(num(o, "bw_gbit_s"), 20.0, 1e-9);
    cr_assert_float_eq(num(o, "bw_gbyte_s"), 2.5, 1e-9);
    cr_assert_float_eq(num(o, "bw_pct_line"), 20.0, 1e-9);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "tier")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "hypernode")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "error")));
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(o, "extra")));
    cr_assert_float_eq(mmm(o, "lat_us", "p999"), 6, 1e-12);
    cr_assert_float_eq(mmm(o, "lat_us", "samples"), 1000, 1e-12);
    cJSON_Delete(o);

    e.seconds = 0;        /* no bandwidth phase: bw null, not a division by zero */
    e.lat = NULL;
    e.line_rate_gbit = 0;
    e.verify = NULL;
    e.extra = cJSON_CreateObject();
    cJSON_AddNumberToObject(e.extra, "readers", 3);
    o = results_entry_json(&e);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "bw_gbit_s")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "bw_pct_line")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "line_rate_gbit")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "lat_us")));
    cr_assert_str_eq(cJSON_GetObjectItem(o, "verify")->valuestring, "off");
    cr_assert_float_eq(mmm(o, "extra", "readers"), 3, 1e-12);
    cJSON_Delete(o);
}

Test(results, write_finish_load_round_trip)
{
    struct tp_error err = {0};
    struct results_writer *w = NULL;
    struct stats_lat lat = {1, 2, 3, 4, 5, 6, 7, 100};
    cr_assert_eq(results_open("run.json", header("pairs"), &w, &err), TP_OK, "%s", err.msg);
    cr_assert_str_eq(results_path(w), "run.json");
    cr_assert_eq(access("run.json.journal.jsonl", F_OK), 0, "journal made at open");
    for (int i = 0; i < 3; i++) {
        struct results_entry e = entry(0, 1, 1, 1024ULL << i, 8.0 * (i + 1), &lat);
        cr_assert_eq(results_append(w, &e, &err), TP_OK, "%s", err.msg);
    }
    cr_assert_eq(results_add_error(w, 2, 3, "n2", "n3", TP_ERR_TIMEOUT, "peer 3 timed out", &err),
                 TP_OK, "%s", err.msg);
    cr_assert_eq(results_finish(w, 1, NULL, NULL, &err), TP_OK, "%s", err.msg);
    results_close(w);

    cr_assert_neq(access("run.json.journal.jsonl", F_OK), 0, "journal removed after finish");
    cr_assert_eq(count_files(), 1, "no temp file left");
    struct stat st;
    cr_assert_eq(stat("run.json", &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0644);

    cJSON *run = load("run.json");
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(run, "complete")));
    cr_assert_float_eq(num(run, "schema_version"), 1, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(run, "tool")->valuestring, "tierperf");
    cr_assert_str_eq(cJSON_GetObjectItem(run, "transport")->valuestring, "tcp");
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(run, "start_time")));
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(run, "end_time")));
    cJSON *results = cJSON_GetObjectItem(run, "results");
    cr_assert_eq(results_count(results), 3);
    const cJSON *third = results_at(results, 2);
    cr_assert_float_eq(num(third, "size_bytes"), 4096, 0);
    cr_assert_float_eq(num(third, "bw_gbit_s"), 24.0, 1e-9);
    cr_assert_float_eq(num(third, "bw_gbyte_s"), 3.0, 1e-9);
    cr_assert_float_eq(mmm(third, "lat_us", "p50"), 3, 1e-12);
    cr_assert_float_eq(num(third, "tier"), 1, 0);
    cJSON *errors = cJSON_GetObjectItem(run, "errors");
    cr_assert_eq(cJSON_GetArraySize(errors), 1);
    cJSON *e0 = cJSON_GetArrayItem(errors, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(e0, "status")->valuestring, "timed out");
    cr_assert_str_eq(cJSON_GetObjectItem(e0, "message")->valuestring, "peer 3 timed out");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(run, "tier_summary")), 3);
    cJSON_Delete(run);
}

Test(results, killed_run_leaves_a_loadable_journal)
{
    struct tp_error err = {0};
    struct results_writer *w = NULL;
    cr_assert_eq(results_open("out/k.json", header("pairs"), &w, &err), TP_ERR_IO);
    cr_assert(strstr(err.msg, "out/k.json.journal.jsonl") != NULL, "%s", err.msg);

    cr_assert_eq(results_open("k.json", header("pairs"), &w, &err), TP_OK, "%s", err.msg);
    for (int i = 0; i < 2; i++) {
        struct results_entry e = entry(0, 1, -1, 8u << i, 1.0, NULL);
        cr_assert_eq(results_append(w, &e, &err), TP_OK, "%s", err.msg);
    }
    cr_assert_eq(results_add_error(w, 0, 2, "a", "c", TP_ERR_PEER, "peer 2 closed", &err), TP_OK);
    /* "kill": the process ends without results_finish */
    results_close(w);
    cr_assert_neq(access("k.json", F_OK), 0, "no final file without finish");
    struct stat st;
    cr_assert_eq(stat("k.json.journal.jsonl", &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0644);

    cJSON *run = load("k.json.journal.jsonl");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(run, "complete")));
    cr_assert_str_eq(cJSON_GetObjectItem(run, "transport")->valuestring, "tcp");
    cr_assert_str_eq(cJSON_GetObjectItem(run, "pattern")->valuestring, "pairs");
    cr_assert_eq(results_count(cJSON_GetObjectItem(run, "results")), 2);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(run, "errors")), 1);
    cr_assert_null(cJSON_GetObjectItem(run, "warning"));
    cJSON_Delete(run);

    /* killed in the middle of a line: the entries before it still load */
    FILE *f = fopen("k.json.journal.jsonl", "a");
    fputs("{\"pattern\":\"pairs\",\"src_ra", f);
    fclose(f);
    run = load("k.json.journal.jsonl");
    cr_assert_eq(results_count(cJSON_GetObjectItem(run, "results")), 2);
    cr_assert(strstr(cJSON_GetObjectItem(run, "warning")->valuestring, "1 torn journal line") != NULL);
    cJSON_Delete(run);

    /* a second run to the same file does not overwrite the killed run's journal */
    cr_assert_eq(results_open("k.json", header("pairs"), &w, &err), TP_ERR_IO);
    cr_assert(strstr(err.msg, "k.json.journal.jsonl: exists") != NULL, "%s", err.msg);
    cr_assert_eq(stat("k.json.journal.jsonl", &st), 0);
    cr_assert_gt(st.st_size, 100);
}

Test(results, mode_is_0644_whatever_the_umask)
{
    mode_t masks[] = {0, 077};
    for (int i = 0; i < 2; i++) {
        struct tp_error err = {0};
        struct results_writer *w = NULL;
        char path[32];
        snprintf(path, sizeof(path), "m%d.json", i);
        umask(masks[i]);
        cr_assert_eq(results_open(path, header("pairs"), &w, &err), TP_OK, "%s", err.msg);
        struct results_entry e = entry(0, 1, 0, 8, 1.0, NULL);
        cr_assert_eq(results_append(w, &e, &err), TP_OK);
        cr_assert_eq(results_finish(w, 0, NULL, NULL, &err), TP_OK, "%s", err.msg);
        results_close(w);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 0777, 0644, "umask %03o gave %03o", (unsigned)masks[i],
                     (unsigned)(st.st_mode & 0777));
        cJSON *run = load(path);
        cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(run, "complete")));
        cJSON_Delete(run);
    }
}

Test(results, default_path_under_results)
{
    struct tp_error err = {0};
    struct results_writer *w1 = NULL, *w2 = NULL, *w3 = NULL;
    cr_assert_eq(results_open(NULL, header("tiers"), &w1, &err), TP_OK, "%s", err.msg);
    const char *p = results_path(w1);
    cr_assert_eq(strncmp(p, "results/tierperf-", 17), 0, "%s", p);
    cr_assert_eq(strlen(p), strlen("results/tierperf-20261123T231500Z-tiers.json"), "%s", p);
    cr_assert_str_eq(p + strlen(p) - 11, "-tiers.json");
    cr_assert_eq(p[17 + 8], 'T');
    cr_assert_eq(p[17 + 15], 'Z');
    /* same second, same pattern: a free name, not the first run's journal */
    cr_assert_eq(results_open(NULL, header("tiers"), &w2, &err), TP_OK, "%s", err.msg);
    cr_assert_str_neq(results_path(w2), p);
    /* a pattern that is not a plain word does not become a path */
    cr_assert_eq(results_open(NULL, header("../x y"), &w3, &err), TP_OK, "%s", err.msg);
    cr_assert(strstr(results_path(w3), "-run") != NULL, "%s", results_path(w3));
    cr_assert_eq(results_finish(w1, 1, NULL, NULL, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(access(results_path(w1), F_OK), 0);
    results_close(w1);
    results_close(w2);
    results_close(w3);
}

static const char *names(void *arg, int tier)
{
    (void)arg;
    return tier == 1 ? "leaf" : tier == 2 ? "spine" : NULL;
}

Test(results, tier_summary_on_a_hand_made_set)
{
    cJSON *results = cJSON_CreateArray();
    /* tier 1, 64 KiB: bw 1, 2, 4 Gbit/s; p50 10, 30, 20 us; p99 = 2*p50 */
    double bw[] = {1, 2, 4}, p50[] = {10, 30, 20};
    for (int i = 0; i < 3; i++) {
        struct stats_lat lat = {0};
        lat.p50 = p50[i];
        lat.p99 = 2 * p50[i];
        lat.p999 = 3 * p50[i];
        struct results_entry e = entry(i, i + 1, 1, 65536, bw[i], &lat);
        cJSON_AddItemToArray(results, results_entry_json(&e));
    }
    /* tier 1, 64 KiB, failed: left out */
    struct results_entry failed = entry(7, 8, 1, 65536, 100, NULL);
    failed.error = "timed out";
    cJSON_AddItemToArray(results, results_entry_json(&failed));
    /* tier 2, 8 B: two pairs without latency; tier 1, 8 B; tier null, 8 B */
    struct results_entry t2a = entry(0, 4, 2, 8, 0.5, NULL), t2b = entry(1, 5, 2, 8, 1.5, NULL);
    struct results_entry t1 = entry(0, 1, 1, 8, 0.25, NULL), tn = entry(0, 1, -1, 8, 3, NULL);
    cJSON_AddItemToArray(results, results_entry_json(&t2a));
    cJSON_AddItemToArray(results, results_entry_json(&t2b));
    cJSON_AddItemToArray(results, results_entry_json(&t1));
    cJSON_AddItemToArray(results, results_entry_json(&tn));
    /* an intra-node copy (--pattern copy) is no transfer between pairs:
     * left out (else a tier-0 group would appear) */
    struct results_entry copy = entry(2, 2, 0, 65536, 999, NULL);
    copy.pattern = "copy";
    cJSON_AddItemToArray(results, results_entry_json(&copy));

    cJSON *sum = results_tier_summary(results, names, NULL);
    cr_assert_eq(cJSON_GetArraySize(sum), 4);
    /* order: tier null, then tier 1 (8 B, 64 KiB), then tier 2 */
    cJSON *g0 = cJSON_GetArrayItem(sum, 0), *g1 = cJSON_GetArrayItem(sum, 1);
    cJSON *g2 = cJSON_GetArrayItem(sum, 2), *g3 = cJSON_GetArrayItem(sum, 3);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(g0, "tier")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(g0, "tier_name")));
    cr_assert_float_eq(num(g1, "tier"), 1, 0);
    cr_assert_float_eq(num(g1, "size_bytes"), 8, 0);
    cr_assert_float_eq(num(g2, "size_bytes"), 65536, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(g2, "tier_name")->valuestring, "leaf");
    cr_assert_float_eq(num(g2, "pairs"), 3, 0);
    cr_assert_float_eq(mmm(g2, "bw_gbit_s", "min"), 1, 1e-9);
    cr_assert_float_eq(mmm(g2, "bw_gbit_s", "median"), 2, 1e-9);
    cr_assert_float_eq(mmm(g2, "bw_gbit_s", "max"), 4, 1e-9);
    cr_assert_float_eq(mmm(g2, "bw_gbyte_s", "max"), 0.5, 1e-9);
    cr_assert_float_eq(mmm(g2, "lat_us_p50", "min"), 10, 1e-9);
    cr_assert_float_eq(mmm(g2, "lat_us_p50", "median"), 20, 1e-9);
    cr_assert_float_eq(mmm(g2, "lat_us_p50", "max"), 30, 1e-9);
    cr_assert_float_eq(mmm(g2, "lat_us_p99", "median"), 40, 1e-9);
    cr_assert_float_eq(mmm(g2, "lat_us_p999", "max"), 90, 1e-9);
    cr_assert_str_eq(cJSON_GetObjectItem(g3, "tier_name")->valuestring, "spine");
    cr_assert_float_eq(num(g3, "pairs"), 2, 0);
    cr_assert_float_eq(mmm(g3, "bw_gbit_s", "median"), 1.0, 1e-9);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(g3, "lat_us_p50")));
    cJSON_Delete(sum);

    sum = results_tier_summary(NULL, NULL, NULL);
    cr_assert_eq(cJSON_GetArraySize(sum), 0);
    cJSON_Delete(sum);
    cJSON_Delete(results);
}

Test(results, tier_names_from_a_loaded_run)
{
    cJSON *run = cJSON_Parse("{\"topology\":{\"virtual_tier\":3,\"tiers\":[{\"tier\":1,"
                             "\"name\":\"leaf\"},{\"tier\":2,\"name\":\"spine\"}]}}");
    cr_assert_str_eq(results_tier_name_from_run(run, 2), "spine");
    cr_assert_str_eq(results_tier_name_from_run(run, 0), "same node");
    cr_assert_str_eq(results_tier_name_from_run(run, 3), "virtual root");
    cr_assert_null(results_tier_name_from_run(run, 9));
    cJSON_Delete(run);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return buf;
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Cut anywhere, a results file reads as "truncated", never as another error */
Test(results, every_truncation_says_truncated)
{
    size_t len;
    char fixture[4200];
    snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/results/bad_pair.json", source_dir);
    char *text = read_all(fixture, &len);
    cr_assert_gt(len, 1000);
    /* every byte of the head, then every 7th (keeps the test fast under ASan) */
    for (size_t cut = 1; cut + 2 < len; cut += cut < 600 ? 1 : 7) {
        struct tp_error err = {0};
        cJSON *run = NULL;
        write_bytes("cut.json", text, cut);
        cr_assert_eq(results_load("cut.json", &run, &err), TP_ERR_PARSE, "cut at %zu loaded", cut);
        cr_assert(strstr(err.msg, "cut.json: truncated JSON") != NULL, "cut at %zu: %s", cut, err.msg);
    }
    /* damaged in the middle: malformed, not truncated */
    char *bad = strndup(text, len);
    char *comma = strchr(bad + 200, ',');
    cr_assert_not_null(comma);
    *comma = '#';
    write_bytes("bad.json", bad, len);
    struct tp_error err = {0};
    cJSON *run = NULL;
    cr_assert_eq(results_load("bad.json", &run, &err), TP_ERR_PARSE);
    cr_assert(strstr(err.msg, "bad.json: malformed JSON near byte") != NULL, "%s", err.msg);
    free(bad);
}

Test(results, newer_schema_is_refused)
{
    struct tp_error err = {0};
    cJSON *run = NULL;
    const char *text = "{\"schema_version\": 2, \"results\": []}";
    write_bytes("new.json", text, strlen(text));
    cr_assert_eq(results_load("new.json", &run, &err), TP_ERR_PARSE);
    cr_assert(strstr(err.msg, "new.json: schema_version 2 is newer") != NULL, "%s", err.msg);
}

/* results[] is stored in the pass that finds its end and validated once the
 * rest is read: hosts[] after results[] still bounds the ranks. */
Test(results, hosts_after_results_still_bound_the_ranks)
{
    size_t len;
    char fixture[4200];
    snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/results/compare_a.json", source_dir);
    const char *text = read_all(fixture, &len);
    cJSON *run = cJSON_ParseWithLength(text, len);
    cr_assert_not_null(run);
    cJSON_AddItemToObject(run, "hosts", cJSON_DetachItemFromObject(run, "hosts"));
    char *moved = cJSON_PrintUnformatted(run);
    cr_assert_lt(strstr(moved, "\"results\":["), strstr(moved, "\"hosts\":["));
    write_bytes("moved.json", moved, strlen(moved));
    cJSON_Delete(load("moved.json"));

    cJSON *bad = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "results"), 1);
    cJSON_SetNumberValue(cJSON_GetObjectItem(bad, "src_rank"), 99);
    char *out = cJSON_PrintUnformatted(run);
    write_bytes("rank.json", out, strlen(out));
    struct tp_error err = {0};
    cJSON *got = NULL;
    cr_assert_neq(results_load("rank.json", &got, &err), TP_OK);
    cr_assert(strstr(err.msg, "rank.json: results[1]: src_rank: out of range") != NULL, "%s",
              err.msg);
    cJSON_free(out);
    cJSON_free(moved);
    cJSON_Delete(run);
}

/* A temp file a killed save left (<out>.tmp.XXXXXX) goes at the next run
 * with the same --out, once its journal is ours; nothing else does. */
Test(results, stale_temp_files_of_the_same_out_are_removed)
{
    const char *stale = "run.json.tmp.AbC123", *keep[] = {
        "run.json.tmp.keep", "other.json.tmp.ABCDEF", "run.json.tmp.ABCDEF.bak", "run.jsonx.tmp.ABCDEF"};
    struct results_writer *w = NULL;
    struct tp_error err = {0};

    write_bytes(stale, "{", 1);
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        write_bytes(keep[i], "{", 1);
    write_bytes("run.json.journal.jsonl", "{}\n", 3);   /* a killed run's: refused, kept */
    cr_assert_neq(results_open("run.json", header("pairs"), &w, &err), TP_OK);
    cr_assert_eq(access(stale, F_OK), 0, "removed while another run's journal is there");
    cr_assert_eq(unlink("run.json.journal.jsonl"), 0);

    cr_assert_eq(results_open("run.json", header("pairs"), &w, &err), TP_OK, "%s", err.msg);
    cr_assert_neq(access(stale, F_OK), 0, "%s left", stale);
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        cr_assert_eq(access(keep[i], F_OK), 0, "%s removed", keep[i]);
    cr_assert_eq(results_finish(w, 1, NULL, NULL, &err), TP_OK, "%s", err.msg);
    results_close(w);
}
