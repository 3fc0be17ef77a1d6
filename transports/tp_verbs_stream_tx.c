/* tp_verbs_stream_tx.c: the sending side of one transfer.  WRITE and
 * SEND post from the local ring into the receiver's (announced in its
 * READY message) with up to tx_depth WRs in flight per QP, inline when
 * small, signaling every tx_depth/2 WRs.  Without receiver checks only
 * the last WRITE on each QP carries an immediate (as perftest's
 * ib_write_bw does, RC ordering makes it mean "all before it landed");
 * with checks every WRITE does.  The receiver's READY and CREDIT messages
 * say how far it may post (receives posted for SEND, free slots for
 * checked WRITEs, everything otherwise).
 * For RDMA READ this side only fills its ring and announces it (SRC).
 * The span from the first post to the last completion is the transfer's
 * time for the engine (tp_xfer.span_ns), as perftest times its runs. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <arpa/inet.h>
#include <string.h>

#include "../common/log.h"

static int xfer_is_host(const struct tp_xfer *x)
{
    return x->buf->mem == NULL || x->buf->mem->ops->is_host;
}

static tp_status_t tx_fill(struct verbs_tx *tx, uint64_t i)
{
    const struct tp_xfer *x = tx->x;
    tp_status_t st;

    if (x->fill == NULL)
        return TP_OK;
    st = x->fill(x->hook_arg, tp_xfer_slot(x, i), tp_xfer_len(x, i),
                 x->offset0 + i * x->msg_size);
    return st == TP_OK ? TP_OK : verbs_ep_fail(tx->ep, st);
}

/* RDMA READ: fill what the receiver may read next and say so. */
static tp_status_t tx_read_announce(struct verbs_tx *tx)
{
    const struct tp_xfer *x = tx->x;
    uint64_t upto = tx->msgs;
    struct verbs_msg m;
    tp_status_t st;

    if (x->fill != NULL && tx->credit + tx->lslots < upto)
        upto = tx->credit + tx->lslots;
    if (tx->started && upto <= tx->next)
        return TP_OK;
    for (; tx->next < upto; tx->next++) {
        uint64_t i = tx->next;
        if ((st = tx_fill(tx, i)) != TP_OK)
            return st;
        /* staged: what the receiver reads is the host shadow; without
         * fills the ring's content never changes, one pass suffices */
        if ((x->fill != NULL || i < tx->lslots) &&
            (st = verbs_stage_out(tx->ep, x->buf, tp_xfer_slot(x, i), tp_xfer_len(x, i))) != TP_OK)
            return verbs_ep_fail(tx->ep, st);
    }
    memset(&m, 0, sizeof(m));
    m.type = VERBS_MSG_SRC;
    m.seq = tx->seq;
    m.flags = x->fill != NULL ? VERBS_FLAG_VERIFY : 0;
    m.rkey = verbs_buf_mr(x->buf)->rkey;
    m.addr = (uintptr_t)verbs_nic_addr(x->buf, x->buf->addr);
    m.len = x->buf->len;
    m.msg_size = x->msg_size;
    m.total = tx->msgs;
    m.count = tx->next;
    tx->started = 1;
    return verbs_ctrl_send(tx->ep, &m);
}

tp_status_t verbs_tx_start(struct verbs_tx *tx, struct verbs_ep *ep,
                           const struct tp_xfer *x)
{
    memset(tx, 0, sizeof(*tx));
    tx->ep = ep;
    tx->x = x;
    tx->seq = ++ep->tx_seq;
    tx->msgs = tp_xfer_msgs(x);
    tx->lslots = tp_xfer_nslots(x);
    tx->every = x->fill != NULL;
    tx->lkey = verbs_buf_mr(x->buf)->lkey;
    tx->host = xfer_is_host(x);
    if (ep->ctx->opts.rdma_op == TP_RDMA_READ)
        return tx_read_announce(tx);
    return TP_OK;
}

/* Message i into the template WR wr (its number on its QP: n): filled and
 * staged, then the fields that change per message.  Signaled every
 * sq_depth/2 WRs (completion moderation), on the last of its QP, and
 * always when its slot will be refilled. */
