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
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/engine/gpu_pick.h"

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

/* The PCI address sysfs gives an interface: the last path component of
 * its device path that looks like DDDD:BB:DD.F (virtio NICs sit one level
 * below theirs), or "" for virtual ones. */
static void sysfs_pci_of(const char *ifname, char *pci, size_t len)
{
    char path[300], real[PATH_MAX];
    unsigned d, b, s, f;

    pci[0] = '\0';
    snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
    if (realpath(path, real) == NULL)
        return;
    for (char *tok = strtok(real, "/"); tok != NULL; tok = strtok(NULL, "/")) {
        char extra;
        if (strlen(tok) == 12 && sscanf(tok, "%4x:%2x:%2x.%1x%c", &d, &b, &s, &f, &extra) == 4)
            snprintf(pci, len, "%s", tok);
    }
}

/* This machine's own topology: every network interface sysfs places on a
 * PCI device resolves to that device's address; virtual ones (lo) to
 * none, which is what sends --gpu auto to the local-rank fallback. */
Test(gpu_pick, live_interfaces_resolve_to_their_pci_address)
{
    hwloc_topology_t topo;
    DIR *dir = opendir("/sys/class/net");
    struct dirent *de;
    char pci[32], want[32];
    int checked = 0;

    cr_assert_not_null(dir);
    cr_assert_eq(hwloc_topology_init(&topo), 0);
    gpu_pick_topology_filter(topo);
    cr_assert_eq(hwloc_topology_load(topo), 0);
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        sysfs_pci_of(de->d_name, want, sizeof(want));
        int rc = gpu_pick_nic_pci(topo, de->d_name, pci, sizeof(pci));
        if (want[0] == '\0') {
            cr_assert_eq(rc, -1, "%s: virtual, but resolved to %s", de->d_name, pci);
            continue;
        }
        cr_assert_eq(rc, 0, "%s: on PCI %s but not found in hwloc", de->d_name, want);
        cr_assert_str_eq(pci, want, "%s", de->d_name);
        checked++;
    }
    closedir(dir);
    hwloc_topology_destroy(topo);
    if (checked == 0)
        cr_skip_test("no PCI network interface on this machine");
}
