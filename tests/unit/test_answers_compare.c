/* test_answers_compare.c: runs side by side per (tier, size): medians,
 * the winner (ties under 1%), the environment line, and odd inputs. */
#include <math.h>

#include "answers/ans_compare.h"
#include "ans_test_util.h"

struct two {
    const cJSON *runs[2];
    struct ans_compare c;
};

static void build(struct two *x, const char *a, const char *b)
{
    struct tp_error err = {0};
    x->runs[0] = load_fixture(a);
    x->runs[1] = load_fixture(b);
    cr_assert_eq(ans_compare_build(x->runs, 2, &x->c, &err), TP_OK, "%s", err.msg);
}

static void two_free(struct two *x)
{
    ans_compare_free(&x->c);
    cJSON_Delete((cJSON *)x->runs[0]);
    cJSON_Delete((cJSON *)x->runs[1]);
}

static const struct ans_cmp_row *row(const struct ans_compare *c, int tier, long long size)
{
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].tier == tier && c->rows[i].size == size)
            return &c->rows[i];
    cr_assert_fail("no row tier %d size %lld", tier, size);
    return NULL;
}

/* compare_a: ConnectX-6, faster at tier 1 (80 vs 40 Gbit/s at 4 MiB);
 * compare_b: E810-C, faster at tier 2 (30 vs 20). */
Test(compare, medians_and_winners_per_tier_and_size)
{
    struct two x;
    build(&x, "compare_a.json", "compare_b.json");
    cr_assert_eq(x.c.nruns, 2);
    cr_assert_eq(x.c.nrows, 4);
    cr_assert_eq(x.c.rows[0].tier, 1);   /* sorted by tier, then size */
    cr_assert_eq(x.c.rows[0].size, 65536);
    cr_assert_eq(x.c.rows[3].tier, 2);
    cr_assert_eq(x.c.rows[3].size, 4194304);
    const struct ans_cmp_row *t1 = row(&x.c, 1, 4194304), *t2 = row(&x.c, 2, 4194304);
    cr_assert_float_eq(t1->bw[0], 80, 1e-9);
    cr_assert_float_eq(t1->bw[1], 40, 1e-9);
    cr_assert_eq(ans_compare_best(&x.c, t1, 0), 0);
    cr_assert_eq(ans_compare_best(&x.c, t2, 0), 1);
    cr_assert_eq(ans_compare_best(&x.c, t1, 1), 0);   /* lower latency wins */
    cr_assert_eq(ans_compare_best(&x.c, t2, 1), ANS_COMPARE_TIE);
    two_free(&x);
}

Test(compare, a_run_against_itself_ties_everywhere)
{
    struct two x;
    build(&x, "compare_a.json", "compare_a.json");
    for (size_t i = 0; i < x.c.nrows; i++) {
        cr_assert_eq(ans_compare_best(&x.c, &x.c.rows[i], 0), ANS_COMPARE_TIE);
        cr_assert_eq(ans_compare_best(&x.c, &x.c.rows[i], 1), ANS_COMPARE_TIE);
    }
    two_free(&x);
}

Test(compare, table_shows_ratios_winners_and_environment)
{
    struct two x;
    struct capture cap;
    const char *names[2] = {"a.json", "b.json"};
    build(&x, "compare_a.json", "compare_b.json");
    ans_compare_print(capture_begin(&cap), &x.c, names, x.runs);
    char *text = capture_end(&cap);
    cr_assert(strstr(text, "A = a.json: tcp/host; 4x ConnectX-6 fw 22.31.1014, 100 Gbit/s, "
                           "MTU 1500, mlx5_core\n"), "%s", text);
    cr_assert(strstr(text, "B = b.json: tcp/host; 4x E810-C fw 4.20, 100 Gbit/s, MTU 9000"), "%s",
              text);
    cr_assert(strstr(text, "1     4 MiB        80 Gbit/s    40 Gbit/s     0.50x  A wins"), "%s",
              text);
    cr_assert(strstr(text, "2     4 MiB        20 Gbit/s    30 Gbit/s     1.50x  B wins"), "%s",
              text);
    free(text);
    two_free(&x);
}

