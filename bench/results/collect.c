/* collect.c: rank 0 turns result rows into results entries (journalled at
 * once by the writer), counts failures for the exit status, and on a
 * deadline saves what it has before the job is aborted (see collect.h). */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "../engine/engine.h"
#include "../engine/run_signal.h"
#include "results_write.h"

const char *collect_tier_name(void *arg, int tier)
{
    return arg != NULL ? topo_tier_name(arg, tier) : NULL;
}

/* Where a row sits when the pattern does not say: by its nodes. */
static void place_by_nodes(const struct bench_engine *e, const struct result_row *r,
                           struct row_place *pl)
{
    memset(pl, 0, sizeof(*pl));
    pl->tier = e->topo != NULL ? topo_tier(e->topo, e->node_of_rank[r->src],
                                           e->node_of_rank[r->dst], &pl->hypernode)
                               : -1;
}

/* The NIC a rank used (rails), from its link facts; none without them. */
static struct results_nic nic_of(const struct bench_engine *e, int rank)
{
    const struct tp_link_info *l = e->links != NULL ? &e->links[rank] : NULL;

    if (l == NULL)
        return (struct results_nic){.device = NULL};
    return (struct results_nic){.device = l->device, .port = l->port, .ifname = l->ifname,
                                .rail = l->rail, .nrails = l->nrails};
}

void collect_entry(const struct bench_engine *e, const struct result_row *r,
                   const struct row_hooks *h, struct results_entry *en)
{
    struct row_place pl;
    cJSON *extra = cJSON_CreateObject();

    if (h != NULL && h->place != NULL)
        h->place(e, r, &pl, h->arg);
    else
        place_by_nodes(e, r, &pl);
    if (extra != NULL && h != NULL && h->extra != NULL)
        h->extra(e, r, extra, h->arg);
    if (extra != NULL && r->verified_bytes > 0)    /* the untimed pass of a shape */
        cJSON_AddNumberToObject(extra, "verified_bytes", (double)r->verified_bytes);
    if (extra != NULL && cJSON_GetArraySize(extra) == 0) {
        cJSON_Delete(extra);
        extra = NULL;
    }
    *en = (struct results_entry){
        .pattern = e->pattern->name,
        .src_rank = r->src,
        .dst_rank = r->dst,
        .src_node = e->node_of_rank[r->src],
        .dst_node = e->node_of_rank[r->dst],
        .tier = pl.tier,
        .hypernode = pl.hypernode,
        .size_bytes = r->size_bytes,
        .iters = r->iters,
        .bytes_total = r->bytes_total,
        .seconds = r->has_bw ? r->seconds : 0,
        .lat = r->has_lat ? &r->lat : NULL,
        .line_rate_gbit = pl.line_rate_gbit,
        .verify = row_verify_word(r->verify),
        .error = r->status != TP_OK ? r->error : NULL,
        .extra = extra,
        .has_round = pl.has_round,
        .round = pl.round,
        .round_shared = pl.round_shared,
        .src_nic = nic_of(e, r->src),
        .dst_nic = nic_of(e, r->dst),
    };
}

void collect_error(struct bench_engine *e, int src, int dst, tp_status_t st, const char *msg)
{
    struct tp_error err = {0};

    e->nerrors++;
    tp_log_error("%s", msg);
    run_signal_lock();
    tp_status_t wst = results_add_error(e->w, src, dst, e->node_of_rank[src],
                                        e->node_of_rank[dst], st, msg, &err);
    run_signal_unlock();
    if (wst != TP_OK)
        tp_log_error("%s", err.msg);
}

void collect_verify_line(const struct bench_engine *e, const struct result_row *r,
                         const char *what, char *buf, size_t len)
{
    int n = snprintf(buf, len,
                     "verify failed: %s %d (%s) -> %d (%s), transport %s, size %llu: first bad "
                     "byte at offset %llu",
                     what, r->src, e->node_of_rank[r->src], r->dst, e->node_of_rank[r->dst],
                     e->ops->name, (unsigned long long)r->size_bytes,
                     (unsigned long long)r->verify_offset);
    if (n >= 0 && (size_t)n < len && r->verify_got != r->verify_expected)
        snprintf(buf + n, len - (size_t)n, " is 0x%02x, expected 0x%02x",
                 (unsigned)r->verify_got, (unsigned)r->verify_expected);
}

static int default_verify_msg(const struct bench_engine *e, const struct result_row *r,
                              char *buf, size_t len)
{
    collect_verify_line(e, r, e->pattern->name, buf, len);
    return 1;
}

void collect_row(struct bench_engine *e, const struct result_row *r, const struct row_hooks *h)
{
    struct tp_error err = {0};
    struct results_entry en;

    collect_entry(e, r, h, &en);
    run_signal_lock();
    tp_status_t st = results_append(e->w, &en, &err);
    run_signal_unlock();
    if (st != TP_OK)
        tp_log_error("%s", err.msg);
    if (r->status != TP_OK) {
        collect_error(e, r->src, r->dst, (tp_status_t)r->status, r->error);
    } else if (r->verify == ROW_VERIFY_FAILED) {
        char msg[400];
        int want = h != NULL && h->verify_msg != NULL
                       ? h->verify_msg(e, r, msg, sizeof(msg), h->arg)
                       : default_verify_msg(e, r, msg, sizeof(msg));
        if (want)
            collect_error(e, r->src, r->dst, TP_ERR_VERIFY, msg);
    }
}

void collect_rows(struct bench_engine *e, const struct result_row *rows, size_t n,
                  const struct row_hooks *h)
{
    for (size_t i = 0; i < n; i++)
        collect_row(e, &rows[i], h);
}

void engine_abort(struct bench_engine *e, const char *why)
{
    struct tp_error err = {0};

    if (e->rank == 0 && e->w != NULL) {
        if (e->prog != NULL)
            progress_end(e->prog);
        tp_status_t st = run_signal_finish(e->w, 0, e->topo, &err);
        if (st != TP_OK)
            tp_log_error("%s", err.msg);
        else
            tp_log_error("results so far saved in %s (complete: false)", results_path(e->w));
        results_close(e->w);
        e->w = NULL;
    }
    ctrl_mpi_abort(e->cm, why);
}
