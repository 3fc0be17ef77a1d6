/* ans_compare_json.c: compare's table for machines, and the --size filter. */
#include "ans_compare.h"

#include <math.h>
#include <stdlib.h>

void ans_compare_keep_size(struct ans_compare *c, long long size)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].size == size)
            c->rows[kept++] = c->rows[i];
    c->nrows = kept;
}

static cJSON *num_or_null(double v)
{
    return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

/* "A", "B", "tie" or null (fewer than two runs measured it). */
static cJSON *winner_json(const struct ans_compare *c, const struct ans_cmp_row *r, int latency)
{
    int best = ans_compare_best(c, r, latency);
    char label[2] = {0, 0};
    if (best == ANS_COMPARE_TIE)
        return cJSON_CreateString("tie");
    if (best < 0)
        return cJSON_CreateNull();
    label[0] = (char)('A' + best);
    return cJSON_CreateString(label);
}

static cJSON *run_json(size_t k, const char *name, const cJSON *run)
{
    cJSON *o = cJSON_CreateObject();
    char label[2] = {(char)('A' + k), 0}, *links = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&links, &len);

    cJSON_AddStringToObject(o, "label", label);
    cJSON_AddStringToObject(o, "file", name);
    if (m != NULL) {
        ans_compare_env(m, run);
        fclose(m);
    }
    if (links != NULL && len > 0 && links[len - 1] == '\n')
        links[len - 1] = '\0';
    cJSON_AddStringToObject(o, "environment", links ? links : "");
    free(links);
    return o;
}

static cJSON *row_json(const struct ans_compare *c, const struct ans_cmp_row *r)
{
    cJSON *o = cJSON_CreateObject();

    if (r->tier < 0)
        cJSON_AddNullToObject(o, "tier");
    else
        cJSON_AddNumberToObject(o, "tier", r->tier);
    cJSON_AddNumberToObject(o, "size_bytes", (double)r->size);
    cJSON *bw = cJSON_AddArrayToObject(o, "bw_gbit_s");
    cJSON *ratio = cJSON_AddArrayToObject(o, "bw_ratio");
    cJSON *lat = cJSON_AddArrayToObject(o, "lat_p50_us");
    for (size_t k = 0; k < c->nruns; k++) {
        cJSON_AddItemToArray(bw, num_or_null(r->bw[k]));
        cJSON_AddItemToArray(lat, num_or_null(r->lat[k]));
        cJSON_AddItemToArray(ratio, num_or_null(r->bw[0] > 0 ? r->bw[k] / r->bw[0] : NAN));
    }
    cJSON_AddItemToObject(o, "bw_winner", winner_json(c, r, 0));
    cJSON_AddItemToObject(o, "lat_winner", winner_json(c, r, 1));
    return o;
}

cJSON *ans_compare_to_json(const struct ans_compare *c, const char *const *names,
                           const cJSON *const *runs)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "command", "compare");
    cJSON *rj = cJSON_AddArrayToObject(o, "runs");
    for (size_t k = 0; k < c->nruns; k++)
        cJSON_AddItemToArray(rj, run_json(k, names[k], runs[k]));
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < c->nrows; i++)
        cJSON_AddItemToArray(rows, row_json(c, &c->rows[i]));
    return o;
}
