/* ans_declared.c: the declared tree's tier and lowest common HyperNode for
 * every pair of measured nodes. */
#include "ans_declared.h"

#include <stdlib.h>

#include "../topology/topology.h"

/* Until the topology module is merged these resolve to NULL and
 * --topology says so instead of failing the link. */
#pragma weak topo_load
#pragma weak topo_free
#pragma weak topo_bind_nodes
#pragma weak topo_tier

tp_status_t ans_declared_load(const char *topo_path, const char *nodes_path,
                              const struct ans_matrix *m, struct ans_declared *d,
                              struct topo **topo_p, struct tp_error *err)
{
    struct topo *topo = NULL;
    tp_status_t st;
    size_t n = m->n;

    d->tier = NULL;
    d->hypernode = NULL;
    if (topo_load == NULL)
        return tp_error_set(err, TP_ERR_UNSUPPORTED, "--topology: this build has no HyperNode parser");
    st = topo_load(topo_path, nodes_path, &topo, err);
    if (st != TP_OK)
        return st;
    st = topo_bind_nodes(topo, m->nodes, n, err);
    if (st != TP_OK) {
        topo_free(topo);
        return st;
    }
    d->tier = malloc((n * n + 1) * sizeof(*d->tier));
    d->hypernode = calloc(n * n + 1, sizeof(*d->hypernode));
    if (d->tier == NULL || d->hypernode == NULL) {
        ans_declared_free(d);
        topo_free(topo);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            d->tier[i * n + j] = topo_tier(topo, m->nodes[i], m->nodes[j], &d->hypernode[i * n + j]);
    *topo_p = topo;
    return TP_OK;
}

void ans_declared_free(struct ans_declared *d)
{
    free(d->tier);
    free(d->hypernode);
    d->tier = NULL;
    d->hypernode = NULL;
}
