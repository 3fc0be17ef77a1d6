/* run_budget.c: how long a (pair, size) step and a round may take before
 * the ranks waiting for them give up (see run.h).  Each transfer of a step
 * is bounded by what it should take at the rate measured so far plus
 * --timeout (pair_limit), the automatic warm-up and latency phases by time,
 * the bandwidth phase by --duration: so a step's bound is its planned time
 * plus a few --timeout, whatever the link.  Only volumes the user fixed
 * (--iters, --lat-iters, --warmup N, --size) and the first transfer, before
 * any rate is known, are counted at the floor of 0.1 Gbit/s. */
#include "run.h"
#include "timing.h"

static double at_floor_s(double bytes)
{
    return bytes / TIMING_FLOOR_BPS;
}

static double timeout_or_default(const struct run_opts *o)
{
    return o->cfg.timeout_s > 0 ? o->cfg.timeout_s : 60;
}

/* The planned time of a step of `size`-byte messages, generously. */
static double planned_s(const struct run_opts *o, uint64_t size, uint64_t ring_bytes)
{
    /* the first transfer: the window, within the ring (at least a message) */
    double window = (double)(o->cfg.tx_depth > 1 ? o->cfg.tx_depth : 1) * (double)size;
    double ring = (double)(ring_bytes > size ? ring_bytes : size);
    double s = 2 * at_floor_s(window < ring ? window : ring);

    if (o->warmup > 0)
        s += 2 * at_floor_s((double)timing_warmup_msgs(o->warmup, size) * (double)size);
    else
        s += TIMING_WARMUP_MAX_S + 2 * TIMING_WARMUP_CHUNK_S;
    if (o->stream_bytes > 0)
        return s + 2 * at_floor_s((double)o->stream_bytes);
    if (!o->no_bw)
        s += o->iters ? 2 * at_floor_s((double)(o->iters * size))
                      : o->duration_s + 2 * timing_batch_s(o->duration_s, 0);
    if (!o->no_lat) {
        double rtt = 2 * at_floor_s((double)size) + 0.001;
        s += 2 * (double)timing_lat_calibration(size) * rtt;
        s += o->lat_iters_given ? 2 * (double)o->lat_iters * rtt : 2 * TIMING_LAT_BUDGET_S;
    }
    return s;
}

double run_step_bound_s(const struct run_opts *o, uint64_t ring_bytes)
{
    double worst = 0;
    size_t n = o->stream_bytes > 0 ? 1 : o->nsizes;

    for (size_t i = 0; i < n; i++) {
        uint64_t size = o->stream_bytes > 0 ? run_opts_stream_chunk(o) : o->sizes[i];
        double s = planned_s(o, size, ring_bytes);
        if (s > worst)
            worst = s;
    }
    /* connection and control exchanges, and the one transfer that stalls */
    return worst + 6 * timeout_or_default(o) + 1;
}

double run_round_budget_s(const struct run_opts *o, uint64_t ring_bytes)
{
    size_t n = o->stream_bytes > 0 ? 1 : o->nsizes;

    /* a rank may hold two pairs of a round (allpairs: both directions) */
    return 2 * (double)n * run_step_bound_s(o, ring_bytes);
}
