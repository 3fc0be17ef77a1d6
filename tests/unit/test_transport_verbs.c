/* test_transport_verbs.c: the ibverbs transport.  Everywhere: option and
 * no-device errors are one clean line.  Where an RDMA device exists (the
 * soft-RoCE guest of tests/e2e/test_verbs_guest.sh): two forked ranks,
 * joined by a socketpair as control plane, stream verified data over
 * RDMA WRITE, READ and SEND (ring wrap, small windows, several QPs,
 * short last message, inline sizes, bidirectional), run ping-pongs, see
 * a receiver's verification failure reach the sender, and see a dead
 * peer end in an error instead of a hang.
 *
 * TIERPERF_REQUIRE_RDMA=1 turns "no device, skipped" into a failure (the
 * guest run sets it, so the device tests cannot silently skip there). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <infiniband/verbs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/cli/run_opts.h"
#include "transports/transport.h"
#include "transports/verbs_private.h"
#include "transport_harness.h"

/* ---- helpers ---- */

static int have_rdma_device(void)
{
    int n = 0;
    struct ibv_device **l = ibv_get_device_list(&n);
    if (l != NULL)
        ibv_free_device_list(l);
    return n > 0;
}

static void need_device(void)
{
    if (have_rdma_device())
        return;
    if (getenv("TIERPERF_REQUIRE_RDMA") != NULL)
        cr_assert_fail("TIERPERF_REQUIRE_RDMA is set but there is no RDMA device");
    cr_skip_test("no RDMA device here (tests/e2e/test_verbs_guest.sh runs this in a guest)");
}

static const struct tp_transport_ops *verbs(void)
{
    const struct tp_transport_ops *ops = tp_transport_find("verbs");
    cr_assert_not_null(ops, "verbs transport not built in");
    return ops;
}

/* The verbs transport's own options of the config base_config made last
 * (one per test process: tests change them through VOPTS(cfg)). */
static struct verbs_opts verbs_opts_store;
#define VOPTS(cfg) ((struct verbs_opts *)(uintptr_t)(cfg).opts)

static struct tp_config base_config(void)
{
    struct tp_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cr_assert_eq(opt_table_defaults(&verbs_options, &verbs_opts_store, NULL), TP_OK);
    cfg.tx_depth = 128;
    cfg.opts = &verbs_opts_store;
    cfg.timeout_s = 10;
    cfg.secret = 0x1234abcd5678ef00ull;
    return cfg;
}

/* Reads what the test wrote to stderr (redirected by criterion). */
static void stderr_text(char *out, size_t len)
{
    FILE *f;
    size_t n;

    fflush(stderr);
    f = cr_get_redirected_stderr();
    n = fread(out, 1, len - 1, f);
    out[n] = '\0';
}

static void assert_one_line(const char *text, const char *needle)
{
    const char *nl = strchr(text, '\n');
    cr_assert(nl != NULL && nl[1] == '\0', "not exactly one line: [%s]", text);
    cr_assert(strstr(text, needle) != NULL, "line lacks '%s': %s", needle, text);
}

static tp_status_t sock_exchange(void *arg, int peer, const void *out, void *in,
                                 size_t len)
{
    int fd = *(int *)arg;
    size_t done = 0;

    (void)peer;
    for (const char *p = out; done < len;) {
        ssize_t w = write(fd, p + done, len - done);
        if (w <= 0)
            return TP_ERR_PEER;
        done += (size_t)w;
    }
    for (done = 0; done < len;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 20000) != 1)
            return TP_ERR_TIMEOUT;
        ssize_t r = read(fd, (char *)in + done, len - done);
        if (r <= 0)
            return TP_ERR_PEER;
        done += (size_t)r;
    }
    return TP_OK;
}

/* ---- one rank of a pair ---- */

struct rank {
    int id;
    int fd;
    const struct tp_transport_ops *ops;
    void *ctx;
    void *ep;
    struct tp_mem mem;
};

typedef tp_status_t (*scenario_fn)(struct rank *r, const void *param);

/* Rings in the harness's fake device memory (addresses the CPU and the NIC
 * cannot touch): ibv_reg_mr fails, so the transport must stage. */
static int use_fake_device_memory;

static tp_status_t rank_run(int id, int fd, const struct tp_config *cfg, scenario_fn fn,
                            const void *param)
{
    struct rank r = {.id = id, .fd = fd, .ops = tp_transport_find("verbs")};
    struct tp_ctrl ctrl = {.rank = id, .size = 2, .exchange = sock_exchange,
                           .arg = &r.fd};
    struct tp_error err = {0};
    tp_status_t st;

    if (tp_mem_open("host", &r.mem, &err) != TP_OK)
        return TP_ERR_INTERNAL;
    if (use_fake_device_memory)
        r.mem.ops = &th_fake_mem_ops;     /* its ctx is never used */
    if ((st = r.ops->init(cfg, &ctrl, &r.ctx, NULL)) != TP_OK)
        return st;
    if ((st = r.ops->connect(r.ctx, 1 - id, &r.ep, NULL)) == TP_OK) {
        st = fn(&r, param);
        r.ops->disconnect(r.ctx, r.ep);
    }
    r.ops->finalize(r.ctx);
    tp_mem_close(&r.mem);
    return st;
}

