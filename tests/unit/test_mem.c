/* test_mem.c: memory kinds: spec parsing, host buffers, and what --mem cuda
 * does in this build on this machine (no CUDA built in, no GPU, or a GPU). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "transports/memory.h"

static void assert_one_line_naming(const struct tp_error *err, const char *spec)
{
    cr_assert(strchr(err->msg, '\n') == NULL, "message spans lines: %s", err->msg);
    cr_assert(strstr(err->msg, spec) != NULL, "message does not name '%s': %s",
              spec, err->msg);
}

Test(mem, host_alloc_is_page_aligned_zeroed_and_copies)
{
    struct tp_mem mem = {0};
    struct tp_error err = {0};
    unsigned char src[3000], back[3000];
    void *buf = NULL;

    cr_assert_eq(tp_mem_open("host", &mem, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(mem.device, -1);
    cr_assert(mem.ops->is_host);
    cr_assert_eq(mem.ops->alloc(mem.ctx, sizeof(src), &buf), TP_OK);
    cr_assert_eq((uintptr_t)buf % (uintptr_t)sysconf(_SC_PAGESIZE), 0);
    for (size_t i = 0; i < sizeof(src); i++) {
        cr_assert_eq(((unsigned char *)buf)[i], 0, "byte %zu not zeroed", i);
        src[i] = (unsigned char)(i * 7 + 1);
    }
    cr_assert_eq(mem.ops->copy_from_host(mem.ctx, buf, src, sizeof(src)), TP_OK);
    memset(back, 0, sizeof(back));
    cr_assert_eq(mem.ops->copy_to_host(mem.ctx, back, buf, sizeof(back)), TP_OK);
    cr_assert_arr_eq(back, src, sizeof(src));
    cr_assert_null(mem.ops->get_dmabuf, "host memory has no dma-buf export");
    mem.ops->free(mem.ctx, buf, sizeof(src));
    tp_mem_close(&mem);
    cr_assert_null(mem.ops);
}

/* The staged path's slots on host memory: every slot is there, lanes are
 * bounded, and data goes both ways through staging memory. */
Test(mem, host_staging_async_and_local_copies)
{
    struct tp_mem mem = {0};
    struct tp_error err = {0};
    enum { LEN = 5000 };
    unsigned char *stage = NULL, *buf = NULL, *other = NULL;

    cr_assert_eq(tp_mem_open("host", &mem, &err), TP_OK, "%s", err.msg);
    cr_assert_not_null(mem.ops->alloc_staging);
    cr_assert_not_null(mem.ops->copy_async);
    cr_assert_not_null(mem.ops->copy_wait);
    cr_assert_not_null(mem.ops->copy_local);
    cr_assert_eq(mem.ops->device_of(mem.ctx), -1);
    cr_assert_eq(mem.ops->alloc_staging(mem.ctx, LEN, (void **)&stage), TP_OK);
    cr_assert_eq(mem.ops->alloc(mem.ctx, LEN, (void **)&buf), TP_OK);
    cr_assert_eq(mem.ops->alloc(mem.ctx, LEN, (void **)&other), TP_OK);
    for (size_t i = 0; i < LEN; i++)
        stage[i] = (unsigned char)(i * 11 + 3);
    /* Two halves on two lanes, then back through the staging buffer. */
    cr_assert_eq(mem.ops->copy_async(mem.ctx, buf, stage, LEN / 2, TP_MEM_FROM_HOST, 0), TP_OK);
    cr_assert_eq(mem.ops->copy_async(mem.ctx, buf + LEN / 2, stage + LEN / 2, LEN - LEN / 2,
                                     TP_MEM_FROM_HOST, TP_MEM_LANES - 1), TP_OK);
    cr_assert_eq(mem.ops->copy_wait(mem.ctx, 0), TP_OK);
    cr_assert_eq(mem.ops->copy_wait(mem.ctx, TP_MEM_LANES - 1), TP_OK);
    cr_assert_eq(mem.ops->copy_local(mem.ctx, other, buf, LEN), TP_OK);
    /* d2d queued like the others (the copy pattern's d2d) */
    memset(buf, 0, LEN);
    cr_assert_eq(mem.ops->copy_async(mem.ctx, buf, other, LEN, TP_MEM_LOCAL, 2), TP_OK);
    cr_assert_eq(mem.ops->copy_wait(mem.ctx, 2), TP_OK);
    cr_assert_arr_eq(buf, other, LEN);
    memset(stage, 0, LEN);
    cr_assert_eq(mem.ops->copy_async(mem.ctx, stage, other, LEN, TP_MEM_TO_HOST, 1), TP_OK);
    cr_assert_eq(mem.ops->copy_wait(mem.ctx, 1), TP_OK);
    for (size_t i = 0; i < LEN; i++)
        cr_assert_eq(stage[i], (unsigned char)(i * 11 + 3), "byte %zu", i);
    cr_assert_eq(mem.ops->copy_async(mem.ctx, stage, buf, 1, TP_MEM_TO_HOST, TP_MEM_LANES),
                 TP_ERR_INVALID, "lane past the last accepted");
    cr_assert_eq(mem.ops->copy_wait(mem.ctx, TP_MEM_LANES), TP_ERR_INVALID);
    mem.ops->free(mem.ctx, other, LEN);
    mem.ops->free(mem.ctx, buf, LEN);
    mem.ops->free_staging(mem.ctx, stage, LEN);
    tp_mem_close(&mem);
}

