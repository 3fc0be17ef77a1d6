/* ans_declared.h: fill struct ans_declared (ans_infer.h) from a HyperNode
 * file through topology/topology.h, for `tierperf infer --topology`. */
#ifndef TIERPERF_ANS_DECLARED_H
#define TIERPERF_ANS_DECLARED_H

#include "ans_infer.h"

struct topo;

/* *topo_p owns the names d->hypernode points to: free it after d. */
tp_status_t ans_declared_load(const char *topo_path, const char *nodes_path,
                              const struct ans_matrix *m, struct ans_declared *d,
                              struct topo **topo_p, struct tp_error *err);
void ans_declared_free(struct ans_declared *d);

#endif