/* Forks rank 1; runs rank 0 here; returns both statuses.  Each rank may
 * have its own options (cfg0 for rank 0, cfg1 for rank 1). */
static void run_pair_cfgs(const struct tp_config *cfg0, const struct tp_config *cfg1,
                          scenario_fn fn, const void *param, tp_status_t *st0,
                          tp_status_t *st1)
{
    int sv[2], wst = 0;
    pid_t pid;

    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fflush(NULL);
    pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        alarm(120);
        _exit((int)-rank_run(1, sv[1], cfg1, fn, param));
    }
    close(sv[1]);
    *st0 = rank_run(0, sv[0], cfg0, fn, param);
    close(sv[0]);
    cr_assert_eq(waitpid(pid, &wst, 0), pid);
    cr_assert(WIFEXITED(wst), "rank 1 died (signal %d)", WTERMSIG(wst));
    *st1 = (tp_status_t)-WEXITSTATUS(wst);
}

static void run_pair(const struct tp_config *cfg, scenario_fn fn, const void *param,
                     tp_status_t *st0, tp_status_t *st1)
{
    run_pair_cfgs(cfg, cfg, fn, param, st0, st1);
}

/* ---- data pattern ---- */

static uint8_t pattern(uint64_t off, unsigned seed)
{
    return (uint8_t)((off * 131u) ^ (off >> 9) ^ seed);
}

struct hook {
    int fake;                /* buffers are fake device memory: translate */
    unsigned seed;
    uint64_t bytes;          /* checked or filled */
    uint64_t corrupt_at;     /* check fails at this offset; UINT64_MAX: never */
};

static tp_status_t fill(void *arg, void *buf, size_t len, uint64_t off)
{
    struct hook *h = arg;
    uint8_t *p = h->fake ? th_fake_real(buf) : buf;
    for (size_t i = 0; i < len; i++)
        p[i] = pattern(off + i, h->seed);
    h->bytes += len;
    return TP_OK;
}

static tp_status_t check(void *arg, void *buf, size_t len, uint64_t off)
{
    struct hook *h = arg;
    const uint8_t *p = h->fake ? th_fake_real(buf) : buf;
    if (off == h->corrupt_at)
        return TP_ERR_VERIFY;
    for (size_t i = 0; i < len; i++)
        if (p[i] != pattern(off + i, h->seed)) {
            fprintf(stderr, "byte %llu: got 0x%02x want 0x%02x\n",
                    (unsigned long long)(off + i), p[i], pattern(off + i, h->seed));
            return TP_ERR_VERIFY;
        }
    h->bytes += len;
    return TP_OK;
}

/* ---- stream scenario ---- */

struct stream_case {
    size_t msg;
    uint64_t bytes;
    size_t ring;
    int verify;
    int bidir;
    int batches;              /* the transfer split into this many calls */
    uint64_t corrupt_at;
};

static tp_status_t alloc_ring(struct rank *r, struct tp_buf *b, size_t len)
{
    tp_status_t st;

    memset(b, 0, sizeof(*b));
    b->len = len;
    b->mem = &r->mem;
    if ((st = r->mem.ops->alloc(r->mem.ctx, len, &b->addr)) != TP_OK)
        return st;
    return r->ops->mem_reg(r->ctx, b, NULL);
}

