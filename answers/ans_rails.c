/* ans_rails.c: per-rail and per-node aggregates (see ans_rails.h). */
#include "ans_rails.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_pairs.h"
#include "ans_units.h"
#include "../bench/results/results_rows.h"

/* One end of one bandwidth row: a NIC that sent or received. */
struct end {
    const char *node, *device, *ifname;
    int rail, rx, cross, round;
    double bw, line;
};

static const char *str_or(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static double num_or(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* A measured row with a rail on both ends; its size, or -1. */
static long long rail_row_size(const cJSON *e)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "src_nic");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "dst_nic");

    if (!cJSON_IsObject(s) || !cJSON_IsObject(d) || isnan(num_or(s, "rail", NAN)) ||
        isnan(num_or(d, "rail", NAN)) || isnan(num_or(e, "bw_gbit_s", NAN)) ||
        cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "error")))
        return -1;
    return (long long)num_or(e, "size_bytes", -1);
}

static void end_of(const cJSON *e, int rx, struct end *x)
{
    const cJSON *nic = cJSON_GetObjectItemCaseSensitive(e, rx ? "dst_nic" : "src_nic");

    x->node = str_or(e, rx ? "dst_node" : "src_node", "?");
    x->device = str_or(nic, "device", "?");
    x->ifname = str_or(nic, "interface", "");
    x->rail = (int)num_or(nic, "rail", 0);
    x->rx = rx;
    x->cross = num_or(cJSON_GetObjectItemCaseSensitive(e, "src_nic"), "rail", 0) !=
               num_or(cJSON_GetObjectItemCaseSensitive(e, "dst_nic"), "rail", 0);
    x->round = (int)num_or(e, "round", -1);
    x->bw = num_or(e, "bw_gbit_s", NAN);
    x->line = num_or(e, "line_rate_gbit", NAN);
}

static size_t ends_collect(const cJSON *run, long long *size, struct end **ends_p)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *e;
    size_t n = 0;

    if (*size < 0)
        RESULTS_EACH(e, results) {
            long long s = rail_row_size(e);
            if (s > *size)
                *size = s;
        }
    RESULTS_EACH(e, results) n += rail_row_size(e) == *size && *size >= 0;
    *ends_p = n > 0 ? calloc(2 * n, sizeof(struct end)) : NULL;
    if (*ends_p == NULL)
        return 0;
    n = 0;
    RESULTS_EACH(e, results) {
        if (rail_row_size(e) != *size)
            continue;
        end_of(e, 0, &(*ends_p)[n++]);
        end_of(e, 1, &(*ends_p)[n++]);
    }
    return n;
}

static int str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int same_nic(const struct end *a, const struct end *b)
{
    return str_eq(a->node, b->node) && a->rail == b->rail && a->rx == b->rx;
}

static double pct(double bw, double line)
{
    return isnan(line) || line <= 0 ? NAN : bw / line * 100.0;
}

/* Node, rail, kind (same first), direction (tx first). */
static int rail_cmp(const void *pa, const void *pb)
{
    const struct ans_rail_row *a = pa, *b = pb;
    int c = strcmp(a->node, b->node);

    if (c != 0)
        return c;
    if (a->rail != b->rail)
        return a->rail - b->rail;
    if (a->cross != b->cross)
        return a->cross - b->cross;
    return a->rx - b->rx;
}

/* Per rail: the median over the ends of one NIC, one direction, one kind. */
static tp_status_t rails_of(const struct end *x, size_t n, struct ans_rails *out)
{
    double *bw = malloc(n * sizeof(double));

    out->rail = calloc(n, sizeof(*out->rail));
    if (bw == NULL || out->rail == NULL) {
        free(bw);
        return TP_ERR_NO_MEMORY;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = 0, m = 0;
        while (k < i && !(same_nic(&x[k], &x[i]) && x[k].cross == x[i].cross))
            k++;
        if (k < i)
            continue;   /* counted with its first end */
        for (k = i; k < n; k++)
            if (same_nic(&x[k], &x[i]) && x[k].cross == x[i].cross)
                bw[m++] = x[k].bw;
        struct ans_rail_row *r = &out->rail[out->nrail++];
        *r = (struct ans_rail_row){x[i].node, x[i].device, x[i].ifname, x[i].rail, x[i].rx,
                                   x[i].cross, m, ans_median(bw, m), x[i].line, NAN};
        r->pct_line = pct(r->bw_gbit, r->line_gbit);
    }
    free(bw);
    qsort(out->rail, out->nrail, sizeof(*out->rail), rail_cmp);
    return TP_OK;
}

/* Per node: the same-rail ends of one round summed, the best round kept. */
static tp_status_t nodes_of(const struct end *x, size_t n, struct ans_rails *out)
{
    out->node = calloc(n, sizeof(*out->node));
    if (out->node == NULL)
        return TP_ERR_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        if (x[i].cross)
            continue;
        struct ans_node_row sum = {x[i].node, x[i].rx, 0, 0, 0, NAN};
        for (size_t k = 0; k < n; k++)
            if (!x[k].cross && x[k].rx == x[i].rx && x[k].round == x[i].round &&
                str_eq(x[k].node, x[i].node)) {
                sum.rails++;
                sum.bw_gbit += x[k].bw;
                sum.line_gbit += x[k].line;     /* NAN when one is unknown */
            }
        sum.pct_line = pct(sum.bw_gbit, sum.line_gbit);
        size_t j = 0;
        while (j < out->nnode && !(str_eq(out->node[j].node, sum.node) &&
                                   out->node[j].rx == sum.rx))
            j++;
        if (j == out->nnode)
            out->node[out->nnode++] = sum;
        else if (sum.bw_gbit > out->node[j].bw_gbit)
            out->node[j] = sum;
    }
    return TP_OK;
}

