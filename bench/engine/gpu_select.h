/* gpu_select.h: open this rank's --mem, choosing its GPU as --gpu says
 * (a number, local rank, or nearest the NIC: gpu_pick.h) and recording
 * how, for hosts[].gpu in the results. */
#ifndef TIERPERF_GPU_SELECT_H
#define TIERPERF_GPU_SELECT_H

#include "../../common/status.h"
#include "../../transports/memory.h"
#include "gpu_pick.h"
#include "../cli/run_opts.h"

/* Plain data: travels to rank 0 inside struct env_host. */
struct gpu_choice {
    int index;                          /* -1: host memory, no GPU */
    char pci[TP_MEM_PCI_LEN];           /* "" when not known */
    char chosen_by[16];                 /* "explicit", "local-rank", "nearest-nic" */
    char shared[GPU_PICK_SHARED_LEN];   /* nearest-nic: what GPU and NIC share */
    char nic_pci[TP_MEM_PCI_LEN];       /* --gpu auto: the NIC's PCI address, "" unknown */
};

/* --gpu auto needs the NIC first: open the transport, then the memory. */
int gpu_select_needs_nic(const struct run_opts *o);

/* nic_device: link_info's device ("mlx5_0:1", "eth0", "lo"; "" unknown);
 * local_rank: this rank's index among the ranks of its node. */
tp_status_t gpu_select_open(const struct run_opts *o, const char *nic_device, int local_rank,
                            struct tp_mem *mem_p, struct gpu_choice *choice_p,
                            struct tp_error *err);

#endif
