/* tp_verbs_cm.c: --rdma-cm, connecting an endpoint's QPs through librdmacm
 * instead of exchanging QPN/PSN/GID over MPI.
 *
 * The lower rank listens on its device's IP address (the kernel picks the
 * port) and tells the other rank the port over the control plane; the
 * higher rank then connects each QP in turn, control QP first, with the QP
 * number in the connection parameters and the run's secret and the QP's
 * index in the private data.  The connection manager exchanges PSNs and
 * resolves the path; rdma_init_qp_attr hands back the RTR and RTS
 * attributes, which go onto the QPs this transport created itself.  So
 * everything after connecting is the same code with or without rdma_cm,
 * and the QPs live on the transport's own device context. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/log.h"

#define VERBS_CM_MAGIC 0x314d435342525450ull     /* "PTRBSCM1" */
#define VERBS_CM_RESOLVE_MS 5000
#define VERBS_CM_RETRY 7
#define VERBS_CM_RNR_RETRY 7

struct verbs_cm {
    struct rdma_event_channel *ch;
    struct rdma_cm_id *listen_id;
    struct rdma_cm_id *id[VERBS_MAX_QPS + 1];   /* [0] control, [1+i] data QP i */
    int nids;
};

/* What the two ranks tell each other over the control plane. */
struct verbs_cm_hello {
    uint64_t magic;
    uint64_t secret;
    uint32_t nqps;
    uint32_t port;                /* listening port, network order; 0: not listening */
    struct verbs_limits limits;
    struct sockaddr_storage addr; /* the rank's device address */
};

/* Private data of each connect request (RC allows 56 bytes). */
struct verbs_cm_priv {
    uint64_t secret;
    uint32_t index;               /* 0: control QP, 1+i: data QP i */
    uint32_t nqps;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct ibv_qp *qp_of(struct verbs_ep *ep, uint32_t index)
{
    return index == 0 ? ep->cqp : ep->qp[index - 1];
}

/* The IPv4 address on interface `ifname`, for InfiniBand (IPoIB). */
static int if_ipv4(const char *ifname, struct sockaddr_in *out)
{
    struct ifaddrs *ifs, *i;
    int found = 0;

    if (ifname == NULL || getifaddrs(&ifs) != 0)
        return 0;
    for (i = ifs; i != NULL && !found; i = i->ifa_next)
        if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
            strcmp(i->ifa_name, ifname) == 0) {
            memcpy(out, i->ifa_addr, sizeof(*out));
            found = 1;
        }
    freeifaddrs(ifs);
    return found;
}

/* The address rdma_cm binds to: the IP of the GID in use (RoCE), or the
 * IPoIB address of --if (InfiniBand). */
static tp_status_t local_addr(const struct verbs_ctx *ctx, struct sockaddr_storage *ss)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (!ctx->is_roce) {
        if (if_ipv4(ctx->opts.net.bind_if, v4))
            return TP_OK;
        tp_fail("verbs: --rdma-cm on InfiniBand (%s) needs an IPoIB address: "
                     "give --if with the IPoIB interface%s", ctx->dev_name,
                     ctx->opts.net.bind_if ? " (the one given has no IPv4 address)" : "");
        return TP_ERR_INVALID;
    }
    if (inet_pton(AF_INET, ctx->address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        return TP_OK;
    }
    if (inet_pton(AF_INET6, ctx->address, &v6->sin6_addr) == 1 &&
        !IN6_IS_ADDR_LINKLOCAL(&v6->sin6_addr)) {
        v6->sin6_family = AF_INET6;
        return TP_OK;
    }
    tp_fail("verbs: --rdma-cm: %s has no routable IP address (%s); give "
                 "--gid-index of an IPv4 or global IPv6 GID", ctx->dev_name, ctx->gid_desc);
    return TP_ERR_INVALID;
}