static tp_status_t tx_prep(struct verbs_tx *tx, uint64_t i, uint64_t n, struct ibv_send_wr *wr)
{
    struct verbs_ep *ep = tx->ep;
    const struct tp_xfer *x = tx->x;
    uint32_t sig = ep->sq_depth / 2 ? ep->sq_depth / 2 : 1;
    int last_on_qp = i + (uint64_t)ep->nqps >= tx->msgs;
    struct ibv_sge *sge = wr->sg_list;
    tp_status_t st;

    if ((st = tx_fill(tx, i)) != TP_OK)
        return st;
    if ((st = verbs_stage_out(ep, x->buf, tp_xfer_slot(x, i), tp_xfer_len(x, i))) != TP_OK)
        return verbs_ep_fail(ep, st);
    sge->addr = (uintptr_t)verbs_nic_addr(x->buf, tp_xfer_slot(x, i));
    sge->length = (uint32_t)tp_xfer_len(x, i);
    sge->lkey = tx->lkey;
    wr->wr_id = verbs_wr_id(VERBS_WR_TX, (unsigned)(i % (uint64_t)ep->nqps), n);
    wr->send_flags = 0;
    if (ep->ctx->opts.rdma_op == TP_RDMA_SEND) {
        wr->opcode = IBV_WR_SEND;
    } else {
        wr->opcode = tx->rverify || last_on_qp ? IBV_WR_RDMA_WRITE_WITH_IMM
                                               : IBV_WR_RDMA_WRITE;
        wr->imm_data = htonl((uint32_t)i);
        wr->wr.rdma.remote_addr = tx->raddr + (i % tx->rslots) * x->msg_size;
        wr->wr.rdma.rkey = tx->rkey;
    }
    if (tx->every || last_on_qp || (n + 1) % sig == 0)
        wr->send_flags |= IBV_SEND_SIGNALED;
    if (sge->length <= ep->max_inline && tx->host)
        wr->send_flags |= IBV_SEND_INLINE;
    return TP_OK;
}