static void free_ring(struct rank *r, struct tp_buf *b)
{
    r->ops->mem_dereg(r->ctx, b);
    r->mem.ops->free(r->mem.ctx, b->addr, b->len);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static tp_status_t stream_scenario(struct rank *r, const void *param)
{
    const struct stream_case *c = param;
    struct tp_buf ring_tx, ring_rx;
    struct hook htx = {.fake = use_fake_device_memory, .seed = 0x11 + (unsigned)r->id,
                       .corrupt_at = UINT64_MAX};
    struct hook hrx = {.fake = use_fake_device_memory, .seed = 0x11 + (unsigned)(1 - r->id),
                       .corrupt_at = c->corrupt_at};
    uint64_t per = c->bytes / (uint64_t)c->batches;
    tp_status_t st;

    if ((st = alloc_ring(r, &ring_tx, c->ring)) != TP_OK)
        return st;
    if ((st = alloc_ring(r, &ring_rx, c->ring)) != TP_OK)
        return st;
    for (int b = 0; b < c->batches && st == TP_OK; b++) {
        uint64_t off = per * (uint64_t)b;
        uint64_t len = b + 1 == c->batches ? c->bytes - off : per;
        struct tp_xfer tx = {.buf = &ring_tx, .msg_size = c->msg, .bytes = len,
                             .offset0 = off, .fill = c->verify ? fill : NULL,
                             .hook_arg = &htx};
        struct tp_xfer rx = {.buf = &ring_rx, .msg_size = c->msg, .bytes = len,
                             .offset0 = off, .check = c->verify ? check : NULL,
                             .hook_arg = &hrx};
        uint64_t span = 0, t0 = now_ns();
        /* without checks or staging every op's sender gets the time data
         * moved (READ: the reader's, in its ACK), within the call's wall
         * time */
        int timed = !c->verify && !use_fake_device_memory;
        tx.span_ns = timed ? &span : NULL;
        if (c->bidir)
            st = r->ops->stream_bidir(r->ep, &tx, &rx, NULL);
        else if (r->id == 0) {
            st = r->ops->stream_send(r->ep, &tx, NULL);
            if (st == TP_OK && timed && (span == 0 || span > now_ns() - t0)) {
                fprintf(stderr, "batch %d: span %llu ns out of the call's wall time\n", b,
                        (unsigned long long)span);
                st = TP_ERR_INTERNAL;
            }
        } else
            st = r->ops->stream_recv(r->ep, &rx, NULL);
    }
    if (st == TP_OK && c->verify) {
        if ((c->bidir || r->id == 0) && htx.bytes != c->bytes)
            st = TP_ERR_INTERNAL;
        if ((c->bidir || r->id == 1) && hrx.bytes != c->bytes)
            st = TP_ERR_VERIFY;
    }
    free_ring(r, &ring_tx);
    free_ring(r, &ring_rx);
    return st;
}

static void stream_cases(enum tp_rdma_op op, int use_rdma_cm)
{
    static const struct { int qps, depth; struct stream_case c; } cases[] = {
        {1, 128, {4096, 256 << 10, 64 << 10, 1, 0, 1, UINT64_MAX}},
        {3, 2, {1000, 50001, 3000, 1, 0, 2, UINT64_MAX}},      /* 3 slots, short last */
        {2, 8, {1, 300, 16, 1, 0, 3, UINT64_MAX}},             /* inline, 1-byte */
        {1, 4, {8192, 100000, 8192, 1, 0, 1, UINT64_MAX}},     /* one slot, > MTU */
        {4, 16, {65536, 1 << 20, 256 << 10, 0, 0, 4, UINT64_MAX}}, /* no checks */
        {2, 16, {4096, 128 << 10, 16 << 10, 1, 1, 2, UINT64_MAX}}, /* bidirectional */
        {1, 16, {777, 1, 777, 1, 0, 1, UINT64_MAX}},           /* one byte in all */
    };

    need_device();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tp_config cfg = base_config();
        tp_status_t st0, st1;
        VOPTS(cfg)->rdma_op = op;
        VOPTS(cfg)->use_rdma_cm = use_rdma_cm;
        VOPTS(cfg)->qps = cases[i].qps;
        cfg.tx_depth = cases[i].depth;
        run_pair(&cfg, stream_scenario, &cases[i].c, &st0, &st1);
        cr_expect_eq(st0, TP_OK, "case %zu%s: rank 0: %s", i, use_rdma_cm ? " (rdma_cm)" : "",
                     tp_status_string(st0));
        cr_expect_eq(st1, TP_OK, "case %zu%s: rank 1: %s", i, use_rdma_cm ? " (rdma_cm)" : "",
                     tp_status_string(st1));
    }
}

Test(verbs, stream_write) { stream_cases(TP_RDMA_WRITE, 0); }
Test(verbs, stream_read) { stream_cases(TP_RDMA_READ, 0); }
Test(verbs, stream_send) { stream_cases(TP_RDMA_SEND, 0); }
/* --rdma-cm: the same QPs connected through librdmacm, the same cases */
Test(verbs, rdma_cm_stream_write) { stream_cases(TP_RDMA_WRITE, 1); }
Test(verbs, rdma_cm_stream_read) { stream_cases(TP_RDMA_READ, 1); }
Test(verbs, rdma_cm_stream_send) { stream_cases(TP_RDMA_SEND, 1); }

/* A receiver's failed check stops both sides with the check's status. */
static void corrupt_case(enum tp_rdma_op op)
{
    struct stream_case c = {1024, 64 << 10, 8192, 1, 0, 1, 3 * 1024};
    struct tp_config cfg = base_config();
    tp_status_t st0, st1;

    need_device();
    VOPTS(cfg)->rdma_op = op;
    run_pair(&cfg, stream_scenario, &c, &st0, &st1);
    cr_assert_eq(st1, TP_ERR_VERIFY, "receiver: %s", tp_status_string(st1));
    cr_assert_eq(st0, TP_ERR_VERIFY, "sender: %s", tp_status_string(st0));
}

Test(verbs, verify_failure_reaches_sender_write) { corrupt_case(TP_RDMA_WRITE); }
Test(verbs, verify_failure_reaches_sender_read) { corrupt_case(TP_RDMA_READ); }
Test(verbs, verify_failure_reaches_sender_send) { corrupt_case(TP_RDMA_SEND); }

/* ---- ping-pong ---- */

