/* round_gather.c: the traffic shapes' rows to rank 0 over the one row
 * transport (round_report.c): each rank is a unit of the stream, sends its
 * rows and its end; rank 0 keeps them per rank and hands them back in rank
 * order, for the pattern to merge before writing them (round_report.h). */
#include <stdlib.h>
#include <string.h>

#include "round_report.h"

/* Rank 0: the rows that came from one rank. */
struct gather_box {
    struct result_row *rows;
    size_t n, cap;
};

struct gather {
    struct bench_engine *e;
    struct gather_box *box;     /* one per rank */
};

static void gather_row(void *arg, const struct topo_pair *u, size_t step,
                       const struct result_row *r)
{
    struct gather *g = arg;
    struct gather_box *b = &g->box[u->src];

    (void)step;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 8;
        struct result_row *grown = realloc(b->rows, cap * sizeof(*grown));
        if (grown == NULL)
            engine_abort(g->e, "out of memory for a round's rows");
        b->rows = grown;
        b->cap = cap;
    }
    b->rows[b->n++] = *r;
}

/* Rank 0: every rank's rows, in rank order (malloc'd). */
static struct result_row *gather_join(struct gather *g, size_t *n_p)
{
    size_t n = 0;

    for (int r = 0; r < g->e->nranks; r++)
        n += g->box[r].n;
    struct result_row *all = malloc((n ? n : 1) * sizeof(*all));
    if (all == NULL)
        engine_abort(g->e, "out of memory for a round's rows");
    *n_p = 0;
    for (int r = 0; r < g->e->nranks; r++) {
        if (g->box[r].n > 0)
            memcpy(all + *n_p, g->box[r].rows, g->box[r].n * sizeof(*all));
        *n_p += g->box[r].n;
    }
    return all;
}

tp_status_t round_reports_gather(struct bench_engine *e, const struct result_row *mine,
                                 size_t n_mine, struct result_row **all_p, size_t *n_all_p)
{
    size_t nranks = (size_t)e->nranks;
    struct topo_pair *units = calloc(nranks, sizeof(*units));
    struct gather g = {e, calloc(nranks, sizeof(*g.box))};
    struct round_reports rr;
    struct pair_report end = {.src = e->rank, .dst = -1, .nres = (int32_t)n_mine};

    *all_p = NULL;
    *n_all_p = 0;
    if (units == NULL || g.box == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for a round's rows");
    for (size_t r = 0; r < nranks; r++)
        units[r] = (struct topo_pair){.src = (int)r, .dst = -1};
    struct round_stream s = {.units = units, .nunits = nranks, .max_rows = SIZE_MAX,
                             .nposts = n_mine + 1, .silence_s = e->round_budget_s,
                             .sink = {.row = gather_row, .arg = &g}};
    round_reports_open(&rr, e, &s);
    for (size_t i = 0; i < n_mine; i++)
        round_reports_step(&rr, (size_t)e->rank, i, &mine[i]);
    round_reports_end(&rr, (size_t)e->rank, &end);
    size_t lost = round_reports_finish(&rr);
    round_reports_close(&rr);
    if (e->rank == 0 && lost == 0)
        *all_p = gather_join(&g, n_all_p);
    for (size_t r = 0; r < nranks; r++)
        free(g.box[r].rows);
    free(g.box);
    free(units);
    return lost > 0 ? TP_ERR_TIMEOUT : TP_OK;
}
