/* conf_faults.c: the conformance cases about failure and teardown: a
 * failed check ends the transfer, a silent peer times out, a peer that
 * closes its end is an error (not a hang), a peer of another run is
 * refused (TP_CAP_PEER_AUTH), and repeated sessions leave no descriptor or
 * thread behind.  Each fault case runs with --timeout CONF_SILENT_TIMEOUT_S
 * and must end within CONF_FAULT_BOUND_S (a bound, not a timing figure). */
#include "conformance.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/transport_harness.h"

#define FAULT_MSG   (1u << 20)
#define FAULT_BYTES (4u << 20)

/* One transfer that must fail (st != OK), within the bound, with a line. */
static enum conf_verdict must_fail(struct conf *c, int send, const struct tp_xfer *x,
                                   const char *what, tp_status_t want)
{
    struct tp_error err = {0};
    double t0 = conf_now();
    tp_status_t st = send ? c->ops->stream_send(c->ep, x, &err)
                          : c->ops->stream_recv(c->ep, x, &err);
    double dt = conf_now() - t0;

    if (st == TP_OK)
        return conf_say(c, CONF_FAIL, "rank %d: %s: the transfer succeeded", c->rank, what);
    if (want != TP_OK && st != want)
        return conf_say(c, CONF_FAIL, "rank %d: %s: %s, expected %s (%s)", c->rank, what,
                        tp_status_string(st), tp_status_string(want), err.msg);
    if (err.msg[0] == '\0' || err.status != st)
        return conf_say(c, CONF_FAIL, "rank %d: %s: failed (%s) without its line in the error "
                        "record", c->rank, what, tp_status_string(st));
    if (dt > CONF_FAULT_BOUND_S)
        return conf_say(c, CONF_FAIL, "rank %d: %s: failed only after %.1f s", c->rank, what,
                        dt);
    return conf_say(c, CONF_PASS, "%s: %s after %.1f s: \"%s\"", what, tp_status_string(st), dt,
                    err.msg);
}

/* A wrapper of the check hook that fails message 3. */
static tp_status_t spoil_check(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct th_verify *v = arg;

    if (v->msgs == 3) {
        v->bad = 1;
        v->bad_offset = offset;
        return TP_ERR_VERIFY;
    }
    return th_check(arg, buf, len, offset);
}

static enum conf_verdict case_check_fails(struct conf *c)
{
    struct conf_ring r;
    struct th_verify v = {.seed = 3};
    enum conf_verdict res = conf_open(c, CONF_SILENT_TIMEOUT_S, c->secret);

    if (res != CONF_PASS || (res = conf_ring_alloc(c, &r, NULL, 3 * 65536)) != CONF_PASS)
        return res;
    struct tp_xfer x = {.buf = &r.buf, .msg_size = 65536, .bytes = 16 * 65536,
                        .hook_arg = &v};
    if (c->rank == 0) {
        x.fill = th_fill;
        struct tp_error err = {0};
        double t0 = conf_now();
        tp_status_t st = c->ops->stream_send(c->ep, &x, &err);
        if (conf_now() - t0 > CONF_FAULT_BOUND_S)
            res = conf_say(c, CONF_FAIL, "the sender's call ended only after %.1f s (%s)",
                           conf_now() - t0, tp_status_string(st));
    } else {
        x.check = spoil_check;
        res = must_fail(c, 0, &x, "receiver's check fails message 3", TP_ERR_VERIFY);
    }
    conf_ring_free(c, &r);
    return res;
}

/* rank `quiet` connects and then does nothing until the other has seen
 * its transfer fail. */
static enum conf_verdict silent_round(struct conf *c, int quiet)
{
    struct conf_ring r;
    enum conf_verdict res = conf_open(c, CONF_SILENT_TIMEOUT_S, c->secret);

    if (res != CONF_PASS || (res = conf_ring_alloc(c, &r, NULL, 2 * FAULT_MSG)) != CONF_PASS)
        return res;
    struct tp_xfer x = {.buf = &r.buf, .msg_size = FAULT_MSG, .bytes = FAULT_BYTES};
    if (c->rank != quiet)
        res = must_fail(c, quiet == 1, &x,
                        quiet == 1 ? "sending to a silent peer" : "receiving from a silent peer",
                        TP_ERR_TIMEOUT);
    if (conf_sync(c, 2 * CONF_FAULT_BOUND_S) != 0 && res == CONF_PASS)
        res = conf_say(c, CONF_FAIL, "rank %d: the control plane lost the peer", c->rank);
    conf_ring_free(c, &r);
    return res;
}

/* rank 1 opens and closes at once; rank 0 then sends (send) or receives. */
static enum conf_verdict dead_round(struct conf *c, int send)
{
    struct conf_ring r;
    enum conf_verdict res = conf_open(c, CONF_SILENT_TIMEOUT_S, c->secret);

    if (res != CONF_PASS)
        return res;
    if (c->rank == 1) {
        conf_close(c);
        return conf_sync(c, 2 * CONF_FAULT_BOUND_S) == 0 ? CONF_PASS : CONF_FAIL;
    }
    if ((res = conf_ring_alloc(c, &r, NULL, 2 * FAULT_MSG)) != CONF_PASS)
        return res;
    struct tp_xfer x = {.buf = &r.buf, .msg_size = FAULT_MSG, .bytes = FAULT_BYTES};
    res = must_fail(c, send, &x, send ? "sending to a closed peer" : "receiving from a closed "
                    "peer", TP_OK);
    conf_ring_free(c, &r);
    if (conf_sync(c, 2 * CONF_FAULT_BOUND_S) != 0 && res == CONF_PASS)
        res = conf_say(c, CONF_FAIL, "rank 0: the control plane lost the peer");
    return res;
}

