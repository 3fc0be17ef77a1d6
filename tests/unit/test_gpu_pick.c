/* test_gpu_pick.c: --gpu auto's choice of the GPU nearest the NIC, on
 * saved hwloc topologies (tests/unit/data/hwloc-*.xml):
 *   hwloc-2s-4gpu-2nic.xml: two packages.  Package 0: GPU 0000:03:00.0 and
 *     NIC mlx5_0 (0000:05:00.0) behind one PCIe switch, GPU 0000:12:00.0
 *     behind another switch on the same host bridge.  Package 1: GPUs
 *     0000:83:00.0 and 0000:84:00.0 behind one switch, NIC mlx5_1
 *     (0000:85:00.0) on its own root port of the same host bridge.
 *   hwloc-snc2-3gpu.xml: package 0 split in two NUMA nodes (sub-NUMA
 *     clusters, hwloc Groups): NIC mlx5_0 (0000:01:00.0) and GPU
 *     0000:11:00.0 on NUMA 0 (different host bridges), GPU 0000:21:00.0
 *     on NUMA 1; package 1 has GPU 0000:81:00.0. */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/gpu_pick.h"

static hwloc_topology_t load(const char *file)
{
    hwloc_topology_t topo;
    char path[256];

    snprintf(path, sizeof(path), "tests/unit/data/%s", file);
    cr_assert_eq(hwloc_topology_init(&topo), 0);
    cr_assert_eq(hwloc_topology_set_xml(topo, path), 0, "cannot read %s", path);
    gpu_pick_topology_filter(topo);
    cr_assert_eq(hwloc_topology_load(topo), 0, "cannot load %s", path);
    return topo;
}

static const char *const four[] = {"0000:03:00.0", "0000:12:00.0", "0000:83:00.0",
                                   "0000:84:00.0"};

Test(gpu_pick, same_switch_beats_same_host_bridge)
{
    hwloc_topology_t topo = load("hwloc-2s-4gpu-2nic.xml");
    char shared[GPU_PICK_SHARED_LEN] = "";

    for (int lr = 0; lr < 4; lr++) {
        cr_assert_eq(gpu_pick_nearest(topo, four, 4, "0000:05:00.0", lr, shared), 0,
                     "local rank %d", lr);
        cr_assert_str_eq(shared, "pcie-switch");
    }
    /* without the GPU on its switch, the one on the same host bridge */
    cr_assert_eq(gpu_pick_nearest(topo, four + 1, 3, "0000:05:00.0", 0, shared), 0);
    cr_assert_str_eq(shared, "host-bridge");
    hwloc_topology_destroy(topo);
}

Test(gpu_pick, ties_spread_by_local_rank_in_list_order)
{
    hwloc_topology_t topo = load("hwloc-2s-4gpu-2nic.xml");
    char shared[GPU_PICK_SHARED_LEN] = "";

    /* mlx5_1 is as near to both GPUs of package 1 (same host bridge) */
    cr_assert_eq(gpu_pick_nearest(topo, four, 4, "0000:85:00.0", 0, shared), 2);
    cr_assert_str_eq(shared, "host-bridge");
    cr_assert_eq(gpu_pick_nearest(topo, four, 4, "0000:85:00.0", 1, shared), 3);
    cr_assert_eq(gpu_pick_nearest(topo, four, 4, "0000:85:00.0", 2, shared), 2);
    cr_assert_eq(gpu_pick_nearest(topo, four, 4, "0000:85:00.0", 3, shared), 3);
    /* the index is into the caller's list, whatever its order; CUDA's bus
     * ids are upper case */
    const char *const shuffled[] = {"0000:84:00.0", "0000:12:00.0", "0000:03:00.0"};
    cr_assert_eq(gpu_pick_nearest(topo, shuffled, 3, "0000:85:00.0", 5, shared), 0);
    const char *const upper[] = {"0000:12:00.0", "0000:83:00.0", "0000:03:00.0"};
    cr_assert_eq(gpu_pick_nearest(topo, upper, 3, "0000:05:00.0", 1, shared), 2);
    const char *const cuda_case[] = {"00000000:83:00.0", "0000:0A:00.0", "0000:84:00.0"};
    cr_assert_eq(gpu_pick_nearest(topo, cuda_case, 3, "0000:85:00.0", 1, shared), 2);
    hwloc_topology_destroy(topo);
}

