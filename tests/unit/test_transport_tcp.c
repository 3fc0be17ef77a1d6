/* test_transport_tcp.c: the TCP transport between two real processes on
 * loopback (transport_harness.h): every byte of 1 B..8 MiB transfers with 1
 * and 4 streams through a ring smaller than the transfer, bidirectional,
 * zerocopy, streams on several threads, staged non-host memory, ping-pong,
 * strangers on the listener,
 * a wrong-secret peer, a peer that dies or stalls, and address choice. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport_harness.h"
#include "transports/tcp_private.h"

#define SECRET 0x5eC12e7f00d5a1e5ULL

static struct tp_config tcp_cfg(int streams)
{
    return th_tcp_config(streams, SECRET);
}

static const struct tp_transport_ops *tcp(void)
{
    return th_transport("tcp");
}

/* ---- buffers: host or fake device memory ---- */

struct ring_case {
    int fake_mem;               /* buffers in th_fake_mem_ops memory */
    int expect_ahead;           /* staged: the next messages were staged while one was
                                 * on the wire, waits through per-chunk events */
    int expect_land;            /* staged receiver: a message's copies in were still
                                 * queued while the next one was received */
    int bidir;
    const size_t *sizes;
    size_t nsizes;
    unsigned slots;             /* ring slots (0: 3) */
    unsigned msgs;              /* whole messages per transfer, then a short one (0: 5) */
    uint64_t sockbuf;           /* every stream's buffers must be this size (0: any) */
};

struct ring_buf {
    struct tp_mem mem;
    struct tp_buf buf;
};

static int ring_alloc(struct ring_buf *rb, const struct ring_case *rc, size_t len)
{
    memset(rb, 0, sizeof(*rb));
    rb->mem.ops = rc->fake_mem ? &th_fake_mem_ops : &tp_mem_host_ops;
    rb->mem.device = -1;
    rb->buf.len = len;
    rb->buf.mem = &rb->mem;
    return rb->mem.ops->alloc(NULL, len, &rb->buf.addr) == TP_OK ? 0 : -1;
}

static void ring_free(struct ring_buf *rb)
{
    rb->mem.ops->free(NULL, rb->buf.addr, rb->buf.len);
}

static struct tp_xfer ring_xfer(struct ring_buf *rb, const struct ring_case *rc, size_t m,
                                struct th_verify *v)
{
    struct tp_xfer x = {
        .buf = &rb->buf, .msg_size = m,
        .bytes = (rc->msgs ? rc->msgs : 5) * (uint64_t)m + m / 2,   /* last message short */
        .offset0 = 3 * (uint64_t)m,         /* a later batch of a longer transfer */
        .fill = rc->fake_mem ? th_fake_fill : th_fill,
        .check = rc->fake_mem ? th_fake_check : th_check,
        .hook_arg = v};
    return x;
}

/* Every stream's send and receive buffers hold `bytes` (--sockbuf): the
 * dialer's sockets and the accepted ones, which inherit the listener's. */
static int stream_buffers_are(const struct tcp_ep *ep, uint64_t bytes)
{
    for (int s = 0; s < ep->nstreams; s++) {
        uint64_t snd = 0, rcv = 0;
        tcp_sock_buffers(ep->st[s].fd, &snd, &rcv);
        if (snd != bytes || rcv != bytes) {
            fprintf(stderr, "stream %d: buffers %llu/%llu bytes, not %llu\n", s,
                    (unsigned long long)snd, (unsigned long long)rcv,
                    (unsigned long long)bytes);
            return 0;
        }
    }
    return 1;
}

/* Each size: rank 1 -> rank 0, then rank 0 -> rank 1 (or both at once). */
#define TCP_STAGE_CHUNK_BYTES (1u << 20)   /* tcp_private.h's bounce chunk */

