/* tp_tcp_xfer.c: the transfer engine behind stream_send/recv/bidir.  A
 * worker drives its share of the streams (both directions for bidir) with
 * one poll loop: the caller's thread alone, or one of several threads
 * (tp_tcp_threads.c), each with every S-th stream.
 *
 * Message j goes on stream j % S into ring slot j % nslots.  Each stream
 * starts its messages in order (j, j + S, ...); j starts once its stream is
 * free and the slot's previous user, j - nslots, has finished (sent and,
 * with zerocopy, completed; or arrived and checked), whichever worker's
 * stream carried it.  Both ends start each stream's messages in the same
 * order, so the earliest message not yet arrived always has both ends
 * working on it: no deadlock for any ring size, stream or thread count.  A
 * worker whose streams wait only for a slot sleeps on its eventfd until the
 * worker that frees one wakes it.
 *
 * At the end the receiver writes an 8-byte acknowledgement on stream 0,
 * after its own data on that stream, and the sender waits for it. */
#include "tcp_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
    for (int s = 0; s < nstreams; s++) {
        dir[s].msg = dir[s].ahead_msg = TCP_IDLE;
        dir[s].next = (uint64_t)s;
    }
}

/* The worker's share: messages on its streams, and how it calls send/recv
 * (one stream, one direction: plain blocking calls, fewest system calls). */
void tcp_worker_share(struct tcp_worker *w)
{
    int S = w->ep->nstreams, mine = 0;

    w->tx.todo = w->rx.todo = 0;
    w->tx.finished = w->rx.finished = 0;
    for (int s = w->first; s < S; s += w->step, mine++) {
        if (w->tx.nmsgs > (uint64_t)s)
            w->tx.todo += (w->tx.nmsgs - 1 - (uint64_t)s) / (uint64_t)S + 1;
        if (w->rx.nmsgs > (uint64_t)s)
            w->rx.todo += (w->rx.nmsgs - 1 - (uint64_t)s) / (uint64_t)S + 1;
    }
    int one_way = !w->tx.x != !w->rx.x;
    w->flags = one_way && mine == 1 && !(w->tx.x && w->ep->zerocopy) ? 0 : MSG_DONTWAIT;
}

int tcp_slot_free(const struct tcp_side *sd, uint64_t j, int nstreams)
{
    uint64_t nslots = tp_xfer_nslots(sd->x);

    if (j < nslots)
        return 1;
    uint64_t prev = j - nslots;
    const struct tcp_dir *d = &sd->dir[prev % (uint64_t)nstreams];
    return __atomic_load_n(&d->completed, __ATOMIC_SEQ_CST) > prev / (uint64_t)nstreams;
}

/* Message done on d: other workers may be waiting for its slot. */
static void dir_complete(struct tcp_worker *w, struct tcp_side *sd, struct tcp_dir *d)
{
    __atomic_store_n(&d->completed, d->completed + 1, __ATOMIC_SEQ_CST);
    sd->finished++;
    if (w->job != NULL)
        tcp_threads_wake(w->ep, w, 0);
}

tp_status_t tcp_hook_call(struct tcp_ep *ep, tp_chunk_fn fn, void *arg, void *buf, size_t len,
                          uint64_t offset)
{
    struct tcp_job *job = ep->job;
    tp_status_t st;

    if (job == NULL)
        return fn(arg, buf, len, offset);
    pthread_mutex_lock(&job->hook_lock);
    st = fn(arg, buf, len, offset);
    pthread_mutex_unlock(&job->hook_lock);
    return st;
}

/* Stream s may start its next message now. */
static int can_start(const struct tcp_ep *ep, const struct tcp_side *sd, int s)
{
    const struct tcp_dir *d = &sd->dir[s];

    return sd->x != NULL && d->msg == TCP_IDLE && d->next < sd->nmsgs &&
           d->zc_count < TCP_ZC_FIFO && tcp_slot_free(sd, d->next, ep->nstreams);
}

/* Start each of the worker's streams' next message if it may start now;
 * the sender fills it first. */
