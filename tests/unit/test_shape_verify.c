/* test_shape_verify.c: --verify is never timed in the traffic shapes
 * (bench/patterns/shape_round.c): the transfers the shapes time carry no
 * fill/check hook even on a verifying link, the separate pass's transfers
 * do, its length is the same on every rank (a lap of the largest ring
 * plus one message, no more than was timed), and a link's verdict gives
 * the row the bytes checked and fails it when the pass failed. */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/patterns/shape_round.h"

static struct shape_link verifying_link(void)
{
    struct shape_link l;

    memset(&l, 0, sizeof(l));
    l.tx.len = l.rx.len = 4u << 20;
    l.verify = 1;
    verify_init(&l.vtx, 1, NULL, "test");
    verify_init(&l.vrx, 1, NULL, "test");
    return l;
}

Test(shape_verify, timed_transfers_carry_no_hooks)
{
    struct shape_link l = verifying_link();
    struct tp_xfer tx = shape_xfer_tx(&l, 1u << 20, 128u << 20);
    struct tp_xfer rx = shape_xfer_rx(&l, 1u << 20, 128u << 20);

    cr_assert(tx.fill == NULL && tx.check == NULL && rx.fill == NULL && rx.check == NULL,
              "a timed transfer of a verifying link has a verify hook");
    struct tp_xfer ctx = shape_xfer_check_tx(&l, 1u << 20, 5u << 20);
    struct tp_xfer crx = shape_xfer_check_rx(&l, 1u << 20, 5u << 20);
    cr_assert(ctx.fill == verify_fill && ctx.hook_arg == &l.vtx && ctx.bytes == 5u << 20);
    cr_assert(crx.check == verify_check && crx.hook_arg == &l.vrx && crx.bytes == 5u << 20);
}

Test(shape_verify, pass_length_is_a_lap_of_the_largest_ring)
{
    struct run_opts o;
    memset(&o, 0, sizeof(o));
    struct bench_engine e = {.o = &o};

    o.buffer_size = 8u << 20;                     /* rings of at most 4 MiB */
    cr_assert_eq(shape_check_bytes(&e, 1u << 20, 128u << 20), 5u << 20);
    cr_assert_eq(shape_check_bytes(&e, 1u << 20, 3u << 20), 3u << 20);   /* no more than timed */
    cr_assert_eq(shape_check_bytes(&e, 1u << 20, 1u << 20), 2u << 20);   /* at least 2 */
    cr_assert_eq(shape_check_bytes(&e, 64, 1ull << 40), 4096u * 64);     /* at most 4096 */
}

Test(shape_verify, verdict_gives_checked_bytes_and_pass_failure)
{
    struct shape_link l = verifying_link();
    struct result_row row;
    unsigned char buf[4096];

    verify_fill_host(1, buf, sizeof(buf), 0);
    cr_assert_eq(verify_check(&l.vrx, buf, sizeof(buf), 0), TP_OK);
    row_init(&row, 0, 1, 0, sizeof(buf));
    shape_link_verdict(&l, &row);
    cr_assert(row.verify == ROW_VERIFY_OK && row.verified_bytes == sizeof(buf) &&
              row.status == TP_OK);
    tp_error_set(&l.verr, TP_ERR_PEER, "connection reset");
    row_init(&row, 0, 1, 0, sizeof(buf));
    shape_link_verdict(&l, &row);
    cr_assert_eq(row.status, TP_ERR_PEER);
    cr_assert_str_eq(row.error, "verification pass: connection reset");
    cr_assert_eq(row.verified_bytes, 0, "the verdict was not cleared");
    verify_free(&l.vtx);
    verify_free(&l.vrx);
}
