/* tp_verbs_pingpong.c: latency on QP 0.  --rdma-op write: as perftest's
 * ib_write_lat, each side RDMA-writes into the other's buffer and polls
 * the last byte for the value it expects (odd for pings, even for pongs,
 * so one buffer serves as source and target).  send: SEND/RECV with the
 * next receive posted before the next message can come.  read: the
 * initiator times RDMA READs while the responder waits for the end. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <string.h>

#include "../common/log.h"

struct pp {
    struct verbs_ep *ep;
    struct tp_buf *buf;
    struct ibv_mr *mr;         /* the buffer's strictly ordered MR */
    size_t msg_size;
    uint64_t iters;
    uint32_t seq;
    uint64_t raddr;
    uint32_t rkey;
    uint64_t posted, done;     /* QP 0 send queue */
    struct verbs_wait w;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reaps send completions; *progress when any. */
static tp_status_t pp_reap(struct pp *p, int *progress)
{
    struct ibv_wc wc[8];
    int n = ibv_poll_cq(p->ep->scq, 8, wc);

    if (n < 0)
        return verbs_ep_fail(p->ep, TP_ERR_IO);
    for (int i = 0; i < n; i++) {
        if (wc[i].status != IBV_WC_SUCCESS)
            return verbs_wc_error(p->ep, &wc[i], "a ping-pong message");
        p->done = verbs_wr_n(wc[i].wr_id) + 1;
        *progress = 1;
    }
    return TP_OK;
}

static tp_status_t pp_wait_sq(struct pp *p, uint64_t upto)
{
    tp_status_t st;

    while (p->done < upto) {
        int progress = 0;
        if ((st = pp_reap(p, &progress)) != TP_OK)
            return st;
        if (progress)
            verbs_wait_progress(&p->w);
        else if ((st = verbs_wait_idle(&p->w, p->ep, "send completions")) != TP_OK)
            return st;
    }
    return TP_OK;
}

