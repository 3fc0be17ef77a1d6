/* memory.c: choose a memory kind from "host" / "cuda[:N]", list its
 * devices, and get staging memory for it. */
#include "memory.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kind's table and the device spec names (-1: the kind picks). */
static tp_status_t mem_kind(const char *spec, const struct tp_mem_ops **ops_p, int *device_p,
                            struct tp_error *err)
{
    const struct tp_mem_ops *ops = NULL;
    int device = -1;

    if (strcmp(spec, "host") == 0) {
        ops = &tp_mem_host_ops;
    } else if (strncmp(spec, "cuda", 4) == 0 &&
               (spec[4] == '\0' || spec[4] == ':')) {
        if (spec[4] == ':') {
            char *end;
            long v = strtol(spec + 5, &end, 10);
            if (spec[5] == '\0' || *end != '\0' || v < 0 || v > 1024)
                return tp_error_set(err, TP_ERR_INVALID,
                                    "--mem %s: device must be a number, as in cuda:0",
                                    spec);
            device = (int)v;
        } else {
            device = -1;    /* the kind picks one per rank */
        }
#ifdef TIERPERF_HAVE_CUDA
        ops = &tp_mem_cuda_ops;
#else
        return tp_error_set(err, TP_ERR_UNSUPPORTED,
                            "--mem %s: this tierperf was built without CUDA "
                            "(rebuild with the CUDA toolkit installed)", spec);
#endif
    } else {
        return tp_error_set(err, TP_ERR_INVALID,
                            "--mem %s: unknown memory kind (host, cuda, cuda:N)",
                            spec);
    }
    *ops_p = ops;
    *device_p = device;
    return TP_OK;
}

/* The one line for a kind that would not open, with the kind's own
 * reason (e.g. "cudaGetDeviceCount: CUDA driver version is insufficient
 * for CUDA runtime version") when it gave one. */
static tp_status_t mem_failed(struct tp_error *err, tp_status_t st, const char *spec,
                              const char *why)
{
    return tp_error_set(err, st, "--mem %s: %s%s%s%s", spec,
                        st == TP_ERR_NO_DEVICE ? "no usable GPU found at run time"
                                               : tp_status_string(st),
                        why[0] ? " (" : "", why, why[0] ? ")" : "");
}

tp_status_t tp_mem_open(const char *spec, struct tp_mem *mem_p,
                        struct tp_error *err)
{
    const struct tp_mem_ops *ops = NULL;
    int device = -1;
    tp_status_t st = mem_kind(spec, &ops, &device, err);

    if (st != TP_OK || ops == NULL)
        return st != TP_OK ? st : TP_ERR_INVALID;
    void *ctx = NULL;
    char why[256] = "";
    st = ops->init(device, &ctx, why, sizeof(why));
    if (st != TP_OK)
        return mem_failed(err, st, spec, why);
    mem_p->ops = ops;
    mem_p->ctx = ctx;
    mem_p->device = ops->device_of(ctx);
    return TP_OK;
}

void tp_mem_close(struct tp_mem *mem)
{
    if (mem->ops != NULL)
        mem->ops->finalize(mem->ctx);
    mem->ops = NULL;
    mem->ctx = NULL;
}

tp_status_t tp_mem_devices(const char *spec, char (*pci)[TP_MEM_PCI_LEN], int max, int *n_p,
                           struct tp_error *err)
{
    const struct tp_mem_ops *ops = NULL;
    int device = -1;
    tp_status_t st = mem_kind(spec, &ops, &device, err);

    if (st != TP_OK || ops == NULL)
        return st != TP_OK ? st : TP_ERR_INVALID;
    char why[256] = "";
    st = ops->list_devices(pci, max, n_p, why, sizeof(why));
    if (st != TP_OK)
        return mem_failed(err, st, spec, why);
    return TP_OK;
}

tp_status_t tp_mem_staging_alloc(const struct tp_mem *mem, size_t len, void **host_p,
                                 int *pinned_p)
{
    const struct tp_mem_ops *ops = mem->ops;
    long page = sysconf(_SC_PAGESIZE);

    *host_p = NULL;
    *pinned_p = 0;
    if (ops->alloc_staging != NULL && ops->free_staging != NULL &&
        ops->alloc_staging(mem->ctx, len, host_p) == TP_OK) {
        *pinned_p = 1;
        return TP_OK;
    }
    if (posix_memalign(host_p, page > 0 ? (size_t)page : 4096, len ? len : 1) != 0) {
        *host_p = NULL;
        return TP_ERR_NO_MEMORY;
    }
    return TP_OK;
}

void tp_mem_staging_free(const struct tp_mem_ops *ops, void *ctx, void *host, size_t len,
                         int pinned)
{
    if (host != NULL && pinned)
        ops->free_staging(ctx, host, len);
    else
        free(host);
}
