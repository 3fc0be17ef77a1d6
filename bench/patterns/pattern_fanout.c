/* pattern_fanout.c: `--pattern fanout`: model distribution.  Rank 0 sends
 * --size bytes (default 64 MiB) to every other rank at once ("star": N
 * concurrent downloads from one source), then as a pipelined chain
 * (0 -> r1 -> r2 ..., readers ordered by their place in the topology so
 * each hop stays low), for comparison.  Memory stays bounded: every link
 * streams through a ring whose size does not depend on --size. */
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "pattern.h"
#include "shape_loss.h"
#include "shape_round.h"
#include "../results/row_loss.h"
#include "../engine/timing.h"

#define FANOUT_DEFAULT_BYTES (64ull << 20)

enum fanout_mode { FANOUT_STAR, FANOUT_CHAIN, FANOUT_BOTH };

struct fanout_opts {
    int mode;                   /* enum fanout_mode */
};

static const char *const fanout_modes[] = {"star", "chain", "both", NULL};

static const struct opt_field fanout_fields[] = {
    {.name = "fanout-mode", .type = OPT_ENUM, .metavar = "MODE", .dflt = "both",
     .choices = fanout_modes, .offset = offsetof(struct fanout_opts, mode),
     .help = "star (N concurrent downloads), chain (pipelined)\n"
             "or both; moves --size bytes (default 64M)"},
    {.name = NULL},
};

static const struct opt_table pattern_fanout_options = {
    .owner = "fanout",
    .title = "fanout",
    .config_size = sizeof(struct fanout_opts),
    .fields = fanout_fields,
};

static tp_status_t pattern_plan_fanout(const struct pattern_input *in, struct topo_plan **plan_p,
                                       struct tp_error *err)
{
    if (in->nranks < 2)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern fanout: needs at least 2 ranks (a source and a reader)");
    struct topo_plan *plan = pattern_plan_alloc(-1, 1, in->nranks - 1);
    if (plan == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    struct topo_round *round = &plan->tiers[0].rounds[0];
    for (size_t r = 1; r < in->nranks; r++) {
        struct topo_pair *p = &round->pairs[round->npairs++];
        p->src = 0;
        p->dst = (int)r;
        p->tier = -1;
        p->hypernode = NULL;
        if (in->topo != NULL)
            p->tier = topo_tier(in->topo, in->node_of_rank[0], in->node_of_rank[r], &p->hypernode);
    }
    *plan_p = plan;
    return TP_OK;
}

static uint64_t fanout_bytes(const struct bench_engine *e)
{
    return e->o->stream_bytes ? e->o->stream_bytes : FANOUT_DEFAULT_BYTES;
}

/* Chain order: source first, then readers sorted by their topology path
 * (root to leaf, then node name), so neighbours in the chain share their
 * lowest HyperNodes; rank order without a topology. */
struct chain_key {
    int rank;
    char path[512];
};

static int key_cmp(const void *a, const void *b)
{
    const struct chain_key *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : x->rank - y->rank;
}

static int *chain_order(const struct bench_engine *e)
{
    int n = e->nranks;
    struct chain_key *keys = calloc((size_t)n, sizeof(*keys));
    int *order = calloc((size_t)n, sizeof(*order));
    if (keys == NULL || order == NULL) {
        free(keys);
        free(order);
        return NULL;
    }
    for (int r = 0; r < n; r++) {
        const char *node = e->node_of_rank[r];
        const char *names[16];
        int len = e->topo ? topo_node_path(e->topo, node, names, NULL, 16) : 0;
        size_t used = 0;
        keys[r].rank = r;
        for (int i = (len > 16 ? 16 : len) - 1; i >= 0; i--) {
            int w = snprintf(keys[r].path + used, sizeof(keys[r].path) - used, "%s/", names[i]);
            if (w < 0 || (size_t)w >= sizeof(keys[r].path) - used)
                break;
            used += (size_t)w;
        }
        snprintf(keys[r].path + used, sizeof(keys[r].path) - used, "%s", node);
    }
    qsort(keys + 1, (size_t)n - 1, sizeof(*keys), key_cmp);
    for (int r = 0; r < n; r++)
        order[r] = keys[r].rank;
    free(keys);
    return order;
}

static void fanout_row_init(struct result_row *row, const struct bench_engine *e, int kind,
                            uint64_t msg, uint64_t bytes)
{
    row_init(row, 0, e->rank, kind, msg);
    row->iters = msg ? (bytes + msg - 1) / msg : 0;
    row->bytes_total = bytes;
}

/* The star's source: every reader at once; peer_s gets each reader's
 * delivery time on the source's clock (0: failed, logged here; the
 * reader's row records it). */
static tp_status_t star_send(struct bench_engine *e, struct shape_link *links, size_t nlinks,
                             uint64_t msg, uint64_t bytes, double *peer_s)
{
    struct shape_peer *peers = calloc(nlinks ? nlinks : 1, sizeof(*peers));

    if (peers == NULL) {
        tp_log_error("fanout star: out of memory at the source");
        return TP_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < nlinks; i++)
        peers[i] = (struct shape_peer){.ep = links[i].ep,
                                       .tx = shape_xfer_tx(&links[i], msg, bytes)};
    tp_status_t st = shape_run_concurrent(e->ops, peers, nlinks, SHAPE_SEND, NULL);
    for (size_t i = 0; i < nlinks; i++) {
        peer_s[links[i].peer] = peers[i].status == TP_OK ? peers[i].seconds : 0;
        if (peers[i].status != TP_OK)
            tp_log_error("fanout star: sending to rank %d (%s) failed: %s", links[i].peer,
                         e->node_of_rank[links[i].peer],
                         peers[i].err.msg[0] ? peers[i].err.msg
                                             : tp_status_string(peers[i].status));
    }
    free(peers);
    return st;
}

/* The star's source: star_send, with what it sent to each reader over
 * the timed transfer in sent[reader's rank] (TCP counts retransmissions
 * on the sending socket: fanout_record puts them in the readers' rows). */
static tp_status_t star_send_loss(struct bench_engine *e, struct shape_link *links,
                                  size_t nlinks, uint64_t msg, uint64_t bytes, double *peer_s,
                                  struct row_loss *sent)
{
    struct shape_loss *loss = calloc(nlinks ? nlinks : 1, sizeof(*loss));

