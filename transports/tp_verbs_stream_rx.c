/* tp_verbs_stream_rx.c: the receiving side of one transfer.  WRITE and
 * SEND: post the receives the sender's messages will consume (into ring
 * slots for SEND, empty ones for WRITE's immediates), announce the ring
 * (READY), check each message as it completes, hand back credits when
 * the sender must not overrun checked slots, and acknowledge the end.
 * RDMA READ: wait for the sender's SRC, pull with up to tx_depth READs in
 * flight per QP, check, credit, acknowledge. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <arpa/inet.h>
#include <string.h>

#include "../common/log.h"

static enum tp_rdma_op rx_op(const struct verbs_rx *rx)
{
    return rx->ep->ctx->opts.rdma_op;
}

static tp_status_t rx_post_recv(struct verbs_rx *rx, uint64_t i)
{
    struct verbs_ep *ep = rx->ep;
    const struct tp_xfer *x = rx->x;
    int q = (int)(i % (uint64_t)ep->nqps);
    struct verbs_qp_acct *a = &rx->q[q];
    struct ibv_recv_wr wr, *bad;
    struct ibv_sge sge;
    int rc;

    memset(&wr, 0, sizeof(wr));
    wr.wr_id = verbs_wr_id(VERBS_WR_RECV, (unsigned)q, a->rposted);
    if (rx_op(rx) == TP_RDMA_SEND) {
        sge.addr = (uintptr_t)verbs_nic_addr(x->buf, tp_xfer_slot(x, i));
        sge.length = (uint32_t)x->msg_size;
        sge.lkey = verbs_buf_mr(x->buf)->lkey;
        wr.sg_list = &sge;
        wr.num_sge = 1;
    }                          /* WRITE with immediate: no data, no SGE */
    rc = ibv_post_recv(ep->qp[q], &wr, &bad);
    if (rc != 0) {
        tp_fail("verbs: posting a receive for rank %d: %s", ep->peer, strerror(rc));
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    a->rposted++;
    return TP_OK;
}

static tp_status_t rx_post_recvs(struct verbs_rx *rx, int *progress)
{
    struct verbs_ep *ep = rx->ep;
    tp_status_t st;

    if (rx_op(rx) == TP_RDMA_WRITE && !rx->verify) {
        /* only the closing WRITE of each QP carries an immediate */
        for (; rx->next < rx->msgs && rx->next < (uint64_t)ep->nqps; rx->next++)
            if ((st = rx_post_recv(rx, rx->next)) != TP_OK)
                return st;
        rx->next = rx->msgs;
        return TP_OK;
    }
    while (rx->next < rx->msgs) {
        uint64_t i = rx->next;
        const struct verbs_qp_acct *a = &rx->q[i % (uint64_t)ep->nqps];
        if (a->rposted - a->rdone >= ep->rq_depth)
            break;
        if (rx_op(rx) == TP_RDMA_SEND && rx->verify && i >= rx->consumed + rx->lslots)
            break;
        if ((st = rx_post_recv(rx, i)) != TP_OK)
            return st;
        rx->next++;
        *progress = 1;
    }
    return TP_OK;
}

static tp_status_t rx_send(struct verbs_rx *rx, enum verbs_msg_type type,
                           uint64_t count, tp_status_t status)
{
    const struct tp_xfer *x = rx->x;
    struct verbs_msg m;

    memset(&m, 0, sizeof(m));
    m.type = type;
    m.seq = rx->seq;
    m.status = status;
    m.flags = rx->verify ? VERBS_FLAG_VERIFY : 0;
    m.rkey = verbs_buf_mr(x->buf)->rkey;
    m.addr = (uintptr_t)verbs_nic_addr(x->buf, x->buf->addr);
    m.len = x->buf->len;
    m.msg_size = x->msg_size;
    m.total = rx->msgs;
    m.count = count;
    /* the reader's span, as ib_read_bw times a run; not with checks or
     * refills (each read waits on a slot) */
    if (type == VERBS_MSG_ACK && status == TP_OK && rx_op(rx) == TP_RDMA_READ && !rx->every &&
        rx->t_first != 0 && rx->t_last > rx->t_first)
        m.span_ns = rx->t_last - rx->t_first;
    return verbs_ctrl_send(rx->ep, &m);
}

