/* conf_data.c: the conformance cases that move data: connect, every size
 * through every ring shape with each byte checked, both directions at
 * once, ping-pong, and staged (non-host) memory. */
#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/transport_harness.h"

/* --corrupt: the fill hook spoils one byte of the 3rd message (self-test:
 * the suite must then FAIL). */
struct conf_fill {
    struct th_verify v;
    int corrupt;
    int fake;                   /* the ring is fake device memory */
};

static tp_status_t conf_fill_hook(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct conf_fill *f = arg;
    tp_status_t st = f->fake ? th_fake_fill(&f->v, buf, len, offset)
                             : th_fill(&f->v, buf, len, offset);

    if (st == TP_OK && f->corrupt && f->v.msgs == 3) {
        unsigned char *b = f->fake ? th_fake_real(buf) : buf;
        b[len / 2] ^= 0x5a;
    }
    return st;
}

static tp_status_t conf_check_hook(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct conf_fill *f = arg;

    return f->fake ? th_fake_check(&f->v, buf, len, offset) : th_check(&f->v, buf, len, offset);
}

/* One transfer of msgs messages of msg bytes (the last one shorter) through
 * a ring of slots slots, from rank `from`, every byte checked. */
struct conf_xfer_spec {
    size_t msg;
    unsigned slots;
    unsigned msgs;
    int from;
    const struct tp_mem_ops *kind;   /* NULL: host */
};

static enum conf_verdict conf_one_xfer(struct conf *c, const struct conf_xfer_spec *s)
{
    struct conf_ring r;
    struct conf_fill f = {.v.seed = (uint8_t)(s->msg + s->slots), .corrupt = c->corrupt,
                          .fake = s->kind != NULL};
    uint64_t bytes = (uint64_t)s->msg * s->msgs - (s->msg > 1 ? s->msg / 2 : 0);
    struct tp_error err = {0};
    int sender = c->rank == s->from;
    enum conf_verdict v;

    if ((v = conf_ring_alloc(c, &r, s->kind, s->msg * s->slots)) != CONF_PASS)
        return v;
    struct tp_xfer x = {.buf = &r.buf, .msg_size = s->msg, .bytes = bytes,
                        .offset0 = 1000003u * s->slots, .hook_arg = &f};
    if (sender)
        x.fill = conf_fill_hook;
    else
        x.check = conf_check_hook;
    tp_status_t st = sender ? c->ops->stream_send(c->ep, &x, &err)
                            : c->ops->stream_recv(c->ep, &x, &err);
    conf_ring_free(c, &r);
    if (st != TP_OK)
        return conf_say(c, CONF_FAIL, "rank %d: %s %zu-byte messages, %u-slot ring: %s",
                        c->rank, sender ? "sending" : "receiving", s->msg, s->slots,
                        err.msg[0] ? err.msg : tp_status_string(st));
    if (!th_verify_complete(&f.v, &x))
        return conf_say(c, CONF_FAIL, "rank %d: %zu-byte messages, %u-slot ring: %s", c->rank,
                        s->msg, s->slots,
                        f.v.bad ? "a byte differs from what was sent"
                                : "the hooks did not see every message once");
    return CONF_PASS;
}

/* Every size in both directions through rings of 1 and 3 slots and one of
 * 64 KiB (many slots for the small sizes). */