    if (loss != NULL)
        shape_loss_begin(e, links, nlinks, loss);
    tp_status_t st = star_send(e, links, nlinks, msg, bytes, peer_s);
    if (loss != NULL) {
        shape_loss_end(e, links, nlinks, loss);
        for (size_t i = 0; i < nlinks; i++)
            sent[links[i].peer] = loss[i].sent;
    }
    free(loss);
    return st;
}

/* Star: rank 0 sends to every reader at once, one thread per reader. */
static void run_star(struct bench_engine *e, uint64_t msg, uint64_t bytes, struct result_row *row,
                     double *peer_s, struct row_loss *sent)
{
    size_t nedges = (size_t)e->nranks - 1, nlinks = 0;
    struct topo_pair *edges = calloc(nedges, sizeof(*edges));
    struct shape_link *links = NULL;
    struct tp_error err = {0};
    tp_status_t st = edges ? TP_OK : TP_ERR_NO_MEMORY;

    for (size_t i = 0; edges != NULL && i < nedges; i++)
        edges[i] = (struct topo_pair){.src = 0, .dst = (int)i + 1};
    if (st == TP_OK)
        st = shape_links_open(e, edges, nedges, shape_ring_len(e, e->rank ? 1 : nedges, msg),
                              &links, &nlinks, &err);
    if (shape_agree(e, st) != TP_OK && st == TP_OK)
        st = tp_error_set(&err, TP_ERR_PEER, "another rank could not connect");
    fanout_row_init(row, e, FANOUT_STAR, msg, bytes);
    if (st != TP_OK) {
        row_fail(row, st, "fanout star connect", err.msg);
        shape_links_close(e, links, nlinks);
        free(edges);
        return;
    }
    shape_barrier(e, "fanout star start");
    uint64_t t0 = timing_now_ns();
    if (e->rank == 0) {
        st = star_send_loss(e, links, nlinks, msg, bytes, peer_s, sent);
        shape_verify_pass(e, links, nlinks, SHAPE_SEND, msg, bytes, st);
    } else {
        struct tp_xfer rx = shape_xfer_rx(&links[0], msg, bytes);
        st = e->ops->stream_recv(links[0].ep, &rx, &err);
        row->seconds = (double)(timing_now_ns() - t0) * 1e-9;
        if (st != TP_OK)
            row_fail(row, st, "fanout star receive from rank 0", err.msg);
        shape_verify_pass(e, links, 1, SHAPE_RECV, msg, bytes, st);
        shape_link_verdict(&links[0], row);
    }
    shape_agree(e, TP_OK);      /* everyone done before links go */
    shape_links_close(e, links, nlinks);
    free(edges);
}

/* Chain: every rank receives from its predecessor and forwards to its
 * successor while the next chunk arrives.  What a rank sent on to its
 * successor goes into its own row's loss (the source's, rank 0's, into
 * *src_sent): fanout_record moves each to the successor's row. */
static void run_chain(struct bench_engine *e, uint64_t msg, uint64_t bytes, struct result_row *row,
                      struct row_loss *src_sent)
{
    int *order = chain_order(e);
    int n = e->nranks, pos = 0;
    struct topo_pair *edges = calloc((size_t)n, sizeof(*edges));
    struct shape_link *links = NULL;
    size_t nlinks = 0;
    struct tp_error err = {0};
    tp_status_t st = order && edges ? TP_OK : TP_ERR_NO_MEMORY;

