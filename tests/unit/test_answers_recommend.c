/* test_answers_recommend.c: the highest tier that still meets a need
 * (every tier below it too), judged by the worst pair or a percentile, and
 * the Volcano / kthena YAML it prints. */
#include <math.h>
#include <yaml.h>

#include "answers/ans_recommend.h"
#include "ans_test_util.h"

/* recommend.json: worst pairs tier 1 -> 92, tier 2 -> 38, tier 3 -> 11.5
 * Gbit/s; tier 0 (same node) at 300 never decides. */
static int recommend_tier(const char *fixture, double need, double percentile)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct ans_recommendation rec;
    cJSON *run = load_fixture(fixture);
    cr_assert_eq(ans_pairs_collect(run, -1, fixture, &pairs, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_recommend(&pairs, run, need, percentile, fixture, &rec, &err), TP_OK, "%s",
                 err.msg);
    int tier = rec.tier;
    ans_recommendation_free(&rec);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
    return tier;
}

Test(recommend, highest_tier_meeting_the_need)
{
    cr_assert_eq(recommend_tier("recommend.json", 25, -1), 2);
    cr_assert_eq(recommend_tier("recommend.json", 10, -1), 3);
    cr_assert_eq(recommend_tier("recommend.json", 50, -1), 1);
    cr_assert_eq(recommend_tier("recommend.json", 100, -1), 0);   /* none */
}

Test(recommend, need_just_met_and_just_missed)
{
    cr_assert_eq(recommend_tier("recommend.json", 38.0, -1), 2);
    cr_assert_eq(recommend_tier("recommend.json", 38.001, -1), 1);
    cr_assert_eq(recommend_tier("recommend.json", 11.5, -1), 3);
    cr_assert_eq(recommend_tier("recommend.json", 92.0, -1), 1);
    cr_assert_eq(recommend_tier("recommend.json", 92.001, -1), 0);
}

/* Tier 3 pairs: 11.5, 12, 14.  Worst pair misses 12, the median meets it. */
Test(recommend, percentile_instead_of_worst_pair)
{
    cr_assert_eq(recommend_tier("recommend.json", 12, -1), 2);
    cr_assert_eq(recommend_tier("recommend.json", 12, 50), 3);
    cr_assert_eq(recommend_tier("recommend.json", 12, 0), 2);   /* p0 = worst */
}

Test(recommend, a_failed_pair_counts_as_zero)
{
    /* bad_pair.json: tier 1 has an errored pair: nothing meets at tier 1 */
    cr_assert_eq(recommend_tier("bad_pair.json", 1, -1), 0);
    /* judged by the median instead, one failed pair no longer decides */
    cr_assert_eq(recommend_tier("bad_pair.json", 1, 50), 2);
}

Test(recommend, evidence_names_the_slowest_pair)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct ans_recommendation rec;
    struct capture cap;
    cJSON *run = load_fixture("recommend.json");
    cr_assert_eq(ans_pairs_collect(run, -1, "r", &pairs, &err), TP_OK);
    cr_assert_eq(ans_recommend(&pairs, run, 25, -1, "r", &rec, &err), TP_OK);
    cr_assert_eq(rec.ntiers, 3);   /* tier 0 is not a scheduling choice */
    cr_assert_eq(rec.virtual_tier, 4);
    cr_assert_float_eq(rec.tiers[1].judged_gbit, 38, 1e-9);
    cr_assert_float_eq(rec.tiers[1].median_gbit, 40.5, 1e-9);
    ans_recommend_print_evidence(capture_begin(&cap), &rec, "job");
    char *text = capture_end(&cap);
    cr_assert(strstr(text, "job: need 25 Gbit/s, judged by each tier's worst pair"), "%s", text);
    cr_assert(strstr(text, "38 Gbit/s"), "%s", text);
    cr_assert(strstr(text, "r5->r6"), "%s", text);
    free(text);
    cr_assert_str_eq(ans_run_tier_name(run, 2), "spine");
    cr_assert_null(ans_run_tier_name(run, 9));
    ans_recommendation_free(&rec);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
}

Test(recommend, run_without_tiers_is_an_error)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct ans_recommendation rec;
    cJSON *run = load_fixture("allpairs15.json");   /* no --topology: tier null */
    cr_assert_eq(ans_pairs_collect(run, -1, "a.json", &pairs, &err), TP_OK);
    cr_assert_neq(ans_recommend(&pairs, run, 1, -1, "a.json", &rec, &err), TP_OK);
    cr_assert(strstr(err.msg, "a.json: no pair has a tier >= 1"), "%s", err.msg);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);

    run = parse_run("{\"results\":[]}");
    cr_assert_eq(ans_pairs_collect(run, -1, "e.json", &pairs, &err), TP_OK);
    cr_assert_neq(ans_recommend(&pairs, run, 1, -1, "e.json", &rec, &err), TP_OK);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
}

/* Every document of the printed YAML parses; returns how many. */
static int yaml_documents(const char *text)
{
    yaml_parser_t p;
    yaml_document_t doc;
    int n = 0;
    cr_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    for (;;) {
        cr_assert(yaml_parser_load(&p, &doc), "YAML error: %s", p.problem);
        int empty = yaml_document_get_root_node(&doc) == NULL;
        yaml_document_delete(&doc);
        if (empty)
            break;
        n++;
    }
    yaml_parser_delete(&p);
    return n;
}