static tp_status_t pingpong_scenario(struct rank *r, const void *param)
{
    static const size_t sizes[] = {1, 64, 4096};
    enum { ITERS = 200 };
    uint64_t rtt[ITERS];
    struct tp_buf b;
    tp_status_t st;

    (void)param;
    if ((st = alloc_ring(r, &b, 2 * 4096)) != TP_OK)
        return st;
    for (size_t s = 0; s < 3 && st == TP_OK; s++) {
        memset(rtt, 0, sizeof(rtt));
        st = r->ops->pingpong(r->ep, &b, sizes[s], ITERS, r->id == 0,
                              r->id == 0 ? rtt : NULL, NULL);
        for (int i = 0; st == TP_OK && r->id == 0 && i < ITERS; i++)
            if (rtt[i] == 0 || rtt[i] > 10ull * 1000000000ull)
                st = TP_ERR_INTERNAL;
    }
    /* relaxed bandwidth MR: the ping-pong used its own strict one */
    const struct verbs_reg *reg = b.mr;
    if (st == TP_OK && reg->relaxed && (reg->strict == NULL || reg->strict == reg->mr))
        st = TP_ERR_INTERNAL;
    free_ring(r, &b);
    return st;
}

static void pingpong_case(enum tp_rdma_op op, int use_rdma_cm)
{
    struct tp_config cfg = base_config();
    tp_status_t st0, st1;

    need_device();
    VOPTS(cfg)->rdma_op = op;
    VOPTS(cfg)->use_rdma_cm = use_rdma_cm;
    run_pair(&cfg, pingpong_scenario, NULL, &st0, &st1);
    cr_assert_eq(st0, TP_OK, "initiator: %s", tp_status_string(st0));
    cr_assert_eq(st1, TP_OK, "responder: %s", tp_status_string(st1));
}

Test(verbs, pingpong_write) { pingpong_case(TP_RDMA_WRITE, 0); }
Test(verbs, pingpong_send) { pingpong_case(TP_RDMA_SEND, 0); }
Test(verbs, pingpong_read) { pingpong_case(TP_RDMA_READ, 0); }
Test(verbs, rdma_cm_pingpong_write) { pingpong_case(TP_RDMA_WRITE, 1); }

/* --relaxed-ordering off: one MR, strictly ordered, for both */
Test(verbs, pingpong_strict_ordering)
{
    struct tp_config cfg = base_config();
    tp_status_t st0, st1;

    need_device();
    VOPTS(cfg)->relaxed_order = 0;
    run_pair(&cfg, pingpong_scenario, NULL, &st0, &st1);
    cr_assert_eq(st0, TP_OK, "initiator: %s", tp_status_string(st0));
    cr_assert_eq(st1, TP_OK, "responder: %s", tp_status_string(st1));
}

/* device memory without GPUDirect: staged through a registered host shadow */
static void staged_cases(enum tp_rdma_op op)
{
    use_fake_device_memory = 1;
    stream_cases(op, 0);
    pingpong_case(op, 0);
    use_fake_device_memory = 0;
}
Test(verbs, staged_device_memory_write) { staged_cases(TP_RDMA_WRITE); }
Test(verbs, staged_device_memory_read) { staged_cases(TP_RDMA_READ); }
Test(verbs, staged_device_memory_send) { staged_cases(TP_RDMA_SEND); }

/* ---- a dead peer ends in an error within the deadline, never a hang ---- */

static tp_status_t dead_peer_scenario(struct rank *r, const void *param)
{
    const struct stream_case *c = param;

    if (r->id == 1)
        _exit(0);            /* connected, then gone: QPs die with the process */
    return stream_scenario(r, c);
}

Test(verbs, dead_peer_is_an_error_not_a_hang)
{
    static const enum tp_rdma_op ops[] = {TP_RDMA_WRITE, TP_RDMA_READ};
    struct stream_case c = {4096, 64 << 10, 16 << 10, 1, 0, 1, UINT64_MAX};

    need_device();
    for (size_t i = 0; i < 2; i++) {
        struct tp_config cfg = base_config();
        struct timespec a, b;
        tp_status_t st0, st1;
        VOPTS(cfg)->rdma_op = ops[i];
        cfg.timeout_s = 2;
        clock_gettime(CLOCK_MONOTONIC, &a);
        run_pair(&cfg, dead_peer_scenario, &c, &st0, &st1);
        clock_gettime(CLOCK_MONOTONIC, &b);
        cr_expect(st0 == TP_ERR_TIMEOUT || st0 == TP_ERR_PEER, "op %zu: %s", i,
                  tp_status_string(st0));
        cr_expect(b.tv_sec - a.tv_sec < 30, "op %zu took %lld s", i,
                  (long long)(b.tv_sec - a.tv_sec));
    }
}

/* ---- link facts ---- */

