/* pattern_congestion.c: `--pattern congestion` (as GPCNeT does): a victim
 * pair crossing a tier measures bandwidth and latency alone, then again
 * while the other disjoint pairs crossing the same tier keep their flows
 * busy (aggressors share the victim's uplinks), and the slowdown is
 * reported.  Aggressors cross the same tier through the same lowest
 * common HyperNode as the victim.  The tier is --congestion-tier or the
 * highest tier where a victim has at least one aggressor. */
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../cli/run_opts.h"
#include "pattern.h"
#include "shape_round.h"

enum congestion_kind { CONG_ISOLATED, CONG_LOADED, CONG_AGGRESSOR };

struct congestion_opts {
    int tier;                   /* the loaded tier; 0 = automatic */
};

static const struct opt_field congestion_fields[] = {
    {.name = "congestion-tier", .type = OPT_INT, .metavar = "N", .dflt = "0",
     .dflt_help = "automatic: the highest tier with 2+ disjoint pairs", .min = 1, .max = 64,
     .offset = offsetof(struct congestion_opts, tier),
     .help = "the tier whose uplinks are loaded"},
    {.name = NULL},
};

static const struct opt_table pattern_congestion_options = {
    .owner = "congestion",
    .title = "congestion",
    .config_size = sizeof(struct congestion_opts),
    .fields = congestion_fields,
};

/* Aggressors for a victim: greedily, disjoint rank pairs of the same tier
 * and the same lowest common HyperNode, so their flows cross the same
 * switches and uplinks as the victim's.  Fills pairs[1..], returns the
 * count including the victim (pairs[0]). */
static size_t pick_aggressors(const struct pattern_input *in, const struct topo_pair *victim,
                              struct topo_pair *pairs, char *used)
{
    size_t n = 1;

    memset(used, 0, in->nranks);
    pairs[0] = *victim;
    used[victim->src] = used[victim->dst] = 1;
    for (size_t a = 0; a < in->nranks; a++) {
        for (size_t b = 0; b < in->nranks && !used[a]; b++) {
            const char *hn = NULL;
            if (used[b] || a == b)
                continue;
            int t = topo_tier(in->topo, in->node_of_rank[a], in->node_of_rank[b], &hn);
            if (t != victim->tier || hn == NULL || victim->hypernode == NULL ||
                strcmp(hn, victim->hypernode) != 0)
                continue;
            pairs[n++] = (struct topo_pair){.src = (int)a, .dst = (int)b, .tier = t,
                                            .hypernode = hn};
            used[a] = used[b] = 1;
        }
    }
    return n;
}

static tp_status_t pattern_plan_congestion(const struct pattern_input *in, struct topo_plan **plan_p,
                                           struct tp_error *err)
{
    struct topo_plan *tiers = NULL;
    const struct congestion_opts *co = in->opts != NULL ? in->opts->pattern_cfg : NULL;
    int want = co != NULL ? co->tier : 0;
    struct topo_pair *pairs = calloc(in->nranks + 1, sizeof(*pairs));
    struct topo_pair *best = calloc(in->nranks + 1, sizeof(*best));
    char *used = calloc(in->nranks + 1, 1);
    size_t nbest = 0;

