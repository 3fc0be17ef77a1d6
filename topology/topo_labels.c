/* topo_labels.c: node labels on their own, from `kubectl get nodes -o
 * yaml|json`, for answers that select nodes by label without a HyperNode
 * tree (check's profile rules: node_labels). */
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"

tp_status_t topo_nodes_read(const char *nodes_path, struct topo **topo_p, struct tp_error *err)
{
    struct topo *t = calloc(1, sizeof(*t));
    tp_status_t st;

    *topo_p = NULL;
    if (t == NULL || (t->path = strdup(nodes_path)) == NULL ||
        (t->nodes_path = strdup(nodes_path)) == NULL) {
        topo_free(t);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    }
    if ((st = topo_nodes_load(t, nodes_path, err)) != TP_OK) {
        topo_free(t);
        return st;
    }
    t->names_given = 1;
    *topo_p = t;
    return TP_OK;
}

const char *topo_node_label(const struct topo *topo, const char *node, const char *key)
{
    int idx = topo != NULL && node != NULL ? topo_strmap_get(&topo->node_index, node) : -1;
    if (idx < 0)
        return NULL;
    const struct topo_node *n = &topo->nodes[idx];
    for (size_t i = 0; i < n->nlabels; i++)
        if (strcmp(n->labels[i].key, key) == 0)
            return n->labels[i].value;
    return NULL;
}
