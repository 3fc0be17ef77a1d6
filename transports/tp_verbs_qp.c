/* tp_verbs_qp.c: connecting to a peer.  Creates the endpoint's CQs, its
 * RC data QPs and control QP, exchanges QPN/PSN/LID/GID/MTU over the
 * control plane (ctrl->exchange) and walks every QP INIT -> RTR -> RTS.
 * With --rdma-cm, tp_verbs_cm.c connects the same QPs instead.
 * Buffer addresses and rkeys are not part of this exchange: buffers are
 * given per transfer, so they travel in each transfer's READY/SRC
 * control message instead. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/log.h"

#define VERBS_CONN_MAGIC 0x3153425245565054ull   /* "TPVERBS1" */
#define VERBS_QP_TIMEOUT 14     /* 4.096 us * 2^14 = 67 ms per try */
#define VERBS_RETRY_CNT  7
#define VERBS_RNR_RETRY  7      /* infinite: the receiver always reposts */
#define VERBS_MIN_RNR    1      /* 0.01 ms: receivers repost quickly */

struct verbs_conn_qp {
    uint32_t qpn;
    uint32_t psn;
};

struct verbs_conn {
    uint64_t magic;
    uint64_t secret;
    uint8_t gid[16];
    uint32_t lid;
    uint32_t mtu;
    uint32_t nqps;
    uint32_t is_roce;
    uint32_t use_grh;
    uint32_t pad;
    struct verbs_limits limits;
    struct verbs_conn_qp ctrl;
    struct verbs_conn_qp data[VERBS_MAX_QPS];
};

static const char *qp_state_name(enum ibv_qp_state s)
{
    switch (s) {
    case IBV_QPS_INIT: return "INIT";
    case IBV_QPS_RTR:  return "RTR";
    case IBV_QPS_RTS:  return "RTS";
    default:           return "?";
    }
}

static uint32_t psn_new(struct ibv_qp *qp)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_nsec * 2654435761u ^ qp->qp_num ^
                      (uint32_t)getpid()) & 0xffffff;
}

static struct ibv_qp *qp_create(struct verbs_ep *ep, struct ibv_cq *scq,
                                struct ibv_cq *rcq, uint32_t sq, uint32_t rq,
                                uint32_t want_inline, uint32_t *inline_p)
{
    struct ibv_qp_init_attr at;
    struct ibv_qp *qp;

    memset(&at, 0, sizeof(at));
    at.send_cq = scq;
    at.recv_cq = rcq;
    at.qp_type = IBV_QPT_RC;
    at.cap.max_send_wr = sq;
    at.cap.max_recv_wr = rq;
    at.cap.max_send_sge = 1;
    at.cap.max_recv_sge = 1;
    at.cap.max_inline_data = want_inline;
    qp = ibv_create_qp(ep->ctx->pd, &at);
    if (qp == NULL && want_inline > 0) {   /* device without (that much) inline */
        at.cap.max_inline_data = 0;
        qp = ibv_create_qp(ep->ctx->pd, &at);
    }
    if (qp == NULL) {
        tp_fail("verbs: cannot create an RC QP on %s (send %u, recv %u WRs): %s",
                     ep->ctx->dev_name, sq, rq, strerror(errno));
        return NULL;
    }
    if (inline_p != NULL)
        *inline_p = at.cap.max_inline_data;
    return qp;
}

static tp_status_t qp_modify(struct verbs_ep *ep, struct ibv_qp *qp,
                             struct ibv_qp_attr *at, int mask)
{
    int rc = ibv_modify_qp(qp, at, mask);

    if (rc != 0) {
        tp_fail("verbs: QP %u on %s (peer rank %d): transition to %s failed: %s",
                     qp->qp_num, ep->ctx->dev_name, ep->peer,
                     qp_state_name(at->qp_state), strerror(rc));
        return TP_ERR_IO;
    }
    return TP_OK;
}

static tp_status_t qp_to_init(struct verbs_ep *ep, struct ibv_qp *qp)
{
    struct ibv_qp_attr at;

    memset(&at, 0, sizeof(at));
    at.qp_state = IBV_QPS_INIT;
    at.pkey_index = 0;
    at.port_num = (uint8_t)ep->ctx->port;
    at.qp_access_flags = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
                         IBV_ACCESS_REMOTE_READ;
    return qp_modify(ep, qp, &at, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
                                      IBV_QP_ACCESS_FLAGS);
}

