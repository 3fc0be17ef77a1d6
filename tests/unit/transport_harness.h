/* transport_harness.h: drive any transport (struct tp_transport_ops)
 * between two processes without MPI, for unit tests.
 *
 * th_run_pair() forks: the child is rank 1, this process rank 0; a
 * socketpair carries the control-plane exchange (struct tp_ctrl).  Each
 * side runs a role function; the child's result comes back as its exit
 * status, and a watchdog (alarm) kills a child that hangs.  Also here: a
 * byte pattern with fill/check hooks that checks every byte by its offset
 * in the transfer, a capture of stderr for asserting on log lines, and a
 * fake non-host memory kind whose addresses fault if dereferenced (so a
 * transport that stages memory must use the copy ops).
 *
 * Header-only (static inline functions, so a test may use only some of
 * them) so each test file is self-contained. */
#ifndef TIERPERF_TRANSPORT_HARNESS_H
#define TIERPERF_TRANSPORT_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "transports/tcp_private.h"
#include "transports/transport.h"

#define TH_CTRL_TIMEOUT_MS 60000
#define TH_CHILD_ALARM_S   120

/* ---- one side of a pair ---- */

struct th_peer {
    int rank;
    int ctrl_fd;                /* this side's end of the control socketpair */
    struct tp_ctrl ctrl;
    const struct tp_transport_ops *ops;
    struct tp_config cfg;       /* a copy each side may change before init */
    void *ctx;
    void *ep;
    void *arg;                  /* the test's own data */
};

typedef int (*th_role_fn)(struct th_peer *p);

