/* verbs_private.h: state shared by the tp_verbs*.c files, the ibverbs
 * transport.  Not part of any public interface.
 *
 * Shape of a connection (one endpoint per peer): `nqps` RC data QPs that
 * carry the bulk data (message i of a transfer goes on QP i % nqps), plus
 * one RC control QP that carries small typed messages (ready, credit,
 * ack, ...).  Keeping control off the data QPs means their receive queues
 * only ever hold receives for the current transfer. */
#ifndef TIERPERF_VERBS_PRIVATE_H
#define TIERPERF_VERBS_PRIVATE_H

#include <infiniband/verbs.h>
#include <stdint.h>
#include <time.h>

#include "tp_net_opts.h"
#include "transport.h"

#define VERBS_MAX_QPS      64
#define VERBS_CTRL_RECVS   64     /* control receives kept posted */
#define VERBS_CTRL_SENDS   16     /* control send slots (and SQ depth) */
#define VERBS_DEFAULT_DEPTH 128   /* perftest's default tx depth */

#define VERBS_MAX_DEPTH    16384  /* largest --tx-depth (ops.max_tx_depth) */
#define VERBS_POST_LIST    16     /* WRs handed to one ibv_post_send */

/* One data QP's sending template: VERBS_POST_LIST WRs, chained and each
 * with its SGE, set up once per connection; a transfer fills in what
 * changes per message (address, length, remote address, wr_id, flags). */
struct verbs_wr_list {
    struct ibv_send_wr wr[VERBS_POST_LIST];
    struct ibv_sge sge[VERBS_POST_LIST];
};

/* ---- options (tp_verbs_opts.c) ---- */

enum tp_rdma_op { TP_RDMA_WRITE, TP_RDMA_READ, TP_RDMA_SEND };

/* The verbs transport's own options, parsed from verbs_options. */
struct verbs_opts {
    int qps;                    /* RC data QPs per connection */
    const char *device;         /* device name, NULL = automatic */
    int port;                   /* port number, 0 = automatic */
    int gid_index;              /* -1 = automatic */
    int rdma_op;                /* enum tp_rdma_op */
    int inline_size;            /* max inline bytes, -1 = automatic */
    int use_rdma_cm;            /* connect through librdmacm */
    int rx_depth;               /* receives posted per QP (SEND) */
    int rd_atomic;              /* outstanding RDMA reads per QP, 0 = agreed max */
    int relaxed_order;          /* IBV_ACCESS_RELAXED_ORDERING on bandwidth MRs */
    int tclass;                 /* GRH traffic class, -1 = default */
    int sl;                     /* service level */
    int tos;                    /* RDMA CM type of service, -1 = default */
    struct tp_net_opts net;     /* --if, --subnet */
    const char *devices;        /* --devices LIST|auto (tp_rail.h), or NULL */
};

extern const struct opt_table verbs_options;

/* ---- device context (one per rank) ---- */

struct verbs_ctx {
    struct tp_config cfg;            /* copy; strings owned by the caller */
    struct verbs_opts opts;          /* copy; cfg.opts points here */
    struct tp_ctrl ctrl;
    struct ibv_context *dev;
    struct ibv_pd *pd;
    struct ibv_device_attr dev_attr;
    struct ibv_port_attr port_attr;
    char dev_name[64];
    char pci[32];                    /* sysfs PCI address, "" for soft devices */
    int port;
    int is_roce;                     /* link layer Ethernet: GIDs, no LIDs */
    int gid_index;                   /* -1: InfiniBand without GRH */
    union ibv_gid gid;
    char gid_desc[160];              /* "RoCE v2 GID index 1 (198.18.0.1, why)" */
    char address[64];                /* IPv4 of the GID, or "LID 0x12" */
    int tx_depth;                    /* outstanding WRs per QP */
    int nqps;
    int max_inline;                  /* inline bytes asked for at QP creation */
    int tclass;                      /* GRH traffic class (--tclass, or --tos) */
    int rd_atomic;                   /* RDMA reads outstanding, last agreed */
    int async_down;                  /* async event that ended the port, or 0
                                      * (atomic: endpoints on several threads) */
    const char *mr_path;             /* how the last buffer was registered */
    int mr_host;                     /* ... host memory (its pages reported) */
    const char *mr_order;            /* ... "relaxed ordering", "strict ordering" */
    char mr_staged[480];             /* mr_path when staged: with GPUDirect's failure */
    unsigned staged_warned;
    char rail_dev[64];               /* --devices: this rank's device (opts.device) */
    int rail, nrails;                /* --devices: its rail (nrails 0: none) */
};

