/* binding.c: NIC-local CPU binding with hwloc (see binding.h). */
#include "binding.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nic_name.h"

/* A NIC with a device behind it in sysfs (PCI), so worth hwloc's I/O
 * discovery; loopback, veth and "mpi" have none. */
static int has_sysfs_device(const char *name)
{
    char path[160];

    if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL)
        return 0;
    snprintf(path, sizeof(path), "/sys/class/net/%s/device", name);
    if (access(path, F_OK) == 0)
        return 1;
    snprintf(path, sizeof(path), "/sys/class/infiniband/%s/device", name);
    return access(path, F_OK) == 0;
}

/* This rank's share of the cores in `near`: a contiguous slice when there
 * are enough cores, else one core (ranks wrap around). */
static hwloc_bitmap_t share(hwloc_topology_t topo, hwloc_const_bitmap_t near, int local_rank,
                            int local_size)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int n = hwloc_get_nbobjs_inside_cpuset_by_type(topo, near, HWLOC_OBJ_CORE);
    hwloc_obj_type_t type = HWLOC_OBJ_CORE;

    if (n <= 0) {
        type = HWLOC_OBJ_PU;
        n = hwloc_get_nbobjs_inside_cpuset_by_type(topo, near, HWLOC_OBJ_PU);
    }
    if (set == NULL || n <= 0 || local_size <= 0) {
        if (set != NULL)
            hwloc_bitmap_copy(set, near);
        return set;
    }
    int first, last;
    if (n >= local_size) {
        first = local_rank * n / local_size;
        last = (local_rank + 1) * n / local_size - 1;
    } else {
        first = last = local_rank % n;
    }
    for (int i = first; i <= last; i++) {
        hwloc_obj_t o = hwloc_get_obj_inside_cpuset_by_type(topo, near, type, (unsigned)i);
        if (o != NULL)
            hwloc_bitmap_or(set, set, o->cpuset);
    }
    return set;
}

static int numa_of(hwloc_topology_t topo, hwloc_const_bitmap_t set)
{
    hwloc_obj_t o = NULL;

    while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, o)) != NULL)
        if (o->cpuset != NULL && hwloc_bitmap_intersects(o->cpuset, set))
            return (int)o->os_index;
    return -1;
}

static void describe(hwloc_topology_t topo, hwloc_const_bitmap_t set, struct binding_result *out)
{
    char *list = NULL;

    if (hwloc_bitmap_list_asprintf(&list, set) >= 0 && list != NULL)
        snprintf(out->cpuset, sizeof(out->cpuset), "%s", list);
    free(list);
    out->numa_node = numa_of(topo, set);
}

tp_status_t binding_apply(const char *device, int local_rank, int local_size, int enable,
                          struct binding_result *out, struct tp_error *err)
{
    hwloc_topology_t topo;
    hwloc_bitmap_t near = NULL, set = NULL;
    tp_status_t st = TP_OK;

    char base[64];
    if (device != NULL) {
        nic_base_name(device, base, sizeof(base));
        device = base;
    }
    memset(out, 0, sizeof(*out));
    out->numa_node = -1;
    if (hwloc_topology_init(&topo) != 0)
        return tp_error_set(err, TP_ERR_IO, "hwloc_topology_init failed");
    if (enable && has_sysfs_device(device))
        hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return tp_error_set(err, TP_ERR_IO, "hwloc_topology_load failed");
    }
    if (!enable) {
        set = hwloc_bitmap_alloc();
        if (set != NULL && hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) == 0)
            describe(topo, set, out);
        snprintf(out->basis, sizeof(out->basis), "as launched (--no-bind)");
        goto done;
    }
    near = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
    hwloc_obj_t dev = nic_osdev(topo, device);
    hwloc_obj_t anc = dev != NULL ? hwloc_get_non_io_ancestor_obj(topo, dev) : NULL;
    if (anc != NULL && anc->cpuset != NULL && near != NULL &&
        hwloc_bitmap_intersects(anc->cpuset, near)) {
        hwloc_bitmap_and(near, near, anc->cpuset);
        snprintf(out->basis, sizeof(out->basis), "near %s", device);
    } else {
        snprintf(out->basis, sizeof(out->basis), "machine (no NIC locality for '%s')",
                 device && device[0] ? device : "?");
    }
    if (near == NULL || (set = share(topo, near, local_rank, local_size)) == NULL) {
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory in hwloc");
        goto done;
    }
    if (hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) != 0) {
        /* not fatal: report the binding in effect */
        hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS);
        snprintf(out->basis, sizeof(out->basis), "as launched (hwloc_set_cpubind failed)");
    } else {
        out->bound = 1;
    }
    describe(topo, set, out);
done:
    hwloc_bitmap_free(near);
    hwloc_bitmap_free(set);
    hwloc_topology_destroy(topo);
    return st;
}
