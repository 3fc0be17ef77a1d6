/* test_run_sharing.c: without a topology, a round of concurrent pairs gets
 * the "may share links" warning; one pair per round (--serial), a known
 * topology, or a pattern that schedules its own traffic does not. */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/engine/run_sharing.h"

static struct topo_pair two[] = {{0, 1, -1, NULL}, {2, 3, -1, NULL}};
static struct topo_pair one[] = {{0, 1, -1, NULL}};
static struct topo_pair both_ways[] = {{0, 1, -1, NULL}, {1, 0, -1, NULL}};

Test(run_sharing, concurrent_pairs_without_topology_warn)
{
    struct topo_round rounds[] = {{one, 1}, {two, 2}};
    struct topo_tier_plan tier = {-1, NULL, rounds, 2};
    struct topo_plan plan = {&tier, 1};
    struct run_sharing s;

    run_sharing_assess(&plan, NULL, 0, &s);
    cr_assert_eq(s.max_pairs, 2);
    cr_assert_not(s.links_known);
    cr_assert(strstr(s.warning, "up to 2 pairs of a round run at once and may share links"), "%s",
              s.warning);
    cr_assert(strstr(s.warning, "--topology") && strstr(s.warning, "--serial"), "%s", s.warning);
    cJSON *j = run_sharing_json(&s);
    cr_assert_eq(cJSON_GetObjectItem(j, "max_pairs_per_round")->valueint, 2);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "links_known")));
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "warning")));
    cJSON_Delete(j);

    /* a pattern with its own rounds (fanout, alltoall): sharing is the point */
    run_sharing_assess(&plan, NULL, 1, &s);
    cr_assert_str_eq(s.warning, "");
}

Test(run_sharing, serial_rounds_do_not_warn)
{
    /* one pair's two directions share no link direction */
    struct topo_round rounds[] = {{one, 1}, {both_ways, 2}};
    struct topo_tier_plan tier = {-1, NULL, rounds, 2};
    struct topo_plan plan = {&tier, 1};
    struct run_sharing s;

    run_sharing_assess(&plan, NULL, 0, &s);
    cr_assert_eq(s.max_pairs, 2);
    cr_assert_str_eq(s.warning, "");
    cJSON *j = run_sharing_json(&s);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "warning")));
    cJSON_Delete(j);
}