static tp_status_t link_scenario(struct rank *r, const void *param)
{
    struct tp_link_info info;
    struct tp_buf b;
    tp_status_t st;

    (void)param;
    if ((st = alloc_ring(r, &b, 4096)) != TP_OK)
        return st;
    st = r->ops->link_info(r->ctx, &info, NULL);
    free_ring(r, &b);
    if (st != TP_OK)
        return st;
    if (info.device[0] == '\0' || info.driver[0] == '\0' || info.model[0] == '\0' ||
        info.line_rate_gbit <= 0 || info.mtu < 256 || info.address[0] == '\0' ||
        strstr(info.detail, "host memory") == NULL)
        return TP_ERR_INTERNAL;
    return TP_OK;
}

Test(verbs, link_info_describes_the_port)
{
    struct tp_config cfg = base_config();
    tp_status_t st0, st1;

    need_device();
    run_pair(&cfg, link_scenario, NULL, &st0, &st1);
    cr_assert_eq(st0, TP_OK, "%s", tp_status_string(st0));
    cr_assert_eq(st1, TP_OK, "%s", tp_status_string(st1));
}

/* ---- errors that need no device ---- */

static tp_status_t init_only(const struct tp_config *cfg)
{
    struct tp_ctrl ctrl = {.rank = 0, .size = 2, .exchange = sock_exchange};
    void *ctx = NULL;
    tp_status_t st = verbs()->init(cfg, &ctrl, &ctx, NULL);

    if (st == TP_OK)
        verbs()->finalize(ctx);
    return st;
}

Test(verbs, no_device_or_unknown_device_is_one_line, .init = cr_redirect_stderr)
{
    struct tp_config cfg = base_config();
    char text[2048];
    int have = have_rdma_device();

    VOPTS(cfg)->device = "nosuchdev7";
    cr_assert_eq(init_only(&cfg), TP_ERR_NO_DEVICE);
    stderr_text(text, sizeof(text));
    assert_one_line(text, have ? "--device nosuchdev7 not found" : "no RDMA device found");
}

Test(verbs, automatic_choice_without_device_is_no_device, .init = cr_redirect_stderr)
{
    struct tp_config cfg = base_config();
    char text[2048];

    if (have_rdma_device())
        cr_skip_test("an RDMA device is present (covered by the stream tests)");
    cr_assert_eq(init_only(&cfg), TP_ERR_NO_DEVICE);
    stderr_text(text, sizeof(text));
    assert_one_line(text, "no RDMA device found");
}

/* Two ranks of different runs (secrets differ) must not connect through
 * rdma_cm either: both refuse, neither hangs. */
static tp_status_t cm_secret_scenario(struct rank *r, const void *param)
{
    (void)r;
    (void)param;
    return TP_OK;              /* connect itself must fail, see run_pair_cfgs */
}

Test(verbs, rdma_cm_refuses_another_run, .init = cr_redirect_stderr)
{
    struct tp_config cfg0 = base_config(), cfg1 = base_config();
    tp_status_t st0, st1;

    need_device();
    VOPTS(cfg0)->use_rdma_cm = 1;   /* both configs share the options */
    cfg1.secret ^= 1;
    run_pair_cfgs(&cfg0, &cfg1, cm_secret_scenario, NULL, &st0, &st1);
    cr_expect_neq(st0, TP_OK, "rank 0 connected to another run");
    cr_expect_neq(st1, TP_OK, "rank 1 connected to another run");
}

/* The address vector: the InfiniBand LID path (no GRH) cannot run here
 * (rxe is RoCE), so the choice itself is checked without a device. */
Test(verbs, address_vector_lid_or_grh)
{
    struct verbs_ctx ctx;
    struct ibv_ah_attr ah;
    uint8_t gid[16];

    memset(&ctx, 0, sizeof(ctx));
    for (int i = 0; i < 16; i++)
        gid[i] = (uint8_t)(0xf0 + i);
    ctx.port = 2;
    ctx.gid_index = -1;                       /* InfiniBand, LID routed */
    ctx.opts.sl = 3;                          /* --sl 3 */
    ctx.tclass = 106;                         /* --tclass 106 (DSCP 26, ECT) */
    verbs_fill_ah(&ctx, 0x1234, gid, &ah);
    cr_expect_eq(ah.is_global, 0);
    cr_expect_eq(ah.sl, 3);
    cr_expect_eq(ah.dlid, 0x1234);
    cr_expect_eq(ah.port_num, 2);
    ctx.gid_index = 3;                        /* RoCE: GRH with the peer's GID */
    verbs_fill_ah(&ctx, 0, gid, &ah);
    cr_expect_eq(ah.is_global, 1);
    cr_expect_eq(ah.grh.sgid_index, 3);
    cr_expect_eq(ah.grh.hop_limit, 64);
    cr_expect_eq(ah.grh.traffic_class, 106);
    cr_expect_eq(ah.sl, 3);
    cr_expect_arr_eq(ah.grh.dgid.raw, gid, 16);
}

