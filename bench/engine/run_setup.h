/* run_setup.h: the collective set-up steps of a run, each one agreed by
 * every rank (a failure anywhere is a failure everywhere, so no rank is
 * left waiting). */
#ifndef TIERPERF_RUN_SETUP_H
#define TIERPERF_RUN_SETUP_H

#include <mpi.h>

#include "../../common/status.h"
#include "../../transports/transport.h"
#include "binding.h"
#include "env.h"
#include "gpu_select.h"
#include "../cli/run_opts.h"

/* Every rank's status; returns the worst (most negative) one, and the
 * lowest rank that had it in *rank_p. */
tp_status_t setup_agree(MPI_Comm comm, tp_status_t mine, int *rank_p);

/* Node names of every rank (--node-name, TIERPERF_NODE_NAME, SLURMD_NODENAME, hostname);
 * *names_p: nranks pointers into one block, free with free(names[0])
 * then free(names). */
tp_status_t setup_node_names(MPI_Comm comm, const char *mine, char ***names_p,
                             struct tp_error *err);

/* Allgather of every rank's link facts. */
tp_status_t setup_links(MPI_Comm comm, const struct tp_link_info *mine,
                        struct tp_link_info **links_p);

/* This rank's index among the ranks of its node, and their number, from
 * every rank's node name (setup_node_names).  Not MPI_Comm_split_type:
 * Open MPI's shared-memory split hangs when a node's ranks live in network
 * namespaces (scripts/simcluster.sh with several ranks per node), and the
 * node names are what the rest of the run calls a node anyway. */
void setup_local_rank(const char *const *names, int rank, int nranks, int *lrank_p,
                      int *lsize_p);

/* Pin this rank near its NIC (device: link_info's; --no-bind: only read
 * the binding); called before the buffers are allocated, so first-touch
 * puts them on the NIC's NUMA node.  hwloc failing is a warning. */
void setup_bind(const struct run_opts *o, const char *device, int lrank, int lsize,
                struct binding_result *b);

/* Gather hosts[] to rank 0 (*hosts_p allocated there only); gpu: this
 * rank's GPU choice (index -1: none); b: its binding (setup_bind). */
tp_status_t setup_hosts(MPI_Comm comm, const char *node, const struct tp_link_info *link,
                        const struct gpu_choice *gpu, const struct binding_result *b,
                        struct env_host **hosts_p, struct tp_error *err);

/* The ring buffers: [0] always, [1] with --bidir; registered with the
 * transport (a transport without registration reports unsupported: fine). */
tp_status_t setup_buffers(const struct run_opts *o, const struct tp_transport_ops *ops,
                          void *tctx, const struct tp_mem *mem, struct tp_buf bufs[2],
                          struct tp_error *err);
void setup_buffers_free(const struct tp_transport_ops *ops, void *tctx, struct tp_buf bufs[2]);

#endif
