/* gpu_pick.c: the GPU nearest a NIC in the hwloc tree (see gpu_pick.h). */
#include "gpu_pick.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "nic_name.h"

/* hwloc's PCI depths are virtual (negative), so its common-ancestor helper
 * does not apply to I/O objects; we walk parent links ourselves.  64 levels
 * is far deeper than any real PCI tree plus the CPU hierarchy above it. */
#define PICK_MAX_CHAIN 64

void gpu_pick_topology_filter(hwloc_topology_t topo)
{
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_BRIDGE, HWLOC_TYPE_FILTER_KEEP_ALL);
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_PCI_DEVICE, HWLOC_TYPE_FILTER_KEEP_ALL);
    hwloc_topology_set_type_filter(topo, HWLOC_OBJ_OS_DEVICE, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
}

/* The NIC and its ancestors, nearest first; returns how many. */
static size_t chain_of(hwloc_obj_t o, hwloc_obj_t chain[PICK_MAX_CHAIN])
{
    size_t n = 0;

    for (; o != NULL && n < PICK_MAX_CHAIN; o = o->parent)
        chain[n++] = o;
    return n;
}

/* Steps from the NIC up to the first ancestor it shares with g; -1 when
 * none (a malformed tree). */
static int hops_to(hwloc_obj_t const chain[PICK_MAX_CHAIN], size_t n, hwloc_obj_t g)
{
    for (; g != NULL; g = g->parent)
        for (size_t i = 0; i < n; i++)
            if (chain[i] == g)
                return (int)i;
    return -1;
}

static void name_shared(hwloc_obj_t a, char shared[GPU_PICK_SHARED_LEN])
{
    const char *what = NULL;

    if (a->type == HWLOC_OBJ_BRIDGE && a->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_HOST)
        what = "host-bridge";
    else if (a->type == HWLOC_OBJ_BRIDGE && a->parent != NULL &&
             a->parent->type == HWLOC_OBJ_BRIDGE &&
             a->parent->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_HOST)
        what = "root-port";     /* both below one root port, no switch */
    else if (a->type == HWLOC_OBJ_BRIDGE)
        what = "pcie-switch";
    else if (a->type == HWLOC_OBJ_PCI_DEVICE)
        what = "pci-device";
    else if (a->type == HWLOC_OBJ_MACHINE)
        what = "machine";
    else if (a->type == HWLOC_OBJ_PACKAGE)
        what = "package";
    else if (a->nodeset != NULL && hwloc_bitmap_weight(a->nodeset) == 1)
        what = "numa-node";   /* a Group or Die holding one NUMA node (SNC) */
    if (what != NULL) {
        snprintf(shared, GPU_PICK_SHARED_LEN, "%s", what);
        return;
    }
    snprintf(shared, GPU_PICK_SHARED_LEN, "%s", hwloc_obj_type_string(a->type));
    for (char *p = shared; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

int gpu_pick_nearest(hwloc_topology_t topo, const char *const *gpu_pci, size_t ngpus,
                     const char *nic_pci, int local_rank, char shared[GPU_PICK_SHARED_LEN])
{
    hwloc_obj_t chain[PICK_MAX_CHAIN];
    hwloc_obj_t nic;
    int best = -1;
    size_t ties = 0, nchain;

    if (nic_pci == NULL || nic_pci[0] == '\0' ||
        (nic = hwloc_get_pcidev_by_busidstring(topo, nic_pci)) == NULL)
        return -1;
    nchain = chain_of(nic, chain);
    /* first pass: the fewest hops; second: the (local_rank mod ties)-th GPU at it */
    for (size_t i = 0; i < ngpus; i++) {
        hwloc_obj_t g = hwloc_get_pcidev_by_busidstring(topo, gpu_pci[i]);
        int h = g != NULL ? hops_to(chain, nchain, g) : -1;
        if (h < 0)
            continue;
        if (best < 0 || h < best) {
            best = h;
            ties = 1;
        } else if (h == best) {
            ties++;
        }
    }
    if (best < 0)
        return -1;
    size_t want = (size_t)(local_rank < 0 ? 0 : local_rank) % ties;
    for (size_t i = 0; i < ngpus; i++) {
        hwloc_obj_t g = hwloc_get_pcidev_by_busidstring(topo, gpu_pci[i]);
        if (g == NULL || hops_to(chain, nchain, g) != best || want-- > 0)
            continue;
        if (shared != NULL)
            name_shared(chain[best], shared);
        return (int)i;
    }
    return -1;
}

int gpu_pick_nic_pci(hwloc_topology_t topo, const char *device, char *pci, size_t len)
{
    hwloc_obj_t o = nic_osdev(topo, device);
    hwloc_obj_t p = o != NULL ? o->parent : NULL;

    if (p == NULL || p->type != HWLOC_OBJ_PCI_DEVICE)
        return -1;
    snprintf(pci, len, "%04x:%02x:%02x.%01x", p->attr->pcidev.domain, p->attr->pcidev.bus,
             p->attr->pcidev.dev, p->attr->pcidev.func);
    return 0;
}
