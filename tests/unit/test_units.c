/* test_units.c: sizes (binary and SI suffixes), sweeps, formatting, and
 * every error path with its one-line message naming the value. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/units.h"

static uint64_t size_ok(const char *text)
{
    struct tp_error err = {0};
    uint64_t bytes = 12345;
    cr_assert_eq(units_parse_size(text, &bytes, &err), TP_OK, "'%s': %s", text, err.msg);
    return bytes;
}

static void size_bad(const char *text, const char *expect)
{
    struct tp_error err = {0};
    uint64_t bytes = 12345;
    cr_assert_eq(units_parse_size(text, &bytes, &err), TP_ERR_INVALID, "'%s' accepted", text);
    cr_assert_eq(bytes, 12345, "output written on error");
    cr_assert(strstr(err.msg, expect) != NULL, "'%s': message '%s' lacks '%s'", text, err.msg,
              expect);
    cr_assert(strchr(err.msg, '\n') == NULL);
}

Test(units, sizes_binary_si_bytes)
{
    cr_assert_eq(size_ok("0"), 0);
    cr_assert_eq(size_ok("64"), 64);
    cr_assert_eq(size_ok("64B"), 64);
    cr_assert_eq(size_ok("4K"), 4096);
    cr_assert_eq(size_ok("4k"), 4096);
    cr_assert_eq(size_ok("4KiB"), 4096);
    cr_assert_eq(size_ok("4 KiB"), 4096);
    cr_assert_eq(size_ok("4KB"), 4000);
    cr_assert_eq(size_ok("4kB"), 4000);
    cr_assert_eq(size_ok("1M"), 1048576);
    cr_assert_eq(size_ok("1MB"), 1000000);
    cr_assert_eq(size_ok("1MiB"), 1048576);
    cr_assert_eq(size_ok("1G"), 1073741824ULL);
    cr_assert_eq(size_ok("1GB"), 1000000000ULL);
    cr_assert_eq(size_ok("2T"), 2ULL << 40);
    cr_assert_eq(size_ok("2TB"), 2000000000000ULL);
    cr_assert_eq(size_ok("1.5K"), 1536);
    cr_assert_eq(size_ok("1.5 GiB"), 1610612736ULL);
    cr_assert_eq(size_ok("0.5KB"), 500);
    cr_assert_eq(size_ok("18446744073709551615"), UINT64_MAX);
    cr_assert_eq(size_ok("16777215T"), 16777215ULL << 40);
}

Test(units, size_errors_name_the_value)
{
    size_bad(NULL, "empty");
    size_bad("", "empty");
    size_bad("K", "'K': not a number");
    size_bad("-1", "'-1': not a number");
    size_bad(" 4K", "not a number");
    size_bad(".5K", "not a number");
    size_bad("4X", "'4X': unknown unit 'X'");
    size_bad("4Kb", "unknown unit 'Kb'");
    size_bad("4b", "unknown unit 'b'");
    size_bad("4  K", "unknown unit");
    size_bad("4K ", "unknown unit");
    size_bad("4KK", "unknown unit");
    size_bad("1e6", "unknown unit 'e6'");
    size_bad("0x10", "unknown unit 'x10'");
    size_bad("4.", "'4.': no digits after '.'");
    size_bad("1.5", "'1.5': not a whole number of bytes");
    size_bad("0.1K", "not a whole number");
    size_bad("1.0000000001K", "too many decimals");
    size_bad("18446744073709551616", "'18446744073709551616': too large");
    size_bad("99999999999999999999999999", "too large");
    size_bad("16777216T", "'16777216T': too large");
    size_bad("18446744073709551615.5K", "too large");
    size_bad("20000000000GB", "too large");
}

static size_t sweep_ok(const char *text, uint64_t **v)
{
    struct tp_error err = {0};
    size_t n = 0;
    cr_assert_eq(units_parse_sweep(text, v, &n, &err), TP_OK, "'%s': %s", text, err.msg);
    return n;
}

static void sweep_bad(const char *text, const char *expect)
{
    struct tp_error err = {0};
    uint64_t *v = NULL;
    size_t n = 77;
    cr_assert_eq(units_parse_sweep(text, &v, &n, &err), TP_ERR_INVALID, "'%s' accepted", text);
    cr_assert_null(v);
    cr_assert_eq(n, 77);
    cr_assert(strstr(err.msg, expect) != NULL, "'%s': message '%s' lacks '%s'", text, err.msg,
              expect);
}

Test(units, sweep_powers_of_two_inclusive)
{
    uint64_t *v = NULL;
    size_t n = sweep_ok("1:1G", &v);
    cr_assert_eq(n, 31);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i], 1ULL << i);
    free(v);
    n = sweep_ok("3:100", &v);       /* doubling from FROM while <= TO */
    cr_assert_eq(n, 6);
    cr_assert_eq(v[0], 3);
    cr_assert_eq(v[5], 96);
    free(v);
    n = sweep_ok("1:18446744073709551615", &v);
    cr_assert_eq(n, 64);
    cr_assert_eq(v[63], 1ULL << 63);
    free(v);
    n = sweep_ok("64K:64K", &v);
    cr_assert_eq(n, 1);
    cr_assert_eq(v[0], 65536);
    free(v);
}

