/* pattern_kv.c: `--pattern kv`: prefill-to-decode KV-cache transfers.
 * Prefill ranks send `--iters` (default 64) blocks of each --sizes size
 * to their decode rank, one block at a time as serving does, and the time
 * of every block (until the decode side has it) gives per-block
 * percentiles.  Roles: --prefill/--decode node lists (prefill i sends to
 * decode i mod D, so more prefills than decodes is incast), or the pairs
 * crossing --kv-tier N, or rank 2i -> 2i+1. */
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../cli/run_opts.h"
#include "pattern.h"
#include "shape_loss.h"
#include "shape_round.h"
#include "../results/row_loss.h"

#define KV_DEFAULT_BLOCKS 64

enum kv_row_kind { KV_TIMES, KV_VERDICT };

struct kv_opts {
    const char *prefill, *decode;   /* comma lists of node names, or NULL */
    int tier;                       /* pairs crossing this tier; -1 = not set */
};

static const struct opt_field kv_fields[] = {
    {.name = "prefill", .type = OPT_STRING, .metavar = "NODES", .min = 1,
     .offset = offsetof(struct kv_opts, prefill),
     .help = "comma list of prefill node names (senders)"},
    {.name = "decode", .type = OPT_STRING, .metavar = "NODES", .min = 1,
     .offset = offsetof(struct kv_opts, decode),
     .help = "comma list of decode node names (receivers)"},
    {.name = "kv-tier", .type = OPT_INT, .metavar = "N", .dflt = "-1",
     .dflt_help = "rank 2i -> 2i+1", .min = 0, .max = 64, .offset = offsetof(struct kv_opts, tier),
     .help = "instead, prefill->decode pairs crossing tier N;\n"
             "blocks = --sizes, count --iters"},
    {.name = NULL},
};

static const struct opt_table pattern_kv_options = {
    .owner = "kv",
    .title = "kv",
    .config_size = sizeof(struct kv_opts),
    .fields = kv_fields,
};

static tp_status_t pattern_kv_check_options(const void *cfg, const struct run_opts *o,
                                            struct tp_error *err)
{
    const struct kv_opts *kv = cfg;

    if ((kv->prefill == NULL) != (kv->decode == NULL))
        return tp_error_set(err, TP_ERR_INVALID, "--prefill and --decode go together");
    if (kv->tier >= 0 && o->topology == NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--kv-tier %d: needs --topology FILE", kv->tier);
    return TP_OK;
}

/* Ranks on the nodes of a comma list, in rank order. */
static tp_status_t ranks_of_nodes(const struct pattern_input *in, const char *list,
                                  const char *opt, int *ranks, size_t *n_p, struct tp_error *err)
{
    char *copy = strdup(list), *save = NULL;
    size_t n = 0;

    if (copy == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        size_t found = 0;
        for (size_t r = 0; r < in->nranks; r++)
            if (strcmp(in->node_of_rank[r], tok) == 0) {
                ranks[n++] = (int)r;
                found++;
            }
        if (found == 0) {
            tp_status_t st = tp_error_set(err, TP_ERR_INVALID,
                                          "--%s: node '%s' has no rank in this job", opt, tok);
            free(copy);
            return st;
        }
    }
    free(copy);
    if (n == 0)   /* e.g. "," */
        return tp_error_set(err, TP_ERR_INVALID, "--%s: '%s' names no node", opt, list);
    *n_p = n;
    return TP_OK;
}

static tp_status_t plan_from_lists(const struct pattern_input *in, const char *prefill,
                                   const char *decode, struct topo_plan **plan_p,
                                   struct tp_error *err)
{
    int *p = calloc(in->nranks * 2 + 1, sizeof(int));
    size_t np = 0, nd = 0;

