/* report_csv.c: `tierperf report --csv`: one row per results[] entry under
 * a header row, RFC 4180 (CRLF rows, quoted fields where needed); latency
 * percentiles flattened into lat_*_us columns, `extra` as compact JSON. */
#include "report_render.h"

#include <stdlib.h>
#include <string.h>

#include "../answers/ans_atomic.h"
#include "../answers/ans_escape.h"
#include "../bench/results/results_rows.h"

static const char *const columns[] = {
    "pattern", "src_rank", "dst_rank", "src_node", "dst_node", "tier", "hypernode",
    "size_bytes", "iters", "bytes_total", "seconds", "bw_gbit_s", "bw_gbyte_s",
    "lat_min_us", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us",
    "lat_max_us", "lat_samples", "line_rate_gbit", "bw_pct_line", "verify", "error", "extra"};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static void field(FILE *out, const cJSON *it)
{
    if (cJSON_IsNumber(it)) {
        fprintf(out, "%.10g", it->valuedouble);
    } else if (cJSON_IsString(it)) {
        ans_csv_puts(out, it->valuestring);
    } else if (cJSON_IsBool(it)) {
        fputs(cJSON_IsTrue(it) ? "true" : "false", out);
    } else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
        char *text = cJSON_PrintUnformatted(it);
        if (text != NULL)
            ans_csv_puts(out, text);
        free(text);
    }
    /* null or missing: empty field */
}

static void row(FILE *out, const cJSON *e)
{
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(e, "lat_us");
    for (size_t c = 0; c < NCOLUMNS; c++) {
        const char *name = columns[c];
        const cJSON *it;
        if (c > 0)
            fputc(',', out);
        if (strncmp(name, "lat_", 4) == 0) {
            /* lat_p50_us -> lat_us.p50 */
            char key[16];
            size_t n = strlen(name + 4);
            int us = n > 3 && strcmp(name + 4 + n - 3, "_us") == 0;
            snprintf(key, sizeof(key), "%.*s", (int)(n - (us ? 3 : 0)), name + 4);
            it = cJSON_IsObject(lat) ? cJSON_GetObjectItemCaseSensitive(lat, key) : NULL;
        } else {
            it = cJSON_GetObjectItemCaseSensitive(e, name);
        }
        field(out, it);
    }
    fputs("\r\n", out);
}

tp_status_t report_write_csv(const cJSON *run, const char *path, struct tp_error *err)
{
    struct ans_atomic a;
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *e;
    tp_status_t st = ans_atomic_open(&a, path, err);

    if (st != TP_OK)
        return st;
    for (size_t c = 0; c < NCOLUMNS; c++)
        fprintf(a.f, "%s%s", c ? "," : "", columns[c]);
    fputs("\r\n", a.f);
    RESULTS_EACH(e, results)
        if (cJSON_IsObject(e))
            row(a.f, e);
    return ans_atomic_commit(&a, err);
}
