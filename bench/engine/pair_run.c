/* pair_run.c: one pair from connection to last size: a sync message
 * before every step carries both sides' status, so a failure on either
 * side ends the pair on both within --timeout and is recorded by the
 * sender, who holds the pair's results.  A side that fails also sends
 * its peer a notice, which the peer's waits watch for (tp_deadline.h): a
 * peer that was frozen meanwhile stops at once when it runs again,
 * instead of waiting a fresh --timeout for a side that is gone. */
#include <stdio.h>
#include <string.h>

#include "../../common/log.h"
#include "../../transports/tp_deadline.h"
#include "engine.h"
#include "timing.h"

void pair_limit(const struct pair_ctx *pc, double bytes, double rate_Bps)
{
    double limit = timing_unit_limit_s(bytes, rate_Bps, pc->e->o->cfg.timeout_s);

    tp_deadline_set(limit > 0 ? tp_deadline_now() + limit : 0);
}

void pair_unlimit(void)
{
    tp_deadline_set(0);
}

static tp_status_t peer_gave_up_error(const struct pair_ctx *pc, struct tp_error *err)
{
    return tp_error_set(err, TP_ERR_PEER, "rank %d gave up on the pair (%s on its side)",
                        pc->peer, tp_status_string(pc->peer_failed));
}

tp_status_t pair_sync(struct pair_ctx *pc, const struct pair_sync *out, struct pair_sync *in,
                      struct tp_error *err)
{
    tp_status_t st = ctrl_mpi_exchange(pc->e->cm, pc->peer, out, in, sizeof(*in));
    if (st != TP_OK && tp_deadline_peer_gone())
        return peer_gave_up_error(pc, err);
    if (st != TP_OK)
        return tp_error_set(err, st, "control exchange with rank %d failed: %s", pc->peer,
                            tp_status_string(st));
    pc->peer_knows = in->status != TP_OK || out->status != TP_OK;
    if (in->status != TP_OK)
        return tp_error_set(err, (tp_status_t)in->status, "peer rank %d failed: %s", pc->peer,
                            tp_status_string((tp_status_t)in->status));
    if (out->status != TP_OK)
        return (tp_status_t)out->status;
    return TP_OK;
}

/* "a: b" cut to fit (messages are one line; the end matters less) */
static void join(char *dst, size_t len, const char *a, const char *b)
{
    if (snprintf(dst, len, "%s: %s", a, b) >= (int)len && len > 4)
        memcpy(dst + len - 4, "...", 4);
}

static void where(const struct bench_engine *e, const struct topo_pair *p, char *buf, size_t len)
{
    snprintf(buf, len, "pair %d (%s) -> %d (%s), transport %s", p->src, e->node_of_rank[p->src],
             p->dst, e->node_of_rank[p->dst], e->ops->name);
}

static tp_status_t one_step(struct pair_ctx *pc, size_t step, struct result_row *r,
                            struct tp_error *err)
{
    const struct run_opts *o = pc->e->o;
    tp_status_t st = TP_OK;

    if (o->stream_bytes > 0)
        return pair_stream(pc, r, err);
    if (!o->no_bw)
        st = pair_bandwidth(pc, o->sizes[step], r, err);
    if (st == TP_OK && !o->no_lat)
        st = pair_latency(pc, o->sizes[step], r, err);
    return st;
}

/* the pair's watch (tp_deadline_watch): the peer's notice has come */
static int peer_gave_up(void *arg)
{
    struct pair_ctx *pc = arg;

    pc->peer_failed = ctrl_mpi_notice_take(pc->e->cm, pc->peer);
    return pc->peer_failed != TP_OK;
}

/* A failed side: the peer learns it at once unless a sync told it, or it
 * is the one that gave up first. */
static void tell_peer(struct pair_ctx *pc, tp_status_t st)
{
    if (st != TP_OK && !pc->peer_knows && !tp_deadline_peer_gone())
        ctrl_mpi_notice_send(pc->e->cm, pc->peer, st);
}

tp_status_t pair_run(struct bench_engine *e, const struct topo_pair *p, void *ep,
                     tp_status_t connect_status, struct pair_report *rep,
                     struct result_row *res, pair_step_fn on_step, void *arg)
{
    struct verify_ctx vtx, vrx;
    struct tp_error err = {0};
    char w[160];
    struct pair_ctx pc = {.e = e, .sender = e->rank == p->src,
                          .peer = e->rank == p->src ? p->dst : p->src, .ep = ep};
    tp_status_t st;

    memset(rep, 0, sizeof(*rep));
    rep->src = p->src;
    rep->dst = p->dst;
    where(e, p, w, sizeof(w));
    tp_deadline_watch(peer_gave_up, &pc);
    if (e->o->verify) {
        verify_init(&vtx, e->o->cfg.secret, e->mem, w);
        verify_init(&vrx, e->o->cfg.secret, e->mem, w);
        pc.vtx = &vtx;
        pc.vrx = &vrx;
    }
    struct pair_sync out = {.status = connect_status}, in = {0};
    st = pair_sync(&pc, &out, &in, &err);
    if (st != TP_OK) {
        rep->status = st;
        char what[200];
        snprintf(what, sizeof(what), "%s: connect", w);
        join(rep->error, sizeof(rep->error), what,
             connect_status != TP_OK ? tp_status_string(connect_status) : err.msg);
        goto out;
    }
    for (size_t step = 0; step < e->nsteps; step++) {
        struct result_row *r = &res[step];
        memset(r, 0, sizeof(*r));
        r->size_bytes = e->o->stream_bytes ? run_opts_stream_chunk(e->o) : e->o->sizes[step];
        /* only bandwidth transfers carry checked data */
        r->verify = e->o->verify && (!e->o->no_bw || e->o->stream_bytes > 0) ? ROW_VERIFY_OK
                                                                             : ROW_VERIFY_OFF;
        if (pc.vrx != NULL) {
            verify_reset(pc.vrx);
            verify_reset(pc.vtx);
        }
        rep->nres = (int32_t)(step + 1);
        struct pair_sync so = {.step = (uint32_t)step}, si = {0};
        double t0 = timing_now_s();
        if ((st = pair_sync(&pc, &so, &si, &err)) == TP_OK)
            st = one_step(&pc, step, r, &err);
        tp_log_debug("%s: %llu-byte step took %.3f s", w, (unsigned long long)r->size_bytes,
                     timing_now_s() - t0);
        if (st != TP_OK && tp_deadline_peer_gone() && err.status != TP_ERR_PEER)
            peer_gave_up_error(&pc, &err);
        if (st != TP_OK) {
            r->status = st;
            join(r->error, sizeof(r->error), w, err.msg);
            if (!pc.sender)
                tp_log_error("%s", r->error);
        }
        if (on_step != NULL)
            on_step(arg, step, pc.sender ? r : NULL);
        if (st != TP_OK)
            goto out;
    }
out:
    tell_peer(&pc, st);
    tp_deadline_watch(NULL, NULL);
    if (e->o->verify) {
        verify_free(&vtx);
        verify_free(&vrx);
    }
    return st;
}
