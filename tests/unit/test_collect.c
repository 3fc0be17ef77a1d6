/* test_collect.c: the one path from a result row to a results entry
 * (bench/results/collect.c): a pairwise step and a shape flow give the
 * entries, byte for byte, that the results files have always had (the
 * pair with its round, line rate and --bidir/verify extras; the shape row
 * placed by its nodes, its extra from the pattern's hook, no round, no
 * line rate), and a step without bandwidth or extras. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/engine/engine.h"
#include "bench/results/results_write.h"

static const char *const nodes[] = {"n0", "n1"};
static struct tp_link_info links[2];
static struct run_opts opts;
static const struct bench_pattern pattern = {.name = "pairs"};
static const struct tp_transport_ops ops = {.name = "tcp"};

static struct bench_engine engine(void)
{
    memset(links, 0, sizeof(links));
    links[0].line_rate_gbit = 25;
    links[1].line_rate_gbit = 10;
    return (struct bench_engine){.o = &opts, .pattern = &pattern, .ops = &ops, .nranks = 2,
                                 .node_of_rank = nodes, .links = links};
}

static char *entry_text(const struct bench_engine *e, const struct result_row *r,
                        const struct row_hooks *h)
{
    struct results_entry en;

    collect_entry(e, r, h, &en);
    cJSON *j = results_entry_json(&en);
    cr_assert_not_null(j);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

static struct result_row measured(void)
{
    struct result_row r;

    row_init(&r, 0, 1, 0, 65536);
    r.iters = 100;
    r.bytes_total = 6553600;
    r.seconds = 0.5;
    return r;
}

Test(collect, pair_step_entry_unchanged)
{
    struct bench_engine e = engine();
    struct topo_pair p = {.src = 0, .dst = 1, .tier = 2, .hypernode = "s1", .round = 3,
                          .shared = 1};
    struct row_hooks h = collect_pair_hooks(&p);
    struct result_row r = measured();

    opts.bidir = 1;
    r.verify = ROW_VERIFY_FAILED;
    r.verify_offset = 77;
    char *s = entry_text(&e, &r, &h);
    opts.bidir = 0;
    cr_assert_str_eq(s,
        "{\"pattern\":\"pairs\",\"src_rank\":0,\"dst_rank\":1,\"src_node\":\"n0\","
        "\"dst_node\":\"n1\",\"tier\":2,\"hypernode\":\"s1\",\"round\":3,\"round_shared\":1,"
        "\"size_bytes\":65536,\"iters\":100,\"bytes_total\":6553600,\"seconds\":0.5,"
        "\"bw_gbit_s\":0.1048576,\"bw_gbyte_s\":0.0131072,\"lat_us\":null,"
        "\"line_rate_gbit\":10,\"bw_pct_line\":1.048576,\"verify\":\"failed\","
        "\"error\":null,\"src_nic\":null,\"dst_nic\":null,\"rail_pair\":null,"
        "\"extra\":{\"bidir\":true,\"verify_first_bad_offset\":77}}");
    free(s);
}

static void flow_extra(const struct bench_engine *e, const struct result_row *r, cJSON *x,
                       void *arg)
{
    (void)e;
    cJSON_AddStringToObject(x, "mode", arg);
    cJSON_AddNumberToObject(x, "figure", r->x[0]);
}

Test(collect, shape_row_entry_unchanged)
{
    struct bench_engine e = engine();
    struct row_hooks h = {.extra = flow_extra, .arg = "star"};
    struct result_row r = measured();

    r.x[0] = 4;
    row_fail(&r, TP_ERR_PEER, "fanout star receive from rank 0", "connection reset");
    char *s = entry_text(&e, &r, &h);
    cr_assert_str_eq(s,
        "{\"pattern\":\"pairs\",\"src_rank\":0,\"dst_rank\":1,\"src_node\":\"n0\","
        "\"dst_node\":\"n1\",\"tier\":null,\"hypernode\":null,\"round\":null,"
        "\"round_shared\":null,\"size_bytes\":65536,\"iters\":100,\"bytes_total\":6553600,"
        "\"seconds\":0.5,\"bw_gbit_s\":0.1048576,\"bw_gbyte_s\":0.0131072,\"lat_us\":null,"
        "\"line_rate_gbit\":null,\"bw_pct_line\":null,\"verify\":\"off\","
        "\"error\":\"fanout star receive from rank 0: connection reset\","
        "\"src_nic\":null,\"dst_nic\":null,\"rail_pair\":null,"
        "\"extra\":{\"mode\":\"star\",\"figure\":4}}");
    free(s);
}

Test(collect, empty_extra_and_unmeasured_bandwidth_are_null)
{
    struct bench_engine e = engine();
    struct topo_pair p = {.src = 0, .dst = 1, .tier = 0, .round = 0, .shared = 0};
    struct row_hooks h = collect_pair_hooks(&p);
    struct result_row r = measured();

    r.has_bw = 0;               /* --no-bw: seconds are not written */
    char *s = entry_text(&e, &r, &h);
    cr_assert(strstr(s, "\"seconds\":0,\"bw_gbit_s\":null") != NULL, "%s", s);
    cr_assert(strstr(s, "\"extra\":{}}") != NULL, "%s", s);
    free(s);
}

