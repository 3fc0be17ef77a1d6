/* tp_verbs_ctrl.c: the control QP's small typed messages (ready, credit,
 * ack, ...), waiting with a "no progress for timeout_s" deadline, and the
 * one place that turns failed completions into a logged status. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <string.h>

#include "../common/log.h"
#include "tp_deadline.h"

void verbs_wait_start(struct verbs_wait *w, const struct verbs_ep *ep)
{
    w->timeout_s = ep->ctx->cfg.timeout_s;
    w->idle = 0;
    w->moved = 0;
    clock_gettime(CLOCK_MONOTONIC, &w->last);
}

tp_status_t verbs_wait_idle(struct verbs_wait *w, struct verbs_ep *ep,
                            const char *what)
{
    struct timespec now;
    double idle_s;

    /* Reading the clock on every empty poll would cost more than the
     * poll; every 1024th is enough for a deadline in seconds. */
    if (++w->idle & 1023)
        return TP_OK;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (verbs_async_check(ep) != TP_OK)      /* port down: not worth waiting */
        return ep->broken;
    if (w->moved) {
        w->moved = 0;
        w->last = now;
        return TP_OK;
    }
    if (tp_deadline_passed()) {     /* the engine's limit on the call */
        if (ep->broken == TP_OK)
            tp_fail("verbs: %s from rank %d not done within the time allowed "
                         "(expected time plus --timeout)", what, ep->peer);
        return verbs_ep_fail(ep, TP_ERR_TIMEOUT);
    }
    if (w->timeout_s <= 0)
        return TP_OK;
    idle_s = (double)(now.tv_sec - w->last.tv_sec) +
             (double)(now.tv_nsec - w->last.tv_nsec) * 1e-9;
    if (idle_s < w->timeout_s)
        return TP_OK;
    if (ep->broken == TP_OK)
        tp_fail("verbs: no progress for %.1f s waiting for %s from rank %d "
                     "(peer dead or stuck? see --timeout)",
                     idle_s, what, ep->peer);
    return verbs_ep_fail(ep, TP_ERR_TIMEOUT);
}

tp_status_t verbs_ep_fail(struct verbs_ep *ep, tp_status_t st)
{
    if (ep->broken == TP_OK)
        ep->broken = st;
    return ep->broken;
}

tp_status_t verbs_wc_error(struct verbs_ep *ep, const struct ibv_wc *wc,
                           const char *what)
{
    tp_status_t st = TP_ERR_IO;

    if (ep->broken != TP_OK)     /* flushes that follow the first error */
        return ep->broken;
    if (verbs_port_check(ep) != TP_OK)       /* the port, not the peer */
        return ep->broken;
    /* the peer went away or its QP broke: not this side's fault */
    if (wc->status == IBV_WC_RETRY_EXC_ERR || wc->status == IBV_WC_RNR_RETRY_EXC_ERR ||
        wc->status == IBV_WC_REM_OP_ERR || wc->status == IBV_WC_REM_ABORT_ERR)
        st = TP_ERR_PEER;
    tp_fail("verbs: %s with rank %d failed on %s: %s (%s, vendor error 0x%x)",
                 what, ep->peer, ep->ctx->dev_name, verbs_wc_hint(wc->status),
                 ibv_wc_status_str(wc->status), wc->vendor_err);
    return verbs_ep_fail(ep, st);
}

