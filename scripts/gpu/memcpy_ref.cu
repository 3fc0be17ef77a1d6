// memcpy_ref.cu: the reference tierperf's GPU copies are compared with.
//   h2d, d2h               synchronous cudaMemcpy, pageable host memory
//                          (what the memory ops' copy_to/from_host do)
//   h2d_pinned, d2h_pinned cudaMemcpyAsync from/to page-locked memory,
//   d2d                    queued on one non-blocking stream and waited for
//                          once per batch: how `tierperf run --pattern copy`
//                          times them (copy_async + copy_wait)
//   p2p                    GPU DEVICE -> the next GPU with peer access, queued
//                          the same way (only with two GPUs)
// Prints "OP BYTES GB/s" lines, the format of mem_copy_bw.c.  No kernels:
// builds with nvcc or any C++ compiler and the static runtime.
//   memcpy_ref [DEVICE] [MAX_BYTES]
//   memcpy_ref --info [DEVICE]     runtime/driver versions, dma-buf support
#include <cuda.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

static double now_s()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// About 50 ms of copies at 20 GB/s, at least 5.
static int iters_for(size_t bytes)
{
    size_t n = (size_t)2e9 / 20 / (bytes ? bytes : 1);
    return n < 5 ? 5 : n > 2000 ? 2000 : (int)n;
}

#define CK(call)                                                              \
    do {                                                                      \
        cudaError_t e_ = (call);                                              \
        if (e_ != cudaSuccess) {                                              \
            fprintf(stderr, "memcpy_ref: %s: %s (%s)\n", #call,               \
                    cudaGetErrorString(e_), cudaGetErrorName(e_));            \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

static void print_rate(const char *op, size_t bytes, int iters, double t0)
{
    printf("%s %zu %.3f\n", op, bytes, (double)bytes * iters / (now_s() - t0) / 1e9);
    fflush(stdout);
}

// One synchronous copy per call, as copy_to_host / copy_from_host.
static void measure_sync(const char *op, void *dst, const void *src, size_t bytes,
                         cudaMemcpyKind kind)
{
    int iters = iters_for(bytes);
    for (int i = 0; i < 2; i++)
        CK(cudaMemcpy(dst, src, bytes, kind));
    CK(cudaDeviceSynchronize());
    double t0 = now_s();
    for (int i = 0; i < iters; i++)
        CK(cudaMemcpy(dst, src, bytes, kind));
    print_rate(op, bytes, iters, t0);
}

// A batch queued on one stream, one wait: as the copy pattern.
static void measure_queued(const char *op, void *dst, const void *src, size_t bytes,
                           cudaMemcpyKind kind, cudaStream_t s)
{
    int iters = iters_for(bytes);
    for (int i = 0; i < 2; i++)
        CK(cudaMemcpyAsync(dst, src, bytes, kind, s));
    CK(cudaStreamSynchronize(s));
    double t0 = now_s();
    for (int i = 0; i < iters; i++)
        CK(cudaMemcpyAsync(dst, src, bytes, kind, s));
    CK(cudaStreamSynchronize(s));
    print_rate(op, bytes, iters, t0);
}

static void info(int dev)
{
    int rt = 0, drv = 0, supported = -1;
    void *fn = NULL;
    cudaDriverEntryPointQueryResult found;

    cudaRuntimeGetVersion(&rt);
    cudaDriverGetVersion(&drv);
    printf("# runtime_version %d.%d\n", rt / 1000, rt % 1000 / 10);
    printf("# driver_version %d.%d\n", drv / 1000, drv % 1000 / 10);
#if CUDART_VERSION >= 12050
    cudaError_t e = cudaGetDriverEntryPointByVersion("cuDeviceGetAttribute", &fn, 2000,
                                                     cudaEnableDefault, &found);
#else
    cudaError_t e = cudaGetDriverEntryPoint("cuDeviceGetAttribute", &fn, cudaEnableDefault,
                                            &found);
#endif
    if (e == cudaSuccess && found == cudaDriverEntryPointSuccess && fn != NULL) {
        typedef CUresult (*get_attr_fn)(int *, CUdevice_attribute, CUdevice);
        CUresult r = ((get_attr_fn)fn)(&supported, CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED, dev);
        if (r != CUDA_SUCCESS)
            printf("# dmabuf_supported ? (cuDeviceGetAttribute: CUresult %d)\n", (int)r);
        else
            printf("# dmabuf_supported %d\n", supported);
    } else {
        printf("# dmabuf_supported ? (%s)\n", cudaGetErrorString(e));
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--info") == 0) {
        info(argc > 2 ? atoi(argv[2]) : 0);
        return 0;
    }
    int dev = argc > 1 ? atoi(argv[1]) : 0, count = 0, peer = -1;
    size_t max = argc > 2 ? strtoull(argv[2], nullptr, 0) : (size_t)256 << 20;
    void *d0, *d1, *dp = NULL, *pinned;
    cudaDeviceProp prop;
    cudaStream_t s;

    CK(cudaGetDeviceCount(&count));
    for (int g = 0; g < count && peer < 0; g++) {
        int ok = 0;
        if (g != dev && cudaDeviceCanAccessPeer(&ok, dev, g) == cudaSuccess && ok)
            peer = g;
    }
    if (peer >= 0) {
        CK(cudaSetDevice(peer));
        CK(cudaMalloc(&dp, max));
    }
    CK(cudaSetDevice(dev));
    CK(cudaGetDeviceProperties(&prop, dev));
    printf("# device %s\n", prop.name);
    unsigned char *pageable = (unsigned char *)malloc(max);
    if (!pageable) {
        fprintf(stderr, "memcpy_ref: cannot allocate %zu bytes\n", max);
        return 1;
    }
    memset(pageable, 1, max);
    CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    CK(cudaMalloc(&d0, max));
    CK(cudaMalloc(&d1, max));
    CK(cudaMallocHost(&pinned, max));
    memset(pinned, 1, max);
    if (peer >= 0) {
        CK(cudaDeviceEnablePeerAccess(peer, 0));
        printf("# peer cuda:%d -> cuda:%d\n", dev, peer);
    }
    for (size_t b = 4096; b <= max; b *= 4) {
        measure_sync("h2d", d0, pageable, b, cudaMemcpyHostToDevice);
        measure_sync("d2h", pageable, d0, b, cudaMemcpyDeviceToHost);
        measure_queued("h2d_pinned", d0, pinned, b, cudaMemcpyHostToDevice, s);
        measure_queued("d2h_pinned", pinned, d0, b, cudaMemcpyDeviceToHost, s);
        measure_queued("d2d", d1, d0, b, cudaMemcpyDeviceToDevice, s);
        if (peer >= 0)
            measure_queued("p2p", dp, d0, b, cudaMemcpyDeviceToDevice, s);
    }
    CK(cudaStreamDestroy(s));
    CK(cudaFreeHost(pinned));
    CK(cudaFree(d0));
    CK(cudaFree(d1));
    if (dp != NULL)
        CK(cudaFree(dp));
    free(pageable);
    return 0;
}
