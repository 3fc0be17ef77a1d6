/* setup_check.h: `tierperf run` input judged once every rank's node name
 * is known (after MPI_Init, before any measurement): nodes the topology
 * does not place, and ranks the plan leaves idle. */
#ifndef TIERPERF_SETUP_CHECK_H
#define TIERPERF_SETUP_CHECK_H

#include <stddef.h>

#include "../../common/status.h"
#include "../../topology/topology.h"

/* Every rank's node (bound already) is in some HyperNode of topo: a node
 * in none would be measured at the virtual root, which says nothing about
 * the declared tree.  TP_ERR_INVALID naming the rank, node and file. */
tp_status_t setup_check_nodes(const struct topo *topo, const char *topo_path,
                              const char *const *names, size_t nranks, struct tp_error *err);

/* Ranks in no pair of the plan: one warning line (from the caller's rank
 * 0) naming them; returns their count. */
size_t setup_warn_idle(const struct topo_plan *plan, const char *pattern,
                       const char *const *names, size_t nranks, int speak);

#endif
