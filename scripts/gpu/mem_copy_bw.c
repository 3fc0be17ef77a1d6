/* mem_copy_bw.c: copy bandwidth through tierperf's memory-kind ops table,
 * printed in the same "OP BYTES GB/s" lines as memcpy_ref.cu so
 * gpu-check.sh can put the two side by side:
 *   h2d, d2h               copy_from_host / copy_to_host, pageable memory
 *   h2d_pinned, d2h_pinned copy_async through staging memory, a batch
 *                          queued on one lane and waited for once
 *   d2d                    copy_async TP_MEM_LOCAL, queued the same way
 * Also reports whether dma-buf export works.
 *   mem_copy_bw SPEC [MAX_BYTES]      e.g. mem_copy_bw cuda:0 268435456 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../common/status.h"
#include "../../transports/memory.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Enough repetitions for ~50 ms per size, at least 5. */
static int iters_for(size_t bytes)
{
    size_t n = (size_t)2e9 / 20 / (bytes ? bytes : 1);
    return n < 5 ? 5 : n > 2000 ? 2000 : (int)n;
}

/* Synchronous ops one call per copy; asynchronous ones (pinned, d2d)
 * queued on lane 0 and waited for once, as memcpy_ref.cu and the copy
 * pattern time them. */
static tp_status_t copy_batch(const struct tp_mem *m, const char *op, void *dev, void *dev2,
                              void *host, void *stage, size_t bytes, int n)
{
    tp_status_t st = TP_OK;

    for (int i = 0; i < n && st == TP_OK; i++) {
        if (strcmp(op, "d2h") == 0)
            st = m->ops->copy_to_host(m->ctx, host, dev, bytes);
        else if (strcmp(op, "h2d") == 0)
            st = m->ops->copy_from_host(m->ctx, dev, host, bytes);
        else if (strcmp(op, "d2d") == 0)
            st = m->ops->copy_async(m->ctx, dev2, dev, bytes, TP_MEM_LOCAL, 0);
        else if (strcmp(op, "d2h_pinned") == 0)
            st = m->ops->copy_async(m->ctx, stage, dev, bytes, TP_MEM_TO_HOST, 0);
        else
            st = m->ops->copy_async(m->ctx, dev, stage, bytes, TP_MEM_FROM_HOST, 0);
    }
    tp_status_t wst = m->ops->copy_wait(m->ctx, 0);
    return st == TP_OK ? wst : st;
}

static int measure(const struct tp_mem *m, const char *op, void *dev, void *dev2,
                   void *host, void *stage, size_t bytes)
{
    int iters = iters_for(bytes);
    tp_status_t st = copy_batch(m, op, dev, dev2, host, stage, bytes, 2);   /* warm-up */
    double t0 = now_s();

    if (st == TP_OK)
        st = copy_batch(m, op, dev, dev2, host, stage, bytes, iters);
    if (st != TP_OK) {
        fprintf(stderr, "mem_copy_bw: %s %zu bytes: %s\n", op, bytes, tp_status_string(st));
        return 1;
    }
    printf("%s %zu %.3f\n", op, bytes, (double)bytes * iters / (now_s() - t0) / 1e9);
    return 0;
}

int main(int argc, char **argv)
{
    const char *spec = argc > 1 ? argv[1] : "cuda:0";
    size_t max = argc > 2 ? strtoull(argv[2], NULL, 0) : (size_t)256 << 20;
    struct tp_mem m = {0};
    struct tp_error err = {0};
    static const char *const ops[] = {"h2d", "d2h", "h2d_pinned", "d2h_pinned", "d2d"};
    unsigned char *host, *check;
    void *dev = NULL, *dev2 = NULL, *stage = NULL;
    int fd = -1, rc = 0;
    size_t off = 0;

    if (tp_mem_open(spec, &m, &err) != TP_OK) {
        fprintf(stderr, "mem_copy_bw: %s\n", err.msg);
        return 1;
    }
    host = malloc(max);
    check = malloc(max);
    if (host == NULL || check == NULL || m.ops->alloc(m.ctx, max, &dev) != TP_OK ||
        m.ops->alloc(m.ctx, max, &dev2) != TP_OK ||
        m.ops->alloc_staging(m.ctx, max, &stage) != TP_OK) {
        fprintf(stderr, "mem_copy_bw: cannot allocate %zu bytes\n", max);
        return 1;
    }
    printf("# device %s\n", m.ops->describe ? m.ops->describe(m.ctx) : m.ops->name);
    for (size_t i = 0; i < max; i++)
        host[i] = (unsigned char)(i * 31 + 7);
    if (m.ops->copy_from_host(m.ctx, dev, host, max) != TP_OK ||
        m.ops->copy_to_host(m.ctx, check, dev, max) != TP_OK ||
        memcmp(host, check, max) != 0) {
        fprintf(stderr, "mem_copy_bw: round trip of %zu bytes corrupted data\n", max);
        return 1;
    }
    if (m.ops->get_dmabuf == NULL) {
        printf("# dmabuf none\n");
    } else {
        tp_status_t st = m.ops->get_dmabuf(m.ctx, (char *)dev + 4096, max / 2, &fd, &off);
        printf("# dmabuf %s\n", st == TP_OK ? "ok" : tp_status_string(st));
        if (st == TP_OK)
            close(fd);
    }
    for (size_t b = 4096; b <= max && rc == 0; b *= 4)
        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]) && rc == 0; k++)
            rc = measure(&m, ops[k], dev, dev2, host, stage, b);
    m.ops->free_staging(m.ctx, stage, max);
    m.ops->free(m.ctx, dev2, max);
    m.ops->free(m.ctx, dev, max);
    tp_mem_close(&m);
    free(host);
    free(check);
    return rc;
}
