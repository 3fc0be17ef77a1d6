/* tcp_private.h: shared state of the TCP transport (transports/tp_tcp*.c).
 *
 * Shape: each rank opens one listener on its chosen address (port from the
 * ephemeral range) and an acceptor thread that authenticates every incoming
 * connection (hello carrying the per-run secret) and drops strangers.  For
 * a pair, the lower rank listens and the higher rank dials --streams
 * connections.  A transfer's streams are spread over worker threads (one per
 * stream up to the CPUs this rank may use, --stream-threads), each driving
 * its streams with one poll loop; message i travels on stream i % streams
 * and occupies ring slot i % nslots (transport.h). */
#ifndef TIERPERF_TCP_PRIVATE_H
#define TIERPERF_TCP_PRIVATE_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "tp_net_opts.h"
#include "transport.h"

#define TCP_MAX_STREAMS   64
#define TCP_STAGE_CHUNK   (1u << 20)   /* bounce chunk for non-host memory */
#define TCP_STAGE_DEPTH   TP_MEM_LANES /* chunks in flight per stream and direction:
                                        * copies of the next while one is on the wire */
#define TCP_LAND_MAX      (2 * TCP_STAGE_DEPTH) /* rx: messages landing at once (at most
                                        * one per busy chunk, plus one just freed) */
#define TCP_ZC_MIN_BYTES  16384        /* smaller sends are copied anyway */
#define TCP_ZC_FIFO       64           /* messages awaiting zerocopy completion */
#define TCP_SOCKBUF_MAX   (1u << 30)   /* --sockbuf limit: the kernel doubles it into an int */
#define TCP_MAX_PENDING   64           /* connections still in their hello */
#define TCP_HELLO_BYTES   40

/* ---- options (tp_tcp_opts.c) ---- */

/* The TCP transport's own options, parsed from tcp_options. */
struct tcp_opts {
    int streams;                /* parallel connections per pair */
    int threads;                /* threads driving them; 0: automatic */
    int zerocopy;               /* MSG_ZEROCOPY sends */
    uint64_t sockbuf;           /* --sockbuf: fixed socket buffers; 0 = autotuning */
    struct tp_net_opts net;     /* --if, --subnet */
    const char *ifaces;         /* --ifaces LIST|auto (tp_rail.h), or NULL */
};

extern const struct opt_table tcp_options;

/* ---- local address (tp_tcp_addr.c) ---- */

struct tcp_local {
    struct in_addr addr;
    char ifname[64];
    char text[INET_ADDRSTRLEN];
    const char *why;        /* how it was chosen, e.g. "--if eth0" */
};

/* From --if, --subnet, the host name, the first
 * non-loopback interface, or loopback, in that order.  Logs the reason on
 * failure: TP_ERR_INVALID (bad CIDR), TP_ERR_NO_DEVICE (nothing matches). */
tp_status_t tcp_local_choose(const struct tp_net_opts *net, struct tcp_local *out);
/* --ifaces: this rank's interface of the list (or of every up IPv4
 * interface but loopback, inside --subnet if given, for "auto"), then its
 * address as --if would take it.  rail/nrails: its index and the list's
 * length.  Errors name the option and what the host has. */
tp_status_t tcp_local_choose_rail(const struct tp_config *cfg, const struct tcp_opts *opts,
                                  struct tcp_local *out, int *rail, int *nrails);
/* Interface holding addr, or "" when none. */
void tcp_local_ifname(struct in_addr addr, char *name, size_t len);

/* ---- sockets (tp_tcp_sock.c) ---- */

/* TCP_NODELAY, timeouts on blocking calls (0 = none) and, when sockbuf
 * is not 0 (--sockbuf), send and receive buffers of that size (which
 * switches the kernel's autotuning off); before listen/connect, so the
 * window scale fits. */
void tcp_sock_tune(int fd, double timeout_s, uint64_t sockbuf);
/* The socket's send and receive buffer sizes as asked for (half of what
 * SO_SNDBUF/SO_RCVBUF report); 0 when unreadable. */
void tcp_sock_buffers(int fd, uint64_t *snd_p, uint64_t *rcv_p);
/* --sockbuf on fd (the listener): one warning when the kernel gave less
 * than asked (net.core.[rw]mem_max without privilege); debug otherwise. */
void tcp_sock_report(int fd, uint64_t sockbuf);
void tcp_sock_set_timeout(int fd, double timeout_s);
/* Blocking send/recv of exactly len bytes honouring SO_*TIMEO: TP_OK,
 * TP_ERR_TIMEOUT, TP_ERR_PEER (closed or reset) or TP_ERR_IO; *err_p gets
 * errno (0 for an orderly close). */
