/* report_loss.c: the text report's retransmission lines: how many rows
 * measured loss (extra.loss, docs/results-schema.md), how many saw any, and
 * the worst few.  Printed only when some row measured it, so runs without
 * counters (mpi, older files) read as before. */
#include "report_loss.h"

#include <stdint.h>
#include <stdlib.h>

#include "../common/units.h"
#include "../bench/results/results_rows.h"

#define REPORT_LOSS_WORST 5

struct loss_row {
    const char *src, *dst;    /* node names (strings of the run) */
    uint64_t size;
    double pct, segs, sent;
};

static int by_pct_desc(const void *a, const void *b)
{
    double x = ((const struct loss_row *)a)->pct, y = ((const struct loss_row *)b)->pct;
    return (x < y) - (x > y);
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

void report_print_loss(const cJSON *run, FILE *out)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *e;
    struct loss_row *v = calloc((size_t)results_count(results) + 1, sizeof(*v));
    size_t n = 0, lossy = 0;

    if (v == NULL)
        return;
    RESULTS_EACH(e, results) {
        const cJSON *loss = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(e, "extra"), "loss");
        double pct = num(loss, "retrans_pct");
        if (pct < 0)
            continue;
        const cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size_bytes");
        uint64_t size = cJSON_IsNumber(sz) && sz->valuedouble >= 0 &&
                                sz->valuedouble < 9007199254740992.0
                            ? (uint64_t)sz->valuedouble : 0;
        v[n++] = (struct loss_row){str(e, "src_node"), str(e, "dst_node"), size, pct,
                                   num(loss, "retrans_segs"), num(loss, "segs_out")};
        lossy += pct > 0;
    }
    if (n > 0) {
        qsort(v, n, sizeof(*v), by_pct_desc);
        fprintf(out, "\nRetransmissions (timed bandwidth phase; TCP_INFO, or the RDMA port's "
                     "error counters)\n  %zu row(s) measured, %zu with any", n, lossy);
        fprintf(out, lossy > 0 ? "; the worst:\n" : "\n");
        for (size_t i = 0; i < n && i < REPORT_LOSS_WORST && v[i].pct > 0; i++) {
            char pct[32], size[32];
            units_fmt_msgsize(v[i].size, size, sizeof(size));
            fprintf(out, "  %s -> %s  %s  %s%%", v[i].src, v[i].dst,
                    size, units_fmt_num(v[i].pct, 3, pct, sizeof(pct)));
            if (v[i].segs >= 0 && v[i].sent > 0)
                fprintf(out, " (%.0f of %.0f segments)", v[i].segs, v[i].sent);
            fputc('\n', out);
        }
    }
    free(v);
}