    if (p == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    int *d = p + in->nranks;
    tp_status_t st = ranks_of_nodes(in, prefill, "prefill", p, &np, err);
    if (st == TP_OK)
        st = ranks_of_nodes(in, decode, "decode", d, &nd, err);
    for (size_t i = 0; st == TP_OK && i < np; i++)
        for (size_t j = 0; j < nd; j++)
            if (p[i] == d[j])
                st = tp_error_set(err, TP_ERR_INVALID,
                                  "--prefill/--decode: rank %d (%s) is in both", p[i],
                                  in->node_of_rank[p[i]]);
    struct topo_plan *plan = st == TP_OK ? pattern_plan_alloc(-1, 1, np) : NULL;
    if (st == TP_OK && plan == NULL)
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    for (size_t i = 0; st == TP_OK && plan != NULL && nd > 0 && i < np; i++) {
        struct topo_round *round = &plan->tiers[0].rounds[0];
        round->pairs[round->npairs++] = (struct topo_pair){.src = p[i], .dst = d[i % nd],
                                                           .tier = -1};
    }
    free(p);
    if (st == TP_OK)
        *plan_p = plan;
    else
        topo_plan_free(plan);
    return st;
}

/* The first round of the tiers plan's entry for tier t. */
static tp_status_t plan_from_tier(const struct pattern_input *in, int t,
                                  struct topo_plan **plan_p, struct tp_error *err)
{
    struct topo_plan *tiers = NULL;
    tp_status_t st = topo_plan_tiers(in->topo, in->node_of_rank, in->nranks, &tiers, err);
    const struct topo_round *src = NULL;

    for (size_t i = 0; st == TP_OK && tiers != NULL && i < tiers->ntiers; i++)
        if (tiers->tiers[i].tier == t && tiers->tiers[i].nrounds > 0)
            src = &tiers->tiers[i].rounds[0];
    if (st == TP_OK && src == NULL)
        st = tp_error_set(err, TP_ERR_INVALID, "--kv-tier %d: no rank pair of this job crosses "
                          "exactly tier %d", t, t);
    if (src == NULL) {   /* st is an error here */
        topo_plan_free(tiers);
        return st;
    }
    struct topo_plan *plan = st == TP_OK ? pattern_plan_alloc(t, 1, src->npairs) : NULL;
    if (st == TP_OK && plan == NULL)
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    if (st == TP_OK && plan != NULL) {
        memcpy(plan->tiers[0].rounds[0].pairs, src->pairs, src->npairs * sizeof(*src->pairs));
        plan->tiers[0].rounds[0].npairs = src->npairs;
        *plan_p = plan;
    }
    topo_plan_free(tiers);
    return st;
}

static tp_status_t pattern_plan_kv(const struct pattern_input *in, struct topo_plan **plan_p,
                                   struct tp_error *err)
{
    const struct kv_opts *kv = in->opts != NULL ? in->opts->pattern_cfg : NULL;