static int ring_role(struct th_peer *p)
{
    const struct ring_case *rc = p->arg;
    tp_status_t st;

    if ((st = th_open(p)) != TP_OK)
        return 10;
    if (rc->sockbuf != 0 && !stream_buffers_are(p->ep, rc->sockbuf))
        return 18;
    for (size_t i = 0; i < rc->nsizes; i++) {
        size_t m = rc->sizes[i];
        struct ring_buf tx_rb, rx_rb;
        size_t ring = (rc->slots ? rc->slots : 3) * m;
        if (ring_alloc(&tx_rb, rc, ring) != 0 || ring_alloc(&rx_rb, rc, ring) != 0)
            return 11;
        for (int dir = 0; dir < (rc->bidir ? 1 : 2); dir++) {
            struct th_verify vt = {.seed = (uint8_t)(17 * i + p->rank)};
            struct th_verify vr = {.seed = (uint8_t)(17 * i + 1 - p->rank)};
            struct tp_xfer tx = ring_xfer(&tx_rb, rc, m, &vt);
            struct tp_xfer rx = ring_xfer(&rx_rb, rc, m, &vr);
            int sending = (p->rank == 1) == (dir == 0);
            if (rc->bidir)
                st = p->ops->stream_bidir(p->ep, &tx, &rx, NULL);
            else
                st = sending ? p->ops->stream_send(p->ep, &tx, NULL) : p->ops->stream_recv(p->ep, &rx, NULL);
            if (st != TP_OK) {
                fprintf(stderr, "rank %d: size %zu: %s\n", p->rank, m, tp_status_string(st));
                return 12;
            }
            if ((rc->bidir || !sending) && !th_verify_complete(&vr, &rx)) {
                fprintf(stderr, "rank %d: size %zu: received %llu bytes in %llu messages, "
                        "bad=%d at %llu\n", p->rank, m, (unsigned long long)vr.bytes,
                        (unsigned long long)vr.msgs, vr.bad, (unsigned long long)vr.bad_offset);
                return 13;
            }
            if ((rc->bidir || sending) && vt.bytes != tx.bytes)
                return 14;
        }
        ring_free(&tx_rb);
        ring_free(&rx_rb);
    }
    th_close(p);
    /* staged messages of several chunks: the copies of later chunks were
     * queued while earlier ones were on the wire (pipelined), not one at
     * a time */
    const struct th_fake_lanes *l = th_fake_lanes();
    if (rc->fake_mem && rc->sizes[rc->nsizes - 1] >= 2 * TCP_STAGE_CHUNK_BYTES &&
        (l->inflight_max[TP_MEM_TO_HOST] < 2 || l->inflight_max[TP_MEM_FROM_HOST] < 2)) {
        fprintf(stderr, "rank %d: staged copies not pipelined (%llu queued, at most %u out "
                "and %u in at once)\n", p->rank, (unsigned long long)l->queued,
                l->inflight_max[TP_MEM_TO_HOST], l->inflight_max[TP_MEM_FROM_HOST]);
        return 15;
    }
    if (rc->expect_ahead && (l->inflight_max[TP_MEM_TO_HOST] < 2 || l->event_waits == 0)) {
        fprintf(stderr, "rank %d: messages of a chunk or less not staged ahead (at most %u "
                "copies out at once, %llu event waits)\n", p->rank,
                l->inflight_max[TP_MEM_TO_HOST], (unsigned long long)l->event_waits);
        return 16;
    }
    if (rc->expect_land && l->inflight_max[TP_MEM_FROM_HOST] < 2) {
        fprintf(stderr, "rank %d: the next message was not received while one's copies in "
                "ran (at most %u copies in at once)\n", p->rank,
                l->inflight_max[TP_MEM_FROM_HOST]);
        return 17;
    }
    return 0;
}

static const size_t all_sizes[] = {1, 7, 4096, 65536 + 3, 1 << 20, 8 << 20};

static void run_ring(int streams, int zerocopy, const struct ring_case *rc)
{
    struct tp_config cfg = tcp_cfg(streams);
    int child_rc = -1;

    th_tcp_opts(&cfg)->zerocopy = zerocopy;
    int rc0 = th_run_pair(tcp(), &cfg, ring_role, ring_role, (void *)rc, 0, &child_rc);
    cr_assert_eq(rc0, 0, "rank 0 role failed with %d", rc0);
    cr_assert_eq(child_rc, 0, "rank 1 role failed with %d", child_rc);
}

Test(transport_tcp, every_byte_1B_to_8MiB_one_stream, .timeout = 240)
{
    struct ring_case rc = {.sizes = all_sizes, .nsizes = 6};
    run_ring(1, 0, &rc);
}

Test(transport_tcp, every_byte_1B_to_8MiB_four_streams_three_slot_ring, .timeout = 240)
{
    struct ring_case rc = {.sizes = all_sizes, .nsizes = 6};
    run_ring(4, 0, &rc);
}

/* More threads than CPUs, each stream on its own thread, through a ring of
 * three slots: message j waits for the slot of j - 3, carried by another
 * thread's stream, all the time. */