static tp_status_t side_start(struct tcp_worker *w, struct tcp_side *sd, int *progress_p)
{
    struct tcp_ep *ep = w->ep;
    const struct tp_xfer *x = sd->x;

    for (int s = w->first; s < ep->nstreams; s += w->step) {
        struct tcp_dir *d = &sd->dir[s];
        if (!can_start(ep, sd, s))
            continue;
        uint64_t j = d->next;
        d->msg = j;
        d->len = tp_xfer_len(x, j);
        d->done = d->stage_len = d->stage_pos = 0;
        /* rx: rq_cur/rq_busy carry over, earlier messages may still land */
        /* tx: chunks still queued belong to messages staged ahead */
        d->staged = tcp_ahead_take(d, j);
        if (sd->tx && x->fill != NULL && j >= d->ahead_filled) {
            tp_status_t st = tcp_hook_call(ep, x->fill, x->hook_arg, tp_xfer_slot(x, j), d->len,
                                           x->offset0 + j * x->msg_size);
            if (st != TP_OK)
                return tcp_ep_fail(ep, st, NULL, 0);
        }
        d->next += (uint64_t)ep->nstreams;
        *progress_p = 1;
    }
    return TP_OK;
}

/* Sent messages whose zerocopy ids have all completed are finished. */
static void tx_retire(struct tcp_worker *w, struct tcp_dir *d, const struct tcp_stream *st)
{
    while (d->zc_count > 0 && (int32_t)(st->zc_done - d->zc_end[d->zc_head]) >= 0) {
        d->zc_head = (d->zc_head + 1) % TCP_ZC_FIFO;
        d->zc_count--;
        dir_complete(w, &w->tx, d);
    }
}

static void tx_sent(struct tcp_worker *w, struct tcp_dir *d, const struct tcp_stream *st)
{
    d->msg = TCP_IDLE;
    if (d->zc_count == 0 && (int32_t)(st->zc_done - st->zc_next) >= 0) {
        dir_complete(w, &w->tx, d);
        return;
    }
    d->zc_end[(d->zc_head + d->zc_count) % TCP_ZC_FIFO] = st->zc_next;
    d->zc_count++;
}

/* Message m is in the buffer's memory: checked, finished. */
static tp_status_t rx_complete(struct tcp_worker *w, struct tcp_dir *d, uint64_t m)
{
    const struct tp_xfer *x = w->rx.x;

    if (x->check != NULL) {
        tp_status_t st = tcp_hook_call(w->ep, x->check, x->hook_arg, tp_xfer_slot(x, m),
                                       tp_xfer_len(x, m), x->offset0 + m * x->msg_size);
        if (st != TP_OK)
            return tcp_ep_fail(w->ep, st, NULL, 0);
    }
    dir_complete(w, &w->rx, d);
    return TP_OK;
}

/* Staged: complete stream s's landed messages (with wait, the oldest
 * pending one after waiting for its copies). */
static tp_status_t rx_landed(struct tcp_worker *w, int s, int wait, int *progress_p)
{
    uint64_t m;

    for (;;) {
        tp_status_t st = tcp_rx_landed(w->ep, &w->rx, s, wait, &m);
        if (st != TP_OK)
            return st;
        if (m == TCP_IDLE)
            return TP_OK;
        if ((st = rx_complete(w, &w->rx.dir[s], m)) != TP_OK)
            return st;
        *progress_p = 1;
        wait = 0;
    }
}

/* All of the current message is here: complete it (host memory) or let it
 * land while the stream receives its next one (staged). */
static tp_status_t rx_arrived(struct tcp_worker *w, int s, int *progress_p)
{
    struct tcp_dir *d = &w->rx.dir[s];
    uint64_t m = d->msg;

    d->msg = TCP_IDLE;
    if (w->rx.staged)
        return rx_landed(w, s, 0, progress_p);
    return rx_complete(w, d, m);
}

/* Nothing else can move: wait for the copies of every stream's oldest
 * landing message.  *progress_p: whether one completed. */