/* --devices (tp_verbs_rail.c): this rank's device of the list (or of
 * every RDMA device, by name, for "auto") into opts.device/opts.port,
 * before verbs_device_open.  Errors name the option. */
tp_status_t verbs_rail_pick(struct verbs_ctx *ctx);
/* The network interface behind the device's port ("" when none: IB). */
void verbs_rail_ifname(const struct verbs_ctx *ctx, char *out, size_t len);

/* An IPv4 subnet (--bind-subnet), parsed. */
struct verbs_subnet {
    int set;
    uint32_t net, mask;           /* host byte order */
};

/* device.c: how much a GID is wanted for automatic choice: 2 RoCE v2
 * IPv4 (in the subnet, on the interface when given), 1 RoCE v2 global
 * IPv6 (no subnet given), 0 never (RoCE v1, link-local, elsewhere). */
int verbs_gid_rank(const struct ibv_gid_entry *e, const struct verbs_subnet *sn,
                   unsigned bind_ifindex);

/* device.c: open the configured (or nearest) device, pick port and GID.
 * Each failure is logged once, in one line. */
tp_status_t verbs_device_open(struct verbs_ctx *ctx);
/* port rate in Gbit/s from active_speed (or active_speed_ex where
 * libibverbs has it: XDR) x active_width, 0 when unknown */
double verbs_port_rate_gbit(const struct ibv_port_attr *pa);
/* one lane's rate (IB speed code, SDR 1 .. NDR 128, XDR 256) x lanes (IB
 * width code: 1 1x, 2 4x, 4 8x, 8 12x, 16 2x); 0 when either is unknown */
double verbs_lane_rate_gbit(uint32_t speed, uint8_t width);
int verbs_mtu_bytes(enum ibv_mtu mtu);
/* what `ibv_wc_status_str` says, plus a hint for the common cases */
const char *verbs_wc_hint(enum ibv_wc_status status);

/* ---- control messages ---- */

enum verbs_msg_type {
    VERBS_MSG_READY = 1,  /* receiver -> sender: ring of transfer seq posted */
    VERBS_MSG_SRC,        /* RDMA READ sender -> receiver: readable ring, avail */
    VERBS_MSG_CREDIT,     /* receiver -> sender: messages consumed so far */
    VERBS_MSG_ACK,        /* receiver -> sender: transfer done, with status */
    VERBS_MSG_PP_READY,   /* ping-pong: my buffer, receives posted */
    VERBS_MSG_PP_DONE,    /* read ping-pong: initiator progress / end */
    VERBS_MSG_NTYPES
};

struct verbs_msg {
    uint32_t type;
    uint32_t seq;        /* transfer number in its direction */
    uint32_t flags;
    int32_t status;      /* ACK: the receiver's tp_status_t */
    uint32_t rkey;
    uint32_t pad;
    uint64_t addr;       /* ring address */
    uint64_t len;        /* ring length in bytes */
    uint64_t msg_size;
    uint64_t total;      /* messages in the transfer */
    uint64_t count;      /* SRC: messages readable; CREDIT: consumed */
    uint64_t span_ns;    /* ACK of an RDMA READ: the reader's first read
                          * posted to its last completion (0: none) */
};

#define VERBS_FLAG_VERIFY 1u      /* READY: receiver checks every message;
                                   * SRC: sender refills slots (needs credit) */