typedef enum conf_verdict (*fault_round_fn)(struct conf *c, int arg);

/* A fault case of two rounds: round(c, a), then round(c, b) on a fresh
 * open.  Rank 0 passes with the first round's line, and the second's
 * after it where say_both. */
static enum conf_verdict two_rounds(struct conf *c, fault_round_fn round, int a, int b,
                                    int say_both)
{
    enum conf_verdict res = round(c, a);
    char first[sizeof(c->why)];

    if (res != CONF_PASS)
        return res;
    snprintf(first, sizeof(first), "%s", c->why);
    conf_close(c);
    if ((res = round(c, b)) != CONF_PASS || c->rank != 0)
        return res;
    if (!say_both)
        return conf_say(c, CONF_PASS, "%s", first);
    char second[sizeof(c->why)];
    snprintf(second, sizeof(second), "%s", c->why);
    return conf_say(c, CONF_PASS, "%s; %s", first, second);
}

/* rank 1 silent, then rank 0 */
static enum conf_verdict case_silent(struct conf *c)
{
    return two_rounds(c, silent_round, 1, 0, 0);
}

/* rank 0 receives from the closed peer, then sends to it */
static enum conf_verdict case_dead(struct conf *c)
{
    return two_rounds(c, dead_round, 0, 1, 1);
}

static enum conf_verdict case_stranger(struct conf *c)
{
    struct tp_config cfg = {.tx_depth = 8, .timeout_s = CONF_SILENT_TIMEOUT_S,
                            .secret = c->secret ^ (c->rank ? 0x5a5a5a5aull : 0), .opts = c->opts};
    struct tp_error err = {0};
    double t0 = conf_now();

    if (!(c->ops->caps & TP_CAP_PEER_AUTH))
        return conf_say(c, CONF_SKIP, "no TP_CAP_PEER_AUTH (the transport's peers are only "
                        "those of its own run by construction)");
    tp_status_t st = c->ops->init(&cfg, &c->ctrl, &c->ctx, &err);
    if (st != TP_OK) {
        c->ctx = NULL;
        return conf_say(c, CONF_FAIL, "rank %d: init: %s", c->rank, err.msg);
    }
    st = c->ops->connect(c->ctx, 1 - c->rank, &c->ep, &err);
    if (st == TP_OK)
        return conf_say(c, CONF_FAIL, "rank %d: connected to a peer with another run's secret",
                        c->rank);
    c->ep = NULL;
    if (err.msg[0] == '\0' || conf_now() - t0 > CONF_FAULT_BOUND_S)
        return conf_say(c, CONF_FAIL, "rank %d: refused (%s) without a line or too late",
                        c->rank, tp_status_string(st));
    return conf_say(c, CONF_PASS, "another run's peer refused on both sides: \"%s\"", err.msg);
}

/* One short session: open, a small checked transfer, close. */
static enum conf_verdict session(struct conf *c)
{
    struct conf_ring r;
    struct th_verify v = {.seed = 9};
    struct tp_error err = {0};
    enum conf_verdict res = conf_open(c, CONF_NORMAL_TIMEOUT_S, c->secret);

    if (res != CONF_PASS || (res = conf_ring_alloc(c, &r, NULL, 3 * 65536)) != CONF_PASS)
        return res;
    struct tp_xfer x = {.buf = &r.buf, .msg_size = 65536, .bytes = 8 * 65536, .hook_arg = &v};
    x.fill = c->rank == 0 ? th_fill : NULL;
    x.check = c->rank == 1 ? th_check : NULL;
    tp_status_t st = c->rank == 0 ? c->ops->stream_send(c->ep, &x, &err)
                                  : c->ops->stream_recv(c->ep, &x, &err);
    conf_ring_free(c, &r);
    conf_close(c);
    if (st != TP_OK)
        return conf_say(c, CONF_FAIL, "rank %d: transfer: %s", c->rank, err.msg);
    return CONF_PASS;
}

static enum conf_verdict case_teardown(struct conf *c)
{
    enum conf_verdict res = session(c);     /* the first may open lasting things */
    int fds = conf_count_fds(), threads = conf_count_threads();

    for (int i = 0; res == CONF_PASS && i < 3; i++)
        res = session(c);
    if (res != CONF_PASS)
        return res;
    int fds2 = conf_count_fds(), threads2 = conf_count_threads();
    if (fds2 != fds || threads2 != threads)
        return conf_say(c, CONF_FAIL, "rank %d: after 3 more sessions %d descriptors and %d "
                        "threads (were %d and %d)", c->rank, fds2, threads2, fds, threads);
    return conf_say(c, CONF_PASS, "3 sessions (init, connect, transfer, disconnect, finalize) "
                    "left %d descriptors and %d threads as before", fds2, threads2);
}

const struct conf_case conf_fault_cases[] = {
    {"check_failure", "a receiver's failed check ends the transfer with its status, both "
                      "sides return", case_check_fails},
    {"silent_peer", "a peer that stops taking part times out (--timeout), both directions",
     case_silent},
    {"dead_peer", "a peer that closes its end is an error, not a hang, both directions",
     case_dead},
    {"stranger", "a peer of another run (other secret) is refused (TP_CAP_PEER_AUTH)",
     case_stranger},
    {"teardown", "sessions leave no descriptor or thread behind", case_teardown},
    {NULL, NULL, NULL},
};
