/* shape_round.c: links to several peers and result rows for the traffic
 * shapes (see shape_round.h). */
#include "shape_round.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../../common/log.h"
#include "../engine/round_report.h"

/* Tags above the control plane's (100..20099) and the row stream's
 * (25000..29999, round_report.c), below the 32767 every MPI allows: 4 per
 * epoch (2 and 3 for shape_agree). */
#define SHAPE_TAG_BASE 30000
#define SHAPE_TAG_EPOCHS 500

static int shape_tag(const struct bench_engine *e, int which)
{
    return SHAPE_TAG_BASE + (int)(e->epoch % SHAPE_TAG_EPOCHS) * 4 + which;
}

static tp_status_t ring_alloc(struct bench_engine *e, size_t len, struct tp_buf *b,
                              struct tp_error *err)
{
    void *p = NULL;
    tp_status_t st = e->mem->ops->alloc(e->mem->ctx, len, &p);

    memset(b, 0, sizeof(*b));
    if (st != TP_OK)
        return tp_error_set(err, st, "cannot allocate a %zu-byte %s ring: %s", len,
                            e->mem->ops->name, tp_status_string(st));
    *b = (struct tp_buf){.addr = p, .len = len, .mem = e->mem};
    struct tp_error terr = {0};
    st = e->ops->mem_reg(e->tctx, b, &terr);
    if (st == TP_ERR_UNSUPPORTED && e->mem->ops->is_host)
        st = TP_OK;
    if (st != TP_OK)
        return tp_error_set(err, st, "transport %s cannot register a %zu-byte ring: %s",
                            e->ops->name, len, terr.msg);
    return TP_OK;
}

static void ring_free(struct bench_engine *e, struct tp_buf *b)
{
    if (b->addr == NULL)
        return;
    if (b->mr != NULL)
        e->ops->mem_dereg(e->tctx, b);
    e->mem->ops->free(e->mem->ctx, b->addr, b->len);
    b->addr = NULL;
}

size_t shape_ring_len(const struct bench_engine *e, size_t nlinks, uint64_t min_len)
{
    uint64_t len = e->o->buffer_size / (2 * (nlinks ? nlinks : 1));
    return (size_t)(len < min_len ? min_len : len);
}

tp_status_t shape_links_open(struct bench_engine *e, const struct topo_pair *edges,
                             size_t nedges, size_t ring_len, struct shape_link **links_p,
                             size_t *n_p, struct tp_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < nedges; i++)
        n += edges[i].src == e->rank || edges[i].dst == e->rank;
    struct shape_link *links = calloc(n ? n : 1, sizeof(*links));
    if (links == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for links");
    *links_p = links;
    *n_p = 0;
    for (size_t i = 0; i < nedges; i++) {
        const struct topo_pair *p = &edges[i];
        if (p->src != e->rank && p->dst != e->rank)
            continue;
        struct shape_link *l = &links[(*n_p)++];
        l->peer = p->src == e->rank ? p->dst : p->src;
        struct tp_error cerr = {0};
        tp_status_t st = e->ops->connect(e->tctx, l->peer, &l->ep, &cerr);
        if (st != TP_OK) {
            l->ep = NULL;
            return tp_error_set(err, st, "connect to rank %d (%s) over %s failed: %s", l->peer,
                                e->node_of_rank[l->peer], e->ops->name, cerr.msg);
        }
        if ((st = ring_alloc(e, ring_len, &l->tx, err)) != TP_OK ||
            (st = ring_alloc(e, ring_len, &l->rx, err)) != TP_OK)
            return st;
        if (e->o->verify) {
            char w[160];
            snprintf(w, sizeof(w), "pair %d (%s) <-> %d (%s), transport %s", e->rank,
                     e->node_of_rank[e->rank], l->peer, e->node_of_rank[l->peer], e->ops->name);
            verify_init(&l->vtx, e->o->cfg.secret, e->mem, w);
            verify_init(&l->vrx, e->o->cfg.secret, e->mem, w);
            l->verify = 1;
        }
    }
    return TP_OK;
}

