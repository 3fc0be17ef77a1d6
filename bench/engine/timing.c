/* timing.c: clock and message-count arithmetic (see timing.h). */
#include "timing.h"

#include "../cli/run_opts.h"

#include <math.h>
#include <time.h>

uint64_t timing_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

double timing_now_s(void)
{
    return (double)timing_now_ns() * 1e-9;
}

uint64_t timing_batch_msgs(double rate_Bps, uint64_t msg_size, int tx_depth, uint64_t nslots,
                           double target_s, uint64_t left)
{
    uint64_t min = tx_depth > 1 ? (uint64_t)tx_depth : 1;

    /* the window cannot hold more messages than the ring has slots */
    if (nslots >= 1 && min > nslots)
        min = nslots;
    uint64_t n = min;
    if (rate_Bps > 0 && msg_size > 0 && target_s > 0) {
        double want = floor(rate_Bps * target_s / (double)msg_size);
        if (want > 1e12)
            want = 1e12;
        if (want > (double)n)
            n = (uint64_t)want;
    }
    if (left > 0 && n > left)
        n = left;
    return n ? n : 1;
}

double timing_batch_s(double duration_s, double elapsed_s)
{
    double s = duration_s / TIMING_BATCHES_PER_RUN, left = duration_s - elapsed_s;

    if (duration_s <= 0)
        return TIMING_BATCH_TARGET_S;
    if (s > TIMING_BATCH_MAX_S)
        s = TIMING_BATCH_MAX_S;
    if (s > left)
        s = left;
    return s < TIMING_BATCH_TARGET_S ? TIMING_BATCH_TARGET_S : s;
}

double timing_run_batch_s(const struct run_opts *o, double elapsed_s)
{
    return timing_batch_s(o->iters ? 0 : o->duration_s, elapsed_s);
}

uint64_t timing_warmup_msgs(uint64_t requested, uint64_t msg_size)
{
    uint64_t n, cap;

    if (msg_size == 0)
        msg_size = 1;
    if (requested == 0) {
        n = TIMING_WARMUP_BYTES / msg_size;
        if (n < 16)
            n = 16;
        if (n > 4096)
            n = 4096;
    } else {
        n = requested;
    }
    cap = TIMING_WARMUP_MAX_BYTES / msg_size;
    if (n > cap)
        n = cap;
    return n ? n : 1;
}

uint64_t timing_lat_iters(double rtt_s, uint64_t max_iters, double budget_s, int exact)
{
    uint64_t n = max_iters ? max_iters : 1;

    if (exact)
        return n;
    if (rtt_s > 0 && budget_s > 0) {
        double fit = floor(budget_s / rtt_s);
        if (fit < (double)n)
            n = fit < 1 ? 1 : (uint64_t)fit;
    }
    return n;
}

uint64_t timing_lat_calibration(uint64_t msg_size)
{
    if (msg_size >= (1u << 20))
        return 1;
    return msg_size >= (64u << 10) ? 4 : 16;
}

double timing_unit_limit_s(double bytes, double rate_Bps, double timeout_s)
{
    if (timeout_s <= 0)
        return 0;
    if (rate_Bps <= 0)
        rate_Bps = TIMING_FLOOR_BPS;
    return 2 * bytes / rate_Bps + timeout_s;
}

void timing_nap_s(double s)
{
    struct timespec ts = {0, (long)(s * 1e9)};

    nanosleep(&ts, NULL);
}

double timing_xfer_s(uint64_t wall_ns, uint64_t span_ns)
{
    return (double)(span_ns > 0 && span_ns <= wall_ns ? span_ns : wall_ns) * 1e-9;
}

double timing_gbit_s(uint64_t bytes, double seconds)
{
    return seconds > 0 ? (double)bytes * 8.0 / seconds / 1e9 : 0.0;
}
