/* ans_compare.c: per-(tier, size) medians across runs, and the table. */
#include "ans_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_pairs.h"
#include "ans_units.h"
#include "../bench/results/results_rows.h"

static int cmp_row(const void *a, const void *b)
{
    const struct ans_cmp_row *x = a, *y = b;
    if (x->tier != y->tier)
        return (x->tier > y->tier) - (x->tier < y->tier);
    return (x->size > y->size) - (x->size < y->size);
}

static struct ans_cmp_row *row_get(struct ans_compare *c, int tier, long long size)
{
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].tier == tier && c->rows[i].size == size)
            return &c->rows[i];
    struct ans_cmp_row *grown = realloc(c->rows, (c->nrows + 1) * sizeof(*grown));
    if (grown == NULL)
        return NULL;
    c->rows = grown;
    struct ans_cmp_row *r = &grown[c->nrows++];
    r->tier = tier;
    r->size = size;
    for (int k = 0; k < ANS_COMPARE_MAX; k++)
        r->bw[k] = r->lat[k] = NAN;
    return r;
}

/* Medians of one run's entries at (tier, size). */
static void medians(const cJSON *run, int tier, long long size, double *bw, double *lat)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *e;
    int n = results_count(results), nb = 0, nl = 0;
    double *vb = malloc((n + 1) * sizeof(*vb)), *vl = malloc((n + 1) * sizeof(*vl));

    if (vb == NULL || vl == NULL)
        goto out;
    RESULTS_EACH(e, results) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "tier");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "size_bytes");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "bw_gbit_s");
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(e, "lat_us"), "p50");
        if ((cJSON_IsNumber(t) ? t->valueint : -1) != tier || !cJSON_IsNumber(s) ||
            !(s->valuedouble >= 0 && s->valuedouble <= 9007199254740992.0) ||
            (long long)s->valuedouble != size ||
            cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "error")))
            continue;
        if (cJSON_IsNumber(b))
            vb[nb++] = b->valuedouble;
        if (cJSON_IsNumber(l))
            vl[nl++] = l->valuedouble;
    }
    *bw = ans_median(vb, (size_t)nb);
    *lat = ans_median(vl, (size_t)nl);
out:
    free(vb);
    free(vl);
}

tp_status_t ans_compare_build(const cJSON *const *runs, size_t nruns, struct ans_compare *out,
                              struct tp_error *err)
{
    memset(out, 0, sizeof(*out));
    if (nruns < 2 || nruns > ANS_COMPARE_MAX)
        return tp_error_set(err, TP_ERR_INVALID, "compare takes 2 to %d results files",
                            ANS_COMPARE_MAX);
    out->nruns = nruns;
    for (size_t k = 0; k < nruns; k++) {
        const cJSON *e;
        RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(runs[k], "results")) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "tier");
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "size_bytes");
            if (!cJSON_IsNumber(s) || !(s->valuedouble >= 0 && s->valuedouble <= 9007199254740992.0))
                continue;   /* no usable size (see ans_pairs.c) */
            if (row_get(out, cJSON_IsNumber(t) ? t->valueint : -1, (long long)s->valuedouble) == NULL) {
                ans_compare_free(out);
                return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
            }
        }
    }
    if (out->nrows > 0)
        qsort(out->rows, out->nrows, sizeof(*out->rows), cmp_row);
    for (size_t i = 0; i < out->nrows; i++)
        for (size_t k = 0; k < nruns; k++)
            medians(runs[k], out->rows[i].tier, out->rows[i].size, &out->rows[i].bw[k],
                    &out->rows[i].lat[k]);
    return TP_OK;
}

void ans_compare_free(struct ans_compare *c)
{
    free(c->rows);
    memset(c, 0, sizeof(*c));
}