Test(units, sweep_list_sorted_unique_and_single)
{
    uint64_t *v = NULL;
    size_t n = sweep_ok("1M,4K,64K,4K", &v);
    cr_assert_eq(n, 3);
    cr_assert_eq(v[0], 4096);
    cr_assert_eq(v[1], 65536);
    cr_assert_eq(v[2], 1048576);
    free(v);
    n = sweep_ok("1MB", &v);
    cr_assert_eq(n, 1);
    cr_assert_eq(v[0], 1000000);
    free(v);
    n = sweep_ok("1:4,1M,2:8", &v);   /* ranges and sizes mixed */
    cr_assert_eq(n, 5);
    cr_assert_eq(v[3], 8);
    cr_assert_eq(v[4], 1048576);
    free(v);
}

Test(units, sweep_errors_name_the_value)
{
    sweep_bad(NULL, "empty");
    sweep_bad("", "empty");
    sweep_bad("4K,,1M", "'4K,,1M': empty item");
    sweep_bad("4K,", "empty item");
    sweep_bad(",4K", "empty item");
    sweep_bad("4K,1X", "size '1X': unknown unit 'X'");
    sweep_bad("0", "'0' is zero");
    sweep_bad("0:1K", "range starts at zero");
    sweep_bad("1G:1K", "'1G:1K': range 1G:1K runs backwards");
    sweep_bad("1:2:3", "a range is FROM:TO");
    sweep_bad(":1K", "size '': empty");
    sweep_bad("1K:", "size '': empty");
    sweep_bad("1:99999999999999999999", "too large");
}

Test(units, sweep_too_many_sizes)
{
    size_t len = 5000 * 5 + 1;
    char *text = malloc(len);
    char *p = text;
    for (int i = 1; i <= 5000; i++)
        p += sprintf(p, "%s%d", i > 1 ? "," : "", i);
    sweep_bad(text, "more than 4096 sizes");
    free(text);
}

Test(units, format_sizes)
{
    char buf[32];
    cr_assert_str_eq(units_fmt_size(0, buf, sizeof(buf)), "0 B");
    cr_assert_str_eq(units_fmt_size(64, buf, sizeof(buf)), "64 B");
    cr_assert_str_eq(units_fmt_size(1023, buf, sizeof(buf)), "1023 B");
    cr_assert_str_eq(units_fmt_size(4096, buf, sizeof(buf)), "4 KiB");
    cr_assert_str_eq(units_fmt_size(1048576, buf, sizeof(buf)), "1 MiB");
    cr_assert_str_eq(units_fmt_size(1610612736ULL, buf, sizeof(buf)), "1.5 GiB");
    cr_assert_str_eq(units_fmt_size(1ULL << 40, buf, sizeof(buf)), "1 TiB");
    cr_assert_str_eq(units_fmt_size(1000000, buf, sizeof(buf)), "976.56 KiB");
    cr_assert_str_eq(units_fmt_size(UINT64_MAX, buf, sizeof(buf)), "16 EiB");
    /* what it prints parses back */
    uint64_t back = 0;
    cr_assert_eq(units_parse_size(units_fmt_size(1610612736ULL, buf, sizeof(buf)), &back, NULL),
                 TP_OK);
    cr_assert_eq(back, 1610612736ULL);
}

/* One grammar: what `check` accepts, `run` accepts (issue 12 item 4). */
Test(units, one_grammar_for_every_command)
{
    cr_assert_eq(size_ok("4Ki"), 4096);
    cr_assert_eq(size_ok("4ki"), 4096);
    cr_assert_eq(size_ok("2 Mi"), 2097152);
    cr_assert_eq(size_ok("1KIB"), 1024);
    size_bad("0.5", "not a whole number of bytes");
    size_bad("4KiBs", "unknown unit");
    size_bad("4Kib", "lowercase b would be bits");
}

static double rate_ok(const char *text)
{
    struct tp_error err = {0};
    double v = -1;
    cr_assert_eq(units_parse_rate(text, &v, &err), TP_OK, "'%s': %s", text, err.msg);
    return v;
}

static double dur_ok(const char *text)
{
    struct tp_error err = {0};
    double v = -1;
    cr_assert_eq(units_parse_duration(text, &v, &err), TP_OK, "'%s': %s", text, err.msg);
    return v;
}

