// memcpy_ref.cu: the reference tierperf's GPU copies are compared with:
// plain synchronous cudaMemcpy on pageable host memory (what the memory
// ops do), plus pinned host memory and device-to-device as ceilings.
// Prints "OP BYTES GB/s" lines, the format of mem_copy_bw.c.
//   memcpy_ref [DEVICE] [MAX_BYTES]
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

static int iters_for(size_t bytes)
{
    size_t n = (size_t)2e9 / 20 / (bytes ? bytes : 1);
    return n < 5 ? 5 : n > 2000 ? 2000 : (int)n;
}

#define CK(call)                                                              \
    do {                                                                      \
        cudaError_t e_ = (call);                                              \
        if (e_ != cudaSuccess) {                                              \
            fprintf(stderr, "memcpy_ref: %s: %s\n", #call, cudaGetErrorString(e_)); \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

static void measure(const char *op, void *dst, const void *src, size_t bytes,
                    cudaMemcpyKind kind)
{
    int iters = iters_for(bytes);
    double t0 = 0;
    for (int i = -2; i < iters; i++) {
        if (i == 0)
            t0 = now_s();
        CK(cudaMemcpy(dst, src, bytes, kind));
    }
    // device-to-device cudaMemcpy returns before the copy ends
    CK(cudaDeviceSynchronize());
    printf("%s %zu %.3f\n", op, bytes, (double)bytes * iters / (now_s() - t0) / 1e9);
}

int main(int argc, char **argv)
{
    int dev = argc > 1 ? atoi(argv[1]) : 0;
    size_t max = argc > 2 ? strtoull(argv[2], nullptr, 0) : (size_t)256 << 20;
    void *d0, *d1, *pinned;
    cudaDeviceProp prop;

    CK(cudaSetDevice(dev));
    CK(cudaGetDeviceProperties(&prop, dev));
    printf("# device %s\n", prop.name);
    unsigned char *pageable = (unsigned char *)malloc(max);
    if (!pageable) {
        fprintf(stderr, "memcpy_ref: cannot allocate %zu bytes\n", max);
        return 1;
    }
    memset(pageable, 1, max);
    CK(cudaMalloc(&d0, max));
    CK(cudaMalloc(&d1, max));
    CK(cudaMallocHost(&pinned, max));
    memset(pinned, 1, max);
    for (size_t b = 4096; b <= max; b *= 4) {
        measure("h2d", d0, pageable, b, cudaMemcpyHostToDevice);
        measure("d2h", pageable, d0, b, cudaMemcpyDeviceToHost);
        measure("h2d_pinned", d0, pinned, b, cudaMemcpyHostToDevice);
        measure("d2h_pinned", pinned, d0, b, cudaMemcpyDeviceToHost);
        measure("d2d", d1, d0, b, cudaMemcpyDeviceToDevice);
    }
    CK(cudaFreeHost(pinned));
    CK(cudaFree(d0));
    CK(cudaFree(d1));
    free(pageable);
    return 0;
}
