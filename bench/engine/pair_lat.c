/* pair_lat.c: the latency phase of a (pair, size): a few calibration round
 * trips, then as many as fit the time budget (TIMING_LAT_BUDGET_S) up to
 * --lat-iters (exactly --lat-iters when given); one-way latency = half
 * the round trip, summarised by stats.h.  Each set of round trips is
 * bounded by pair_limit: the calibration as if at 0.1 Gbit/s, the rest by
 * the round trip measured (the sender tells the receiver), plus --timeout. */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "timing.h"

/* err holds the transport's line (transport.h): it goes at the end. */
static tp_status_t pingpong_failed(const struct pair_ctx *pc, tp_status_t st, uint64_t size,
                                   struct tp_error *err)
{
    char why[sizeof(err->msg)];

    snprintf(why, sizeof(why), "%s", err != NULL && err->msg[0] ? err->msg : tp_status_string(st));
    return tp_error_set(err, st, "ping-pong of %llu bytes with rank %d failed: %s",
                        (unsigned long long)size, pc->peer, why);
}

tp_status_t pair_latency(struct pair_ctx *pc, uint64_t size, struct result_row *r,
                         struct tp_error *err)
{
    struct bench_engine *e = pc->e;
    const struct run_opts *o = e->o;
    uint64_t cal = timing_lat_calibration(size);
    uint64_t cap = o->lat_iters > cal ? o->lat_iters : cal;
    uint64_t *rtt = NULL;
    struct pair_sync out = {0}, in = {0};
    tp_status_t st;

    if (pc->sender && (rtt = malloc(cap * sizeof(*rtt))) == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for %llu latency samples",
                            (unsigned long long)cap);
    pair_limit(pc, 2.0 * (double)(cal * size) + 0.001 * TIMING_FLOOR_BPS * (double)cal, 0);
    st = e->ops->pingpong(pc->ep, &e->bufs[0], size, cal, pc->sender, rtt, err);
    pair_unlimit();
    if (st != TP_OK) {
        free(rtt);
        return pingpong_failed(pc, st, size, err);
    }
    if (pc->sender) {
        uint64_t sum = 0;
        for (uint64_t i = 0; i < cal; i++)
            sum += rtt[i];
        out.value = timing_lat_iters((double)sum / (double)cal * 1e-9, o->lat_iters,
                                     TIMING_LAT_BUDGET_S, o->lat_iters_given);
        /* what the round trips should take, in ns */
        out.value2 = (uint64_t)((double)sum / (double)cal * (double)out.value);
    }
    if ((st = pair_sync(pc, &out, &in, err)) != TP_OK) {
        free(rtt);
        return st;
    }
    uint64_t iters = pc->sender ? out.value : in.value;
    /* expected time as bytes at 1 B/s: the limit is then 2x it + --timeout */
    pair_limit(pc, (double)(pc->sender ? out.value2 : in.value2) * 1e-9, 1.0);
    st = e->ops->pingpong(pc->ep, &e->bufs[0], size, iters, pc->sender, rtt, err);
    pair_unlimit();
    if (st != TP_OK) {
        free(rtt);
        return pingpong_failed(pc, st, size, err);
    }
    if (pc->sender) {
        stats_latency_from_rtt(rtt, (size_t)iters, &r->lat);
        r->has_lat = 1;
    }
    free(rtt);
    return TP_OK;
}
