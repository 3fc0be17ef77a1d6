/* pair_bw.c: the bandwidth phase of a (pair, size): a warm-up bounded by
 * bytes and (automatic) by TIMING_WARMUP_MAX_S, in chunks; then timed
 * batches (at least the window's worth of messages) until --duration or
 * --iters: a tenth of --duration each, 50 ms to 1 s (timing_batch_s), as
 * every batch ends with the receiver's acknowledgement, so the fewer, the
 * closer the run is to one continuous transfer; and the --size stream: one long transfer
 * through the ring in ~1 s windows, for time to transfer, the slowest and
 * fastest second.  The sender decides every chunk and batch and tells the
 * receiver over the control plane.  Every transfer is bounded by
 * pair_limit: what it should take at the rate seen so far, plus --timeout,
 * so a link that slows to a trickle fails the pair instead of holding it.
 * --verify never
 * slows the timed transfers: they run without the fill/check hooks, and a
 * separate untimed pass afterwards (a lap of the ring) is verified.
 * A sending side times a transfer from its first message posted to its
 * last delivered when the transport can tell (tp_xfer.span_ns, as
 * perftest does), else around the call. */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "timing.h"

#define STREAM_WINDOW_S 1.0

/* One transfer of `bytes` bytes in messages of msg_size, both ways with
 * --bidir; seconds on this side's clock.  rate_Bps: the rate seen so far
 * (0: none yet), for the transfer's time limit.  check: with the --verify
 * hooks (only the untimed verification pass). */
static tp_status_t xfer(struct pair_ctx *pc, uint64_t msg_size, uint64_t bytes, uint64_t offset0,
                        double rate_Bps, double *secs, int check, struct tp_error *err)
{
    struct bench_engine *e = pc->e;
    int bidir = e->o->bidir;
    uint64_t span_ns = 0;
    struct tp_xfer tx = {.buf = &e->bufs[0], .msg_size = msg_size, .bytes = bytes,
                         .offset0 = offset0, .span_ns = bidir ? NULL : &span_ns};
    struct tp_xfer rx = {.buf = &e->bufs[bidir ? 1 : 0], .msg_size = msg_size, .bytes = bytes,
                         .offset0 = offset0};
    tp_status_t st;

    if (check && pc->vtx != NULL) {
        tx.fill = verify_fill;
        tx.hook_arg = pc->vtx;
        rx.check = verify_check;
        rx.hook_arg = pc->vrx;
    }
    pair_limit(pc, (double)bytes, rate_Bps);
    uint64_t t0 = timing_now_ns();
    if (bidir)
        st = e->ops->stream_bidir(pc->ep, &tx, &rx, err);
    else if (pc->sender)
        st = e->ops->stream_send(pc->ep, &tx, err);
    else
        st = e->ops->stream_recv(pc->ep, &rx, err);
    *secs = timing_xfer_s(timing_now_ns() - t0, span_ns);
    pair_unlimit();
    return st;
}

/* err holds the transport's line (transport.h): it goes at the end. */
static tp_status_t xfer_failed(struct pair_ctx *pc, tp_status_t st, const char *what,
                               uint64_t size, struct tp_error *err)
{
    char why[sizeof(err->msg)];

    snprintf(why, sizeof(why), "%s", err != NULL && err->msg[0] ? err->msg : tp_status_string(st));
    return tp_error_set(err, st, "%s of %llu-byte messages %s rank %d failed: %s", what,
                        (unsigned long long)size, pc->sender ? "to" : "from", pc->peer, why);
}

/* Receiver's verdict to the sender (both ways with --bidir): value is
 * 0, or 1 | the byte received << 8 | the byte expected << 16; value2 the
 * first bad offset. */
