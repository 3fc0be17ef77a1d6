/* transport.h: the pluggable transport interface.  One const ops table per
 * backend (tcp, mpi, verbs), listed in one static array (registry.c).
 * Slots a backend does not offer point at tp_unsupported_* stubs, never
 * NULL.  bench/ never names a backend: it drives these slots only.
 *
 * Errors are reported once: every op that can fail takes a struct
 * tp_error * (may be NULL) and, on failure, fills it with one line naming
 * the peer, device or option (tp_fail.h); the caller prints it once or
 * records it with the result, and does not log the failure again.
 *
 * Connection data is exchanged over the control plane (struct tp_ctrl,
 * MPI in the real program, a socketpair in unit tests); bulk data moves
 * over the transport itself. */
#ifndef TIERPERF_TRANSPORT_H
#define TIERPERF_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../common/opt_table.h"
#include "../common/status.h"
#include "memory.h"

/* What every transport is given, parsed once by the CLI, read-only
 * afterwards.  A transport's own options (--streams, --qps, ...) are
 * declared by the transport itself in its options table (ops->options) and
 * arrive parsed into its own config struct through `opts`. */
struct tp_config {
    int tx_depth;           /* outstanding messages per connection (window) */
    double timeout_s;       /* per blocking operation; <=0 = no limit */
    uint64_t secret;        /* per-run secret, same on every rank */
    const void *opts;       /* the transport's config struct (options->
                               config_size bytes), or NULL for its defaults */
    /* Rails (--devices/--ifaces, tp_rail.h): this rank's index among the
     * ranks of its node and their number, set by the engine before init
     * (0 and 1 when unknown); rail_near, when set, gives the index in
     * names[] of the NIC nearest this rank's GPU, or -1 (no GPU, unknown). */
    int local_rank, local_size;
    int (*rail_near)(const void *arg, const char *const *names, size_t n);
    const void *rail_arg;
};

/* Control plane given to transports: rank identity and a pairwise,
 * blocking exchange of connection blobs (both peers call it with the same
 * len; each receives the other's bytes). */
struct tp_ctrl {
    int rank;
    int size;
    tp_status_t (*exchange)(void *arg, int peer, const void *out, void *in,
                            size_t len);
    void *arg;
    void *mpi_comm;         /* MPI_Comm* for the MPI transport, else NULL */
};

/* A buffer, possibly registered with a transport (mr set by mem_reg). */
struct tp_buf {
    void *addr;
    size_t len;
    const struct tp_mem *mem;
    void *mr;
};

/* Called once per message with the slot it occupies and the message's
 * byte offset in the whole transfer: to fill (sender, before posting) or
 * check (receiver, after arrival) data.  Non-OK aborts the transfer. */
typedef tp_status_t (*tp_chunk_fn)(void *arg, void *buf, size_t len,
                                   uint64_t offset);

/* One transfer of `bytes` bytes in messages of msg_size (the last may be
 * shorter).  Message i occupies slot (i % nslots) of the ring buf, where
 * nslots = max(1, buf->len / msg_size); so any size streams through a
 * bounded buffer.  offset0 is added to offsets passed to the hooks, so a
 * long transfer done in batches keeps a continuous offset. */
struct tp_xfer {
    struct tp_buf *buf;
    size_t msg_size;
    uint64_t bytes;
    uint64_t offset0;
    tp_chunk_fn fill;       /* sender side, may be NULL */
    tp_chunk_fn check;      /* receiver side, may be NULL */
    void *hook_arg;
    /* stream_send may store here (when not NULL) the nanoseconds from
     * its first message posted to the completion of its last, when a
     * completion means delivery and the receiver has nothing left to do
     * (what perftest's ib_write_bw and ib_send_bw time); it stores 0 when
     * it cannot tell.  The caller's clock then leaves out the set-up
     * and closing handshakes with the receiver. */
    uint64_t *span_ns;
};

/* Facts about the link in use, for the results' environment record. */
struct tp_link_info {
    char device[64];        /* NIC or interface name */
    char driver[64];
    char firmware[64];
    char model[128];
    double line_rate_gbit;  /* 0 when unknown */
    int mtu;                /* 0 when unknown */
    char address[64];       /* local address the data moves from */
    char detail[256];       /* e.g. "RoCEv2 GID index 1", "dma-buf" */
    /* Rails: the RDMA port (0: not RDMA), the network interface the data
     * moves through ("" unknown), and this NIC's index in the run's
     * --devices/--ifaces list (rail; nrails 0: no list given). */
    int port;
    char ifname[64];
    int rail;
    int nrails;
};

/* Loss counters of an endpoint, cumulative (since the connection or the
 * device came up): a caller takes the difference of two reads.  Only what
 * was readable is set; nothing is ever guessed. */
#define TP_DEV_COUNTERS_MAX 16
struct tp_counters {
    int has_tcp;                /* TCP_INFO of every stream, summed modulo 2^32 */
    uint32_t retrans_segs;      /* tcpi_total_retrans */
    uint32_t segs_out;          /* tcpi_data_segs_out (retransmissions included) */
    int ndev;                   /* device error counters read from sysfs */
    char device[64];            /* "rxe0 port 1" */
    struct {
        char name[32];          /* file name under counters/ or hw_counters/ */
        uint64_t value;
    } dev[TP_DEV_COUNTERS_MAX];
};