void shape_links_close(struct bench_engine *e, struct shape_link *links, size_t n)
{
    for (size_t i = 0; links != NULL && i < n; i++) {
        struct shape_link *l = &links[i];
        if (l->ep != NULL)
            e->ops->disconnect(e->tctx, l->ep);
        ring_free(e, &l->tx);
        ring_free(e, &l->rx);
        if (l->verify) {
            verify_free(&l->vtx);
            verify_free(&l->vrx);
        }
    }
    free(links);
}

struct shape_link *shape_link_to(struct shape_link *links, size_t n, int peer)
{
    for (size_t i = 0; i < n; i++)
        if (links[i].peer == peer)
            return &links[i];
    return NULL;
}

struct tp_xfer shape_xfer_tx(struct shape_link *l, uint64_t msg, uint64_t bytes)
{
    return (struct tp_xfer){.buf = &l->tx, .msg_size = msg, .bytes = bytes};
}

struct tp_xfer shape_xfer_rx(struct shape_link *l, uint64_t msg, uint64_t bytes)
{
    return (struct tp_xfer){.buf = &l->rx, .msg_size = msg, .bytes = bytes};
}

uint64_t shape_check_bytes(const struct bench_engine *e, uint64_t msg, uint64_t timed)
{
    uint64_t lap = msg ? e->o->buffer_size / 2 / msg + 1 : 1;   /* the largest ring's */
    uint64_t most = msg ? (timed + msg - 1) / msg : 1;
    uint64_t n = lap < most ? lap : most;

    return (n < 2 ? 2 : n > 4096 ? 4096 : n) * msg;
}

struct tp_xfer shape_xfer_check_tx(struct shape_link *l, uint64_t msg, uint64_t bytes)
{
    struct tp_xfer x = shape_xfer_tx(l, msg, bytes);

    x.fill = verify_fill;
    x.hook_arg = &l->vtx;
    return x;
}

struct tp_xfer shape_xfer_check_rx(struct shape_link *l, uint64_t msg, uint64_t bytes)
{
    struct tp_xfer x = shape_xfer_rx(l, msg, bytes);

    x.check = verify_check;
    x.hook_arg = &l->vrx;
    return x;
}

void shape_verify_pass(struct bench_engine *e, struct shape_link *links, size_t n,
                       enum shape_dir dir, uint64_t msg, uint64_t timed, tp_status_t st)
{
    uint64_t bytes = shape_check_bytes(e, msg, timed);

    if (!e->o->verify || shape_agree(e, st) != TP_OK || n == 0)
        return;
    struct shape_peer *peers = calloc(n, sizeof(*peers));
    if (peers == NULL) {
        for (size_t i = 0; i < n; i++)
            tp_error_set(&links[i].verr, TP_ERR_NO_MEMORY, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        peers[i].ep = links[i].ep;
        if (dir != SHAPE_RECV)
            peers[i].tx = shape_xfer_check_tx(&links[i], msg, bytes);
        if (dir != SHAPE_SEND)
            peers[i].rx = shape_xfer_check_rx(&links[i], msg, bytes);
    }
    shape_run_concurrent(e->ops, peers, n, dir, NULL);
    for (size_t i = 0; i < n; i++)
        if (peers[i].status != TP_OK)
            tp_error_set(&links[i].verr, peers[i].status, "%s",
                         peers[i].err.msg[0] ? peers[i].err.msg
                                             : tp_status_string(peers[i].status));
    free(peers);
}

void shape_verify_relay(struct bench_engine *e, struct shape_link *prev,
                        struct shape_link *next, uint64_t msg, uint64_t timed, tp_status_t st)
{
    if (!e->o->verify || shape_agree(e, st) != TP_OK || (prev == NULL && next == NULL))
        return;
    uint64_t bytes = shape_check_bytes(e, msg, timed);
    struct tp_xfer x = prev != NULL ? shape_xfer_check_rx(prev, msg, bytes)
                                    : shape_xfer_check_tx(next, msg, bytes);
    struct tp_error err = {0};