static inline int th_io_all(int fd, void *buf, size_t len, int writing)
{
    char *c = buf;

    while (len > 0) {
        struct pollfd pfd = {.fd = fd, .events = writing ? POLLOUT : POLLIN};
        if (poll(&pfd, 1, TH_CTRL_TIMEOUT_MS) != 1)
            return -1;
        ssize_t n = writing ? write(fd, c, len) : read(fd, c, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

/* tp_ctrl.exchange over the socketpair: write ours, read theirs. */
static inline tp_status_t th_exchange(void *arg, int peer, const void *out, void *in,
                               size_t len)
{
    const struct th_peer *p = arg;

    (void)peer;
    if (th_io_all(p->ctrl_fd, (void *)out, len, 1) != 0 ||
        th_io_all(p->ctrl_fd, in, len, 0) != 0)
        return TP_ERR_PEER;
    return TP_OK;
}

/* A barrier between the two sides (over the control socket). */
static inline tp_status_t th_sync(struct th_peer *p)
{
    char out = 's', in = 0;

    return p->ctrl.exchange(p->ctrl.arg, 1 - p->rank, &out, &in, 1);
}

/* init + connect; on failure returns the status (both sides should fail). */
static inline tp_status_t th_open(struct th_peer *p)
{
    tp_status_t st = p->ops->init(&p->cfg, &p->ctrl, &p->ctx, NULL);

    if (st != TP_OK)
        return st;
    st = p->ops->connect(p->ctx, 1 - p->rank, &p->ep, NULL);
    if (st != TP_OK) {
        p->ops->finalize(p->ctx);
        p->ctx = NULL;
    }
    return st;
}

static inline void th_close(struct th_peer *p)
{
    if (p->ep != NULL)
        p->ops->disconnect(p->ctx, p->ep);
    if (p->ctx != NULL)
        p->ops->finalize(p->ctx);
    p->ep = NULL;
    p->ctx = NULL;
}

static inline void th_peer_setup(struct th_peer *p, int rank, int fd,
                          const struct tp_transport_ops *ops,
                          const struct tp_config *cfg, void *arg)
{
    memset(p, 0, sizeof(*p));
    p->rank = rank;
    p->ctrl_fd = fd;
    p->ops = ops;
    p->cfg = *cfg;
    p->arg = arg;
    p->ctrl.rank = rank;
    p->ctrl.size = 2;
    p->ctrl.exchange = th_exchange;
    p->ctrl.arg = p;
}

/* Runs role1 as rank 1 in a child process and role0 as rank 0 here.
 * Returns role0's result; *child_rc_p gets role1's (exit status, or 128 +
 * signal).  The child is killed if still alive after role0 returns and
 * kill_child is set (for tests where rank 1 plays a stalled peer). */
static inline int th_run_pair(const struct tp_transport_ops *ops, const struct tp_config *cfg,
                       th_role_fn role0, th_role_fn role1, void *arg,
                       int kill_child, int *child_rc_p)
{
    int sv[2], status = 0, rc0;
    struct th_peer p;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(sv[0]);
        alarm(TH_CHILD_ALARM_S);
        tp_log_set_rank(1);
        th_peer_setup(&p, 1, sv[1], ops, cfg, arg);
        int rc = role1(&p);
        fflush(NULL);
        _exit(rc);
    }
    close(sv[1]);
    tp_log_set_rank(0);
    th_peer_setup(&p, 0, sv[0], ops, cfg, arg);
    rc0 = role0(&p);
    close(sv[0]);
    if (kill_child)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *child_rc_p = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return rc0;
}

/* ---- every byte checked by its offset ---- */

struct th_verify {
    uint8_t seed;
    uint64_t bytes;             /* bytes seen by the hook */
    uint64_t msgs;
    uint64_t offset_sum;        /* sum of message offsets: each seen once */
    uint64_t bad_offset;        /* first wrong byte, valid when bad */
    int bad;
};

static inline uint8_t th_pattern(uint64_t off, uint8_t seed)
{
    return (uint8_t)(off ^ (off >> 9) ^ (off >> 18) ^ (off >> 27) ^ seed);
}

static inline tp_status_t th_fill(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct th_verify *v = arg;
    uint8_t *b = buf;

    for (size_t i = 0; i < len; i++)
        b[i] = th_pattern(offset + i, v->seed);
    v->bytes += len;
    v->msgs++;
    v->offset_sum += offset;
    return TP_OK;
}

static inline tp_status_t th_check(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct th_verify *v = arg;
    const uint8_t *b = buf;

    for (size_t i = 0; i < len; i++)
        if (b[i] != th_pattern(offset + i, v->seed)) {
            if (!v->bad)
                v->bad_offset = offset + i;
            v->bad = 1;
            return TP_ERR_VERIFY;
        }
    v->bytes += len;
    v->msgs++;
    v->offset_sum += offset;
    return TP_OK;
}

/* What th_verify must hold after a whole transfer of x. */
static inline int th_verify_complete(const struct th_verify *v, const struct tp_xfer *x)
{
    uint64_t n = tp_xfer_msgs(x), sum = 0;

    for (uint64_t j = 0; j < n; j++)
        sum += x->offset0 + j * x->msg_size;
    return !v->bad && v->bytes == x->bytes && v->msgs == n && v->offset_sum == sum;
}

/* ---- stderr capture ---- */

struct th_capture {
    int saved_fd;
    char path[64];
};

static inline void th_capture_begin(struct th_capture *c)
{
    fflush(stderr);
    snprintf(c->path, sizeof(c->path), "/tmp/th-stderr-XXXXXX");
    int fd = mkstemp(c->path);
    c->saved_fd = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

/* Restores stderr, echoes what was captured, returns it (free it). */
static inline char *th_capture_end(struct th_capture *c)
{
    char *text = NULL;
    long len;
    FILE *f;

    fflush(stderr);
    dup2(c->saved_fd, STDERR_FILENO);
    close(c->saved_fd);
    f = fopen(c->path, "r");
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)len + 1)) != NULL &&
        fread(text, 1, (size_t)len, f) != (size_t)len)
        text[0] = '\0';
    if (f != NULL)
        fclose(f);
    unlink(c->path);
    if (text != NULL)
        fputs(text, stderr);
    return text;
}

/* ---- TCP on loopback: what the TCP-driven tests share ---- */

/* The TCP transport's own options of the config th_tcp_config made last
 * (one per test process: tests change them through th_tcp_opts()). */
static struct tcp_opts th_tcp_opts_store;

static inline struct tcp_opts *th_tcp_opts(const struct tp_config *cfg)
{
    return (struct tcp_opts *)(uintptr_t)cfg->opts;
}

