/* mem_cuda.c: GPU memory for --mem cuda[:N], through the CUDA runtime:
 * device buffers, synchronous copies, the staged path's page-locked
 * staging memory and per-lane asynchronous copies (one non-blocking CUDA
 * stream per lane), device-to-device copies, and dma-buf export for
 * GPUDirect RDMA.
 *
 * Linked against the static runtime only (CUDA::cudart_static), never
 * against libcuda: cudart loads the driver itself at first use, so the
 * same binary starts on machines without the NVIDIA driver and --mem cuda
 * fails there with TP_ERR_NO_DEVICE instead of the loader refusing to run
 * tierperf at all.  The two driver calls we need (dma-buf export, sync
 * memops) are looked up through cudart's driver entry-point API for the
 * same reason. */
#include "memory.h"

#include <cuda.h>           /* driver types only; no driver symbols linked */
#include <cuda_runtime_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"

/* cudaGetDriverEntryPoint's CUDA 12 form (with the query result); the
 * build leaves CUDA out for older toolkits (CMakeLists.txt). */
#if CUDART_VERSION < 12000
#error "tierperf's CUDA memory kind needs CUDA 12.0 or newer"
#endif

/* GPU pages are 64 KiB; allocating whole ones keeps a page-aligned dma-buf
 * range for any buffer inside its own allocation. */
#define CUDA_ALLOC_GRAIN ((size_t)64 * 1024)

typedef CUresult (*cuda_get_handle_fn)(void *handle, CUdeviceptr dptr,
                                       size_t size,
                                       CUmemRangeHandleType type,
                                       unsigned long long flags);
typedef CUresult (*cuda_set_attr_fn)(const void *value,
                                     CUpointer_attribute attr,
                                     CUdeviceptr ptr);
typedef CUresult (*cuda_get_attr_fn)(void *data, CUpointer_attribute attr,
                                     CUdeviceptr ptr);
typedef CUresult (*cuda_addr_range_fn)(CUdeviceptr *base, size_t *size,
                                       CUdeviceptr ptr);
typedef CUresult (*cuda_dev_attr_fn)(int *value, CUdevice_attribute attr,
                                     CUdevice dev);
typedef CUresult (*cuda_err_name_fn)(CUresult error, const char **name);

/* The driver functions, looked up once per context; NULL where the
 * driver lacks one. */
struct cuda_driver {
    cuda_get_handle_fn get_handle;  /* NULL: driver too old for dma-buf */
    cuda_set_attr_fn set_attr;      /* NULL: synchronise after copies */
    cuda_get_attr_fn get_attr;
    cuda_addr_range_fn addr_range;
    cuda_dev_attr_fn dev_attr;
    cuda_err_name_fn err_name;
};

struct cuda_ctx {
    int device;
    size_t host_page;
    cudaStream_t lanes[TP_MEM_LANES];   /* the staged path's copy queues */
    struct cuda_driver drv;
    int dmabuf_supported;   /* CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED */
    char dmabuf_why[160];   /* why not, with the query's CUresult */
    /* SYNC_MEMOPS could not be set (or read back) on some allocation:
     * synchronous copies then wait for the device before returning. */
    int sync_copies;
    int dmabuf_logged;      /* the export's failure is logged once */
    char desc[320];
};

/* A driver function by name, or NULL.  cudaVersion is the toolkit release
 * that introduced the signature we cast to. */
static void *cuda_driver_fn(const char *name, unsigned int version)
{
    void *fn = NULL;
    enum cudaDriverEntryPointQueryResult found;

#if CUDART_VERSION >= 12050
    if (cudaGetDriverEntryPointByVersion(name, &fn, version, cudaEnableDefault,
                                         &found) != cudaSuccess)
        return NULL;
#else
    (void)version;
    if (cudaGetDriverEntryPoint(name, &fn, cudaEnableDefault, &found) != cudaSuccess)
        return NULL;
#endif
    return found == cudaDriverEntryPointSuccess ? fn : NULL;
}

/* "CUDA_ERROR_NOT_SUPPORTED (801)": a driver result, by name when the
 * driver can say. */
static const char *cuda_result_name(const struct cuda_driver *drv, CUresult r, char *buf,
                                    size_t len)
{
    const char *name = NULL;

    if (drv->err_name == NULL || drv->err_name(r, &name) != CUDA_SUCCESS || name == NULL)
        name = "CUresult";
    snprintf(buf, len, "%s (%d)", name, (int)r);
    return buf;
}

