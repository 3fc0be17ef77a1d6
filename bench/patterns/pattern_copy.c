/* pattern_copy.c: `--pattern copy`: copy bandwidth inside each rank's own
 * node through the memory kind's ops, the tier-0 reference a report puts
 * beside the network.  Per size of the sweep, three directions:
 *   h2d  staging -> kind memory   (copy_async + copy_wait: page-locked for
 *   d2h  kind memory -> staging    cuda, so DMA, as in the staged path)
 *   d2d  kind memory -> kind memory (copy_async TP_MEM_LOCAL, queued too)
 *   p2p  kind memory -> another GPU with peer access (two GPUs only)
 * With --mem host all three are memcpy.  No network is involved: every
 * rank measures its own copies (all at once, or one rank at a time with
 * --serial) and the rows go to rank 0 as tier 0, src == dst. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "pattern.h"
#include "shape_round.h"
#include "../engine/timing.h"

enum { COPY_H2D, COPY_D2H, COPY_D2D, COPY_P2P, COPY_NDIRS };
static const char *const copy_dir_name[COPY_NDIRS] = {"h2d", "d2h", "d2d", "p2p"};

struct copy_bufs {
    const struct tp_mem *mem;
    void *dev_a, *dev_b;        /* kind memory: h2d lands in a, d2h reads b */
    unsigned char *stage;       /* staging (host) memory */
    void *peer;                 /* on another GPU with peer access, or NULL */
    int peer_dev;               /* its device, -1 without */
    size_t len;
};

static tp_status_t pattern_plan_copy(const struct pattern_input *in, struct topo_plan **plan_p,
                                     struct tp_error *err)
{
    const struct run_opts *o = in->opts;

    if (o != NULL && o->stream_bytes > 0)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern copy: measures the --sizes sweep; --size does not apply");
    if (o != NULL && (o->bidir || o->no_bw))
        return tp_error_set(err, TP_ERR_INVALID, "--pattern copy: measures copy bandwidth only; "
                            "%s does not apply", o->bidir ? "--bidir" : "--no-bw");
    struct topo_plan *plan = pattern_plan_alloc(0, 1, in->nranks);
    if (plan == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    struct topo_round *round = &plan->tiers[0].rounds[0];
    for (size_t r = 0; r < in->nranks; r++)
        round->pairs[round->npairs++] = (struct topo_pair){.src = (int)r, .dst = (int)r,
                                                           .tier = 0};
    *plan_p = plan;
    return TP_OK;
}

/* count copies in one direction, queued on lane 0 and waited for once (all
 * three directions, as scripts/gpu/memcpy_ref.cu times its reference), so
 * a batch measures the copy engine, not the round trip of each call */
static tp_status_t copy_issue(struct copy_bufs *b, int dir, size_t size, uint64_t count)
{
    const struct tp_mem_ops *ops = b->mem->ops;
    void *ctx = b->mem->ctx;
    tp_status_t st = TP_OK;

    for (uint64_t i = 0; i < count && st == TP_OK; i++) {
        if (dir == COPY_H2D)
            st = ops->copy_async(ctx, b->dev_a, b->stage, size, TP_MEM_FROM_HOST, 0);
        else if (dir == COPY_D2H)
            st = ops->copy_async(ctx, b->stage, b->dev_b, size, TP_MEM_TO_HOST, 0);
        else if (dir == COPY_D2D)
            st = ops->copy_async(ctx, b->dev_b, b->dev_a, size, TP_MEM_LOCAL, 0);
        else
            st = ops->copy_async(ctx, b->peer, b->dev_a, size, TP_MEM_LOCAL, 0);
    }
    tp_status_t wst = ops->copy_wait(ctx, 0);
    return st == TP_OK ? wst : st;
}

/* --warmup, else 64 MiB worth as for transfers but from 2 copies up: a
 * copy has no pipeline to fill, and 16 copies of 256 MiB would be 4 GiB. */
static uint64_t copy_warmup(const struct run_opts *o, uint64_t size)
{
    uint64_t n = TIMING_WARMUP_BYTES / (size ? size : 1);

    if (o->warmup)
        return timing_warmup_msgs(o->warmup, size);
    return n < 2 ? 2 : n > 4096 ? 4096 : n;
}

/* Warm-up, then batches of timing_batch_s until --duration (or exactly
 * --iters copies), as the pairwise bandwidth phase does. */
static void copy_time(const struct run_opts *o, struct copy_bufs *b, int dir, uint64_t size,
                      struct result_row *r)
{
    uint64_t done = 0;
    double t0, el = 0;
    tp_status_t st = copy_issue(b, dir, (size_t)size, copy_warmup(o, size));