/* `streams` connections bound to lo. */
static inline struct tp_config th_tcp_config(int streams, uint64_t secret)
{
    struct tp_config cfg = {0};

    memset(&th_tcp_opts_store, 0, sizeof(th_tcp_opts_store));
    th_tcp_opts_store.streams = streams;
    th_tcp_opts_store.net.bind_if = "lo";
    cfg.timeout_s = 20;
    cfg.secret = secret;
    cfg.opts = &th_tcp_opts_store;
    return cfg;
}

/* The ops table of a transport this build must have. */
static inline const struct tp_transport_ops *th_transport(const char *name)
{
    const struct tp_transport_ops *ops = tp_transport_find(name);

    if (ops == NULL) {
        fprintf(stderr, "transport %s is not built in\n", name);
        abort();
    }
    return ops;
}

/* ---- a fake device memory kind: addresses fault unless copied ---- */

#define TH_FAKE_DELTA ((uintptr_t)1 << 62)   /* non-canonical on x86-64 */

static inline void *th_fake_real(const void *dev) { return (void *)((uintptr_t)dev - TH_FAKE_DELTA); }

static inline tp_status_t th_fake_init(int device, void **ctx_p, char *why, size_t whylen)
{
    (void)device;
    (void)why;
    (void)whylen;
    *ctx_p = NULL;
    return TP_OK;
}

static inline void th_fake_finalize(void *ctx) { (void)ctx; }

static inline tp_status_t th_fake_alloc(void *ctx, size_t len, void **buf_p)
{
    void *p = calloc(1, len ? len : 1);

    (void)ctx;
    if (p == NULL)
        return TP_ERR_NO_MEMORY;
    *buf_p = (void *)((uintptr_t)p + TH_FAKE_DELTA);
    return TP_OK;
}

static inline void th_fake_free(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    (void)len;
    free(th_fake_real(buf));
}

static inline tp_status_t th_fake_to_host(void *ctx, void *host_dst, const void *src, size_t len)
{
    (void)ctx;
    memcpy(host_dst, th_fake_real(src), len);
    return TP_OK;
}

static inline tp_status_t th_fake_from_host(void *ctx, void *dst, const void *host_src, size_t len)
{
    (void)ctx;
    memcpy(th_fake_real(dst), host_src, len);
    return TP_OK;
}

/* Staging memory is plain host memory.  Asynchronous copies are held back
 * until copy_wait on their lane (the latest a real device may finish
 * them), so a transport that reads a bounce chunk, or reports a message
 * complete, before waiting for its copy sees stale bytes and fails the
 * check. */
#define TH_FAKE_PENDING 1024

struct th_fake_copy {
    void *dst;
    const void *src;
    size_t len;
    enum tp_mem_dir dir;
};

struct th_fake_lanes {
    struct th_fake_copy q[TP_MEM_LANES][TH_FAKE_PENDING];
    unsigned n[TP_MEM_LANES];
    uint64_t flushed[TP_MEM_LANES];  /* copies done per lane, ever (events) */
    uint64_t queued;                 /* copies seen */
    unsigned inflight_max[3];        /* most copies held at once, all lanes,
                                      * per direction (TP_MEM_TO_HOST, FROM) */
    uint64_t event_waits;            /* waits through events, not lanes */
};

static inline struct th_fake_lanes *th_fake_lanes(void)
{
    static struct th_fake_lanes lanes;
    return &lanes;
}

static inline tp_status_t th_fake_alloc_staging(void *ctx, size_t len, void **host_p)
{
    (void)ctx;
    *host_p = calloc(1, len ? len : 1);
    return *host_p != NULL ? TP_OK : TP_ERR_NO_MEMORY;
}

static inline void th_fake_free_staging(void *ctx, void *host, size_t len)
{
    (void)ctx;
    (void)len;
    free(host);
}

static inline tp_status_t th_fake_copy_async(void *ctx, void *dst, const void *src, size_t len,
                                             enum tp_mem_dir dir, unsigned lane)
{
    struct th_fake_lanes *l = th_fake_lanes();

