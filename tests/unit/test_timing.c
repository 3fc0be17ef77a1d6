/* test_timing.c: how many messages the engine times: batches fill the
 * window and aim at the batch target, warm-up stays small for large
 * messages, latency iterations fit the time budget. */
#include <criterion/criterion.h>

#include "bench/engine/timing.h"

Test(timing, batch_is_at_least_the_window)
{
    /* unknown rate: exactly the window */
    cr_assert_eq(timing_batch_msgs(0, 1, 64, 1000, 0.05, 0), 64);
    /* tx_depth 0 or 1: one message */
    cr_assert_eq(timing_batch_msgs(0, 1, 0, 1000, 0.05, 0), 1);
    /* a slow rate still gives the whole window */
    cr_assert_eq(timing_batch_msgs(1000.0, 1 << 20, 16, 64, 0.05, 0), 16);
}

Test(timing, batch_window_is_bounded_by_ring_slots)
{
    cr_assert_eq(timing_batch_msgs(0, 1 << 30, 64, 1, 0.05, 0), 1);
    cr_assert_eq(timing_batch_msgs(0, 1 << 20, 64, 8, 0.05, 0), 8);
}

Test(timing, batch_aims_at_target_time)
{
    /* 1 GB/s, 1 KB messages, 50 ms: 48828 messages of 1024 B */
    uint64_t n = timing_batch_msgs(1e9, 1024, 64, 1u << 16, 0.05, 0);
    cr_assert_eq(n, (uint64_t)(1e9 * 0.05 / 1024));
    /* the batch's duration at that rate is within one message of target */
    double t = (double)n * 1024 / 1e9;
    cr_assert(t <= 0.05 && t > 0.05 - 1024 / 1e9 * 2, "batch lasts %g s", t);
}

Test(timing, batch_never_exceeds_what_is_left)
{
    cr_assert_eq(timing_batch_msgs(1e9, 8, 64, 1000, 0.05, 10), 10);
    cr_assert_eq(timing_batch_msgs(0, 8, 64, 1000, 0.05, 3), 3);
}

Test(timing, batch_length_scales_with_duration)
{
    /* --iters: the shortest batch */
    cr_assert_float_eq(timing_batch_s(0, 0), TIMING_BATCH_TARGET_S, 1e-12);
    /* the default 0.5 s and shorter: 50 ms */
    cr_assert_float_eq(timing_batch_s(0.5, 0), 0.05, 1e-12);
    cr_assert_float_eq(timing_batch_s(0.2, 0), 0.05, 1e-12);
    /* 4 s: ten batches of 0.4 s */
    cr_assert_float_eq(timing_batch_s(4, 0), 0.4, 1e-12);
    cr_assert_float_eq(timing_batch_s(4, 1.5), 0.4, 1e-12);
    /* capped at 1 s */
    cr_assert_float_eq(timing_batch_s(60, 0), TIMING_BATCH_MAX_S, 1e-12);
}

Test(timing, batch_length_ends_at_duration)
{
    /* the last batch fits in what is left of --duration... */
    cr_assert_float_eq(timing_batch_s(4, 3.9), 0.1, 1e-9);
    cr_assert_float_eq(timing_batch_s(60, 59.5), 0.5, 1e-9);
    /* ...but is never shorter than 50 ms, even past the end */
    cr_assert_float_eq(timing_batch_s(4, 3.99), TIMING_BATCH_TARGET_S, 1e-12);
    cr_assert_float_eq(timing_batch_s(4, 5), TIMING_BATCH_TARGET_S, 1e-12);
}

Test(timing, warmup_by_bytes_small_for_large_messages)
{
    /* automatic: 64 MiB worth, 16..4096 messages */
    cr_assert_eq(timing_warmup_msgs(0, 1), 4096);
    cr_assert_eq(timing_warmup_msgs(0, 1 << 20), 64);
    cr_assert_eq(timing_warmup_msgs(0, 16 << 20), 16);
    /* a 1 GiB message: one, not sixteen */
    cr_assert_eq(timing_warmup_msgs(0, 1ull << 30), 1);
    /* explicit count honoured, but capped at 256 MiB worth */
    cr_assert_eq(timing_warmup_msgs(100, 4096), 100);
    cr_assert_eq(timing_warmup_msgs(1000, 1 << 20), 256);
    cr_assert_eq(timing_warmup_msgs(1000, 1ull << 30), 1);
}

Test(timing, latency_iterations_fit_budget)
{
    /* 10 us round trips in 0.3 s: 30000, capped at 10000 */
    cr_assert_eq(timing_lat_iters(10e-6, 10000, 0.3, 0), 10000);
    /* 1 ms round trips: 300 */
    cr_assert_eq(timing_lat_iters(1e-3, 10000, 0.3, 0), 300);
    /* a round trip longer than the budget: still one sample */
    cr_assert_eq(timing_lat_iters(2.0, 10000, 0.3, 0), 1);
    /* explicit --lat-iters: exactly that */
    cr_assert_eq(timing_lat_iters(1e-3, 5000, 0.3, 1), 5000);
    /* unknown round trip: the cap */
    cr_assert_eq(timing_lat_iters(0, 77, 0.3, 0), 77);
}

Test(timing, calibration_shrinks_with_size)
{
    cr_assert(timing_lat_calibration(8) > timing_lat_calibration(1 << 20));
    cr_assert_eq(timing_lat_calibration(1 << 30), 1);
}

Test(timing, gbit_is_si)
{
    cr_assert_float_eq(timing_gbit_s(125000000, 1.0), 1.0, 1e-12);
    cr_assert_float_eq(timing_gbit_s(1, 0), 0.0, 1e-12);
}

Test(timing, clock_is_monotonic)
{
    uint64_t a = timing_now_ns(), b = timing_now_ns();
    cr_assert(b >= a);
}

Test(timing, unit_limit_is_twice_the_expected_time_plus_timeout)
{
    /* 1 MB at 1 MB/s: 2 s, plus --timeout 3 */
    cr_assert_float_eq(timing_unit_limit_s(1e6, 1e6, 3), 5.0, 1e-9);
    /* unknown rate: 0.1 Gbit/s assumed (12.5 MB in 1 s) */
    cr_assert_float_eq(timing_unit_limit_s(12.5e6, 0, 3), 5.0, 1e-9);
    /* no --timeout: no limit */
    cr_assert_float_eq(timing_unit_limit_s(1e6, 1e6, 0), 0.0, 1e-9);
}

Test(timing, transfer_time_is_the_span_when_the_transport_gave_one)
{
    /* 40 ms from first post to last completion inside 50 ms around the
     * call (handshakes): the span */
    cr_assert_float_eq(timing_xfer_s(50000000, 40000000), 0.040, 1e-12);
    /* none given: the wall time */
    cr_assert_float_eq(timing_xfer_s(50000000, 0), 0.050, 1e-12);
    /* a span longer than the call cannot be: the wall time */
    cr_assert_float_eq(timing_xfer_s(50000000, 60000000), 0.050, 1e-12);
}
