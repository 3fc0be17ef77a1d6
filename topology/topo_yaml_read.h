/* topo_yaml_read.h: small helpers over libyaml's document API for the
 * HyperNode and node-list readers: load every document of a file, look up
 * mapping keys, read scalars, report 1-based lines. */
#ifndef TIERPERF_TOPO_YAML_READ_H
#define TIERPERF_TOPO_YAML_READ_H

#include <yaml.h>

#include "../common/status.h"

struct topo_ydocs {
    yaml_document_t *docs;
    size_t ndocs;
};

/* Loads all documents of path (YAML or JSON).  Syntax errors name the
 * file, line and libyaml's problem. */
tp_status_t topo_ydocs_load(const char *path, struct topo_ydocs *d, struct tp_error *err);
void topo_ydocs_free(struct topo_ydocs *d);

yaml_node_t *topo_ymap_get(yaml_document_t *doc, yaml_node_t *map, const char *key);
/* scalar text or NULL when node is NULL or not a scalar */
const char *topo_yscalar(yaml_node_t *node);
static inline int topo_yline(const yaml_node_t *node)
{
    return node ? (int)node->start_mark.line + 1 : 0;
}

#endif