    t0 = timing_now_s();
    while (st == TP_OK) {
        double rate = el > 0 ? (double)(done * size) / el : 0;
        uint64_t left = o->iters ? o->iters - done : 0;
        uint64_t batch = timing_batch_msgs(rate, size, 1, 1, timing_run_batch_s(o, el), left);
        st = copy_issue(b, dir, (size_t)size, batch);
        done += batch;
        el = timing_now_s() - t0;
        if (o->iters ? done >= o->iters : el >= o->duration_s)
            break;
    }
    r->size_bytes = size;
    r->kind = dir;
    if (st != TP_OK) {
        row_fail(r, st, copy_dir_name[dir], NULL);
        return;
    }
    r->iters = done;
    r->bytes_total = done * size;
    r->seconds = el;
}

static unsigned char copy_byte(uint64_t i, uint64_t size)
{
    return (unsigned char)(i * 251u + 17u + size);
}

/* One size, three directions in the order h2d, d2d, d2h, so with --verify
 * the staging buffer's pattern must come back through all three. */
static void copy_size(const struct run_opts *o, struct copy_bufs *b, uint64_t size,
                      struct result_row rows[COPY_NDIRS])
{
    static const int order[COPY_P2P] = {COPY_H2D, COPY_D2D, COPY_D2H};
    int32_t verdict = ROW_VERIFY_OFF;
    uint64_t bad = 0;

