/* tp_verbs.c: the ibverbs RDMA transport's ops table: option checks,
 * device context, connect/disconnect and link facts.  The work is in
 * tp_verbs_device.c (device/port/GID), tp_verbs_mr.c (registration),
 * tp_verbs_qp.c (QPs and connection data), tp_verbs_cm.c (--rdma-cm), tp_verbs_ctrl.c (control
 * messages, deadlines), tp_verbs_stream*.c (bandwidth) and
 * tp_verbs_pingpong.c (latency). */
#include "verbs_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "tp_fail.h"

#define VERBS_AUTO_INLINE 220     /* what mlx5 offers; the QP says if less */

static void verbs_finalize(void *vctx)
{
    struct verbs_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    if (ctx->pd != NULL)
        ibv_dealloc_pd(ctx->pd);
    if (ctx->dev != NULL)
        ibv_close_device(ctx->dev);
    free(ctx);
}

/* The window is the run's (--tx-depth), bounded here by what a QP keeps;
 * the rest are this transport's own options, checked by their table. */
static tp_status_t check_config(const struct tp_config *cfg, struct verbs_opts *opts)
{
    struct tp_error err = {0};
    tp_status_t st;

    if (cfg->tx_depth < 0 || cfg->tx_depth > VERBS_MAX_DEPTH) {
        tp_fail("verbs: --tx-depth %d: must be 1..%d", cfg->tx_depth,
                     VERBS_MAX_DEPTH);
        return TP_ERR_INVALID;
    }
    if ((st = opt_table_resolve(&verbs_options, cfg->opts, opts, &err)) != TP_OK)
        tp_fail("%s", err.msg);
    return st;
}

static tp_status_t verbs_init(const struct tp_config *cfg, const struct tp_ctrl *ctrl,
                              void **ctx_p)
{
    struct verbs_ctx *ctx;
    struct verbs_opts opts;
    tp_status_t st;

    if ((st = check_config(cfg, &opts)) != TP_OK)
        return st;
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return TP_ERR_NO_MEMORY;
    ctx->cfg = *cfg;
    ctx->opts = opts;
    ctx->cfg.opts = &ctx->opts;
    ctx->ctrl = *ctrl;
    ctx->nqps = opts.qps > 0 ? opts.qps : 1;
    ctx->tx_depth = cfg->tx_depth > 0 ? cfg->tx_depth : VERBS_DEFAULT_DEPTH;
    ctx->max_inline = opts.inline_size >= 0 ? opts.inline_size : VERBS_AUTO_INLINE;
    ctx->gid_index = -1;
    /* RoCE's traffic class is the IP TOS: --tos stands for it over MPI */
    ctx->tclass = opts.tclass >= 0 ? opts.tclass
                : !opts.use_rdma_cm && opts.tos >= 0 ? opts.tos : 0;
    ctx->mr_path = "";
    ctx->mr_order = opts.relaxed_order ? "relaxed ordering" : "strict ordering";
    st = verbs_rail_pick(ctx);
    if (st == TP_OK)
        st = verbs_device_open(ctx);
    if (st != TP_OK) {
        verbs_finalize(ctx);
        return st;
    }
    struct verbs_limits lim;
    verbs_limits_mine(ctx, &lim);
    ctx->rd_atomic = (int)lim.rd_init;   /* the agreed value once connected */
    tp_log_debug("verbs: %s port %d, %s, MTU %d", ctx->dev_name, ctx->port,
                 ctx->gid_desc, verbs_mtu_bytes(ctx->port_attr.active_mtu));
    *ctx_p = ctx;
    return TP_OK;
}

static tp_status_t verbs_connect(void *vctx, int peer, void **ep_p)
{
    struct verbs_ep *ep = NULL;
    tp_status_t st = verbs_ep_connect(vctx, peer, &ep);

    if (st == TP_OK) {
        struct verbs_ctx *ctx = vctx;
        ctx->max_inline = (int)ep->max_inline;    /* what the device granted */
        *ep_p = ep;
    }
    return st;
}

static void verbs_disconnect(void *vctx, void *ep)
{
    (void)vctx;
    verbs_ep_destroy(ep);
}

/* Reads one line of a sysfs file into out ("" when absent). */
static void sysfs_line(const char *dev, const char *file, char *out, size_t len)
{
    char path[256];
    FILE *f;

    out[0] = '\0';
    snprintf(path, sizeof(path), "/sys/class/infiniband/%s/%s", dev, file);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)len, f) != NULL)
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static void driver_name(const struct verbs_ctx *ctx, char *out, size_t len)
{
    char path[256], target[256];
    ssize_t n;

    snprintf(path, sizeof(path), "/sys/class/infiniband/%s/device/driver", ctx->dev_name);
    n = readlink(path, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        verbs_copy(out, len, base ? base + 1 : target);
        return;
    }
    /* soft devices have no PCI function; rdma_rxe and siw name theirs */
    if (strncmp(ctx->dev_name, "rxe", 3) == 0)
        snprintf(out, len, "rdma_rxe");
    else if (strncmp(ctx->dev_name, "siw", 3) == 0)
        snprintf(out, len, "siw");
    else
        snprintf(out, len, "%s", ibv_node_type_str(ctx->dev->device->node_type));
}