    if (pairs == NULL || best == NULL || used == NULL) {
        free(pairs);
        free(best);
        free(used);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    }
    tp_status_t st = topo_plan_tiers(in->topo, in->node_of_rank, in->nranks, &tiers, err);
    /* tiers ascend: the last tier with a victim and an aggressor wins */
    for (size_t i = 0; st == TP_OK && tiers != NULL && i < tiers->ntiers; i++) {
        const struct topo_tier_plan *t = &tiers->tiers[i];
        if (t->nrounds == 0 || t->rounds[0].npairs == 0 || t->tier <= 0 ||
            (want > 0 && t->tier != want))
            continue;
        size_t n = pick_aggressors(in, &t->rounds[0].pairs[0], pairs, used);
        if (n >= 2) {
            memcpy(best, pairs, n * sizeof(*pairs));
            nbest = n;
        }
    }
    if (st == TP_OK && nbest == 0)
        st = want > 0 ? tp_error_set(err, TP_ERR_INVALID,
                                     "--congestion-tier %d: no two disjoint rank pairs of this "
                                     "job cross tier %d through the same HyperNode", want, want)
                      : tp_error_set(err, TP_ERR_INVALID,
                                     "--pattern congestion: no tier has two disjoint rank pairs "
                                     "through the same HyperNode (a victim and an aggressor)");
    struct topo_plan *plan = st == TP_OK ? pattern_plan_alloc(best[0].tier, 1, nbest) : NULL;
    if (st == TP_OK && plan == NULL)
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    if (st == TP_OK && plan != NULL) {
        memcpy(plan->tiers[0].rounds[0].pairs, best, nbest * sizeof(*best));
        plan->tiers[0].rounds[0].npairs = nbest;
        *plan_p = plan;
    }
    topo_plan_free(tiers);
    free(pairs);
    free(best);
    free(used);
    return st;
}

/* The victim's measurement of every size, into rows (sender side). */
static void victim_measure(struct bench_engine *e, struct pair_ctx *pc, int kind,
                           struct result_row *rows)
{
    const struct run_opts *o = e->o;

    for (size_t s = 0; s < o->nsizes; s++) {
        struct result_row r;
        struct tp_error err = {0};
        struct result_row *row = &rows[s];
        memset(&r, 0, sizeof(r));
        tp_status_t st = o->no_bw ? TP_OK : pair_bandwidth(pc, o->sizes[s], &r, &err);
        if (st == TP_OK && !o->no_lat)
            st = pair_latency(pc, o->sizes[s], &r, &err);
        row_init(row, pc->sender ? e->rank : pc->peer, pc->sender ? pc->peer : e->rank, kind,
                 o->sizes[s]);
        row->iters = r.iters;
        row->bytes_total = r.bytes_total;
        row->seconds = r.seconds;
        row->lat = r.lat;
        row->has_lat = r.has_lat;
        if (st != TP_OK) {
            row_fail(row, st, kind == CONG_ISOLATED ? "congestion victim alone"
                                                          : "congestion victim under load",
                           err.msg);
            break;
        }
    }
}

struct congestion_summary {
    const struct result_row *rows;
    size_t n;
};

static const struct result_row *isolated_twin(const struct congestion_summary *s,
                                             const struct result_row *loaded)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->rows[i].kind == CONG_ISOLATED && s->rows[i].size_bytes == loaded->size_bytes &&
            s->rows[i].status == TP_OK)
            return &s->rows[i];
    return NULL;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static void congestion_extra(const struct bench_engine *e, const struct result_row *row,
                             cJSON *x, void *arg)
{
    const struct congestion_summary *s = arg;
    static const char *const roles[] = {"victim-isolated", "victim-loaded", "aggressor"};

    (void)e;

    cJSON_AddStringToObject(x, "role", roles[row->kind]);
    if (row->kind == CONG_AGGRESSOR) {
        cJSON_AddNumberToObject(x, "background_gbit_s",
                                ratio((double)row->bytes_total * 8.0 / 1e9, row->seconds));
        return;
    }
    const struct result_row *iso = row->kind == CONG_LOADED ? isolated_twin(s, row) : NULL;
    if (iso == NULL || row->status != TP_OK)
        return;
    double bw_iso = ratio((double)iso->bytes_total, iso->seconds);
    double bw_now = ratio((double)row->bytes_total, row->seconds);
    /* slowdown > 1 means worse under load */
    cJSON_AddNumberToObject(x, "bw_slowdown", ratio(bw_iso, bw_now));
    if (iso->has_lat && row->has_lat) {
        cJSON_AddNumberToObject(x, "lat_p50_slowdown", ratio(row->lat.p50, iso->lat.p50));
        cJSON_AddNumberToObject(x, "lat_p99_slowdown", ratio(row->lat.p99, iso->lat.p99));
    }
    cJSON_AddNumberToObject(x, "aggressor_pairs", row->x[0]);
}

