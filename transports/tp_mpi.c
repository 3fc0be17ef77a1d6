/* tp_mpi.c: the MPI baseline transport, so every figure can be put beside
 * what MPI itself gets.  Bandwidth: a window of tx_depth MPI_Isend/Irecv
 * over the ring's slots, the receiver acknowledging the end; latency:
 * ping-pong of Isend/Irecv pairs.  Runs on the communicator the control
 * plane lends (ctrl->mpi_comm), host memory only.  Every wait is a
 * MPI_Test loop bounded by --timeout without progress. */
#include "transport.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"
#include "tp_deadline.h"
#include "tp_fail.h"

enum { TAG_DATA = 11, TAG_ACK = 12, TAG_PING = 13 };

struct mpi_ctx {
    MPI_Comm comm;
    double timeout_s;
    int tx_depth;
};

struct mpi_ep {
    struct mpi_ctx *ctx;
    int peer;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Progress deadline: reset whenever something completes. */
struct deadline {
    double limit_s, last;
};

static void dl_start(struct deadline *d, double limit_s)
{
    d->limit_s = limit_s;
    d->last = now_s();
}

/* No progress for --timeout, or the engine's limit on the call passed
 * (tp_deadline.h).  Messages below say "no progress" for both. */
static int dl_expired(struct deadline *d)
{
    return (d->limit_s > 0 && now_s() - d->last > d->limit_s) || tp_deadline_passed();
}

static tp_status_t mpi_wait_one(MPI_Request *req, struct deadline *d, const struct mpi_ep *ep,
                                const char *what)
{
    while (*req != MPI_REQUEST_NULL) {
        int done = 0;
        if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return TP_ERR_IO;
        if (done) {
            d->last = now_s();
            return TP_OK;
        }
        if (dl_expired(d)) {
            tp_fail("mpi: %s with rank %d: no progress within --timeout %.0f s", what,
                         ep->peer, d->limit_s);
            MPI_Cancel(req);
            MPI_Request_free(req);
            return TP_ERR_TIMEOUT;
        }
    }
    return TP_OK;
}

static void drop_all(MPI_Request *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (reqs[i] != MPI_REQUEST_NULL) {
            MPI_Cancel(&reqs[i]);
            MPI_Request_free(&reqs[i]);
        }
}

static tp_status_t mpi_init(const struct tp_config *cfg, const struct tp_ctrl *ctrl, void **ctx_p)
{
    struct mpi_ctx *ctx;

    if (ctrl->mpi_comm == NULL) {
        tp_fail("mpi transport: no MPI communicator (run under mpirun)");
        return TP_ERR_UNSUPPORTED;
    }
    if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
        return TP_ERR_NO_MEMORY;
    ctx->comm = *(MPI_Comm *)ctrl->mpi_comm;
    ctx->timeout_s = cfg->timeout_s;
    ctx->tx_depth = cfg->tx_depth > 0 ? cfg->tx_depth : 1;
    *ctx_p = ctx;
    return TP_OK;
}

static void mpi_finalize(void *ctx)
{
    free(ctx);
}

static tp_status_t mpi_mem_reg(void *ctx, struct tp_buf *buf)
{
    (void)ctx;
    if (buf->mem != NULL && !buf->mem->ops->is_host) {
        tp_fail("mpi transport: moves host memory only (--mem %s)", buf->mem->ops->name);
        return TP_ERR_UNSUPPORTED;
    }
    buf->mr = NULL;
    return TP_OK;
}

static tp_status_t mpi_connect(void *ctx, int peer, void **ep_p)
{
    struct mpi_ep *ep = calloc(1, sizeof(*ep));

    if (ep == NULL)
        return TP_ERR_NO_MEMORY;
    ep->ctx = ctx;
    ep->peer = peer;
    *ep_p = ep;
    return TP_OK;
}

static void mpi_disconnect(void *ctx, void *ep)
{
    (void)ctx;
    free(ep);
}

/* One direction of a transfer in progress: message `next` is the next to
 * post, `done` the next to complete; message i uses request i % win and
 * ring slot i % nslots (win <= nslots, so a slot is free before reuse). */
struct dir {
    const struct tp_xfer *x;
    int send;
    uint64_t n, next, done;
    size_t win;
    MPI_Request *reqs;
};

static tp_status_t dir_open(struct dir *d, const struct tp_xfer *x, int send, int tx_depth)
{
    uint64_t nslots = tp_xfer_nslots(x);

    memset(d, 0, sizeof(*d));
    d->x = x;
    d->send = send;
    d->n = tp_xfer_msgs(x);
    if (x->msg_size > (size_t)INT_MAX) {
        tp_fail("mpi transport: message size %zu exceeds the MPI count limit", x->msg_size);
        return TP_ERR_UNSUPPORTED;
    }
    d->win = (size_t)tx_depth < nslots ? (size_t)tx_depth : (size_t)nslots;
    if (d->win == 0)
        d->win = 1;
    d->reqs = malloc(d->win * sizeof(MPI_Request));
    if (d->reqs == NULL)
        return TP_ERR_NO_MEMORY;
    for (size_t i = 0; i < d->win; i++)
        d->reqs[i] = MPI_REQUEST_NULL;
    return TP_OK;
}

static void dir_close(struct dir *d)
{
    if (d->reqs != NULL)
        drop_all(d->reqs, d->win);
    free(d->reqs);
    d->reqs = NULL;
}

static tp_status_t dir_post(struct dir *d, const struct mpi_ep *ep)
{
    const struct tp_xfer *x = d->x;
    uint64_t i = d->next;
    void *slot = tp_xfer_slot(x, i);
    int len = (int)tp_xfer_len(x, i);
    MPI_Request *req = &d->reqs[i % d->win];
    int rc;

    if (d->send) {
        if (x->fill != NULL) {
            tp_status_t st = x->fill(x->hook_arg, slot, (size_t)len, x->offset0 + i * x->msg_size);
            if (st != TP_OK)
                return st;
        }
        rc = MPI_Isend(slot, len, MPI_BYTE, ep->peer, TAG_DATA, ep->ctx->comm, req);
    } else {
        rc = MPI_Irecv(slot, len, MPI_BYTE, ep->peer, TAG_DATA, ep->ctx->comm, req);
    }
    d->next++;
    return rc == MPI_SUCCESS ? TP_OK : TP_ERR_IO;
}

/* Complete the oldest outstanding message if it is done (or wait for it
 * when block); then keep the window full. */
static tp_status_t dir_step(struct dir *d, const struct mpi_ep *ep, int block, struct deadline *dl,
                            int *progress)
{
    tp_status_t st;

    while (d->next < d->n && d->next - d->done < d->win) {
        if ((st = dir_post(d, ep)) != TP_OK)
            return st;
    }
    if (d->done == d->next)
        return TP_OK;
    MPI_Request *req = &d->reqs[d->done % d->win];
    int flag = 0;
    if (block) {
        if ((st = mpi_wait_one(req, dl, ep, d->send ? "send" : "receive")) != TP_OK)
            return st;
        flag = 1;
    } else if (MPI_Test(req, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
        return TP_ERR_IO;
    }
    if (!flag)
        return TP_OK;
    *progress = 1;
    if (!d->send && d->x->check != NULL) {
        const struct tp_xfer *x = d->x;
        st = x->check(x->hook_arg, tp_xfer_slot(x, d->done), tp_xfer_len(x, d->done),
                      x->offset0 + d->done * x->msg_size);
        if (st != TP_OK)
            return st;
    }
    d->done++;
    return TP_OK;
}

static tp_status_t ack_send(const struct mpi_ep *ep, struct deadline *dl)
{
    static const char one = 1;
    MPI_Request req = MPI_REQUEST_NULL;

    if (MPI_Isend(&one, 1, MPI_BYTE, ep->peer, TAG_ACK, ep->ctx->comm, &req) != MPI_SUCCESS)
        return TP_ERR_IO;
    return mpi_wait_one(&req, dl, ep, "end-of-transfer acknowledgement");
}

static tp_status_t ack_recv(const struct mpi_ep *ep, struct deadline *dl)
{
    char one = 0;
    MPI_Request req = MPI_REQUEST_NULL;

    if (MPI_Irecv(&one, 1, MPI_BYTE, ep->peer, TAG_ACK, ep->ctx->comm, &req) != MPI_SUCCESS)
        return TP_ERR_IO;
    return mpi_wait_one(&req, dl, ep, "end-of-transfer acknowledgement");
}

static tp_status_t run_one_way(struct mpi_ep *ep, const struct tp_xfer *x, int send)
{
    struct dir d;
    struct deadline dl;
    tp_status_t st = dir_open(&d, x, send, ep->ctx->tx_depth);
    int progress = 0;

    dl_start(&dl, ep->ctx->timeout_s);
    while (st == TP_OK && d.done < d.n)
        st = dir_step(&d, ep, 1, &dl, &progress);
    dir_close(&d);
    if (st != TP_OK)
        return st;
    return send ? ack_recv(ep, &dl) : ack_send(ep, &dl);
}

static tp_status_t mpi_stream_send(void *ep, const struct tp_xfer *x)
{
    return run_one_way(ep, x, 1);
}

static tp_status_t mpi_stream_recv(void *ep, const struct tp_xfer *x)
{
    return run_one_way(ep, x, 0);
}

static tp_status_t mpi_stream_bidir(void *epv, const struct tp_xfer *tx, const struct tp_xfer *rx)
{
    struct mpi_ep *ep = epv;
    struct dir t, r;
    struct deadline dl;
    tp_status_t st;

    dl_start(&dl, ep->ctx->timeout_s);
    if ((st = dir_open(&t, tx, 1, ep->ctx->tx_depth)) != TP_OK) {
        dir_close(&t);
        return st;
    }
    if ((st = dir_open(&r, rx, 0, ep->ctx->tx_depth)) != TP_OK) {
        dir_close(&t);
        dir_close(&r);
        return st;
    }
    while (st == TP_OK && (t.done < t.n || r.done < r.n)) {
        int progress = 0;
        if (t.done < t.n)
            st = dir_step(&t, ep, 0, &dl, &progress);
        if (st == TP_OK && r.done < r.n)
            st = dir_step(&r, ep, 0, &dl, &progress);
        if (progress)
            dl.last = now_s();
        else if (dl_expired(&dl)) {
            tp_fail("mpi: bidirectional transfer with rank %d: no progress within "
                         "--timeout %.0f s", ep->peer, dl.limit_s);
            st = TP_ERR_TIMEOUT;
        }
    }
    dir_close(&t);
    dir_close(&r);
    if (st != TP_OK)
        return st;
    /* both ends acknowledge what they received */
    char one = 1, got = 0;
    MPI_Request reqs[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    if (MPI_Irecv(&got, 1, MPI_BYTE, ep->peer, TAG_ACK, ep->ctx->comm, &reqs[0]) != MPI_SUCCESS ||
        MPI_Isend(&one, 1, MPI_BYTE, ep->peer, TAG_ACK, ep->ctx->comm, &reqs[1]) != MPI_SUCCESS) {
        drop_all(reqs, 2);
        return TP_ERR_IO;
    }
    for (int i = 0; i < 2 && st == TP_OK; i++)
        st = mpi_wait_one(&reqs[i], &dl, ep, "end-of-transfer acknowledgement");
    drop_all(reqs, 2);
    return st;
}

static tp_status_t mpi_pingpong(void *epv, struct tp_buf *buf, size_t msg_size, uint64_t iters,
                                int initiator, uint64_t *rtt_ns)
{
    struct mpi_ep *ep = epv;
    struct deadline dl;
    MPI_Comm comm = ep->ctx->comm;
    tp_status_t st = TP_OK;

    if (msg_size > buf->len || msg_size > (size_t)INT_MAX)
        return TP_ERR_INVALID;
    dl_start(&dl, ep->ctx->timeout_s);
    for (uint64_t i = 0; i < iters && st == TP_OK; i++) {
        MPI_Request rreq = MPI_REQUEST_NULL, sreq = MPI_REQUEST_NULL;
        uint64_t t0 = now_ns();
        if (MPI_Irecv(buf->addr, (int)msg_size, MPI_BYTE, ep->peer, TAG_PING, comm, &rreq) !=
            MPI_SUCCESS)
            return TP_ERR_IO;
        if (initiator) {
            if (MPI_Isend(buf->addr, (int)msg_size, MPI_BYTE, ep->peer, TAG_PING, comm, &sreq) !=
                MPI_SUCCESS)
                st = TP_ERR_IO;
            if (st == TP_OK)
                st = mpi_wait_one(&sreq, &dl, ep, "ping");
            if (st == TP_OK)
                st = mpi_wait_one(&rreq, &dl, ep, "pong");
            if (st == TP_OK && rtt_ns != NULL)
                rtt_ns[i] = now_ns() - t0;
        } else {
            st = mpi_wait_one(&rreq, &dl, ep, "ping");
            if (st == TP_OK &&
                MPI_Isend(buf->addr, (int)msg_size, MPI_BYTE, ep->peer, TAG_PING, comm, &sreq) !=
                    MPI_SUCCESS)
                st = TP_ERR_IO;
            if (st == TP_OK)
                st = mpi_wait_one(&sreq, &dl, ep, "pong");
        }
        MPI_Request left[2] = {rreq, sreq};
        drop_all(left, 2);
    }
    return st;
}

static tp_status_t mpi_link_info(void *ctx, struct tp_link_info *info)
{
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;

    (void)ctx;
    memset(info, 0, sizeof(*info));
    snprintf(info->device, sizeof(info->device), "mpi");
    if (MPI_Get_library_version(version, &len) == MPI_SUCCESS) {
        version[strcspn(version, ",\n")] = '\0';
        if (snprintf(info->model, sizeof(info->model), "%s", version) >= (int)sizeof(info->model))
            info->model[sizeof(info->model) - 1] = '\0';
    }
    snprintf(info->detail, sizeof(info->detail), "MPI_Isend/Irecv window; MPI picks the path");
    return TP_OK;
}

/* The ops as transport.h declares them: what the work above reports
 * through tp_fail() lands in the caller's error record (tp_fail.h). */
static tp_status_t mpi_init_op(const struct tp_config *cfg, const struct tp_ctrl *ctrl,
                               void **ctx_p, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_init(cfg, ctrl, ctx_p));
}

static tp_status_t mpi_mem_reg_op(void *ctx, struct tp_buf *buf, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_mem_reg(ctx, buf));
}

static tp_status_t mpi_connect_op(void *ctx, int peer, void **ep_p, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_connect(ctx, peer, ep_p));
}