tp_status_t tcp_send_all(int fd, const void *buf, size_t len, int *err_p);
tp_status_t tcp_recv_all(int fd, void *buf, size_t len, int *err_p);
/* Status for a failed send/recv errno. */
tp_status_t tcp_errno_status(int err);
double tcp_now_s(void);
void tcp_sockaddr_text(const struct sockaddr_in *sa, char *buf, size_t len);

/* ---- hello (tp_tcp_hello.c) ---- */

enum tcp_hello_kind { TCP_HELLO_DIAL = 1, TCP_HELLO_ACCEPT = 2 };

struct tcp_hello {
    uint32_t kind;
    uint32_t from_rank;
    uint32_t to_rank;
    uint32_t stream;
    uint32_t nstreams;
    uint64_t secret;
    uint64_t nonce;         /* names one connect() call of one pair */
};

void tcp_hello_pack(const struct tcp_hello *h, unsigned char out[TCP_HELLO_BYTES]);
/* 0 when the bytes are a well-formed hello of the expected kind, else -1;
 * *why_p names what is wrong. */
int tcp_hello_unpack(const unsigned char in[TCP_HELLO_BYTES],
                     enum tcp_hello_kind kind, struct tcp_hello *h,
                     const char **why_p);

/* ---- acceptor (tp_tcp_accept.c) ---- */

struct tcp_ready {
    int fd;
    int rank;
    int stream;
    uint64_t nonce;
};

/* Dropped strangers, logged rate-limited (tp_tcp_droplog.c). */
#define TCP_DROPLOG_WINDOW_S 10.0
#define TCP_DROPLOG_SOURCES 8
#define TCP_DROPLOG_REASONS 12   /* every reason the acceptor gives has a slot */
struct tcp_droplog_src {
    uint32_t addr;              /* IPv4, network order */
    unsigned long more;         /* drops after the logged one, this window */
    const char *why[TCP_DROPLOG_REASONS];     /* distinct reasons (string literals) */
    unsigned long nwhy[TCP_DROPLOG_REASONS + 1];   /* their counts; [last]: other reasons */
};
struct tcp_droplog {
    double window_start;        /* 0: nothing dropped yet */
    struct tcp_droplog_src src[TCP_DROPLOG_SOURCES];
    int nsrc;
    unsigned long others;       /* drops from addresses beyond src[] */
};
void tcp_droplog_note(struct tcp_droplog *l, const struct sockaddr_in *from, const char *me,
                      const char *why);
void tcp_droplog_flush(struct tcp_droplog *l, const char *me);   /* the window's summaries */

struct tcp_acceptor {
    int listen_fd;
    int wake_fd;            /* eventfd: stop the thread */
    pthread_t thread;
    int started;
    struct sockaddr_in bound;
    /* what a valid hello must carry */
    uint64_t secret;
    int my_rank;
    int nranks;
    double hello_timeout_s;
    /* authenticated connections waiting for connect(); under lock */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct tcp_ready *ready;
    size_t nready;
    size_t cap;
    unsigned long dropped;
    struct tcp_droplog droplog;   /* acceptor thread only (then stop) */
};

/* The listener on local (buffers of sockbuf bytes, 0 = autotuned: its
 * accepted sockets inherit them) and its acceptor thread. */
tp_status_t tcp_acceptor_start(struct tcp_acceptor *acc,
                               const struct tcp_local *local,
                               const struct tp_config *cfg,
                               const struct tp_ctrl *ctrl, uint64_t sockbuf);
void tcp_acceptor_stop(struct tcp_acceptor *acc);
/* Waits until the acceptor holds n streams from rank with nonce and moves
 * them into fds[stream]; TP_ERR_TIMEOUT after timeout_s (<= 0: none). */
tp_status_t tcp_acceptor_take(struct tcp_acceptor *acc, int rank,
                              uint64_t nonce, int n, int *fds,
                              double timeout_s);

/* ---- context and endpoint (tp_tcp.c) ---- */

struct tcp_ctx {
    struct tp_config cfg;
    struct tcp_opts opts;
    struct tp_ctrl ctrl;
    int streams;
    struct tcp_local local;
    int rail, nrails;           /* --ifaces: this rank's rail (nrails 0: none) */
    struct tcp_acceptor acc;
};

