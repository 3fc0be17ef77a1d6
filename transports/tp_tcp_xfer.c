/* tp_tcp_xfer.c: the transfer engine behind stream_send/recv/bidir.  One
 * poll loop in the calling thread drives every stream (and both directions
 * for bidir), so hooks run in the caller's thread and need no locking.
 *
 * Message j goes on stream j % S into ring slot j % nslots.  Messages start
 * in order; j starts once its stream is free and the slot's previous user,
 * j - nslots, has finished (sent and, with zerocopy, completed; or arrived
 * and checked).  Both ends start messages in the same order, so the
 * earliest unfinished message always has both ends working on it: no
 * deadlock for any ring size or stream count.
 *
 * At the end the receiver writes an 8-byte acknowledgement on stream 0,
 * after its own data on that stream, and the sender waits for it. */
#include "tcp_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "../common/log.h"
#include "tp_deadline.h"

static const unsigned char ack_bytes[8] = {'T', 'P', 'T', 'C', 'P', 'A', 'C', 'K'};

static tp_status_t xfer_check(struct tcp_ep *ep, const struct tp_xfer *x, const char *what)
{
    if (x->buf == NULL || x->buf->addr == NULL || (x->bytes > 0 && x->msg_size == 0) ||
        x->buf->len < (x->bytes < x->msg_size ? x->bytes : x->msg_size)) {
        tp_fail("tcp: %s %s: bad transfer (buffer %zu bytes, message %zu, total %llu)",
                     what, ep->peer_name, x->buf ? x->buf->len : 0, x->msg_size,
                     (unsigned long long)x->bytes);
        return TP_ERR_INVALID;
    }
    return tcp_stage_ready(ep, x->buf);
}

static void side_init(struct tcp_side *sd, const struct tp_xfer *x, int tx,
                      struct tcp_dir *dir, int nstreams)
{
    memset(sd, 0, sizeof(*sd));
    sd->x = x;
    sd->tx = tx;
    sd->dir = dir;
    sd->nmsgs = x ? tp_xfer_msgs(x) : 0;
    sd->staged = x ? !tcp_buf_is_host(x->buf) : 0;
    memset(dir, 0, (size_t)nstreams * sizeof(*dir));
    for (int s = 0; s < nstreams; s++)
        dir[s].msg = dir[s].ahead_msg = TCP_IDLE;
}

int tcp_slot_free(const struct tcp_side *sd, uint64_t j, int nstreams)
{
    uint64_t nslots = tp_xfer_nslots(sd->x);

    if (j < nslots)
        return 1;
    uint64_t prev = j - nslots;
    return sd->dir[prev % (uint64_t)nstreams].completed > prev / (uint64_t)nstreams;
}

static void dir_complete(struct tcp_side *sd, struct tcp_dir *d)
{
    d->completed++;
    sd->finished++;
}

/* Start every message that may start now; the sender fills it first. */
static tp_status_t side_start(struct tcp_ep *ep, struct tcp_side *sd, int *progress_p)
{
    const struct tp_xfer *x = sd->x;

    while (sd->next < sd->nmsgs) {
        uint64_t j = sd->next;
        struct tcp_dir *d = &sd->dir[j % (uint64_t)ep->nstreams];
        if (d->msg != TCP_IDLE || d->zc_count == TCP_ZC_FIFO ||
            !tcp_slot_free(sd, j, ep->nstreams))
            break;
        d->msg = j;
        d->len = tp_xfer_len(x, j);
        d->done = d->stage_len = d->stage_pos = 0;
        /* rx: rq_cur/rq_busy carry over, earlier messages may still land */
        /* tx: chunks still queued belong to messages staged ahead */
        d->staged = tcp_ahead_take(d, j);
        if (sd->tx && x->fill != NULL && j >= d->ahead_filled) {
            tp_status_t st = x->fill(x->hook_arg, tp_xfer_slot(x, j), d->len,
                                     x->offset0 + j * x->msg_size);
            if (st != TP_OK)
                return tcp_ep_fail(ep, st, NULL, 0);
        }
        sd->next++;
        *progress_p = 1;
    }
    return TP_OK;
}

/* Sent messages whose zerocopy ids have all completed are finished. */
static void tx_retire(struct tcp_side *sd, struct tcp_dir *d, const struct tcp_stream *st)
{
    while (d->zc_count > 0 && (int32_t)(st->zc_done - d->zc_end[d->zc_head]) >= 0) {
        d->zc_head = (d->zc_head + 1) % TCP_ZC_FIFO;
        d->zc_count--;
        dir_complete(sd, d);
    }
}

static void tx_sent(struct tcp_side *sd, struct tcp_dir *d, const struct tcp_stream *st)
{
    d->msg = TCP_IDLE;
    if (d->zc_count == 0 && (int32_t)(st->zc_done - st->zc_next) >= 0) {
        dir_complete(sd, d);
        return;
    }
    d->zc_end[(d->zc_head + d->zc_count) % TCP_ZC_FIFO] = st->zc_next;
    d->zc_count++;
}