Test(transport_tcp, five_threads_share_a_three_slot_ring, .timeout = 240)
{
    static const size_t sizes[] = {1, 4096, 65536 + 3, 1 << 20};
    struct ring_case rc = {.sizes = sizes, .nsizes = 4};
    struct tp_config cfg = tcp_cfg(5);
    int child_rc = -1;

    th_tcp_opts(&cfg)->threads = 5;
    cr_assert_eq(th_run_pair(tcp(), &cfg, ring_role, ring_role, &rc, 0, &child_rc), 0);
    cr_assert_eq(child_rc, 0);
    rc.bidir = 1;
    th_tcp_opts(&cfg)->threads = 3;
    cr_assert_eq(th_run_pair(tcp(), &cfg, ring_role, ring_role, &rc, 0, &child_rc), 0);
    cr_assert_eq(child_rc, 0);
}

/* --sockbuf: a fixed size on every stream of both ends, smaller than the
 * messages, and every byte still arrives, one way and both ways. */
Test(transport_tcp, sockbuf_fixes_every_streams_buffers, .timeout = 240)
{
    static const size_t sizes[] = {7, 65536 + 3, 1 << 20};
    struct ring_case rc = {.sizes = sizes, .nsizes = 3, .sockbuf = 65536};
    struct tp_config cfg = tcp_cfg(2);
    int child_rc = -1;

    th_tcp_opts(&cfg)->sockbuf = rc.sockbuf;
    cr_assert_eq(th_run_pair(tcp(), &cfg, ring_role, ring_role, &rc, 0, &child_rc), 0);
    cr_assert_eq(child_rc, 0);
    rc.bidir = 1;
    cr_assert_eq(th_run_pair(tcp(), &cfg, ring_role, ring_role, &rc, 0, &child_rc), 0);
    cr_assert_eq(child_rc, 0);
}

/* Without --sockbuf a socket keeps the kernel's default (autotuning on);
 * with it, both buffers are fixed at that size. */
Test(transport_tcp, sockbuf_zero_keeps_the_kernels_buffers)
{
    int plain = socket(AF_INET, SOCK_STREAM, 0), tuned = socket(AF_INET, SOCK_STREAM, 0);
    int fixed = socket(AF_INET, SOCK_STREAM, 0);
    uint64_t snd0, rcv0, snd1, rcv1, snd2, rcv2;

    cr_assert(plain >= 0 && tuned >= 0 && fixed >= 0);
    tcp_sock_tune(tuned, 1.0, 0);
    tcp_sock_tune(fixed, 1.0, 200000);
    tcp_sock_buffers(plain, &snd0, &rcv0);
    tcp_sock_buffers(tuned, &snd1, &rcv1);
    tcp_sock_buffers(fixed, &snd2, &rcv2);
    cr_expect(snd0 > 0 && rcv0 > 0);
    cr_expect_eq(snd1, snd0);
    cr_expect_eq(rcv1, rcv0);
    cr_expect_eq(snd2, 200000);
    cr_expect_eq(rcv2, 200000);
    close(plain);
    close(tuned);
    close(fixed);
}

Test(transport_tcp, bidirectional_both_verify, .timeout = 240)
{
    struct ring_case rc = {.bidir = 1, .sizes = all_sizes, .nsizes = 6};
    run_ring(1, 0, &rc);
    run_ring(3, 0, &rc);
}

Test(transport_tcp, zerocopy_streams_verify, .timeout = 240)
{
    static const size_t sizes[] = {1000, 65536, 1 << 20};
    struct ring_case rc = {.sizes = sizes, .nsizes = 3};
    run_ring(4, 1, &rc);
    rc.bidir = 1;
    run_ring(2, 1, &rc);
}

Test(transport_tcp, non_host_memory_is_staged_through_copies, .timeout = 240)
{
    static const size_t sizes[] = {5, 300000, 3 << 20};
    struct ring_case rc = {.fake_mem = 1, .sizes = sizes, .nsizes = 3};
    run_ring(2, 0, &rc);
    rc.bidir = 1;
    run_ring(1, 0, &rc);
}

/* Messages of one bounce chunk or less: message j+1 is copied out while
 * j is on the wire (the fake kind holds every copy until its chunk's event
 * is waited for, so a chunk sent before its copy, or a message staged
 * into a slot still in use, fails the check). */
Test(transport_tcp, staged_small_messages_are_staged_ahead, .timeout = 240)
{
    static const size_t sizes[] = {5, 4096, 300000, 1 << 20};
    struct ring_case rc = {.fake_mem = 1, .expect_ahead = 1, .sizes = sizes, .nsizes = 4};
    run_ring(1, 0, &rc);
    run_ring(2, 0, &rc);
    rc.bidir = 1;
    run_ring(3, 0, &rc);
}

