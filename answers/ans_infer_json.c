/* ans_infer_json.c: infer's answer as JSON (see ans_infer.h). */
#include "ans_infer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One HyperNode: its members (nodes at tier 1, child HyperNodes above)
 * and every node under it. */
static cJSON *hypernode_json(const struct ans_tree *t, const struct ans_matrix *m,
                             const char *prefix, int tier, int g)
{
    const int *grp = &t->group[(size_t)(tier - 1) * t->n];
    const int *below = tier > 1 ? grp - t->n : NULL;
    char name[256];
    cJSON *o = cJSON_CreateObject();

    ans_tree_name(prefix, tier, g, name, sizeof(name));
    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddNumberToObject(o, "tier", tier);
    char why[512];
    const struct ans_hn_conf *c = &t->conf[(size_t)(tier - 1) * t->n + (size_t)g];
    ans_tree_conf_explain(t, m, prefix, tier, g, why, sizeof(why));
    cJSON_AddNumberToObject(o, "confidence", round(c->conf * 100) / 100);
    cJSON_AddBoolToObject(o, "unsure", c->conf < ANS_CONF_LOW);
    cJSON_AddStringToObject(o, "confidence_reason", why);
    cJSON *members = cJSON_AddArrayToObject(o, "members");
    cJSON *nodes = cJSON_AddArrayToObject(o, "nodes");
    for (size_t i = 0; i < t->n; i++) {
        if (grp[i] != g)
            continue;
        cJSON_AddItemToArray(nodes, cJSON_CreateString(m->nodes[i]));
        if (below == NULL) {
            cJSON_AddItemToArray(members, cJSON_CreateString(m->nodes[i]));
            continue;
        }
        size_t j;
        for (j = 0; j < i && !(grp[j] == g && below[j] == below[i]); j++)
            ;
        if (j < i)
            continue;   /* child already listed */
        ans_tree_name(prefix, tier - 1, below[i], name, sizeof(name));
        cJSON_AddItemToArray(members, cJSON_CreateString(name));
    }
    return o;
}

/* ans_infer_diff's "# finding" lines, one string each, without the "# ". */
static cJSON *findings_json(const char *diff_text)
{
    cJSON *a = cJSON_CreateArray();
    const char *p = diff_text;
    while (p != NULL && *p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *s = p;
        if (len >= 2 && s[0] == '#' && s[1] == ' ') {
            s += 2;
            len -= 2;
        }
        if (len > 0) {
            char *line = strndup(s, len);
            if (line != NULL)
                cJSON_AddItemToArray(a, cJSON_CreateString(line));
            free(line);
        }
        p = nl ? nl + 1 : NULL;
    }
    return a;
}

cJSON *ans_infer_to_json(const struct ans_tree *t, const struct ans_matrix *m, const char *prefix,
                         const char *source, const char *diff_text)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "command", "infer");
    cJSON_AddStringToObject(o, "source", source);
    cJSON_AddNumberToObject(o, "nodes", (double)t->n);
    cJSON_AddNumberToObject(o, "clear_factor", t->factor);
    cJSON_AddNumberToObject(o, "pairs_left_out_shared", (double)m->shared);
    cJSON *tiers = cJSON_AddArrayToObject(o, "tiers");
    for (int tier = 1; tier <= t->ntiers; tier++) {
        cJSON *to = cJSON_CreateObject();
        cJSON_AddNumberToObject(to, "tier", tier);
        cJSON_AddNumberToObject(to, "bw_gbit_s", t->tier_bw[tier - 1]);
        cJSON *hn = cJSON_AddArrayToObject(to, "hypernodes");
        for (size_t g = 0; g < t->ngroups[tier - 1]; g++)
            cJSON_AddItemToArray(hn, hypernode_json(t, m, prefix, tier, (int)g));
        cJSON_AddItemToArray(tiers, to);
    }
    cJSON *findings = findings_json(diff_text);
    size_t n = (size_t)cJSON_GetArraySize(findings);
    if (diff_text != NULL) {
        cJSON_AddItemToObject(o, "disagreements", findings);
    } else {
        cJSON_Delete(findings);
        cJSON_AddNullToObject(o, "disagreements");
    }
    cJSON_AddNumberToObject(o, "exit_status", n > 0 ? 1 : 0);
    char *yaml = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&yaml, &len);
    if (mf != NULL) {
        ans_tree_print_yaml(mf, t, m, prefix, source);
        fclose(mf);
    }
    cJSON_AddStringToObject(o, "yaml", yaml ? yaml : "");
    free(yaml);
    return o;
}