struct tcp_stream {
    int fd;
    uint32_t zc_next;       /* id of the next MSG_ZEROCOPY send */
    uint32_t zc_done;       /* ids below this have completed */
    uint32_t zc_early[16][2]; /* completed ranges above a gap (rare) */
    unsigned zc_nearly;
    void *stage_tx;         /* TCP_STAGE_DEPTH bounce chunks each, for */
    void *stage_rx;         /* non-host memory (page-locked when the kind can) */
    /* the kind that allocated them (NULL: malloc), by value: the caller's
     * struct tp_mem may be gone by the time the endpoint is freed */
    const struct tp_mem_ops *stage_ops;
    void *stage_ctx;
    int stage_pinned[2];    /* tx, rx: from stage_ops' alloc_staging */
    /* tx, rx: one completion event per bounce chunk (when the kind has
     * events), so a chunk waits for its own copy, not for a lane shared
     * with every other stream and direction */
    void *stage_ev[2][TCP_STAGE_DEPTH];
    int stage_events;
};

struct tcp_job;

struct tcp_ep {
    struct tcp_ctx *ctx;
    int peer;
    char peer_name[96];     /* "rank 1 (198.18.0.2:40321)" */
    int nstreams;
    struct tcp_stream *st;
    int zerocopy;           /* SO_ZEROCOPY accepted on every stream */
    int broken;             /* an earlier error left the streams unusable
                               (atomic: workers of a transfer set it) */
    pthread_t fail_thread;  /* the thread that set broken (the first error) */
    struct tcp_dir *dirs;   /* 2 * nstreams, scratch for one transfer */
    struct tcp_job *job;    /* the threaded transfer in progress, or NULL */
    /* threads for its transfers, planned at the first (tp_tcp_threads.c):
     * how many (0: not planned yet) and worker k's CPU (-1: not pinned) */
    int nthreads;
    int thread_cpu[TCP_MAX_STREAMS];
};

/* ---- dialing (tp_tcp_dial.c) ---- */

/* Dials stream `stream` of a connection to peer at `to`, sends the hello
 * and waits for the listener's answer.  Logs failures naming the peer. */
tp_status_t tcp_dial(struct tcp_ep *ep, const struct sockaddr_in *to,
                     int stream, uint64_t nonce, int *fd_p);

/* ---- transfers (tp_tcp_xfer.c, tp_tcp_io.c, tp_tcp_zc.c) ---- */

#define TCP_IDLE UINT64_MAX

/* One direction of one stream during a transfer. */
struct tcp_dir {
    uint64_t msg;           /* message in progress, or TCP_IDLE */
    uint64_t next;          /* the stream's next message to start */
    size_t len;
    size_t done;            /* bytes of it on the wire / arrived */
    uint64_t completed;     /* messages of this stream finished (atomic:
                               other workers read it for their slots) */
    size_t staged;          /* bytes whose copy through a bounce chunk is queued */
    size_t stage_len;       /* rx: bytes in the chunk being received */
    size_t stage_pos;       /* tx: bytes of the head chunk sent */
    unsigned sq_head;       /* tx: oldest chunk (being sent) */
    unsigned sq_count;      /* tx: chunks copied or being copied, not yet sent */
    int head_ready;         /* tx: the head chunk's copy has been waited for */
    size_t sq_len[TCP_STAGE_DEPTH];
    /* tx: the stream's next messages are staged into free chunks while
     * this one is on the wire (messages of one chunk or less too) */
    uint64_t ahead_msg;     /* message being staged ahead, or TCP_IDLE */
    size_t ahead_staged;    /* bytes of it queued */
    uint64_t ahead_filled;  /* messages below this were filled ahead */
    unsigned rq_cur;        /* rx: chunk being received into (a ring across messages) */
    unsigned rq_busy;       /* rx: bit k: chunk k's copy out is queued */
    unsigned rq_mask;       /* rx: busy chunks holding the current message */
    /* rx: messages wholly arrived whose copies out are still queued (bits
     * of land_mask), oldest first; each completes once its bits clear, so
     * the stream receives its next message meanwhile */
    uint64_t land_msg[TCP_LAND_MAX];
    unsigned land_mask[TCP_LAND_MAX];
    unsigned land_head;
    unsigned land_count;
    int blocked;            /* would block: wait for poll */
    uint32_t zc_end[TCP_ZC_FIFO]; /* sent messages awaiting completion */
    unsigned zc_head;
    unsigned zc_count;
};

/* One direction of a transfer as one worker sees it. */
struct tcp_side {
    const struct tp_xfer *x;
    int tx;
    int staged;             /* non-host memory: through the bounce */
    uint64_t nmsgs;         /* of the whole transfer */
    uint64_t todo;          /* messages on this worker's streams */
    uint64_t finished;      /* of those */
    struct tcp_dir *dir;    /* nstreams (all of the endpoint's) */
};