/* Receiving messages of one bounce chunk or less: message j+1 arrives into
 * the next chunk while j's copy into device memory is still queued, and j
 * completes (is checked) only once that copy is done.  One stream and one
 * direction use blocking receives, so j+1 is always received before j's
 * copy is waited for; the fake kind holds every copy until waited, so a
 * message checked before its copy fails the check. */
Test(transport_tcp, staged_receiver_lands_while_next_arrives, .timeout = 240)
{
    static const size_t sizes[] = {5, 65536, 1 << 20};
    struct ring_case rc = {.fake_mem = 1, .expect_land = 1, .sizes = sizes, .nsizes = 3};
    run_ring(1, 0, &rc);
    rc.expect_land = 0;         /* polling: overlap depends on timing, data must not */
    run_ring(4, 0, &rc);
    rc.bidir = 1;
    run_ring(2, 0, &rc);
    /* a ring of many slots: nothing but the chunks bounds how many
     * messages land at once */
    static const size_t small[] = {5, 4096};
    struct ring_case many = {.fake_mem = 1, .expect_land = 1, .sizes = small, .nsizes = 2,
                             .slots = 64, .msgs = 40};
    run_ring(1, 0, &many);
    many.expect_land = 0;
    run_ring(3, 0, &many);
}

/* ---- latency ---- */

static int ping_role(struct th_peer *p)
{
    static const size_t sizes[] = {1, 64, 1 << 20};
    uint64_t rtt[200];

    if (th_open(p) != TP_OK)
        return 10;
    for (size_t k = 0; k < 3; k++) {
        struct ring_buf rb;
        struct ring_case rc = {.fake_mem = p->arg != NULL};
        uint64_t iters = sizes[k] > 4096 ? 5 : 200;
        if (ring_alloc(&rb, &rc, sizes[k]) != 0)
            return 11;
        memset(rtt, 0, sizeof(rtt));
        if (p->ops->pingpong(p->ep, &rb.buf, sizes[k], iters, p->rank == 0,
                             p->rank == 0 ? rtt : NULL, NULL) != TP_OK)
            return 12;
        for (uint64_t i = 0; p->rank == 0 && i < iters; i++)
            if (rtt[i] == 0)
                return 13;
        ring_free(&rb);
    }
    th_close(p);
    return 0;
}

Test(transport_tcp, pingpong_fills_positive_rtt, .timeout = 120)
{
    struct tp_config cfg = tcp_cfg(2);
    int child_rc = -1;

    cr_assert_eq(th_run_pair(tcp(), &cfg, ping_role, ping_role, NULL, 0, &child_rc), 0);
    cr_assert_eq(child_rc, 0);
    cr_assert_eq(th_run_pair(tcp(), &cfg, ping_role, ping_role, "fake", 0, &child_rc), 0,
                 "staged ping-pong failed");
    cr_assert_eq(child_rc, 0);
}

/* Runs a pair with the log captured: *rc0_p gets rank 0's result,
 * *child_rc_p rank 1's; returns the log (the caller frees it). */
static char *run_pair_logged(const struct tp_config *cfg, th_role_fn role0, th_role_fn role1,
                             void *arg, int kill_child, int *rc0_p, int *child_rc_p)
{
    struct th_capture cap;

    *child_rc_p = -1;
    th_capture_begin(&cap);
    *rc0_p = th_run_pair(tcp(), cfg, role0, role1, arg, kill_child, child_rc_p);
    char *log = th_capture_end(&cap);
    cr_assert_not_null(log);
    return log;
}

/* ---- strangers ---- */

struct stranger_ctl {
    struct sockaddr_in target;
    volatile int stop;
    int rounds;
};

static int stranger_dial(const struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)to, sizeof(*to)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void stranger_hello(int fd, uint64_t secret, uint32_t from, uint32_t to)
{
    struct tcp_hello h = {.kind = TCP_HELLO_DIAL, .from_rank = from, .to_rank = to,
                          .stream = 0, .nstreams = 1, .secret = secret, .nonce = 99};
    unsigned char out[TCP_HELLO_BYTES];

    tcp_hello_pack(&h, out);
    (void)!write(fd, out, sizeof(out));
}

/* Connects bad clients in a loop while the real transfer runs: wrong
 * secret, garbage, a close before any hello, a rank outside the run, and
 * one silent connection left open (dropped at the hello deadline). */