static enum conf_verdict conf_sizes_run(struct conf *c, const struct tp_mem_ops *kind,
                                        const size_t *sizes, size_t nsizes)
{
    double t0 = conf_now();
    unsigned n = 0;

    for (int from = 0; from < 2; from++)
        for (size_t k = 0; k < nsizes; k++)
            for (int shape = 0; shape < 3; shape++) {
                size_t msg = sizes[k];
                unsigned slots = shape == 0 ? 1 : shape == 1 ? 3
                                 : (unsigned)(msg >= 65536 ? 1 : 65536 / msg);
                struct conf_xfer_spec s = {.msg = msg, .slots = slots,
                                           .msgs = msg >= (1u << 20) ? 2 : 7, .from = from,
                                           .kind = kind};
                enum conf_verdict v = conf_one_xfer(c, &s);
                if (v != CONF_PASS)
                    return v;
                n++;
            }
    return conf_say(c, CONF_PASS, "%u transfers (%zu sizes %zu..%zu bytes x 3 ring shapes x "
                    "both directions), every byte checked by offset, %.1f s", n, nsizes,
                    sizes[0], sizes[nsizes - 1], conf_now() - t0);
}

static enum conf_verdict case_connect(struct conf *c)
{
    struct tp_link_info info;
    struct tp_error err = {0};
    enum conf_verdict v = conf_open(c, CONF_NORMAL_TIMEOUT_S, c->secret);

    if (v != CONF_PASS)
        return v;
    memset(&info, 0, sizeof(info));
    tp_status_t st = c->ops->link_info(c->ctx, &info, &err);
    if (st != TP_OK && st != TP_ERR_UNSUPPORTED)
        return conf_say(c, CONF_FAIL, "rank %d: link_info: %s", c->rank, err.msg);
    if (st != TP_OK && err.msg[0] == '\0')
        return conf_say(c, CONF_FAIL, "rank %d: link_info failed without a line", c->rank);
    return conf_say(c, CONF_PASS, "init, connect, link_info (%s)",
                    st == TP_OK ? (info.device[0] ? info.device : "no device named")
                                : "not offered");
}

static enum conf_verdict case_sizes(struct conf *c)
{
    static const size_t sizes[] = {1, 3, 4096, 65537, (4u << 20) + 5};
    enum conf_verdict v = conf_open(c, CONF_NORMAL_TIMEOUT_S, c->secret);

    return v != CONF_PASS ? v : conf_sizes_run(c, NULL, sizes, 5);
}

static enum conf_verdict case_staged(struct conf *c)
{
    static const size_t sizes[] = {5, 300000, (3u << 20) + 1};

    if (!(c->ops->caps & TP_CAP_STAGED_MEM))
        return conf_say(c, CONF_SKIP, "no TP_CAP_STAGED_MEM: %s",
                        c->ops->caps & TP_CAP_DEVICE_MEM
                            ? "moves device memory directly (tested where a device is)"
                            : "moves host memory only");
    enum conf_verdict v = conf_open(c, CONF_NORMAL_TIMEOUT_S, c->secret);
    return v != CONF_PASS ? v : conf_sizes_run(c, &th_fake_mem_ops, sizes, 3);
}

/* Both directions at once, each checked. */
static enum conf_verdict bidir_one(struct conf *c, size_t msg)
{
    struct conf_ring rt, rr;
    struct conf_fill ft = {.v.seed = (uint8_t)(7 + c->rank)}, fr = {.v.seed = (uint8_t)(8 - c->rank)};
    struct tp_error err = {0};
    enum conf_verdict v;

    if ((v = conf_ring_alloc(c, &rt, NULL, 3 * msg)) != CONF_PASS)
        return v;
    if ((v = conf_ring_alloc(c, &rr, NULL, 3 * msg)) != CONF_PASS) {
        conf_ring_free(c, &rt);
        return v;
    }
    struct tp_xfer tx = {.buf = &rt.buf, .msg_size = msg, .bytes = 5 * (uint64_t)msg + 1,
                         .fill = conf_fill_hook, .hook_arg = &ft};
    struct tp_xfer rx = tx;
    rx.buf = &rr.buf;
    rx.fill = NULL;
    rx.check = conf_check_hook;
    rx.hook_arg = &fr;
    tp_status_t st = c->ops->stream_bidir(c->ep, &tx, &rx, &err);
    conf_ring_free(c, &rt);
    conf_ring_free(c, &rr);
    if (st != TP_OK)
        return conf_say(c, CONF_FAIL, "rank %d: %zu-byte messages both ways: %s", c->rank, msg,
                        err.msg[0] ? err.msg : tp_status_string(st));
    if (!th_verify_complete(&ft.v, &tx) || !th_verify_complete(&fr.v, &rx))
        return conf_say(c, CONF_FAIL, "rank %d: %zu-byte messages both ways: data or hooks "
                        "wrong", c->rank, msg);
    return CONF_PASS;
}