/* Message m is in the buffer's memory: checked, finished. */
static tp_status_t rx_complete(struct tcp_ep *ep, struct tcp_side *sd, struct tcp_dir *d,
                               uint64_t m)
{
    const struct tp_xfer *x = sd->x;

    if (x->check != NULL) {
        tp_status_t st = x->check(x->hook_arg, tp_xfer_slot(x, m), tp_xfer_len(x, m),
                                  x->offset0 + m * x->msg_size);
        if (st != TP_OK)
            return tcp_ep_fail(ep, st, NULL, 0);
    }
    dir_complete(sd, d);
    return TP_OK;
}

/* Staged: complete stream s's landed messages (with wait, the oldest
 * pending one after waiting for its copies). */
static tp_status_t rx_landed(struct tcp_ep *ep, struct tcp_side *sd, int s, int wait,
                             int *progress_p)
{
    uint64_t m;

    for (;;) {
        tp_status_t st = tcp_rx_landed(ep, sd, s, wait, &m);
        if (st != TP_OK)
            return st;
        if (m == TCP_IDLE)
            return TP_OK;
        if ((st = rx_complete(ep, sd, &sd->dir[s], m)) != TP_OK)
            return st;
        *progress_p = 1;
        wait = 0;
    }
}

/* All of the current message is here: complete it (host memory) or let it
 * land while the stream receives its next one (staged). */
static tp_status_t rx_arrived(struct tcp_ep *ep, struct tcp_side *sd, int s, int *progress_p)
{
    struct tcp_dir *d = &sd->dir[s];
    uint64_t m = d->msg;

    d->msg = TCP_IDLE;
    if (sd->staged)
        return rx_landed(ep, sd, s, 0, progress_p);
    return rx_complete(ep, sd, d, m);
}

/* Nothing else can move: wait for the copies of every stream's oldest
 * landing message.  *progress_p: whether one completed. */