/* READY.count and CREDIT.count (to a WRITE/SEND sender): it may post the
 * messages below count.  CREDIT.count to a READ sender: messages pulled. */

/* latest message of each type; `valid` counts arrivals */
struct verbs_inbox {
    struct verbs_msg last[VERBS_MSG_NTYPES];
    uint64_t arrivals[VERBS_MSG_NTYPES];
};

/* ---- endpoint (one per connected peer) ---- */

struct verbs_qp_acct {
    uint64_t posted;     /* send-queue WRs posted in this transfer */
    uint64_t done;       /* ... known complete (signaled completion seen) */
    uint64_t rposted;    /* receives posted in this transfer */
    uint64_t rdone;      /* ... completed */
};

struct verbs_ep {
    struct verbs_ctx *ctx;
    int peer;
    int nqps;
    struct ibv_cq *scq;              /* data QPs' send queues */
    struct ibv_cq *rcq;              /* data QPs' receive queues */
    struct ibv_cq *ccq;              /* control QP, both queues */
    struct ibv_comp_channel *chan;   /* events of all three CQs */
    struct ibv_qp *qp[VERBS_MAX_QPS];
    struct ibv_qp *cqp;
    uint32_t sq_depth, rq_depth;
    uint32_t rd_atomic;              /* RDMA reads outstanding, agreed with the peer */
    uint32_t rd_dest;                /* ... the peer's reads we answer */
    uint64_t max_msg;                /* largest message of both ports (max_msg_sz) */
    uint32_t max_inline;             /* what the data QPs really support */
    uint32_t ctrl_inline;            /* ... and the control QP */
    enum ibv_mtu mtu;
    struct verbs_msg *cbuf;          /* VERBS_CTRL_RECVS + VERBS_CTRL_SENDS */
    struct ibv_mr *cmr;
    unsigned csend_next;
    unsigned csend_busy;             /* control sends not yet completed */
    struct verbs_inbox inbox;
    uint32_t tx_seq, rx_seq, pp_seq; /* per direction, same on both peers */
    tp_status_t broken;              /* first fatal error; TP_OK while usable */
    struct verbs_cm *cm;             /* --rdma-cm connection ids, else NULL */
    struct verbs_wr_list *wrl;       /* per data QP: the sender's WR template */
};

/* wr_id: kind in the top byte, QP index in the next, counter below. */
enum verbs_wr_kind { VERBS_WR_TX = 1, VERBS_WR_READ, VERBS_WR_RECV,
                     VERBS_WR_CSEND, VERBS_WR_CRECV, VERBS_WR_PP };

static inline uint64_t verbs_wr_id(enum verbs_wr_kind kind, unsigned qp,
                                   uint64_t n)
{
    return ((uint64_t)kind << 56) | ((uint64_t)(qp & 0xff) << 48) |
           (n & 0xffffffffffffull);
}
static inline unsigned verbs_wr_kind(uint64_t id) { return (unsigned)(id >> 56); }
static inline unsigned verbs_wr_qp(uint64_t id) { return (unsigned)(id >> 48) & 0xff; }
static inline uint64_t verbs_wr_n(uint64_t id) { return id & 0xffffffffffffull; }

/* What each side allows, told to the peer when connecting (over MPI or
 * in the --rdma-cm hello): reads it initiates and answers (capped by
 * --rd-atomic), and the port's max_msg_sz. */
struct verbs_limits {
    uint32_t rd_init;
    uint32_t rd_dest;
    uint32_t max_msg;
    uint32_t pad;
};

/* qp.c: this side's limits; the agreed ones from the peer's into ep
 * (rd_atomic: the smaller of our rd_init and their rd_dest; max_msg: the
 * smaller port limit). */
void verbs_limits_mine(const struct verbs_ctx *ctx, struct verbs_limits *l);
void verbs_limits_agree(struct verbs_ep *ep, const struct verbs_limits *mine,
                        const struct verbs_limits *theirs);

