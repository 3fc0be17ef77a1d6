/* binding.h: pin this rank (hwloc) to the cores nearest the NIC the
 * transport uses, sharing them among the ranks of this machine; when the
 * NIC is not a PCI device hwloc knows (loopback, veth, "mpi"), the
 * machine's cores are shared instead.  The result goes to hosts[]. */
#ifndef TIERPERF_BINDING_H
#define TIERPERF_BINDING_H

#include "../../common/status.h"

struct binding_result {
    char cpuset[256];       /* list form, e.g. "0-3,8" */
    int numa_node;          /* first NUMA node of the binding, -1 unknown */
    int bound;              /* 1: we pinned; 0: left as launched */
    char basis[96];         /* "near mlx5_0", "machine (no NIC locality for lo)" */
};

/* device: link_info device (interface or RDMA device) or "".  enable 0:
 * only report the current binding. */
tp_status_t binding_apply(const char *device, int local_rank, int local_size, int enable,
                          struct binding_result *out, struct tp_error *err);

#endif