static const char *addr_str(const struct sockaddr_storage *ss, char *out, size_t len)
{
    const void *a = ss->ss_family == AF_INET6
        ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
        : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
    if (inet_ntop(ss->ss_family == AF_INET6 ? AF_INET6 : AF_INET, a, out, (socklen_t)len) == NULL)
        snprintf(out, len, "?");
    return out;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port_net)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = port_net;
    else
        ((struct sockaddr_in *)ss)->sin_port = port_net;
}

/* Next event on the channel, within the run's timeout. */
static tp_status_t next_event(struct verbs_ep *ep, struct rdma_event_channel *ch,
                              const char *awaiting, struct rdma_cm_event **ev_p)
{
    double limit = ep->ctx->cfg.timeout_s, start = now_s();

    for (;;) {
        struct pollfd pfd = {.fd = ch->fd, .events = POLLIN};
        if (rdma_get_cm_event(ch, ev_p) == 0)
            return TP_OK;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            tp_fail("verbs: rdma_cm with rank %d: reading events: %s", ep->peer,
                         strerror(errno));
            return TP_ERR_IO;
        }
        if (limit > 0 && now_s() - start >= limit) {
            tp_fail("verbs: rdma_cm: rank %d: no %s within %g s", ep->peer, awaiting,
                         limit);
            return TP_ERR_TIMEOUT;
        }
        if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
            tp_fail("verbs: rdma_cm: waiting for events: %s", strerror(errno));
            return TP_ERR_IO;
        }
    }
}

/* Waits for `want` on `id`; any other event is a failure, named. */
static tp_status_t expect_event(struct verbs_ep *ep, struct rdma_cm_id *id,
                                enum rdma_cm_event_type want,
                                struct rdma_conn_param *param_out)
{
    struct rdma_cm_event *ev;
    tp_status_t st = next_event(ep, id->channel, rdma_event_str(want), &ev);

    if (st != TP_OK)
        return st;
    if (ev->event != want || ev->id != id) {
        tp_fail("verbs: rdma_cm with rank %d: %s (status %d) while waiting for %s%s",
                     ep->peer, rdma_event_str(ev->event), ev->status, rdma_event_str(want),
                     ev->event == RDMA_CM_EVENT_REJECTED
                         ? ": the peer refused (another run, or --qps differs)" : "");
        rdma_ack_cm_event(ev);
        return ev->event == RDMA_CM_EVENT_UNREACHABLE || ev->event == RDMA_CM_EVENT_ADDR_ERROR ||
               ev->event == RDMA_CM_EVENT_ROUTE_ERROR ? TP_ERR_PEER : TP_ERR_IO;
    }
    if (param_out != NULL)
        *param_out = ev->param.conn;
    rdma_ack_cm_event(ev);
    return TP_OK;
}

/* rdma_cm resolved the peer over some device: it must be ours. */
static tp_status_t check_device(struct verbs_ep *ep, struct rdma_cm_id *id)
{
    const struct verbs_ctx *ctx = ep->ctx;
    const char *name = id->verbs ? ibv_get_device_name(id->verbs->device) : NULL;

    if (name == NULL || strcmp(name, ctx->dev_name) != 0 || id->port_num != ctx->port) {
        tp_fail("verbs: rdma_cm reaches rank %d through %s port %u, not %s port %d "
                     "(give --device/--gid-index that own the address in use)", ep->peer,
                     name ? name : "no RDMA device", id->port_num, ctx->dev_name, ctx->port);
        return TP_ERR_INVALID;
    }
    return TP_OK;
}

/* --tclass and --sl over what the connection manager derived from the
 * TOS (--tos, set on the ids by set_tos). */
static void cm_path_class(const struct verbs_ctx *ctx, struct ibv_ah_attr *ah)
{
    if (ctx->opts.tclass >= 0 && ah->is_global)
        ah->grh.traffic_class = (uint8_t)ctx->opts.tclass;
    if (ctx->opts.sl > 0)
        ah->sl = (uint8_t)ctx->opts.sl;
}

