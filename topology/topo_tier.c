/* topo_tier.c: load a HyperNode forest, bind node names, and answer "at
 * which tier do these two nodes meet" the way Volcano's scheduler does:
 * the tier of the lowest HyperNode holding both (its RealNodesList), 0 for
 * the same node, the virtual root (highest tier + 1) when none does. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

void topo_warn(struct topo *t, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    char **w = realloc(t->warnings, (t->nwarnings + 1) * sizeof(char *));
    if (w == NULL)
        return;                           /* a lost warning is not an error */
    t->warnings = w;
    if ((t->warnings[t->nwarnings] = strdup(line)) != NULL)
        t->nwarnings++;
}

size_t topo_warning_count(const struct topo *topo) { return topo->nwarnings; }
const char *topo_warning(const struct topo *topo, size_t i)
{
    return i < topo->nwarnings ? topo->warnings[i] : NULL;
}

/* Volcano finds a node's own HyperNode only among the lowest tier present
 * (FindHyperNodeForNode); a node hung directly under a higher HyperNode is
 * still in that HyperNode's RealNodesList, so tiers stay right, but say it. */
static void warn_high_nodes(struct topo *t, size_t from)
{
    if (t->ntiers == 0)
        return;
    for (size_t i = from; i < t->nnodes; i++) {
        int own = t->nodes[i].own;
        if (own < 0 || t->hns[own].tier == t->tiers[0] || t->hns[own].warned_high)
            continue;
        t->hns[own].warned_high = 1;
        topo_warn(t, "%s:%d: HyperNode '%s': spec.members: node '%s' sits directly in this tier-%d HyperNode, but Volcano looks a node's own HyperNode up among the lowest tier present (%d) only",
                  t->hns[own].file, t->hns[own].line, t->hns[own].name, t->nodes[i].name,
                  t->hns[own].tier, t->tiers[0]);
    }
}

tp_status_t topo_load(const char *path, const char *nodes_path, struct topo **topo_p,
                      struct tp_error *err)
{
    tp_status_t st;
    struct topo *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->path = strdup(path)) == NULL) {
        free(t);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    }
    if (nodes_path != NULL && (t->nodes_path = strdup(nodes_path)) == NULL) {
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
        goto err_free;
    }
    if ((st = topo_parse_file(t, path, err)) != TP_OK ||
        (st = topo_validate(t, err)) != TP_OK ||
        (st = topo_index_regex(t, err)) != TP_OK)
        goto err_free;
    if (nodes_path != NULL && (st = topo_nodes_load(t, nodes_path, err)) != TP_OK)
        goto err_free;
    t->names_given = nodes_path != NULL;
    for (size_t i = 0; i < t->nnodes; i++)
        if ((st = topo_node_resolve(t, (int)i, err)) != TP_OK)
            goto err_free;
    if (t->has_label && nodes_path == NULL)
        topo_warn(t, "%s: labelMatch members need node labels: pass the nodes file (kubectl get nodes -o yaml)", path);
    warn_high_nodes(t, 0);
    *topo_p = t;
    return TP_OK;
err_free:
    topo_free(t);
    return st;
}

tp_status_t topo_bind_nodes(struct topo *topo, const char *const *nodes, size_t n,
                            struct tp_error *err)
{
    size_t before = topo->nnodes;
    if (n > 0)
        topo->names_given = 1;
    for (size_t i = 0; i < n; i++) {
        if (nodes[i] == NULL || nodes[i][0] == '\0')
            return tp_error_set(err, TP_ERR_INVALID, "node name #%zu is empty", i);
        int idx = topo_node_add(topo, nodes[i]);
        if (idx < 0)
            return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
        tp_status_t st = topo_node_resolve(topo, idx, err);
        if (st != TP_OK)
            return st;
    }
    warn_high_nodes(topo, before);
    return TP_OK;
}

static void free_member(struct topo_member *m)
{
    free(m->value);
    if (m->re_ok)
        regfree(&m->re);
    for (size_t i = 0; i < m->nexprs; i++) {
        free(m->exprs[i].key);
        for (size_t k = 0; k < m->exprs[i].nvalues; k++)
            free(m->exprs[i].values[k]);
        free(m->exprs[i].values);
    }
    free(m->exprs);
}

