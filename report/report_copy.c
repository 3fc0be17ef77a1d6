/* report_copy.c: the "Intra-node copies" section (see report_copy.h).
 * Failed or unverified copies are left out, as in the tier summary. */
#include "report_copy.h"

#include <stdlib.h>
#include <string.h>

#include "../bench/engine/stats.h"
#include "../common/units.h"
#include "../bench/results/results_rows.h"

static const char *const copy_dirs[] = {"h2d", "d2h", "d2d", "p2p"};
static const char *const copy_what[] = {"staging -> mem", "mem -> staging", "mem -> mem",
                                        "mem -> peer GPU"};

static const char *direction_of(const cJSON *e)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "pattern");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(e, "extra");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(x, "direction");

    if (!cJSON_IsString(p) || strcmp(p->valuestring, "copy") != 0 || !cJSON_IsString(d))
        return NULL;
    return d->valuestring;
}

int report_copy_count(const cJSON *run)
{
    const cJSON *e;
    int n = 0;

    RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(run, "results"))
        n += direction_of(e) != NULL;
    return n;
}

/* Usable entry of direction dir: its size and Gbit/s. */
static int usable(const cJSON *e, const char *dir, double *size, double *gbit)
{
    const char *d = direction_of(e);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "verify");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "size_bytes");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "bw_gbit_s");

    if (d == NULL || strcmp(d, dir) != 0 || (err != NULL && !cJSON_IsNull(err)) ||
        (cJSON_IsString(v) && strcmp(v->valuestring, "failed") == 0) || !cJSON_IsNumber(s) ||
        !cJSON_IsNumber(b))
        return 0;
    *size = s->valuedouble;
    *gbit = b->valuedouble;
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One direction: a row per size, ascending. */
static int print_direction(const cJSON *results, int k, double *sizes, double *bw, FILE *out)
{
    const cJSON *e;
    size_t nsizes = 0;
    int rows = 0;
    double size, gbit;

    RESULTS_EACH(e, results)
        if (usable(e, copy_dirs[k], &size, &gbit))
            sizes[nsizes++] = size;
    qsort(sizes, nsizes, sizeof(*sizes), cmp_double);
    for (size_t i = 0; i < nsizes; i++) {
        if (i > 0 && sizes[i] == sizes[i - 1])
            continue;
        size_t n = 0;
        RESULTS_EACH(e, results)
            if (usable(e, copy_dirs[k], &size, &gbit) && size == sizes[i])
                bw[n++] = gbit;
        struct stats_mmm m;
        char sz[32];
        stats_min_median_max(bw, n, &m);
        units_fmt_size((uint64_t)sizes[i], sz, sizeof(sz));
        fprintf(out, "  %-4s %-15s %10s %5zu  %10.2f %10.2f %10.2f  %9.2f\n", copy_dirs[k],
                copy_what[k], sz, n, m.min, m.median, m.max, m.median / 8.0);
        rows++;
    }
    return rows;
}

int report_print_copies(const cJSON *run, FILE *out)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
    int n = results_count(results), rows = 0;

    if (report_copy_count(run) == 0)
        return 0;
    double *sizes = calloc((size_t)n, sizeof(double)), *bw = calloc((size_t)n, sizeof(double));
    if (sizes == NULL || bw == NULL) {
        free(sizes);
        free(bw);
        return 0;
    }
    fprintf(out, "\nIntra-node copies (tier-0 reference): min/median/max over ranks\n"
                 "  Gbit/s = 10^9 bit/s, GB/s = 10^9 byte/s; staging is page-locked for cuda\n"
                 "  %-4s %-15s %10s %5s  %10s %10s %10s  %9s\n",
            "dir", "what", "size", "ranks", "Gbit/s min", "median", "max", "GB/s med");
    for (int k = 0; k < (int)(sizeof(copy_dirs) / sizeof(copy_dirs[0])); k++)
        rows += print_direction(results, k, sizes, bw, out);
    if (rows == 0)
        fprintf(out, "  (no successful copies)\n");
    free(sizes);
    free(bw);
    return rows;
}