static tp_status_t mpi_stream_send_op(void *ep, const struct tp_xfer *x, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_stream_send(ep, x));
}

static tp_status_t mpi_stream_recv_op(void *ep, const struct tp_xfer *x, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_stream_recv(ep, x));
}

static tp_status_t mpi_stream_bidir_op(void *ep, const struct tp_xfer *tx,
                                       const struct tp_xfer *rx, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_stream_bidir(ep, tx, rx));
}

static tp_status_t mpi_pingpong_op(void *ep, struct tp_buf *buf, size_t msg_size,
                                   uint64_t iters, int initiator, uint64_t *rtt_ns,
                                   struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_pingpong(ep, buf, msg_size, iters, initiator, rtt_ns));
}

static tp_status_t mpi_link_info_op(void *ctx, struct tp_link_info *info, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, mpi_link_info(ctx, info));
}

const struct tp_transport_ops tp_mpi_ops = {
    .size = sizeof(struct tp_transport_ops),
    .name = "mpi",
    .summary = "MPI_Isend/Irecv baseline (what MPI itself gets), host memory",
    .caps = TP_CAP_BIDIR,
    .init = mpi_init_op,
    .finalize = mpi_finalize,
    .mem_reg = mpi_mem_reg_op,
    .mem_dereg = tp_noop_mem_dereg,
    .connect = mpi_connect_op,
    .disconnect = mpi_disconnect,
    .stream_send = mpi_stream_send_op,
    .stream_recv = mpi_stream_recv_op,
    .stream_bidir = mpi_stream_bidir_op,
    .pingpong = mpi_pingpong_op,
    .link_info = mpi_link_info_op,
    .counters = tp_unsupported_counters,
};
