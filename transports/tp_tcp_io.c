/* tp_tcp_io.c: one send or receive attempt on one stream for the message
 * it carries: straight from/to the ring slot for host memory, or, for
 * other kinds (GPU), through TCP_STAGE_DEPTH host bounce chunks per stream
 * and direction with asynchronous copies pipelined against the network:
 * the sender queues the copies of the next chunks while the oldest is on
 * the wire, running ahead into the stream's next messages (so messages of
 * one chunk or less are pipelined too); the receiver queues each full
 * chunk's copy out and receives into the next one (its chunks are a ring
 * across messages), and waits for a copy only when it must reuse that
 * chunk or when nothing else can move: a message whose bytes have all
 * arrived "lands" (completes) once its copies are done, while the stream
 * already receives the next one (messages of one chunk or less too).
 * Each chunk has its own completion event (the kind's event_*), so a wait
 * is for that chunk's copy only; kinds without events wait on lane k for
 * chunk k. */
#include "tcp_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../common/log.h"

int tcp_buf_is_host(const struct tp_buf *buf)
{
    return buf->mem == NULL || buf->mem->ops == NULL || buf->mem->ops->is_host;
}

static void stage_events_destroy(struct tcp_stream *st)
{
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < TCP_STAGE_DEPTH; k++) {
            if (st->stage_ev[t][k] != NULL)
                st->stage_ops->event_destroy(st->stage_ctx, st->stage_ev[t][k]);
            st->stage_ev[t][k] = NULL;
        }
    st->stage_events = 0;
}

/* An event per chunk and direction when the kind has them; without (or
 * when one cannot be made) chunk k waits on lane k. */
static void stage_events_create(struct tcp_stream *st)
{
    const struct tp_mem_ops *ops = st->stage_ops;

    if (ops->event_create == NULL || ops->event_destroy == NULL ||
        ops->event_record == NULL || ops->event_wait == NULL)
        return;
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < TCP_STAGE_DEPTH; k++)
            if (ops->event_create(st->stage_ctx, &st->stage_ev[t][k]) != TP_OK) {
                stage_events_destroy(st);
                return;
            }
    st->stage_events = 1;
}

tp_status_t tcp_stage_ready(struct tcp_ep *ep, const struct tp_buf *buf)
{
    const struct tp_mem_ops *ops;

    if (tcp_buf_is_host(buf))
        return TP_OK;
    ops = buf->mem->ops;
    if (ops->copy_async == NULL || ops->copy_wait == NULL) {
        tp_fail("tcp: memory kind '%s' offers no asynchronous copy to/from host, "
                     "so TCP cannot stage it", ops->name);
        return TP_ERR_UNSUPPORTED;
    }
    for (int s = 0; s < ep->nstreams; s++) {
        struct tcp_stream *st = &ep->st[s];
        if (st->stage_tx != NULL &&
            (st->stage_ops != buf->mem->ops || st->stage_ctx != buf->mem->ctx))
            tcp_stage_free(st);           /* another kind's page-locked chunks */
        if (st->stage_tx != NULL)
            continue;
        st->stage_ops = buf->mem->ops;
        st->stage_ctx = buf->mem->ctx;
        size_t len = (size_t)TCP_STAGE_DEPTH * TCP_STAGE_CHUNK;
        if (tp_mem_staging_alloc(buf->mem, len, &st->stage_tx, &st->stage_pinned[0]) != TP_OK ||
            tp_mem_staging_alloc(buf->mem, len, &st->stage_rx, &st->stage_pinned[1]) != TP_OK) {
            tp_fail("tcp: no memory for 2 x %d staging chunks of %u bytes", TCP_STAGE_DEPTH,
                         TCP_STAGE_CHUNK);
            return TP_ERR_NO_MEMORY;
        }
        stage_events_create(st);
    }
    return TP_OK;
}