Test(verbs, bad_options_are_invalid, .init = cr_redirect_stderr)
{
    struct tp_config cfg = base_config();
    char text[2048];

    VOPTS(cfg)->qps = 65;
    cr_assert_eq(init_only(&cfg), TP_ERR_INVALID);
    cfg = base_config();
    cfg.tx_depth = 1 << 20;
    cr_assert_eq(init_only(&cfg), TP_ERR_INVALID);
    cfg = base_config();
    VOPTS(cfg)->net.bind_subnet = "198.18.0.0/40";
    cr_assert_eq(init_only(&cfg), TP_ERR_INVALID);
    stderr_text(text, sizeof(text));
    cr_assert(strstr(text, "--qps 65") && strstr(text, "--tx-depth 1048576") &&
              strstr(text, "--bind-subnet 198.18.0.0/40"), "%s", text);
}

/* ---- perftest-like settings ---- */

Test(verbs, new_options_are_checked, .init = cr_redirect_stderr)
{
    static const struct { const char *name; size_t off; int bad; } cases[] = {
        {"--rx-depth 0", offsetof(struct verbs_opts, rx_depth), 0},
        {"--rd-atomic 256", offsetof(struct verbs_opts, rd_atomic), 256},
        {"--tclass 256", offsetof(struct verbs_opts, tclass), 256},
        {"--sl 16", offsetof(struct verbs_opts, sl), 16},
        {"--tos -2", offsetof(struct verbs_opts, tos), -2},
    };
    char text[4096];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tp_config cfg = base_config();
        *(int *)(void *)((char *)VOPTS(cfg) + cases[i].off) = cases[i].bad;
        cr_assert_eq(init_only(&cfg), TP_ERR_INVALID, "%s", cases[i].name);
    }
    stderr_text(text, sizeof(text));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cr_expect(strstr(text, cases[i].name) != NULL, "no line for %s: %s", cases[i].name,
                  text);
}

static int parsed_depth(int argc, char **argv, struct verbs_opts *vo)
{
    struct run_opts o;
    struct tp_error err = {0};
    int help = 0, depth;

    cr_assert_eq(run_opts_parse(argc, argv, &o, &help, &err), TP_OK, "%s", err.msg);
    depth = o.cfg.tx_depth;
    if (vo != NULL && o.cfg.opts != NULL)
        *vo = *(const struct verbs_opts *)o.cfg.opts;
    run_opts_free(&o);
    return depth;
}

/* perftest's defaults: tx depth 128 unless --tx-depth says otherwise (the
 * other transports keep the run's 64), 512 receives, relaxed ordering */
Test(verbs, defaults_are_perftests)
{
    struct verbs_opts vo;

    cr_expect_eq(parsed_depth(3, (char *[]){"run", "--transport", "verbs", NULL}, &vo), 128);
    cr_expect_eq(vo.rx_depth, 512);
    cr_expect_eq(vo.relaxed_order, 1);
    cr_expect_eq(vo.rd_atomic, 0);
    cr_expect_eq(vo.tclass, -1);
    cr_expect_eq(vo.tos, -1);
    cr_expect_eq(parsed_depth(5, (char *[]){"run", "--transport", "verbs", "--tx-depth", "16",
                                            NULL}, NULL), 16);
    cr_expect_eq(parsed_depth(3, (char *[]){"run", "--transport", "tcp", NULL}, NULL), 64);
    cr_expect_eq(parsed_depth(5, (char *[]){"run", "--transport", "verbs",
                                            "--relaxed-ordering", "off", NULL}, &vo), 128);
    cr_expect_eq(vo.relaxed_order, 0);
}

/* Outstanding reads: what one side initiates is what the other answers,
 * capped by --rd-atomic; max_msg_sz: the smaller port's */
Test(verbs, read_depth_and_message_limit_agreed)
{
    struct verbs_ctx ctx;
    struct verbs_ep ep;
    struct verbs_limits mine, theirs = {.rd_init = 8, .rd_dest = 4, .max_msg = 8u << 20};

    memset(&ctx, 0, sizeof(ctx));
    memset(&ep, 0, sizeof(ep));
    ep.ctx = &ctx;
    ctx.dev_attr.max_qp_init_rd_atom = 16;
    ctx.dev_attr.max_qp_rd_atom = 16;
    ctx.port_attr.max_msg_sz = 1u << 30;
    verbs_limits_mine(&ctx, &mine);
    cr_expect_eq(mine.rd_init, 16);
    verbs_limits_agree(&ep, &mine, &theirs);
    cr_expect_eq(ep.rd_atomic, 4, "we initiate what they answer: %u", ep.rd_atomic);
    cr_expect_eq(ep.rd_dest, 8, "we answer what they initiate: %u", ep.rd_dest);
    cr_expect_eq(ep.max_msg, 8u << 20);
    cr_expect_eq(ctx.rd_atomic, 4, "recorded for the results");
    ctx.opts.rd_atomic = 2;                   /* --rd-atomic 2 */
    verbs_limits_mine(&ctx, &mine);
    verbs_limits_agree(&ep, &mine, &theirs);
    cr_expect_eq(ep.rd_atomic, 2);
    cr_expect_eq(ep.rd_dest, 2);
    memset(&theirs, 0, sizeof(theirs));       /* a peer that allows none */
    verbs_limits_agree(&ep, &mine, &theirs);
    cr_expect_eq(ep.rd_atomic, 1);
    cr_expect_eq(ep.max_msg, 1u << 30);
}

