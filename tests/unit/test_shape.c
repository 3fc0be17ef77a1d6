/* test_shape.c: the traffic-shape building blocks (bench/engine/shape.h) over the
 * real TCP transport between two processes: the chain relay's chunk and
 * slot bookkeeping (every byte arrives at its offset through a small ring;
 * a planted corruption is reported at its offset), repeated concurrent
 * transfers whose offsets continue, and a stoppable background flow. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/engine/shape.h"
#include "transport_harness.h"

#define CHUNK (64u << 10)
#define MSG (16u << 10)
#define TOTAL ((1u << 20) + 123u)      /* 17 chunks, the last one short */
#define PLANTED 700001u                /* offset the corrupting sender spoils */

struct relay_case {
    int corrupt;                /* the head spoils byte PLANTED */
};

static tp_status_t corrupting_fill(void *arg, void *buf, size_t len, uint64_t offset)
{
    tp_status_t st = th_fill(arg, buf, len, offset);
    if (offset <= PLANTED && PLANTED < offset + len)
        ((uint8_t *)buf)[PLANTED - offset] ^= 0x5a;
    return st;
}

/* rank 0 heads the chain, rank 1 is its tail; a 3-chunk ring each */
static int relay_role(struct th_peer *p)
{
    const struct relay_case *rc = p->arg;
    struct tp_buf buf = {.len = 3 * CHUNK};
    struct th_verify v = {.seed = 7};

    if ((buf.addr = malloc(buf.len)) == NULL || th_open(p) != TP_OK)
        return 10;
    struct tp_xfer x = {.buf = &buf, .msg_size = MSG, .bytes = TOTAL, .hook_arg = &v};
    if (p->rank == 0)
        x.fill = rc->corrupt ? corrupting_fill : th_fill;
    else
        x.check = th_check;
    double secs = 0;
    struct tp_error err = {0};
    tp_status_t st = shape_relay(p->ops, p->rank == 0 ? NULL : p->ep,
                                 p->rank == 0 ? p->ep : NULL, &x, CHUNK, &secs, &err);
    int rc_out = 0;
    if (p->rank == 1) {
        if (rc->corrupt)
            /* the failure comes back once, in err, naming the receiving side */
            rc_out = st == TP_ERR_VERIFY && v.bad && v.bad_offset == PLANTED &&
                             strncmp(err.msg, "receive: ", 9) == 0 ? 0 : 20;
        else
            rc_out = st == TP_OK && !v.bad && v.bytes == TOTAL && secs > 0 ? 0 : 21;
        if (rc_out)
            fprintf(stderr, "tail: %s (%s), bad %d at %llu, %llu bytes\n",
                    tp_status_string(st), err.msg, v.bad, (unsigned long long)v.bad_offset,
                    (unsigned long long)v.bytes);
    } else if (!rc->corrupt && (st != TP_OK || v.bytes != TOTAL)) {
        rc_out = 22;
    }
    th_close(p);
    free(buf.addr);
    return rc_out;
}

Test(shape, relay_streams_every_byte_through_a_small_ring, .timeout = 120)
{
    struct relay_case rc = {0};
    struct tp_config cfg = th_tcp_config(1, 0x5eed5eedull);
    int child = -1;
    cr_assert_eq(th_run_pair(th_transport("tcp"), &cfg, relay_role, relay_role, &rc, 0, &child), 0);
    cr_assert_eq(child, 0, "tail failed with %d", child);
}

Test(shape, relay_reports_a_planted_corruption_at_its_offset, .timeout = 120)
{
    struct relay_case rc = {.corrupt = 1};
    struct tp_config cfg = th_tcp_config(1, 0x5eed5eedull);
    int child = -1;
    /* the head may see the tail's failure as a peer error: only the tail's
     * verdict is asserted */
    th_run_pair(th_transport("tcp"), &cfg, relay_role, relay_role, &rc, 0, &child);
    cr_assert_eq(child, 0, "tail did not report byte %u as bad (%d)", PLANTED, child);
}

#define REPEAT 5
#define BYTES (200u << 10)

