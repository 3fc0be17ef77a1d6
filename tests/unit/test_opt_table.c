/* test_opt_table.c: options declared as tables by their owners: the `run`
 * parser takes its limits from the tables (one line at parse time, naming
 * the owner's limit), suggests the nearest option for a typo, --help lists
 * every row of every table, and the results header's options block keeps
 * the keys and values it had before the tables. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/run_opts.h"
#include "bench/results/run_header.h"
#include "common/opt_table.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"run", __VA_ARGS__}) / sizeof(char *)))

static tp_status_t parse(int argc, char **argv, struct run_opts *o, struct tp_error *err)
{
    int help = 0;

    memset(err, 0, sizeof(*err));
    return run_opts_parse(argc, argv, o, &help, err);
}

/* The field called name in any table, and its table. */
static const struct opt_field *field(const char *name)
{
    const struct opt_table *const *t = run_opts_tables();

    for (size_t i = 0; t[i] != NULL; i++) {
        const struct opt_field *f = opt_table_find(t[i], name);
        if (f != NULL)
            return f;
    }
    cr_assert_fail("no table declares --%s", name);
    return NULL;
}

/* The table's max is accepted, max + 1 refused with one line that names the
 * option, the value and the table's limit. */
static void check_upper_limit(const char *name, const char *const *extra)
{
    const struct opt_field *f = field(name);
    char at[32], over[32], limit[32], opt[64];
    struct run_opts o;
    struct tp_error err;
    char *argv[8];
    int argc = 0;

    snprintf(at, sizeof(at), "%.0f", f->max);
    snprintf(over, sizeof(over), "%.0f", f->max + 1);
    snprintf(limit, sizeof(limit), "%.0f", f->max);
    snprintf(opt, sizeof(opt), "--%s", name);
    argv[argc++] = "run";
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc++] = opt;
    argv[argc++] = at;
    argv[argc] = NULL;
    cr_assert_eq(parse(argc, argv, &o, &err), TP_OK, "%s %s: %s", opt, at, err.msg);
    run_opts_free(&o);
    argv[argc - 1] = over;
    cr_assert_eq(parse(argc, argv, &o, &err), TP_ERR_INVALID, "%s %s accepted", opt, over);
    cr_assert_null(strchr(err.msg, '\n'), "%s", err.msg);
    cr_assert(strstr(err.msg, opt) && strstr(err.msg, over) && strstr(err.msg, limit),
              "%s", err.msg);
    run_opts_free(&o);
}

Test(opt_table, limits_come_from_the_owners_table)
{
    static const char *const verbs[] = {"--transport", "verbs", NULL};

    /* the transport's own limits, not a second copy in the CLI */
    cr_assert_eq(field("qps")->max, 64, "verbs keeps at most 64 QPs per connection");
    check_upper_limit("qps", NULL);
    check_upper_limit("streams", NULL);
    check_upper_limit("port", NULL);
    check_upper_limit("congestion-tier", NULL);
    if (tp_transport_find("verbs") != NULL)
        check_upper_limit("gid-index", verbs);
}

Test(opt_table, tx_depth_bounded_by_the_chosen_transport)
{
    const struct tp_transport_ops *v = tp_transport_find("verbs");
    struct run_opts o;
    struct tp_error err;
    char depth[32], over[32];

    if (v == NULL)
        cr_skip_test("verbs not built");
    snprintf(depth, sizeof(depth), "%d", v->max_tx_depth);
    snprintf(over, sizeof(over), "%d", v->max_tx_depth + 1);
    cr_assert_eq(parse(ARGC("--transport", "verbs", "--tx-depth", depth),
                       ARGV("--transport", "verbs", "--tx-depth", depth), &o, &err),
                 TP_OK, "%s", err.msg);
    run_opts_free(&o);
    cr_assert_eq(parse(ARGC("--transport", "verbs", "--tx-depth", over),
                       ARGV("--transport", "verbs", "--tx-depth", over), &o, &err),
                 TP_ERR_INVALID);
    cr_assert(strstr(err.msg, "--tx-depth") && strstr(err.msg, over) && strstr(err.msg, depth),
              "%s", err.msg);
    run_opts_free(&o);
    cr_assert_eq(parse(ARGC("--transport", "tcp", "--tx-depth", over),
                       ARGV("--transport", "tcp", "--tx-depth", over), &o, &err),
                 TP_OK, "tcp has no lower bound: %s", err.msg);
    run_opts_free(&o);
}

Test(opt_table, unknown_option_suggests_the_nearest)
{
    struct run_opts o;
    struct tp_error err;

    cr_assert_eq(parse(ARGC("--qsp", "2"), ARGV("--qsp", "2"), &o, &err), TP_ERR_INVALID);
    cr_assert(strstr(err.msg, "'--qsp'") && strstr(err.msg, "did you mean --qps?"), "%s",
              err.msg);
    run_opts_free(&o);
    cr_assert_eq(parse(ARGC("--zzzzzzzz"), ARGV("--zzzzzzzz"), &o, &err), TP_ERR_INVALID);
    cr_assert_null(strstr(err.msg, "did you mean"), "nothing is near: %s", err.msg);
    run_opts_free(&o);
}