    st = shape_relay(e->ops, prev ? prev->ep : NULL, next ? next->ep : NULL, &x, msg, NULL,
                     &err);
    if (st != TP_OK && prev != NULL)
        prev->verr = err;
}

void shape_link_verdict(struct shape_link *l, struct result_row *row)
{
    if (!l->verify)
        return;
    if (l->verr.status != TP_OK && row->status == TP_OK)
        row_fail(row, l->verr.status, "verification pass", l->verr.msg);
    row->verify = l->vrx.failed ? ROW_VERIFY_FAILED : ROW_VERIFY_OK;
    row->verify_offset = l->vrx.first_bad;
    row->verify_got = l->vrx.got;
    row->verify_expected = l->vrx.expected;
    row->verified_bytes = l->vrx.checked;
    verify_reset(&l->vrx);
    verify_reset(&l->vtx);
    memset(&l->verr, 0, sizeof(l->verr));
}

void shape_barrier(struct bench_engine *e, const char *where)
{
    if (ctrl_mpi_barrier(e->cm, e->round_budget_s) == TP_OK)
        return;
    char why[200];
    snprintf(why, sizeof(why), "%s: a rank did not arrive within %.0f s", where,
             e->round_budget_s);
    if (e->rank == 0)
        engine_abort(e, why);
    ctrl_mpi_abort(e->cm, why);
}

double shape_max_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss : 0;
}

tp_status_t shape_agree(struct bench_engine *e, tp_status_t mine)
{
    int tag = shape_tag(e, 3);
    int32_t v = (int32_t)mine, all = v;
    tp_status_t st = TP_OK;

    if (e->rank == 0) {
        for (int r = 1; r < e->nranks && st == TP_OK; r++) {
            int32_t got = 0;
            st = ctrl_mpi_recv(e->cm, r, tag, &got, sizeof(got), e->round_budget_s);
            if (st == TP_OK && got < all)
                all = got;
        }
        for (int r = 1; r < e->nranks && st == TP_OK; r++)
            st = ctrl_mpi_send(e->cm, r, tag - 1, &all, sizeof(all), e->round_budget_s);
    } else {
        st = ctrl_mpi_send(e->cm, 0, tag, &v, sizeof(v), e->round_budget_s);
        if (st == TP_OK)
            st = ctrl_mpi_recv(e->cm, 0, tag - 1, &all, sizeof(all), e->round_budget_s);
    }
    if (st != TP_OK) {
        const char *why = "a rank did not report its status within the round's time budget";
        if (e->rank == 0)
            engine_abort(e, why);
        ctrl_mpi_abort(e->cm, why);
    }
    return (tp_status_t)all;
}

tp_status_t shape_round_open(struct bench_engine *e, const struct topo_round *round,
                             size_t ring_len, struct shape_link **links_p, size_t *n_p,
                             const char *name)
{
    struct tp_error err = {0};

    ctrl_mpi_set_epoch(e->cm, e->epoch);
    tp_status_t st = shape_links_open(e, round->pairs, round->npairs, ring_len, links_p, n_p,
                                      &err);
    if (st != TP_OK)
        tp_log_error("%s: %s", name, err.msg);
    if (shape_agree(e, st) == TP_OK)
        return TP_OK;
    shape_links_close(e, *links_p, *n_p);
    *links_p = NULL;
    *n_p = 0;
    shape_barrier(e, name);
    e->epoch++;
    return TP_ERR_PEER;
}

void shape_round_close(struct bench_engine *e, struct shape_link *links, size_t nlinks,
                       const struct result_row *rows, size_t nrows, shape_record_fn record,
                       void *arg, const char *name)
{
    struct result_row *all = NULL;
    size_t nall = 0;

    shape_agree(e, TP_OK);      /* every transfer done before links go */
    shape_links_close(e, links, nlinks);
    tp_status_t st = round_reports_gather(e, rows, nrows, &all, &nall);
    if (e->rank == 0) {
        if (st != TP_OK) {
            char why[160];
            snprintf(why, sizeof(why), "%s: a rank's results did not arrive within the round "
                     "budget", name);
            engine_abort(e, why);
        }
        record(e, all, nall, arg);
    }
    free(all);
    shape_barrier(e, name);
    e->epoch++;
}