/* rank 0 sends REPEAT transfers from one thread per peer; offsets go on */
static int repeat_role(struct th_peer *p)
{
    struct tp_buf buf = {.len = 2 * MSG};
    struct th_verify v = {.seed = 3};
    uint64_t times[REPEAT] = {0};

    if ((buf.addr = malloc(buf.len)) == NULL || th_open(p) != TP_OK)
        return 10;
    struct shape_peer peer = {.ep = p->ep, .repeat = REPEAT};
    struct tp_xfer x = {.buf = &buf, .msg_size = MSG, .bytes = BYTES, .hook_arg = &v};
    if (p->rank == 0) {
        x.fill = th_fill;
        peer.tx = x;
        peer.times_ns = times;
    } else {
        x.check = th_check;
        peer.rx = x;
    }
    double secs = 0;
    tp_status_t st = shape_run_concurrent(p->ops, &peer, 1, p->rank == 0 ? SHAPE_SEND : SHAPE_RECV,
                                          &secs);
    int rc = st == TP_OK && peer.status == TP_OK && !v.bad && v.bytes == REPEAT * BYTES ? 0 : 30;
    /* offsets continue: repetition r's messages start at r * BYTES */
    uint64_t per = (BYTES + MSG - 1) / MSG, n = REPEAT * per, sum = 0;
    for (uint64_t r = 0; r < REPEAT; r++)
        for (uint64_t j = 0; j < per; j++)
            sum += r * BYTES + j * MSG;
    if (v.msgs != n || v.offset_sum != sum)
        rc = 31;
    for (int i = 0; p->rank == 0 && i < REPEAT; i++)
        if (times[i] == 0)
            rc = 32;
    if (secs <= 0 || peer.seconds <= 0 || peer.seconds > secs + 1e-6)
        rc = 33;
    th_close(p);
    free(buf.addr);
    return rc;
}

Test(shape, repeated_transfers_continue_offsets_and_time_each, .timeout = 120)
{
    struct tp_config cfg = th_tcp_config(1, 0x5eed5eedull);
    int child = -1;
    int rc0 = th_run_pair(th_transport("tcp"), &cfg, repeat_role, repeat_role, NULL, 0, &child);
    cr_assert_eq(rc0, 0, "sender failed with %d", rc0);
    cr_assert_eq(child, 0, "receiver failed with %d", child);
}

/* a background flow runs until the sender stops it; both sides count the
 * same bytes */
static int background_role(struct th_peer *p)
{
    struct tp_buf buf = {.len = 4 * MSG};
    struct shape_background *bg = NULL;
    uint64_t mine = 0, theirs = 1;
    double secs = 0;

    if ((buf.addr = malloc(buf.len)) == NULL || th_open(p) != TP_OK)
        return 10;
    struct tp_xfer burst = {.buf = &buf, .msg_size = MSG, .bytes = buf.len};
    if (shape_background_start(p->ops, p->ep, &burst, p->rank == 0, &bg) != TP_OK)
        return 40;
    if (p->rank == 0) {
        struct timespec nap = {0, 200 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    struct tp_error err = {0};
    tp_status_t st = shape_background_stop(bg, &mine, &secs, &err);
    if (p->ctrl.exchange(p->ctrl.arg, 1 - p->rank, &mine, &theirs, sizeof(mine)) != TP_OK)
        return 41;
    th_close(p);
    free(buf.addr);
    if (st != TP_OK || mine == 0 || mine % buf.len != 0 || secs <= 0)
        return 42;
    return mine == theirs ? 0 : 43;
}

Test(shape, background_flow_stops_in_band, .timeout = 120)
{
    struct tp_config cfg = th_tcp_config(1, 0x5eed5eedull);
    int child = -1;
    int rc0 = th_run_pair(th_transport("tcp"), &cfg, background_role, background_role, NULL, 0, &child);
    cr_assert_eq(rc0, 0, "sender side failed with %d", rc0);
    cr_assert_eq(child, 0, "receiver side failed with %d", child);
}