struct settings_case {
    enum tp_rdma_op op;
    int qps, depth, rx_depth, rd_atomic, relaxed, tclass, tos, cm;
    struct stream_case c;
};

/* real transfers with the settings changed: few receives (credits must
 * come back in time), one outstanding read, strict ordering, a traffic
 * class, a TOS through the connection manager */
Test(verbs, settings_stream)
{
    static const struct settings_case cases[] = {
        {TP_RDMA_SEND, 2, 16, 4, 0, 1, -1, -1, 0, {2048, 256 << 10, 32 << 10, 1, 0, 1, UINT64_MAX}},
        {TP_RDMA_SEND, 1, 128, 1, 0, 1, -1, -1, 0, {64, 32 << 10, 8 << 10, 0, 0, 1, UINT64_MAX}},
        {TP_RDMA_READ, 2, 32, 512, 1, 1, -1, -1, 0, {4096, 256 << 10, 64 << 10, 1, 0, 2, UINT64_MAX}},
        {TP_RDMA_WRITE, 2, 16, 512, 0, 0, 96, -1, 0, {4096, 128 << 10, 16 << 10, 1, 1, 1, UINT64_MAX}},
        {TP_RDMA_WRITE, 1, 16, 512, 0, 1, -1, 32, 1, {4096, 64 << 10, 16 << 10, 1, 0, 1, UINT64_MAX}},
    };

    need_device();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tp_config cfg = base_config();
        tp_status_t st0, st1;
        VOPTS(cfg)->rdma_op = cases[i].op;
        VOPTS(cfg)->qps = cases[i].qps;
        VOPTS(cfg)->rx_depth = cases[i].rx_depth;
        VOPTS(cfg)->rd_atomic = cases[i].rd_atomic;
        VOPTS(cfg)->relaxed_order = cases[i].relaxed;
        VOPTS(cfg)->tclass = cases[i].tclass;
        VOPTS(cfg)->tos = cases[i].tos;
        VOPTS(cfg)->use_rdma_cm = cases[i].cm;
        cfg.tx_depth = cases[i].depth;
        run_pair(&cfg, stream_scenario, &cases[i].c, &st0, &st1);
        cr_expect_eq(st0, TP_OK, "case %zu: rank 0: %s", i, tp_status_string(st0));
        cr_expect_eq(st1, TP_OK, "case %zu: rank 1: %s", i, tp_status_string(st1));
    }
}

/* Messages larger than max_msg_sz: streams split them (verified data
 * arrives whole); a latency message is refused in one line.  rxe's limit
 * is 8 MiB, so the agreed limit is lowered here to 3000 bytes. */
static tp_status_t split_scenario(struct rank *r, const void *param)
{
    struct verbs_ep *ep = r->ep;
    struct tp_buf b;
    uint64_t rtt[4];
    tp_status_t st;

    ep->max_msg = 3000;
    if ((st = stream_scenario(r, param)) != TP_OK)
        return st;
    if ((st = alloc_ring(r, &b, 8192)) != TP_OK)
        return st;
    st = r->ops->pingpong(r->ep, &b, 4096, 4, r->id == 0, r->id == 0 ? rtt : NULL, NULL);
    free_ring(r, &b);
    return st == TP_ERR_INVALID ? TP_OK : TP_ERR_INTERNAL;
}

Test(verbs, messages_over_max_msg_sz_are_split, .init = cr_redirect_stderr)
{
    static const enum tp_rdma_op ops[] = {TP_RDMA_WRITE, TP_RDMA_READ, TP_RDMA_SEND};
    struct stream_case c = {8192, 100000, 32768, 1, 0, 1, UINT64_MAX};
    char text[4096];

    need_device();
    for (size_t i = 0; i < 3; i++) {
        struct tp_config cfg = base_config();
        tp_status_t st0, st1;
        VOPTS(cfg)->rdma_op = ops[i];
        VOPTS(cfg)->qps = 2;
        run_pair(&cfg, split_scenario, &c, &st0, &st1);
        cr_expect_eq(st0, TP_OK, "op %zu: rank 0: %s", i, tp_status_string(st0));
        cr_expect_eq(st1, TP_OK, "op %zu: rank 1: %s", i, tp_status_string(st1));
    }
    stderr_text(text, sizeof(text));
    cr_expect(strstr(text, "larger than the 3000-byte max_msg_sz") != NULL, "%s", text);
}

/* GID choice: RoCE v2 IPv4 first, then a global RoCE v2 IPv6; link-local,
 * RoCE v1 and addresses outside --bind-subnet / off --bind-if never */
static struct ibv_gid_entry gid_entry(const char *v6, uint32_t type, uint32_t ifindex)
{
    struct ibv_gid_entry e;

    memset(&e, 0, sizeof(e));
    cr_assert_eq(inet_pton(AF_INET6, v6, e.gid.raw), 1, "%s", v6);
    e.gid_type = type;
    e.ndev_ifindex = ifindex;
    return e;
}