    if (kv != NULL && kv->prefill != NULL)
        return plan_from_lists(in, kv->prefill, kv->decode, plan_p, err);
    if (kv != NULL && kv->tier >= 0)
        return plan_from_tier(in, kv->tier, plan_p, err);
    return pattern_plan_pairs(in, plan_p, err);
}

static int is_sender(const struct topo_round *round, int rank)
{
    for (size_t i = 0; i < round->npairs; i++)
        if (round->pairs[i].src == rank)
            return 1;
    return 0;
}

/* One block size: every sender's blocks to its receiver, all senders at
 * once; rows of block times (senders) or verdicts (receivers). */
static void kv_size(struct bench_engine *e, struct shape_link *links, size_t nlinks, int sender,
                    uint64_t block, uint64_t blocks, struct result_row *rows)
{
    struct shape_peer *peers = calloc(nlinks ? nlinks : 1, sizeof(*peers));
    uint64_t *times = calloc((nlinks ? nlinks : 1) * blocks, sizeof(uint64_t));
    struct shape_loss *loss = calloc(nlinks ? nlinks : 1, sizeof(*loss));
    tp_status_t st = peers && times && loss ? TP_OK : TP_ERR_NO_MEMORY;

    for (size_t i = 0; st == TP_OK && i < nlinks; i++) {
        peers[i] = (struct shape_peer){.ep = links[i].ep, .repeat = blocks};
        if (sender) {
            peers[i].tx = shape_xfer_tx(&links[i], block, block);
            peers[i].times_ns = times + i * blocks;
        } else {
            peers[i].rx = shape_xfer_rx(&links[i], block, block);
        }
    }
    shape_barrier(e, "kv block size start");
    if (st == TP_OK) {
        shape_loss_begin(e, links, sender ? nlinks : 0, loss);   /* the sender's socket counts */
        st = shape_run_concurrent(e->ops, peers, nlinks, sender ? SHAPE_SEND : SHAPE_RECV, NULL);
        shape_loss_end(e, links, sender ? nlinks : 0, loss);
    }
    shape_verify_pass(e, links, nlinks, sender ? SHAPE_SEND : SHAPE_RECV, block,
                      block * blocks, st);
    for (size_t i = 0; i < nlinks; i++) {
        struct result_row *r = &rows[i];
        row_init(r, sender ? e->rank : links[i].peer, sender ? links[i].peer : e->rank,
                 sender ? KV_TIMES : KV_VERDICT, block);
        r->iters = blocks;
        r->bytes_total = block * blocks;
        if (peers == NULL || times == NULL || loss == NULL || peers[i].status != TP_OK) {
            row_fail(r, peers && times && loss ? peers[i].status : TP_ERR_NO_MEMORY, "kv blocks",
                     peers && times && loss ? peers[i].err.msg : NULL);
            continue;
        }
        if (sender) {
            r->loss = loss[i].sent;
            uint64_t sum = 0;
            for (uint64_t b = 0; b < blocks; b++)
                sum += times[i * blocks + b];
            r->seconds = (double)sum * 1e-9;
            stats_duration_from_ns(times + i * blocks, blocks, &r->lat);
            r->has_lat = 1;
        } else {
            shape_link_verdict(&links[i], r);
        }
    }
    free(loss);
    free(times);
    free(peers);
}

static int same_flow(const struct result_row *a, const struct result_row *b)
{
    return a->src == b->src && a->dst == b->dst && a->size_bytes == b->size_bytes;
}

static void kv_extra(const struct bench_engine *e, const struct result_row *row, cJSON *x,
                     void *arg)
{
    (void)e;
    (void)arg;
    cJSON_AddNumberToObject(x, "block_bytes", (double)row->size_bytes);
    cJSON_AddNumberToObject(x, "blocks", (double)row->iters);
    cJSON_AddNumberToObject(x, "senders_to_this_decode", row->x[0]);
    cJSON_AddStringToObject(x, "lat_us_is", "per-block transfer time (send until the decode "
                                            "rank has the block), not one-way latency");
    row_loss_json(x, &row->loss);
}

/* Rank 0: receivers' verdicts into the senders' rows, incast degree. */
static size_t kv_merge(struct result_row *all, size_t n)
{
    size_t kept = 0;

    for (size_t i = 0; i < n; i++) {
        if (all[i].kind != KV_TIMES)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (all[j].kind == KV_VERDICT && same_flow(&all[i], &all[j])) {
                all[i].verify = all[j].verify;
                all[i].verify_offset = all[j].verify_offset;
                all[i].verify_got = all[j].verify_got;
                all[i].verify_expected = all[j].verify_expected;
                all[i].verified_bytes = all[j].verified_bytes;
                if (all[i].status == TP_OK && all[j].status != TP_OK) {
                    all[i].status = all[j].status;
                    memcpy(all[i].error, all[j].error, sizeof(all[i].error));
                }
            }
            if (all[j].kind == KV_TIMES && all[j].dst == all[i].dst &&
                all[j].size_bytes == all[i].size_bytes)
                all[i].x[0] += 1;
        }
        all[kept++] = all[i];
    }
    return kept;
}

static void kv_record(struct bench_engine *e, struct result_row *all, size_t n, void *arg)
{
    struct row_hooks h = {.extra = kv_extra, .arg = arg};

    collect_rows(e, all, kv_merge(all, n), &h);
}

static tp_status_t pattern_run_kv(struct bench_engine *e, const struct topo_tier_plan *tier,
                                  const struct topo_round *round)
{
    const struct run_opts *o = e->o;
    uint64_t blocks = o->iters ? o->iters : KV_DEFAULT_BLOCKS;
    struct shape_link *links = NULL;
    size_t nlinks = 0;
    int sender = is_sender(round, e->rank);

    (void)tier;
    if (shape_round_open(e, round, shape_ring_len(e, 1, o->sizes[o->nsizes - 1]), &links,
                         &nlinks, "kv") != TP_OK)
        return TP_ERR_PEER;
    struct result_row *rows = calloc((nlinks ? nlinks : 1) * o->nsizes, sizeof(*rows));
    if (rows == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for kv rows");
    for (size_t s = 0; s < o->nsizes; s++)
        kv_size(e, links, nlinks, sender, o->sizes[s], blocks, rows + s * nlinks);
    shape_round_close(e, links, nlinks, rows, nlinks * o->nsizes, kv_record, NULL, "kv");
    free(rows);
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_kv = {
    .name = "kv",
    .summary = "prefill -> decode KV-cache blocks (--sizes, --iters), per-block percentiles",
    .needs_caps = TP_CAP_THREAD_EPS,
    .default_sizes = "64K,256K,1M,4M,16M",
    .options = &pattern_kv_options,
    .check_options = pattern_kv_check_options,
    .plan = pattern_plan_kv,
    .run_round = pattern_run_kv,
};
