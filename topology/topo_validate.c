/* topo_validate.c: turn parsed HyperNodes into a forest and reject what
 * Volcano rejects: dangling HyperNode members, a HyperNode with two
 * parents ("already has a parent"), cycles ("cyclic dependency detected"),
 * a child whose tier is not below its parent's, and a node in two
 * HyperNodes of the same tier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

static tp_status_t link_hypernode(struct topo *t, int p, const struct topo_member *m, size_t mi,
                                  struct tp_error *err)
{
    struct topo_hn *h = &t->hns[p];
    int c = topo_strmap_get(&t->hn_index, m->value);
    if (c < 0)
        return tp_error_set(err, TP_ERR_INVALID,
                            "%s:%d: HyperNode '%s': spec.members[%zu].selector.exactMatch.name: HyperNode '%s' is not defined (dangling member)",
                            h->file, m->line, h->name, mi, m->value);
    struct topo_hn *ch = &t->hns[c];
    if (c == p)
        return tp_error_set(err, TP_ERR_INVALID,
                            "%s:%d: HyperNode '%s': spec.members[%zu]: lists itself (cyclic dependency detected)",
                            h->file, m->line, h->name, mi);
    if (ch->parent == p)
        return TP_OK;                     /* listed twice by the same parent */
    if (ch->parent >= 0)
        return tp_error_set(err, TP_ERR_INVALID,
                            "%s:%d: HyperNode '%s': spec.members[%zu]: HyperNode '%s' already has a parent '%s' (%s:%d); a HyperNode has at most one parent",
                            h->file, m->line, h->name, mi, ch->name, t->hns[ch->parent].name,
                            t->hns[ch->parent].file, t->hns[ch->parent].line);
    ch->parent = p;
    int *kids = realloc(h->children, (h->nchildren + 1) * sizeof(int));
    if (kids == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    h->children = kids;
    h->children[h->nchildren++] = c;
    return TP_OK;
}

/* Follow parents from every HyperNode; a walk longer than the number of
 * HyperNodes has looped.  state: 0 unvisited, 1 on the current walk, 2 done. */
static tp_status_t find_cycles(struct topo *t, struct tp_error *err)
{
    unsigned char *state = calloc(t->nhns ? t->nhns : 1, 1);
    tp_status_t st = TP_OK;
    if (state == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < t->nhns && st == TP_OK; i++) {
        int h = (int)i;
        while (h >= 0 && state[h] == 0) {
            state[h] = 1;
            h = t->hns[h].parent;
        }
        if (h >= 0 && state[h] == 1) {
            char path[400] = "";
            size_t len = 0;
            int k = h;
            do {
                len += (size_t)snprintf(path + len, len < sizeof(path) ? sizeof(path) - len : 0,
                                        "%s -> ", t->hns[k].name);
                k = t->hns[k].parent;
            } while (k != h && len < sizeof(path));
            if (len < sizeof(path))
                snprintf(path + len, sizeof(path) - len, "%s", t->hns[h].name);
            const struct topo_hn *x = &t->hns[h];
            st = tp_error_set(err, TP_ERR_INVALID,
                              "%s:%d: HyperNode '%s': spec.members: cyclic dependency detected (child -> parent: %s)",
                              x->file, x->line, x->name, path);
        }
        for (h = (int)i; h >= 0 && state[h] == 1; h = t->hns[h].parent)
            state[h] = 2;
    }
    free(state);
    return st;
}

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

static tp_status_t collect_tiers(struct topo *t, struct tp_error *err)
{
    int *all = malloc((t->nhns + 1) * sizeof(int));   /* + 1: no HyperNodes is not OOM */
    if (all == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < t->nhns; i++)
        all[i] = t->hns[i].tier;
    qsort(all, t->nhns, sizeof(int), cmp_int);
    t->ntiers = 0;
    for (size_t i = 0; i < t->nhns; i++)
        if (t->ntiers == 0 || all[t->ntiers - 1] != all[i])
            all[t->ntiers++] = all[i];
    t->tiers = all;
    return TP_OK;
}

tp_status_t topo_validate(struct topo *t, struct tp_error *err)
{
    tp_status_t st = TP_OK;
    for (size_t h = 0; h < t->nhns && st == TP_OK; h++)
        for (size_t m = 0; m < t->hns[h].nmembers && st == TP_OK; m++) {
            const struct topo_member *mem = &t->hns[h].members[m];
            if (mem->type == TOPO_MEMBER_HYPERNODE && mem->sel == TOPO_SEL_EXACT)
                st = link_hypernode(t, (int)h, mem, m, err);
        }
    if (st == TP_OK)
        st = find_cycles(t, err);
    for (size_t h = 0; h < t->nhns && st == TP_OK; h++) {
        struct topo_hn *x = &t->hns[h];
        if (x->parent >= 0 && x->tier >= t->hns[x->parent].tier)
            st = tp_error_set(err, TP_ERR_INVALID,
                              "%s:%d: HyperNode '%s': spec.tier: %d is not lower than the tier %d of its parent '%s' (%s:%d)",
                              x->file, x->line, x->name, x->tier, t->hns[x->parent].tier,
                              t->hns[x->parent].name, t->hns[x->parent].file, t->hns[x->parent].line);
    }
    /* depth: parents are not ordered before children, so walk up */
    for (size_t h = 0; h < t->nhns && st == TP_OK; h++) {
        int d = 0;
        for (int p = t->hns[h].parent; p >= 0; p = t->hns[p].parent)
            d++;
        t->hns[h].depth = d;
    }
    for (size_t h = 0; h < t->nhns && st == TP_OK; h++)
        for (size_t m = 0; m < t->hns[h].nmembers && st == TP_OK; m++) {
            const struct topo_member *mem = &t->hns[h].members[m];
            if (mem->type != TOPO_MEMBER_NODE || mem->sel != TOPO_SEL_EXACT)
                continue;
            int n = topo_node_add(t, mem->value);
            if (n < 0)
                return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
            st = topo_node_link(t, n, (int)h, err);
        }
    if (st == TP_OK)
        st = collect_tiers(t, err);
    return st;
}