Test(verbs, gid_choice_ranks)
{
    struct verbs_subnet none = {0}, sn = {.set = 1, .net = 0x0a000000, .mask = 0xff000000};
    struct ibv_gid_entry v4 = gid_entry("::ffff:198.18.0.1", IBV_GID_TYPE_ROCE_V2, 3);
    struct ibv_gid_entry v4in = gid_entry("::ffff:10.1.2.3", IBV_GID_TYPE_ROCE_V2, 3);
    struct ibv_gid_entry v6 = gid_entry("2001:db8::7", IBV_GID_TYPE_ROCE_V2, 3);
    struct ibv_gid_entry ll = gid_entry("fe80::1", IBV_GID_TYPE_ROCE_V2, 3);
    struct ibv_gid_entry v1 = gid_entry("::ffff:198.18.0.1", IBV_GID_TYPE_ROCE_V1, 3);
    struct ibv_gid_entry zero = gid_entry("::", IBV_GID_TYPE_ROCE_V2, 3);

    cr_expect_eq(verbs_gid_rank(&v4, &none, 0), 2);
    cr_expect_eq(verbs_gid_rank(&v6, &none, 0), 1);
    cr_expect_eq(verbs_gid_rank(&ll, &none, 0), 0, "link-local skipped");
    cr_expect_eq(verbs_gid_rank(&v1, &none, 0), 0, "RoCE v1 skipped");
    cr_expect_eq(verbs_gid_rank(&zero, &none, 0), 0, "empty entry skipped");
    cr_expect_eq(verbs_gid_rank(&v4, &sn, 0), 0, "outside --bind-subnet");
    cr_expect_eq(verbs_gid_rank(&v4in, &sn, 0), 2);
    cr_expect_eq(verbs_gid_rank(&v6, &sn, 0), 0, "--bind-subnet is IPv4");
    cr_expect_eq(verbs_gid_rank(&v4, &none, 3), 2);
    cr_expect_eq(verbs_gid_rank(&v4, &none, 4), 0, "off --bind-if");
}

/* the line-rate table, XDR included (IB speed and width codes) */
Test(verbs, line_rate_table)
{
    cr_expect_eq(verbs_lane_rate_gbit(256, 2), 800.0, "XDR 4x");
    cr_expect_eq(verbs_lane_rate_gbit(256, 16), 400.0, "XDR 2x");
    cr_expect_eq(verbs_lane_rate_gbit(128, 2), 400.0, "NDR 4x");
    cr_expect_eq(verbs_lane_rate_gbit(64, 16), 100.0, "HDR 2x");
    cr_expect_eq(verbs_lane_rate_gbit(32, 2), 100.0, "EDR 4x");
    cr_expect_eq(verbs_lane_rate_gbit(1, 1), 2.5, "SDR 1x");
    cr_expect_eq(verbs_lane_rate_gbit(3, 2), 0.0, "unknown speed");
    cr_expect_eq(verbs_lane_rate_gbit(128, 3), 0.0, "unknown width");
}

/* Who sleeps on the completion channel after VERBS_SPIN_NS: not a side
 * with data work of its own in flight (no device needed). */
Test(verbs, keeps_polling_while_own_work_is_in_flight)
{
    struct verbs_ctx ctx;
    struct verbs_ep ep;
    struct verbs_tx tx;
    struct verbs_rx rx;

    memset(&ctx, 0, sizeof(ctx));
    memset(&ep, 0, sizeof(ep));
    memset(&tx, 0, sizeof(tx));
    memset(&rx, 0, sizeof(rx));
    ep.ctx = &ctx;
    ep.nqps = 2;
    tx.ep = &ep;
    rx.ep = &ep;
    ctx.opts.rdma_op = TP_RDMA_SEND;
    /* a sender waiting for READY or ACK, nothing posted: may sleep */
    cr_assert_eq(verbs_keeps_polling(&tx, NULL), 0);
    /* WRs of QP 1 not yet completed (unsignaled ones between): polls */
    tx.q[1].posted = 128;
    tx.q[1].done = 64;
    cr_assert_eq(verbs_keeps_polling(&tx, NULL), 1);
    tx.q[1].done = 128;
    cr_assert_eq(verbs_keeps_polling(&tx, NULL), 0);
    /* a SEND receiver taking messages polls, as ib_send_bw's server */
    rx.started = 1;
    cr_assert_eq(verbs_keeps_polling(NULL, &rx), 1);
    rx.done = 1;
    cr_assert_eq(verbs_keeps_polling(NULL, &rx), 0);
    /* a WRITE receiver has nothing to do per message: may sleep, as
     * ib_write_bw's server */
    rx.done = 0;
    ctx.opts.rdma_op = TP_RDMA_WRITE;
    cr_assert_eq(verbs_keeps_polling(NULL, &rx), 0);
    /* an RDMA READ reader polls */
    ctx.opts.rdma_op = TP_RDMA_READ;
    cr_assert_eq(verbs_keeps_polling(&tx, &rx), 1);
}
