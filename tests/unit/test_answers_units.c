/* test_answers_units.c: the quantities the answer commands read and print
 * (answers/ans_units.h) and the model-download arithmetic (ans_estimate.h):
 * bits versus bytes, SI versus binary prefixes, and errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "answers/ans_estimate.h"
#include "answers/ans_sizes.h"
#include "answers/ans_units.h"
#include "ans_test_util.h"

static double bw(const char *text)
{
    double v = -1;
    struct tp_error err = {0};
    cr_assert_eq(ans_parse_bandwidth(text, &v, &err), TP_OK, "%s: %s", text, err.msg);
    return v;
}

static double size(const char *text)
{
    double v = -1;
    struct tp_error err = {0};
    cr_assert_eq(ans_parse_size(text, &v, &err), TP_OK, "%s: %s", text, err.msg);
    return v;
}

static double dur(const char *text)
{
    double v = -1;
    struct tp_error err = {0};
    cr_assert_eq(ans_parse_duration(text, &v, &err), TP_OK, "%s: %s", text, err.msg);
    return v;
}

Test(units, bandwidth_bits_and_bytes)
{
    cr_assert_float_eq(bw("25Gbit/s"), 25.0, 1e-12);
    cr_assert_float_eq(bw("25Gbps"), 25.0, 1e-12);
    cr_assert_float_eq(bw("100Mbit/s"), 0.1, 1e-12);
    cr_assert_float_eq(bw("400 kbit/s"), 0.0004, 1e-15);
    cr_assert_float_eq(bw("1Tbit/s"), 1000.0, 1e-9);
    /* bytes: 3 GB/s = 24 Gbit/s (SI, 10^9 byte) */
    cr_assert_float_eq(bw("3GB/s"), 24.0, 1e-12);
    cr_assert_float_eq(bw("1.5 GBps"), 12.0, 1e-12);
    cr_assert_float_eq(bw("12.5"), 12.5, 1e-12);   /* bare number: Gbit/s */
}

Test(units, bandwidth_errors_name_the_text)
{
    static const char *const bad[] = {"", "fast", "25 furlongs", "-5Gbit/s", "25Gbit/h",
                                      "25Xbit/s", "nan", "inf Gbit/s", "25 Gbit/s extra"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tp_error err = {0};
        double v = 7;
        cr_assert_neq(ans_parse_bandwidth(bad[i], &v, &err), TP_OK, "'%s' accepted", bad[i]);
        cr_assert_eq(v, 7, "output written on error for '%s'", bad[i]);
        cr_assert(strstr(err.msg, "not understood") != NULL, "%s", err.msg);
        cr_assert(strstr(err.msg, bad[i]) != NULL, "message does not quote '%s': %s", bad[i],
                  err.msg);
    }
    struct tp_error err = {0};
    double v;
    cr_assert_neq(ans_parse_bandwidth(NULL, &v, &err), TP_OK);
}

Test(units, sizes_si_and_binary)
{
    cr_assert_float_eq(size("140GB"), 140e9, 1);
    cr_assert_float_eq(size("140GiB"), 140.0 * 1024 * 1024 * 1024, 1);
    cr_assert_float_eq(size("4G"), 4.0 * 1024 * 1024 * 1024, 1);   /* as `tierperf run` */
    cr_assert_float_eq(size("1M"), 1048576, 1e-9);
    cr_assert_float_eq(size("64KB"), 64000, 1e-9);
    cr_assert_float_eq(size("64k"), 65536, 1e-9);
    cr_assert_float_eq(size("2TB"), 2e12, 1);
    cr_assert_float_eq(size("512"), 512, 1e-9);
    cr_assert_float_eq(size("512B"), 512, 1e-9);
}

Test(units, size_errors)
{
    static const char *const bad[] = {"", "GB", "10 GBs", "10XB", "-1GB", "10Gb/s", "1e400"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tp_error err = {0};
        double v;
        cr_assert_neq(ans_parse_size(bad[i], &v, &err), TP_OK, "'%s' accepted", bad[i]);
        cr_assert(strstr(err.msg, "size '") != NULL, "%s", err.msg);
    }
}

Test(units, durations)
{
    cr_assert_float_eq(dur("60s"), 60, 1e-12);
    cr_assert_float_eq(dur("60"), 60, 1e-12);
    cr_assert_float_eq(dur("500ms"), 0.5, 1e-12);
    cr_assert_float_eq(dur("50us"), 50e-6, 1e-15);
    cr_assert_float_eq(dur("2m"), 120, 1e-12);
    cr_assert_float_eq(dur("2min"), 120, 1e-12);
    cr_assert_float_eq(dur("1h"), 3600, 1e-12);
    static const char *const bad[] = {"", "0s", "0", "-1s", "5 parsecs", "s", "1d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tp_error err = {0};
        double v;
        cr_assert_neq(ans_parse_duration(bad[i], &v, &err), TP_OK, "'%s' accepted", bad[i]);
        cr_assert(strstr(err.msg, "must be > 0") != NULL, "%s", err.msg);
    }
}