    if (o->verify)
        for (uint64_t i = 0; i < size; i++)
            b->stage[i] = copy_byte(i, size);
    for (int k = 0; k < COPY_P2P; k++) {
        if (o->verify && order[k] == COPY_D2H)
            memset(b->stage, 0, (size_t)size);
        copy_time(o, b, order[k], size, &rows[order[k]]);
    }
    if (o->verify) {
        verdict = ROW_VERIFY_OK;
        for (uint64_t i = 0; i < size; i++)
            if (b->stage[i] != copy_byte(i, size)) {
                verdict = ROW_VERIFY_FAILED;
                bad = i;
                break;
            }
    }
    for (int d = 0; d < COPY_P2P; d++) {
        rows[d].verify = rows[d].status == TP_OK ? verdict : ROW_VERIFY_OFF;
        rows[d].verify_offset = bad;
    }
    /* two GPUs: this one to its peer, not part of the verified chain */
    if (b->peer != NULL) {
        copy_time(o, b, COPY_P2P, size, &rows[COPY_P2P]);
        rows[COPY_P2P].x[1] = b->peer_dev;
    }
}

static tp_status_t copy_bufs_alloc(const struct tp_mem *mem, size_t len, struct copy_bufs *b)
{
    tp_status_t st;

    memset(b, 0, sizeof(*b));
    b->mem = mem;
    b->len = len;
    st = mem->ops->alloc(mem->ctx, len, &b->dev_a);
    if (st == TP_OK)
        st = mem->ops->alloc(mem->ctx, len, &b->dev_b);
    if (st == TP_OK)
        st = mem->ops->alloc_staging(mem->ctx, len, (void **)&b->stage);
    b->peer_dev = -1;
    if (st == TP_OK && mem->ops->peer_alloc != NULL &&
        mem->ops->peer_alloc(mem->ctx, len, &b->peer, &b->peer_dev) != TP_OK) {
        b->peer = NULL;         /* one GPU, or no peer access: no p2p rows */
        b->peer_dev = -1;
    }
    return st;
}

static void copy_bufs_free(struct copy_bufs *b)
{
    const struct tp_mem_ops *ops = b->mem->ops;

    if (b->peer != NULL)
        ops->peer_free(b->mem->ctx, b->peer, b->peer_dev);
    if (b->stage != NULL)
        ops->free_staging(b->mem->ctx, b->stage, b->len);
    if (b->dev_b != NULL)
        ops->free(b->mem->ctx, b->dev_b, b->len);
    if (b->dev_a != NULL)
        ops->free(b->mem->ctx, b->dev_a, b->len);
}

static void copy_measure(struct bench_engine *e, struct result_row *rows)
{
    const struct run_opts *o = e->o;
    struct copy_bufs b;
    tp_status_t st = copy_bufs_alloc(e->mem, (size_t)o->sizes[o->nsizes - 1], &b);

    for (size_t s = 0; s < o->nsizes; s++) {
        struct result_row *r = rows + s * COPY_NDIRS;
        if (st == TP_OK) {
            copy_size(o, &b, o->sizes[s], r);
            continue;
        }
        for (int d = 0; d < COPY_P2P; d++) {
            r[d].size_bytes = o->sizes[s];
            r[d].kind = d;
            row_fail(&r[d], st, "allocating the copy buffers", NULL);
        }
    }
    copy_bufs_free(&b);
}

/* Rank 0's hooks: always tier 0 (src and dst are one rank), the direction
 * and the memory in extra, one verify error per size (on its d2h row, the
 * end of the verified chain). */
static void copy_mem_name(const struct bench_engine *e, double dev, char *buf, size_t len)
{
    if (dev >= 0)
        snprintf(buf, len, "%s:%d", e->mem->ops->name, (int)dev);
    else
        snprintf(buf, len, "%s", e->mem->ops->name);
}

static int copy_dir(const struct result_row *r)
{
    return r->kind >= 0 && r->kind < COPY_NDIRS ? r->kind : COPY_D2D;
}

static void copy_place(const struct bench_engine *e, const struct result_row *r,
                       struct row_place *pl, void *arg)
{
    (void)e;
    (void)r;
    (void)arg;
    *pl = (struct row_place){.tier = 0};
}

static void copy_extra(const struct bench_engine *e, const struct result_row *r, cJSON *x,
                       void *arg)
{
    char mem[32];
    int dir = copy_dir(r);

    (void)arg;
    copy_mem_name(e, r->x[0], mem, sizeof(mem));
    cJSON_AddStringToObject(x, "direction", copy_dir_name[dir]);
    cJSON_AddStringToObject(x, "mem", mem);
    cJSON_AddStringToObject(x, "staging", e->mem->ops->is_host ? "pageable" : "page-locked");
    if (dir == COPY_P2P) {
        char peer[32];
        snprintf(peer, sizeof(peer), "%s:%d", e->mem->ops->name, (int)r->x[1]);
        cJSON_AddStringToObject(x, "peer", peer);
    }
}

static int copy_verify_msg(const struct bench_engine *e, const struct result_row *r, char *buf,
                           size_t len, void *arg)
{
    char mem[32];

    (void)arg;
    if (copy_dir(r) != COPY_D2H)
        return 0;
    copy_mem_name(e, r->x[0], mem, sizeof(mem));
    snprintf(buf, len, "verify failed: copy on rank %d (%s), %s, size %llu: "
             "first bad byte at offset %llu after h2d, d2d, d2h", r->src,
             e->node_of_rank[r->src], mem, (unsigned long long)r->size_bytes,
             (unsigned long long)r->verify_offset);
    return 1;
}

static void copy_record(struct bench_engine *e, struct result_row *all, size_t n, void *arg)
{
    struct row_hooks h = {.place = copy_place, .extra = copy_extra,
                          .verify_msg = copy_verify_msg};

    (void)arg;
    for (size_t i = 0; i < n; i++)
        if (copy_dir(&all[i]) != COPY_P2P || all[i].x[1] >= 0)
            collect_row(e, &all[i], &h);   /* p2p without a peer GPU: nothing measured */
}

static tp_status_t pattern_run_copy(struct bench_engine *e, const struct topo_tier_plan *tier,
                                    const struct topo_round *round)
{
    const struct run_opts *o = e->o;
    size_t nrows = o->nsizes * COPY_NDIRS;
    struct result_row *rows = calloc(nrows, sizeof(*rows));

    (void)tier;
    (void)round;
    if (rows == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for copy rows");
    for (size_t i = 0; i < nrows; i++) {
        row_init(&rows[i], e->rank, e->rank, (int)(i % COPY_NDIRS), 0);
        rows[i].x[0] = e->mem->device;
        rows[i].x[1] = -1;      /* p2p: the peer GPU; -1: not measured */
    }
    /* --serial: one rank at a time, so ranks sharing a memory bus or a
     * PCIe switch do not slow each other down */
    for (int turn = 0; turn < (o->serial ? e->nranks : 1); turn++) {
        shape_barrier(e, "copy start");
        if (!o->serial || turn == e->rank)
            copy_measure(e, rows);
    }
    uint64_t bytes = 0;
    for (size_t i = 0; i < nrows; i++)
        bytes += rows[i].bytes_total;
    shape_round_close(e, NULL, 0, rows, nrows, copy_record, NULL, "copy");
    if (e->prog != NULL)
        progress_round(e->prog, bytes);
    free(rows);
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_copy = {
    .name = "copy",
    .summary = "each rank's own copies h2d, d2h, d2d per size (tier-0 reference)",
    .plan = pattern_plan_copy,
    .run_round = pattern_run_copy,
};