    for (int k = 0; st == TP_OK && k < n; k++) {
        if (order[k] == e->rank)
            pos = k;
        if (k + 1 < n)
            edges[k] = (struct topo_pair){.src = order[k], .dst = order[k + 1]};
    }
    size_t ring = shape_ring_len(e, 1, 2 * msg);
    if (st == TP_OK)
        st = shape_links_open(e, edges, (size_t)n - 1, ring, &links, &nlinks, &err);
    if (shape_agree(e, st) != TP_OK && st == TP_OK)
        st = tp_error_set(&err, TP_ERR_PEER, "another rank could not connect");
    fanout_row_init(row, e, FANOUT_CHAIN, msg, bytes);
    row->x[0] = pos;
    if (st != TP_OK) {
        row_fail(row, st, "fanout chain connect", err.msg);
    } else {
        struct shape_link *prev = pos > 0 ? shape_link_to(links, nlinks, order[pos - 1]) : NULL;
        struct shape_link *next = pos + 1 < n ? shape_link_to(links, nlinks, order[pos + 1]) : NULL;
        struct tp_xfer x = prev ? shape_xfer_rx(prev, msg, bytes) : shape_xfer_tx(next, msg, bytes);
        struct shape_loss loss;
        memset(&loss, 0, sizeof(loss));
        shape_barrier(e, "fanout chain start");
        shape_loss_begin(e, next, next ? 1 : 0, &loss);
        st = shape_relay(e->ops, prev ? prev->ep : NULL, next ? next->ep : NULL, &x, msg,
                         &row->seconds, &err);
        shape_loss_end(e, next, next ? 1 : 0, &loss);
        if (next != NULL)
            *(e->rank == 0 ? src_sent : &row->loss) = loss.sent;
        if (st != TP_OK)
            row_fail(row, st, "fanout chain relay", err.msg);
        shape_verify_relay(e, prev, next, msg, bytes, st);
        if (prev != NULL)
            shape_link_verdict(prev, row);
        shape_agree(e, TP_OK);
    }
    shape_links_close(e, links, nlinks);
    free(edges);
    free(order);
}

struct fanout_summary {
    double all_done_s[2];
    int readers;
    double source_rss_kib;
};

static void fanout_extra(const struct bench_engine *e, const struct result_row *row, cJSON *x,
                         void *arg)
{
    (void)e;
    const struct fanout_summary *s = arg;
    double all = s->all_done_s[row->kind];

    cJSON_AddStringToObject(x, "mode", row->kind == FANOUT_STAR ? "star" : "chain");
    cJSON_AddNumberToObject(x, "readers", s->readers);
    cJSON_AddNumberToObject(x, "all_done_s", all);
    cJSON_AddNumberToObject(x, "aggregate_gbit_s",
                            all > 0 ? (double)row->bytes_total * 8.0 * s->readers / all / 1e9 : 0);
    if (row->kind == FANOUT_CHAIN)
        cJSON_AddNumberToObject(x, "chain_position", row->x[0]);
    cJSON_AddNumberToObject(x, "reader_max_rss_kib", row->x[1]);
    cJSON_AddNumberToObject(x, "source_max_rss_kib", s->source_rss_kib);
    row_loss_json(x, &row->loss);
}

/* What rank 0 needs to turn the readers' rows into results. */
struct fanout_run {
    const double *peer_s;       /* star: the source's delivery time per reader */
    const struct row_loss *star_sent;   /* star: what the source sent each reader */
    struct row_loss chain_src_sent;     /* chain: what the source sent its successor */
    uint64_t bytes;
    size_t nmodes;
};

/* Each row's flow loss: the star's from the source; the chain's from the
 * predecessor's row (each row holds what its rank sent on), the first
 * reader's from the source. */
static void fanout_loss(const struct fanout_run *run, struct result_row *all, size_t n,
                        int nranks)
{
    struct row_loss *held = calloc((size_t)nranks + 1, sizeof(*held));

    if (held != NULL) {
        held[0] = run->chain_src_sent;
        for (size_t i = 0; i < n; i++)
            if (all[i].kind == FANOUT_CHAIN && all[i].x[0] >= 1 && all[i].x[0] < nranks)
                held[(int)all[i].x[0]] = all[i].loss;
    }
    for (size_t i = 0; i < n; i++) {
        int pos = (int)all[i].x[0];
        if (all[i].kind == FANOUT_STAR)
            all[i].loss = run->star_sent[all[i].dst];
        else if (held != NULL && pos >= 1 && pos < nranks)
            all[i].loss = held[pos - 1];
        else
            memset(&all[i].loss, 0, sizeof(all[i].loss));
    }
    free(held);
}

static void fanout_record(struct bench_engine *e, struct result_row *all, size_t n, void *arg)
{
    const struct fanout_run *run = arg;
    struct fanout_summary sum = {.readers = e->nranks - 1, .source_rss_kib = shape_max_rss_kib()};

    fanout_loss(run, all, n, e->nranks);
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind == FANOUT_STAR && all[i].status == TP_OK && run->peer_s[all[i].dst] > 0)
            all[i].seconds = run->peer_s[all[i].dst];   /* the sender's clock: delivery */
        if (all[i].seconds > sum.all_done_s[all[i].kind])
            sum.all_done_s[all[i].kind] = all[i].seconds;
    }
    struct row_hooks h = {.extra = fanout_extra, .arg = &sum};

    collect_rows(e, all, n, &h);
    if (e->prog != NULL)
        progress_round(e->prog, run->bytes * (uint64_t)(e->nranks - 1) * run->nmodes);
}