static tp_status_t rx_drain(struct tcp_ep *ep, struct tcp_side *sd, int *progress_p)
{
    for (int s = 0; sd->x != NULL && sd->staged && s < ep->nstreams; s++) {
        tp_status_t st = rx_landed(ep, sd, s, 1, progress_p);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

/* One pass over the streams: move what can move without waiting. */
static tp_status_t pass(struct tcp_ep *ep, struct tcp_side *tx, struct tcp_side *rx,
                        int flags, int *progress_p)
{
    for (int s = 0; s < ep->nstreams; s++) {
        size_t moved = 0;
        tp_status_t st;
        struct tcp_dir *d = tx->x ? &tx->dir[s] : NULL;
        if (d != NULL && d->msg != TCP_IDLE && !d->blocked) {
            if ((st = tcp_io_send(ep, tx, s, flags, &moved)) != TP_OK)
                return st;
            if (d->done == d->len)
                tx_sent(tx, d, &ep->st[s]);
            *progress_p |= moved > 0;
        }
        if (d != NULL && d->zc_count > 0) {
            if ((st = tcp_zc_reap(ep, s, progress_p)) != TP_OK)
                return st;
            tx_retire(tx, d, &ep->st[s]);
        }
        d = rx->x ? &rx->dir[s] : NULL;
        if (d != NULL && d->msg != TCP_IDLE && !d->blocked) {
            if ((st = tcp_io_recv(ep, rx, s, flags, &moved)) != TP_OK)
                return st;
            *progress_p |= moved > 0;
            if (d->done == d->len && (st = rx_arrived(ep, rx, s, progress_p)) != TP_OK)
                return st;
            /* staged: a receive may free a chunk, landing earlier messages */
            if (rx->staged && (st = rx_landed(ep, rx, s, 0, progress_p)) != TP_OK)
                return st;
        }
    }
    return TP_OK;
}

/* Nothing could move: sleep in poll until a stream is ready. */
static tp_status_t wait_ready(struct tcp_ep *ep, struct tcp_side *tx, struct tcp_side *rx,
                              double *deadline_p, int fresh)
{
    struct pollfd pfd[TCP_MAX_STREAMS];
    double timeout_s = ep->ctx->cfg.timeout_s, now = tcp_now_s();
    int n = 0, ms = -1;
    const char *what = tx->x && rx->x ? "exchanging data with"
                       : tx->x        ? "sending to" : "receiving from";

    for (int s = 0; s < ep->nstreams; s++) {
        short ev = 0;
        int zc = tx->x && tx->dir[s].zc_count > 0;
        if (tx->x && tx->dir[s].msg != TCP_IDLE && tx->dir[s].blocked)
            ev |= POLLOUT;
        if (rx->x && rx->dir[s].msg != TCP_IDLE && rx->dir[s].blocked)
            ev |= POLLIN;
        if (ev || zc)   /* zerocopy completions arrive as POLLERR */
            pfd[n++] = (struct pollfd){.fd = ep->st[s].fd, .events = ev};
    }
    if (n == 0) {
        tp_fail("tcp: %s %s: transfer stalled with nothing to wait for", what,
                     ep->peer_name);
        return tcp_ep_fail(ep, TP_ERR_INTERNAL, NULL, 0);
    }
    if (timeout_s > 0) {
        if (fresh)
            *deadline_p = now + timeout_s;
        if (now >= *deadline_p)
            return tcp_ep_fail(ep, TP_ERR_TIMEOUT, what, 0);
        ms = (int)((*deadline_p - now) * 1000) + 1;
    }
    /* the engine's limit on the whole call (tp_deadline.h) */
    double left = tp_deadline_clip(ms < 0 ? -1.0 : ms / 1000.0);
    if (left == 0)
        return tcp_ep_fail(ep, TP_ERR_TIMEOUT, what, 0);
    if (left > 0)
        ms = (int)(left * 1000) + 1;
    int r = poll(pfd, (nfds_t)n, ms);
    if (r < 0 && errno != EINTR)
        return tcp_ep_fail(ep, TP_ERR_IO, what, errno);
    if (r == 0)
        return tcp_ep_fail(ep, TP_ERR_TIMEOUT, what, 0);
    for (int i = 0, s = 0; i < n && r > 0; s++) {
        if (pfd[i].fd != ep->st[s].fd)
            continue;
        short re = pfd[i++].revents;
        if (tx->x && (re & (POLLOUT | POLLERR | POLLHUP)))
            tx->dir[s].blocked = 0;
        if (rx->x && (re & (POLLIN | POLLERR | POLLHUP)))
            rx->dir[s].blocked = 0;
    }
    return TP_OK;
}

static tp_status_t finish_ack(struct tcp_ep *ep, int sent, int received)
{
    unsigned char in[sizeof(ack_bytes)];
    int fd = ep->st[0].fd, err = 0;
    tp_status_t st;

    if (received && (st = tcp_send_all(fd, ack_bytes, sizeof(ack_bytes), &err)) != TP_OK)
        return tcp_ep_fail(ep, st, "acknowledging the end to", err);
    if (!sent)
        return TP_OK;
    if ((st = tcp_recv_all(fd, in, sizeof(in), &err)) != TP_OK)
        return tcp_ep_fail(ep, st, "waiting for the end acknowledgement from", err);
    if (memcmp(in, ack_bytes, sizeof(in)) != 0) {
        tp_fail("tcp: %s sent a bad end acknowledgement (streams out of step)",
                     ep->peer_name);
        return tcp_ep_fail(ep, TP_ERR_PEER, NULL, 0);
    }
    return TP_OK;
}

tp_status_t tcp_xfer_run(struct tcp_ep *ep, const struct tp_xfer *tx,
                         const struct tp_xfer *rx)
{
    struct tcp_side txs, rxs;
    double deadline = 0;
    int fresh = 1;
    tp_status_t st;

    if (ep->broken) {
        tp_fail("tcp: connection to %s is unusable after an earlier error",
                     ep->peer_name);
        return TP_ERR_PEER;
    }
    if ((tx && (st = xfer_check(ep, tx, "sending to")) != TP_OK) ||
        (rx && (st = xfer_check(ep, rx, "receiving from")) != TP_OK))
        return st;
    side_init(&txs, tx, 1, ep->dirs, ep->nstreams);
    side_init(&rxs, rx, 0, ep->dirs + ep->nstreams, ep->nstreams);
    /* one socket, one direction: plain blocking calls, fewest system calls */
    int flags = (!tx != !rx) && ep->nstreams == 1 && !(tx && ep->zerocopy) ? 0
                                                                           : MSG_DONTWAIT;
    while (txs.finished < txs.nmsgs || rxs.finished < rxs.nmsgs) {
        int progress = 0;
        if ((tx && (st = side_start(ep, &txs, &progress)) != TP_OK) ||
            (rx && (st = side_start(ep, &rxs, &progress)) != TP_OK) ||
            (st = pass(ep, &txs, &rxs, flags, &progress)) != TP_OK)
            return st;
        if (progress) {
            /* a trickle is progress, but the unit has a time limit too */
            if (tp_deadline_passed())
                return tcp_ep_fail(ep, TP_ERR_TIMEOUT, "transferring with", 0);
            fresh = 1;
            continue;
        }
        if (txs.finished == txs.nmsgs && rxs.finished == rxs.nmsgs)
            break;
        if ((st = rx_drain(ep, &rxs, &progress)) != TP_OK)
            return st;
        if (progress) {
            fresh = 1;
            continue;
        }
        if ((st = wait_ready(ep, &txs, &rxs, &deadline, fresh)) != TP_OK)
            return st;
        fresh = 0;
    }
    return finish_ack(ep, tx != NULL, rx != NULL);
}