/* cm.c: --rdma-cm.  Connects the endpoint's QPs (created, in INIT) through
 * librdmacm and moves them to RTS; fills ep->cm and ep->mtu. */
struct verbs_cm;
tp_status_t verbs_cm_connect(struct verbs_ep *ep);
void verbs_cm_destroy(struct verbs_cm *cm);

/* qp.c */
/* The address vector to a peer: LID routed (InfiniBand without GRH) when
 * ctx->gid_index < 0, else GRH with the peer's GID (RoCE always). */
void verbs_fill_ah(const struct verbs_ctx *ctx, uint32_t dlid, const uint8_t dgid[16],
                   struct ibv_ah_attr *ah);
tp_status_t verbs_ep_connect(struct verbs_ctx *ctx, int peer,
                             struct verbs_ep **ep_p);
void verbs_ep_destroy(struct verbs_ep *ep);

/* async.c: the device's async events.  init: its fd non-blocking.  check:
 * reads what is pending; once the port went down or the device failed,
 * fails the endpoint (one line naming device and port) and returns that. */
void verbs_async_init(struct verbs_ctx *ctx);
tp_status_t verbs_async_check(struct verbs_ep *ep);
/* After a failed completion: the same, also when the port's state says
 * down before its event arrived (polled briefly, 100 ms at most). */
tp_status_t verbs_port_check(struct verbs_ep *ep);

/* ---- waiting with a deadline: "no progress for timeout_s" ---- */

struct verbs_wait {
    double timeout_s;
    struct timespec last;            /* last time progress was seen */
    unsigned idle;                   /* empty polls since the clock was read */
    int moved;                       /* progress since then */
};

void verbs_wait_start(struct verbs_wait *w, const struct verbs_ep *ep);
static inline void verbs_wait_progress(struct verbs_wait *w) { w->moved = 1; }
/* Call when a poll found nothing.  Logs and returns TP_ERR_TIMEOUT once
 * nothing happened for timeout_s; `what` names what was awaited. */
tp_status_t verbs_wait_idle(struct verbs_wait *w, struct verbs_ep *ep,
                            const char *what);

/* ctrl.c */
tp_status_t verbs_ctrl_post_recvs(struct verbs_ep *ep);
tp_status_t verbs_ctrl_send(struct verbs_ep *ep, const struct verbs_msg *m);
/* Polls the control CQ once, filing messages in ep->inbox.  Sets
 * *progress when anything completed. */
tp_status_t verbs_ctrl_poll(struct verbs_ep *ep, int *progress);
/* Waits until a message of `type` with sequence `seq` is in the inbox. */
tp_status_t verbs_ctrl_wait(struct verbs_ep *ep, enum verbs_msg_type type,
                            uint32_t seq, struct verbs_msg *out);
/* Records the first fatal error of an endpoint and returns it. */
tp_status_t verbs_ep_fail(struct verbs_ep *ep, tp_status_t st);
/* Logs a failed completion once and returns the status it maps to. */
tp_status_t verbs_wc_error(struct verbs_ep *ep, const struct ibv_wc *wc,
                           const char *what);

/* mr.c */
tp_status_t verbs_mem_reg(void *ctx, struct tp_buf *buf);
/* The buffer's strictly ordered MR (the latency ping-pong polls its last
 * byte, which relaxed ordering may let land before the rest). */
tp_status_t verbs_mem_strict(struct verbs_ctx *ctx, const struct tp_buf *buf,
                             struct ibv_mr **mr_p);
void verbs_mem_dereg(void *ctx, struct tp_buf *buf);

/* ---- one transfer in flight (tp_verbs_stream*.c) ----
 * Message i goes on QP i % nqps and occupies slot i % slots of each
 * side's ring.  The receiver announces its ring (READY) before any data
 * moves and acknowledges the end (ACK); RDMA READ turns the roles round:
 * the sender announces what can be read (SRC), the receiver pulls.
 * Flow control only where data is checked or refilled (credits, slot
 * reuse); otherwise the window of tx_depth WRs per QP is the only limit. */

