/* report_tierview.c: what the heatmap is measured against (each tier's
 * median bandwidth) and the compact per-tier view the report draws instead
 * of a mostly grey node x node matrix: one row per tier, one cell per pair,
 * coloured by the pair's bandwidth relative to its tier's median. */
#include "report_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tp_status_t report_tier_medians(const struct ans_pairs *pairs, double *med)
{
    int *tiers = NULL;
    size_t nt = ans_pairs_tiers(pairs, &tiers);

    if (nt == 0 && pairs->n > 0)
        return TP_ERR_NO_MEMORY;
    for (size_t k = 0; k < nt; k++) {
        double *v = NULL;
        size_t m = ans_tier_bandwidths(pairs, tiers[k], &v);
        if (v == NULL) {
            free(tiers);
            return TP_ERR_NO_MEMORY;
        }
        double median = ans_median(v, m);
        free(v);
        for (size_t i = 0; i < pairs->n; i++)
            if (pairs->v[i].tier == tiers[k])
                med[i] = median;
    }
    free(tiers);
    return TP_OK;
}

static int cell_by_name(const void *a, const void *b)
{
    const struct report_tv_cell *x = a, *y = b;
    int c = report_name_cmp(x->src, y->src);
    return c != 0 ? c : report_name_cmp(x->dst, y->dst);
}

/* Failed pairs first, then the slowest relative to the tier. */
static int cell_by_speed(const void *a, const void *b)
{
    const struct report_tv_cell *x = a, *y = b;
    double rx = x->failure != NULL ? -2 : isnan(x->rel) ? -1 : x->rel;
    double ry = y->failure != NULL ? -2 : isnan(y->rel) ? -1 : y->rel;
    return rx < ry ? -1 : rx > ry ? 1 : cell_by_name(a, b);
}

static tp_status_t row_fill(struct report_tv_row *r, const struct ans_pairs *pairs,
                            const double *med, size_t max_per_tier)
{
    r->cells = malloc((r->pairs ? r->pairs : 1) * sizeof(*r->cells));
    if (r->cells == NULL)
        return TP_ERR_NO_MEMORY;
    r->median = NAN;
    for (size_t i = 0; i < pairs->n; i++) {
        const struct ans_pair *p = &pairs->v[i];
        if (p->tier != r->tier)
            continue;
        r->median = med[i];
        r->cells[r->n++] = (struct report_tv_cell){
            p->src, p->dst, p->failure ? NAN : p->bw_gbit,
            p->failure == NULL && med[i] > 0 ? p->bw_gbit / med[i] : NAN, p->failure, 0};
    }
    if (r->n > max_per_tier) {
        qsort(r->cells, r->n, sizeof(*r->cells), cell_by_speed);
        r->n = max_per_tier;
    }
    qsort(r->cells, r->n, sizeof(*r->cells), cell_by_name);
    return TP_OK;
}

tp_status_t report_tierview_build(const struct ans_pairs *pairs, size_t max_per_tier,
                                  struct report_tierview *tv, struct tp_error *err)
{
    int *tiers = NULL;
    double *med = calloc(pairs->n + 1, sizeof(*med));
    tp_status_t st = TP_ERR_NO_MEMORY;

    memset(tv, 0, sizeof(*tv));
    if (max_per_tier < 1)
        max_per_tier = 1;
    size_t nt = ans_pairs_tiers(pairs, &tiers);
    if (med == NULL || (nt == 0 && pairs->n > 0) || report_tier_medians(pairs, med) != TP_OK)
        goto out;
    if ((tv->rows = calloc(nt + 1, sizeof(*tv->rows))) == NULL)
        goto out;
    for (size_t k = 0; k < nt; k++) {
        struct report_tv_row *r = &tv->rows[tv->nrows++];
        r->tier = tiers[k];
        for (size_t i = 0; i < pairs->n; i++)
            r->pairs += pairs->v[i].tier == tiers[k];
        if (row_fill(r, pairs, med, max_per_tier) != TP_OK)
            goto out;
    }
    st = TP_OK;
out:
    free(med);
    free(tiers);
    if (st != TP_OK) {
        report_tierview_free(tv);
        return tp_error_set(err, st, "out of memory building the per-tier view");
    }
    return TP_OK;
}

void report_tierview_free(struct report_tierview *tv)
{
    for (size_t k = 0; tv->rows != NULL && k < tv->nrows; k++)
        free(tv->rows[k].cells);
    free(tv->rows);
    memset(tv, 0, sizeof(*tv));
}

void report_tierview_mark(struct report_tierview *tv, const cJSON *culprit)
{
    const cJSON *s, *p;
    if (!cJSON_IsObject(culprit))
        return;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(culprit, "suspects")) {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "slow_pairs")) {
            const char *src = cJSON_GetStringValue(cJSON_GetArrayItem(p, 0));
            const char *dst = cJSON_GetStringValue(cJSON_GetArrayItem(p, 1));
            for (size_t k = 0; src != NULL && dst != NULL && k < tv->nrows; k++)
                for (size_t c = 0; c < tv->rows[k].n; c++) {
                    struct report_tv_cell *cell = &tv->rows[k].cells[c];
                    if (strcmp(cell->src, src) == 0 && strcmp(cell->dst, dst) == 0)
                        cell->mark = 1;
                }
        }
    }
}