/* A failure found here: tell the sender so it stops at once. */
static tp_status_t rx_abort(struct verbs_rx *rx, tp_status_t st)
{
    if (rx->ep->broken == TP_OK)
        rx_send(rx, VERBS_MSG_ACK, rx->consumed, st);
    return verbs_ep_fail(rx->ep, st);
}

/* What the sender may post next: messages with index < limit.  SEND:
 * the receives posted (no RNR waits, which rxe does not always recover
 * from); WRITE with checks: slots free of unchecked data; READ with a
 * refilling sender: messages pulled, so their slots may be refilled. */
static uint64_t rx_limit(const struct verbs_rx *rx, uint64_t *capacity)
{
    uint64_t rq = (uint64_t)rx->ep->rq_depth * (uint64_t)rx->ep->nqps;

    *capacity = rx->msgs;
    switch (rx_op(rx)) {
    case TP_RDMA_SEND:
        *capacity = rx->verify && rx->lslots < rq ? rx->lslots : rq;
        return rx->next;
    case TP_RDMA_WRITE:
        *capacity = rx->lslots;
        return rx->verify ? rx->consumed + rx->lslots : rx->msgs;
    case TP_RDMA_READ:
        *capacity = rx->rslots;
        return rx->consumed;
    }
    return rx->msgs;
}

/* Tells the sender about a larger limit, in steps of a quarter of the
 * capacity (at least one) and always when the limit reaches the end: the
 * sender hears of new room while three quarters of its window are still
 * in flight, so it never stalls waiting for credit. */
static tp_status_t rx_grant(struct verbs_rx *rx)
{
    uint64_t capacity, limit = rx_limit(rx, &capacity);
    uint64_t step = capacity / 4 ? capacity / 4 : 1;

    if (limit > rx->msgs)
        limit = rx->msgs;

    if (rx_op(rx) == TP_RDMA_WRITE && !rx->verify)
        return TP_OK;
    if (rx_op(rx) == TP_RDMA_READ && (!rx->rfill || limit >= rx->msgs))
        return TP_OK;               /* the ACK follows */
    if (limit <= rx->limit_sent)
        return TP_OK;
    if (limit - rx->limit_sent < step && limit < rx->msgs)
        return TP_OK;
    rx->limit_sent = limit;
    return rx_send(rx, VERBS_MSG_CREDIT, limit, TP_OK);
}

static void rx_advance(struct verbs_rx *rx, int use_recv)
{
    rx->consumed = verbs_prefix(rx->q, rx->ep->nqps, rx->msgs, use_recv);
}

tp_status_t verbs_rx_start(struct verbs_rx *rx, struct verbs_ep *ep,
                           const struct tp_xfer *x)
{
    uint64_t capacity;
    int progress = 0;
    tp_status_t st;

    memset(rx, 0, sizeof(*rx));
    rx->ep = ep;
    rx->x = x;
    rx->seq = ++ep->rx_seq;
    rx->msgs = tp_xfer_msgs(x);
    rx->lslots = tp_xfer_nslots(x);
    /* staged: each message is copied out of the shadow as it lands, so
     * the sender must see per-message completions and credits, as with
     * checks */
    rx->verify = x->check != NULL || verbs_buf_staged(x->buf);
    if (rx_op(rx) == TP_RDMA_READ)
        return TP_OK;           /* waits for the sender's SRC */
    if ((st = rx_post_recvs(rx, &progress)) != TP_OK)
        return st;
    rx->started = 1;
    rx->limit_sent = rx_limit(rx, &capacity);
    if (rx->limit_sent > rx->msgs)
        rx->limit_sent = rx->msgs;
    return rx_send(rx, VERBS_MSG_READY, rx->limit_sent, TP_OK);
}

static tp_status_t rx_check(struct verbs_rx *rx, uint64_t i)
{
    const struct tp_xfer *x = rx->x;
    tp_status_t st;

    if ((st = verbs_stage_in(rx->ep, x->buf, tp_xfer_slot(x, i), tp_xfer_len(x, i))) != TP_OK)
        return rx_abort(rx, st);
    if (x->check == NULL)
        return TP_OK;
    st = x->check(x->hook_arg, tp_xfer_slot(x, i), tp_xfer_len(x, i),
                  x->offset0 + i * x->msg_size);
    return st == TP_OK ? TP_OK : rx_abort(rx, st);
}

