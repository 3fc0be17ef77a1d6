/* test_verify.c: --verify's position-dependent pattern: round trip at any
 * offset, a planted corruption caught at its exact offset, and a chunk
 * delivered at the wrong place caught too. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/engine/verify.h"

Test(verify, fill_then_check_at_odd_offsets)
{
    unsigned char buf[1000];

    for (uint64_t off = 0; off < 20; off++) {
        for (size_t len = 0; len < 40; len += 7) {
            verify_fill_host(42, buf, len, off * 13 + 5);
            cr_assert_eq(verify_check_host(42, buf, len, off * 13 + 5), len);
            for (size_t i = 0; i < len; i++)
                cr_assert_eq(buf[i], verify_byte(42, off * 13 + 5 + i));
        }
    }
}

Test(verify, planted_corruption_caught_at_its_offset)
{
    size_t len = 4096;
    unsigned char *buf = malloc(len);
    struct verify_ctx v;

    cr_assert_not_null(buf);
    verify_init(&v, 7, NULL, "pair 0 (a) -> 1 (b), transport test");
    verify_fill(&v, buf, len, 1 << 20);
    buf[1234] ^= 0x10;
    cr_assert_eq(verify_check(&v, buf, len, 1 << 20), TP_OK, "check finishes the transfer");
    cr_assert(v.failed);
    cr_assert_eq(v.first_bad, (1u << 20) + 1234);
    cr_assert_eq(v.got, (unsigned)(verify_byte(7, (1u << 20) + 1234) ^ 0x10));
    cr_assert_eq(v.expected, verify_byte(7, (1u << 20) + 1234));
    cr_assert_eq(v.bad_msgs, 1);
    /* a later bad message keeps the first offset */
    buf[5] ^= 1;
    verify_check(&v, buf, len, 1 << 20);
    cr_assert_eq(v.first_bad, (1u << 20) + 1234);
    cr_assert_eq(v.bad_msgs, 2);
    verify_reset(&v);
    cr_assert(!v.failed);
    verify_free(&v);
    free(buf);
}

Test(verify, misplaced_chunk_is_caught)
{
    unsigned char a[256];
    struct verify_ctx v;

    verify_init(&v, 99, NULL, "");
    /* the bytes of message 1 arriving where message 2 belongs */
    verify_fill(&v, a, sizeof(a), 256);
    verify_check(&v, a, sizeof(a), 512);
    cr_assert(v.failed);
    cr_assert_eq(v.first_bad, 512);
    verify_free(&v);
}

Test(verify, every_byte_checked_even_the_last)
{
    unsigned char buf[17];
    struct verify_ctx v;

    verify_init(&v, 1, NULL, "");
    verify_fill(&v, buf, sizeof(buf), 3);
    buf[16] ^= 0x80;
    verify_check(&v, buf, sizeof(buf), 3);
    cr_assert(v.failed);
    cr_assert_eq(v.first_bad, 3 + 16);
    verify_free(&v);
}

Test(verify, seed_changes_pattern)
{
    int differ = 0;

    for (uint64_t i = 0; i < 64; i++)
        differ += verify_byte(1, i) != verify_byte(2, i);
    cr_assert(differ > 32);
}

/* The receiving side records a bad byte and logs nothing: rank 0 reports
 * it once, from the row (test_collect). */
Test(verify, check_records_and_logs_nothing, .init = cr_redirect_stderr)
{
    unsigned char buf[64];
    struct verify_ctx v;

    verify_init(&v, 3, NULL, "pair 0 (a) -> 1 (b), transport test");
    verify_fill(&v, buf, sizeof(buf), 0);
    buf[9] ^= 0xff;
    cr_assert_eq(verify_check(&v, buf, sizeof(buf), 0), TP_OK);
    cr_assert(v.failed && v.first_bad == 9);
    verify_free(&v);
    fflush(stderr);
    cr_assert_stderr_eq_str("");
}
