/* rail_near.c: the NIC nearest a rank's GPU (see rail_near.h). */
#include "rail_near.h"

#include "../../transports/tp_rail.h"
#include "gpu_pick.h"

int rail_near_pick(hwloc_topology_t topo, const char *gpu_pci, const char *const *names,
                   size_t n, int local_rank)
{
    char pci[TP_RAIL_MAX][32];
    const char *ids[TP_RAIL_MAX];

    if (gpu_pci == NULL || gpu_pci[0] == '\0' || n == 0 || n > TP_RAIL_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (gpu_pick_nic_pci(topo, names[i], pci[i], sizeof(pci[i])) != 0)
            pci[i][0] = '\0';   /* never matches a PCI device */
        ids[i] = pci[i];
    }
    /* symmetric: the candidate nearest the GPU, ties by local rank */
    return gpu_pick_nearest(topo, ids, n, gpu_pci, local_rank, NULL);
}

int rail_near_live(const void *arg, const char *const *names, size_t n)
{
    const struct rail_near_arg *a = arg;
    hwloc_topology_t topo;
    int idx = -1;

    if (a == NULL || hwloc_topology_init(&topo) != 0)
        return -1;
    gpu_pick_topology_filter(topo);
    if (hwloc_topology_load(topo) == 0)
        idx = rail_near_pick(topo, a->gpu_pci, names, n, a->local_rank);
    hwloc_topology_destroy(topo);
    return idx;
}