static tp_status_t rx_on_recv(struct verbs_rx *rx, const struct ibv_wc *wc)
{
    struct verbs_ep *ep = rx->ep;
    unsigned q = verbs_wr_qp(wc->wr_id);
    struct verbs_qp_acct *a = &rx->q[q];
    uint64_t i = a->rdone * (uint64_t)ep->nqps + q;
    tp_status_t st;

    if (rx_op(rx) == TP_RDMA_WRITE) {
        if (wc->opcode != IBV_WC_RECV_RDMA_WITH_IMM ||
            (rx->verify && ntohl(wc->imm_data) != (uint32_t)i)) {
            tp_fail("verbs: rank %d: unexpected completion on QP %u (opcode %d, "
                         "immediate %u, expected message %llu)", ep->peer, q,
                         (int)wc->opcode, ntohl(wc->imm_data), (unsigned long long)i);
            return rx_abort(rx, TP_ERR_PEER);
        }
        a->rdone++;
        if (!rx->verify) {
            rx->finals++;
            return TP_OK;
        }
    } else {
        size_t want = tp_xfer_len(rx->x, i);
        if (wc->opcode != IBV_WC_RECV || wc->byte_len != want) {
            tp_fail("verbs: rank %d: message %llu has %u bytes, expected %zu",
                         ep->peer, (unsigned long long)i, wc->byte_len, want);
            return rx_abort(rx, TP_ERR_PEER);
        }
        a->rdone++;
    }
    if ((st = rx_check(rx, i)) != TP_OK)
        return st;
    rx_advance(rx, 1);
    return rx_grant(rx);
}

static tp_status_t rx_on_read(struct verbs_rx *rx, const struct ibv_wc *wc)
{
    unsigned q = verbs_wr_qp(wc->wr_id);
    uint64_t n = verbs_wr_n(wc->wr_id);
    tp_status_t st;

    rx->q[q].done = n + 1;
    rx->t_last = verbs_now_ns();     /* signaled reads only, the last of each QP too */
    if (rx->every && (st = rx_check(rx, n * (uint64_t)rx->ep->nqps + q)) != TP_OK)
        return st;
    rx_advance(rx, 0);
    return rx_grant(rx);
}

tp_status_t verbs_rx_on_wc(struct verbs_rx *rx, const struct ibv_wc *wc)
{
    if ((int)verbs_wr_qp(wc->wr_id) >= rx->ep->nqps)
        return verbs_ep_fail(rx->ep, TP_ERR_INTERNAL);
    return verbs_wr_kind(wc->wr_id) == VERBS_WR_READ ? rx_on_read(rx, wc)
                                                      : rx_on_recv(rx, wc);
}

static tp_status_t rx_take_src(struct verbs_rx *rx, int *progress)
{
    struct verbs_ep *ep = rx->ep;
    const struct verbs_msg *m = &ep->inbox.last[VERBS_MSG_SRC];

    if (ep->inbox.arrivals[VERBS_MSG_SRC] == 0 || m->seq != rx->seq)
        return TP_OK;
    if (!rx->started) {
        if (!verbs_ring_matches(ep, m, rx->msgs, rx->x->msg_size, "offers", "expects"))
            return rx_abort(rx, TP_ERR_INVALID);
        verbs_ring_take(m, &rx->raddr, &rx->rkey, &rx->rslots);
        rx->rfill = (m->flags & VERBS_FLAG_VERIFY) != 0;
        rx->every = rx->verify || rx->rfill;
        rx->started = 1;
        *progress = 1;
    }
    if (m->count > rx->avail) {
        rx->avail = m->count;
        *progress = 1;
    }
    return TP_OK;
}

