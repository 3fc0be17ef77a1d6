/* tp_tcp.c: the TCP transport's ops table, its context (chosen address,
 * listener) and endpoints (--streams authenticated connections per
 * pair).  The lower rank of a pair listens, the higher rank dials; address,
 * port and a per-connect nonce travel over ctrl->exchange. */
#include "tcp_private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "tp_deadline.h"
#include "tp_fail.h"

#define BLOB_BYTES 16   /* addr(4) port(2) pad(2) nonce(8), network order */

static tp_status_t tcp_init(const struct tp_config *cfg, const struct tp_ctrl *ctrl,
                            void **ctx_p)
{
    struct tcp_ctx *ctx;
    struct tcp_opts opts;
    struct tp_error err = {0};
    tp_status_t st;

    if ((st = opt_table_resolve(&tcp_options, cfg->opts, &opts, &err)) != TP_OK) {
        tp_fail("%s", err.msg);
        return st;
    }
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return TP_ERR_NO_MEMORY;
    ctx->cfg = *cfg;
    ctx->opts = opts;
    ctx->cfg.opts = &ctx->opts;
    ctx->ctrl = *ctrl;
    ctx->streams = opts.streams;
    st = tcp_local_choose_rail(cfg, &opts, &ctx->local, &ctx->rail, &ctx->nrails);
    if (st == TP_OK)
        st = tcp_acceptor_start(&ctx->acc, &ctx->local, cfg, ctrl, opts.sockbuf);
    if (st != TP_OK) {
        free(ctx);
        return st;
    }
    tp_log_debug("tcp: listening on %s:%u (%s)", ctx->local.text,
                 (unsigned)ntohs(ctx->acc.bound.sin_port), ctx->local.why);
    *ctx_p = ctx;
    return TP_OK;
}

static void tcp_finalize(void *ctx_v)
{
    struct tcp_ctx *ctx = ctx_v;

    if (ctx == NULL)
        return;
    tcp_acceptor_stop(&ctx->acc);
    free(ctx);
}

static tp_status_t tcp_mem_reg(void *ctx, struct tp_buf *buf)
{
    (void)ctx;
    buf->mr = NULL;     /* sockets need no registration */
    if (tcp_buf_is_host(buf))
        return TP_OK;
    if (buf->mem->ops->copy_to_host == NULL || buf->mem->ops->copy_from_host == NULL) {
        tp_fail("tcp: memory kind '%s' offers no copy to/from host, so TCP "
                     "cannot stage it", buf->mem->ops->name);
        return TP_ERR_UNSUPPORTED;
    }
    return TP_OK;
}

static void blob_pack(unsigned char *out, struct in_addr addr, uint16_t port,
                      uint64_t nonce)
{
    memset(out, 0, BLOB_BYTES);
    memcpy(out, &addr.s_addr, 4);           /* already network order */
    out[4] = (unsigned char)(port >> 8);
    out[5] = (unsigned char)port;
    for (int i = 0; i < 8; i++)
        out[8 + i] = (unsigned char)(nonce >> (56 - 8 * i));
}

static void blob_unpack(const unsigned char *in, struct sockaddr_in *sa, uint64_t *nonce)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    memcpy(&sa->sin_addr.s_addr, in, 4);
    sa->sin_port = htons((uint16_t)(in[4] << 8 | in[5]));
    *nonce = 0;
    for (int i = 0; i < 8; i++)
        *nonce = *nonce << 8 | in[8 + i];
}

static uint64_t fresh_nonce(void)
{
    uint64_t n = 0;

    if (getrandom(&n, sizeof(n), 0) != (ssize_t)sizeof(n))
        n = (uint64_t)getpid() << 32 ^ (uint64_t)(tcp_now_s() * 1e9);
    return n ? n : 1;
}

static void ep_free(struct tcp_ep *ep)
{
    for (int s = 0; s < ep->nstreams; s++) {
        if (ep->st[s].fd >= 0)
            close(ep->st[s].fd);
        tcp_stage_free(&ep->st[s]);
    }
    free(ep->st);
    free(ep->dirs);
    free(ep);
}

static struct tcp_ep *ep_new(struct tcp_ctx *ctx, int peer)
{
    struct tcp_ep *ep = calloc(1, sizeof(*ep));

