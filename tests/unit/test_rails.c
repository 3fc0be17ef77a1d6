/* test_rails.c: multi-rail pieces: --devices/--ifaces lists and a rank's
 * rail (tp_rail.h), the NIC nearest a GPU on a saved hwloc topology
 * (rail_near.h; tests/unit/data/hwloc-2s-4gpu-2nic.xml, described in
 * test_gpu_pick.c), --pattern rails's rounds, and the rows' NIC fields. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "answers/ans_check.h"
#include "answers/ans_rails.h"
#include "bench/engine/gpu_pick.h"
#include "bench/engine/rail_near.h"
#include "bench/cli/run_opts.h"
#include "bench/patterns/pattern.h"
#include "bench/results/results_write.h"
#include "transports/tp_rail.h"

Test(rails, list_keeps_order_and_refuses_bad_lists)
{
    struct tp_rail_list l;
    struct tp_error err = {0};

    cr_assert_eq(tp_rail_list_parse("mlx5_1,mlx5_0,mlx5_3", "devices", &l, &err), TP_OK);
    cr_assert_eq(l.n, 3);
    cr_assert_str_eq(l.names[0], "mlx5_1");
    cr_assert_str_eq(l.names[2], "mlx5_3");
    const char *bad[] = {"", "a,,b", "a,", "eth0,eth0",
                         "a23456789012345678901234567890123456789012345678901234567890123456"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&err, 0, sizeof(err));
        cr_assert_eq(tp_rail_list_parse(bad[i], "ifaces", &l, &err), TP_ERR_INVALID, "'%s'",
                     bad[i]);
        cr_assert_not_null(strstr(err.msg, "--ifaces"), "%s", err.msg);
    }
    cr_assert(tp_rail_is_auto("auto"));
    cr_assert(!tp_rail_is_auto("eth0"));
}

Test(rails, rank_takes_the_nic_of_its_local_rank)
{
    struct tp_rail_list l;
    struct tp_error err = {0};
    char why[96];

    cr_assert_eq(tp_rail_list_parse("eth0,eth1", "ifaces", &l, &err), TP_OK);
    for (int lr = 0; lr < 5; lr++) {
        struct tp_config cfg = {.local_rank = lr, .local_size = 5};
        cr_assert_eq(tp_rail_choose(&cfg, &l, why, sizeof(why)), (size_t)(lr % 2));
        cr_assert_not_null(strstr(why, "local rank"), "%s", why);
    }
}

static int near_second(const void *arg, const char *const *names, size_t n)
{
    (void)arg;
    return n > 1 && strcmp(names[1], "mlx5_1") == 0 ? 1 : -1;
}

Test(rails, gpu_nearest_nic_wins_over_local_rank)
{
    struct tp_rail_list l;
    struct tp_error err = {0};
    char why[96];
    struct tp_config cfg = {.local_rank = 0, .rail_near = near_second};

    cr_assert_eq(tp_rail_list_parse("mlx5_0,mlx5_1", "devices", &l, &err), TP_OK);
    cr_assert_eq(tp_rail_choose(&cfg, &l, why, sizeof(why)), 1);
    cr_assert_not_null(strstr(why, "GPU"), "%s", why);
    /* no answer (no GPU in hwloc's tree): by local rank */
    cr_assert_eq(tp_rail_list_parse("mlx5_0,eth9", "devices", &l, &err), TP_OK);
    cr_assert_eq(tp_rail_choose(&cfg, &l, why, sizeof(why)), 0);
}

