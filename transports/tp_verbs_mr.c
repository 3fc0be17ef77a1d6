/* tp_verbs_mr.c: memory registration.  Host memory with ibv_reg_mr;
 * device (GPU) memory with ibv_reg_dmabuf_mr when the memory kind can
 * export a dma-buf, else plain ibv_reg_mr on the device pointer (works
 * only with the nvidia-peermem module).  The path taken is kept for
 * link_info's detail. */
#include "verbs_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../common/log.h"

#define VERBS_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
                      IBV_ACCESS_REMOTE_READ)

/* One line on why ibv_reg_mr failed, naming the memlock limit when it is
 * the likely cause. */
static void report_host_failure(const struct verbs_ctx *ctx, size_t len, int err)
{
    struct rlimit rl;

    if ((err == ENOMEM || err == EPERM || err == EAGAIN) &&
        getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        tp_log_error("verbs: cannot register %zu bytes on %s: %s; the locked-memory "
                     "limit (RLIMIT_MEMLOCK) is %llu KiB: raise it with `ulimit -l "
                     "unlimited`, a `* - memlock unlimited` line in "
                     "/etc/security/limits.conf, or the container's memlock ulimit "
                     "(docker run --ulimit memlock=-1)",
                     len, ctx->dev_name, strerror(err),
                     (unsigned long long)(rl.rlim_cur / 1024));
        return;
    }
    tp_log_error("verbs: cannot register %zu bytes on %s: ibv_reg_mr: %s", len,
                 ctx->dev_name, strerror(err));
}

static struct ibv_mr *reg_device_memory(struct verbs_ctx *ctx, struct tp_buf *buf)
{
    const struct tp_mem_ops *ops = buf->mem->ops;
    char why_dmabuf[160];
    struct ibv_mr *mr = NULL;
    int err;

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
                                   fd, VERBS_ACCESS);
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
    mr = ibv_reg_mr(ctx->pd, buf->addr, buf->len, VERBS_ACCESS);
    if (mr != NULL) {
        ctx->mr_path = "peer memory (ibv_reg_mr on device pointer, nvidia-peermem)";
        return mr;
    }
    err = errno;
    tp_log_error("verbs: cannot register %zu bytes of %s memory on %s for GPUDirect "
                 "RDMA: dma-buf: %s; peer memory: ibv_reg_mr: %s (load the "
                 "nvidia-peermem module, or use a GPU driver and NIC driver with "
                 "dma-buf support)",
                 buf->len, ops->name, ctx->dev_name, why_dmabuf, strerror(err));
    return NULL;
}

tp_status_t verbs_mem_reg(void *vctx, struct tp_buf *buf)
{
    struct verbs_ctx *ctx = vctx;
    struct ibv_mr *mr;

    if (buf->len == 0 || buf->addr == NULL) {
        tp_log_error("verbs: cannot register an empty buffer");
        return TP_ERR_INVALID;
    }
    if (buf->mem != NULL && !buf->mem->ops->is_host) {
        mr = reg_device_memory(ctx, buf);
        if (mr == NULL)
            return TP_ERR_UNSUPPORTED;
    } else {
        mr = ibv_reg_mr(ctx->pd, buf->addr, buf->len, VERBS_ACCESS);
        if (mr == NULL) {
            report_host_failure(ctx, buf->len, errno);
            return TP_ERR_NO_MEMORY;
        }
        ctx->mr_path = "host memory (ibv_reg_mr)";
    }
    buf->mr = mr;
    return TP_OK;
}

void verbs_mem_dereg(void *vctx, struct tp_buf *buf)
{
    (void)vctx;
    if (buf->mr != NULL)
        ibv_dereg_mr(verbs_buf_mr(buf));
    buf->mr = NULL;
}