/* One thread's share of a transfer: streams first, first + step, ... */
struct tcp_worker {
    struct tcp_ep *ep;
    struct tcp_job *job;    /* NULL: the caller's thread drives every stream */
    int first, step;
    struct tcp_side tx, rx;
    int flags;              /* MSG_DONTWAIT, or 0 for blocking calls */
    int wake_fd;            /* eventfd: a slot freed or the transfer failed */
    int sleeping;           /* atomic: waiting on wake_fd */
    uint64_t seen;          /* the job's progress count when last looked */
    int cpu;                /* pinned to it, or -1 */
    pthread_t thread;
    int started;
    tp_status_t st;
    struct tp_error err;    /* its first error line */
};

/* A transfer spread over threads (tp_tcp_threads.c). */
struct tcp_job {
    struct tcp_worker *w;
    int n;
    double deadline_at;     /* the caller's tp_deadline, for every worker */
    pthread_mutex_t hook_lock;   /* fill/check hooks run one at a time */
    uint64_t progress;      /* atomic: passes that moved something, all workers */
};

/* Message j's ring slot is no longer used by j - nslots. */
int tcp_slot_free(const struct tcp_side *sd, uint64_t j, int nstreams);
/* Sender: the bytes of message j already staged ahead (0 if none), as j
 * becomes the stream's current message. */
size_t tcp_ahead_take(struct tcp_dir *d, uint64_t j);

/* Runs tx and/or rx (either may be NULL) to completion with the end
 * acknowledgement; breaks the endpoint on failure.  err: the op's record
 * (tp_fail_begin'd by the caller), for the worker threads' first error. */
tp_status_t tcp_xfer_run(struct tcp_ep *ep, const struct tp_xfer *tx,
                         const struct tp_xfer *rx, struct tp_error *err);
/* The worker's count of messages (from first and step) and its send/recv
 * flags. */
void tcp_worker_share(struct tcp_worker *w);
/* One worker's loop over its streams until they are all done. */
tp_status_t tcp_worker_run(struct tcp_worker *w);
/* A fill or check hook, one at a time when threads share the transfer. */
tp_status_t tcp_hook_call(struct tcp_ep *ep, tp_chunk_fn fn, void *arg, void *buf, size_t len,
                          uint64_t offset);

/* ---- threads (tp_tcp_threads.c) ---- */

/* How many threads should drive this transfer (1: the caller alone). */
int tcp_threads_wanted(struct tcp_ep *ep, int staged);
/* Spreads the transfer over n threads (the caller is worker 0), runs it,
 * and reports the first error into the op's record err. */
tp_status_t tcp_threads_run(struct tcp_ep *ep, struct tcp_worker *proto, int n,
                            struct tp_error *err);
/* Wake the workers of ep's transfer: every one (all) or the sleeping ones
 * but `self` (a slot may be free). */
void tcp_threads_wake(struct tcp_ep *ep, const struct tcp_worker *self, int all);
/* One send/recv attempt for dir on stream s; *moved_p gets bytes moved.
 * flags: MSG_DONTWAIT or 0. */
tp_status_t tcp_io_send(struct tcp_ep *ep, struct tcp_side *sd, int s,
                        int flags, size_t *moved_p);
tp_status_t tcp_io_recv(struct tcp_ep *ep, struct tcp_side *sd, int s,
                        int flags, size_t *moved_p);
/* Receiver of staged memory: *msg_p gets stream s's oldest message that
 * has arrived and whose copies into the kind's memory are done (with wait,
 * waiting for them), else TCP_IDLE.  Messages come out in stream order. */
tp_status_t tcp_rx_landed(struct tcp_ep *ep, struct tcp_side *sd, int s, int wait,
                          uint64_t *msg_p);
/* Zerocopy: enable on a socket (0 on success); collect completions. */
int tcp_zc_enable(int fd);
tp_status_t tcp_zc_reap(struct tcp_ep *ep, int s, int *progress_p);
/* Memory of a buffer: NULL-safe host test and staging checks. */
int tcp_buf_is_host(const struct tp_buf *buf);
tp_status_t tcp_stage_ready(struct tcp_ep *ep, const struct tp_buf *buf);
void tcp_stage_free(struct tcp_stream *st);

/* Logs "tcp: <what> <peer_name>: <reason>" and marks the endpoint broken
 * (its sockets shut down so the peer fails fast instead of waiting). */
tp_status_t tcp_ep_fail(struct tcp_ep *ep, tp_status_t st, const char *what,
                        int err);

/* ---- latency and link (tp_tcp_ping.c, tp_tcp_link.c) ---- */

tp_status_t tcp_pingpong(void *ep, struct tp_buf *buf, size_t msg_size,
                         uint64_t iters, int initiator, uint64_t *rtt_ns);
tp_status_t tcp_link_info(void *ctx, struct tp_link_info *info);
/* TCP_INFO of every stream summed (tp_tcp_info.c); the ops slot. */
tp_status_t tcp_counters_op(void *ep, struct tp_counters *c, struct tp_error *err);

#endif