static tp_status_t verdict(struct pair_ctx *pc, struct result_row *r, struct tp_error *err)
{
    const struct verify_ctx *v = pc->vrx;
    struct pair_sync out = {0}, in = {0};

    if (v == NULL)
        return TP_OK;
    if (v->failed)
        out.value = 1 | (uint64_t)(v->got & 0xff) << 8 | (uint64_t)(v->expected & 0xff) << 16;
    out.value2 = v->first_bad;
    tp_status_t st = pair_sync(pc, &out, &in, err);
    if (st != TP_OK)
        return st;
    if (pc->sender && !in.value && pc->e->o->bidir && v->failed) {
        in.value = out.value;   /* this side's own receive failed (--bidir) */
        in.value2 = out.value2;
    }
    if (pc->sender && in.value) {
        r->verify = ROW_VERIFY_FAILED;
        r->verify_offset = in.value2;
        r->verify_got = (uint32_t)(in.value >> 8 & 0xff);
        r->verify_expected = (uint32_t)(in.value >> 16 & 0xff);
    }
    return TP_OK;
}

static uint64_t ring_slots(const struct bench_engine *e, uint64_t msg_size)
{
    uint64_t n = msg_size ? e->bufs[0].len / msg_size : 1;
    return n ? n : 1;
}

/* --verify: a lap of the ring and one more message (every slot, and the
 * wrap), 2 to 4096 messages, filled and checked, not timed.  The sender
 * says how many. */
static tp_status_t verify_pass(struct pair_ctx *pc, uint64_t msg_size, uint64_t offset,
                               double rate, struct tp_error *err)
{
    struct pair_sync out = {0}, in = {0};
    uint64_t n = ring_slots(pc->e, msg_size) + 1;
    double secs = 0;
    tp_status_t st;

    if (pc->vtx == NULL)
        return TP_OK;
    out.value = n > 4096 ? 4096 : n;
    if ((st = pair_sync(pc, &out, &in, err)) != TP_OK)
        return st;
    n = pc->sender ? out.value : in.value;
    if ((st = xfer(pc, msg_size, n * msg_size, offset, rate, &secs, 1, err)) != TP_OK)
        return xfer_failed(pc, st, "verification pass", msg_size, err);
    return TP_OK;
}

/* The warm-up: --warmup messages (or the automatic volume, stopping
 * after TIMING_WARMUP_MAX_S) from offset0 on, in chunks the sender sizes:
 * the window first, as no rate is known, then about TIMING_WARMUP_CHUNK_S
 * worth.  *moved_p: bytes moved; *rate_p: the rate seen (B/s). */
static tp_status_t warm_up(struct pair_ctx *pc, uint64_t size, uint64_t offset0,
                           uint64_t *moved_p, double *rate_p, struct tp_error *err)
{
    const struct run_opts *o = pc->e->o;
    uint64_t nw = timing_warmup_msgs(o->warmup, size), done = 0;
    double secs = 0, total_s = 0, rate = 0, t0 = timing_now_s();
    tp_status_t st;

    for (;;) {
        struct pair_sync out = {0}, in = {0};
        if (pc->sender) {
            int enough = done >= nw ||
                         (o->warmup == 0 && done > 0 && timing_now_s() - t0 >= TIMING_WARMUP_MAX_S);
            out.value = enough ? 0
                               : timing_batch_msgs(rate, size, o->cfg.tx_depth,
                                                   ring_slots(pc->e, size), TIMING_WARMUP_CHUNK_S,
                                                   nw - done);
        }
        if ((st = pair_sync(pc, &out, &in, err)) != TP_OK)
            return st;
        uint64_t msgs = pc->sender ? out.value : in.value;
        if (msgs == 0)
            break;
        st = xfer(pc, size, msgs * size, offset0 + done * size, rate, &secs, 0, err);
        if (st != TP_OK)
            return xfer_failed(pc, st, "warm-up", size, err);
        done += msgs;
        total_s += secs;
        rate = total_s > 0 ? (double)(done * size) / total_s : rate;
    }
    *moved_p = done * size;
    *rate_p = rate;
    return TP_OK;
}

tp_status_t pair_bandwidth(struct pair_ctx *pc, uint64_t size, struct result_row *r,
                           struct tp_error *err)
{
    const struct run_opts *o = pc->e->o;
    uint64_t offset = 0, msgs_done = 0;
    double secs = 0, total_s = 0, rate = 0;
    tp_status_t st;