static tp_status_t rx_post_read(struct verbs_rx *rx, uint64_t i)
{
    struct verbs_ep *ep = rx->ep;
    const struct tp_xfer *x = rx->x;
    int q = (int)(i % (uint64_t)ep->nqps);
    struct verbs_qp_acct *a = &rx->q[q];
    uint32_t sig = ep->sq_depth / 2 ? ep->sq_depth / 2 : 1;
    struct ibv_send_wr wr, *bad;
    struct ibv_sge sge;
    int rc;

    sge.addr = (uintptr_t)verbs_nic_addr(x->buf, tp_xfer_slot(x, i));
    sge.length = (uint32_t)tp_xfer_len(x, i);
    sge.lkey = verbs_buf_mr(x->buf)->lkey;
    memset(&wr, 0, sizeof(wr));
    wr.wr_id = verbs_wr_id(VERBS_WR_READ, (unsigned)q, a->posted);
    wr.sg_list = &sge;
    wr.num_sge = 1;
    wr.opcode = IBV_WR_RDMA_READ;
    wr.wr.rdma.remote_addr = rx->raddr + (i % rx->rslots) * x->msg_size;
    wr.wr.rdma.rkey = rx->rkey;
    if (rx->every || i + (uint64_t)ep->nqps >= rx->msgs || (a->posted + 1) % sig == 0)
        wr.send_flags = IBV_SEND_SIGNALED;
    rc = ibv_post_send(ep->qp[q], &wr, &bad);
    if (rc != 0) {
        tp_fail("verbs: posting RDMA read %llu from rank %d: %s",
                     (unsigned long long)i, ep->peer, strerror(rc));
        return rx_abort(rx, TP_ERR_IO);
    }
    if (rx->t_first == 0)
        rx->t_first = verbs_now_ns();
    a->posted++;
    return TP_OK;
}

/* May message i be read now (its QP's send queue has room, the sender
 * made it readable, and with checks or refills its slot is free)? */
static int rx_may_read(const struct verbs_rx *rx, uint64_t i)
{
    const struct verbs_ep *ep = rx->ep;
    const struct verbs_qp_acct *a = &rx->q[i % (uint64_t)ep->nqps];

    if (i >= rx->msgs || i >= rx->avail || a->posted - a->done >= ep->sq_depth)
        return 0;
    return !(rx->every && i >= rx->lslots && i - rx->lslots >= rx->consumed);
}

/* With checks or refills in message order; else each QP reads its own
 * messages as far as its window allows (no lock-step across --qps). */
static tp_status_t rx_post_reads(struct verbs_rx *rx, int *progress)
{
    struct verbs_ep *ep = rx->ep;
    uint64_t nq = (uint64_t)ep->nqps;
    tp_status_t st;

    if (rx->every) {
        while (rx_may_read(rx, rx->next)) {
            if ((st = rx_post_read(rx, rx->next)) != TP_OK)
                return st;
            rx->next++;
            *progress = 1;
        }
        return TP_OK;
    }
    for (uint64_t q = 0; q < nq; q++)
        while (rx_may_read(rx, rx->q[q].posted * nq + q)) {
            if ((st = rx_post_read(rx, rx->q[q].posted * nq + q)) != TP_OK)
                return st;
            rx->next++;
            *progress = 1;
        }
    return TP_OK;
}

tp_status_t verbs_rx_step(struct verbs_rx *rx, int *progress)
{
    tp_status_t st;
    int finished;

    if (rx_op(rx) == TP_RDMA_READ) {
        if ((st = rx_take_src(rx, progress)) != TP_OK)
            return st;
        if (!rx->started)
            return TP_OK;
        st = rx_post_reads(rx, progress);
    } else {
        st = rx_post_recvs(rx, progress);
        if (st == TP_OK)
            st = rx_grant(rx);
    }
    if (st != TP_OK)
        return st;
    if (rx_op(rx) == TP_RDMA_WRITE && !rx->verify) {
        uint64_t qps_used = rx->msgs < (uint64_t)rx->ep->nqps ? rx->msgs
                                                              : (uint64_t)rx->ep->nqps;
        finished = (uint64_t)rx->finals == qps_used;
    } else {
        finished = rx->consumed == rx->msgs;
    }
    if (!finished)
        return TP_OK;
    rx->done = 1;
    *progress = 1;
    return rx_send(rx, VERBS_MSG_ACK, rx->msgs, TP_OK);
}
