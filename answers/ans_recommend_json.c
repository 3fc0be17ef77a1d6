/* ans_recommend_json.c: recommend's answer as JSON (see ans_recommend.h). */
#include "ans_recommend.h"

#include <math.h>
#include <stdlib.h>

int ans_recommend_role_tier(const struct ans_recommendation *group,
                            const struct ans_recommendation *role)
{
    if (role == NULL)
        return -1;
    return role->tier < group->tier ? role->tier : group->tier;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

static cJSON *pair_json(const struct ans_pair *p)
{
    if (p == NULL)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "src", p->src);
    cJSON_AddStringToObject(o, "dst", p->dst);
    cJSON_AddNumberToObject(o, "src_rank", p->src_rank);
    cJSON_AddNumberToObject(o, "dst_rank", p->dst_rank);
    cJSON_AddBoolToObject(o, "failed", p->failure != NULL);
    return o;
}

static cJSON *eval_json(const struct ans_recommendation *rec)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "need_gbit_s", rec->need_gbit);
    add_num(o, "percentile", rec->percentile < 0 ? NAN : rec->percentile);
    add_num(o, "highest_tier_allowed", rec->tier > 0 ? rec->tier : NAN);
    cJSON *tiers = cJSON_AddArrayToObject(o, "tiers");
    for (size_t i = 0; i < rec->ntiers; i++) {
        const struct ans_tier_eval *te = &rec->tiers[i];
        cJSON *t = cJSON_CreateObject();
        cJSON_AddNumberToObject(t, "tier", te->tier);
        cJSON_AddNumberToObject(t, "pairs", (double)te->pairs);
        cJSON_AddNumberToObject(t, "failed", (double)te->failed);
        add_num(t, "judged_gbit_s", te->judged_gbit);
        add_num(t, "median_gbit_s", te->median_gbit);
        cJSON_AddBoolToObject(t, "meets", te->meets);
        cJSON_AddItemToObject(t, "slowest_pair", pair_json(te->worst));
        cJSON_AddItemToArray(tiers, t);
    }
    return o;
}

cJSON *ans_recommend_to_json(const struct ans_recommendation *group,
                             const struct ans_recommendation *role, const char *tier_name,
                             const char *mode)
{
    int ok = group->tier > 0 && (role == NULL || role->tier > 0);
    int role_tier = ans_recommend_role_tier(group, role);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "command", "recommend");
    cJSON_AddNumberToObject(o, "exit_status", ok ? 0 : 1);
    add_num(o, "highest_tier_allowed", ok ? group->tier : NAN);
    if (ok && tier_name != NULL)
        cJSON_AddStringToObject(o, "highest_tier_name", tier_name);
    else
        cJSON_AddNullToObject(o, "highest_tier_name");
    add_num(o, "role_highest_tier_allowed", ok && role_tier >= 0 ? role_tier : NAN);
    cJSON_AddStringToObject(o, "mode", mode);
    cJSON_AddBoolToObject(o, "virtual_root",
                          ok && group->virtual_tier >= 0 && group->tier >= group->virtual_tier);
    cJSON_AddItemToObject(o, "group", eval_json(group));
    cJSON_AddItemToObject(o, "role", role ? eval_json(role) : cJSON_CreateNull());
    char *yaml = NULL;
    size_t len = 0;
    FILE *m = ok ? open_memstream(&yaml, &len) : NULL;
    if (m != NULL) {
        ans_recommend_print_yaml_mode(m, group->tier, tier_name, role_tier, mode);
        fclose(m);
    }
    if (yaml != NULL)
        cJSON_AddStringToObject(o, "yaml", yaml);
    else
        cJSON_AddNullToObject(o, "yaml");
    free(yaml);
    return o;
}