struct verbs_tx {
    struct verbs_ep *ep;
    const struct tp_xfer *x;
    uint32_t seq;
    uint64_t msgs, lslots;
    int every;                /* signal every WR: own slots are refilled */
    uint32_t lkey;            /* the ring's */
    int host;                 /* host memory: small messages go inline */
    int started;              /* READY taken (WRITE/SEND) or SRC sent (READ) */
    uint64_t raddr;           /* receiver's ring (WRITE) */
    uint32_t rkey;
    uint64_t rslots;
    int rverify;              /* receiver checks: immediate per message */
    uint64_t next;            /* messages posted, or filled (READ) */
    uint64_t credit;          /* WRITE/SEND: may post messages < credit;
                               * READ: messages the receiver has pulled */
    int done;
    uint64_t t_first, t_last; /* first post, latest completion (ns) */
    struct verbs_qp_acct q[VERBS_MAX_QPS];
};

struct verbs_rx {
    struct verbs_ep *ep;
    const struct tp_xfer *x;
    uint32_t seq;
    uint64_t msgs, lslots;
    int verify;               /* check hook set */
    int started;
    uint64_t raddr;           /* sender's ring (READ) */
    uint32_t rkey;
    uint64_t rslots;
    uint64_t avail;           /* READ: messages the sender has made readable */
    int rfill;                /* READ: sender refills, wants credits */
    int every;                /* READ: signal every WR */
    uint64_t next;            /* next receive to post; READs posted */
    uint64_t consumed;        /* prefix of messages arrived (and checked) */
    uint64_t limit_sent;      /* last limit told to the sender */
    int finals;               /* WRITE without checks: closing imms seen */
    uint64_t t_first, t_last; /* READ: first read posted, latest completion (ns) */
    int done;
    struct verbs_qp_acct q[VERBS_MAX_QPS];
};

/* messages of the transfer that travel on QP q */
static inline uint64_t verbs_msgs_on_qp(uint64_t msgs, int nqps, int q)
{
    return msgs / (uint64_t)nqps + ((uint64_t)q < msgs % (uint64_t)nqps);
}

/* Smallest message index not yet complete, given per-QP completed
 * counts (messages complete in order on each QP). */
uint64_t verbs_prefix(const struct verbs_qp_acct *q, int nqps, uint64_t msgs,
                      int use_recv);

tp_status_t verbs_tx_start(struct verbs_tx *tx, struct verbs_ep *ep,
                           const struct tp_xfer *x);
tp_status_t verbs_tx_step(struct verbs_tx *tx, int *progress);
tp_status_t verbs_tx_on_wc(struct verbs_tx *tx, const struct ibv_wc *wc);
/* A finished WRITE or SEND transfer's first post to last completion (ns),
 * the time data moved (tp_xfer.span_ns); RDMA READ: the reader's first
 * read posted to its last completion, carried in its ACK; 0 where a
 * completion is not the end: a receiver that checks or stages every
 * message after it lands, or a READ whose sender refills its ring. */
uint64_t verbs_tx_span_ns(const struct verbs_tx *tx);
/* Whether a side waiting for its peer keeps polling instead of sleeping
 * on the completion channel: while it has data work of its own in
 * flight, as perftest's polling sides do: a sender with WRs not yet
 * completed (only every sq_depth/2 is signaled, so completions are far
 * apart), a SEND receiver taking messages, an RDMA READ reader.  A WRITE
 * receiver, a READ data source and a side waiting for a control message
 * sleep after VERBS_SPIN_NS. */
int verbs_keeps_polling(const struct verbs_tx *tx, const struct verbs_rx *rx);
/* CLOCK_MONOTONIC in nanoseconds */
uint64_t verbs_now_ns(void);
tp_status_t verbs_rx_start(struct verbs_rx *rx, struct verbs_ep *ep,
                           const struct tp_xfer *x);