static tp_status_t pattern_run_fanout(struct bench_engine *e, const struct topo_tier_plan *tier,
                                      const struct topo_round *round)
{
    uint64_t bytes = fanout_bytes(e), msg = run_opts_stream_chunk(e->o);
    const struct fanout_opts *fo = e->o->pattern_cfg;
    int mode = fo != NULL ? fo->mode : FANOUT_BOTH;
    struct result_row rows[2];
    double *peer_s = calloc((size_t)e->nranks, sizeof(double));
    struct row_loss *star_sent = calloc((size_t)e->nranks, sizeof(*star_sent));
    struct fanout_run run = {.peer_s = peer_s, .star_sent = star_sent, .bytes = bytes};
    size_t nrows = 0;

    (void)tier;
    (void)round;
    if (peer_s == NULL || star_sent == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for fanout");
    ctrl_mpi_set_epoch(e->cm, e->epoch);
    if (mode != FANOUT_CHAIN) {
        run_star(e, msg, bytes, &rows[nrows], peer_s, star_sent);
        rows[nrows++].x[1] = shape_max_rss_kib();
    }
    if (mode != FANOUT_STAR) {
        run_chain(e, msg, bytes, &rows[nrows], &run.chain_src_sent);
        rows[nrows++].x[1] = shape_max_rss_kib();
    }
    run.nmodes = nrows;
    /* the source's own rows are not results: it reads nothing; its links
     * were closed by each mode */
    shape_round_close(e, NULL, 0, rows, e->rank == 0 ? 0 : nrows, fanout_record, &run, "fanout");
    free(star_sent);
    free(peer_s);
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_fanout = {
    .name = "fanout",
    .summary = "rank 0 sends --size to all others at once (star) and as a chain",
    .needs_caps = TP_CAP_THREAD_EPS,
    .options = &pattern_fanout_options,
    .plan = pattern_plan_fanout,
    .run_round = pattern_run_fanout,
};