    if (ep == NULL)
        return NULL;
    ep->ctx = ctx;
    ep->peer = peer;
    ep->nstreams = ctx->streams;
    ep->st = calloc((size_t)ep->nstreams, sizeof(*ep->st));
    ep->dirs = calloc(2 * (size_t)ep->nstreams, sizeof(*ep->dirs));
    if (ep->st == NULL || ep->dirs == NULL) {
        free(ep->st);
        free(ep->dirs);
        free(ep);
        return NULL;
    }
    for (int s = 0; s < ep->nstreams; s++)
        ep->st[s].fd = -1;
    snprintf(ep->peer_name, sizeof(ep->peer_name), "rank %d", peer);
    return ep;
}

/* The lower rank: wait for the dialer's streams. */
static tp_status_t connect_accept(struct tcp_ep *ep, uint64_t nonce)
{
    int fds[TCP_MAX_STREAMS];
    tp_status_t st = tcp_acceptor_take(&ep->ctx->acc, ep->peer, nonce, ep->nstreams,
                                       fds, ep->ctx->cfg.timeout_s);

    if (st != TP_OK) {
        tp_fail("tcp: waiting for %d stream(s) from %s on %s:%u: timed out after "
                     "%.1f s (--timeout)", ep->nstreams, ep->peer_name, ep->ctx->local.text,
                     (unsigned)ntohs(ep->ctx->acc.bound.sin_port), ep->ctx->cfg.timeout_s);
        return st;
    }
    /* --sockbuf not set again: tcp(7) has the buffer size set before
     * listen() to take effect (the window scale), so the listener sets it,
     * and accept()ed sockets inherit SO_SNDBUF/SO_RCVBUF (socket(7)) with
     * the lock that stops autotuning (test_transport_tcp checks them) */
    for (int s = 0; s < ep->nstreams; s++) {
        ep->st[s].fd = fds[s];
        tcp_sock_tune(fds[s], ep->ctx->cfg.timeout_s, 0);
    }
    return TP_OK;
}

static tp_status_t connect_dial(struct tcp_ep *ep, const struct sockaddr_in *to,
                                uint64_t nonce)
{
    for (int s = 0; s < ep->nstreams; s++) {
        tp_status_t st = tcp_dial(ep, to, s, nonce, &ep->st[s].fd);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

static void enable_zerocopy(struct tcp_ep *ep)
{
    ep->zerocopy = 1;
    for (int s = 0; s < ep->nstreams && ep->zerocopy; s++)
        if (tcp_zc_enable(ep->st[s].fd) != 0) {
            tp_log_warn("tcp: MSG_ZEROCOPY unavailable on this kernel/socket (%m); "
                        "sending with copies");
            ep->zerocopy = 0;
        }
}

static tp_status_t tcp_connect(void *ctx_v, int peer, void **ep_p)
{
    struct tcp_ctx *ctx = ctx_v;
    unsigned char out[BLOB_BYTES], in[BLOB_BYTES];
    struct sockaddr_in peer_sa;
    uint64_t my_nonce = 0, peer_nonce;
    int listening = ctx->ctrl.rank < peer;
    char text[64];
    tp_status_t st;

    if (peer < 0 || peer >= ctx->ctrl.size || peer == ctx->ctrl.rank) {
        tp_fail("tcp: cannot connect rank %d to rank %d", ctx->ctrl.rank, peer);
        return TP_ERR_INVALID;
    }
    struct tcp_ep *ep = ep_new(ctx, peer);
    if (ep == NULL)
        return TP_ERR_NO_MEMORY;
    if (!listening)
        my_nonce = fresh_nonce();
    blob_pack(out, ctx->local.addr, listening ? ntohs(ctx->acc.bound.sin_port) : 0, my_nonce);
    st = ctx->ctrl.exchange(ctx->ctrl.arg, peer, out, in, BLOB_BYTES);
    if (st != TP_OK) {
        tp_fail("tcp: exchanging connection data with rank %d failed: %s", peer,
                     tp_status_string(st));
        ep_free(ep);
        return st;
    }
    blob_unpack(in, &peer_sa, &peer_nonce);
    if (listening) {
        inet_ntop(AF_INET, &peer_sa.sin_addr, text, sizeof(text));
        snprintf(ep->peer_name, sizeof(ep->peer_name), "rank %d (%s)", peer, text);
        st = connect_accept(ep, peer_nonce);
    } else {
        tcp_sockaddr_text(&peer_sa, text, sizeof(text));
        snprintf(ep->peer_name, sizeof(ep->peer_name), "rank %d (%s)", peer, text);
        st = connect_dial(ep, &peer_sa, my_nonce);
    }
    if (st != TP_OK) {
        ep_free(ep);
        return st;
    }
    if (ctx->opts.zerocopy)
        enable_zerocopy(ep);
    *ep_p = ep;
    return TP_OK;
}

static void tcp_disconnect(void *ctx, void *ep)
{
    (void)ctx;
    if (ep != NULL)
        ep_free(ep);
}

tp_status_t tcp_ep_fail(struct tcp_ep *ep, tp_status_t st, const char *what, int err)
{
    if (what != NULL) {
        if (st == TP_ERR_TIMEOUT && tp_deadline_passed())
            tp_fail("tcp: %s %s: too slow: not done within the time allowed (the "
                         "expected time at the rate measured so far, plus --timeout %.1f s)",
                         what, ep->peer_name, ep->ctx->cfg.timeout_s);
        else if (st == TP_ERR_TIMEOUT)
            tp_fail("tcp: %s %s: no progress for %.1f s (--timeout)", what,
                         ep->peer_name, ep->ctx->cfg.timeout_s);
        else if (st == TP_ERR_PEER)
            tp_fail("tcp: %s %s: %s", what, ep->peer_name,
                         err ? strerror(err) : "connection closed by the peer");
        else
            tp_fail("tcp: %s %s: %s", what, ep->peer_name,
                         err ? strerror(err) : tp_status_string(st));
    }
    /* the first error of a transfer driven by several threads is its
     * error; the others' follow from the shutdown below */
    if (!__atomic_exchange_n(&ep->broken, 1, __ATOMIC_SEQ_CST))
        ep->fail_thread = pthread_self();
    /* the streams are mid-message: unusable, and the peer should learn it now */
    for (int s = 0; s < ep->nstreams; s++)
        if (ep->st[s].fd >= 0)
            shutdown(ep->st[s].fd, SHUT_RDWR);
    if (ep->job != NULL)
        tcp_threads_wake(ep, NULL, 1);
    return st;
}

/* The ops as transport.h declares them: what the work above reports
 * through tp_fail() lands in the caller's error record (tp_fail.h). */
static tp_status_t tcp_init_op(const struct tp_config *cfg, const struct tp_ctrl *ctrl,
                               void **ctx_p, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_init(cfg, ctrl, ctx_p));
}

static tp_status_t tcp_mem_reg_op(void *ctx, struct tp_buf *buf, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_mem_reg(ctx, buf));
}

