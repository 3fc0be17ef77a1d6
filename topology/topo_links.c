/* topo_links.c: link ids of a HyperNode tree and the path of a node pair
 * (topo_links.h). */
#include "topo_links.h"

#include "topo_internal.h"

size_t topo_link_count(const struct topo *topo)
{
    return 2 * (topo->nhns + topo->nnodes);
}

int topo_link_info(const struct topo *topo, int link, enum topo_link_kind *kind_p,
                   const char **name_p, int *up_p)
{
    if (link < 0 || (size_t)link >= topo_link_count(topo))
        return -1;
    size_t owner = (size_t)link / 2;
    int up = link % 2 == 0;
    if (owner < topo->nhns) {
        *kind_p = TOPO_LINK_UPLINK;
        *name_p = topo->hns[owner].name;
    } else {
        *kind_p = TOPO_LINK_ACCESS;
        *name_p = topo->nodes[owner - topo->nhns].name;
    }
    *up_p = up;
    return 0;
}

const char *topo_link_parent(const struct topo *topo, int link)
{
    if (link < 0 || (size_t)link >= topo_link_count(topo))
        return NULL;
    size_t owner = (size_t)link / 2;
    int p = owner < topo->nhns ? topo->hns[owner].parent : topo->nodes[owner - topo->nhns].own;
    return p >= 0 ? topo->hns[p].name : NULL;
}

int topo_node_index(const struct topo *topo, const char *name)
{
    return name != NULL ? topo_strmap_get(&topo->node_index, name) : -1;
}

static void put(int *links, size_t max, size_t *n, int id)
{
    if (*n < max)
        links[*n] = id;
    (*n)++;
}

size_t topo_pair_links(const struct topo *topo, int a, int b, int *links, size_t max)
{
    size_t n = 0, H = topo->nhns;
    if (a == b || a < 0 || b < 0)
        return 0;
    int ha = topo->nodes[a].own, hb = topo->nodes[b].own;
    int lca = ha >= 0 && hb >= 0 ? topo_hn_lca(topo, ha, hb) : -1;
    put(links, max, &n, (int)(2 * (H + (size_t)a)));
    for (int h = ha; h >= 0 && h != lca; h = topo->hns[h].parent)
        put(links, max, &n, 2 * h);
    /* b's side, top down: collect bottom up, then reverse in place */
    size_t first = n;
    put(links, max, &n, (int)(2 * (H + (size_t)b)) + 1);
    for (int h = hb; h >= 0 && h != lca; h = topo->hns[h].parent)
        put(links, max, &n, 2 * h + 1);
    for (size_t i = first, j = n - 1; i < j && j < max; i++, j--) {
        int tmp = links[i];
        links[i] = links[j];
        links[j] = tmp;
    }
    return n;
}