static tp_status_t ctrl_post_recv(struct verbs_ep *ep, unsigned slot)
{
    struct ibv_sge sge = {
        .addr = (uintptr_t)&ep->cbuf[slot],
        .length = sizeof(struct verbs_msg),
        .lkey = ep->cmr->lkey,
    };
    struct ibv_recv_wr wr = {.wr_id = verbs_wr_id(VERBS_WR_CRECV, 0, slot),
                             .sg_list = &sge, .num_sge = 1};
    struct ibv_recv_wr *bad;
    int rc = ibv_post_recv(ep->cqp, &wr, &bad);

    if (rc != 0) {
        tp_fail("verbs: posting a control receive on %s: %s", ep->ctx->dev_name,
                     strerror(rc));
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    return TP_OK;
}

tp_status_t verbs_ctrl_post_recvs(struct verbs_ep *ep)
{
    for (unsigned i = 0; i < VERBS_CTRL_RECVS; i++) {
        tp_status_t st = ctrl_post_recv(ep, i);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

static void inbox_file(struct verbs_ep *ep, const struct verbs_msg *m)
{
    if (m->type == 0 || m->type >= VERBS_MSG_NTYPES)
        return;                  /* unknown: ignored, the peer is newer */
    ep->inbox.last[m->type] = *m;
    ep->inbox.arrivals[m->type]++;
}

tp_status_t verbs_ctrl_poll(struct verbs_ep *ep, int *progress)
{
    struct ibv_wc wc[8];
    int n = ibv_poll_cq(ep->ccq, 8, wc);

    if (n < 0) {
        tp_fail("verbs: polling the control CQ on %s failed", ep->ctx->dev_name);
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    for (int i = 0; i < n; i++) {
        unsigned kind = verbs_wr_kind(wc[i].wr_id);
        if (wc[i].status != IBV_WC_SUCCESS)
            return verbs_wc_error(ep, &wc[i], kind == VERBS_WR_CSEND ?
                                  "sending a control message" :
                                  "receiving a control message");
        *progress = 1;
        if (kind == VERBS_WR_CSEND) {
            ep->csend_busy--;
        } else {
            unsigned slot = (unsigned)verbs_wr_n(wc[i].wr_id);
            if (slot >= VERBS_CTRL_RECVS)
                return verbs_ep_fail(ep, TP_ERR_INTERNAL);
            inbox_file(ep, &ep->cbuf[slot]);
            tp_status_t st = ctrl_post_recv(ep, slot);
            if (st != TP_OK)
                return st;
        }
    }
    return TP_OK;
}

tp_status_t verbs_ctrl_send(struct verbs_ep *ep, const struct verbs_msg *m)
{
    struct verbs_wait w;
    struct verbs_msg *slot;
    struct ibv_send_wr wr, *bad;
    struct ibv_sge sge;
    tp_status_t st;
    int rc;

    if (ep->broken != TP_OK)
        return ep->broken;
    verbs_wait_start(&w, ep);
    while (ep->csend_busy >= VERBS_CTRL_SENDS) {
        int progress = 0;
        if ((st = verbs_ctrl_poll(ep, &progress)) != TP_OK)
            return st;
        if (progress)
            verbs_wait_progress(&w);
        else if ((st = verbs_wait_idle(&w, ep, "control send completions")) != TP_OK)
            return st;
    }
    slot = &ep->cbuf[VERBS_CTRL_RECVS + ep->csend_next];
    ep->csend_next = (ep->csend_next + 1) % VERBS_CTRL_SENDS;
    *slot = *m;
    sge.addr = (uintptr_t)slot;
    sge.length = sizeof(*slot);
    sge.lkey = ep->cmr->lkey;
    memset(&wr, 0, sizeof(wr));
    wr.wr_id = verbs_wr_id(VERBS_WR_CSEND, 0, 0);
    wr.sg_list = &sge;
    wr.num_sge = 1;
    wr.opcode = IBV_WR_SEND;
    wr.send_flags = IBV_SEND_SIGNALED;
    if (ep->ctrl_inline >= sizeof(*slot))
        wr.send_flags |= IBV_SEND_INLINE;
    rc = ibv_post_send(ep->cqp, &wr, &bad);
    if (rc != 0) {
        tp_fail("verbs: posting a control message to rank %d: %s", ep->peer,
                     strerror(rc));
        return verbs_ep_fail(ep, TP_ERR_IO);
    }
    ep->csend_busy++;
    return TP_OK;
}

static const char *msg_name(enum verbs_msg_type t)
{
    switch (t) {
    case VERBS_MSG_READY:    return "the receiver's ready message";
    case VERBS_MSG_SRC:      return "the sender's buffer (RDMA READ)";
    case VERBS_MSG_CREDIT:   return "credit";
    case VERBS_MSG_ACK:      return "the end-of-transfer acknowledgement";
    case VERBS_MSG_PP_READY: return "the ping-pong handshake";
    case VERBS_MSG_PP_DONE:  return "the end of the read ping-pong";
    default:                 return "a control message";
    }
}

tp_status_t verbs_ctrl_wait(struct verbs_ep *ep, enum verbs_msg_type type,
                            uint32_t seq, struct verbs_msg *out)
{
    struct verbs_wait w;
    tp_status_t st;

    verbs_wait_start(&w, ep);
    for (;;) {
        int progress = 0;
        if (ep->inbox.arrivals[type] != 0 && ep->inbox.last[type].seq == seq) {
            if (out != NULL)
                *out = ep->inbox.last[type];
            return TP_OK;
        }
        if (ep->broken != TP_OK)
            return ep->broken;
        if ((st = verbs_ctrl_poll(ep, &progress)) != TP_OK)
            return st;
        if (progress)
            verbs_wait_progress(&w);
        else if ((st = verbs_wait_idle(&w, ep, msg_name(type))) != TP_OK)
            return st;
    }
}