static void congestion_record(struct bench_engine *e, struct result_row *all, size_t n,
                              void *arg)
{
    struct congestion_summary sum = {all, n};
    struct row_hooks h = {.extra = congestion_extra, .arg = &sum};

    (void)arg;
    collect_rows(e, all, n, &h);
}

static tp_status_t pattern_run_congestion(struct bench_engine *e, const struct topo_tier_plan *tier,
                                          const struct topo_round *round)
{
    const struct run_opts *o = e->o;
    struct shape_link *links = NULL;
    size_t nlinks = 0, nrows = 0;
    const struct topo_pair *victim = &round->pairs[0];
    int is_victim = e->rank == victim->src || e->rank == victim->dst;
    struct result_row *rows = calloc(2 * o->nsizes + 1, sizeof(*rows));

    (void)tier;
    if (rows == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for congestion rows");
    if (shape_round_open(e, round, shape_ring_len(e, 1, run_opts_stream_chunk(o)), &links,
                         &nlinks, "congestion") != TP_OK) {
        free(rows);
        return TP_ERR_PEER;
    }
    struct pair_ctx pc = {.e = e, .sender = e->rank == victim->src,
                          .peer = e->rank == victim->src ? victim->dst : victim->src,
                          .ep = nlinks ? links[0].ep : NULL};

    /* 1: the victim alone */
    if (is_victim)
        victim_measure(e, &pc, CONG_ISOLATED, rows);
    shape_barrier(e, "congestion isolated phase");

    /* 2: aggressors busy, the victim again */
    struct shape_background *bg = NULL;
    int is_src = 0;
    for (size_t i = 0; i < round->npairs; i++)
        is_src |= round->pairs[i].src == e->rank;
    if (!is_victim && nlinks == 1) {
        uint64_t chunk = run_opts_stream_chunk(o);
        struct tp_xfer burst = shape_xfer_tx(&links[0], chunk, links[0].tx.len);
        if (shape_background_start(e->ops, links[0].ep, &burst, is_src, &bg) != TP_OK)
            tp_log_error("congestion: background flow to rank %d did not start", links[0].peer);
    }
    shape_barrier(e, "congestion load start");
    if (is_victim)
        victim_measure(e, &pc, CONG_LOADED, rows + o->nsizes);
    shape_barrier(e, "congestion loaded phase");
    if (bg != NULL) {
        struct result_row *r = &rows[0];
        row_init(r, e->rank, links[0].peer, CONG_AGGRESSOR, run_opts_stream_chunk(o));
        struct tp_error berr = {0};
        tp_status_t bst = shape_background_stop(bg, &r->bytes_total, &r->seconds, &berr);
        if (bst != TP_OK)
            row_fail(r, bst, "congestion background flow", berr.msg);
        nrows = is_src ? 1 : 0;     /* the sending side reports the flow */
    } else if (is_victim && pc.sender) {
        nrows = 2 * o->nsizes;
        for (size_t i = o->nsizes; i < nrows; i++)
            rows[i].x[0] = (double)round->npairs - 1;
    }
    shape_round_close(e, links, nlinks, rows, nrows, congestion_record, NULL, "congestion");
    free(rows);
    return TP_OK;
}

/* The pattern as the pattern table lists it (pattern_table.c). */
const struct bench_pattern pattern_congestion = {
    .name = "congestion",
    .summary = "a victim pair alone, then with aggressors loading its tier (slowdown)",
    .needs_topology = 1,
    .needs_caps = TP_CAP_THREAD_EPS,
    .default_sizes = "64,4M",
    .options = &pattern_congestion_options,
    .plan = pattern_plan_congestion,
    .run_round = pattern_run_congestion,
};