tp_status_t verbs_rx_step(struct verbs_rx *rx, int *progress);
tp_status_t verbs_rx_on_wc(struct verbs_rx *rx, const struct ibv_wc *wc);
/* The peer's ring announcement (READY, SRC): the same transfer as ours,
 * or one line naming both (peer_does/we_do: "expects"/"sends"); and the
 * remote ring it describes. */
int verbs_ring_matches(struct verbs_ep *ep, const struct verbs_msg *m, uint64_t msgs,
                       size_t msg_size, const char *peer_does, const char *we_do);
void verbs_ring_take(const struct verbs_msg *m, uint64_t *raddr, uint32_t *rkey,
                     uint64_t *rslots);
/* checks common to both sides of a transfer */
tp_status_t verbs_xfer_check(struct verbs_ep *ep, const struct tp_xfer *x);

/* stream.c, pingpong.c: the ops-table entry points */
tp_status_t verbs_stream_send(void *ep, const struct tp_xfer *x);
tp_status_t verbs_stream_recv(void *ep, const struct tp_xfer *x);
tp_status_t verbs_stream_bidir(void *ep, const struct tp_xfer *tx,
                               const struct tp_xfer *rx);
tp_status_t verbs_pingpong(void *ep, struct tp_buf *buf, size_t msg_size,
                           uint64_t iters, int initiator, uint64_t *rtt_ns);

/* strlcpy: copies what fits, always terminated */
static inline void verbs_copy(char *dst, size_t len, const char *src)
{
    size_t n = 0;

    if (len == 0)
        return;
    while (n + 1 < len && src[n] != '\0') {
        dst[n] = src[n];
        n++;
    }
    dst[n] = '\0';
}

/* What tp_buf.mr points to for this transport.  Host memory and GPU
 * memory with GPUDirect: the MR covers the buffer itself.  GPU memory
 * without GPUDirect (no dma-buf, no nvidia-peermem): staged; the NIC works
 * on a registered host shadow of the ring, and the data is copied between
 * the two around each message (verbs_stage_out before it is posted,
 * verbs_stage_in once it has landed). */
struct verbs_reg {
    struct ibv_mr *mr;           /* relaxed ordering when `relaxed` */
    struct ibv_mr *strict;       /* relaxed: a strictly ordered MR of the same
                                  * memory for the latency ping-pong, made on
                                  * its first use; else NULL (mr is strict) */
    int relaxed;
    char *shadow;                /* staged: the host ring the NIC uses, else NULL */
    const struct tp_mem *mem;    /* staged: the kind that copies */
    int shadow_pinned;           /* shadow from the kind's alloc_staging */
};

static inline struct ibv_mr *verbs_buf_mr(const struct tp_buf *buf)
{
    return ((const struct verbs_reg *)buf->mr)->mr;
}

static inline int verbs_buf_staged(const struct tp_buf *buf)
{
    return ((const struct verbs_reg *)buf->mr)->shadow != NULL;
}

/* Where the NIC reads or writes the byte the caller knows as p. */
static inline char *verbs_nic_addr(const struct tp_buf *buf, const void *p)
{
    const struct verbs_reg *r = buf->mr;
    return r->shadow != NULL ? r->shadow + ((const char *)p - (const char *)buf->addr)
                             : (char *)p;
}

/* mr.c: staged buffers only (no-ops otherwise): device -> shadow before
 * the NIC reads [p, p+len), shadow -> device after it wrote there.  A
 * failure is logged; the caller decides what breaks. */
tp_status_t verbs_stage_out(struct verbs_ep *ep, const struct tp_buf *buf, const void *p,
                            size_t len);
tp_status_t verbs_stage_in(struct verbs_ep *ep, const struct tp_buf *buf, void *p, size_t len);

/* counters.c: the device port's error counters (the ops slot). */
tp_status_t verbs_counters_op(void *ep, struct tp_counters *c, struct tp_error *err);

#endif
