/* test_rails.c: multi-rail pieces: --devices/--ifaces lists and a rank's
 * rail (tp_rail.h), the NIC nearest a GPU on a saved hwloc topology
 * (rail_near.h; tests/unit/data/hwloc-2s-4gpu-2nic.xml, described in
 * test_gpu_pick.c), --pattern rails's rounds, and the rows' NIC fields. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bench/engine/gpu_pick.h"
#include "bench/engine/rail_near.h"
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

    cr_assert_eq(pattern_plan_rails(&in, &plan, &err), TP_OK, "%s", err.msg);
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
    cr_assert_eq(pattern_plan_rails(&lone, &plan, &err), TP_ERR_INVALID);
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