/* Posts cnt messages of one QP (first, first + nqps, ...) as one list. */
static tp_status_t tx_post_list(struct verbs_tx *tx, uint64_t first, unsigned cnt)
{
    struct verbs_ep *ep = tx->ep;
    unsigned q = (unsigned)(first % (uint64_t)ep->nqps);
    struct verbs_wr_list *l = &ep->wrl[q];
    struct verbs_qp_acct *a = &tx->q[q];
    struct ibv_send_wr *bad;
    tp_status_t st;
    int rc;

    for (unsigned k = 0; k < cnt; k++) {
        uint64_t i = first + (uint64_t)k * (uint64_t)ep->nqps;
        if ((st = tx_prep(tx, i, a->posted + k, &l->wr[k])) != TP_OK)
            return st;
        l->wr[k].next = k + 1 < cnt ? &l->wr[k + 1] : NULL;
    }
    if (tx->t_first == 0)
        tx->t_first = verbs_now_ns();
    rc = ibv_post_send(ep->qp[q], l->wr, &bad);
    if (rc != 0) {
        tp_fail("verbs: posting %s %llu to rank %d: %s",
                ep->ctx->opts.rdma_op == TP_RDMA_SEND ? "send" : "RDMA write",
                (unsigned long long)first, ep->peer, strerror(rc));
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    a->posted += cnt;
    tx->next += cnt;
    return TP_OK;
}

static tp_status_t tx_take_ready(struct verbs_tx *tx)
{
    struct verbs_ep *ep = tx->ep;
    const struct verbs_msg *m = &ep->inbox.last[VERBS_MSG_READY];

    if (ep->inbox.arrivals[VERBS_MSG_READY] == 0 || m->seq != tx->seq)
        return TP_INPROGRESS;
    if (!verbs_ring_matches(ep, m, tx->msgs, tx->x->msg_size, "expects", "sends"))
        return verbs_ep_fail(ep, TP_ERR_INVALID);
    verbs_ring_take(m, &tx->raddr, &tx->rkey, &tx->rslots);
    tx->rverify = (m->flags & VERBS_FLAG_VERIFY) != 0;
    if (m->count > tx->credit)
        tx->credit = m->count;
    tx->started = 1;
    return TP_OK;
}

/* The receiver's ACK: the end, or its failure at any time. */
static tp_status_t tx_check_ack(struct verbs_tx *tx, int *acked)
{
    struct verbs_ep *ep = tx->ep;
    const struct verbs_msg *m = &ep->inbox.last[VERBS_MSG_ACK];

    *acked = 0;
    if (ep->inbox.arrivals[VERBS_MSG_ACK] == 0 || m->seq != tx->seq)
        return TP_OK;
    if (m->status != TP_OK) {
        if (ep->broken == TP_OK)
            tp_fail("verbs: rank %d failed to receive transfer %u: %s", ep->peer,
                         tx->seq, tp_status_string((tp_status_t)m->status));
        return verbs_ep_fail(ep, (tp_status_t)m->status);
    }
    *acked = 1;
    return TP_OK;
}

/* How many of QP q's next messages may go now (at most `most`): room in
 * its send queue, the receiver's credit, and with refills, slots whose
 * previous message is known sent. */
static unsigned tx_room(const struct verbs_tx *tx, unsigned q, uint64_t done_prefix,
                        unsigned most)
{
    const struct verbs_ep *ep = tx->ep;
    const struct verbs_qp_acct *a = &tx->q[q];
    uint64_t n = (uint64_t)ep->nqps, room = ep->sq_depth - (a->posted - a->done);
    unsigned cnt = 0;

    for (uint64_t i = a->posted * n + q; cnt < most && cnt < room; i += n, cnt++) {
        if (i >= tx->msgs || i >= tx->credit)
            break;
        if (tx->every && i >= tx->lslots && i - tx->lslots >= done_prefix)
            break;
    }
    return cnt;
}

/* Refilled slots (--verify): in message order, one WR at a time.  Else
 * each QP posts its own messages as far as its window and the credit
 * allow, in lists, so a QP whose completions lag holds no other back. */
static tp_status_t tx_post_window(struct verbs_tx *tx, int *progress)
{
    struct verbs_ep *ep = tx->ep;
    unsigned nq = (unsigned)ep->nqps, cnt;
    tp_status_t st;

    if (tx->every) {
        uint64_t done_prefix = verbs_prefix(tx->q, ep->nqps, tx->msgs, 0);
        while (tx->next < tx->msgs &&
               tx_room(tx, (unsigned)(tx->next % nq), done_prefix, 1) == 1) {
            if ((st = tx_post_list(tx, tx->next, 1)) != TP_OK)
                return st;
            *progress = 1;
        }
        return TP_OK;
    }
    for (unsigned q = 0; q < nq; q++)
        while ((cnt = tx_room(tx, q, 0, VERBS_POST_LIST)) > 0) {
            if ((st = tx_post_list(tx, tx->q[q].posted * nq + q, cnt)) != TP_OK)
                return st;
            *progress = 1;
        }
    return TP_OK;
}

tp_status_t verbs_tx_step(struct verbs_tx *tx, int *progress)
{
    struct verbs_ep *ep = tx->ep;
    const struct verbs_msg *credit = &ep->inbox.last[VERBS_MSG_CREDIT];
    tp_status_t st;
    int acked;

    if ((st = tx_check_ack(tx, &acked)) != TP_OK)
        return st;
    if (ep->inbox.arrivals[VERBS_MSG_CREDIT] != 0 && credit->seq == tx->seq &&
        credit->count > tx->credit)
        tx->credit = credit->count;
    if (ep->ctx->opts.rdma_op == TP_RDMA_READ) {
        if ((st = tx_read_announce(tx)) != TP_OK)
            return st;
        tx->done = acked;
        return TP_OK;
    }
    if (!tx->started) {
        st = tx_take_ready(tx);
        if (st == TP_INPROGRESS)
            return TP_OK;
        if (st != TP_OK)
            return st;
        *progress = 1;
    }
    if ((st = tx_post_window(tx, progress)) != TP_OK)
        return st;
    if (tx->next == tx->msgs && acked) {
        for (int q = 0; q < ep->nqps; q++)
            if (tx->q[q].done != tx->q[q].posted)
                return TP_OK;
        tx->done = 1;
    }
    return TP_OK;
}

tp_status_t verbs_tx_on_wc(struct verbs_tx *tx, const struct ibv_wc *wc)
{
    unsigned q = verbs_wr_qp(wc->wr_id);

    if ((int)q >= tx->ep->nqps)
        return verbs_ep_fail(tx->ep, TP_ERR_INTERNAL);
    tx->q[q].done = verbs_wr_n(wc->wr_id) + 1;
    tx->t_last = verbs_now_ns();       /* signaled WRs only: every sq_depth/2 */
    return TP_OK;
}

uint64_t verbs_tx_span_ns(const struct verbs_tx *tx)
{
    const struct verbs_msg *ack = &tx->ep->inbox.last[VERBS_MSG_ACK];

    if (tx->ep->ctx->opts.rdma_op == TP_RDMA_READ)      /* the reader's, in its ACK */
        return tx->done && ack->seq == tx->seq ? ack->span_ns : 0;
    if (tx->rverify || !tx->done ||
        tx->t_first == 0 || tx->t_last <= tx->t_first)
        return 0;
    return tx->t_last - tx->t_first;
}