static void *stranger_main(void *arg)
{
    struct stranger_ctl *c = arg;
    int silent = stranger_dial(&c->target);

    while (!c->stop) {
        int fd;
        if ((fd = stranger_dial(&c->target)) >= 0) {
            stranger_hello(fd, SECRET ^ 1, 1, 0);
            close(fd);
        }
        if ((fd = stranger_dial(&c->target)) >= 0) {
            (void)!write(fd, "GET / HTTP/1.0\r\n\r\n................................", 50);
            close(fd);
        }
        if ((fd = stranger_dial(&c->target)) >= 0)
            close(fd);
        if ((fd = stranger_dial(&c->target)) >= 0) {
            stranger_hello(fd, SECRET, 7, 0);
            close(fd);
        }
        c->rounds++;
        usleep(20000);
    }
    sleep(4);   /* past the hello deadline (timeout_s = 3) */
    if (silent >= 0)
        close(silent);
    return NULL;
}

static int stranger_rank0(struct th_peer *p)
{
    static const size_t m = 1 << 20;
    struct stranger_ctl ctl = {0};
    struct ring_case rc = {0};
    struct ring_buf rb;
    pthread_t thread;
    int rcode = 0;

    if (p->ops->init(&p->cfg, &p->ctrl, &p->ctx, NULL) != TP_OK)
        return 10;
    ctl.target = ((struct tcp_ctx *)p->ctx)->acc.bound;
    pthread_create(&thread, NULL, stranger_main, &ctl);
    while (ctl.rounds < 2)
        usleep(10000);      /* strangers are at the door before the peer */
    if (p->ops->connect(p->ctx, 1, &p->ep, NULL) != TP_OK)
        rcode = 11;
    for (int i = 0; i < 8 && rcode == 0; i++) {
        struct th_verify v = {.seed = 3};
        if (ring_alloc(&rb, &rc, 3 * m) != 0)
            return 12;
        struct tp_xfer x = ring_xfer(&rb, &rc, m, &v);
        if (p->ops->stream_recv(p->ep, &x, NULL) != TP_OK || !th_verify_complete(&v, &x))
            rcode = 13;
        ring_free(&rb);
    }
    ctl.stop = 1;
    pthread_join(thread, NULL);
    th_close(p);
    return rcode;
}

static int stranger_rank1(struct th_peer *p)
{
    static const size_t m = 1 << 20;
    struct ring_case rc = {0};
    struct ring_buf rb;

    if (th_open(p) != TP_OK)
        return 10;
    for (int i = 0; i < 8; i++) {
        struct th_verify v = {.seed = 3};
        if (ring_alloc(&rb, &rc, 3 * m) != 0)
            return 12;
        struct tp_xfer x = ring_xfer(&rb, &rc, m, &v);
        if (p->ops->stream_send(p->ep, &x, NULL) != TP_OK)
            return 13;
        ring_free(&rb);
    }
    th_close(p);
    return 0;
}

Test(transport_tcp, strangers_are_dropped_and_logged_while_peer_verifies, .timeout = 120)
{
    struct tp_config cfg = tcp_cfg(4);
    int rc0, child_rc;

    cfg.timeout_s = 3;
    char *log = run_pair_logged(&cfg, stranger_rank0, stranger_rank1, NULL, 0, &rc0, &child_rc);
    cr_assert_eq(rc0, 0, "the real transfer failed (%d)", rc0);
    cr_assert_eq(child_rc, 0, "the real sender failed (%d)", child_rc);
    cr_assert(strstr(log, "dropped connection from 127.0.0.1:") != NULL, "%s", log);
    cr_assert(strstr(log, "wrong secret") != NULL, "no wrong-secret drop logged");
    cr_assert(strstr(log, "not a tierperf hello") != NULL, "no garbage drop logged");
    cr_assert(strstr(log, "closed before completing a hello") != NULL);
    cr_assert(strstr(log, "rank outside this run") != NULL);
    cr_assert(strstr(log, "sent no hello before the deadline") != NULL,
              "silent stranger not dropped");
    free(log);
}

/* A flood of silent connections fills the handshake table; the real
 * peer still gets in (the longest-waiting stranger makes room). */
