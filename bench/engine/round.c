/* round.c: the pairwise pattern engine's round: every rank finds its
 * pairs (one peer per round), connects, measures, and the senders report
 * each measured size to rank 0 at once (round_report.c), which records
 * it; then a barrier ends the round.  Every transfer of a pair is bounded
 * (pair_limit), so a stalled pair fails on its own, and whichever side
 * fails reports it (a receiver too: a frozen sender costs --timeout);
 * rank 0 gives up on a pair that reports nothing for a step's bound, and
 * on the barrier after 2 x --timeout once every report is in; then it
 * saves what it has and aborts the job rather than hang (run.h states the
 * bounds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "engine.h"
#include "round_report.h"

/* This rank's pairs in the round, in plan order, and its peer. */
static size_t my_pairs(const struct bench_engine *e, const struct topo_round *round, size_t *idx,
                       int *peer_p)
{
    size_t n = 0;

    for (size_t i = 0; i < round->npairs; i++) {
        const struct topo_pair *p = &round->pairs[i];
        if (p->src != e->rank && p->dst != e->rank)
            continue;
        idx[n++] = i;
        *peer_p = p->src == e->rank ? p->dst : p->src;
    }
    return n;
}

struct step_sink {
    struct round_reports *rr;
    size_t pair;
};

static void step_done(void *arg, size_t step, const struct result_row *r)
{
    struct step_sink *sink = arg;

    round_reports_step(sink->rr, sink->pair, step, r);
}

/* A receiver whose pair failed says so too: when the sender is frozen or
 * unreachable, rank 0 learns of the failure within --timeout, not after
 * a step's bound of silence. */
static void receiver_failed(struct round_reports *rr, size_t pair, struct pair_report *rep,
                            tp_status_t st, const struct result_row *res)
{
    if (rep->status == TP_OK) {
        const struct result_row *r = &res[rep->nres > 0 ? rep->nres - 1 : 0];
        rep->status = st;
        snprintf(rep->error, sizeof(rep->error), "%s", r->error);
    }
    round_reports_end(rr, pair, rep);
}

/* Rank 0: the stream's sink, the pairwise engine's rows (collect_pair.c). */
static void sink_row(void *arg, const struct topo_pair *p, size_t step,
                     const struct result_row *r)
{
    (void)step;
    collect_step(arg, p, r);
}

static void sink_end(void *arg, const struct topo_pair *p, const struct pair_report *rep)
{
    collect_pair_end(arg, p, rep);
}

static void sink_missing(void *arg, const struct topo_pair *p, size_t got, double silence_s)
{
    const struct bench_engine *e = arg;
    char why[256];

    snprintf(why, sizeof(why),
             "no report from rank %d (pair %d -> %d, %d of %zu sizes reported) for %.0f s "
             "(a step's bound: its planned time plus 6 x --timeout); rank %d or %d is "
             "stuck or unreachable",
             p->src, p->src, p->dst, (int)got, e->nsteps, silence_s, p->src, p->dst);
    collect_missing(arg, p, why);
}

/* Every report in; rank 0 ends the round's progress, or saves what it has
 * and aborts the job when pairs went silent. */
static void reports_finish(struct bench_engine *e, struct round_reports *rr)
{
    size_t lost = round_reports_finish(rr);

    if (e->rank == 0 && e->prog != NULL)
        progress_round(e->prog, rr->bytes);
    round_reports_close(rr);
    if (lost > 0) {
        char why[160];
        snprintf(why, sizeof(why), "%zu pair(s) of the round gave no report for %.0f s", lost,
                 e->step_bound_s);
        engine_abort(e, why);
    }
}

/* Measure this rank's pairs; each step is reported as soon as it is done. */
static void measure(struct bench_engine *e, const struct topo_round *round, const size_t *idx,
                    size_t n, int peer, struct round_reports *rr)
{
    void *ep = NULL;
    struct tp_error cerr = {0};
    tp_status_t conn = e->ops->connect(e->tctx, peer, &ep, &cerr);
    struct result_row *res = calloc(e->nsteps ? e->nsteps : 1, sizeof(*res));

    if (res == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for pair results");
    if (conn != TP_OK) {
        tp_log_error("connect to rank %d (%s) over %s failed: %s", peer, e->node_of_rank[peer],
                     e->ops->name, cerr.msg);
        ep = NULL;
    }
    for (size_t k = 0; k < n; k++) {
        const struct topo_pair *p = &round->pairs[idx[k]];
        struct pair_report rep;
        struct step_sink sink = {rr, idx[k]};
        tp_status_t st = pair_run(e, p, ep, conn, &rep, res, step_done, &sink);
        if (p->src == e->rank)
            round_reports_end(rr, idx[k], &rep);
        else if (st != TP_OK)
            receiver_failed(rr, idx[k], &rep, st, res);
        if (st != TP_OK && conn == TP_OK)
            conn = st;      /* the connection is unusable for the next pair */
    }
    free(res);
    if (ep != NULL)
        e->ops->disconnect(e->tctx, ep);
}


tp_status_t round_run_pairs(struct bench_engine *e, const struct topo_tier_plan *tier,
                            const struct topo_round *round)
{
    size_t *idx = calloc(round->npairs ? round->npairs : 1, sizeof(size_t));
    int peer = -1;
    struct round_reports rr;

    (void)tier;
    if (idx == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for the round");
    ctrl_mpi_set_epoch(e->cm, e->epoch);
    size_t n = my_pairs(e, round, idx, &peer);
    /* a sender reports each step and the end of its pairs, a receiver a
     * failure */
    struct round_stream s = {.units = round->pairs, .nunits = round->npairs,
                             .max_rows = e->nsteps, .nposts = n * (e->nsteps + 1),
                             .silence_s = e->step_bound_s,
                             .sink = {sink_row, sink_end, sink_missing, e}};
    round_reports_open(&rr, e, &s);
    if (e->rank == 0 && e->report_thread) {    /* journal others' reports at once */
        round_reports_listen(&rr);
    } else if (e->rank == 0) {              /* ... or between own units */
        e->cm->idle = round_reports_poll;
        e->cm->idle_arg = &rr;
    }
    if (n > 0)
        measure(e, round, idx, n, peer, &rr);
    e->cm->idle = NULL;
    e->cm->idle_arg = NULL;
    reports_finish(e, &rr);
    free(idx);
    /* rank 0 has every report: the others are at most a control exchange
     * away; they wait for the round's slowest pair */
    double t = e->o->cfg.timeout_s > 0 ? e->o->cfg.timeout_s : 60;
    double wait = e->rank == 0 ? 2 * t + 1 : e->round_budget_s;
    if (ctrl_mpi_barrier(e->cm, wait) != TP_OK) {
        char why[160];
        snprintf(why, sizeof(why), "a rank did not reach the end of the round within %.0f s "
                 "(stopped or unreachable)", wait);
        if (e->rank == 0)
            engine_abort(e, why);
        ctrl_mpi_abort(e->cm, why);
    }
    e->epoch++;
    return TP_OK;
}