static tp_status_t set_tos(const struct verbs_ctx *ctx, struct rdma_cm_id *id)
{
    uint8_t tos = (uint8_t)ctx->opts.tos;

    if (ctx->opts.tos < 0)
        return TP_OK;
    if (rdma_set_option(id, RDMA_OPTION_ID, RDMA_OPTION_ID_TOS, &tos, sizeof(tos)) != 0) {
        tp_fail("verbs: rdma_cm: --tos %d refused: %s", ctx->opts.tos, strerror(errno));
        return TP_ERR_INVALID;
    }
    return TP_OK;
}

/* Our QP to RTR then RTS with the attributes the connection manager holds. */
static tp_status_t to_rts(struct verbs_ep *ep, struct rdma_cm_id *id, struct ibv_qp *qp)
{
    static const enum ibv_qp_state steps[2] = {IBV_QPS_RTR, IBV_QPS_RTS};

    for (int s = 0; s < 2; s++) {
        struct ibv_qp_attr at;
        int mask = 0, rc;
        memset(&at, 0, sizeof(at));
        at.qp_state = steps[s];
        rc = rdma_init_qp_attr(id, &at, &mask);
        if (rc == 0) {
            if (steps[s] == IBV_QPS_RTR) {
                at.min_rnr_timer = 1;    /* receivers repost at once */
                mask |= IBV_QP_MIN_RNR_TIMER;
                cm_path_class(ep->ctx, &at.ah_attr);
                if (at.path_mtu < ep->mtu || ep->mtu == 0)
                    ep->mtu = at.path_mtu;
            }
            rc = ibv_modify_qp(qp, &at, mask);
        } else {
            rc = errno;
        }
        if (rc != 0) {
            tp_fail("verbs: rdma_cm: QP %u (peer rank %d): transition to %s failed: %s",
                         qp->qp_num, ep->peer, s == 0 ? "RTR" : "RTS", strerror(rc));
            return TP_ERR_IO;
        }
    }
    return TP_OK;
}

static void conn_param(const struct verbs_ep *ep, struct ibv_qp *qp,
                       const struct verbs_cm_priv *priv, struct rdma_conn_param *p)
{
    memset(p, 0, sizeof(*p));
    p->qp_num = qp->qp_num;
    /* the depths agreed in the hello (verbs_limits_agree) */
    p->responder_resources = (uint8_t)ep->rd_dest;
    p->initiator_depth = (uint8_t)ep->rd_atomic;
    p->retry_count = VERBS_CM_RETRY;
    p->rnr_retry_count = VERBS_CM_RNR_RETRY;
    if (priv != NULL) {
        p->private_data = priv;
        p->private_data_len = sizeof(*priv);
    }
}

/* Passive side: accept nqps+1 requests, one per QP, in any order. */
static tp_status_t accept_all(struct verbs_ep *ep, struct verbs_cm *cm)
{
    int want = ep->nqps + 1, accepted = 0, established = 0;

    while (established < want) {
        struct rdma_cm_event *ev;
        struct verbs_cm_priv priv;
        struct rdma_conn_param p;
        tp_status_t st = next_event(ep, cm->ch, "connection request", &ev);

        if (st != TP_OK)
            return st;
        if (ev->event == RDMA_CM_EVENT_ESTABLISHED) {
            established++;
            rdma_ack_cm_event(ev);
            continue;
        }
        if (ev->event != RDMA_CM_EVENT_CONNECT_REQUEST) {
            tp_fail("verbs: rdma_cm: rank %d: %s (status %d) while accepting",
                         ep->peer, rdma_event_str(ev->event), ev->status);
            rdma_ack_cm_event(ev);
            return TP_ERR_IO;
        }
        struct rdma_cm_id *id = ev->id;
        memset(&priv, 0, sizeof(priv));
        if (ev->param.conn.private_data != NULL &&
            ev->param.conn.private_data_len >= sizeof(priv))
            memcpy(&priv, ev->param.conn.private_data, sizeof(priv));
        rdma_ack_cm_event(ev);
        if (priv.secret != ep->ctx->cfg.secret || priv.nqps != (uint32_t)ep->nqps ||
            priv.index >= (uint32_t)want || cm->id[priv.index] != NULL ||
            accepted == want) {
            tp_fail("verbs: rdma_cm: refused a connection request that is not rank "
                         "%d's (another run, or a different --qps)", ep->peer);
            rdma_reject(id, NULL, 0);
            rdma_destroy_id(id);
            return TP_ERR_AUTH;
        }
        cm->id[priv.index] = id;
        accepted++;
        if ((st = check_device(ep, id)) != TP_OK ||
            (st = to_rts(ep, id, qp_of(ep, priv.index))) != TP_OK)
            return st;
        conn_param(ep, qp_of(ep, priv.index), NULL, &p);
        if (rdma_accept(id, &p) != 0) {
            tp_fail("verbs: rdma_cm: accepting rank %d's QP %u: %s", ep->peer,
                         priv.index, strerror(errno));
            return TP_ERR_IO;
        }
    }
    return TP_OK;
}

