/* collect_pair.c: the pairwise engine's hooks on collect_row(): a step of
 * a planned pair sits in its round, on its link's line rate, and carries
 * --bidir, the --size stream's windows and the first bad offset. */
#include <stdio.h>
#include <string.h>

#include "../engine/engine.h"
#include "collect.h"
#include "row_loss.h"

static double line_rate(const struct bench_engine *e, const struct topo_pair *p)
{
    double a = e->links[p->src].line_rate_gbit, b = e->links[p->dst].line_rate_gbit;

    if (a <= 0)
        return b;
    if (b <= 0)
        return a;
    return a < b ? a : b;
}

static void pair_place(const struct bench_engine *e, const struct result_row *r,
                       struct row_place *pl, void *arg)
{
    const struct topo_pair *p = arg;

    (void)r;
    *pl = (struct row_place){.tier = p->tier, .hypernode = p->hypernode,
                             .line_rate_gbit = line_rate(e, p), .has_round = 1,
                             .round = p->round, .round_shared = p->shared};
}

static void pair_extra(const struct bench_engine *e, const struct result_row *r, cJSON *x,
                       void *arg)
{
    (void)arg;
    if (e->o->bidir)
        cJSON_AddBoolToObject(x, "bidir", 1);
    if (r->verify == ROW_VERIFY_FAILED)
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
    if (r->has_bw)
        row_loss_json(x, &r->loss);
}

static int pair_verify_msg(const struct bench_engine *e, const struct result_row *r, char *buf,
                           size_t len, void *arg)
{
    (void)arg;
    collect_verify_line(e, r, "pair", buf, len);
    return 1;
}

struct row_hooks collect_pair_hooks(const struct topo_pair *p)
{
    return (struct row_hooks){.place = pair_place, .extra = pair_extra,
                              .verify_msg = pair_verify_msg, .arg = (void *)p};
}

void collect_step(struct bench_engine *e, const struct topo_pair *p, const struct result_row *r)
{
    struct row_hooks h = collect_pair_hooks(p);
    struct result_row row = *r;

    row.src = p->src;           /* the pair rank 0 planned, whatever came */
    row.dst = p->dst;
    collect_row(e, &row, &h);
}

void collect_pair_end(struct bench_engine *e, const struct topo_pair *p,
                      const struct pair_report *rep)
{
    if (rep->status != TP_OK)
        collect_error(e, p->src, p->dst, (tp_status_t)rep->status, rep->error);
}

void collect_missing(struct bench_engine *e, const struct topo_pair *p, const char *why)
{
    collect_error(e, p->src, p->dst, TP_ERR_TIMEOUT, why);
}