Test(opt_table, help_lists_every_row_of_every_table)
{
    const struct opt_table *const *t = run_opts_tables();
    char *text = NULL, want[80];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    run_opts_help(f);
    fclose(f);
    for (size_t i = 0; t[i] != NULL; i++)
        for (const struct opt_field *fl = t[i]->fields; fl->name != NULL; fl++) {
            snprintf(want, sizeof(want), "--%s%s", fl->name, opt_field_has_value(fl) ? " " : "");
            cr_expect_not_null(strstr(text, want), "--help lacks %s (table %s)", want,
                               t[i]->owner);
        }
    cr_assert_not_null(strstr(text, "1..64"), "limits stated from the tables");
    free(text);
}

Test(opt_table, defaults_within_limits_and_names_unique)
{
    const struct opt_table *const *t = run_opts_tables();
    struct tp_error err = {0};

    for (size_t i = 1; t[i] != NULL; i++) {
        void *cfg = calloc(1, t[i]->config_size);
        cr_assert_eq(opt_table_defaults(t[i], cfg, &err), TP_OK, "%s", err.msg);
        cr_assert_eq(opt_table_check(t[i], cfg, &err), TP_OK, "%s", err.msg);
        free(cfg);
        for (const struct opt_field *a = t[i]->fields; a->name != NULL; a++)
            cr_assert_null(opt_table_find(t[0], a->name), "--%s: %s's and run's", a->name,
                           t[i]->owner);
    }
}

/* The options block is generated from the tables: the same keys and the
 * same default values as the hand-written block before it. */
Test(opt_table, header_options_keep_their_keys_and_values)
{
    static const char *const keys[] = {
        "sizes", "iters", "warmup", "duration_s", "lat_iters", "lat_budget_s", "batch_target_s",
        "bw", "lat", "bidir", "verify", "serial", "bind", "buffer_size", "timeout_s", "streams",
        "stream_threads",
        "zerocopy", "sockbuf_bytes", "if", "subnet", "ifaces", "tx_depth", "hugepages", "gpu", "topology",
        "nodes", NULL};
    static const char *const verbs_keys[] = {"qps", "device", "devices", "port", "gid_index",
                                             "rdma_op", "inline", "rdma_cm", "rx_depth",
                                             "rd_atomic", "relaxed_ordering", "tclass", "sl",
                                             "tos", NULL};
    struct run_opts o;
    struct tp_error err;

    cr_assert_eq(parse(ARGC("--sizes", "64", "--subnet", "10.0.0.0/8", "--rdma-op", "read"),
                       ARGV("--sizes", "64", "--subnet", "10.0.0.0/8", "--rdma-op", "read"), &o,
                       &err), TP_OK, "%s", err.msg);
    cJSON *j = run_header_options(&o);
    size_t n = 0;
    for (size_t i = 0; keys[i] != NULL; i++, n++)
        cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(j, keys[i]), "no %s", keys[i]);
    for (size_t i = 0; tp_transport_find("verbs") != NULL && verbs_keys[i] != NULL; i++, n++)
        cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(j, verbs_keys[i]), "no %s",
                           verbs_keys[i]);
    cr_expect_eq((size_t)cJSON_GetArraySize(j), n, "no key added");
    cr_expect_eq(cJSON_GetObjectItem(j, "streams")->valuedouble, 1);
    cr_expect_eq(cJSON_GetObjectItem(j, "tx_depth")->valuedouble, 64);
    cr_expect_eq(cJSON_GetObjectItem(j, "timeout_s")->valuedouble, 60);
    cr_expect_eq(cJSON_GetObjectItem(j, "buffer_size")->valuedouble, 64 << 20);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(j, "zerocopy")));
    cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "if")));
    cr_expect_str_eq(cJSON_GetObjectItem(j, "subnet")->valuestring, "10.0.0.0/8");
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(j, "bind")));
    if (tp_transport_find("verbs") != NULL) {
        cr_expect_str_eq(cJSON_GetObjectItem(j, "rdma_op")->valuestring, "read");
        cr_expect_eq(cJSON_GetObjectItem(j, "gid_index")->valuedouble, -1);
        cr_expect_eq(cJSON_GetObjectItem(j, "inline")->valuedouble, -1);
        cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "device")));
        cr_expect_str_eq(cJSON_GetObjectItem(j, "relaxed_ordering")->valuestring, "on");
        cr_expect_eq(cJSON_GetObjectItem(j, "rx_depth")->valuedouble, 512);
        cr_expect_eq(cJSON_GetObjectItem(j, "tclass")->valuedouble, -1);
    }
    cJSON_Delete(j);
    run_opts_free(&o);
}