int ans_compare_best(const struct ans_compare *c, const struct ans_cmp_row *row, int latency)
{
    int best = -1, measured = 0;
    for (size_t k = 0; k < c->nruns; k++) {
        double v = latency ? row->lat[k] : row->bw[k];
        if (isnan(v))
            continue;
        measured++;
        double b = best < 0 ? NAN : latency ? row->lat[best] : row->bw[best];
        if (best < 0 || (latency ? v < b : v > b))
            best = (int)k;
    }
    if (measured < 2)
        return -1;
    /* a difference under 1% is noise, not a winner */
    for (size_t k = 0; k < c->nruns; k++) {
        double v = latency ? row->lat[k] : row->bw[k];
        double b = latency ? row->lat[best] : row->bw[best];
        if ((int)k != best && !isnan(v) && fabs(v - b) > 0.01 * fabs(b))
            return best;
    }
    return ANS_COMPARE_TIE;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : "?";
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

/* Equal, or both unknown (NaN != NaN would keep a link from matching itself). */
static int same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* "; 2x mlx5 fw 1.0, 100 Gbit/s, MTU 9000, mlx5_core": unknown values say so. */
static void print_link(FILE *out, const cJSON *l, int count)
{
    char rate[32] = "line rate unknown", mtu[32] = "MTU unknown";
    double r = jnum(l, "line_rate_gbit"), m = jnum(l, "mtu");
    if (r > 0)
        units_fmt_rate(r, rate, sizeof(rate));
    if (m > 0)
        snprintf(mtu, sizeof(mtu), "MTU %.0f", m);
    fprintf(out, "; %dx %s fw %s, %s, %s, %s", count, jstr(l, "model"), jstr(l, "firmware"), rate,
            mtu, jstr(l, "driver"));
}

void ans_compare_env(FILE *out, const cJSON *run)
{
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(run, "environment");
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(env, "links");
    int n = cJSON_GetArraySize(links), shown = 0;

    fprintf(out, "%s/%s", jstr(run, "transport"), jstr(run, "mem"));
    /* distinct link kinds, each printed once with its count */
    for (int i = 0; i < n; i++) {
        const cJSON *l = cJSON_GetArrayItem(links, i);
        int seen = 0, count = 0;
        for (int j = 0; j < n; j++) {
            const cJSON *o = cJSON_GetArrayItem(links, j);
            int same = strcmp(jstr(l, "model"), jstr(o, "model")) == 0 &&
                       strcmp(jstr(l, "firmware"), jstr(o, "firmware")) == 0 &&
                       strcmp(jstr(l, "driver"), jstr(o, "driver")) == 0 &&
                       same_num(jnum(l, "mtu"), jnum(o, "mtu")) &&
                       same_num(jnum(l, "line_rate_gbit"), jnum(o, "line_rate_gbit"));
            if (same && j < i)
                seen = 1;
            count += same;
        }
        if (seen)
            continue;
        if (shown++ == 3) {
            fprintf(out, "; ...");
            break;
        }
        print_link(out, l, count);
    }
    if (n == 0)
        fprintf(out, "; links unknown");
    fputc('\n', out);
}

static const char *winner(const struct ans_compare *c, const struct ans_cmp_row *r, int latency,
                          char *buf, int len)
{
    int best = ans_compare_best(c, r, latency);
    if (best == ANS_COMPARE_TIE)
        return "tie";
    if (best < 0)
        return "-";
    snprintf(buf, len, "%c wins", 'A' + best);
    return buf;
}

void ans_compare_print(FILE *out, const struct ans_compare *c, const char *const *names,
                       const cJSON *const *runs)
{
    char a[32], sz[32];

    for (size_t k = 0; k < c->nruns; k++) {
        fprintf(out, "%c = %s: ", (int)('A' + k), names[k]);
        ans_compare_env(out, runs[k]);
    }
    fprintf(out, "\n%-5s %-9s", "tier", "size");
    for (size_t k = 0; k < c->nruns; k++)
        fprintf(out, " %12c", (int)('A' + k));
    for (size_t k = 1; k < c->nruns; k++)
        fprintf(out, " %7c/A", (int)('A' + k));
    fprintf(out, "  bw   ");
    for (size_t k = 0; k < c->nruns; k++)
        fprintf(out, " %8c p50", (int)('A' + k));
    fprintf(out, "  latency\n");
    for (size_t i = 0; i < c->nrows; i++) {
        const struct ans_cmp_row *r = &c->rows[i];
        char tier[16];
        snprintf(tier, sizeof(tier), r->tier < 0 ? "-" : "%d", r->tier);
        fprintf(out, "%-5s %-9s", tier, ans_fmt_msgsize(r->size, sz, sizeof(sz)));
        for (size_t k = 0; k < c->nruns; k++)
            fprintf(out, " %12s", ans_fmt_gbit(r->bw[k], a, sizeof(a)));
        for (size_t k = 1; k < c->nruns; k++)
            if (isnan(r->bw[k]) || isnan(r->bw[0]) || r->bw[0] == 0)
                fprintf(out, " %9s", "-");
            else
                fprintf(out, " %8.2fx", r->bw[k] / r->bw[0]);
        fprintf(out, "  %-6s", winner(c, r, 0, a, sizeof(a)));
        for (size_t k = 0; k < c->nruns; k++)
            if (isnan(r->lat[k]))
                fprintf(out, " %12s", "-");
            else
                fprintf(out, " %12s", units_fmt_usec(r->lat[k], a, sizeof(a)));
        fprintf(out, "  %s\n", winner(c, r, 1, a, sizeof(a)));
    }
}