Test(rails, nic_nearest_each_gpu_on_a_saved_topology)
{
    hwloc_topology_t topo;
    const char *const nics[] = {"mlx5_0", "mlx5_1:1"};
    const char *const soft[] = {"rxe0", "lo"};

    cr_assert_eq(hwloc_topology_init(&topo), 0);
    cr_assert_eq(hwloc_topology_set_xml(topo, "tests/unit/data/hwloc-2s-4gpu-2nic.xml"), 0);
    gpu_pick_topology_filter(topo);
    cr_assert_eq(hwloc_topology_load(topo), 0);
    /* GPU 03:00.0 shares a PCIe switch with mlx5_0; 83:00.0 and 84:00.0
     * sit on package 1 with mlx5_1; 12:00.0 is on mlx5_0's host bridge */
    cr_assert_eq(rail_near_pick(topo, "0000:03:00.0", nics, 2, 0), 0);
    cr_assert_eq(rail_near_pick(topo, "0000:12:00.0", nics, 2, 1), 0);
    cr_assert_eq(rail_near_pick(topo, "0000:83:00.0", nics, 2, 0), 1);
    cr_assert_eq(rail_near_pick(topo, "0000:84:00.0", nics, 2, 0), 1);
    cr_assert_eq(rail_near_pick(topo, "0000:84:00.0", soft, 2, 0), -1);
    cr_assert_eq(rail_near_pick(topo, "", nics, 2, 0), -1);
    hwloc_topology_destroy(topo);
}

Test(rails, pattern_pairs_same_rail_then_cross_rail)
{
    /* two nodes, two ranks each (one per NIC), and a lone third node */
    static const char *const nodes[] = {"a", "a", "b", "b", "c"};
    struct pattern_input in = {NULL, nodes, 5};
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};

    cr_assert_eq(pattern_find("rails")->plan(&in, &plan, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(plan->tiers[0].nrounds, 2);
    const struct topo_round *same = &plan->tiers[0].rounds[0], *cross = &plan->tiers[0].rounds[1];
    cr_assert_eq(same->npairs, 2);
    cr_assert_eq(same->pairs[0].src, 0);
    cr_assert_eq(same->pairs[0].dst, 2);
    cr_assert_eq(same->pairs[1].src, 1);
    cr_assert_eq(same->pairs[1].dst, 3);
    cr_assert_eq(cross->npairs, 2);
    cr_assert_eq(cross->pairs[0].src, 0);
    cr_assert_eq(cross->pairs[0].dst, 3);
    cr_assert_eq(cross->pairs[1].src, 1);
    cr_assert_eq(cross->pairs[1].dst, 2);
    topo_plan_free(plan);
    static const char *const one[] = {"a", "a"};
    struct pattern_input lone = {NULL, one, 2};
    cr_assert_eq(pattern_find("rails")->plan(&lone, &plan, &err), TP_ERR_INVALID);
    cr_assert_not_null(strstr(err.msg, "2 nodes"), "%s", err.msg);
}

Test(rails, rows_carry_nic_and_rail_pair)
{
    struct results_nic a = {"mlx5_0:1", 1, "ens1f0", 0, 2}, b = {"mlx5_1:1", 1, "ens2f0", 1, 2};
    struct results_entry e = {.pattern = "rails", .src_rank = 0, .dst_rank = 3, .tier = -1,
                              .size_bytes = 1024, .src_nic = a, .dst_nic = b};
    cJSON *o = results_entry_json(&e);
    const cJSON *s = cJSON_GetObjectItem(o, "src_nic");

    cr_assert_str_eq(cJSON_GetObjectItem(s, "device")->valuestring, "mlx5_0:1");
    cr_assert_eq(cJSON_GetObjectItem(s, "port")->valueint, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(s, "interface")->valuestring, "ens1f0");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "dst_nic"), "rail")->valueint, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "rail_pair")->valuestring, "cross");
    cJSON_Delete(o);
    e.dst_nic.rail = 0;
    o = results_entry_json(&e);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "rail_pair")->valuestring, "same");
    cJSON_Delete(o);
    e.src_nic.device = "";     /* mpi: no NIC known */
    o = results_entry_json(&e);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "src_nic")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "rail_pair")));
    cJSON_Delete(o);
}