static int flood_rank0(struct th_peer *p)
{
    int fds[TCP_MAX_PENDING + 8];
    struct ring_case rc = {0};
    struct ring_buf rb;
    int rcode = 0;

    if (p->ops->init(&p->cfg, &p->ctrl, &p->ctx, NULL) != TP_OK)
        return 10;
    struct sockaddr_in to = ((struct tcp_ctx *)p->ctx)->acc.bound;
    for (int i = 0; i < TCP_MAX_PENDING + 8; i++)
        fds[i] = stranger_dial(&to);
    usleep(200000);     /* let the acceptor take them all */
    if (p->ops->connect(p->ctx, 1, &p->ep, NULL) != TP_OK)
        rcode = 11;
    struct th_verify v = {.seed = 9};
    if (rcode == 0 && ring_alloc(&rb, &rc, 1 << 16) == 0) {
        struct tp_xfer x = ring_xfer(&rb, &rc, 1 << 14, &v);
        if (p->ops->stream_recv(p->ep, &x, NULL) != TP_OK || !th_verify_complete(&v, &x))
            rcode = 12;
        ring_free(&rb);
    }
    for (int i = 0; i < TCP_MAX_PENDING + 8; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    th_close(p);
    return rcode;
}

static int flood_rank1(struct th_peer *p)
{
    struct ring_case rc = {0};
    struct ring_buf rb;
    struct th_verify v = {.seed = 9};

    if (th_open(p) != TP_OK || ring_alloc(&rb, &rc, 1 << 16) != 0)
        return 10;
    struct tp_xfer x = ring_xfer(&rb, &rc, 1 << 14, &v);
    if (p->ops->stream_send(p->ep, &x, NULL) != TP_OK)
        return 11;
    ring_free(&rb);
    th_close(p);
    return 0;
}

Test(transport_tcp, silent_flood_does_not_lock_out_the_peer, .timeout = 60)
{
    struct tp_config cfg = tcp_cfg(2);
    int rc0, child_rc;

    char *log = run_pair_logged(&cfg, flood_rank0, flood_rank1, NULL, 0, &rc0, &child_rc);
    cr_assert_eq(rc0, 0, "the real peer was locked out (%d)", rc0);
    cr_assert_eq(child_rc, 0, "the real sender failed (%d)", child_rc);
    cr_assert(strstr(log, "too many connections in their handshake") != NULL, "%s", log);
    free(log);
}

/* ---- a peer with the wrong secret ---- */

static int open_expect_fail(struct th_peer *p)
{
    if (p->rank == 1)
        p->cfg.secret = SECRET ^ 0xff;
    return th_open(p) == TP_OK ? 1 : 0;
}

Test(transport_tcp, wrong_secret_peer_is_refused_on_both_sides, .timeout = 60)
{
    struct tp_config cfg = tcp_cfg(2);
    int rc0, child_rc;

    cfg.timeout_s = 2;
    char *log = run_pair_logged(&cfg, open_expect_fail, open_expect_fail, NULL, 0, &rc0,
                                &child_rc);
    cr_assert_eq(rc0, 0, "listener accepted a peer with the wrong secret");
    cr_assert_eq(child_rc, 0, "dialer with the wrong secret connected");
    cr_assert(strstr(log, "wrong secret") != NULL, "%s", log);
    cr_assert(strstr(log, "rank 1") != NULL, "timeout does not name the peer: %s", log);
    free(log);
}

/* ---- faults: a peer that dies or stalls ---- */

struct fault_case {
    int mode;                   /* 0: rank 1 dies mid-send, 1: rank 1 stalls */
    tp_status_t got;
    double elapsed;
};

static tp_status_t die_after_some(void *arg, void *buf, size_t len, uint64_t offset)
{
    (void)arg;
    memset(buf, 1, len);
    if (offset >= (16u << 20))
        _exit(0);               /* a crash mid-transfer: the kernel closes sockets */
    return TP_OK;
}

static int fault_rank1(struct th_peer *p)
{
    const struct fault_case *fc = p->arg;
    struct ring_case rc = {0};
    struct ring_buf rb;

    if (th_open(p) != TP_OK || ring_alloc(&rb, &rc, 1 << 20) != 0)
        return 10;
    if (fc->mode == 1) {
        th_sync(p);
        pause();                /* connected but silent: killed by rank 0 */
    }
    struct tp_xfer x = {.buf = &rb.buf, .msg_size = 1 << 20, .bytes = 64u << 20,
                        .fill = die_after_some};
    p->ops->stream_send(p->ep, &x, NULL);
    return 20;
}

static int fault_rank0(struct th_peer *p)
{
    struct fault_case *fc = p->arg;
    struct ring_case rc = {0};
    struct ring_buf rb;

    if (th_open(p) != TP_OK || ring_alloc(&rb, &rc, 1 << 20) != 0)
        return 10;
    if (fc->mode == 1)
        th_sync(p);
    struct tp_xfer x = {.buf = &rb.buf, .msg_size = 1 << 20, .bytes = 64u << 20};
    double t0 = tcp_now_s();
    fc->got = p->ops->stream_recv(p->ep, &x, NULL);
    fc->elapsed = tcp_now_s() - t0;
    /* the endpoint is now broken: later calls fail at once */
    if (p->ops->stream_recv(p->ep, &x, NULL) != TP_ERR_PEER)
        return 11;
    th_close(p);
    ring_free(&rb);
    return 0;
}

/* Runs fault_rank0 against fault_rank1 in fc->mode on `streams` streams
 * (on `threads` threads; 0: the default) with --timeout timeout_s; rank 0's
 * role must end cleanly.  Returns the log (the caller frees it). */
static char *run_fault(struct fault_case *fc, int streams, int threads, int timeout_s)
{
    struct tp_config cfg = tcp_cfg(streams);
    int rc0, child_rc;

    cfg.timeout_s = timeout_s;
    if (threads > 0)
        th_tcp_opts(&cfg)->threads = threads;
    char *log = run_pair_logged(&cfg, fault_rank0, fault_rank1, fc, 1, &rc0, &child_rc);
    cr_assert_eq(rc0, 0);
    return log;
}

Test(transport_tcp, peer_dying_mid_transfer_is_a_peer_error, .timeout = 60)
{
    struct fault_case fc = {.mode = 0};
    char *log = run_fault(&fc, 2, 0, 10);

    cr_assert_eq(fc.got, TP_ERR_PEER, "got %s", tp_status_string(fc.got));
    cr_assert_lt(fc.elapsed, 10, "noticed only after %.1f s", fc.elapsed);
    cr_assert(strstr(log, "receiving from rank 1 (127.0.0.1") != NULL, "%s", log);
    free(log);
}

Test(transport_tcp, stalled_peer_times_out_naming_it, .timeout = 60)
{
    struct fault_case fc = {.mode = 1};
    char *log = run_fault(&fc, 1, 0, 1);

    cr_assert_eq(fc.got, TP_ERR_TIMEOUT, "got %s", tp_status_string(fc.got));
    cr_assert_lt(fc.elapsed, 30, "took %.1f s", fc.elapsed);
    cr_assert(strstr(log, "no progress for 1.0 s (--timeout)") != NULL, "%s", log);
    cr_assert(strstr(log, "rank 1 (127.0.0.1") != NULL, "%s", log);
    free(log);
}

/* Streams on three threads, the peer silent: one timeout, said once (the
 * other threads' failures that follow are not errors of their own). */
Test(transport_tcp, stalled_peer_on_threads_times_out_with_one_line, .timeout = 60)
{
    struct fault_case fc = {.mode = 1};
    char *log = run_fault(&fc, 3, 3, 1);

    cr_assert_eq(fc.got, TP_ERR_TIMEOUT, "got %s", tp_status_string(fc.got));
    cr_assert_lt(fc.elapsed, 30, "took %.1f s", fc.elapsed);
    /* the transfer's line, then fault_rank0's second call's */
    const char *first = strstr(log, "tierperf[0]: error: ");
    cr_assert(first != NULL, "%s", log);
    const char *second = strstr(first + 1, "tierperf[0]: error: ");
    cr_assert(second != NULL && strstr(second + 1, "tierperf[0]: error: ") == NULL,
              "not two lines: %s", log);
    const char *why = strstr(first, "no progress for 1.0 s (--timeout)");
    cr_assert(why != NULL && why < second, "%s", log);
    cr_assert(strstr(second, "unusable after an earlier error") != NULL, "%s", log);
    free(log);
}

/* ---- address choice and link facts ---- */

static tp_status_t init_with(const char *bind_if, const char *subnet, void **ctx_p)
{
    struct tp_config cfg = tcp_cfg(1);
    struct tp_ctrl ctrl = {.rank = 0, .size = 2};

    th_tcp_opts(&cfg)->net.bind_if = bind_if;
    th_tcp_opts(&cfg)->net.bind_subnet = subnet;
    return tcp()->init(&cfg, &ctrl, ctx_p, NULL);
}

Test(transport_tcp, subnet_without_local_address_is_a_clear_error)
{
    struct th_capture cap;
    void *ctx = NULL;

    th_capture_begin(&cap);
    tp_status_t st = init_with(NULL, "198.51.100.0/24", &ctx);
    char *log = th_capture_end(&cap);
    cr_assert_eq(st, TP_ERR_NO_DEVICE);
    cr_assert(strstr(log, "--subnet 198.51.100.0/24: no local IPv4 address inside it") != NULL,
              "%s", log);
    cr_assert(strstr(log, "lo=127.0.0.1") != NULL, "does not list what exists: %s", log);
    free(log);
}

Test(transport_tcp, bad_subnet_and_interface_are_named)
{
    static const char *const bad[] = {"198.18.0.0", "198.18.0.0/33", "1.2.3/8", "x/8", "/8"};
    void *ctx = NULL;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct th_capture cap;
        th_capture_begin(&cap);
        tp_status_t st = init_with(NULL, bad[i], &ctx);
        char *log = th_capture_end(&cap);
        cr_assert_eq(st, TP_ERR_INVALID, "'%s' accepted", bad[i]);
        cr_assert(strstr(log, bad[i]) != NULL, "%s", log);
        free(log);
    }
    struct th_capture cap;
    th_capture_begin(&cap);
    tp_status_t st = init_with("nosuchif0", NULL, &ctx);
    char *log = th_capture_end(&cap);
    cr_assert_eq(st, TP_ERR_NO_DEVICE);
    cr_assert(strstr(log, "--if nosuchif0") != NULL, "%s", log);
    free(log);
}