void tcp_stage_free(struct tcp_stream *st)
{
    size_t len = (size_t)TCP_STAGE_DEPTH * TCP_STAGE_CHUNK;

    if (st->stage_ops != NULL)
        stage_events_destroy(st);
    tp_mem_staging_free(st->stage_ops, st->stage_ctx, st->stage_tx, len, st->stage_pinned[0]);
    tp_mem_staging_free(st->stage_ops, st->stage_ctx, st->stage_rx, len, st->stage_pinned[1]);
    st->stage_pinned[0] = st->stage_pinned[1] = 0;
    st->stage_tx = st->stage_rx = NULL;
    st->stage_ops = NULL;
    st->stage_ctx = NULL;
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

static tp_status_t stage_failed(struct tcp_ep *ep, const struct tp_mem *mem, int to_host,
                                tp_status_t st, size_t len)
{
    tp_fail("tcp: staging %zu bytes %s %s memory for %s failed: %s", len,
                 to_host ? "from" : "to", mem->ops->name, ep->peer_name, tp_status_string(st));
    return tcp_ep_fail(ep, st, NULL, 0);
}

/* Queue chunk k's copy (to_host: the sender's, into the bounce chunk) and
 * mark it with the chunk's event.  With events, copies out and in go on
 * separate lanes (both copy engines); without, chunk k on lane k. */
static tp_status_t stage_queue(struct tcp_ep *ep, struct tcp_stream *ts,
                               const struct tp_buf *buf, int to_host, void *dst,
                               const void *src, size_t len, unsigned k)
{
    const struct tp_mem *mem = buf->mem;
    unsigned lane = ts->stage_events ? (to_host ? 0u : 2u) + (k & 1u) : k;
    tp_status_t st = mem->ops->copy_async(mem->ctx, dst, src, len,
                                          to_host ? TP_MEM_TO_HOST : TP_MEM_FROM_HOST, lane);
    if (st == TP_OK && ts->stage_events)
        st = mem->ops->event_record(mem->ctx, ts->stage_ev[to_host ? 0 : 1][k], lane);
    return st == TP_OK ? TP_OK : stage_failed(ep, mem, to_host, st, len);
}

/* Chunk k's copy has finished. */
static tp_status_t stage_wait(struct tcp_ep *ep, struct tcp_stream *ts,
                              const struct tp_buf *buf, int to_host, unsigned k, size_t len)
{
    const struct tp_mem *mem = buf->mem;
    tp_status_t st = ts->stage_events
                         ? mem->ops->event_wait(mem->ctx, ts->stage_ev[to_host ? 0 : 1][k])
                         : mem->ops->copy_wait(mem->ctx, k);
    return st == TP_OK ? TP_OK : stage_failed(ep, mem, to_host, st, len);
}

static char *chunk_at(void *base, unsigned k)
{
    return (char *)base + (size_t)k * TCP_STAGE_CHUNK;
}

/* Receiver: chunk k's queued copy out (if any) has finished; no message
 * waits for it any more. */
static tp_status_t rx_chunk_free(struct tcp_ep *ep, struct tcp_side *sd, struct tcp_dir *d,
                                 unsigned k)
{
    unsigned bit = 1u << k;

    if (!(d->rq_busy & bit))
        return TP_OK;
    tp_status_t rc = stage_wait(ep, &ep->st[d - sd->dir], sd->x->buf, 0, k, TCP_STAGE_CHUNK);
    if (rc != TP_OK)
        return rc;
    d->rq_busy &= ~bit;
    d->rq_mask &= ~bit;
    for (unsigned i = 0; i < d->land_count; i++)
        d->land_mask[(d->land_head + i) % TCP_LAND_MAX] &= ~bit;
    return TP_OK;
}

/* Receiver: the current message has wholly arrived; it lands (completes)
 * once the copies of its chunks still queued are done.  Chunks are freed
 * in ring order, so messages land in order, and the caller takes the
 * landed ones after every receive (tcp_rx_landed): each message still
 * queued then holds a busy chunk of its own, and a receive frees at most
 * one chunk before it queues one more message, so TCP_LAND_MAX is never
 * reached; if it were, the endpoint fails rather than lose a message. */
static tp_status_t rx_land(struct tcp_ep *ep, struct tcp_dir *d)
{
    unsigned i = (d->land_head + d->land_count) % TCP_LAND_MAX;

    if (d->land_count == TCP_LAND_MAX) {
        tp_fail("tcp: receiving from %s: more than %d staged messages landing at once",
                ep->peer_name, TCP_LAND_MAX);
        return tcp_ep_fail(ep, TP_ERR_INTERNAL, NULL, 0);
    }
    d->land_msg[i] = d->msg;
    d->land_mask[i] = d->rq_mask;
    d->land_count++;
    d->rq_mask = 0;
    return TP_OK;
}

tp_status_t tcp_rx_landed(struct tcp_ep *ep, struct tcp_side *sd, int s, int wait,
                          uint64_t *msg_p)
{
    struct tcp_dir *d = &sd->dir[s];
    unsigned h = d->land_head;

    *msg_p = TCP_IDLE;
    if (d->land_count == 0)
        return TP_OK;
    for (unsigned k = 0; wait && d->land_mask[h] != 0 && k < TCP_STAGE_DEPTH; k++)
        if (d->land_mask[h] & (1u << k)) {
            tp_status_t rc = rx_chunk_free(ep, sd, d, k);
            if (rc != TP_OK)
                return rc;
        }
    if (d->land_mask[h] != 0)
        return TP_OK;
    *msg_p = d->land_msg[h];
    d->land_head = (h + 1) % TCP_LAND_MAX;
    d->land_count--;
    return TP_OK;
}

/* Sender: queue the next chunk of message m (*staged_p bytes of it are
 * queued already) into the next free bounce chunk. */
static tp_status_t tx_queue_chunk(struct tcp_ep *ep, struct tcp_side *sd, struct tcp_dir *d,
                                  struct tcp_stream *st, uint64_t m, size_t *staged_p)
{
    unsigned k = (d->sq_head + d->sq_count) % TCP_STAGE_DEPTH;
    size_t chunk = tp_xfer_len(sd->x, m) - *staged_p;
    tp_status_t rc;

    chunk = chunk < TCP_STAGE_CHUNK ? chunk : TCP_STAGE_CHUNK;
    rc = stage_queue(ep, st, sd->x->buf, 1, chunk_at(st->stage_tx, k),
                     (char *)tp_xfer_slot(sd->x, m) + *staged_p, chunk, k);
    if (rc != TP_OK)
        return rc;
    d->sq_len[k] = chunk;
    *staged_p += chunk;
    d->sq_count++;
    return TP_OK;
}

size_t tcp_ahead_take(struct tcp_dir *d, uint64_t j)
{
    size_t staged;

    if (d->ahead_msg == TCP_IDLE || j > d->ahead_msg) {
        d->ahead_msg = TCP_IDLE;
        return 0;
    }
    if (j < d->ahead_msg)
        return d->len;          /* wholly queued ahead */
    staged = d->ahead_staged;
    d->ahead_msg = TCP_IDLE;    /* j is current now; run ahead from j's next */
    return staged;
}

/* Sender, the current message wholly queued: queue a chunk of the stream's
 * next message (filled first when the transfer fills), once its ring slot
 * is free.  *queued_p: whether one was. */
static tp_status_t tx_ahead(struct tcp_ep *ep, struct tcp_side *sd, struct tcp_dir *d,
                            struct tcp_stream *st, int *queued_p)
{
    const struct tp_xfer *x = sd->x;
    uint64_t m;
    tp_status_t rc;

    *queued_p = 0;
    if (d->ahead_msg == TCP_IDLE) {
        d->ahead_msg = d->msg + (uint64_t)ep->nstreams;
        d->ahead_staged = 0;
    }
    m = d->ahead_msg;
    if (m >= sd->nmsgs || (d->ahead_staged == 0 && !tcp_slot_free(sd, m, ep->nstreams)))
        return TP_OK;
    if (x->fill != NULL && m >= d->ahead_filled) {
        rc = x->fill(x->hook_arg, tp_xfer_slot(x, m), tp_xfer_len(x, m),
                     x->offset0 + m * x->msg_size);
        if (rc != TP_OK)
            return tcp_ep_fail(ep, rc, NULL, 0);
        d->ahead_filled = m + 1;
    }
    if ((rc = tx_queue_chunk(ep, sd, d, st, m, &d->ahead_staged)) != TP_OK)
        return rc;
    if (d->ahead_staged == tp_xfer_len(x, m)) {
        d->ahead_msg = m + (uint64_t)ep->nstreams;
        d->ahead_staged = 0;
    }
    *queued_p = 1;
    return TP_OK;
}

/* Sender: queue copies into free chunks (this message's, then the next
 * ones'), then make sure the head chunk is in. */
static tp_status_t tx_stage(struct tcp_ep *ep, struct tcp_side *sd, struct tcp_dir *d,
                            struct tcp_stream *st)
{
    tp_status_t rc;
    int queued = 1;

    while (d->sq_count < TCP_STAGE_DEPTH && queued) {
        if (d->staged < d->len)
            rc = tx_queue_chunk(ep, sd, d, st, d->msg, &d->staged);
        else
            rc = tx_ahead(ep, sd, d, st, &queued);
        if (rc != TP_OK)
            return rc;
    }
    if (!d->head_ready) {
        rc = stage_wait(ep, st, sd->x->buf, 1, d->sq_head, d->sq_len[d->sq_head]);
        if (rc != TP_OK)
            return rc;
        d->head_ready = 1;
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
        tp_status_t rc = tx_stage(ep, sd, d, st);
        if (rc != TP_OK)
            return rc;
        p = chunk_at(st->stage_tx, d->sq_head) + d->stage_pos;
        n = d->sq_len[d->sq_head] - d->stage_pos;
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
    if (sd->staged) {
        d->stage_pos += (size_t)r;
        if (d->stage_pos == d->sq_len[d->sq_head]) {     /* head chunk sent: free */
            d->sq_head = (d->sq_head + 1) % TCP_STAGE_DEPTH;
            d->sq_count--;
            d->stage_pos = 0;
            d->head_ready = 0;
        }
    }
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
        unsigned k = d->rq_cur;
        tp_status_t rc = rx_chunk_free(ep, sd, d, k);   /* its copy out must be done */
        if (rc != TP_OK)
            return rc;
        chunk = d->len - d->staged;
        chunk = chunk < TCP_STAGE_CHUNK ? chunk : TCP_STAGE_CHUNK;
        p = chunk_at(st->stage_rx, k) + d->stage_len;
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
            unsigned k = d->rq_cur;
            tp_status_t rc = stage_queue(ep, st, sd->x->buf, 0, slot + d->staged,
                                         chunk_at(st->stage_rx, k), chunk, k);
            if (rc != TP_OK)
                return rc;
            d->rq_busy |= 1u << k;
            d->rq_mask |= 1u << k;
            d->staged += chunk;
            d->stage_len = 0;
            d->rq_cur = (k + 1) % TCP_STAGE_DEPTH;
        }
        /* complete only once in the kind's memory (tcp_rx_landed); the
         * next message is received while its copies run */
        if (d->done == d->len)
            return rx_land(ep, d);
    }
    return TP_OK;
}