tp_status_t ans_rails_collect(const cJSON *run, long long size, struct ans_rails *out,
                              struct tp_error *err)
{
    struct end *ends = NULL;
    tp_status_t st = TP_OK;

    memset(out, 0, sizeof(*out));
    out->size = size;
    size_t n = ends_collect(run, &out->size, &ends);
    if (n == 0) {
        free(ends);
        out->size = -1;
        return TP_OK;
    }
    st = rails_of(ends, n, out);
    if (st == TP_OK)
        st = nodes_of(ends, n, out);
    free(ends);
    if (st != TP_OK) {
        ans_rails_free(out);
        return tp_error_set(err, st, "out of memory for the per-rail tables");
    }
    return TP_OK;
}

void ans_rails_free(struct ans_rails *r)
{
    free(r->rail);
    free(r->node);
    memset(r, 0, sizeof(*r));
    r->size = -1;
}

static const char *fmt_pct(double p, char *buf, int len)
{
    if (isnan(p))
        snprintf(buf, (size_t)len, "-");
    else
        snprintf(buf, (size_t)len, "%.1f", p);
    return buf;
}

void ans_rails_print(FILE *out, const struct ans_rails *r)
{
    char a[32], b[32], c[32], s[32];

    if (r->nrail == 0)
        return;
    fprintf(out, "\nPer rail at %s: median over each NIC's pairs; %% of its port's line rate\n",
            ans_fmt_msgsize(r->size, s, sizeof(s)));
    fprintf(out, "  %-20s %4s %-14s %-10s %-5s %-5s %5s %12s %12s %7s\n", "node", "rail",
            "device", "interface", "dir", "pairs", "rows", "bandwidth", "line rate", "% line");
    for (size_t i = 0; i < r->nrail; i++) {
        const struct ans_rail_row *x = &r->rail[i];
        fprintf(out, "  %-20s %4d %-14s %-10s %-5s %-5s %5zu %12s %12s %7s\n", x->node, x->rail,
                x->device, x->ifname[0] ? x->ifname : "-", x->rx ? "rx" : "tx",
                x->cross ? "cross" : "same", x->samples, ans_fmt_gbit(x->bw_gbit, a, sizeof(a)),
                isnan(x->line_gbit) ? "-" : ans_fmt_gbit(x->line_gbit, b, sizeof(b)),
                fmt_pct(x->pct_line, c, sizeof(c)));
    }
    fprintf(out, "\nPer node: sum over the node's rails of one round's same-rail pairs (at once)\n");
    fprintf(out, "  %-20s %-5s %5s %12s %12s %7s\n", "node", "dir", "rails", "bandwidth",
            "line rate", "% line");
    for (size_t i = 0; i < r->nnode; i++) {
        const struct ans_node_row *x = &r->node[i];
        fprintf(out, "  %-20s %-5s %5d %12s %12s %7s\n", x->node, x->rx ? "rx" : "tx", x->rails,
                ans_fmt_gbit(x->bw_gbit, a, sizeof(a)),
                isnan(x->line_gbit) ? "-" : ans_fmt_gbit(x->line_gbit, b, sizeof(b)),
                fmt_pct(x->pct_line, c, sizeof(c)));
    }
}

static void add_num_or_null(cJSON *o, const char *key, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, v);
}

cJSON *ans_rails_json(const struct ans_rails *r)
{
    if (r->nrail == 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON *rails = cJSON_AddArrayToObject(o, "rails"), *nodes = cJSON_AddArrayToObject(o, "nodes");
    cJSON_AddNumberToObject(o, "size_bytes", (double)r->size);
    for (size_t i = 0; i < r->nrail; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "node", r->rail[i].node);
        cJSON_AddNumberToObject(x, "rail", r->rail[i].rail);
        cJSON_AddStringToObject(x, "device", r->rail[i].device);
        cJSON_AddStringToObject(x, "direction", r->rail[i].rx ? "rx" : "tx");
        cJSON_AddStringToObject(x, "rail_pair", r->rail[i].cross ? "cross" : "same");
        cJSON_AddNumberToObject(x, "rows", (double)r->rail[i].samples);
        add_num_or_null(x, "bw_gbit_s", r->rail[i].bw_gbit);
        add_num_or_null(x, "line_rate_gbit", r->rail[i].line_gbit);
        add_num_or_null(x, "pct_line", r->rail[i].pct_line);
        cJSON_AddItemToArray(rails, x);
    }
    for (size_t i = 0; i < r->nnode; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "node", r->node[i].node);
        cJSON_AddStringToObject(x, "direction", r->node[i].rx ? "rx" : "tx");
        cJSON_AddNumberToObject(x, "rails", r->node[i].rails);
        add_num_or_null(x, "bw_gbit_s", r->node[i].bw_gbit);
        add_num_or_null(x, "line_rate_gbit", r->node[i].line_gbit);
        add_num_or_null(x, "pct_line", r->node[i].pct_line);
        cJSON_AddItemToArray(nodes, x);
    }
    return o;
}