    if ((st = warm_up(pc, size, 0, &offset, &rate, err)) != TP_OK)
        return st;
    struct tp_counters before;
    pair_loss_begin(pc, &before);
    for (;;) {
        struct pair_sync out = {0}, in = {0};
        if (pc->sender) {
            uint64_t left = o->iters ? o->iters - msgs_done : 0;
            int done = o->iters ? left == 0 : total_s >= o->duration_s;
            out.value = done ? 0
                             : timing_batch_msgs(rate, size, o->cfg.tx_depth,
                                                 ring_slots(pc->e, size),
                                                 timing_run_batch_s(o, total_s), left);
        }
        if ((st = pair_sync(pc, &out, &in, err)) != TP_OK)
            return st;
        uint64_t msgs = pc->sender ? out.value : in.value;
        if (msgs == 0)
            break;
        if ((st = xfer(pc, size, msgs * size, offset, rate, &secs, 0, err)) != TP_OK)
            return xfer_failed(pc, st, "bandwidth transfer", size, err);
        offset += msgs * size;
        msgs_done += msgs;
        total_s += secs;
        rate = total_s > 0 ? (double)(msgs_done * size) / total_s : rate;
    }
    r->has_bw = 1;
    r->iters = msgs_done;
    r->bytes_total = msgs_done * size * (o->bidir ? 2 : 1);
    r->seconds = total_s;
    if ((st = pair_loss_end(pc, &before, &r->loss, err)) != TP_OK)
        return st;
    if ((st = verify_pass(pc, size, offset, rate, err)) != TP_OK)
        return st;
    return verdict(pc, r, err);
}

tp_status_t pair_stream(struct pair_ctx *pc, struct result_row *r, struct tp_error *err)
{
    struct bench_engine *e = pc->e;
    const struct run_opts *o = e->o;
    uint64_t chunk = run_opts_stream_chunk(o), total = o->stream_bytes, moved = 0, msgs = 0;
    uint64_t warmed = 0;
    double secs = 0, rate = 0, slowest = 0, fastest = 0;
    tp_status_t st;

    /* warm-up and the verification pass use their own offsets past the
     * transfer's */
    if ((st = warm_up(pc, chunk, total, &warmed, &rate, err)) != TP_OK)
        return st;
    struct tp_counters before;
    pair_loss_begin(pc, &before);
    double t0 = timing_now_s();
    r->windows = 0;
    for (;;) {
        struct pair_sync out = {0}, in = {0};
        if (pc->sender && moved < total) {
            uint64_t left_msgs = (total - moved + chunk - 1) / chunk;
            uint64_t n = timing_batch_msgs(rate, chunk, o->cfg.tx_depth, ring_slots(e, chunk),
                                           STREAM_WINDOW_S, left_msgs);
            out.value = n * chunk < total - moved ? n * chunk : total - moved;
        }
        if ((st = pair_sync(pc, &out, &in, err)) != TP_OK)
            return st;
        uint64_t bytes = pc->sender ? out.value : in.value;
        if (bytes == 0)
            break;
        if ((st = xfer(pc, chunk, bytes, moved, rate, &secs, 0, err)) != TP_OK)
            return xfer_failed(pc, st, "streamed transfer", chunk, err);
        double g = secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0;
        if (r->windows == 0 || g < slowest)
            slowest = g;
        if (g > fastest)
            fastest = g;
        r->windows++;
        moved += bytes;
        msgs += (bytes + chunk - 1) / chunk;
        double el = timing_now_s() - t0;
        rate = el > 0 ? (double)moved / el : rate;
        if (e->prog != NULL)
            progress_stream(e->prog, moved, total, rate);
    }
    r->stream_s = timing_now_s() - t0;
    r->has_bw = 1;
    r->iters = msgs;
    r->bytes_total = total * (o->bidir ? 2 : 1);
    r->seconds = r->stream_s;
    r->slowest_gbit_s = slowest;
    r->fastest_gbit_s = fastest;
    if ((st = pair_loss_end(pc, &before, &r->loss, err)) != TP_OK)
        return st;
    if ((st = verify_pass(pc, chunk, total + warmed, rate, err)) != TP_OK)
        return st;
    return verdict(pc, r, err);
}