static void cuda_driver_load(struct cuda_driver *drv)
{
    drv->get_handle = (cuda_get_handle_fn)cuda_driver_fn("cuMemGetHandleForAddressRange", 11070);
    drv->set_attr = (cuda_set_attr_fn)cuda_driver_fn("cuPointerSetAttribute", 6000);
    drv->get_attr = (cuda_get_attr_fn)cuda_driver_fn("cuPointerGetAttribute", 4000);
    drv->addr_range = (cuda_addr_range_fn)cuda_driver_fn("cuMemGetAddressRange", 3020);
    drv->dev_attr = (cuda_dev_attr_fn)cuda_driver_fn("cuDeviceGetAttribute", 2000);
    drv->err_name = (cuda_err_name_fn)cuda_driver_fn("cuGetErrorName", 6000);
}

/* The rank's index among the ranks on its node, from whichever launcher
 * started it; 0 when none says. */
static int cuda_local_rank(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID",
                                       "MPI_LOCALRANKID", "PMIX_LOCAL_RANK"};

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        const char *v = getenv(vars[i]);
        char *end;
        long r;

        if (v == NULL || *v == '\0')
            continue;
        r = strtol(v, &end, 10);
        if (*end == '\0' && r >= 0 && r < 1 << 20)
            return (int)r;
    }
    return 0;
}

static void cuda_destroy_lanes(struct cuda_ctx *ctx)
{
    for (int i = 0; i < TP_MEM_LANES; i++)
        if (ctx->lanes[i] != NULL)
            cudaStreamDestroy(ctx->lanes[i]);
}

/* Asked first, at open: the export is tried only where the device says
 * yes; the query's CUresult is kept for the line saying why not. */
static void cuda_dmabuf_query(struct cuda_ctx *ctx)
{
    CUresult r;

    ctx->dmabuf_supported = 0;
    if (ctx->drv.dev_attr == NULL) {
        snprintf(ctx->dmabuf_why, sizeof(ctx->dmabuf_why),
                 "the driver lacks cuDeviceGetAttribute");
        return;
    }
    r = ctx->drv.dev_attr(&ctx->dmabuf_supported, CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED,
                          (CUdevice)ctx->device);
    if (r != CUDA_SUCCESS) {
        char name[80];
        ctx->dmabuf_supported = 0;
        snprintf(ctx->dmabuf_why, sizeof(ctx->dmabuf_why),
                 "CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED query: %s",
                 cuda_result_name(&ctx->drv, r, name, sizeof(name)));
    } else if (!ctx->dmabuf_supported) {
        snprintf(ctx->dmabuf_why, sizeof(ctx->dmabuf_why),
                 "CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED is 0");
    } else if (ctx->drv.get_handle == NULL || ctx->drv.addr_range == NULL) {
        snprintf(ctx->dmabuf_why, sizeof(ctx->dmabuf_why),
                 "the driver lacks cuMemGetHandleForAddressRange");
    }
    tp_log_debug("cuda:%d: dma-buf export %s%s", ctx->device,
                 ctx->dmabuf_why[0] ? "off: " : "supported", ctx->dmabuf_why);
}

