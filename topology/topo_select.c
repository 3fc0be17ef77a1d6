/* topo_select.c: which HyperNodes hold a node.  exactMatch members are
 * linked when the tree is validated; regexMatch and labelMatch members are
 * evaluated per node name (from a nodes file or from the ranks).  Regex
 * members are indexed by their anchored literal prefix so that binding
 * 10k nodes against 600 leaf patterns does not run 6M regexec calls. */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_regex.h"

int topo_node_add(struct topo *t, const char *name)
{
    int idx = topo_strmap_get(&t->node_index, name);
    if (idx >= 0)
        return idx;
    if (t->nnodes == t->cap_nodes) {
        size_t ncap = t->cap_nodes ? t->cap_nodes * 2 : 64;
        struct topo_node *n = realloc(t->nodes, ncap * sizeof(*n));
        if (n == NULL)
            return -1;
        t->nodes = n;
        t->cap_nodes = ncap;
    }
    struct topo_node *n = &t->nodes[t->nnodes];
    memset(n, 0, sizeof(*n));
    n->own = -1;
    if ((n->name = strdup(name)) == NULL)
        return -1;
    if (topo_strmap_put(&t->node_index, n->name, (int)t->nnodes) != 0) {
        free(n->name);
        return -1;
    }
    return (int)t->nnodes++;
}

static int is_ancestor(const struct topo *t, int anc, int h)
{
    for (; h >= 0; h = t->hns[h].parent)
        if (h == anc)
            return 1;
    return 0;
}

/* A node lands in every HyperNode it is listed in and in all their
 * ancestors; Volcano allows one HyperNode per tier, so the HyperNodes
 * listing a node must nest (lie on one path to a root). */
static tp_status_t check_nesting(const struct topo *t, const struct topo_node *n, int hn, int other,
                                 struct tp_error *err)
{
    const struct topo_hn *h = &t->hns[hn], *o = &t->hns[other];
    if (is_ancestor(t, hn, other) || is_ancestor(t, other, hn))
        return TP_OK;
    for (int a = hn; a >= 0; a = t->hns[a].parent)
        for (int b = other; b >= 0; b = t->hns[b].parent)
            if (t->hns[a].tier == t->hns[b].tier)
                return tp_error_set(err, TP_ERR_INVALID,
                                    "%s:%d: HyperNode '%s': spec.members: node '%s' lands in HyperNode '%s' and in HyperNode '%s' (via '%s', %s:%d), both of tier %d; a node belongs to one HyperNode per tier",
                                    h->file, h->line, h->name, n->name, t->hns[a].name, t->hns[b].name,
                                    o->name, o->file, o->line, t->hns[a].tier);
    return tp_error_set(err, TP_ERR_INVALID,
                        "%s:%d: HyperNode '%s': spec.members: node '%s' is also in HyperNode '%s' (%s:%d), and neither HyperNode contains the other; a node's HyperNodes must lie on one path to the root",
                        h->file, h->line, h->name, n->name, o->name, o->file, o->line);
}

