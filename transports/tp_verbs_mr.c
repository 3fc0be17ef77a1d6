/* tp_verbs_mr.c: memory registration.  Host memory with ibv_reg_mr;
 * device (GPU) memory with ibv_reg_dmabuf_mr when the memory kind can
 * export a dma-buf, else plain ibv_reg_mr on the device pointer (works
 * only with the nvidia-peermem module), else staged: a registered host
 * shadow of the ring with copies around each message.  The path taken,
 * and why GPUDirect was not, is kept for link_info's detail. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../common/log.h"

#define VERBS_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
                      IBV_ACCESS_REMOTE_READ)
/* Bandwidth buffers, host and GPU (dma-buf and peer memory): relaxed PCIe
 * ordering (--relaxed-ordering on), which GPUDirect and many hosts need for
 * full bandwidth.  An optional flag: NICs without it ignore it.  rdma-core
 * has it since 28, so wherever it has ibv_reg_dmabuf_mr (34).  The latency
 * buffer, whose last byte is polled, gets a strictly ordered MR
 * (verbs_mem_strict). */
#ifdef TIERPERF_HAVE_IBV_DMABUF
#define VERBS_RELAXED IBV_ACCESS_RELAXED_ORDERING
#else
#define VERBS_RELAXED 0
#endif

/* One line on why ibv_reg_mr failed, naming the memlock limit when it is
 * the likely cause. */
static void report_host_failure(const struct verbs_ctx *ctx, size_t len, int err)
{
    struct rlimit rl;

    if ((err == ENOMEM || err == EPERM || err == EAGAIN) &&
        getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        tp_fail("verbs: cannot register %zu bytes on %s: %s; the locked-memory "
                     "limit (RLIMIT_MEMLOCK) is %llu KiB: raise it with `ulimit -l "
                     "unlimited`, a `* - memlock unlimited` line in "
                     "/etc/security/limits.conf, or the container's memlock ulimit "
                     "(docker run --ulimit memlock=-1)",
                     len, ctx->dev_name, strerror(err),
                     (unsigned long long)(rl.rlim_cur / 1024));
        return;
    }
    tp_fail("verbs: cannot register %zu bytes on %s: ibv_reg_mr: %s", len,
                 ctx->dev_name, strerror(err));
}

/* GPUDirect: the NIC on the device memory itself.  NULL with the reasons
 * in why when neither dma-buf nor peer memory works. */
static struct ibv_mr *reg_device_memory(struct verbs_ctx *ctx, const struct tp_buf *buf,
                                        int access, char *why, size_t whylen)
{
    const struct tp_mem_ops *ops = buf->mem->ops;
    char why_dmabuf[160];
    struct ibv_mr *mr = NULL;
    int err;

#ifndef TIERPERF_HAVE_IBV_DMABUF
    (void)ops;
    snprintf(why_dmabuf, sizeof(why_dmabuf),
             "this libibverbs has no ibv_reg_dmabuf_mr (rdma-core < 34)");
#else
    if (ops->get_dmabuf == NULL) {
        snprintf(why_dmabuf, sizeof(why_dmabuf), "%s memory has no dma-buf export",
                 ops->name);
    } else {
        int fd = -1;
        size_t off = 0;
        tp_status_t st = ops->get_dmabuf(buf->mem->ctx, buf->addr, buf->len, &fd, &off);
        if (st != TP_OK) {
            snprintf(why_dmabuf, sizeof(why_dmabuf),
                     "the %s driver cannot export it as a dma-buf (%s)", ops->name,
                     tp_status_string(st));
        } else {
            mr = ibv_reg_dmabuf_mr(ctx->pd, off, buf->len, (uint64_t)(uintptr_t)buf->addr,
                                   fd, access);
            err = errno;
            close(fd);
            if (mr != NULL) {
                ctx->mr_path = "dma-buf (ibv_reg_dmabuf_mr)";
                return mr;
            }
            snprintf(why_dmabuf, sizeof(why_dmabuf), "ibv_reg_dmabuf_mr: %s%s",
                     strerror(err),
                     err == EOPNOTSUPP ? " (NIC driver lacks dma-buf support)" : "");
        }
    }
#endif
    mr = ibv_reg_mr(ctx->pd, buf->addr, buf->len, access);
    if (mr != NULL) {
        ctx->mr_path = "peer memory (ibv_reg_mr on device pointer, nvidia-peermem)";
        return mr;
    }
    err = errno;
    snprintf(why, whylen, "dma-buf: %s; peer memory: ibv_reg_mr: %s (load nvidia-peermem, "
             "or use GPU and NIC drivers with dma-buf support)", why_dmabuf, strerror(err));
    return NULL;
}

