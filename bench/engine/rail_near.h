/* rail_near.h: with --mem cuda and --devices/--ifaces, the NIC nearest this
 * rank's GPU (the transports' tp_config.rail_near, tp_rail.h), by the same
 * hwloc PCI distance --gpu auto uses (gpu_pick.h), the other way round. */
#ifndef TIERPERF_RAIL_NEAR_H
#define TIERPERF_RAIL_NEAR_H

#include <hwloc.h>
#include <stddef.h>

struct rail_near_arg {
    const char *gpu_pci;    /* this rank's GPU, "DDDD:BB:DD.F" */
    int local_rank;         /* ties: spread by local rank */
};

/* Index in names[] ("mlx5_0", "mlx5_0:1", "ens1f0") of the NIC nearest
 * gpu_pci in a loaded topo (gpu_pick_topology_filter), or -1 when none of
 * them or the GPU is a PCI device topo knows. */
int rail_near_pick(hwloc_topology_t topo, const char *gpu_pci, const char *const *names,
                   size_t n, int local_rank);

/* tp_config.rail_near: rail_near_pick on this machine's topology; arg is
 * a struct rail_near_arg. */
int rail_near_live(const void *arg, const char *const *names, size_t n);

#endif
