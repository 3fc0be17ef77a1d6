/* topo_yaml_write.h: write HyperNodes as kubectl-style YAML (apiVersion
 * v1, kind: List, items: [HyperNode...]) that topo_load reads back and
 * kubectl apply accepts.  Used by `topo --emit yaml` and by `infer`. */
#ifndef TIERPERF_TOPO_YAML_WRITE_H
#define TIERPERF_TOPO_YAML_WRITE_H

#include <stddef.h>
#include <stdio.h>

#include "../common/status.h"

enum topo_yaml_sel { TOPO_YAML_EXACT, TOPO_YAML_REGEX };

struct topo_yaml_member {
    int hypernode;              /* 1: type HyperNode, 0: type Node */
    enum topo_yaml_sel sel;     /* exactMatch name or regexMatch pattern */
    const char *value;
};

struct topo_yaml_hn {
    const char *name;
    int tier;
    const char *tier_name;      /* NULL: omitted */
    const struct topo_yaml_member *members;
    size_t nmembers;
};

/* header (may be NULL): text written first as '# ' comment lines. */
tp_status_t topo_yaml_write(FILE *out, const char *header, const struct topo_yaml_hn *hns,
                            size_t n, struct tp_error *err);

#endif