Test(gpu_pick, other_package_only_means_machine_level_tie)
{
    hwloc_topology_t topo = load("hwloc-2s-4gpu-2nic.xml");
    char shared[GPU_PICK_SHARED_LEN] = "";
    const char *const far[] = {"0000:83:00.0", "0000:84:00.0"};

    cr_assert_eq(gpu_pick_nearest(topo, far, 2, "0000:05:00.0", 0, shared), 0);
    cr_assert_str_eq(shared, "machine");
    cr_assert_eq(gpu_pick_nearest(topo, far, 2, "0000:05:00.0", 1, shared), 1);
    hwloc_topology_destroy(topo);
}

Test(gpu_pick, numa_node_beats_package_beats_machine)
{
    hwloc_topology_t topo = load("hwloc-snc2-3gpu.xml");
    char shared[GPU_PICK_SHARED_LEN] = "";
    const char *const all[] = {"0000:81:00.0", "0000:21:00.0", "0000:11:00.0"};

    for (int lr = 0; lr < 3; lr++) {
        cr_assert_eq(gpu_pick_nearest(topo, all, 3, "0000:01:00.0", lr, shared), 2);
        cr_assert_str_eq(shared, "numa-node");
    }
    cr_assert_eq(gpu_pick_nearest(topo, all, 2, "0000:01:00.0", 0, shared), 1);
    cr_assert_str_eq(shared, "package");
    cr_assert_eq(gpu_pick_nearest(topo, all, 1, "0000:01:00.0", 3, shared), 0);
    cr_assert_str_eq(shared, "machine");
    hwloc_topology_destroy(topo);
}

Test(gpu_pick, unknown_nic_or_gpus_give_minus_one)
{
    hwloc_topology_t topo = load("hwloc-2s-4gpu-2nic.xml");
    char shared[GPU_PICK_SHARED_LEN] = "untouched";
    const char *const absent[] = {"0000:aa:00.0", "not-a-bus-id"};

    cr_assert_eq(gpu_pick_nearest(topo, four, 4, "0000:99:00.0", 0, shared), -1);
    cr_assert_eq(gpu_pick_nearest(topo, four, 4, "", 0, shared), -1);
    cr_assert_eq(gpu_pick_nearest(topo, four, 4, NULL, 0, shared), -1);
    cr_assert_eq(gpu_pick_nearest(topo, absent, 2, "0000:05:00.0", 0, shared), -1);
    cr_assert_eq(gpu_pick_nearest(topo, four, 0, "0000:05:00.0", 0, shared), -1);
    cr_assert_str_eq(shared, "untouched");
    hwloc_topology_destroy(topo);
}

Test(gpu_pick, nic_pci_from_link_info_device_names)
{
    hwloc_topology_t topo = load("hwloc-2s-4gpu-2nic.xml");
    char pci[32] = "";

    cr_assert_eq(gpu_pick_nic_pci(topo, "mlx5_0:1", pci, sizeof(pci)), 0);
    cr_assert_str_eq(pci, "0000:05:00.0");
    cr_assert_eq(gpu_pick_nic_pci(topo, "mlx5_1", pci, sizeof(pci)), 0);
    cr_assert_str_eq(pci, "0000:85:00.0");
    cr_assert_eq(gpu_pick_nic_pci(topo, "ib1", pci, sizeof(pci)), 0);
    cr_assert_str_eq(pci, "0000:85:00.0");
    cr_assert_eq(gpu_pick_nic_pci(topo, "lo", pci, sizeof(pci)), -1);
    cr_assert_eq(gpu_pick_nic_pci(topo, "rxe0:1", pci, sizeof(pci)), -1);
    cr_assert_eq(gpu_pick_nic_pci(topo, "", pci, sizeof(pci)), -1);
    hwloc_topology_destroy(topo);
}
