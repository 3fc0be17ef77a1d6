/* gpu_pick.h: `--gpu auto`: which of this machine's GPUs a rank uses, the
 * one nearest the NIC its transport moves data through, by the hwloc PCI
 * tree.  Pure choice over a loaded topology (live or a saved XML file), so
 * it is tested without GPUs; the CUDA side (bus ids) stays in mem_cuda.c. */
#ifndef TIERPERF_GPU_PICK_H
#define TIERPERF_GPU_PICK_H

#include <hwloc.h>
#include <stddef.h>

/* What the chosen GPU shares with the NIC, nearest first: "pcie-switch",
 * "root-port", "host-bridge", "numa-node", "package", "machine" (or another hwloc
 * object type's name). */
#define GPU_PICK_SHARED_LEN 32

/* The GPU nearest the NIC: the one whose PCI device shares the deepest
 * common ancestor with the NIC's in topo (same PCIe switch beats same host
 * bridge beats same NUMA node beats same package).  Ties go round-robin by
 * local_rank, in list order, so the ranks of a node spread over equally
 * near GPUs.  gpu_pci: PCI bus ids as "DDDD:BB:DD.F" (any case).  Returns
 * the index into gpu_pci and what they share in shared (may be NULL), or
 * -1 when the NIC or none of the GPUs is a PCI device topo knows.  topo
 * must have been loaded with I/O objects (gpu_pick_topology_filter). */
int gpu_pick_nearest(hwloc_topology_t topo, const char *const *gpu_pci, size_t ngpus,
                     const char *nic_pci, int local_rank, char shared[GPU_PICK_SHARED_LEN]);

/* The PCI bus id of a NIC named as link_info reports it ("mlx5_0:1",
 * "mlx5_0", "eth0"): the PCI device above the hwloc OS device of that name.
 * 0 and pci filled, or -1 (loopback, soft devices, not in topo). */
int gpu_pick_nic_pci(hwloc_topology_t topo, const char *device, char *pci, size_t len);

/* Before hwloc_topology_load: keep the PCI devices and bridges the
 * choice needs (hwloc drops I/O objects by default). */
void gpu_pick_topology_filter(hwloc_topology_t topo);

#endif