static tp_status_t verbs_link_info(void *vctx, struct tp_link_info *info)
{
    struct verbs_ctx *ctx = vctx;
    struct ibv_port_attr pa;
    char hca[64], board[64];

    memset(info, 0, sizeof(*info));
    if (ibv_query_port(ctx->dev, (uint8_t)ctx->port, &pa) == 0)
        ctx->port_attr = pa;
    if (snprintf(info->device, sizeof(info->device), "%s:%d", ctx->dev_name,
                 ctx->port) < 0)
        info->device[0] = '\0';
    driver_name(ctx, info->driver, sizeof(info->driver));
    snprintf(info->firmware, sizeof(info->firmware), "%s", ctx->dev_attr.fw_ver);
    sysfs_line(ctx->dev_name, "hca_type", hca, sizeof(hca));
    sysfs_line(ctx->dev_name, "board_id", board, sizeof(board));
    if (snprintf(info->model, sizeof(info->model), "%s%s%s (vendor 0x%x part %u%s%s)",
                 hca[0] ? hca : ctx->dev_name, board[0] ? " " : "", board,
                 ctx->dev_attr.vendor_id, ctx->dev_attr.vendor_part_id,
                 ctx->pci[0] ? ", PCI " : "", ctx->pci) < 0)
        info->model[0] = '\0';
    info->line_rate_gbit = verbs_port_rate_gbit(&ctx->port_attr);
    info->port = ctx->port;
    verbs_rail_ifname(ctx, info->ifname, sizeof(info->ifname));
    info->rail = ctx->rail;
    info->nrails = ctx->nrails;
    info->mtu = verbs_mtu_bytes(ctx->port_attr.active_mtu);
    snprintf(info->address, sizeof(info->address), "%s", ctx->address);
    /* long staged-memory reasons are cut: the detail field is bounded */
    if (snprintf(info->detail, sizeof(info->detail),
             "%s; RC, %d QP%s, tx depth %d, rx depth %d, reads %d, inline %d B, "
             "tclass %d, sl %d, %s; memory: %s%s%s",
             ctx->gid_desc, ctx->nqps, ctx->nqps == 1 ? "" : "s", ctx->tx_depth,
             ctx->opts.rx_depth, ctx->rd_atomic, ctx->max_inline, ctx->tclass,
             ctx->opts.sl, ctx->mr_order,
             ctx->mr_path[0] ? ctx->mr_path : "not registered yet",
             ctx->mr_host ? ", " : "", ctx->mr_host ? tp_mem_host_pages() : "") < 0)
        info->detail[0] = '\0';
    return TP_OK;
}

/* The ops as transport.h declares them: what the work above reports
 * through tp_fail() lands in the caller's error record (tp_fail.h). */
static tp_status_t verbs_init_op(const struct tp_config *cfg, const struct tp_ctrl *ctrl,
                                 void **ctx_p, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_init(cfg, ctrl, ctx_p));
}

static tp_status_t verbs_mem_reg_op(void *ctx, struct tp_buf *buf, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_mem_reg(ctx, buf));
}

static tp_status_t verbs_connect_op(void *ctx, int peer, void **ep_p, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_connect(ctx, peer, ep_p));
}

static tp_status_t verbs_stream_send_op(void *ep, const struct tp_xfer *x, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_stream_send(ep, x));
}

static tp_status_t verbs_stream_recv_op(void *ep, const struct tp_xfer *x, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_stream_recv(ep, x));
}

static tp_status_t verbs_stream_bidir_op(void *ep, const struct tp_xfer *tx,
                                         const struct tp_xfer *rx, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_stream_bidir(ep, tx, rx));
}

static tp_status_t verbs_pingpong_op(void *ep, struct tp_buf *buf, size_t msg_size,
                                     uint64_t iters, int initiator, uint64_t *rtt_ns,
                                     struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_pingpong(ep, buf, msg_size, iters, initiator, rtt_ns));
}

static tp_status_t verbs_link_info_op(void *ctx, struct tp_link_info *info, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, verbs_link_info(ctx, info));
}

const struct tp_transport_ops tp_verbs_ops = {
    .size = sizeof(struct tp_transport_ops),
    .name = "verbs",
    .summary = "ibverbs RDMA (RC QPs: write, read, send; InfiniBand or RoCE)",
    .caps = TP_CAP_BIDIR | TP_CAP_DEVICE_MEM | TP_CAP_THREAD_EPS | TP_CAP_PEER_AUTH,
    .options = &verbs_options,
    .max_tx_depth = VERBS_MAX_DEPTH,
    .default_tx_depth = VERBS_DEFAULT_DEPTH,
    .init = verbs_init_op,
    .finalize = verbs_finalize,
    .mem_reg = verbs_mem_reg_op,
    .mem_dereg = verbs_mem_dereg,
    .connect = verbs_connect_op,
    .disconnect = verbs_disconnect,
    .stream_send = verbs_stream_send_op,
    .stream_recv = verbs_stream_recv_op,
    .stream_bidir = verbs_stream_bidir_op,
    .pingpong = verbs_pingpong_op,
    .link_info = verbs_link_info_op,
    .counters = verbs_counters_op,
};
