/* nic_name.h: the name hwloc and sysfs know a NIC by.  Transports name an
 * RDMA port "mlx5_0:1"; hwloc's OS devices and /sys/class are "mlx5_0". */
#ifndef TIERPERF_NIC_NAME_H
#define TIERPERF_NIC_NAME_H

#include <hwloc.h>
#include <stddef.h>

/* device without its ":port" into base (device NULL: ""). */
void nic_base_name(const char *device, char *base, size_t len);

/* The hwloc OS device of a link's device ("mlx5_0:1", "eth0"), or NULL. */
hwloc_obj_t nic_osdev(hwloc_topology_t topo, const char *device);

#endif