/* Active side: resolve, connect, move the QP to RTS, establish; per QP. */
static tp_status_t connect_one(struct verbs_ep *ep, struct verbs_cm *cm, uint32_t index,
                               struct sockaddr_storage *src, struct sockaddr_storage *dst)
{
    struct verbs_cm_priv priv = {.secret = ep->ctx->cfg.secret, .index = index,
                                 .nqps = (uint32_t)ep->nqps};
    struct rdma_conn_param p;
    struct rdma_cm_id *id;
    char a[64];
    tp_status_t st;

    if (rdma_create_id(cm->ch, &id, NULL, RDMA_PS_TCP) != 0) {
        tp_fail("verbs: rdma_create_id: %s", strerror(errno));
        return TP_ERR_IO;
    }
    cm->id[index] = id;
    if ((st = set_tos(ep->ctx, id)) != TP_OK)
        return st;
    if (rdma_resolve_addr(id, (struct sockaddr *)src, (struct sockaddr *)dst,
                          VERBS_CM_RESOLVE_MS) != 0) {
        tp_fail("verbs: rdma_cm: resolving rank %d's address %s: %s", ep->peer,
                     addr_str(dst, a, sizeof(a)), strerror(errno));
        return TP_ERR_PEER;
    }
    if ((st = expect_event(ep, id, RDMA_CM_EVENT_ADDR_RESOLVED, NULL)) != TP_OK ||
        (st = check_device(ep, id)) != TP_OK)
        return st;
    if (rdma_resolve_route(id, VERBS_CM_RESOLVE_MS) != 0) {
        tp_fail("verbs: rdma_cm: route to rank %d: %s", ep->peer, strerror(errno));
        return TP_ERR_PEER;
    }
    if ((st = expect_event(ep, id, RDMA_CM_EVENT_ROUTE_RESOLVED, NULL)) != TP_OK)
        return st;
    conn_param(ep, qp_of(ep, index), &priv, &p);
    if (rdma_connect(id, &p) != 0) {
        tp_fail("verbs: rdma_connect to rank %d: %s", ep->peer, strerror(errno));
        return TP_ERR_IO;
    }
    /* no QP attached to the id: the response comes back for us to finish */
    if ((st = expect_event(ep, id, RDMA_CM_EVENT_CONNECT_RESPONSE, NULL)) != TP_OK ||
        (st = to_rts(ep, id, qp_of(ep, index))) != TP_OK)
        return st;
    if (rdma_establish(id) != 0) {
        tp_fail("verbs: rdma_establish with rank %d: %s", ep->peer, strerror(errno));
        return TP_ERR_IO;
    }
    return TP_OK;
}

static tp_status_t listen_on(struct verbs_ep *ep, struct verbs_cm *cm,
                             struct sockaddr_storage *addr, uint32_t *port_p)
{
    char a[64];