static tp_status_t pp_post(struct pp *p, enum ibv_wr_opcode op, void *src, int last)
{
    struct verbs_ep *ep = p->ep;
    uint32_t sig = ep->sq_depth / 2 ? ep->sq_depth / 2 : 1;
    struct ibv_send_wr wr, *bad;
    struct ibv_sge sge;
    tp_status_t st;
    int rc;

    /* keep the send queue from overflowing: wait for the oldest signal */
    if (p->posted - p->done >= ep->sq_depth &&
        (st = pp_wait_sq(p, p->posted - ep->sq_depth + 1)) != TP_OK)
        return st;
    /* staged SEND: the device bytes go to the shadow first (WRITE stages
     * before it sets its marker byte; READ lands in the shadow) */
    if (op == IBV_WR_SEND && (st = verbs_stage_out(ep, p->buf, src, p->msg_size)) != TP_OK)
        return verbs_ep_fail(ep, st);
    sge.addr = (uintptr_t)verbs_nic_addr(p->buf, src);
    sge.length = (uint32_t)p->msg_size;
    sge.lkey = p->mr->lkey;
    memset(&wr, 0, sizeof(wr));
    wr.wr_id = verbs_wr_id(VERBS_WR_PP, 0, p->posted);
    wr.sg_list = &sge;
    wr.num_sge = 1;
    wr.opcode = op;
    if (op != IBV_WR_SEND) {
        wr.wr.rdma.remote_addr = p->raddr;
        wr.wr.rdma.rkey = p->rkey;
    }
    if (op == IBV_WR_RDMA_READ || last || (p->posted + 1) % sig == 0)
        wr.send_flags |= IBV_SEND_SIGNALED;
    if (op != IBV_WR_RDMA_READ && p->msg_size <= ep->max_inline &&
        (p->buf->mem == NULL || p->buf->mem->ops->is_host))
        wr.send_flags |= IBV_SEND_INLINE;
    rc = ibv_post_send(ep->qp[0], &wr, &bad);
    if (rc != 0) {
        tp_fail("verbs: posting a ping-pong message to rank %d: %s", ep->peer,
                     strerror(rc));
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    p->posted++;
    return TP_OK;
}

static tp_status_t pp_handshake(struct pp *p)
{
    struct verbs_msg m, r;
    tp_status_t st;

    memset(&m, 0, sizeof(m));
    m.type = VERBS_MSG_PP_READY;
    m.seq = p->seq;
    m.addr = (uintptr_t)verbs_nic_addr(p->buf, p->buf->addr);
    m.rkey = p->mr->rkey;
    m.len = p->buf->len;
    m.msg_size = p->msg_size;
    m.total = p->iters;
    if ((st = verbs_ctrl_send(p->ep, &m)) != TP_OK ||
        (st = verbs_ctrl_wait(p->ep, VERBS_MSG_PP_READY, p->seq, &r)) != TP_OK)
        return st;
    if (r.msg_size != p->msg_size || r.total != p->iters) {
        tp_fail("verbs: rank %d runs %llu round trips of %llu bytes, this rank "
                     "%llu of %zu", p->ep->peer, (unsigned long long)r.total,
                     (unsigned long long)r.msg_size, (unsigned long long)p->iters,
                     p->msg_size);
        return verbs_ep_fail(p->ep, TP_ERR_INVALID);
    }
    p->raddr = r.addr;
    p->rkey = r.rkey;
    return TP_OK;
}

static tp_status_t pp_spin(struct pp *p, volatile uint8_t *byte, uint8_t want)
{
    unsigned n = 0;
    tp_status_t st;

    while (*byte != want) {
        if ((++n & 63) == 0) {
            int progress = 0;
            if ((st = pp_reap(p, &progress)) != TP_OK ||
                (st = verbs_wait_idle(&p->w, p->ep, "the ping-pong peer")) != TP_OK)
                return st;
        }
    }
    verbs_wait_progress(&p->w);
    return TP_OK;
}

/* Staged buffers: copy in what arrived, copy out what goes, around the
 * marker byte the CPU polls in the shadow (no-ops otherwise). */
static tp_status_t pp_stage(struct pp *p, int out)
{
    tp_status_t st = out ? verbs_stage_out(p->ep, p->buf, p->buf->addr, p->msg_size)
                         : verbs_stage_in(p->ep, p->buf, p->buf->addr, p->msg_size);
    return st == TP_OK ? TP_OK : verbs_ep_fail(p->ep, st);
}

static tp_status_t pp_write(struct pp *p, int initiator, uint64_t *rtt_ns)
{
    volatile uint8_t *last = (uint8_t *)verbs_nic_addr(p->buf, p->buf->addr) + p->msg_size - 1;
    tp_status_t st;

    *last = 0;
    if ((st = pp_handshake(p)) != TP_OK)
        return st;
    for (uint64_t k = 0; k < p->iters; k++) {
        uint8_t ping = (uint8_t)(1 + 2 * (k % 127)), pong = (uint8_t)(ping + 1);
        int end = k + 1 == p->iters;
        if (initiator) {
            uint64_t t0 = now_ns();
            if ((st = pp_stage(p, 1)) != TP_OK)
                return st;
            *last = ping;
            if ((st = pp_post(p, IBV_WR_RDMA_WRITE, p->buf->addr, end)) != TP_OK ||
                (st = pp_spin(p, last, pong)) != TP_OK || (st = pp_stage(p, 0)) != TP_OK)
                return st;
            rtt_ns[k] = now_ns() - t0;
        } else {
            if ((st = pp_spin(p, last, ping)) != TP_OK || (st = pp_stage(p, 0)) != TP_OK ||
                (st = pp_stage(p, 1)) != TP_OK)
                return st;
            *last = pong;
            if ((st = pp_post(p, IBV_WR_RDMA_WRITE, p->buf->addr, end)) != TP_OK)
                return st;
        }
    }
    return pp_wait_sq(p, p->posted);
}

static tp_status_t pp_post_recv(struct pp *p)
{
    struct ibv_sge sge = {.addr = (uintptr_t)verbs_nic_addr(p->buf, p->buf->addr),
                          .length = (uint32_t)p->msg_size,
                          .lkey = p->mr->lkey};
    struct ibv_recv_wr wr = {.wr_id = verbs_wr_id(VERBS_WR_PP, 0, 0),
                             .sg_list = &sge, .num_sge = 1};
    struct ibv_recv_wr *bad;
    int rc = ibv_post_recv(p->ep->qp[0], &wr, &bad);

    if (rc != 0) {
        tp_fail("verbs: posting a ping-pong receive: %s", strerror(rc));
        return verbs_ep_fail(p->ep, TP_ERR_IO);
    }
    return TP_OK;
}

static tp_status_t pp_wait_recv(struct pp *p)
{
    struct ibv_wc wc;
    unsigned n = 0;
    tp_status_t st;

    for (;;) {
        int got = ibv_poll_cq(p->ep->rcq, 1, &wc);
        if (got < 0)
            return verbs_ep_fail(p->ep, TP_ERR_IO);
        if (got == 1) {
            if (wc.status != IBV_WC_SUCCESS)
                return verbs_wc_error(p->ep, &wc, "a ping-pong receive");
            verbs_wait_progress(&p->w);
            return TP_OK;
        }
        if ((++n & 63) == 0) {
            int progress = 0;
            if ((st = pp_reap(p, &progress)) != TP_OK ||
                (st = verbs_wait_idle(&p->w, p->ep, "the ping-pong peer")) != TP_OK)
                return st;
        }
    }
}

static tp_status_t pp_send(struct pp *p, int initiator, uint64_t *rtt_ns)
{
    /* send from the second slot when there is one: the receive owns the first */
    void *src = p->buf->len >= 2 * p->msg_size ? (char *)p->buf->addr + p->msg_size
                                               : p->buf->addr;
    tp_status_t st;

    if ((st = pp_post_recv(p)) != TP_OK || (st = pp_handshake(p)) != TP_OK)
        return st;
    for (uint64_t k = 0; k < p->iters; k++) {
        int end = k + 1 == p->iters;
        if (initiator) {
            uint64_t t0 = now_ns();
            if ((st = pp_post(p, IBV_WR_SEND, src, end)) != TP_OK ||
                (st = pp_wait_recv(p)) != TP_OK || (st = pp_stage(p, 0)) != TP_OK)
                return st;
            rtt_ns[k] = now_ns() - t0;
            if (!end && (st = pp_post_recv(p)) != TP_OK)
                return st;
        } else {
            if ((st = pp_wait_recv(p)) != TP_OK || (st = pp_stage(p, 0)) != TP_OK ||
                (!end && (st = pp_post_recv(p)) != TP_OK) ||
                (st = pp_post(p, IBV_WR_SEND, src, end)) != TP_OK)
                return st;
        }
    }
    return pp_wait_sq(p, p->posted);
}

static tp_status_t pp_done_msg(struct pp *p, uint64_t count)
{
    struct verbs_msg m;

    memset(&m, 0, sizeof(m));
    m.type = VERBS_MSG_PP_DONE;
    m.seq = p->seq;
    m.count = count;
    return verbs_ctrl_send(p->ep, &m);
}

static tp_status_t pp_read(struct pp *p, int initiator, uint64_t *rtt_ns)
{
    struct verbs_ep *ep = p->ep;
    const struct verbs_msg *m = &ep->inbox.last[VERBS_MSG_PP_DONE];
    tp_status_t st;

    /* the responder's bytes are what the initiator reads */
    if ((!initiator && (st = pp_stage(p, 1)) != TP_OK) || (st = pp_handshake(p)) != TP_OK)
        return st;
    if (initiator) {
        for (uint64_t k = 0; k < p->iters; k++) {
            uint64_t t0 = now_ns();
            if ((st = pp_post(p, IBV_WR_RDMA_READ, p->buf->addr, 1)) != TP_OK ||
                (st = pp_wait_sq(p, p->posted)) != TP_OK || (st = pp_stage(p, 0)) != TP_OK)
                return st;
            rtt_ns[k] = now_ns() - t0;
            /* a heartbeat so the idle responder's deadline does not expire */
            if ((k & 1023) == 1023 && (st = pp_done_msg(p, k + 1)) != TP_OK)
                return st;
        }
        return pp_done_msg(p, p->iters);
    }
    for (;;) {
        int progress = 0;
        if (ep->inbox.arrivals[VERBS_MSG_PP_DONE] && m->seq == p->seq &&
            m->count == p->iters)
            return TP_OK;
        if ((st = verbs_ctrl_poll(ep, &progress)) != TP_OK)
            return st;
        if (progress)
            verbs_wait_progress(&p->w);
        else if ((st = verbs_wait_idle(&p->w, ep, "the read ping-pong's end")) != TP_OK)
            return st;
    }
}

tp_status_t verbs_pingpong(void *vep, struct tp_buf *buf, size_t msg_size,
                           uint64_t iters, int initiator, uint64_t *rtt_ns)
{
    struct verbs_ep *ep = vep;
    enum tp_rdma_op op = ep->ctx->opts.rdma_op;
    struct pp p;

    if (ep->broken != TP_OK) {
        tp_fail("verbs: the connection to rank %d failed earlier (%s)", ep->peer,
                     tp_status_string(ep->broken));
        return ep->broken;
    }
    if (buf == NULL || buf->mr == NULL || msg_size == 0 || msg_size > buf->len ||
        msg_size > UINT32_MAX || (initiator && rtt_ns == NULL)) {
        tp_fail("verbs: ping-pong of %zu bytes needs a registered buffer at least "
                     "that large", msg_size);
        return TP_ERR_INVALID;
    }
    if (op == TP_RDMA_WRITE && buf->mem != NULL && !buf->mem->ops->is_host &&
        !verbs_buf_staged(buf)) {
        tp_fail("verbs: the write ping-pong polls its buffer with the CPU, which "
                     "%s memory does not allow; use --rdma-op send", buf->mem->ops->name);
        return TP_ERR_UNSUPPORTED;
    }
    if (msg_size > ep->max_msg) {
        tp_fail("verbs: a %zu-byte latency message is larger than the %llu-byte "
                "max_msg_sz of %s port %d or rank %d's port", msg_size,
                (unsigned long long)ep->max_msg, ep->ctx->dev_name, ep->ctx->port, ep->peer);
        return TP_ERR_INVALID;
    }
    memset(&p, 0, sizeof(p));
    if (verbs_mem_strict(ep->ctx, buf, &p.mr) != TP_OK)
        return TP_ERR_NO_MEMORY;
    p.ep = ep;
    p.buf = buf;
    p.msg_size = msg_size;
    p.iters = iters;
    p.seq = ++ep->pp_seq;
    verbs_wait_start(&p.w, ep);
    switch (op) {
    case TP_RDMA_WRITE: return pp_write(&p, initiator, rtt_ns);
    case TP_RDMA_SEND:  return pp_send(&p, initiator, rtt_ns);
    case TP_RDMA_READ:  return pp_read(&p, initiator, rtt_ns);
    }
    return TP_ERR_INVALID;
}
