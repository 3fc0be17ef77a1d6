/* tp_verbs_stream.c: stream_send / stream_recv / stream_bidir.  One loop
 * drives the sending and/or receiving state machine of an endpoint
 * (tp_verbs_stream_tx.c, tp_verbs_stream_rx.c): control messages, posting,
 * completions, with the "no progress for timeout_s" deadline. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "../common/log.h"

/* Spin this long without progress, then sleep on the completion channel
 * until a completion arrives, so a rank with nothing to do (the end of a
 * batch, a peer gone quiet) leaves its core to others: soft devices (rxe)
 * do the NIC's work on the same cores.  Long enough that a stream of
 * messages never sleeps between two of them: with 50 us, rxe SENDs of
 * 4 KiB in a qemu guest (one every ~130 us) woke the receiver per message
 * and ran 14% slower than with 1 ms; a hardware NIC never gets near it.
 * A side with data work of its own in flight never sleeps
 * (verbs_keeps_polling), as perftest's polling sides do not. */
#define VERBS_SPIN_NS 1000000ull
#define VERBS_BLOCK_MS 100

uint64_t verbs_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Arms the CQs; the caller polls once more before sleeping (a completion
 * that came before the arming raises no event). */
static tp_status_t arm_cqs(struct verbs_ep *ep)
{
    if (ibv_req_notify_cq(ep->scq, 0) || ibv_req_notify_cq(ep->rcq, 0) ||
        ibv_req_notify_cq(ep->ccq, 0)) {
        tp_fail("verbs: ibv_req_notify_cq on %s failed", ep->ctx->dev_name);
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    return TP_OK;
}

/* Sleeps until a CQ event or VERBS_BLOCK_MS; consumes the events. */
static tp_status_t sleep_on_cqs(struct verbs_ep *ep)
{
    struct pollfd pfd = {.fd = ep->chan->fd, .events = POLLIN};
    struct ibv_cq *cq;
    void *cq_ctx;

    if (poll(&pfd, 1, VERBS_BLOCK_MS) < 0 && errno != EINTR) {
        tp_fail("verbs: waiting for completions: %s", strerror(errno));
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    while (ibv_get_cq_event(ep->chan, &cq, &cq_ctx) == 0)
        ibv_ack_cq_events(cq, 1);
    return TP_OK;
}

uint64_t verbs_prefix(const struct verbs_qp_acct *q, int nqps, uint64_t msgs,
                      int use_recv)
{
    uint64_t low = msgs;

    for (int i = 0; i < nqps; i++) {
        uint64_t k = use_recv ? q[i].rdone : q[i].done;
        uint64_t first_open = k * (uint64_t)nqps + (uint64_t)i;
        if (first_open < low)
            low = first_open;
    }
    return low;
}

int verbs_ring_matches(struct verbs_ep *ep, const struct verbs_msg *m, uint64_t msgs,
                       size_t msg_size, const char *peer_does, const char *we_do)
{
    if (m->total == msgs && m->msg_size == msg_size)
        return 1;
    tp_fail("verbs: rank %d %s %llu messages of %llu bytes, this rank %s %llu of %zu",
                 ep->peer, peer_does, (unsigned long long)m->total,
                 (unsigned long long)m->msg_size, we_do, (unsigned long long)msgs, msg_size);
    return 0;
}

void verbs_ring_take(const struct verbs_msg *m, uint64_t *raddr, uint32_t *rkey,
                     uint64_t *rslots)
{
    *raddr = m->addr;
    *rkey = m->rkey;
    *rslots = m->msg_size && m->len / m->msg_size ? m->len / m->msg_size : 1;
}

tp_status_t verbs_xfer_check(struct verbs_ep *ep, const struct tp_xfer *x)
{
    if (ep->broken != TP_OK) {
        tp_fail("verbs: the connection to rank %d failed earlier (%s)", ep->peer,
                     tp_status_string(ep->broken));
        return ep->broken;
    }
    if (x->buf == NULL || x->buf->mr == NULL) {
        tp_fail("verbs: transfer buffer not registered (mem_reg)");
        return TP_ERR_INVALID;
    }
    if (x->msg_size == 0 || x->msg_size > x->buf->len || x->msg_size > UINT32_MAX) {
        tp_fail("verbs: message size %zu does not fit the %zu-byte registered ring",
                     x->msg_size, x->buf->len);
        return TP_ERR_INVALID;
    }
    return TP_OK;
}

/* A message larger than either port's max_msg_sz travels as several: the
 * transfer streams in pieces of at most that size (equal pieces of each
 * message; the fill and check hooks see the pieces, with their offsets). */
static const struct tp_xfer *xfer_split(const struct verbs_ep *ep, const struct tp_xfer *x,
                                        struct tp_xfer *tmp)
{
    uint64_t k;

    if (ep->max_msg == 0 || x->msg_size <= ep->max_msg)
        return x;
    k = (x->msg_size + ep->max_msg - 1) / ep->max_msg;
    *tmp = *x;
    tmp->msg_size = (size_t)((x->msg_size + k - 1) / k);
    tp_log_debug("verbs: %zu-byte messages to/from rank %d sent as %llu of %zu bytes "
                 "(max_msg_sz %llu)", x->msg_size, ep->peer, (unsigned long long)k,
                 tmp->msg_size, (unsigned long long)ep->max_msg);
    return tmp;
}

int verbs_keeps_polling(const struct verbs_tx *tx, const struct verbs_rx *rx)
{
    if (tx != NULL && !tx->done)
        for (int q = 0; q < tx->ep->nqps; q++)
            if (tx->q[q].posted != tx->q[q].done)
                return 1;
    return rx != NULL && !rx->done && rx->started &&
           rx->ep->ctx->opts.rdma_op != TP_RDMA_WRITE;
}

/* Completions of the data CQs, routed to the state machine they belong to. */
static tp_status_t poll_data(struct verbs_ep *ep, struct verbs_tx *tx,
                             struct verbs_rx *rx, int *progress)
{
    struct ibv_wc wc[16];
    struct ibv_cq *cqs[2] = {ep->scq, ep->rcq};
    tp_status_t st;

    for (int c = 0; c < 2; c++) {
        int n = ibv_poll_cq(cqs[c], 16, wc);
        if (n < 0) {
            tp_fail("verbs: polling a completion queue on %s failed",
                         ep->ctx->dev_name);
            return verbs_ep_fail(ep, TP_ERR_IO);
        }
        for (int i = 0; i < n; i++) {
            unsigned kind = verbs_wr_kind(wc[i].wr_id);
            if (wc[i].status != IBV_WC_SUCCESS)
                return verbs_wc_error(ep, &wc[i],
                                      kind == VERBS_WR_RECV ? "receiving data" :
                                      kind == VERBS_WR_READ ? "an RDMA read" :
                                      "sending data");
            *progress = 1;
            if (kind == VERBS_WR_TX && tx != NULL)
                st = verbs_tx_on_wc(tx, &wc[i]);
            else if ((kind == VERBS_WR_RECV || kind == VERBS_WR_READ) && rx != NULL)
                st = verbs_rx_on_wc(rx, &wc[i]);
            else
                st = verbs_ep_fail(ep, TP_ERR_INTERNAL);
            if (st != TP_OK)
                return st;
        }
    }
    return TP_OK;
}

/* One pass over everything that can move; *progress when anything did. */
static tp_status_t drive_pass(struct verbs_ep *ep, struct verbs_tx *tx,
                              struct verbs_rx *rx, int *progress)
{
    tp_status_t st;

    if ((st = verbs_ctrl_poll(ep, progress)) != TP_OK)
        return st;
    if (tx != NULL && !tx->done && (st = verbs_tx_step(tx, progress)) != TP_OK)
        return st;
    if (rx != NULL && !rx->done && (st = verbs_rx_step(rx, progress)) != TP_OK)
        return st;
    return poll_data(ep, tx, rx, progress);
}

static tp_status_t drive(struct verbs_ep *ep, struct verbs_tx *tx, struct verbs_rx *rx)
{
    struct verbs_wait w;
    uint64_t idle_since = 0;
    unsigned empty = 0;
    tp_status_t st;

    verbs_wait_start(&w, ep);
    while ((tx != NULL && !tx->done) || (rx != NULL && !rx->done)) {
        const char *what = tx != NULL && !tx->done ? "the receiver" : "data";
        int progress = 0;
        if ((st = drive_pass(ep, tx, rx, &progress)) != TP_OK)
            return st;
        if (progress) {
            verbs_wait_progress(&w);
            empty = 0;
            continue;
        }
        if ((st = verbs_wait_idle(&w, ep, what)) != TP_OK)
            return st;
        if ((++empty & 63) != 0)
            continue;
        if (empty == 64) {
            idle_since = verbs_now_ns();
            continue;
        }
        /* the cheap test first: a side with work in flight reads no clock */
        if (verbs_keeps_polling(tx, rx) || verbs_now_ns() - idle_since < VERBS_SPIN_NS)
            continue;
        if ((st = arm_cqs(ep)) != TP_OK || (st = drive_pass(ep, tx, rx, &progress)) != TP_OK)
            return st;
        if (!progress && (st = sleep_on_cqs(ep)) != TP_OK)
            return st;
        empty = 0;
        /* the deadline counts sleeps as idle time: read the clock now */
        w.idle |= 1023;
        if (!progress && (st = verbs_wait_idle(&w, ep, what)) != TP_OK)
            return st;
        if (progress)
            verbs_wait_progress(&w);
    }
    return TP_OK;
}

tp_status_t verbs_stream_send(void *vep, const struct tp_xfer *x)
{
    struct verbs_ep *ep = vep;
    struct verbs_tx tx;
    struct tp_xfer piece;
    tp_status_t st;

    if ((st = verbs_xfer_check(ep, x)) != TP_OK)
        return st;
    if ((st = verbs_tx_start(&tx, ep, xfer_split(ep, x, &piece))) != TP_OK)
        return st;
    st = drive(ep, &tx, NULL);
    if (x->span_ns != NULL)
        *x->span_ns = st == TP_OK ? verbs_tx_span_ns(&tx) : 0;
    return st;
}

tp_status_t verbs_stream_recv(void *vep, const struct tp_xfer *x)
{
    struct verbs_ep *ep = vep;
    struct verbs_rx rx;
    struct tp_xfer piece;
    tp_status_t st;

    if ((st = verbs_xfer_check(ep, x)) != TP_OK)
        return st;
    if ((st = verbs_rx_start(&rx, ep, xfer_split(ep, x, &piece))) != TP_OK)
        return st;
    return drive(ep, NULL, &rx);
}

tp_status_t verbs_stream_bidir(void *vep, const struct tp_xfer *txx,
                               const struct tp_xfer *rxx)
{
    struct verbs_ep *ep = vep;
    struct verbs_tx tx;
    struct verbs_rx rx;
    struct tp_xfer tpiece, rpiece;
    tp_status_t st;

    if ((st = verbs_xfer_check(ep, txx)) != TP_OK ||
        (st = verbs_xfer_check(ep, rxx)) != TP_OK)
        return st;
    if (txx->buf == rxx->buf) {
        tp_fail("verbs: bidirectional transfer needs separate send and receive rings");
        return TP_ERR_INVALID;
    }
    if ((st = verbs_rx_start(&rx, ep, xfer_split(ep, rxx, &rpiece))) != TP_OK)
        return st;
    if ((st = verbs_tx_start(&tx, ep, xfer_split(ep, txx, &tpiece))) != TP_OK)
        return st;
    return drive(ep, &tx, &rx);
}
