/* tp_tcp_io.c: one send or receive attempt on one stream for the message
 * it carries: straight from/to the ring slot for host memory, or through a
 * host bounce chunk (copy_to_host / copy_from_host) for other kinds. */
#include "tcp_private.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"

int tcp_buf_is_host(const struct tp_buf *buf)
{
    return buf->mem == NULL || buf->mem->ops == NULL || buf->mem->ops->is_host;
}

tp_status_t tcp_stage_ready(struct tcp_ep *ep, const struct tp_buf *buf)
{
    const struct tp_mem_ops *ops;

    if (tcp_buf_is_host(buf))
        return TP_OK;
    ops = buf->mem->ops;
    if (ops->copy_to_host == NULL || ops->copy_from_host == NULL) {
        tp_log_error("tcp: memory kind '%s' offers no copy to/from host, so TCP "
                     "cannot stage it", ops->name);
        return TP_ERR_UNSUPPORTED;
    }
    long page = sysconf(_SC_PAGESIZE);
    size_t align = page > 0 ? (size_t)page : 4096;
    for (int s = 0; s < ep->nstreams; s++) {
        if (ep->st[s].stage_tx == NULL &&
            posix_memalign(&ep->st[s].stage_tx, align, TCP_STAGE_CHUNK) != 0)
            ep->st[s].stage_tx = NULL;
        if (ep->st[s].stage_rx == NULL &&
            posix_memalign(&ep->st[s].stage_rx, align, TCP_STAGE_CHUNK) != 0)
            ep->st[s].stage_rx = NULL;
        if (ep->st[s].stage_tx == NULL || ep->st[s].stage_rx == NULL) {
            tp_log_error("tcp: no memory for %u-byte staging buffers", TCP_STAGE_CHUNK);
            return TP_ERR_NO_MEMORY;
        }
    }
    return TP_OK;
}

/* A failed send/recv: would-block is not an error in polling mode; in
 * blocking mode it means SO_*TIMEO expired. */
static tp_status_t io_error(struct tcp_ep *ep, struct tcp_dir *d, int flags,
                            int err, const char *what)
{
    if (err == EINTR)
        return TP_OK;
    if ((err == EAGAIN || err == EWOULDBLOCK) && (flags & MSG_DONTWAIT)) {
        d->blocked = 1;
        return TP_OK;
    }
    return tcp_ep_fail(ep, tcp_errno_status(err), what, err);
}

static tp_status_t stage_copy(struct tcp_ep *ep, const struct tp_buf *buf, int to_host,
                              void *dst, const void *src, size_t len)
{
    const struct tp_mem *mem = buf->mem;
    tp_status_t st = to_host ? mem->ops->copy_to_host(mem->ctx, dst, src, len)
                             : mem->ops->copy_from_host(mem->ctx, dst, src, len);

    if (st != TP_OK) {
        tp_log_error("tcp: staging %zu bytes %s %s memory for %s failed: %s", len,
                     to_host ? "from" : "to", mem->ops->name, ep->peer_name,
                     tp_status_string(st));
        return tcp_ep_fail(ep, st, NULL, 0);
    }
    return TP_OK;
}

tp_status_t tcp_io_send(struct tcp_ep *ep, struct tcp_side *sd, int s,
                        int flags, size_t *moved_p)
{
    struct tcp_dir *d = &sd->dir[s];
    struct tcp_stream *st = &ep->st[s];
    char *slot = tp_xfer_slot(sd->x, d->msg);
    const char *p;
    size_t n;

    *moved_p = 0;
    if (sd->staged) {
        if (d->stage_pos == d->stage_len) {
            size_t chunk = d->len - d->staged;
            chunk = chunk < TCP_STAGE_CHUNK ? chunk : TCP_STAGE_CHUNK;
            tp_status_t rc = stage_copy(ep, sd->x->buf, 1, st->stage_tx,
                                        slot + d->staged, chunk);
            if (rc != TP_OK)
                return rc;
            d->staged += chunk;
            d->stage_len = chunk;
            d->stage_pos = 0;
        }
        p = (const char *)st->stage_tx + d->stage_pos;
        n = d->stage_len - d->stage_pos;
    } else {
        p = slot + d->done;
        n = d->len - d->done;
    }
    int zc = ep->zerocopy && !sd->staged && n >= TCP_ZC_MIN_BYTES;
    ssize_t r = send(st->fd, p, n, flags | MSG_NOSIGNAL | (zc ? MSG_ZEROCOPY : 0));
    if (r < 0 && zc && errno == ENOBUFS) {   /* optmem full: copy this once */
        zc = 0;
        r = send(st->fd, p, n, flags | MSG_NOSIGNAL);
    }
    if (r < 0)
        return io_error(ep, d, flags, errno, "sending to");
    if (zc)
        st->zc_next++;
    d->done += (size_t)r;
    if (sd->staged)
        d->stage_pos += (size_t)r;
    if ((size_t)r < n && (flags & MSG_DONTWAIT))
        d->blocked = 1;     /* the socket buffer is full: wait for POLLOUT */
    *moved_p = (size_t)r;
    return TP_OK;
}

tp_status_t tcp_io_recv(struct tcp_ep *ep, struct tcp_side *sd, int s,
                        int flags, size_t *moved_p)
{
    struct tcp_dir *d = &sd->dir[s];
    struct tcp_stream *st = &ep->st[s];
    char *slot = tp_xfer_slot(sd->x, d->msg);
    size_t chunk = 0, n;
    char *p;

    *moved_p = 0;
    if (sd->staged) {
        chunk = d->len - d->staged;
        chunk = chunk < TCP_STAGE_CHUNK ? chunk : TCP_STAGE_CHUNK;
        p = (char *)st->stage_rx + d->stage_len;
        n = chunk - d->stage_len;
    } else {
        p = slot + d->done;
        n = d->len - d->done;
    }
    ssize_t r = recv(st->fd, p, n, flags);
    if (r == 0)
        return tcp_ep_fail(ep, TP_ERR_PEER, "receiving from", 0);
    if (r < 0)
        return io_error(ep, d, flags, errno, "receiving from");
    d->done += (size_t)r;
    if ((size_t)r < n && (flags & MSG_DONTWAIT))
        d->blocked = 1;     /* drained what had arrived: wait for POLLIN */
    *moved_p = (size_t)r;
    if (sd->staged) {
        d->stage_len += (size_t)r;
        if (d->stage_len == chunk) {
            tp_status_t rc = stage_copy(ep, sd->x->buf, 0, slot + d->staged,
                                        st->stage_rx, chunk);
            if (rc != TP_OK)
                return rc;
            d->staged += chunk;
            d->stage_len = 0;
        }
    }
    return TP_OK;
}