    if (rdma_create_id(cm->ch, &cm->listen_id, NULL, RDMA_PS_TCP) != 0) {
        tp_fail("verbs: rdma_create_id: %s", strerror(errno));
        return TP_ERR_IO;
    }
    if (set_tos(ep->ctx, cm->listen_id) != TP_OK)
        return TP_ERR_INVALID;
    if (rdma_bind_addr(cm->listen_id, (struct sockaddr *)addr) != 0 ||
        rdma_listen(cm->listen_id, ep->nqps + 1) != 0) {
        tp_fail("verbs: rdma_cm: cannot listen on %s: %s", addr_str(addr, a, sizeof(a)),
                     strerror(errno));
        return TP_ERR_IO;
    }
    *port_p = rdma_get_src_port(cm->listen_id);
    return TP_OK;
}

tp_status_t verbs_cm_connect(struct verbs_ep *ep)
{
    const struct tp_ctrl *c = &ep->ctx->ctrl;
    int passive = c->rank < ep->peer;
    struct verbs_cm_hello mine, theirs;
    struct verbs_cm *cm;
    tp_status_t st;

    cm = calloc(1, sizeof(*cm));
    if (cm == NULL)
        return TP_ERR_NO_MEMORY;
    ep->cm = cm;
    cm->nids = ep->nqps + 1;
    memset(&mine, 0, sizeof(mine));
    mine.magic = VERBS_CM_MAGIC;
    mine.secret = ep->ctx->cfg.secret;
    mine.nqps = (uint32_t)ep->nqps;
    verbs_limits_mine(ep->ctx, &mine.limits);
    if ((st = local_addr(ep->ctx, &mine.addr)) != TP_OK)
        return st;
    cm->ch = rdma_create_event_channel();
    if (cm->ch == NULL) {
        tp_fail("verbs: --rdma-cm: cannot open the rdma_cm event channel: %s "
                     "(is the rdma_ucm module loaded?)", strerror(errno));
        return TP_ERR_NO_DEVICE;
    }
    fcntl(cm->ch->fd, F_SETFL, fcntl(cm->ch->fd, F_GETFL) | O_NONBLOCK);
    if (passive && (st = listen_on(ep, cm, &mine.addr, &mine.port)) != TP_OK)
        return st;
    st = c->exchange(c->arg, ep->peer, &mine, &theirs, sizeof(mine));
    if (st != TP_OK) {
        tp_fail("verbs: exchanging rdma_cm addresses with rank %d failed: %s",
                     ep->peer, tp_status_string(st));
        return st;
    }
    if (theirs.magic != VERBS_CM_MAGIC || theirs.secret != mine.secret) {
        tp_fail("verbs: rank %d is not a --rdma-cm peer of this run", ep->peer);
        return TP_ERR_PEER;
    }
    if (theirs.nqps != mine.nqps) {
        tp_fail("verbs: rank %d uses --qps %u, this rank %u", ep->peer, theirs.nqps,
                     mine.nqps);
        return TP_ERR_INVALID;
    }
    verbs_limits_agree(ep, &mine.limits, &theirs.limits);
    if (passive)
        return accept_all(ep, cm);
    set_port(&theirs.addr, (uint16_t)theirs.port);
    for (uint32_t i = 0; i < (uint32_t)cm->nids; i++)
        if ((st = connect_one(ep, cm, i, &mine.addr, &theirs.addr)) != TP_OK)
            return st;
    return TP_OK;
}

void verbs_cm_destroy(struct verbs_cm *cm)
{
    if (cm == NULL)
        return;
    for (int i = 0; i < cm->nids && i <= VERBS_MAX_QPS; i++)
        if (cm->id[i] != NULL) {
            rdma_disconnect(cm->id[i]);
            rdma_destroy_id(cm->id[i]);
        }
    if (cm->listen_id != NULL)
        rdma_destroy_id(cm->listen_id);
    if (cm->ch != NULL)
        rdma_destroy_event_channel(cm->ch);
    free(cm);
}