static tp_status_t rx_drain(struct tcp_worker *w, int *progress_p)
{
    for (int s = w->first; w->rx.x != NULL && w->rx.staged && s < w->ep->nstreams;
         s += w->step) {
        tp_status_t st = rx_landed(w, s, 1, progress_p);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

/* One pass over the worker's streams: move what can move without waiting. */
static tp_status_t pass(struct tcp_worker *w, int *progress_p)
{
    struct tcp_ep *ep = w->ep;
    struct tcp_side *tx = &w->tx, *rx = &w->rx;

    for (int s = w->first; s < ep->nstreams; s += w->step) {
        size_t moved = 0;
        tp_status_t st;
        struct tcp_dir *d = tx->x ? &tx->dir[s] : NULL;
        if (d != NULL && d->msg != TCP_IDLE && !d->blocked) {
            if ((st = tcp_io_send(ep, tx, s, w->flags, &moved)) != TP_OK)
                return st;
            if (d->done == d->len)
                tx_sent(w, d, &ep->st[s]);
            *progress_p |= moved > 0;
        }
        if (d != NULL && d->zc_count > 0) {
            if ((st = tcp_zc_reap(ep, s, progress_p)) != TP_OK)
                return st;
            tx_retire(w, d, &ep->st[s]);
        }
        d = rx->x ? &rx->dir[s] : NULL;
        if (d != NULL && d->msg != TCP_IDLE && !d->blocked) {
            if ((st = tcp_io_recv(ep, rx, s, w->flags, &moved)) != TP_OK)
                return st;
            *progress_p |= moved > 0;
            if (d->done == d->len && (st = rx_arrived(w, s, progress_p)) != TP_OK)
                return st;
            /* staged: a receive may free a chunk, landing earlier messages */
            if (rx->staged && (st = rx_landed(w, s, 0, progress_p)) != TP_OK)
                return st;
        }
    }
    return TP_OK;
}

/* The worker's poll set: its blocked streams (and those awaiting zerocopy
 * completions, which arrive as POLLERR), and with threads its eventfd
 * last, unless a stream may start after all (then 0 entries). */
static int poll_set(struct tcp_worker *w, struct pollfd *pfd, int *sidx)
{
    struct tcp_ep *ep = w->ep;
    const struct tcp_side *tx = &w->tx, *rx = &w->rx;
    int n = 0;

    for (int s = w->first; s < ep->nstreams; s += w->step) {
        short ev = 0;
        int zc = tx->x && tx->dir[s].zc_count > 0;
        if (tx->x && tx->dir[s].msg != TCP_IDLE && tx->dir[s].blocked)
            ev |= POLLOUT;
        if (rx->x && rx->dir[s].msg != TCP_IDLE && rx->dir[s].blocked)
            ev |= POLLIN;
        if (ev || zc) {
            sidx[n] = s;
            pfd[n++] = (struct pollfd){.fd = ep->st[s].fd, .events = ev};
        }
    }
    if (w->job == NULL)
        return n;
    /* announce the sleep, then look again: a worker freeing a slot after
     * this sees the flag and wakes us */
    __atomic_store_n(&w->sleeping, 1, __ATOMIC_SEQ_CST);
    for (int s = w->first; s < ep->nstreams; s += w->step)
        if (can_start(ep, tx, s) || can_start(ep, rx, s)) {
            __atomic_store_n(&w->sleeping, 0, __ATOMIC_SEQ_CST);
            return 0;
        }
    sidx[n] = -1;
    pfd[n++] = (struct pollfd){.fd = w->wake_fd, .events = POLLIN};
    return n;
}

/* Poll timed out: with threads, progress elsewhere (a stream of another
 * worker this one waits on) counts too, so start another period. */
static int others_moved(struct tcp_worker *w)
{
    uint64_t p;

    if (w->job == NULL)
        return 0;
    p = __atomic_load_n(&w->job->progress, __ATOMIC_RELAXED);
    if (p == w->seen)
        return 0;
    w->seen = p;
    return 1;
}

static void poll_done(struct tcp_worker *w, const struct pollfd *pfd, const int *sidx, int n)
{
    for (int i = 0; i < n; i++) {
        short re = pfd[i].revents;
        int s = sidx[i];
        if (s < 0) {
            uint64_t v;
            if (re & POLLIN)
                (void)!read(w->wake_fd, &v, sizeof(v));
            continue;
        }
        if (w->tx.x && (re & (POLLOUT | POLLERR | POLLHUP)))
            w->tx.dir[s].blocked = 0;
        if (w->rx.x && (re & (POLLIN | POLLERR | POLLHUP)))
            w->rx.dir[s].blocked = 0;
    }
}

/* Nothing could move: sleep in poll until a stream is ready (or, with
 * threads, another worker frees a slot). */
static tp_status_t wait_ready(struct tcp_worker *w, double *deadline_p, int fresh)
{
    struct tcp_ep *ep = w->ep;
    struct pollfd pfd[TCP_MAX_STREAMS + 1];
    int sidx[TCP_MAX_STREAMS + 1];
    double timeout_s = ep->ctx->cfg.timeout_s, now = tcp_now_s();
    int ms = -1;
    const char *what = w->tx.x && w->rx.x ? "exchanging data with"
                       : w->tx.x          ? "sending to" : "receiving from";
    int n = poll_set(w, pfd, sidx);

    if (n == 0 && w->job != NULL)
        return TP_OK;           /* a stream may start after all */
    if (n == 0) {
        tp_fail("tcp: %s %s: transfer stalled with nothing to wait for", what,
                     ep->peer_name);
        return tcp_ep_fail(ep, TP_ERR_INTERNAL, NULL, 0);
    }
    if (timeout_s > 0) {
        if (fresh)
            *deadline_p = now + timeout_s;
        if (now >= *deadline_p && others_moved(w))
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
    if (w->job != NULL)
        __atomic_store_n(&w->sleeping, 0, __ATOMIC_SEQ_CST);
    if (r < 0 && errno != EINTR)
        return tcp_ep_fail(ep, TP_ERR_IO, what, errno);
    if (r == 0 && !others_moved(w))
        return tcp_ep_fail(ep, TP_ERR_TIMEOUT, what, 0);
    if (r == 0)
        *deadline_p = tcp_now_s() + timeout_s;
    poll_done(w, pfd, sidx, r > 0 ? n : 0);
    return TP_OK;
}

tp_status_t tcp_worker_run(struct tcp_worker *w)
{
    struct tcp_side *txs = &w->tx, *rxs = &w->rx;
    double deadline = 0;
    int fresh = 1;
    tp_status_t st;

    while (txs->finished < txs->todo || rxs->finished < rxs->todo) {
        int progress = 0;
        /* another worker failed: its line is the transfer's */
        if (w->job != NULL && __atomic_load_n(&w->ep->broken, __ATOMIC_SEQ_CST))
            return TP_ERR_PEER;
        if ((txs->x && (st = side_start(w, txs, &progress)) != TP_OK) ||
            (rxs->x && (st = side_start(w, rxs, &progress)) != TP_OK) ||
            (st = pass(w, &progress)) != TP_OK)
            return st;
        if (progress) {
            if (w->job != NULL)
                __atomic_fetch_add(&w->job->progress, 1, __ATOMIC_RELAXED);
            /* a trickle is progress, but the unit has a time limit too */
            if (tp_deadline_passed())
                return tcp_ep_fail(w->ep, TP_ERR_TIMEOUT, "transferring with", 0);
            fresh = 1;
            continue;
        }
        if (txs->finished == txs->todo && rxs->finished == rxs->todo)
            break;
        if ((st = rx_drain(w, &progress)) != TP_OK)
            return st;
        if (progress) {
            fresh = 1;
            continue;
        }
        if ((st = wait_ready(w, &deadline, fresh)) != TP_OK)
            return st;
        fresh = 0;
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
                         const struct tp_xfer *rx, struct tp_error *err)
{
    struct tcp_worker w = {.ep = ep, .first = 0, .step = 1, .wake_fd = -1, .cpu = -1};
    tp_status_t st;

    if (ep->broken) {
        tp_fail("tcp: connection to %s is unusable after an earlier error",
                     ep->peer_name);
        return TP_ERR_PEER;
    }
    if ((tx && (st = xfer_check(ep, tx, "sending to")) != TP_OK) ||
        (rx && (st = xfer_check(ep, rx, "receiving from")) != TP_OK))
        return st;
    side_init(&w.tx, tx, 1, ep->dirs, ep->nstreams);
    side_init(&w.rx, rx, 0, ep->dirs + ep->nstreams, ep->nstreams);
    int n = tcp_threads_wanted(ep, w.tx.staged || w.rx.staged);
    if (n > 1) {
        st = tcp_threads_run(ep, &w, n, err);
    } else {
        tcp_worker_share(&w);
        st = tcp_worker_run(&w);
    }
    if (st != TP_OK)
        return st;
    return finish_ack(ep, tx != NULL, rx != NULL);
}