Test(compare, odd_inputs)
{
    struct tp_error err = {0};
    struct ans_compare c;
    struct capture cap;
    const cJSON *runs[ANS_COMPARE_MAX + 1];

    runs[0] = parse_run("{\"results\":[]}");
    cr_assert_neq(ans_compare_build(runs, 1, &c, &err), TP_OK);
    cr_assert(strstr(err.msg, "2 to 8"), "%s", err.msg);

    /* empty results, a row measured only by one run, no tier, no links */
    runs[1] = parse_run("{\"results\":[{\"tier\":null,\"size_bytes\":8,\"bw_gbit_s\":3},"
                        "{\"tier\":1,\"size_bytes\":\"big\"},{\"tier\":1,\"size_bytes\":16,"
                        "\"bw_gbit_s\":null,\"lat_us\":{\"p50\":null}}]}");
    cr_assert_eq(ans_compare_build(runs, 2, &c, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(c.nrows, 2);
    cr_assert_eq(c.rows[0].tier, -1);
    cr_assert(isnan(c.rows[0].bw[0]));
    cr_assert_float_eq(c.rows[0].bw[1], 3, 1e-9);
    cr_assert_eq(ans_compare_best(&c, &c.rows[0], 0), -1);   /* one run only: no winner */
    const char *names[2] = {"e.json", "o.json"};
    ans_compare_print(capture_begin(&cap), &c, names, runs);
    char *text = capture_end(&cap);
    cr_assert(strstr(text, "A = e.json: ?/?; links unknown"), "%s", text);
    free(text);
    ans_compare_free(&c);
    cJSON_Delete((cJSON *)runs[0]);
    cJSON_Delete((cJSON *)runs[1]);
}

/* VMs and clouds report no line rate: the links still group (a link matches
 * itself), and the line says "unknown", never "nan Gbit/s" (issue 16). */
Test(compare, links_with_unknown_line_rate)
{
    struct capture cap;
    cJSON *run = parse_run("{\"transport\":\"tcp\",\"mem\":\"host\",\"results\":[],"
                           "\"environment\":{\"links\":["
                           "{\"model\":\"virtio\",\"firmware\":\"\",\"driver\":\"virtio_net\","
                           "\"mtu\":1500,\"line_rate_gbit\":null},"
                           "{\"model\":\"virtio\",\"firmware\":\"\",\"driver\":\"virtio_net\","
                           "\"mtu\":1500},"
                           "{\"model\":\"veth\",\"driver\":\"veth\"}]}}");
    ans_compare_env(capture_begin(&cap), run);
    char *text = capture_end(&cap);
    cr_assert_null(strstr(text, "nan"), "%s", text);
    cr_assert(strstr(text, "; 2x virtio fw ?, line rate unknown, MTU 1500, virtio_net"), "%s", text);
    cr_assert(strstr(text, "; 1x veth fw ?, line rate unknown, MTU unknown, veth"), "%s", text);
    free(text);
    cJSON_Delete(run);
}

/* --json: each run (label, file, environment) and per (tier, size) row the
 * medians, the ratios to A and the winners; --size keeps one size. */
Test(compare, json_shape_and_size_filter)
{
    struct two x;
    build(&x, "compare_a.json", "compare_b.json");
    const char *names[] = {"a.json", "b.json"};
    cJSON *j = ans_compare_to_json(&x.c, names, x.runs);
    char *text = cJSON_PrintUnformatted(j);
    cJSON *o = cJSON_Parse(text);
    cr_assert_not_null(o);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "command")->valuestring, "compare");
    cJSON *runs = cJSON_GetObjectItem(o, "runs");
    cr_assert_eq(cJSON_GetArraySize(runs), 2);
    cJSON *b = cJSON_GetArrayItem(runs, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(b, "label")->valuestring, "B");
    cr_assert_str_eq(cJSON_GetObjectItem(b, "file")->valuestring, "b.json");
    cr_assert(strstr(cJSON_GetObjectItem(b, "environment")->valuestring, "E810-C"));
    cJSON *rows = cJSON_GetObjectItem(o, "rows");
    cr_assert_eq(cJSON_GetArraySize(rows), 4);
    cJSON *r = cJSON_GetArrayItem(rows, 1);   /* tier 1, 4 MiB: A 80, B 40 */
    cr_assert_eq(cJSON_GetObjectItem(r, "tier")->valueint, 1);
    cr_assert_eq(cJSON_GetObjectItem(r, "size_bytes")->valueint, 4 << 20);
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "bw_gbit_s"), 0)->valuedouble, 80,
                       1e-9);
    cr_assert_float_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "bw_ratio"), 1)->valuedouble, 0.5,
                       1e-9);
    cr_assert_str_eq(cJSON_GetObjectItem(r, "bw_winner")->valuestring, "A");
    cr_assert(cJSON_IsNumber(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "lat_p50_us"), 1)));
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 3), "lat_winner")->valuestring,
                     "tie");
    cJSON_Delete(o);
    cJSON_free(text);
    cJSON_Delete(j);

    ans_compare_keep_size(&x.c, 65536);
    cr_assert_eq(x.c.nrows, 2);
    for (size_t i = 0; i < x.c.nrows; i++)
        cr_assert_eq(x.c.rows[i].size, 65536);
    two_free(&x);
}