/* The whole of what redirected stderr got. */
static char *stderr_text(void)
{
    static char buf[8192];
    FILE *f = cr_get_redirected_stderr();
    size_t n;

    fflush(stderr);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    return buf;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* A failed verification is reported once, by rank 0: one errors[] entry
 * and one log line, naming the pair, size, offset and the bytes. */
Test(collect, failed_verify_is_one_errors_entry_and_one_line, .init = cr_redirect_stderr)
{
    char dir[] = "/tmp/tierperf-test-collect-XXXXXX", path[96];
    struct tp_error err = {0};
    struct bench_engine e = engine();
    struct topo_pair p = {.src = 0, .dst = 1, .tier = 2, .hypernode = "s1"};
    struct row_hooks h = collect_pair_hooks(&p);
    struct result_row r = measured();
    cJSON *hd = cJSON_CreateObject();
    const char *want = "verify failed: pair 0 (n0) -> 1 (n1), transport tcp, size 65536: "
                       "first bad byte at offset 4097 is 0x10, expected 0x5a";

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/run.json", dir);
    cJSON_AddStringToObject(hd, "pattern", "pairs");
    cr_assert_eq(results_open(path, hd, &e.w, &err), TP_OK, "%s", err.msg);
    r.verify = ROW_VERIFY_FAILED;
    r.verify_offset = 4097;
    r.verify_got = 0x10;
    r.verify_expected = 0x5a;
    collect_row(&e, &r, &h);
    cJSON *run = results_snapshot(e.w, 0, NULL, NULL);
    cJSON *errs = cJSON_GetObjectItem(run, "errors");
    cr_assert_eq(cJSON_GetArraySize(errs), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(errs, 0), "message")->valuestring,
                     want);
    cr_assert_eq(e.nerrors, 1);
    cJSON_Delete(run);
    results_close(e.w);
    snprintf(path, sizeof(path), "%s/run.json.journal.jsonl", dir);
    unlink(path);
    rmdir(dir);
    const char *log = stderr_text();
    cr_assert_eq(count_of(log, "verify failed"), 1, "%s", log);
    cr_assert(strstr(log, want) != NULL, "%s", log);
}

/* A shape's row names its pattern, and its size too. */
Test(collect, shape_verify_line_names_pattern_size_and_offset)
{
    struct bench_engine e = engine();
    struct result_row r = measured();
    char line[400];

    r.verify_offset = 12;
    collect_verify_line(&e, &r, "alltoall", line, sizeof(line));
    cr_assert_str_eq(line, "verify failed: alltoall 0 (n0) -> 1 (n1), transport tcp, "
                           "size 65536: first bad byte at offset 12");
}