void topo_free(struct topo *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nhns; i++) {
        for (size_t m = 0; m < t->hns[i].nmembers; m++)
            free_member(&t->hns[i].members[m]);
        free(t->hns[i].members);
        free(t->hns[i].children);
        free(t->hns[i].name);
        free(t->hns[i].tier_name);
    }
    free(t->hns);
    for (size_t i = 0; i < t->nnodes; i++) {
        for (size_t l = 0; l < t->nodes[i].nlabels; l++) {
            free(t->nodes[i].labels[l].key);
            free(t->nodes[i].labels[l].value);
        }
        free(t->nodes[i].labels);
        free(t->nodes[i].direct);
        free(t->nodes[i].name);
    }
    free(t->nodes);
    for (size_t i = 0; i < t->nwarnings; i++)
        free(t->warnings[i]);
    free(t->warnings);
    for (size_t i = 0; i < t->nre_prefix_keys; i++)
        free(t->re_prefix_keys[i]);
    free(t->re_prefix_keys);
    free(t->re_prefix_lens);
    free(t->re_entries);
    free(t->re_chain);
    free(t->re_unindexed);
    topo_strmap_free(&t->hn_index);
    topo_strmap_free(&t->node_index);
    topo_strmap_free(&t->re_prefix_index);
    free(t->tiers);
    free(t->path);
    free(t->nodes_path);
    free(t);
}

int topo_hn_lca(const struct topo *t, int a, int b)
{
    while (a >= 0 && b >= 0 && a != b) {
        if (t->hns[a].depth >= t->hns[b].depth)
            a = t->hns[a].parent;
        else
            b = t->hns[b].parent;
    }
    return (a >= 0 && a == b) ? a : -1;
}

int topo_node_tier_idx(const struct topo *t, int a, int b, int *hn_p)
{
    int best = -1, best_tier = topo_virtual_tier(t);
    *hn_p = -1;
    if (a == b)
        return 0;
    for (size_t i = 0; i < t->nodes[a].ndirect; i++)
        for (size_t k = 0; k < t->nodes[b].ndirect; k++) {
            int l = topo_hn_lca(t, t->nodes[a].direct[i], t->nodes[b].direct[k]);
            if (l >= 0 && (best < 0 || t->hns[l].tier < best_tier)) {
                best = l;
                best_tier = t->hns[l].tier;
            }
        }
    *hn_p = best;
    return best_tier;
}

int topo_tier(const struct topo *topo, const char *node_a, const char *node_b,
              const char **hypernode_p)
{
    int a = topo_strmap_get(&topo->node_index, node_a);
    int b = topo_strmap_get(&topo->node_index, node_b);
    int hn;
    if (hypernode_p)
        *hypernode_p = NULL;
    if (a < 0 || b < 0)
        return -1;
    int tier = topo_node_tier_idx(topo, a, b, &hn);
    if (hypernode_p && hn >= 0)
        *hypernode_p = topo->hns[hn].name;
    return tier;
}

int topo_max_tier(const struct topo *topo)
{
    return topo->ntiers ? topo->tiers[topo->ntiers - 1] : 0;
}

int topo_virtual_tier(const struct topo *topo) { return topo_max_tier(topo) + 1; }

const char *topo_tier_name(const struct topo *topo, int tier)
{
    for (size_t i = 0; i < topo->nhns; i++)
        if (topo->hns[i].tier == tier && topo->hns[i].tier_name != NULL)
            return topo->hns[i].tier_name;
    return NULL;
}

int topo_node_path(const struct topo *topo, const char *node, const char **names, int *tiers,
                   size_t max)
{
    int n = topo_strmap_get(&topo->node_index, node);
    size_t len = 0;
    if (n < 0)
        return -1;
    for (int h = topo->nodes[n].own; h >= 0; h = topo->hns[h].parent, len++)
        if (len < max) {
            if (names)
                names[len] = topo->hns[h].name;
            if (tiers)
                tiers[len] = topo->hns[h].tier;
        }
    return (int)len;
}

size_t topo_node_count(const struct topo *topo) { return topo->nnodes; }
size_t topo_hypernode_count(const struct topo *topo) { return topo->nhns; }
const char *topo_node_name(const struct topo *topo, size_t i)
{
    return i < topo->nnodes ? topo->nodes[i].name : NULL;
}
