/* gpu_select.c: --mem with the GPU --gpu asks for (see gpu_select.h).
 * hwloc is loaded only for --gpu auto: the PCI walk costs tens of ms on
 * a large node. */
#include "gpu_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"

#define SELECT_MAX_GPUS 64

int gpu_select_needs_nic(const struct run_opts *o)
{
    return o->gpu != NULL && strcmp(o->gpu, "auto") == 0 && strcmp(o->mem, "cuda") == 0;
}

/* The GPU nearest the NIC, or -1 (choice_p->nic_pci/shared filled). */
static int nearest(const char *nic_device, char (*pci)[TP_MEM_PCI_LEN], int n, int local_rank,
                   struct gpu_choice *c)
{
    hwloc_topology_t topo;
    const char *ids[SELECT_MAX_GPUS];
    int idx = -1;

    if (hwloc_topology_init(&topo) != 0)
        return -1;
    gpu_pick_topology_filter(topo);
    if (hwloc_topology_load(topo) == 0 &&
        gpu_pick_nic_pci(topo, nic_device, c->nic_pci, sizeof(c->nic_pci)) == 0) {
        for (int i = 0; i < n; i++)
            ids[i] = pci[i];
        idx = gpu_pick_nearest(topo, ids, (size_t)n, c->nic_pci, local_rank, c->shared);
        if (idx < 0)
            tp_log_debug("--gpu auto: none of the %d GPU(s) is in hwloc's PCI tree", n);
    } else {
        tp_log_debug("--gpu auto: NIC '%s' has no PCI address (loopback or soft device); "
                     "GPU by local rank %d", nic_device[0] ? nic_device : "?", local_rank);
    }
    hwloc_topology_destroy(topo);
    return idx;
}

tp_status_t gpu_select_open(const struct run_opts *o, const char *nic_device, int local_rank,
                            struct tp_mem *mem_p, struct gpu_choice *choice_p,
                            struct tp_error *err)
{
    char (*pci)[TP_MEM_PCI_LEN] = calloc(SELECT_MAX_GPUS, TP_MEM_PCI_LEN);
    struct tp_error lerr = {0};
    char spec[32];
    int n = 0;
    tp_status_t st;

    memset(choice_p, 0, sizeof(*choice_p));
    choice_p->index = -1;
    if (pci == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory choosing the GPU");
    snprintf(spec, sizeof(spec), "%s", o->mem);
    if (strcmp(o->mem, "cuda") != 0) {
        if (strcmp(o->mem, "host") != 0)    /* cuda:N */
            snprintf(choice_p->chosen_by, sizeof(choice_p->chosen_by), "explicit");
    } else if (o->gpu != NULL && strcmp(o->gpu, "auto") == 0) {
        st = tp_mem_devices("cuda", pci, SELECT_MAX_GPUS, &n, err);
        if (st == TP_OK && n <= 0) {
            tp_error_set(err, TP_ERR_NO_DEVICE, "--mem cuda: no usable GPU found at run time");
            st = TP_ERR_NO_DEVICE;
        }
        if (st != TP_OK || n <= 0)
            goto out;
        int idx = nearest(nic_device, pci, n, local_rank, choice_p);
        snprintf(choice_p->chosen_by, sizeof(choice_p->chosen_by), "%s",
                 idx >= 0 ? "nearest-nic" : "local-rank");
        snprintf(spec, sizeof(spec), "cuda:%d", idx >= 0 ? idx : local_rank % n);
    } else if (o->gpu != NULL && strcmp(o->gpu, "local") != 0) {
        snprintf(spec, sizeof(spec), "cuda:%s", o->gpu);
        snprintf(choice_p->chosen_by, sizeof(choice_p->chosen_by), "explicit");
    } else {
        snprintf(choice_p->chosen_by, sizeof(choice_p->chosen_by), "local-rank");
    }
    st = tp_mem_open(spec, mem_p, err);
    if (st != TP_OK || mem_p->device < 0)
        goto out;
    choice_p->index = mem_p->device;
    if (n == 0 && tp_mem_devices("cuda", pci, SELECT_MAX_GPUS, &n, &lerr) != TP_OK)
        n = 0;
    if (mem_p->device < n)
        snprintf(choice_p->pci, sizeof(choice_p->pci), "%s", pci[mem_p->device]);
    tp_log_debug("GPU %d (%s): %s%s%s", choice_p->index, choice_p->pci, choice_p->chosen_by,
                 choice_p->shared[0] ? ", shares a " : "", choice_p->shared);
out:
    free(pci);
    return st;
}