static tp_status_t cuda_init(int device, void **ctx_p, char *why, size_t whylen)
{
    struct cuda_ctx *ctx;
    struct cudaDeviceProp prop;
    char pci[32] = "?";
    long page = sysconf(_SC_PAGESIZE);
    int count = 0;
    cudaError_t ce;

    /* No driver, no GPU or a driver older than the runtime all land here;
     * the caller prints the one user-facing line. */
    ce = cudaGetDeviceCount(&count);
    if (ce != cudaSuccess) {
        snprintf(why, whylen, "cudaGetDeviceCount: %s", cudaGetErrorString(ce));
        return TP_ERR_NO_DEVICE;
    }
    if (device < 0 && count > 0)
        device = cuda_local_rank() % count;
    if (device < 0 || device >= count) {
        snprintf(why, whylen, "%d GPU(s) present", count);
        return TP_ERR_NO_DEVICE;
    }
    ce = cudaSetDevice(device);
    if (ce != cudaSuccess) {
        snprintf(why, whylen, "cudaSetDevice(%d): %s", device, cudaGetErrorString(ce));
        return TP_ERR_NO_DEVICE;
    }
    ce = cudaGetDeviceProperties(&prop, device);
    if (ce != cudaSuccess) {
        snprintf(why, whylen, "cudaGetDeviceProperties(%d): %s", device, cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    cudaDeviceGetPCIBusId(pci, (int)sizeof(pci), device);

    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return TP_ERR_NO_MEMORY;
    ctx->device = device;
    ctx->host_page = page > 0 ? (size_t)page : 4096;
    /* Non-blocking: the lanes must not wait for the legacy default stream
     * (cudaMemcpy elsewhere), or the pipeline would serialize. */
    for (int i = 0; i < TP_MEM_LANES; i++) {
        ce = cudaStreamCreateWithFlags(&ctx->lanes[i], cudaStreamNonBlocking);
        if (ce != cudaSuccess) {
            snprintf(why, whylen, "cudaStreamCreate: %s", cudaGetErrorString(ce));
            cuda_destroy_lanes(ctx);
            free(ctx);
            return TP_ERR_IO;
        }
    }
    cuda_driver_load(&ctx->drv);
    cuda_dmabuf_query(ctx);
    snprintf(ctx->desc, sizeof(ctx->desc), "%s (cuda:%d, PCI %s, %.1f GiB)",
             prop.name, device, pci, (double)prop.totalGlobalMem / (1024.0 * 1024 * 1024));
    *ctx_p = ctx;
    return TP_OK;
}

static void cuda_finalize(void *vctx)
{
    struct cuda_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    if (cudaSetDevice(ctx->device) == cudaSuccess)
        cuda_destroy_lanes(ctx);
    free(ctx);
}

/* The current device is per thread and transports may call us from their
 * own progress threads, so every entry point selects it again. */
static tp_status_t cuda_select(const struct cuda_ctx *ctx)
{
    cudaError_t ce = cudaSetDevice(ctx->device);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaSetDevice: %s", ctx->device, cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

/* A NIC writing GPU memory behind CUDA's back (GPUDirect RDMA) must see
 * synchronous copies completed; CUDA asks for SYNC_MEMOPS then.  Set and
 * read back; where either fails, synchronous copies wait for the device
 * themselves (cuda_copy). */
static void cuda_sync_memops(struct cuda_ctx *ctx, void *p)
{
    unsigned int one = 1, got = 0;
    CUdeviceptr dp = (CUdeviceptr)(uintptr_t)p;
    CUresult r = CUDA_ERROR_NOT_SUPPORTED;
    char name[80];

    if (ctx->drv.set_attr != NULL && ctx->drv.get_attr != NULL) {
        r = ctx->drv.set_attr(&one, CU_POINTER_ATTRIBUTE_SYNC_MEMOPS, dp);
        if (r == CUDA_SUCCESS)
            r = ctx->drv.get_attr(&got, CU_POINTER_ATTRIBUTE_SYNC_MEMOPS, dp);
    }
    if (r == CUDA_SUCCESS && got == 1)
        return;
    if (!ctx->sync_copies)
        tp_log_warn("cuda:%d: CU_POINTER_ATTRIBUTE_SYNC_MEMOPS not set (%s): copies wait "
                    "for the device", ctx->device,
                    r == CUDA_SUCCESS ? "read back 0" : cuda_result_name(&ctx->drv, r, name,
                                                                         sizeof(name)));
    ctx->sync_copies = 1;
}

static tp_status_t cuda_alloc(void *vctx, size_t len, void **buf_p)
{
    struct cuda_ctx *ctx = vctx;
    size_t rounded = (len + CUDA_ALLOC_GRAIN - 1) / CUDA_ALLOC_GRAIN * CUDA_ALLOC_GRAIN;
    void *p = NULL;
    cudaError_t ce;

    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    if (rounded == 0)
        rounded = CUDA_ALLOC_GRAIN;
    ce = cudaMalloc(&p, rounded);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaMalloc(%zu): %s", ctx->device, rounded,
                     cudaGetErrorString(ce));
        return ce == cudaErrorMemoryAllocation ? TP_ERR_NO_MEMORY : TP_ERR_IO;
    }
    /* Like host memory: touched before timing, and deterministic content. */
    ce = cudaMemset(p, 0, rounded);
    if (ce == cudaSuccess)
        ce = cudaDeviceSynchronize();
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaMemset: %s", ctx->device, cudaGetErrorString(ce));
        cudaFree(p);
        return TP_ERR_IO;
    }
    cuda_sync_memops(ctx, p);
    *buf_p = p;
    return TP_OK;
}

