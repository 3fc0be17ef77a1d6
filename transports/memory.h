/* memory.h: memory kinds (host, cuda), separate from transports, in the
 * shape of perftest's memory_ctx: one small ops table per kind.  A buffer
 * knows its kind so a transport can register it directly (GPUDirect) or
 * stage it through host memory (TCP). */
#ifndef TIERPERF_MEMORY_H
#define TIERPERF_MEMORY_H

#include <stddef.h>

#include "../common/status.h"

/* Independent copy queues for the staged path (CUDA streams): copies on
 * one lane run in order, different lanes overlap each other and the
 * network, so a transport can copy chunk k+1 while it sends chunk k. */
#define TP_MEM_LANES 4

/* Room for a PCI bus id, "0000:3b:00.0" (CUDA writes 13 characters). */
#define TP_MEM_PCI_LEN 32

enum tp_mem_dir {
    TP_MEM_TO_HOST,         /* kind's memory -> staging (host) memory */
    TP_MEM_FROM_HOST,       /* staging (host) memory -> kind's memory */
    TP_MEM_LOCAL,           /* kind's memory -> kind's memory (d2d) */
};

struct tp_mem_ops {
    size_t size;            /* sizeof(struct tp_mem_ops), for later slots */
    const char *name;       /* "host", "cuda" */
    int is_host;            /* CPU can load/store the buffer directly */
    /* device -1: pick one.  On failure, why gets the kind's own reason
     * (the CUDA call and its error string), for the one error line. */
    tp_status_t (*init)(int device, void **ctx_p, char *why, size_t whylen);
    void (*finalize)(void *ctx);
    tp_status_t (*alloc)(void *ctx, size_t len, void **buf_p);
    void (*free)(void *ctx, void *buf, size_t len);
    tp_status_t (*copy_to_host)(void *ctx, void *host_dst, const void *src,
                                size_t len);
    tp_status_t (*copy_from_host)(void *ctx, void *dst, const void *host_src,
                                  size_t len);
    /* one line describing the device (GPU model, PCI bus id); may be NULL */
    const char *(*describe)(void *ctx);
    /* GPUDirect: export [addr, addr+len) as a dma-buf for ibv_reg_dmabuf_mr.
     * *fd_p is owned by the caller (close it after registration);
     * *offset_p is addr's offset inside the exported range.  NULL or
     * TP_ERR_UNSUPPORTED when the kind cannot (host memory, old driver). */
    tp_status_t (*get_dmabuf)(void *ctx, void *addr, size_t len, int *fd_p,
                              size_t *offset_p);

    /* --- staged path: TCP, and verbs without GPUDirect ------------------
     * Staging memory: host memory the kind copies to and from fastest
     * (page-locked for cuda, so copies are DMA and can run asynchronously;
     * plain page-aligned memory for host). */
    tp_status_t (*alloc_staging)(void *ctx, size_t len, void **host_p);
    void (*free_staging)(void *ctx, void *host, size_t len);
    /* Queue a copy between the kind's memory and staging memory (or, with
     * TP_MEM_LOCAL, within the kind's memory) on lane 0..TP_MEM_LANES-1
     * and return; copy_wait returns when everything
     * queued on that lane is done (the first error queued there, if any).
     * The host kind copies at once and its wait does nothing. */
    tp_status_t (*copy_async)(void *ctx, void *dst, const void *src, size_t len,
                              enum tp_mem_dir dir, unsigned lane);
    tp_status_t (*copy_wait)(void *ctx, unsigned lane);
    /* Copy within the kind's own memory (device to device on the GPU): the
     * intra-node reference a report puts beside the network. */
    tp_status_t (*copy_local)(void *ctx, void *dst, const void *src, size_t len);
    /* The device actually opened (cuda without :N picks one per rank). */
    int (*device_of)(void *ctx);
    /* Without opening any: the kind's devices in its own numbering, as PCI
     * bus ids (up to max of them; *n_p gets the count, 0 for host), for
     * --gpu auto to place them in the PCI tree.  No context is created. */
    tp_status_t (*list_devices)(char (*pci)[TP_MEM_PCI_LEN], int max, int *n_p, char *why,
                                size_t whylen);
    /* Per-copy completion (CUDA events), so a transport waits for its own
     * chunk and not for everything on a shared lane: record marks what is
     * queued on the lane so far, wait returns once that is done.  NULL
     * (host memory): use copy_wait on the lane. */
    tp_status_t (*event_create)(void *ctx, void **ev_p);
    void (*event_destroy)(void *ctx, void *ev);
    tp_status_t (*event_record)(void *ctx, void *ev, unsigned lane);
    tp_status_t (*event_wait)(void *ctx, void *ev);
    /* Two GPUs: len bytes on another device this one has peer access to
     * (enabled here), for copy_async TP_MEM_LOCAL between them; *peer_p
     * that device.  TP_ERR_UNSUPPORTED when there is none; NULL for host. */
    tp_status_t (*peer_alloc)(void *ctx, size_t len, void **buf_p, int *peer_p);
    void (*peer_free)(void *ctx, void *buf, int peer);
};

/* An opened memory kind: the table plus its context and device. */
struct tp_mem {
    const struct tp_mem_ops *ops;
    void *ctx;
    int device;             /* -1 for host; the GPU index for cuda */
};

/* "host", "cuda", "cuda:N".  Plain "cuda" picks GPU (local rank mod GPU
 * count), the local rank read from the launcher's environment
 * (OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, MPI_LOCALRANKID), 0 without.
 * TP_ERR_UNSUPPORTED with a message when the kind was not built in;
 * TP_ERR_NO_DEVICE when it was but has no (such) device. */
tp_status_t tp_mem_open(const char *spec, struct tp_mem *mem_p,
                        struct tp_error *err);
void tp_mem_close(struct tp_mem *mem);

/* The PCI bus ids of the devices of spec's kind ("cuda"; "host" has none),
 * up to max, count in *n_p; errors as tp_mem_open's. */
tp_status_t tp_mem_devices(const char *spec, char (*pci)[TP_MEM_PCI_LEN], int max, int *n_p,
                           struct tp_error *err);

/* Host memory for staging a kind's buffers: the kind's page-locked memory
 * (alloc_staging) when it offers it, else page-aligned malloc.  *pinned_p
 * says which, for tp_mem_staging_free (ops and ctx by value: the struct
 * tp_mem may be gone by then).  TP_ERR_NO_MEMORY when neither works. */
tp_status_t tp_mem_staging_alloc(const struct tp_mem *mem, size_t len, void **host_p,
                                 int *pinned_p);
void tp_mem_staging_free(const struct tp_mem_ops *ops, void *ctx, void *host, size_t len,
                         int pinned);

extern const struct tp_mem_ops tp_mem_host_ops;

/* mem_host_huge.c: --hugepages.  Set before any host allocation and kept
 * for the run: host memory (rings, staging) then comes in 2 MiB pages,
 * MAP_HUGETLB when reserved, else transparent huge pages.  pages(): what
 * the last host allocation got, for the results. */
void tp_mem_host_set_hugepages(int on);
int tp_mem_host_hugepages(void);
const char *tp_mem_host_pages(void);
tp_status_t tp_mem_host_huge_alloc(size_t len, void **buf_p);
void tp_mem_host_huge_free(void *buf, size_t len);
#ifdef TIERPERF_HAVE_CUDA
extern const struct tp_mem_ops tp_mem_cuda_ops;
#endif

#endif