tp_status_t topo_node_link(struct topo *t, int node, int hn, struct tp_error *err)
{
    struct topo_node *n = &t->nodes[node];
    const struct topo_hn *h = &t->hns[hn];
    for (size_t i = 0; i < n->ndirect; i++) {
        const struct topo_hn *o = &t->hns[n->direct[i]];
        if (n->direct[i] == hn)
            return TP_OK;
        if (o->tier == h->tier)
            return tp_error_set(err, TP_ERR_INVALID,
                                "%s:%d: HyperNode '%s': spec.members: node '%s' is also in HyperNode '%s' (%s:%d) of the same tier %d; a node belongs to one HyperNode per tier",
                                h->file, h->line, h->name, n->name, o->name, o->file, o->line, h->tier);
        tp_status_t st = check_nesting(t, n, hn, n->direct[i], err);
        if (st != TP_OK)
            return st;
    }
    int *d = realloc(n->direct, (n->ndirect + 1) * sizeof(int));
    if (d == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    n->direct = d;
    n->direct[n->ndirect++] = hn;
    if (n->own < 0 || h->tier < t->hns[n->own].tier)
        n->own = hn;
    return TP_OK;
}

tp_status_t topo_index_regex(struct topo *t, struct tp_error *err)
{
    for (size_t h = 0; h < t->nhns; h++) {
        for (size_t m = 0; m < t->hns[h].nmembers; m++) {
            struct topo_member *mem = &t->hns[h].members[m];
            if (mem->type != TOPO_MEMBER_NODE || mem->sel != TOPO_SEL_REGEX)
                continue;
            void *e = realloc(t->re_entries, (t->nre_entries + 1) * sizeof(*t->re_entries));
            int *ch = e ? realloc(t->re_chain, (t->nre_entries + 1) * sizeof(int)) : NULL;
            if (e) t->re_entries = e;
            if (ch) t->re_chain = ch;
            if (e == NULL || ch == NULL)
                return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
            int id = (int)t->nre_entries++;
            t->re_entries[id].hn = (int)h;
            t->re_entries[id].member = (int)m;
            t->re_chain[id] = -1;
            size_t len = topo_regex_prefix(mem->value);
            if (len == 0) {
                int *u = realloc(t->re_unindexed, (t->nre_unindexed + 1) * sizeof(int));
                if (u == NULL)
                    return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
                t->re_unindexed = u;
                t->re_unindexed[t->nre_unindexed++] = id;
                continue;
            }
            int head = topo_strmap_getn(&t->re_prefix_index, mem->value + 1, len);
            if (head >= 0) {          /* same prefix: chain after the head */
                t->re_chain[id] = t->re_chain[head];
                t->re_chain[head] = id;
                continue;
            }
            char **keys = realloc(t->re_prefix_keys, (t->nre_prefix_keys + 1) * sizeof(char *));
            if (keys == NULL)
                return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
            t->re_prefix_keys = keys;
            char *key = strndup(mem->value + 1, len);
            if (key == NULL || topo_strmap_put(&t->re_prefix_index, key, id) != 0) {
                free(key);
                return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
            }
            t->re_prefix_keys[t->nre_prefix_keys++] = key;
            size_t i;
            for (i = 0; i < t->nre_prefix_lens && t->re_prefix_lens[i] != len; i++)
                ;
            if (i == t->nre_prefix_lens) {
                size_t *l = realloc(t->re_prefix_lens, (i + 1) * sizeof(size_t));
                if (l == NULL)
                    return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
                t->re_prefix_lens = l;
                t->re_prefix_lens[t->nre_prefix_lens++] = len;
            }
        }
    }
    return TP_OK;
}

static const char *label_of(const struct topo_node *n, const char *key)
{
    for (size_t i = 0; i < n->nlabels; i++)
        if (strcmp(n->labels[i].key, key) == 0)
            return n->labels[i].value;
    return NULL;
}

static int label_match(const struct topo_member *m, const struct topo_node *n)
{
    for (size_t i = 0; i < m->nexprs; i++) {
        const struct topo_label_expr *e = &m->exprs[i];
        const char *v = label_of(n, e->key);
        int in = 0;
        for (size_t k = 0; v != NULL && k < e->nvalues; k++)
            in |= strcmp(v, e->values[k]) == 0;
        switch (e->op) {
        case TOPO_OP_IN: if (!in) return 0; break;
        case TOPO_OP_NOTIN: if (in) return 0; break;
        case TOPO_OP_EXISTS: if (v == NULL) return 0; break;
        case TOPO_OP_NOTEXISTS: if (v != NULL) return 0; break;
        }
    }
    return 1;
}

static tp_status_t try_regex(struct topo *t, int node, int id, struct tp_error *err)
{
    int hn = t->re_entries[id].hn;
    struct topo_member *m = &t->hns[hn].members[t->re_entries[id].member];
    if (regexec(&m->re, t->nodes[node].name, 0, NULL, 0) == 0)
        return topo_node_link(t, node, hn, err);
    return TP_OK;
}

tp_status_t topo_node_resolve(struct topo *t, int node, struct tp_error *err)
{
    tp_status_t st = TP_OK;
    const char *name = t->nodes[node].name;
    size_t len = strlen(name);

    if (t->nodes[node].resolved)
        return TP_OK;
    t->nodes[node].resolved = 1;
    for (size_t i = 0; i < t->nre_prefix_lens && st == TP_OK; i++) {
        if (t->re_prefix_lens[i] > len)
            continue;
        for (int id = topo_strmap_getn(&t->re_prefix_index, name, t->re_prefix_lens[i]);
             id >= 0 && st == TP_OK; id = t->re_chain[id])
            st = try_regex(t, node, id, err);
    }
    for (size_t i = 0; i < t->nre_unindexed && st == TP_OK; i++)
        st = try_regex(t, node, t->re_unindexed[i], err);
    if (!t->has_label || !t->nodes[node].has_labels)
        return st;
    for (size_t h = 0; h < t->nhns && st == TP_OK; h++)
        for (size_t m = 0; m < t->hns[h].nmembers && st == TP_OK; m++) {
            const struct topo_member *mem = &t->hns[h].members[m];
            if (mem->type == TOPO_MEMBER_NODE && mem->sel == TOPO_SEL_LABEL &&
                label_match(mem, &t->nodes[node]))
                st = topo_node_link(t, node, (int)h, err);
        }
    return st;
}