static enum conf_verdict case_bidir(struct conf *c)
{
    static const size_t sizes[] = {1, 65537, (1u << 20) + 1};
    struct tp_error err = {0};

    if (!(c->ops->caps & TP_CAP_BIDIR)) {
        tp_status_t st = c->ops->stream_bidir(NULL, NULL, NULL, &err);
        if (st != TP_ERR_UNSUPPORTED || err.msg[0] == '\0')
            return conf_say(c, CONF_FAIL, "no TP_CAP_BIDIR, yet stream_bidir does not say "
                            "TP_ERR_UNSUPPORTED with a line");
        return conf_say(c, CONF_SKIP, "no TP_CAP_BIDIR (stream_bidir: %s)", err.msg);
    }
    enum conf_verdict v = conf_open(c, CONF_NORMAL_TIMEOUT_S, c->secret);
    for (size_t k = 0; v == CONF_PASS && k < 3; k++)
        v = bidir_one(c, sizes[k]);
    return v != CONF_PASS ? v : conf_say(c, CONF_PASS, "1, 65537, 1 MiB+1 bytes, both ways "
                                         "at once, every byte checked on both sides");
}

static enum conf_verdict case_pingpong(struct conf *c)
{
    static const size_t sizes[] = {1, 4096, 1u << 20};
    uint64_t rtt[64];
    enum conf_verdict v = conf_open(c, CONF_NORMAL_TIMEOUT_S, c->secret);

    for (size_t k = 0; v == CONF_PASS && k < 3; k++) {
        struct conf_ring r;
        struct tp_error err = {0};
        uint64_t iters = sizes[k] > 4096 ? 4 : 64;
        if ((v = conf_ring_alloc(c, &r, NULL, sizes[k])) != CONF_PASS)
            break;
        memset(rtt, 0, sizeof(rtt));
        tp_status_t st = c->ops->pingpong(c->ep, &r.buf, sizes[k], iters, c->rank == 0,
                                          c->rank == 0 ? rtt : NULL, &err);
        conf_ring_free(c, &r);
        if (st != TP_OK)
            return conf_say(c, CONF_FAIL, "rank %d: %zu-byte ping-pong: %s", c->rank, sizes[k],
                            err.msg[0] ? err.msg : tp_status_string(st));
        for (uint64_t i = 0; c->rank == 0 && i < iters; i++)
            if (rtt[i] == 0)
                return conf_say(c, CONF_FAIL, "%zu-byte ping-pong: round trip %llu is 0 ns",
                                sizes[k], (unsigned long long)i);
    }
    return v != CONF_PASS ? v : conf_say(c, CONF_PASS, "1 B, 4 KiB, 1 MiB round trips, each "
                                         "timed (> 0 ns)");
}

const struct conf_case conf_data_cases[] = {
    {"connect", "init, connect, link_info, teardown", case_connect},
    {"stream_sizes", "1 B..4 MiB+5 through 1-slot, 3-slot and 64 KiB rings, both directions, "
                     "every byte checked", case_sizes},
    {"bidirectional", "both directions at once, each checked (TP_CAP_BIDIR)", case_bidir},
    {"pingpong", "round trips of 1 B, 4 KiB, 1 MiB, each timed", case_pingpong},
    {"staged_memory", "non-host memory whose addresses fault unless copied "
                      "(TP_CAP_STAGED_MEM)", case_staged},
    {NULL, NULL, NULL},
};