Test(transport_tcp, subnet_and_interface_pick_loopback_and_link_info_says_so)
{
    struct tp_link_info info;
    void *ctx = NULL;

    cr_assert_eq(init_with(NULL, "127.0.0.0/8", &ctx), TP_OK);
    cr_assert_eq(tcp()->link_info(ctx, &info, NULL), TP_OK);
    cr_assert_str_eq(info.address, "127.0.0.1");
    cr_assert_str_eq(info.device, "lo");
    cr_assert_gt(info.mtu, 0);
    cr_assert_eq(info.line_rate_gbit, 0, "loopback has no line rate");
    cr_assert(strstr(info.detail, "--subnet") != NULL, "%s", info.detail);
    /* listening only on the chosen address */
    cr_assert_eq(((struct tcp_ctx *)ctx)->acc.bound.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    cr_assert_neq(((struct tcp_ctx *)ctx)->acc.bound.sin_port, 0);
    tcp()->finalize(ctx);

    cr_assert_eq(init_with("lo", NULL, &ctx), TP_OK);
    cr_assert_eq(tcp()->link_info(ctx, &info, NULL), TP_OK);
    cr_assert_str_eq(info.device, "lo");
    tcp()->finalize(ctx);
}

Test(transport_tcp, ops_table_is_complete)
{
    const struct tp_transport_ops *ops = tcp();

    cr_assert_eq(ops->size, sizeof(struct tp_transport_ops));
    cr_assert(ops->caps & TP_CAP_BIDIR);
    cr_assert(ops->caps & TP_CAP_STAGED_MEM);
    cr_assert_not_null(ops->connect);
    cr_assert_not_null(ops->stream_send);
    cr_assert_not_null(ops->stream_recv);
    cr_assert_not_null(ops->pingpong);
}

/* Errors reported once (transport.h): with an error record the failing op
 * fills it with the one line that names what is wrong, and logs nothing;
 * the caller prints it. */
Test(transport_tcp, failing_ops_fill_the_error_record_and_log_nothing)
{
    struct tp_config cfg = tcp_cfg(1);
    struct tp_ctrl ctrl = {.rank = 0, .size = 2};
    struct tp_error err = {0};
    struct th_capture cap;
    void *ctx = NULL;

    th_capture_begin(&cap);
    th_tcp_opts(&cfg)->net.bind_if = NULL;
    th_tcp_opts(&cfg)->net.bind_subnet = "198.51.100.0/24";
    tp_status_t st = tcp()->init(&cfg, &ctrl, &ctx, &err);
    th_tcp_opts(&cfg)->net.bind_subnet = NULL;
    th_tcp_opts(&cfg)->streams = 1000;
    struct tp_error err2 = {0};
    tp_status_t st2 = tcp()->init(&cfg, &ctrl, &ctx, &err2);
    char *log = th_capture_end(&cap);
    cr_assert_eq(st, TP_ERR_NO_DEVICE);
    cr_assert_eq(err.status, TP_ERR_NO_DEVICE);
    cr_assert(strstr(err.msg, "--subnet 198.51.100.0/24: no local IPv4 address inside it"),
              "%s", err.msg);
    cr_assert_eq(st2, TP_ERR_INVALID);
    cr_assert(strstr(err2.msg, "--streams 1000") && strstr(err2.msg, "64"), "%s", err2.msg);
    cr_assert_null(strchr(err.msg, '\n'), "%s", err.msg);
    cr_assert_eq(log[0], '\0', "logged besides the record: %s", log);
    free(log);
}
