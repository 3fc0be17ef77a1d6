/* pattern_alltoall.c: `--pattern alltoall`: every rank sends to and
 * receives from every other rank at once (the expert-parallel / shuffle
 * shape), one size at a time.  Each rank moves --iters messages (default:
 * at least 2 MiB) to each peer; a row per (peer -> rank) direction gives
 * the time until that peer's data had arrived, and extra the rank's
 * aggregate receive rate. */
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "pattern.h"
#include "shape_loss.h"
#include "shape_round.h"
#include "../results/row_loss.h"

#define ALLTOALL_MIN_BYTES (2ull << 20)

static tp_status_t pattern_plan_alltoall(const struct pattern_input *in, struct topo_plan **plan_p,
                                         struct tp_error *err)
{
    size_t n = in->nranks;

    if (n < 2)
        return tp_error_set(err, TP_ERR_INVALID, "--pattern alltoall: needs at least 2 ranks");
    struct topo_plan *plan = pattern_plan_alloc(-1, 1, n * (n - 1) / 2);
    if (plan == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    struct topo_round *round = &plan->tiers[0].rounds[0];
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            round->pairs[round->npairs++] = (struct topo_pair){.src = (int)a, .dst = (int)b,
                                                               .tier = -1};
    *plan_p = plan;
    return TP_OK;
}

static uint64_t bytes_per_peer(const struct run_opts *o, uint64_t size)
{
    if (o->iters)
        return o->iters * size;
    uint64_t msgs = (ALLTOALL_MIN_BYTES + size - 1) / size;
    return (msgs ? msgs : 1) * size;
}

static void alltoall_size(struct bench_engine *e, struct shape_link *links, size_t nlinks,
                          uint64_t size, struct result_row *rows)
{
    uint64_t bytes = bytes_per_peer(e->o, size);
    struct shape_peer *peers = calloc(nlinks ? nlinks : 1, sizeof(*peers));
    struct shape_loss *loss = calloc(nlinks ? nlinks : 1, sizeof(*loss));
    double all_s = 0;
    tp_status_t st = peers && loss ? TP_OK : TP_ERR_NO_MEMORY;

    for (size_t i = 0; st == TP_OK && i < nlinks; i++)
        peers[i] = (struct shape_peer){.ep = links[i].ep,
                                       .tx = shape_xfer_tx(&links[i], size, bytes),
                                       .rx = shape_xfer_rx(&links[i], size, bytes)};
    shape_barrier(e, "alltoall size start");
    if (st == TP_OK) {
        shape_loss_begin(e, links, nlinks, loss);
        st = shape_run_concurrent(e->ops, peers, nlinks, SHAPE_BIDIR, &all_s);
        shape_loss_end(e, links, nlinks, loss);
    }
    shape_verify_pass(e, links, nlinks, SHAPE_BIDIR, size, bytes, st);
    for (size_t i = 0; i < nlinks; i++) {
        struct result_row *r = &rows[i];
        row_init(r, links[i].peer, e->rank, 0, size);
        r->iters = bytes / size;
        r->bytes_total = bytes;
        r->x[0] = all_s;
        r->x[1] = all_s > 0 ? (double)bytes * (double)nlinks * 8.0 / all_s / 1e9 : 0;
        r->x[2] = (double)nlinks;
        if (peers == NULL || loss == NULL || peers[i].status != TP_OK) {
            row_fail(r, peers && loss ? peers[i].status : TP_ERR_NO_MEMORY, "alltoall exchange",
                     peers && loss ? peers[i].err.msg : NULL);
            continue;
        }
        r->loss = loss[i].sent;   /* this rank -> peer: rank 0 swaps (alltoall_record) */
        r->seconds = peers[i].seconds;
        shape_link_verdict(&links[i], r);
    }
    free(loss);
    free(peers);
}

static void alltoall_extra(const struct bench_engine *e, const struct result_row *row, cJSON *x,
                           void *arg)
{
    (void)e;
    (void)arg;
    cJSON_AddNumberToObject(x, "peers", row->x[2]);
    cJSON_AddNumberToObject(x, "rank_all_done_s", row->x[0]);
    cJSON_AddNumberToObject(x, "rank_recv_gbit_s", row->x[1]);
    row_loss_json(x, &row->loss);
}

static void alltoall_record(struct bench_engine *e, struct result_row *all, size_t n, void *arg)
{
    struct row_hooks h = {.extra = alltoall_extra, .arg = arg};

    shape_loss_to_receivers(all, n);
    collect_rows(e, all, n, &h);
}

static tp_status_t pattern_run_alltoall(struct bench_engine *e, const struct topo_tier_plan *tier,
                                        const struct topo_round *round)
{
    const struct run_opts *o = e->o;
    struct shape_link *links = NULL;
    size_t nlinks = 0;

    (void)tier;
    size_t ring = shape_ring_len(e, (size_t)e->nranks - 1, o->sizes[o->nsizes - 1]);
    if (shape_round_open(e, round, ring, &links, &nlinks, "alltoall") != TP_OK)
        return TP_ERR_PEER;
    struct result_row *rows = calloc((nlinks ? nlinks : 1) * o->nsizes, sizeof(*rows));
    if (rows == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for alltoall rows");
    for (size_t s = 0; s < o->nsizes; s++)
        alltoall_size(e, links, nlinks, o->sizes[s], rows + s * nlinks);
    shape_round_close(e, links, nlinks, rows, nlinks * o->nsizes, alltoall_record, NULL,
                      "alltoall");
    free(rows);
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_alltoall = {
    .name = "alltoall",
    .summary = "every rank to every other at once, per size (rank aggregate receive rate)",
    .needs_caps = TP_CAP_THREAD_EPS,
    .default_sizes = "64K,1M,4M",
    .plan = pattern_plan_alltoall,
    .run_round = pattern_run_alltoall,
};