Test(recommend, volcano_and_kthena_yaml)
{
    struct capture cap;
    ans_recommend_print_yaml(capture_begin(&cap), 2, "spine", 1);
    char *text = capture_end(&cap);
    static const char *want =
        "# Volcano Job or PodGroup: spec.networkTopology\n"
        "spec:\n"
        "  networkTopology:\n"
        "    mode: hard\n"
        "    highestTierAllowed: 2\n"
        "    # or, instead of highestTierAllowed: highestTierName: \"spine\"\n"
        "---\n"
        "# kthena ModelServing: spec.template.networkTopology\n"
        "spec:\n"
        "  template:\n"
        "    networkTopology:\n"
        "      groupPolicy:     # the whole ServingGroup: all roles' pods, so also the\n"
        "                       # prefill<->decode (KV cache) traffic between roles\n"
        "        mode: hard\n"
        "        highestTierAllowed: 2\n"
        "        # or, instead of highestTierAllowed: highestTierName: \"spine\"\n"
        "      rolePolicy:      # the pods of one role instance (its entry and worker\n"
        "                       # pods, e.g. one prefill); needs Volcano >= 1.14\n"
        "        mode: hard\n"
        "        highestTierAllowed: 1\n";
    cr_assert_str_eq(text, want);
    cr_assert_eq(yaml_documents(text), 2);
    free(text);

    /* no role policy, and a hostile tier name stays inside a comment */
    ans_recommend_print_yaml(capture_begin(&cap), 3, "x\"\nevil: 1", -1);
    text = capture_end(&cap);
    cr_assert_null(strstr(text, "rolePolicy"));
    cr_assert_null(strstr(text, "\nevil"), "%s", text);
    cr_assert_eq(yaml_documents(text), 2);
    free(text);

    /* --mode soft: every policy soft, nothing hard left */
    ans_recommend_print_yaml_mode(capture_begin(&cap), 2, NULL, 1, "soft");
    text = capture_end(&cap);
    cr_assert_null(strstr(text, "mode: hard"), "%s", text);
    cr_assert_not_null(strstr(text, "      rolePolicy:"), "%s", text);
    cr_assert_eq(yaml_documents(text), 2);
    free(text);
}

/* --json: the group and role evaluations, the tiers allowed, the exit
 * status and the YAML text; every field with its type. */
Test(recommend, json_shape)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct ans_recommendation group, role;
    cJSON *run = load_fixture("recommend.json");
    cr_assert_eq(ans_pairs_collect(run, -1, "r", &pairs, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_recommend(&pairs, run, 25, -1, "r", &group, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_recommend(&pairs, run, 50, -1, "r", &role, &err), TP_OK, "%s", err.msg);
    cJSON *j = ans_recommend_to_json(&group, &role, ans_run_tier_name(run, group.tier), "hard");
    char *text = cJSON_PrintUnformatted(j);
    cJSON *o = cJSON_Parse(text);
    cr_assert_not_null(o);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "command")->valuestring, "recommend");
    cr_assert_eq(cJSON_GetObjectItem(o, "exit_status")->valueint, 0);
    cr_assert_eq(cJSON_GetObjectItem(o, "highest_tier_allowed")->valueint, 2);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "highest_tier_name")->valuestring, "spine");
    cr_assert_eq(cJSON_GetObjectItem(o, "role_highest_tier_allowed")->valueint, 1);
    cr_assert(cJSON_IsBool(cJSON_GetObjectItem(o, "virtual_root")));
    cr_assert_str_eq(cJSON_GetObjectItem(o, "mode")->valuestring, "hard");
    cJSON *g = cJSON_GetObjectItem(o, "group");
    cr_assert_float_eq(cJSON_GetObjectItem(g, "need_gbit_s")->valuedouble, 25, 1e-9);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(g, "percentile")));
    cJSON *tiers = cJSON_GetObjectItem(g, "tiers");
    cr_assert_eq(cJSON_GetArraySize(tiers), 3);
    cJSON *t2 = cJSON_GetArrayItem(tiers, 1);
    cr_assert_eq(cJSON_GetObjectItem(t2, "tier")->valueint, 2);
    cr_assert_float_eq(cJSON_GetObjectItem(t2, "judged_gbit_s")->valuedouble, 38, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(t2, "median_gbit_s")->valuedouble, 40.5, 1e-9);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(t2, "meets")));
    cJSON *sp = cJSON_GetObjectItem(t2, "slowest_pair");
    cr_assert_str_eq(cJSON_GetObjectItem(sp, "src")->valuestring, "r5");
    cr_assert_eq(cJSON_GetObjectItem(sp, "dst_rank")->valueint, 6);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(sp, "failed")));
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "role"), "highest_tier_allowed")->valueint,
                 1);
    const char *yaml = cJSON_GetObjectItem(o, "yaml")->valuestring;
    cr_assert(strstr(yaml, "highestTierAllowed: 2"), "%s", yaml);
    cr_assert(strstr(yaml, "rolePolicy:"), "%s", yaml);
    cJSON_Delete(o);
    cJSON_free(text);
    cJSON_Delete(j);
    ans_recommendation_free(&role);
    ans_recommendation_free(&group);

    /* no tier meets: exit 1, no tier, no YAML, no role */
    cr_assert_eq(ans_recommend(&pairs, run, 100, -1, "r", &group, &err), TP_OK, "%s", err.msg);
    j = ans_recommend_to_json(&group, NULL, NULL, "soft");
    cr_assert_eq(cJSON_GetObjectItem(j, "exit_status")->valueint, 1);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "highest_tier_allowed")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "role")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "yaml")));
    cJSON_Delete(j);
    ans_recommendation_free(&group);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
}
