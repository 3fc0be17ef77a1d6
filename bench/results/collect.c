/* collect.c: rank 0 turns pair reports into results entries (journalled
 * at once by the writer, a step at a time), counts failures for the exit status, and on a
 * deadline saves what it has before the job is aborted. */
#include <stdio.h>
#include <string.h>

#include "../../common/log.h"
#include "../engine/engine.h"
#include "../engine/run_signal.h"
#include "results_write.h"

const char *collect_tier_name(void *arg, int tier)
{
    return arg != NULL ? topo_tier_name(arg, tier) : NULL;
}

static double line_rate(const struct bench_engine *e, const struct topo_pair *p)
{
    double a = e->links[p->src].line_rate_gbit, b = e->links[p->dst].line_rate_gbit;

    if (a <= 0)
        return b;
    if (b <= 0)
        return a;
    return a < b ? a : b;
}

static cJSON *extra_of(const struct bench_engine *e, const struct pair_result *r)
{
    cJSON *x = cJSON_CreateObject();

    if (x == NULL)
        return NULL;
    if (e->o->bidir)
        cJSON_AddBoolToObject(x, "bidir", 1);
    if (r->verify == PAIR_VERIFY_FAILED)
        cJSON_AddNumberToObject(x, "verify_first_bad_offset", (double)r->verify_offset);
    if (e->o->stream_bytes > 0 && r->has_bw) {
        cJSON *s = cJSON_AddObjectToObject(x, "stream");
        cJSON_AddNumberToObject(s, "bytes", (double)e->o->stream_bytes);
        cJSON_AddNumberToObject(s, "chunk_bytes", (double)r->size_bytes);
        cJSON_AddNumberToObject(s, "ring_bytes", (double)e->bufs[0].len);
        cJSON_AddNumberToObject(s, "time_to_transfer_s", r->stream_s);
        cJSON_AddNumberToObject(s, "slowest_window_gbit_s", r->slowest_gbit_s);
        cJSON_AddNumberToObject(s, "fastest_window_gbit_s", r->fastest_gbit_s);
        cJSON_AddNumberToObject(s, "windows", r->windows);
        cJSON_AddNumberToObject(s, "window_target_s", 1.0);
    }
    if (cJSON_GetArraySize(x) == 0) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

static const char *verify_word(int32_t v)
{
    return v == PAIR_VERIFY_FAILED ? "failed" : v == PAIR_VERIFY_OK ? "ok" : "off";
}

static void add_error(struct bench_engine *e, const struct topo_pair *p, tp_status_t st,
                      const char *msg)
{
    struct tp_error err = {0};

    e->nerrors++;
    tp_log_error("%s", msg);
    run_signal_lock();
    tp_status_t wst = results_add_error(e->w, p->src, p->dst, e->node_of_rank[p->src],
                                        e->node_of_rank[p->dst], st, msg, &err);
    run_signal_unlock();
    if (wst != TP_OK)
        tp_log_error("%s", err.msg);
}

void collect_step(struct bench_engine *e, const struct topo_pair *p, const struct pair_result *r)
{
    struct tp_error err = {0};
    struct results_entry en = {
        .pattern = e->pattern->name,
        .src_rank = p->src,
        .dst_rank = p->dst,
        .src_node = e->node_of_rank[p->src],
        .dst_node = e->node_of_rank[p->dst],
        .tier = p->tier,
        .hypernode = p->hypernode,
        .size_bytes = r->size_bytes,
        .iters = r->iters,
        .bytes_total = r->bytes_total,
        .seconds = r->has_bw ? r->seconds : 0,
        .lat = r->has_lat ? &r->lat : NULL,
        .line_rate_gbit = line_rate(e, p),
        .verify = verify_word(r->verify),
        .error = r->status != TP_OK ? r->error : NULL,
        .extra = extra_of(e, r),
        .has_round = 1,
        .round = p->round,
        .round_shared = p->shared,
    };

    run_signal_lock();
    tp_status_t st = results_append(e->w, &en, &err);
    run_signal_unlock();
    if (st != TP_OK)
        tp_log_error("%s", err.msg);
    if (r->status != TP_OK) {
        add_error(e, p, (tp_status_t)r->status, r->error);
    } else if (r->verify == PAIR_VERIFY_FAILED) {
        char msg[400];
        snprintf(msg, sizeof(msg),
                 "verify failed: pair %d (%s) -> %d (%s), transport %s, size %llu: first bad "
                 "byte at offset %llu",
                 p->src, e->node_of_rank[p->src], p->dst, e->node_of_rank[p->dst], e->ops->name,
                 (unsigned long long)r->size_bytes, (unsigned long long)r->verify_offset);
        add_error(e, p, TP_ERR_VERIFY, msg);
    }
}

void collect_pair_end(struct bench_engine *e, const struct topo_pair *p,
                      const struct pair_report *rep)
{
    if (rep->status != TP_OK)
        add_error(e, p, (tp_status_t)rep->status, rep->error);
}

void collect_missing(struct bench_engine *e, const struct topo_pair *p, const char *why)
{
    add_error(e, p, TP_ERR_TIMEOUT, why);
}

void engine_abort(struct bench_engine *e, const char *why)
{
    struct tp_error err = {0};

    if (e->rank == 0 && e->w != NULL) {
        if (e->prog != NULL)
            progress_end(e->prog);
        run_signal_lock();
        tp_status_t st = results_finish(e->w, 0, collect_tier_name, (void *)e->topo, &err);
        run_signal_unlock();
        if (st != TP_OK)
            tp_log_error("%s", err.msg);
        else
            tp_log_error("results so far saved in %s (complete: false)", results_path(e->w));
        run_signal_attach(NULL, NULL);
        results_close(e->w);
        e->w = NULL;
    }
    ctrl_mpi_abort(e->cm, why);
}