static void cuda_free(void *vctx, void *buf, size_t len)
{
    (void)len;
    if (buf != NULL && cuda_select(vctx) == TP_OK)
        cudaFree(buf);
}

static const char *cuda_kind_name(enum cudaMemcpyKind kind)
{
    switch (kind) {
    case cudaMemcpyDeviceToHost: return "to host";
    case cudaMemcpyHostToDevice: return "from host";
    case cudaMemcpyDeviceToDevice: return "device to device";
    case cudaMemcpyDefault: return "device to device or peer";
    default: return "?";
    }
}

static tp_status_t cuda_copy(struct cuda_ctx *ctx, void *dst, const void *src,
                             size_t len, enum cudaMemcpyKind kind)
{
    cudaError_t ce;

    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaMemcpy(dst, src, len, kind);
    if (ce == cudaSuccess && ctx->sync_copies)
        ce = cudaStreamSynchronize(0);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaMemcpy(%zu bytes, %s): %s", ctx->device, len,
                     cuda_kind_name(kind), cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

static tp_status_t cuda_copy_to_host(void *vctx, void *host_dst, const void *src,
                                     size_t len)
{
    return cuda_copy(vctx, host_dst, src, len, cudaMemcpyDeviceToHost);
}

static tp_status_t cuda_copy_from_host(void *vctx, void *dst, const void *host_src,
                                       size_t len)
{
    return cuda_copy(vctx, dst, host_src, len, cudaMemcpyHostToDevice);
}

/* cudaMemcpy device to device returns before the copy ends; wait, so the
 * caller times the copy and not its queuing. */
static tp_status_t cuda_copy_local(void *vctx, void *dst, const void *src, size_t len)
{
    struct cuda_ctx *ctx = vctx;
    tp_status_t st = cuda_copy(ctx, dst, src, len, cudaMemcpyDeviceToDevice);
    cudaError_t ce;

    if (st != TP_OK)
        return st;
    ce = cudaStreamSynchronize(0);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: device to device copy of %zu bytes: %s", ctx->device, len,
                     cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

/* Page-locked, so cudaMemcpyAsync is a DMA that overlaps with the CPU and
 * the network; pageable memory would make it synchronous. */
static tp_status_t cuda_alloc_staging(void *vctx, size_t len, void **host_p)
{
    struct cuda_ctx *ctx = vctx;
    void *p = NULL;
    cudaError_t ce;

    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaHostAlloc(&p, len ? len : 1, cudaHostAllocDefault);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaHostAlloc(%zu): %s (page-locked memory is limited by "
                     "RLIMIT_MEMLOCK and the host's RAM)", ctx->device, len, cudaGetErrorString(ce));
        return ce == cudaErrorMemoryAllocation ? TP_ERR_NO_MEMORY : TP_ERR_IO;
    }
    memset(p, 0, len);
    *host_p = p;
    return TP_OK;
}

static void cuda_free_staging(void *vctx, void *host, size_t len)
{
    (void)len;
    if (host != NULL && cuda_select(vctx) == TP_OK)
        cudaFreeHost(host);
}

static tp_status_t cuda_copy_async(void *vctx, void *dst, const void *src, size_t len,
                                   enum tp_mem_dir dir, unsigned lane)
{
    struct cuda_ctx *ctx = vctx;
    /* TP_MEM_LOCAL: Default (unified addressing), so a peer GPU's buffer
     * works as well as this one's */
    enum cudaMemcpyKind kind = dir == TP_MEM_TO_HOST  ? cudaMemcpyDeviceToHost
                               : dir == TP_MEM_LOCAL ? cudaMemcpyDefault
                                                     : cudaMemcpyHostToDevice;
    cudaError_t ce;

    if (lane >= TP_MEM_LANES)
        return TP_ERR_INVALID;
    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaMemcpyAsync(dst, src, len, kind, ctx->lanes[lane]);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaMemcpyAsync(%zu bytes, %s, lane %u): %s", ctx->device,
                     len, cuda_kind_name(kind), lane, cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

static tp_status_t cuda_copy_wait(void *vctx, unsigned lane)
{
    struct cuda_ctx *ctx = vctx;
    cudaError_t ce;

    if (lane >= TP_MEM_LANES)
        return TP_ERR_INVALID;
    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaStreamSynchronize(ctx->lanes[lane]);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: copy on lane %u failed: %s", ctx->device, lane,
                     cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

static tp_status_t cuda_event_create(void *vctx, void **ev_p)
{
    struct cuda_ctx *ctx = vctx;
    cudaEvent_t ev = NULL;
    cudaError_t ce;

    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaEventCreateWithFlags(&ev, cudaEventDisableTiming);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaEventCreate: %s", ctx->device, cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    *ev_p = ev;
    return TP_OK;
}

static void cuda_event_destroy(void *vctx, void *ev)
{
    if (ev != NULL && cuda_select(vctx) == TP_OK)
        cudaEventDestroy((cudaEvent_t)ev);
}

static tp_status_t cuda_event_record(void *vctx, void *ev, unsigned lane)
{
    struct cuda_ctx *ctx = vctx;
    cudaError_t ce;

    if (lane >= TP_MEM_LANES)
        return TP_ERR_INVALID;
    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaEventRecord((cudaEvent_t)ev, ctx->lanes[lane]);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: cudaEventRecord(lane %u): %s", ctx->device, lane,
                     cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

static tp_status_t cuda_event_wait(void *vctx, void *ev)
{
    struct cuda_ctx *ctx = vctx;
    cudaError_t ce;

    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    ce = cudaEventSynchronize((cudaEvent_t)ev);
    if (ce != cudaSuccess) {
        tp_log_error("cuda:%d: a staged copy failed: %s", ctx->device, cudaGetErrorString(ce));
        return TP_ERR_IO;
    }
    return TP_OK;
}

/* The first other GPU this one can reach directly (NVLink or PCIe peer
 * access), access enabled, and len bytes there. */
static tp_status_t cuda_peer_alloc(void *vctx, size_t len, void **buf_p, int *peer_p)
{
    struct cuda_ctx *ctx = vctx;
    int count = 0, peer = -1, ok = 0;
    void *p = NULL;
    cudaError_t ce;

    if (cudaGetDeviceCount(&count) != cudaSuccess)
        return TP_ERR_UNSUPPORTED;
    for (int g = 0; g < count && peer < 0; g++)
        if (g != ctx->device && cudaDeviceCanAccessPeer(&ok, ctx->device, g) == cudaSuccess &&
            ok)
            peer = g;
    if (peer < 0 || cuda_select(ctx) != TP_OK)
        return TP_ERR_UNSUPPORTED;
    ce = cudaDeviceEnablePeerAccess(peer, 0);
    if (ce != cudaSuccess && ce != cudaErrorPeerAccessAlreadyEnabled) {
        tp_log_warn("cuda:%d: peer access to cuda:%d: %s", ctx->device, peer,
                    cudaGetErrorString(ce));
        return TP_ERR_UNSUPPORTED;
    }
    (void)cudaGetLastError();   /* AlreadyEnabled is sticky otherwise */
    ce = cudaSetDevice(peer);
    if (ce == cudaSuccess)
        ce = cudaMalloc(&p, len ? len : 1);
    if (ce == cudaSuccess)
        ce = cudaMemset(p, 0, len ? len : 1);
    if (ce == cudaSuccess)
        ce = cudaDeviceSynchronize();
    cuda_select(ctx);
    if (ce != cudaSuccess) {
        tp_log_warn("cuda:%d: %zu bytes on peer cuda:%d: %s", ctx->device, len, peer,
                    cudaGetErrorString(ce));
        if (p != NULL)
            cudaFree(p);
        return TP_ERR_NO_MEMORY;
    }
    *buf_p = p;
    *peer_p = peer;
    return TP_OK;
}

static void cuda_peer_free(void *vctx, void *buf, int peer)
{
    if (buf == NULL || cudaSetDevice(peer) != cudaSuccess)
        return;
    cudaFree(buf);
    cuda_select(vctx);
}

static int cuda_device_of(void *vctx)
{
    return ((struct cuda_ctx *)vctx)->device;
}

static const char *cuda_describe(void *vctx)
{
    return ((struct cuda_ctx *)vctx)->desc;
}

/* The whole allocation holding [addr, addr+len) is exported, from its
 * start (cuMemGetAddressRange), and addr's offset inside it reported: the
 * driver exports whole allocations most reliably, and cuda_alloc's are
 * whole 64 KiB GPU pages. */
static tp_status_t cuda_get_dmabuf(void *vctx, void *addr, size_t len, int *fd_p,
                                   size_t *offset_p)
{
    struct cuda_ctx *ctx = vctx;
    CUdeviceptr base = 0;
    size_t size = 0;
    int fd = -1;
    CUresult cr;
    char name[80];

    if (!ctx->dmabuf_supported || ctx->drv.get_handle == NULL || ctx->drv.addr_range == NULL) {
        if (!ctx->dmabuf_logged)
            tp_log_info("cuda:%d: no dma-buf export (%s)", ctx->device, ctx->dmabuf_why);
        ctx->dmabuf_logged = 1;
        return TP_ERR_UNSUPPORTED;
    }
    if (cuda_select(ctx) != TP_OK)
        return TP_ERR_IO;
    cr = ctx->drv.addr_range(&base, &size, (CUdeviceptr)(uintptr_t)addr);
    if (cr == CUDA_SUCCESS && (uintptr_t)addr + len > (uintptr_t)base + size)
        cr = CUDA_ERROR_INVALID_VALUE;      /* spans two allocations */
    if (cr == CUDA_SUCCESS)
        cr = ctx->drv.get_handle(&fd, base, (size + ctx->host_page - 1) & ~(ctx->host_page - 1),
                                 CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD, 0);
    if (cr != CUDA_SUCCESS || fd < 0) {
        /* NOT_SUPPORTED: kernel or GPU without dma-buf (needs the open
         * kernel modules, Turing or newer, Linux >= 5.12). */
        if (!ctx->dmabuf_logged)
            tp_log_warn("cuda:%d: dma-buf export of %zu bytes failed: %s", ctx->device, size,
                        cuda_result_name(&ctx->drv, cr, name, sizeof(name)));
        ctx->dmabuf_logged = 1;
        return cr == CUDA_ERROR_NOT_SUPPORTED ? TP_ERR_UNSUPPORTED : TP_ERR_IO;
    }
    *fd_p = fd;
    *offset_p = (size_t)((uintptr_t)addr - (uintptr_t)base);
    return TP_OK;
}

/* Bus ids only: neither call creates a context on any GPU, so --gpu auto
 * costs no GPU memory on the devices it does not pick. */
static tp_status_t cuda_list_devices(char (*pci)[TP_MEM_PCI_LEN], int max, int *n_p,
                                     char *why, size_t whylen)
{
    int count = 0;
    cudaError_t ce = cudaGetDeviceCount(&count);

    if (ce != cudaSuccess) {
        snprintf(why, whylen, "cudaGetDeviceCount: %s", cudaGetErrorString(ce));
        return TP_ERR_NO_DEVICE;
    }
    if (count > max)
        count = max;
    for (int i = 0; i < count; i++) {
        ce = cudaDeviceGetPCIBusId(pci[i], TP_MEM_PCI_LEN, i);
        if (ce != cudaSuccess) {
            snprintf(why, whylen, "cudaDeviceGetPCIBusId(%d): %s", i, cudaGetErrorString(ce));
            return TP_ERR_IO;
        }
    }
    *n_p = count;
    return TP_OK;
}

const struct tp_mem_ops tp_mem_cuda_ops = {
    .size = sizeof(struct tp_mem_ops),
    .name = "cuda",
    .is_host = 0,
    .init = cuda_init,
    .finalize = cuda_finalize,
    .alloc = cuda_alloc,
    .free = cuda_free,
    .copy_to_host = cuda_copy_to_host,
    .copy_from_host = cuda_copy_from_host,
    .describe = cuda_describe,
    .get_dmabuf = cuda_get_dmabuf,
    .alloc_staging = cuda_alloc_staging,
    .free_staging = cuda_free_staging,
    .copy_async = cuda_copy_async,
    .copy_wait = cuda_copy_wait,
    .copy_local = cuda_copy_local,
    .device_of = cuda_device_of,
    .list_devices = cuda_list_devices,
    .event_create = cuda_event_create,
    .event_destroy = cuda_event_destroy,
    .event_record = cuda_event_record,
    .event_wait = cuda_event_wait,
    .peer_alloc = cuda_peer_alloc,
    .peer_free = cuda_peer_free,
};
