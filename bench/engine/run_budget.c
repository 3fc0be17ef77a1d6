/* run_budget.c: how long a round may take before a rank waiting at its end
 * gives up (see run.h).  Deliberately loose: it only has to end a hang. */
#include "run.h"
#include "timing.h"

#define FLOOR_BPS 12.5e6        /* 0.1 Gbit/s */

static double xfer_s(uint64_t bytes)
{
    return (double)bytes / FLOOR_BPS + 1.0;
}

static double step_s(const struct run_opts *o, uint64_t size, uint64_t ring_bytes)
{
    uint64_t slots = size ? ring_bytes / size : 1;
    uint64_t window = (uint64_t)(o->cfg.tx_depth > 1 ? o->cfg.tx_depth : 1);
    double s = 2 * o->cfg.timeout_s;

    if (slots >= 1 && window > slots)
        window = slots;
    s += xfer_s(timing_warmup_msgs(o->warmup, size) * size);
    if (o->stream_bytes > 0)
        return s + xfer_s(o->stream_bytes) * 1.5;
    if (!o->no_bw) {
        if (o->iters)
            s += xfer_s(o->iters * size);
        else
            s += o->duration_s * 1.5 + 2 * xfer_s(window * size);
    }
    if (!o->no_lat) {
        double rtt = 2 * xfer_s(size) - 1.0 + 0.001;
        s += (double)(timing_lat_calibration(size) + 2) * rtt;
        s += o->lat_iters_given ? (double)o->lat_iters * rtt : TIMING_LAT_BUDGET_S * 2;
    }
    return s;
}

double run_round_budget_s(const struct run_opts *o, uint64_t ring_bytes)
{
    double s = 3 * o->cfg.timeout_s;

    if (o->stream_bytes > 0)
        s += step_s(o, run_opts_stream_chunk(o), ring_bytes);
    else
        for (size_t i = 0; i < o->nsizes; i++)
            s += step_s(o, o->sizes[i], ring_bytes);
    /* a rank may hold two pairs of a round (allpairs: both directions) */
    return 2 * s;
}