/* Two nodes, two rails: same-rail pairs in round 0, cross-rail in round 1. */
static cJSON *rails_run(double r0, double r1, double line)
{
    char text[4096];
    const char *row = "{\"pattern\":\"rails\",\"src_rank\":%d,\"dst_rank\":%d,\"src_node\":\"a\","
                      "\"dst_node\":\"b\",\"tier\":1,\"hypernode\":\"leaf\",\"round\":%d,"
                      "\"round_shared\":0,\"size_bytes\":4194304,\"iters\":10,"
                      "\"bytes_total\":41943040,\"seconds\":1,\"bw_gbit_s\":%g,\"bw_gbyte_s\":1,"
                      "\"lat_us\":null,\"line_rate_gbit\":%g,\"verify\":\"off\",\"error\":null,"
                      "\"src_nic\":{\"device\":\"mlx5_%d\",\"port\":1,\"interface\":null,"
                      "\"rail\":%d,\"rails\":2},\"dst_nic\":{\"device\":\"mlx5_%d\",\"port\":1,"
                      "\"interface\":null,\"rail\":%d,\"rails\":2},\"rail_pair\":\"%s\","
                      "\"extra\":{}}";
    char rows[4][900];
    snprintf(rows[0], sizeof(rows[0]), row, 0, 2, 0, r0, line, 0, 0, 0, 0, "same");
    snprintf(rows[1], sizeof(rows[1]), row, 1, 3, 0, r1, line, 1, 1, 1, 1, "same");
    snprintf(rows[2], sizeof(rows[2]), row, 0, 3, 1, 1.0, line, 0, 0, 1, 1, "cross");
    snprintf(rows[3], sizeof(rows[3]), row, 1, 2, 1, 2.0, line, 1, 1, 0, 0, "cross");
    snprintf(text, sizeof(text), "{\"results\":[%s,%s,%s,%s],\"errors\":[]}", rows[0], rows[1],
             rows[2], rows[3]);
    cJSON *run = cJSON_Parse(text);
    cr_assert_not_null(run);
    return run;
}