    (void)ctx;
    if (lane >= TP_MEM_LANES || l->n[lane] == TH_FAKE_PENDING)
        return TP_ERR_INVALID;
    l->q[lane][l->n[lane]++] = (struct th_fake_copy){
        .dst = dir == TP_MEM_FROM_HOST ? th_fake_real(dst) : dst,
        .src = dir == TP_MEM_TO_HOST ? th_fake_real(src) : src, .len = len, .dir = dir};
    l->queued++;
    unsigned held = 0;
    for (unsigned k = 0; k < TP_MEM_LANES; k++)
        for (unsigned i = 0; i < l->n[k]; i++)
            held += l->q[k][i].dir == dir;
    if (held > l->inflight_max[dir])
        l->inflight_max[dir] = held;
    return TP_OK;
}

/* Do the oldest k copies held on a lane. */
static inline void th_fake_flush(struct th_fake_lanes *l, unsigned lane, unsigned k)
{
    for (unsigned i = 0; i < k; i++)
        memcpy(l->q[lane][i].dst, l->q[lane][i].src, l->q[lane][i].len);
    memmove(l->q[lane], l->q[lane] + k, (l->n[lane] - k) * sizeof(l->q[lane][0]));
    l->n[lane] -= k;
    l->flushed[lane] += k;
}

static inline tp_status_t th_fake_copy_wait(void *ctx, unsigned lane)
{
    struct th_fake_lanes *l = th_fake_lanes();

    (void)ctx;
    if (lane >= TP_MEM_LANES)
        return TP_ERR_INVALID;
    th_fake_flush(l, lane, l->n[lane]);
    return TP_OK;
}

/* An event is a ticket: the copies queued on its lane when recorded; a
 * wait does those and no more (later copies stay held). */
struct th_fake_event {
    unsigned lane;
    uint64_t ticket;
};

static inline tp_status_t th_fake_event_create(void *ctx, void **ev_p)
{
    (void)ctx;
    *ev_p = calloc(1, sizeof(struct th_fake_event));
    return *ev_p != NULL ? TP_OK : TP_ERR_NO_MEMORY;
}

static inline void th_fake_event_destroy(void *ctx, void *ev)
{
    (void)ctx;
    free(ev);
}

static inline tp_status_t th_fake_event_record(void *ctx, void *ev, unsigned lane)
{
    struct th_fake_lanes *l = th_fake_lanes();
    struct th_fake_event *e = ev;

    (void)ctx;
    if (lane >= TP_MEM_LANES)
        return TP_ERR_INVALID;
    e->lane = lane;
    e->ticket = l->flushed[lane] + l->n[lane];
    return TP_OK;
}

static inline tp_status_t th_fake_event_wait(void *ctx, void *ev)
{
    struct th_fake_lanes *l = th_fake_lanes();
    const struct th_fake_event *e = ev;

    (void)ctx;
    l->event_waits++;
    if (e->ticket > l->flushed[e->lane])
        th_fake_flush(l, e->lane, (unsigned)(e->ticket - l->flushed[e->lane]));
    return TP_OK;
}

static const struct tp_mem_ops th_fake_mem_ops = {
    .size = sizeof(struct tp_mem_ops),
    .name = "fake-device",
    .is_host = 0,
    .init = th_fake_init,
    .finalize = th_fake_finalize,
    .alloc = th_fake_alloc,
    .free = th_fake_free,
    .copy_to_host = th_fake_to_host,
    .copy_from_host = th_fake_from_host,
    .alloc_staging = th_fake_alloc_staging,
    .free_staging = th_fake_free_staging,
    .copy_async = th_fake_copy_async,
    .copy_wait = th_fake_copy_wait,
    .event_create = th_fake_event_create,
    .event_destroy = th_fake_event_destroy,
    .event_record = th_fake_event_record,
    .event_wait = th_fake_event_wait,
};

/* Hooks for fake device memory: translate, then the host pattern. */
static inline tp_status_t th_fake_fill(void *arg, void *buf, size_t len, uint64_t offset)
{
    return th_fill(arg, th_fake_real(buf), len, offset);
}

static inline tp_status_t th_fake_check(void *arg, void *buf, size_t len, uint64_t offset)
{
    return th_check(arg, th_fake_real(buf), len, offset);
}

#endif
