/* tp_tcp_ping.c: latency ping-pong on stream 0 with blocking calls (one
 * system call per send or receive, as sockperf does); SO_*TIMEO carries
 * the --timeout limit.  Non-host memory goes through the bounce chunk. */
#include "tcp_private.h"
#include "tp_fail.h"

#include <time.h>

#include "../common/log.h"

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static tp_status_t ping_send(struct tcp_ep *ep, const struct tp_buf *buf, size_t len)
{
    struct tcp_stream *st = &ep->st[0];
    int err = 0;
    tp_status_t rc;

    if (tcp_buf_is_host(buf)) {
        rc = tcp_send_all(st->fd, buf->addr, len, &err);
        return rc == TP_OK ? rc : tcp_ep_fail(ep, rc, "ping-pong: sending to", err);
    }
    for (size_t off = 0; off < len;) {
        size_t n = len - off < TCP_STAGE_CHUNK ? len - off : TCP_STAGE_CHUNK;
        rc = buf->mem->ops->copy_to_host(buf->mem->ctx, st->stage_tx,
                                         (const char *)buf->addr + off, n);
        if (rc != TP_OK)
            return tcp_ep_fail(ep, rc, "ping-pong: staging from device memory for", 0);
        if ((rc = tcp_send_all(st->fd, st->stage_tx, n, &err)) != TP_OK)
            return tcp_ep_fail(ep, rc, "ping-pong: sending to", err);
        off += n;
    }
    return TP_OK;
}

static tp_status_t ping_recv(struct tcp_ep *ep, const struct tp_buf *buf, size_t len)
{
    struct tcp_stream *st = &ep->st[0];
    int err = 0;
    tp_status_t rc;

    if (tcp_buf_is_host(buf)) {
        rc = tcp_recv_all(st->fd, buf->addr, len, &err);
        return rc == TP_OK ? rc : tcp_ep_fail(ep, rc, "ping-pong: receiving from", err);
    }
    for (size_t off = 0; off < len;) {
        size_t n = len - off < TCP_STAGE_CHUNK ? len - off : TCP_STAGE_CHUNK;
        if ((rc = tcp_recv_all(st->fd, st->stage_rx, n, &err)) != TP_OK)
            return tcp_ep_fail(ep, rc, "ping-pong: receiving from", err);
        rc = buf->mem->ops->copy_from_host(buf->mem->ctx, (char *)buf->addr + off,
                                           st->stage_rx, n);
        if (rc != TP_OK)
            return tcp_ep_fail(ep, rc, "ping-pong: staging to device memory for", 0);
        off += n;
    }
    return TP_OK;
}

tp_status_t tcp_pingpong(void *ep_v, struct tp_buf *buf, size_t msg_size,
                         uint64_t iters, int initiator, uint64_t *rtt_ns)
{
    struct tcp_ep *ep = ep_v;
    tp_status_t st;

    if (ep->broken) {
        tp_fail("tcp: connection to %s is unusable after an earlier error",
                     ep->peer_name);
        return TP_ERR_PEER;
    }
    if (buf == NULL || msg_size == 0 || msg_size > buf->len || (initiator && rtt_ns == NULL)) {
        tp_fail("tcp: ping-pong with %s: bad arguments (message %zu bytes, buffer %zu)",
                     ep->peer_name, msg_size, buf ? buf->len : 0);
        return TP_ERR_INVALID;
    }
    if ((st = tcp_stage_ready(ep, buf)) != TP_OK)
        return st;
    for (uint64_t i = 0; i < iters; i++) {
        if (initiator) {
            uint64_t t0 = now_ns();
            if ((st = ping_send(ep, buf, msg_size)) != TP_OK ||
                (st = ping_recv(ep, buf, msg_size)) != TP_OK)
                return st;
            rtt_ns[i] = now_ns() - t0;
        } else if ((st = ping_recv(ep, buf, msg_size)) != TP_OK ||
                   (st = ping_send(ep, buf, msg_size)) != TP_OK) {
            return st;
        }
    }
    return TP_OK;
}