/* No GPUDirect: a registered host shadow of the ring, page-locked by the
 * kind when it can (so its copies are DMA). */
static tp_status_t reg_staged(struct verbs_ctx *ctx, struct tp_buf *buf, struct verbs_reg *r,
                              const char *why)
{
    const struct tp_mem_ops *ops = buf->mem->ops;
    void *shadow = NULL;

    if (ops->copy_to_host == NULL || ops->copy_from_host == NULL) {
        tp_fail("verbs: cannot register %zu bytes of %s memory on %s: %s; and the kind "
                     "cannot be staged (no copies to/from host)", buf->len, ops->name,
                     ctx->dev_name, why);
        return TP_ERR_UNSUPPORTED;
    }
    if (tp_mem_staging_alloc(buf->mem, buf->len, &shadow, &r->shadow_pinned) != TP_OK) {
        tp_fail("verbs: no memory for a %zu-byte staging ring", buf->len);
        return TP_ERR_NO_MEMORY;
    }
    r->shadow = shadow;
    r->mem = buf->mem;
    r->mr = ibv_reg_mr(ctx->pd, shadow, buf->len, VERBS_ACCESS);
    if (r->mr == NULL) {
        report_host_failure(ctx, buf->len, errno);
        return TP_ERR_NO_MEMORY;
    }
    snprintf(ctx->mr_staged, sizeof(ctx->mr_staged),
             "staged through host memory, no GPUDirect (%s)", why);
    ctx->mr_path = ctx->mr_staged;
    if (!ctx->staged_warned++)        /* once per rank, not per ring */
        tp_log_warn("verbs: GPUDirect RDMA unavailable for %s memory on %s, staging it "
                    "through host memory: %s", ops->name, ctx->dev_name, why);
    return TP_OK;
}

static void reg_free(struct verbs_reg *r, size_t len)
{
    if (r->strict != NULL)
        ibv_dereg_mr(r->strict);
    if (r->mr != NULL)
        ibv_dereg_mr(r->mr);
    if (r->shadow != NULL)
        tp_mem_staging_free(r->mem->ops, r->mem->ctx, r->shadow, len, r->shadow_pinned);
    free(r);
}

/* Host memory, relaxed when *relaxed and the device takes the flag (a
 * provider that refuses it gets a strict MR and *relaxed = 0). */
static struct ibv_mr *reg_host(struct verbs_ctx *ctx, void *addr, size_t len, int *relaxed)
{
    struct ibv_mr *mr = NULL;

    if (*relaxed)
        mr = ibv_reg_mr(ctx->pd, addr, len, VERBS_ACCESS | VERBS_RELAXED);
    if (mr == NULL) {
        *relaxed = 0;
        mr = ibv_reg_mr(ctx->pd, addr, len, VERBS_ACCESS);
    }
    return mr;
}

tp_status_t verbs_mem_strict(struct verbs_ctx *ctx, const struct tp_buf *buf,
                             struct ibv_mr **mr_p)
{
    struct verbs_reg *r = buf->mr;
    const char *path = ctx->mr_path;
    char why[400];
    int strict = 0;