enum tp_caps {
    TP_CAP_BIDIR       = 1u << 0,
    TP_CAP_DEVICE_MEM  = 1u << 1,   /* can move non-host memory directly */
    TP_CAP_STAGED_MEM  = 1u << 2,   /* stages non-host memory via host */
    TP_CAP_THREAD_EPS  = 1u << 3,   /* distinct endpoints may be driven from
                                       different threads at the same time
                                       (the fanout/kv/alltoall shapes) */
    TP_CAP_PEER_AUTH   = 1u << 4,   /* connect refuses a peer whose tp_config
                                       secret differs (another run) */
};

struct tp_transport_ops {
    size_t size;            /* sizeof(struct tp_transport_ops) */
    const char *name;       /* "tcp", "mpi", "verbs" */
    const char *summary;    /* one line for --help */
    unsigned caps;
    /* The transport's own options, parsed into its config struct (NULL:
     * none), the largest --tx-depth it can keep (0: the run's limit) and
     * its --tx-depth when none is given (0: the run's default). */
    const struct opt_table *options;
    int max_tx_depth;
    int default_tx_depth;

    tp_status_t (*init)(const struct tp_config *cfg,
                        const struct tp_ctrl *ctrl, void **ctx_p,
                        struct tp_error *err);
    void (*finalize)(void *ctx);

    tp_status_t (*mem_reg)(void *ctx, struct tp_buf *buf, struct tp_error *err);
    void (*mem_dereg)(void *ctx, struct tp_buf *buf);

    /* Pairwise and blocking: both ranks call it naming each other.  Uses
     * ctrl->exchange for connection data. */
    tp_status_t (*connect)(void *ctx, int peer, void **ep_p, struct tp_error *err);
    void (*disconnect)(void *ctx, void *ep);

    /* Bandwidth.  stream_send returns once the receiver has every byte
     * (the receiver acknowledges the end), so the sender's clock measures
     * delivery.  stream_recv returns once every byte has arrived. */
    tp_status_t (*stream_send)(void *ep, const struct tp_xfer *x, struct tp_error *err);
    tp_status_t (*stream_recv)(void *ep, const struct tp_xfer *x, struct tp_error *err);
    /* both directions at once on one connection; both peers call it */
    tp_status_t (*stream_bidir)(void *ep, const struct tp_xfer *tx,
                                const struct tp_xfer *rx, struct tp_error *err);

    /* Latency: `iters` round trips of msg_size bytes.  The initiator
     * stores each round trip in rtt_ns[i] (nanoseconds, CLOCK_MONOTONIC);
     * the responder passes rtt_ns == NULL. */
    tp_status_t (*pingpong)(void *ep, struct tp_buf *buf, size_t msg_size,
                            uint64_t iters, int initiator, uint64_t *rtt_ns,
                            struct tp_error *err);

    tp_status_t (*link_info)(void *ctx, struct tp_link_info *info, struct tp_error *err);

    /* The endpoint's loss counters now (struct tp_counters), for a delta
     * over a timed phase.  Cheap: a getsockopt per stream or a few sysfs
     * reads. */
    tp_status_t (*counters)(void *ep, struct tp_counters *c, struct tp_error *err);
};

/* Registry: every built backend, in one static array. */
const struct tp_transport_ops *tp_transport_find(const char *name);
/* NULL-terminated list of built backends */
const struct tp_transport_ops *const *tp_transport_list(void);

/* Stubs for slots a backend does not offer: each returns
 * TP_ERR_UNSUPPORTED. */
tp_status_t tp_unsupported_mem_reg(void *ctx, struct tp_buf *buf, struct tp_error *err);
void tp_noop_mem_dereg(void *ctx, struct tp_buf *buf);
tp_status_t tp_unsupported_stream_bidir(void *ep, const struct tp_xfer *tx,
                                        const struct tp_xfer *rx, struct tp_error *err);
tp_status_t tp_unsupported_link_info(void *ctx, struct tp_link_info *info,
                                     struct tp_error *err);
tp_status_t tp_unsupported_counters(void *ep, struct tp_counters *c, struct tp_error *err);

/* Helpers for backends: ring slot of message i, and message count. */
static inline uint64_t tp_xfer_msgs(const struct tp_xfer *x)
{
    return x->msg_size ? (x->bytes + x->msg_size - 1) / x->msg_size : 0;
}

static inline uint64_t tp_xfer_nslots(const struct tp_xfer *x)
{
    uint64_t n = x->msg_size ? x->buf->len / x->msg_size : 1;
    return n ? n : 1;
}

static inline void *tp_xfer_slot(const struct tp_xfer *x, uint64_t i)
{
    return (char *)x->buf->addr + (i % tp_xfer_nslots(x)) * x->msg_size;
}

static inline size_t tp_xfer_len(const struct tp_xfer *x, uint64_t i)
{
    uint64_t off = i * x->msg_size;
    uint64_t left = x->bytes - off;
    return left < x->msg_size ? (size_t)left : x->msg_size;
}

#endif