Test(units, rates_and_durations)
{
    cr_assert_float_eq(rate_ok("25Gbit/s"), 25, 1e-12);
    cr_assert_float_eq(rate_ok("100 Mbps"), 0.1, 1e-12);
    cr_assert_float_eq(rate_ok("3GB/s"), 24, 1e-12);
    cr_assert_float_eq(rate_ok("10"), 10, 1e-12);
    cr_assert_float_eq(rate_ok("800 bit/s"), 8e-7, 1e-18);
    cr_assert_float_eq(dur_ok("30"), 30, 1e-12);
    cr_assert_float_eq(dur_ok("1.5 s"), 1.5, 1e-12);
    cr_assert_float_eq(dur_ok("250ms"), 0.25, 1e-12);
    cr_assert_float_eq(dur_ok("2 min"), 120, 1e-12);
    static const char *const bad[] = {"1e3", "inf", "nan", "-1", "0", "0.0s", "1 minute",
                                      "1  s", "0x10", "5 s "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tp_error err = {0};
        double v = 7;
        cr_assert_eq(units_parse_duration(bad[i], &v, &err), TP_ERR_INVALID, "'%s' accepted",
                     bad[i]);
        cr_assert_eq(v, 7);
        cr_assert(strstr(err.msg, bad[i]) != NULL, "%s", err.msg);
    }
    double v = 7;
    cr_assert_eq(units_parse_rate("1e3", &v, NULL), TP_ERR_INVALID);
    cr_assert_eq(units_parse_rate("25 Gb/s/s", &v, NULL), TP_ERR_INVALID);
    cr_assert_eq(units_parse_percent("1001", &v, NULL), TP_ERR_INVALID);
    cr_assert_eq(units_parse_percent("12.5%", &v, NULL), TP_OK);
    cr_assert_float_eq(v, 12.5, 1e-12);
}

/* Human output has no scientific notation (issue 16). */
Test(units, format_without_exponents)
{
    char buf[64];
    cr_assert_str_eq(units_fmt_usec(56600, buf, sizeof(buf)), "56.6 ms");
    cr_assert_str_eq(units_fmt_usec(8.25, buf, sizeof(buf)), "8.25 us");
    cr_assert_str_eq(units_fmt_usec(0.5, buf, sizeof(buf)), "0.5 us");
    cr_assert_str_eq(units_fmt_usec(2.5e6, buf, sizeof(buf)), "2.5 s");
    cr_assert_str_eq(units_fmt_duration(32 * 3600, buf, sizeof(buf)), "32 h");
    cr_assert_str_eq(units_fmt_duration(1.95e3 * 60, buf, sizeof(buf)), "32.5 h");
    cr_assert_str_eq(units_fmt_duration(600, buf, sizeof(buf)), "10 min");
    cr_assert_str_eq(units_fmt_duration(50e-6, buf, sizeof(buf)), "50 us");
    cr_assert_str_eq(units_fmt_duration(86400 * 400, buf, sizeof(buf)), "9600 h");
    cr_assert_str_eq(units_fmt_rate(13.333, buf, sizeof(buf)), "13.3 Gbit/s");
    cr_assert_str_eq(units_fmt_rate(0.85, buf, sizeof(buf)), "850 Mbit/s");
    cr_assert_str_eq(units_fmt_rate(0.0004, buf, sizeof(buf)), "400 kbit/s");
    cr_assert_str_eq(units_fmt_rate(123456, buf, sizeof(buf)), "123 Tbit/s");
    cr_assert_str_eq(units_fmt_rate(1e9, buf, sizeof(buf)), "1000000 Tbit/s");
    cr_assert_str_eq(units_fmt_bytes_si(140e9, buf, sizeof(buf)), "140 GB");
    cr_assert_str_eq(units_fmt_bytes_si(1e21, buf, sizeof(buf)), "1000 EB");
    cr_assert_str_eq(units_fmt_num(56600, 3, buf, sizeof(buf)), "56600");
    cr_assert_str_eq(units_fmt_num(0.001234, 3, buf, sizeof(buf)), "0.00123");
    cr_assert_str_eq(units_fmt_num(-0.0001, 1, buf, sizeof(buf)), "-0.0001");
    cr_assert_str_eq(units_fmt_num(NAN, 3, buf, sizeof(buf)), "-");
    cr_assert_str_eq(units_fmt_msgsize(1000000, buf, sizeof(buf)), "1000000 B");
    cr_assert_str_eq(units_fmt_msgsize(3ULL << 30, buf, sizeof(buf)), "3 GiB");
    for (double v = 1e-9; v < 1e15; v *= 7.3) {
        units_fmt_usec(v, buf, sizeof(buf));
        cr_assert(strchr(buf, 'e') == NULL, "%g -> %s", v, buf);
        units_fmt_duration(v, buf, sizeof(buf));
        cr_assert(strchr(buf, 'e') == NULL, "%g -> %s", v, buf);
        units_fmt_rate(v, buf, sizeof(buf));
        cr_assert(strchr(buf, 'e') == NULL, "%g -> %s", v, buf);
    }
}