    if (!r->relaxed) {
        *mr_p = r->mr;
        return TP_OK;
    }
    if (r->strict == NULL) {
        if (buf->mem != NULL && !buf->mem->ops->is_host)
            r->strict = reg_device_memory(ctx, buf, VERBS_ACCESS, why, sizeof(why));
        else
            r->strict = reg_host(ctx, buf->addr, buf->len, &strict);
        ctx->mr_path = path;           /* the bandwidth path stays the one named */
        if (r->strict == NULL) {
            tp_fail("verbs: cannot register the %zu-byte latency buffer strictly "
                    "ordered on %s: %s", buf->len, ctx->dev_name, strerror(errno));
            return TP_ERR_NO_MEMORY;
        }
    }
    *mr_p = r->strict;
    return TP_OK;
}

tp_status_t verbs_mem_reg(void *vctx, struct tp_buf *buf)
{
    struct verbs_ctx *ctx = vctx;
    struct verbs_reg *r;
    tp_status_t st = TP_OK;

    if (buf->len == 0 || buf->addr == NULL) {
        tp_fail("verbs: cannot register an empty buffer");
        return TP_ERR_INVALID;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return TP_ERR_NO_MEMORY;
    r->relaxed = ctx->opts.relaxed_order && VERBS_RELAXED != 0;
    if (buf->mem != NULL && !buf->mem->ops->is_host) {
        char why[400];
        r->mr = reg_device_memory(ctx, buf, VERBS_ACCESS | (r->relaxed ? VERBS_RELAXED : 0),
                                  why, sizeof(why));
        if (r->mr == NULL) {
            r->relaxed = 0;            /* the host shadow: strict */
            st = reg_staged(ctx, buf, r, why);
        }
    } else {
        r->mr = reg_host(ctx, buf->addr, buf->len, &r->relaxed);
        if (r->mr == NULL) {
            report_host_failure(ctx, buf->len, errno);
            st = TP_ERR_NO_MEMORY;
        } else {
            ctx->mr_path = "host memory (ibv_reg_mr)";
        }
    }
    if (st != TP_OK) {
        reg_free(r, buf->len);
        return st;
    }
    ctx->mr_host = buf->mem == NULL || buf->mem->ops->is_host;
    /* what the results say: relaxed asked for and granted, or refused */
    ctx->mr_order = r->relaxed ? "relaxed ordering"
                  : ctx->opts.relaxed_order && r->shadow == NULL
                  ? "strict ordering (relaxed refused by the device)" : "strict ordering";
    buf->mr = r;
    return TP_OK;
}

void verbs_mem_dereg(void *vctx, struct tp_buf *buf)
{
    struct verbs_reg *r = buf->mr;

    (void)vctx;
    if (r == NULL)
        return;
    reg_free(r, buf->len);
    buf->mr = NULL;
}

static tp_status_t stage_failed(struct verbs_ep *ep, const struct tp_mem *mem, int out,
                                size_t len, tp_status_t st)
{
    tp_fail("verbs: staging %zu bytes %s %s memory for rank %d failed: %s", len,
                 out ? "from" : "to", mem->ops->name, ep->peer, tp_status_string(st));
    return st;
}

tp_status_t verbs_stage_out(struct verbs_ep *ep, const struct tp_buf *buf, const void *p,
                            size_t len)
{
    const struct verbs_reg *r = buf->mr;
    tp_status_t st;

    if (r->shadow == NULL)
        return TP_OK;
    st = r->mem->ops->copy_to_host(r->mem->ctx, verbs_nic_addr(buf, p), p, len);
    return st == TP_OK ? TP_OK : stage_failed(ep, r->mem, 1, len, st);
}

tp_status_t verbs_stage_in(struct verbs_ep *ep, const struct tp_buf *buf, void *p, size_t len)
{
    const struct verbs_reg *r = buf->mr;
    tp_status_t st;

    if (r->shadow == NULL)
        return TP_OK;
    st = r->mem->ops->copy_from_host(r->mem->ctx, p, verbs_nic_addr(buf, p), len);
    return st == TP_OK ? TP_OK : stage_failed(ep, r->mem, 0, len, st);
}