Test(units, percent)
{
    struct tp_error err = {0};
    double v;
    cr_assert_eq(ans_parse_percent("30%", &v, &err), TP_OK);
    cr_assert_float_eq(v, 30, 1e-12);
    cr_assert_eq(ans_parse_percent("12.5", &v, &err), TP_OK);
    cr_assert_float_eq(v, 12.5, 1e-12);
    cr_assert_neq(ans_parse_percent("30 percent", &v, &err), TP_OK);
    cr_assert_neq(ans_parse_percent("2000%", &v, &err), TP_OK);
    cr_assert_neq(ans_parse_percent("-5%", &v, &err), TP_OK);
}

/* The published example: 10 GB x 10 downloads in 60 s.  That is 1.67 GB/s,
 * i.e. 13.3 Gbit/s, not "1.6 Gbps". */
Test(units, estimate_published_example)
{
    double need = ans_need_gbit(size("10GB"), 10, dur("60s"), 0);
    char buf[32];
    cr_assert_float_eq(need, 40.0 / 3.0, 1e-9);
    cr_assert_float_eq(need / 8, 1.6667, 1e-4);   /* GB/s */
    cr_assert_str_eq(ans_fmt_gbit(need, buf, sizeof(buf)), "13.3 Gbit/s");
    /* headroom multiplies: 30% -> x1.3 */
    cr_assert_float_eq(ans_need_gbit(10e9, 10, 60, 30), 40.0 / 3.0 * 1.3, 1e-9);
    /* and back: 10 copies of 10 GB through 13.33 Gbit/s take 60 s */
    cr_assert_float_eq(ans_transfer_seconds(10e9, 10, need), 60, 1e-9);
    cr_assert(isinf(ans_transfer_seconds(10e9, 10, 0)));
    cr_assert(isnan(ans_need_gbit(10e9, 10, 0, 0)));
}

Test(units, formatting)
{
    char buf[32];
    cr_assert_str_eq(ans_fmt_gbit(0.85, buf, sizeof(buf)), "850 Mbit/s");
    cr_assert_str_eq(ans_fmt_gbit(1500, buf, sizeof(buf)), "1.5 Tbit/s");
    cr_assert_str_eq(ans_fmt_gbit(NAN, buf, sizeof(buf)), "-");
    cr_assert_str_eq(ans_fmt_bytes(140e9, buf, sizeof(buf)), "140 GB");
    cr_assert_str_eq(ans_fmt_seconds(1.5, buf, sizeof(buf)), "1.5 s");
    cr_assert_str_eq(ans_fmt_seconds(0.25, buf, sizeof(buf)), "250 ms");
    cr_assert_str_eq(ans_fmt_seconds(600, buf, sizeof(buf)), "10 min");
    cr_assert_str_eq(ans_fmt_msgsize(4096, buf, sizeof(buf)), "4 KiB");
    cr_assert_str_eq(ans_fmt_msgsize(1048576, buf, sizeof(buf)), "1 MiB");
    cr_assert_str_eq(ans_fmt_msgsize(1000, buf, sizeof(buf)), "1000 B");
}

Test(units, message_sizes_for_size_options)
{
    struct tp_error err = {0};
    long long v = 0;
    cr_assert_eq(ans_parse_msgsize("4MiB", &v, &err), TP_OK);
    cr_assert_eq(v, 4194304);
    cr_assert_eq(ans_parse_msgsize("64KB", &v, &err), TP_OK);
    cr_assert_eq(v, 64000);
    static const char *const bad[] = {"0", "0.5", "1e300", "1.5", "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 7;
        cr_assert_neq(ans_parse_msgsize(bad[i], &v, &err), TP_OK, "'%s' accepted", bad[i]);
        cr_assert_eq(v, 7);
        cr_assert(strstr(err.msg, bad[i]), "%s", err.msg);
    }
}

/* A --size the run never measured: one line listing what it did measure. */
Test(units, size_require_lists_measured_sizes)
{
    struct tp_error err = {0};
    cJSON *run = load_fixture("threshold.json");
    cr_assert_eq(ans_size_require(run, 65536, "t.json", &err), TP_OK);
    cr_assert_eq(ans_size_require(run, 1 << 20, "t.json", &err), TP_ERR_INVALID);
    cr_assert_str_eq(err.msg, "--size 1 MiB was not measured in t.json; measured sizes: 8 B, "
                              "64 KiB, 4 MiB");
    cJSON_Delete(run);
    run = parse_run("{\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\",\"size_bytes\":64,"
                    "\"error\":\"reset\"}]}");
    cr_assert_eq(ans_size_require(run, 64, "e.json", &err), TP_ERR_INVALID);
    cr_assert_str_eq(err.msg, "--size 64 B was not measured in e.json; measured sizes: none");
    cJSON_Delete(run);
}