static tp_status_t qp_to_rts(struct verbs_ep *ep, struct ibv_qp *qp, uint32_t psn,
                             const struct verbs_conn_qp *remote,
                             const struct verbs_conn *rc)
{
    const struct verbs_ctx *ctx = ep->ctx;
    struct ibv_qp_attr at;
    tp_status_t st;

    memset(&at, 0, sizeof(at));
    at.qp_state = IBV_QPS_RTR;
    at.path_mtu = ep->mtu;
    at.dest_qp_num = remote->qpn;
    at.rq_psn = remote->psn;
    at.max_dest_rd_atomic = (uint8_t)ep->rd_dest;
    at.min_rnr_timer = VERBS_MIN_RNR;
    verbs_fill_ah(ctx, rc->lid, rc->gid, &at.ah_attr);
    st = qp_modify(ep, qp, &at, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
                                    IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
                                    IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
    if (st != TP_OK)
        return st;
    memset(&at, 0, sizeof(at));
    at.qp_state = IBV_QPS_RTS;
    at.timeout = VERBS_QP_TIMEOUT;
    at.retry_cnt = VERBS_RETRY_CNT;
    at.rnr_retry = VERBS_RNR_RETRY;
    at.sq_psn = psn;
    at.max_rd_atomic = (uint8_t)ep->rd_atomic;
    return qp_modify(ep, qp, &at, IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
                                      IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
                                      IBV_QP_MAX_QP_RD_ATOMIC);
}

void verbs_fill_ah(const struct verbs_ctx *ctx, uint32_t dlid, const uint8_t dgid[16],
                   struct ibv_ah_attr *ah)
{
    memset(ah, 0, sizeof(*ah));
    ah->dlid = (uint16_t)dlid;
    ah->port_num = (uint8_t)ctx->port;
    ah->sl = (uint8_t)ctx->opts.sl;
    if (ctx->gid_index >= 0) {      /* RoCE, or InfiniBand with a GRH asked for */
        ah->is_global = 1;
        memcpy(ah->grh.dgid.raw, dgid, 16);
        ah->grh.sgid_index = (uint8_t)ctx->gid_index;
        ah->grh.hop_limit = 64;
        ah->grh.traffic_class = (uint8_t)ctx->tclass;
    }
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

void verbs_limits_mine(const struct verbs_ctx *ctx, struct verbs_limits *l)
{
    uint32_t cap = ctx->opts.rd_atomic > 0 ? (uint32_t)ctx->opts.rd_atomic : 255;

    memset(l, 0, sizeof(*l));
    l->rd_init = min_u32(ctx->dev_attr.max_qp_init_rd_atom > 0 ?
                         (uint32_t)ctx->dev_attr.max_qp_init_rd_atom : 1, cap);
    l->rd_dest = min_u32(ctx->dev_attr.max_qp_rd_atom > 0 ?
                         (uint32_t)ctx->dev_attr.max_qp_rd_atom : 1, cap);
    l->max_msg = ctx->port_attr.max_msg_sz;
}

void verbs_limits_agree(struct verbs_ep *ep, const struct verbs_limits *mine,
                        const struct verbs_limits *theirs)
{
    uint32_t mm = mine->max_msg ? mine->max_msg : UINT32_MAX;
    uint32_t tm = theirs->max_msg ? theirs->max_msg : UINT32_MAX;

    /* what we may have outstanding is what they answer, and the reverse;
     * at least one (0 would forbid reads altogether) */
    ep->rd_atomic = min_u32(mine->rd_init, theirs->rd_dest);
    ep->rd_dest = min_u32(mine->rd_dest, theirs->rd_init);
    if (ep->rd_atomic == 0)
        ep->rd_atomic = 1;
    if (ep->rd_dest == 0)
        ep->rd_dest = 1;
    ep->max_msg = min_u32(mm, tm);
    ep->ctx->rd_atomic = (int)ep->rd_atomic;
}

static uint32_t clamp_u32(long v, long lo, long hi)
{
    return (uint32_t)(v < lo ? lo : v > hi ? hi : v);
}

/* CQs, QPs in INIT, control receives posted. */
static tp_status_t ep_create(struct verbs_ep *ep)
{
    struct verbs_ctx *ctx = ep->ctx;
    long max_wr = ctx->dev_attr.max_qp_wr > 0 ? ctx->dev_attr.max_qp_wr : 1024;
    long max_cqe = ctx->dev_attr.max_cqe > 0 ? ctx->dev_attr.max_cqe : 65536;
    uint32_t want_inline = ctx->max_inline;
    tp_status_t st;

    ep->sq_depth = clamp_u32(ctx->tx_depth, 1, max_wr);
    ep->rq_depth = clamp_u32(ctx->opts.rx_depth, 1, max_wr);
    /* one completion channel: a rank with nothing to do sleeps on it */
    ep->chan = ibv_create_comp_channel(ctx->dev);
    if (ep->chan == NULL) {
        tp_fail("verbs: cannot create a completion channel on %s: %s",
                     ctx->dev_name, strerror(errno));
        return TP_ERR_IO;
    }
    fcntl(ep->chan->fd, F_SETFL, fcntl(ep->chan->fd, F_GETFL) | O_NONBLOCK);
    ep->scq = ibv_create_cq(ctx->dev, (int)clamp_u32((long)ep->sq_depth * ep->nqps, 1, max_cqe),
                            NULL, ep->chan, 0);
    ep->rcq = ibv_create_cq(ctx->dev, (int)clamp_u32((long)ep->rq_depth * ep->nqps, 1, max_cqe),
                            NULL, ep->chan, 0);
    ep->ccq = ibv_create_cq(ctx->dev, VERBS_CTRL_RECVS + VERBS_CTRL_SENDS, NULL, ep->chan, 0);
    if (ep->scq == NULL || ep->rcq == NULL || ep->ccq == NULL) {
        tp_fail("verbs: cannot create completion queues on %s: %s", ctx->dev_name,
                     strerror(errno));
        return TP_ERR_IO;
    }
    ep->max_inline = UINT32_MAX;
    for (int i = 0; i < ep->nqps; i++) {
        uint32_t got = 0;
        ep->qp[i] = qp_create(ep, ep->scq, ep->rcq, ep->sq_depth, ep->rq_depth,
                              want_inline, &got);
        if (ep->qp[i] == NULL)
            return TP_ERR_IO;
        if (got < ep->max_inline)
            ep->max_inline = got;
        if ((st = qp_to_init(ep, ep->qp[i])) != TP_OK)
            return st;
    }
    ep->cqp = qp_create(ep, ep->ccq, ep->ccq, VERBS_CTRL_SENDS, VERBS_CTRL_RECVS,
                        sizeof(struct verbs_msg), &ep->ctrl_inline);
    if (ep->cqp == NULL)
        return TP_ERR_IO;
    if ((st = qp_to_init(ep, ep->cqp)) != TP_OK)
        return st;

    ep->cbuf = calloc(VERBS_CTRL_RECVS + VERBS_CTRL_SENDS, sizeof(struct verbs_msg));
    ep->wrl = calloc((size_t)ep->nqps, sizeof(*ep->wrl));
    if (ep->cbuf == NULL || ep->wrl == NULL)
        return TP_ERR_NO_MEMORY;
    for (int q = 0; q < ep->nqps; q++)
        for (int k = 0; k < VERBS_POST_LIST; k++) {
            ep->wrl[q].wr[k].sg_list = &ep->wrl[q].sge[k];
            ep->wrl[q].wr[k].num_sge = 1;
        }
    ep->cmr = ibv_reg_mr(ctx->pd, ep->cbuf,
                         (VERBS_CTRL_RECVS + VERBS_CTRL_SENDS) * sizeof(struct verbs_msg),
                         IBV_ACCESS_LOCAL_WRITE);
    if (ep->cmr == NULL) {
        tp_fail("verbs: cannot register control buffers on %s: %s", ctx->dev_name,
                     strerror(errno));
        return TP_ERR_NO_MEMORY;
    }
    return verbs_ctrl_post_recvs(ep);
}

static tp_status_t conn_check(const struct verbs_ep *ep, const struct verbs_conn *r)
{
    const struct verbs_ctx *ctx = ep->ctx;

    if (r->magic != VERBS_CONN_MAGIC) {
        tp_fail("verbs: rank %d sent malformed connection data (not a verbs peer?)",
                     ep->peer);
        return TP_ERR_PEER;
    }
    if (r->secret != ctx->cfg.secret) {
        tp_fail("verbs: rank %d belongs to another run (wrong secret)", ep->peer);
        return TP_ERR_AUTH;
    }
    if (r->nqps != (uint32_t)ep->nqps) {
        tp_fail("verbs: rank %d uses --qps %u, this rank %d", ep->peer, r->nqps,
                     ep->nqps);
        return TP_ERR_INVALID;
    }
    if (r->is_roce != (uint32_t)ctx->is_roce || r->use_grh != (ctx->gid_index >= 0)) {
        tp_fail("verbs: rank %d is on %s, this rank on %s: cannot connect",
                     ep->peer, r->is_roce ? "RoCE" : "InfiniBand",
                     ctx->is_roce ? "RoCE" : "InfiniBand");
        return TP_ERR_INVALID;
    }
    return TP_OK;
}

static tp_status_t ep_exchange(struct verbs_ep *ep, const void *out, void *in,
                               size_t len, const char *what)
{
    const struct tp_ctrl *c = &ep->ctx->ctrl;
    tp_status_t st = c->exchange(c->arg, ep->peer, out, in, len);

    if (st != TP_OK)
        tp_fail("verbs: exchanging %s with rank %d failed: %s", what, ep->peer,
                     tp_status_string(st));
    return st;
}

static tp_status_t ep_connect(struct verbs_ep *ep)
{
    struct verbs_ctx *ctx = ep->ctx;
    struct verbs_conn local, remote;
    uint32_t psn[VERBS_MAX_QPS], cpsn;
    uint64_t token_out = VERBS_CONN_MAGIC, token_in = 0;
    tp_status_t st;

    if (ctx->opts.use_rdma_cm) {
        if ((st = verbs_cm_connect(ep)) != TP_OK)
            return st;
        goto barrier;
    }
    memset(&local, 0, sizeof(local));
    memset(&remote, 0, sizeof(remote));
    local.magic = VERBS_CONN_MAGIC;
    local.secret = ctx->cfg.secret;
    memcpy(local.gid, ctx->gid.raw, 16);
    local.lid = ctx->port_attr.lid;
    local.mtu = ctx->port_attr.active_mtu;
    local.nqps = (uint32_t)ep->nqps;
    local.is_roce = (uint32_t)ctx->is_roce;
    local.use_grh = ctx->gid_index >= 0;
    verbs_limits_mine(ctx, &local.limits);
    for (int i = 0; i < ep->nqps; i++) {
        psn[i] = psn_new(ep->qp[i]);
        local.data[i].qpn = ep->qp[i]->qp_num;
        local.data[i].psn = psn[i];
    }
    cpsn = psn_new(ep->cqp);
    local.ctrl.qpn = ep->cqp->qp_num;
    local.ctrl.psn = cpsn;

    if ((st = ep_exchange(ep, &local, &remote, sizeof(local), "connection data")) != TP_OK)
        return st;
    if ((st = conn_check(ep, &remote)) != TP_OK)
        return st;
    ep->mtu = remote.mtu < local.mtu ? (enum ibv_mtu)remote.mtu : (enum ibv_mtu)local.mtu;
    verbs_limits_agree(ep, &local.limits, &remote.limits);
    for (int i = 0; i < ep->nqps; i++)
        if ((st = qp_to_rts(ep, ep->qp[i], psn[i], &remote.data[i], &remote)) != TP_OK)
            return st;
    if ((st = qp_to_rts(ep, ep->cqp, cpsn, &remote.ctrl, &remote)) != TP_OK)
        return st;
barrier:
    /* Nothing may be sent before the peer's QPs are ready to receive. */
    if ((st = ep_exchange(ep, &token_out, &token_in, sizeof(token_out),
                          "the ready-to-send barrier")) != TP_OK)
        return st;
    return token_in == VERBS_CONN_MAGIC ? TP_OK : TP_ERR_PEER;
}

tp_status_t verbs_ep_connect(struct verbs_ctx *ctx, int peer, struct verbs_ep **ep_p)
{
    struct verbs_ep *ep;
    tp_status_t st;

    if (peer == ctx->ctrl.rank || peer < 0 || peer >= ctx->ctrl.size) {
        tp_fail("verbs: cannot connect rank %d to rank %d", ctx->ctrl.rank, peer);
        return TP_ERR_INVALID;
    }
    ep = calloc(1, sizeof(*ep));
    if (ep == NULL)
        return TP_ERR_NO_MEMORY;
    ep->ctx = ctx;
    ep->peer = peer;
    ep->nqps = ctx->nqps;
    st = ep_create(ep);
    if (st == TP_OK)
        st = ep_connect(ep);
    if (st != TP_OK) {
        verbs_ep_destroy(ep);
        return st;
    }
    *ep_p = ep;
    return TP_OK;
}

void verbs_ep_destroy(struct verbs_ep *ep)
{
    if (ep == NULL)
        return;
    verbs_cm_destroy(ep->cm);
    for (int i = 0; i < ep->nqps; i++)
        if (ep->qp[i] != NULL)
            ibv_destroy_qp(ep->qp[i]);
    if (ep->cqp != NULL)
        ibv_destroy_qp(ep->cqp);
    if (ep->cmr != NULL)
        ibv_dereg_mr(ep->cmr);
    free(ep->cbuf);
    free(ep->wrl);
    if (ep->scq != NULL)
        ibv_destroy_cq(ep->scq);
    if (ep->rcq != NULL)
        ibv_destroy_cq(ep->rcq);
    if (ep->ccq != NULL)
        ibv_destroy_cq(ep->ccq);
    if (ep->chan != NULL)
        ibv_destroy_comp_channel(ep->chan);
    free(ep);
}