Test(rails, per_rail_medians_and_node_sum_over_rails)
{
    cJSON *run = rails_run(180, 190, 200);
    struct ans_rails r;
    struct tp_error err = {0};

    cr_assert_eq(ans_rails_collect(run, -1, &r, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(r.size, 4194304);
    cr_assert_eq(r.nrail, 8, "2 nodes x 2 rails x same/cross");
    /* sorted: a rail 0 same tx first */
    cr_assert_str_eq(r.rail[0].node, "a");
    cr_assert_eq(r.rail[0].rail, 0);
    cr_assert_eq(r.rail[0].cross, 0);
    cr_assert_float_eq(r.rail[0].bw_gbit, 180, 1e-9);
    cr_assert_float_eq(r.rail[0].pct_line, 90, 1e-9);
    cr_assert_eq(r.rail[1].cross, 1);
    cr_assert_float_eq(r.rail[1].bw_gbit, 1.0, 1e-9);
    cr_assert_eq(r.nnode, 2);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(r.node[i].rails, 2);
        cr_assert_float_eq(r.node[i].bw_gbit, 370, 1e-9, "same-rail round summed");
        cr_assert_float_eq(r.node[i].line_gbit, 400, 1e-9);
    }
    cr_assert_neq(r.node[0].rx, r.node[1].rx, "a sends, b receives");
    ans_rails_free(&r);
    cJSON_Delete(run);
}

static int check_with(cJSON *run, const char *yaml, struct ans_check *c)
{
    struct ans_profile p;
    struct ans_check_opts o = {.size = -1};
    struct tp_error err = {0};

    cr_assert_eq(ans_profile_parse(yaml, strlen(yaml), "test", &p, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_check_run(run, "run", &p, &o, c, &err), TP_OK, "%s", err.msg);
    return ans_check_verdict(c);
}

Test(rails, profile_per_nic_threshold_fails_the_slow_rail)
{
    const char *yaml = "name: r\ndescription: d\nnic_min_line_rate: 90%\n"
                       "rules:\n  - name: any\n    min_bandwidth: 1Gbit/s\n";
    cJSON *run = rails_run(185, 150, 200);
    struct ans_check c;

    cr_assert_eq(check_with(run, yaml, &c), ANS_VERDICT_FAIL);
    cr_assert_eq(c.nic_failed, 2, "rail 1 on both nodes (tx and rx)");
    for (size_t i = 0; i < c.rails.nrail; i++)
        cr_assert_eq(c.nic_verdict[i], c.rails.rail[i].cross ? ANS_NIC_SKIP
                                       : c.rails.rail[i].rail == 1 ? ANS_NIC_FAIL
                                                                   : ANS_NIC_PASS);
    ans_check_free(&c);
    cJSON_Delete(run);
    run = rails_run(185, 195, 200);
    cr_assert_eq(check_with(run, yaml, &c), ANS_VERDICT_PASS);
    ans_check_free(&c);
    cJSON_Delete(run);
    /* without a line rate the threshold cannot be judged: never a PASS */
    run = rails_run(185, 195, 0);
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(run, "results"))
        cJSON_ReplaceItemInObject(e, "line_rate_gbit", cJSON_CreateNull());
    cr_assert_eq(check_with(run, yaml, &c), ANS_VERDICT_INCOMPLETE);
    ans_check_free(&c);
    cJSON_Delete(run);
}

Test(rails, profile_nic_keys_are_checked)
{
    struct ans_profile p;
    struct tp_error err = {0};
    const char *bad = "name: r\nnic_min_line_rate: 190%\nrules:\n  - min_bandwidth: 1Gbit/s\n";

    cr_assert_eq(ans_profile_parse(bad, strlen(bad), "p.yaml", &p, &err), TP_ERR_PARSE);
    cr_assert_not_null(strstr(err.msg, "nic_min_line_rate"), "%s", err.msg);
}

Test(rails, device_names_with_a_port)
{
    char base[16];
    int port = -1;

    cr_assert_eq(tp_rail_split_port("mlx5_3:2", base, sizeof(base), &port), 0);
    cr_assert_str_eq(base, "mlx5_3");
    cr_assert_eq(port, 2);
    cr_assert_eq(tp_rail_split_port("rxe0", base, sizeof(base), &port), 0);
    cr_assert_eq(port, 0);
    cr_assert_eq(tp_rail_split_port("mlx5_0:", base, sizeof(base), &port), -1);
    cr_assert_eq(tp_rail_split_port("mlx5_0:x", base, sizeof(base), &port), -1);
    cr_assert_eq(tp_rail_split_port("mlx5_0:300", base, sizeof(base), &port), -1);
    cr_assert_eq(tp_rail_split_port(":1", base, sizeof(base), &port), -1);
}

/* A bad list is one line naming the option, before MPI starts. */
Test(rails, bad_lists_refused_by_the_parser)
{
    const char *opts[][3] = {{"tcp", "--ifaces", "eth0,,eth1"},
                             {"tcp", "--ifaces", "eth0,eth0"},
                             {"verbs", "--devices", "mlx5_0,"}};

    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        if (tp_transport_find(opts[i][0]) == NULL)
            continue;   /* verbs not built here */
        char *argv[] = {"run", "--transport", (char *)opts[i][0], (char *)opts[i][1],
                        (char *)opts[i][2], NULL};
        struct run_opts o;
        struct tp_error err = {0};
        int help = 0;
        cr_assert_eq(run_opts_parse(5, argv, &o, &help, &err), TP_ERR_INVALID, "%s %s accepted",
                     opts[i][1], opts[i][2]);
        cr_assert_not_null(strstr(err.msg, opts[i][1]), "%s", err.msg);
        cr_assert_null(strchr(err.msg, '\n'), "%s", err.msg);
        run_opts_free(&o);
    }
}
