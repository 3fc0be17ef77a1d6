/* mem_host.c: page-aligned host memory. */
#include "memory.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tp_status_t host_init(int device, void **ctx_p, char *why, size_t whylen)
{
    (void)device;
    (void)why;
    (void)whylen;
    *ctx_p = NULL;
    return TP_OK;
}

static void host_finalize(void *ctx) { (void)ctx; }

static tp_status_t host_alloc(void *ctx, size_t len, void **buf_p)
{
    long page = sysconf(_SC_PAGESIZE);
    void *p = NULL;

    (void)ctx;
    if (tp_mem_host_hugepages())
        return tp_mem_host_huge_alloc(len, buf_p);
    if (posix_memalign(&p, page > 0 ? (size_t)page : 4096, len ? len : 1) != 0)
        return TP_ERR_NO_MEMORY;
    memset(p, 0, len);      /* fault the pages in before timing */
    *buf_p = p;
    return TP_OK;
}

static void host_free(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    if (tp_mem_host_hugepages())
        tp_mem_host_huge_free(buf, len);
    else
        free(buf);
}

static tp_status_t host_copy(void *ctx, void *dst, const void *src, size_t len)
{
    (void)ctx;
    memcpy(dst, src, len);
    return TP_OK;
}

static tp_status_t host_copy_async(void *ctx, void *dst, const void *src, size_t len,
                                   enum tp_mem_dir dir, unsigned lane)
{
    (void)dir;
    if (lane >= TP_MEM_LANES)
        return TP_ERR_INVALID;
    return host_copy(ctx, dst, src, len);
}

static tp_status_t host_copy_wait(void *ctx, unsigned lane)
{
    (void)ctx;
    return lane < TP_MEM_LANES ? TP_OK : TP_ERR_INVALID;
}

static int host_device_of(void *ctx)
{
    (void)ctx;
    return -1;
}

static tp_status_t host_list_devices(char (*pci)[TP_MEM_PCI_LEN], int max, int *n_p,
                                     char *why, size_t whylen)
{
    (void)why;
    (void)whylen;
    (void)pci;
    (void)max;
    *n_p = 0;
    return TP_OK;
}

const struct tp_mem_ops tp_mem_host_ops = {
    .size = sizeof(struct tp_mem_ops),
    .name = "host",
    .is_host = 1,
    .init = host_init,
    .finalize = host_finalize,
    .alloc = host_alloc,
    .free = host_free,
    .copy_to_host = host_copy,
    .copy_from_host = host_copy,
    .describe = NULL,
    .get_dmabuf = NULL,
    .alloc_staging = host_alloc,
    .free_staging = host_free,
    .copy_async = host_copy_async,
    .copy_wait = host_copy_wait,
    .copy_local = host_copy,
    .device_of = host_device_of,
    .list_devices = host_list_devices,
};