static tp_status_t tcp_connect_op(void *ctx, int peer, void **ep_p, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_connect(ctx, peer, ep_p));
}

static tp_status_t tcp_stream_send_op(void *ep, const struct tp_xfer *x, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_xfer_run(ep, x, NULL, err));
}

static tp_status_t tcp_stream_recv_op(void *ep, const struct tp_xfer *x, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_xfer_run(ep, NULL, x, err));
}

static tp_status_t tcp_stream_bidir_op(void *ep, const struct tp_xfer *tx,
                                       const struct tp_xfer *rx, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_xfer_run(ep, tx, rx, err));
}

static tp_status_t tcp_pingpong_op(void *ep, struct tp_buf *buf, size_t msg_size,
                                   uint64_t iters, int initiator, uint64_t *rtt_ns,
                                   struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_pingpong(ep, buf, msg_size, iters, initiator, rtt_ns));
}

static tp_status_t tcp_link_info_op(void *ctx, struct tp_link_info *info, struct tp_error *err)
{
    tp_fail_begin(err);
    return tp_fail_end(err, tcp_link_info(ctx, info));
}

const struct tp_transport_ops tp_tcp_ops = {
    .size = sizeof(struct tp_transport_ops),
    .name = "tcp",
    .summary = "TCP sockets: parallel streams, authenticated, optional MSG_ZEROCOPY",
    .caps = TP_CAP_BIDIR | TP_CAP_STAGED_MEM | TP_CAP_THREAD_EPS | TP_CAP_PEER_AUTH,
    .options = &tcp_options,
    .init = tcp_init_op,
    .finalize = tcp_finalize,
    .mem_reg = tcp_mem_reg_op,
    .mem_dereg = tp_noop_mem_dereg,
    .connect = tcp_connect_op,
    .disconnect = tcp_disconnect,
    .stream_send = tcp_stream_send_op,
    .stream_recv = tcp_stream_recv_op,
    .stream_bidir = tcp_stream_bidir_op,
    .pingpong = tcp_pingpong_op,
    .link_info = tcp_link_info_op,
    .counters = tcp_counters_op,
};
