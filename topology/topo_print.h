/* topo_print.h: the human and machine outputs of `tierperf topo`: the
 * tree, node paths, tier matrix, plan summary, and the `--emit sim|yaml`
 * forms.  Each writes to a FILE so tests can compare against golden
 * files. */
#ifndef TIERPERF_TOPO_PRINT_H
#define TIERPERF_TOPO_PRINT_H

#include <stdio.h>

#include "topology.h"

void topo_print_tree(FILE *out, const struct topo *topo);
/* names NULL: every known node */
void topo_print_paths(FILE *out, const struct topo *topo, const char *const *names, size_t n);
void topo_print_matrix(FILE *out, const struct topo *topo, const char *const *names, size_t n);
void topo_print_plan(FILE *out, const struct topo *topo, const struct topo_plan *plan,
                     const char *kind, size_t nranks, int list_pairs);
/* The sim form (see docs/topology.md); fails when node names are unknown. */
tp_status_t topo_emit_sim(FILE *out, const struct topo *topo, struct tp_error *err);
tp_status_t topo_emit_yaml(FILE *out, const struct topo *topo, struct tp_error *err);
/* 1 when Node members use regexMatch/labelMatch (names need --nodes or
 * --node-names to be known) */
int topo_needs_node_list(const struct topo *topo);

#endif