Test(mem, bad_specs_are_invalid_with_one_line)
{
    static const char *const bad[] = {"cuda:x", "cuda:", "cuda:-1", "cuda:1x",
                                      "cuda:99999", "cudax", "gpu", "", "HOST"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tp_mem mem = {0};
        struct tp_error err = {0};
        cr_assert_eq(tp_mem_open(bad[i], &mem, &err), TP_ERR_INVALID,
                     "spec '%s' accepted", bad[i]);
        cr_assert_eq(err.status, TP_ERR_INVALID);
        assert_one_line_naming(&err, bad[i]);
        cr_assert_null(mem.ops, "spec '%s' left an opened kind", bad[i]);
    }
}

/* --gpu auto's device list: host memory has no devices. */
Test(mem, host_lists_no_devices)
{
    char pci[4][TP_MEM_PCI_LEN];
    struct tp_error err = {0};
    int n = -1;

    cr_assert_eq(tp_mem_devices("host", pci, 4, &n, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(n, 0);
    cr_assert_eq(tp_mem_devices("gpu", pci, 4, &n, &err), TP_ERR_INVALID);
    assert_one_line_naming(&err, "gpu");
}

#ifndef TIERPERF_HAVE_CUDA

Test(mem, cuda_without_cuda_build_is_unsupported)
{
    struct tp_mem mem = {0};
    struct tp_error err = {0};
    char pci[4][TP_MEM_PCI_LEN];
    int n = -1;

    cr_assert_eq(tp_mem_open("cuda:0", &mem, &err), TP_ERR_UNSUPPORTED);
    assert_one_line_naming(&err, "cuda:0");
    cr_assert(strstr(err.msg, "built without CUDA") != NULL, "%s", err.msg);
    memset(&err, 0, sizeof(err));
    cr_assert_eq(tp_mem_devices("cuda", pci, 4, &n, &err), TP_ERR_UNSUPPORTED);
    cr_assert(strstr(err.msg, "built without CUDA") != NULL, "%s", err.msg);
    cr_assert_eq(n, -1, "count written on failure");
}

#else

#include <cuda_runtime_api.h>

/* The CUDA runtime's own reason, as the error line must carry it. */
static void assert_names_cuda_error(const struct tp_error *err)
{
    int count = 0;
    cudaError_t ce = cudaGetDeviceCount(&count);

    cr_assert_neq(ce, cudaSuccess);
    cr_assert(strstr(err->msg, "(cudaGetDeviceCount: ") != NULL, "%s", err->msg);
    cr_assert(strstr(err->msg, cudaGetErrorString(ce)) != NULL, "'%s' lacks '%s'", err->msg,
              cudaGetErrorString(ce));
}

/* A usable NVIDIA driver exposes this node; without it CUDA cannot see a
 * GPU, whatever the toolkit. */
static int have_nvidia_driver(void)
{
    return access("/dev/nvidiactl", F_OK) == 0;
}

Test(mem, cuda_device_out_of_range_is_no_device)
{
    struct tp_mem mem = {0};
    struct tp_error err = {0};

    cr_assert_eq(tp_mem_open("cuda:1023", &mem, &err), TP_ERR_NO_DEVICE, "%s", err.msg);
    assert_one_line_naming(&err, "cuda:1023");
    cr_assert_null(mem.ops);
}

Test(mem, cuda_without_driver_is_no_device)
{
    struct tp_mem mem = {0};
    struct tp_error err = {0};

    if (have_nvidia_driver())
        cr_skip_test("an NVIDIA driver is present; covered by cuda_roundtrip");
    cr_assert_eq(tp_mem_open("cuda", &mem, &err), TP_ERR_NO_DEVICE, "%s", err.msg);
    cr_assert_eq(err.status, TP_ERR_NO_DEVICE);
    assert_one_line_naming(&err, "cuda");
    assert_names_cuda_error(&err);
    cr_assert_null(mem.ops);
}

Test(mem, cuda_device_list_without_driver_is_no_device)
{
    struct tp_error err = {0};
    char pci[4][TP_MEM_PCI_LEN];
    int n = -1;

    if (have_nvidia_driver())
        cr_skip_test("an NVIDIA driver is present; covered by cuda_lists_pci_bus_ids");
    cr_assert_eq(tp_mem_devices("cuda", pci, 4, &n, &err), TP_ERR_NO_DEVICE, "%s", err.msg);
    assert_one_line_naming(&err, "cuda");
    assert_names_cuda_error(&err);
    cr_assert_eq(n, -1, "count written on failure");
}

/* On a GPU: one bus id per device, in the form hwloc parses. */
Test(mem, cuda_lists_pci_bus_ids)
{
    struct tp_error err = {0};
    char pci[64][TP_MEM_PCI_LEN];
    int n = 0;
    unsigned dom, bus, dev, fn;

    if (!have_nvidia_driver())
        cr_skip_test("no NVIDIA driver on this machine");
    cr_assert_eq(tp_mem_devices("cuda", pci, 64, &n, &err), TP_OK, "%s", err.msg);
    cr_assert_gt(n, 0);
    for (int i = 0; i < n; i++)
        cr_assert_eq(sscanf(pci[i], "%x:%x:%x.%x", &dom, &bus, &dev, &fn), 4, "'%s'", pci[i]);
}

/* Runs where a GPU is lent (scripts/gpu-check.sh runs the unit tests). */
Test(mem, cuda_roundtrip_and_dmabuf_offset)
{
    struct tp_mem mem = {0};
    struct tp_error err = {0};
    enum { LEN = 100000 };
    static unsigned char src[LEN], back[LEN];
    void *buf = NULL;
    int fd = -1;
    size_t off = 0;
    tp_status_t st;

    if (!have_nvidia_driver())
        cr_skip_test("no NVIDIA driver on this machine");
    cr_assert_eq(tp_mem_open("cuda:0", &mem, &err), TP_OK, "%s", err.msg);
    cr_assert_not(mem.ops->is_host);
    cr_assert_eq(mem.device, 0);
    cr_assert(strstr(mem.ops->describe(mem.ctx), "cuda:0") != NULL);
    cr_assert_eq(mem.ops->alloc(mem.ctx, LEN, &buf), TP_OK);
    cr_assert_eq(mem.ops->copy_to_host(mem.ctx, back, buf, LEN), TP_OK);
    for (size_t i = 0; i < LEN; i++)
        cr_assert_eq(back[i], 0, "device byte %zu not zeroed", i);
    for (size_t i = 0; i < LEN; i++)
        src[i] = (unsigned char)(i * 13 + 5);
    cr_assert_eq(mem.ops->copy_from_host(mem.ctx, buf, src, LEN), TP_OK);
    cr_assert_eq(mem.ops->copy_to_host(mem.ctx, back, buf, LEN), TP_OK);
    cr_assert_arr_eq(back, src, LEN);

    /* Staged path: page-locked staging, two lanes, device-to-device. */
    {
        unsigned char *stage = NULL;
        void *other = NULL;

        cr_assert_eq(mem.ops->alloc_staging(mem.ctx, LEN, (void **)&stage), TP_OK);
        cr_assert_eq(mem.ops->alloc(mem.ctx, LEN, &other), TP_OK);
        cr_assert_eq(mem.ops->copy_local(mem.ctx, other, buf, LEN), TP_OK);
        cr_assert_eq(mem.ops->copy_async(mem.ctx, other, buf, LEN, TP_MEM_LOCAL, 0), TP_OK);
        cr_assert_eq(mem.ops->copy_wait(mem.ctx, 0), TP_OK);
        cr_assert_eq(mem.ops->copy_async(mem.ctx, stage, other, LEN / 2, TP_MEM_TO_HOST, 0), TP_OK);
        cr_assert_eq(mem.ops->copy_async(mem.ctx, stage + LEN / 2, (unsigned char *)other + LEN / 2,
                                         LEN - LEN / 2, TP_MEM_TO_HOST, 1), TP_OK);
        cr_assert_eq(mem.ops->copy_wait(mem.ctx, 0), TP_OK);
        cr_assert_eq(mem.ops->copy_wait(mem.ctx, 1), TP_OK);
        cr_assert_arr_eq(stage, src, LEN);
        cr_assert_eq(mem.ops->copy_async(mem.ctx, stage, other, 1, TP_MEM_TO_HOST, TP_MEM_LANES),
                     TP_ERR_INVALID);
        mem.ops->free(mem.ctx, other, LEN);
        mem.ops->free_staging(mem.ctx, stage, LEN);
    }

    /* Exported from the allocation's start: the offset is the address's
     * distance from it (buf is the start of its allocation). */
    st = mem.ops->get_dmabuf(mem.ctx, (unsigned char *)buf + 100, 5000, &fd, &off);
    if (st == TP_OK) {
        cr_assert_geq(fd, 0);
        cr_assert_eq(off, 100);
        close(fd);
    } else {
        cr_assert_eq(st, TP_ERR_UNSUPPORTED, "dma-buf export: %s", tp_status_string(st));
    }
    mem.ops->free(mem.ctx, buf, LEN);
    tp_mem_close(&mem);
}

#endif

/* --hugepages: host memory in 2 MiB pages (hugetlb when reserved, else
 * THP), 2 MiB aligned, zeroed, writable to its last byte, and what it got
 * is said; off again: plain pages */
Test(mem, host_hugepages)
{
    const struct tp_mem_ops *h = &tp_mem_host_ops;
    size_t len = (3u << 20) + 100;
    unsigned char *p = NULL;

    tp_mem_host_set_hugepages(1);
    cr_assert_eq(h->alloc(NULL, len, (void **)&p), TP_OK);
    cr_expect_eq((uintptr_t)p % (2u << 20), 0, "not 2 MiB aligned: %p", (void *)p);
    cr_expect_eq(p[0], 0);
    cr_expect_eq(p[len - 1], 0);
    p[len - 1] = 7;
    cr_expect(strstr(tp_mem_host_pages(), "huge pages") != NULL ||
              strstr(tp_mem_host_pages(), "THP refused") != NULL, "%s", tp_mem_host_pages());
    h->free(NULL, p, len);
    tp_mem_host_set_hugepages(0);
    cr_expect_str_eq(tp_mem_host_pages(), "4 KiB pages");
    cr_assert_eq(h->alloc(NULL, 4096, (void **)&p), TP_OK);
    h->free(NULL, p, 4096);
}
