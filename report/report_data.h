/* report_data.h: what the report draws, computed from a loaded run:
 * per (tier, message size) medians over pairs (the bandwidth and latency
 * charts) and the node x node bandwidth heatmap, which aggregates nodes by
 * HyperNode when there are too many to draw one cell per node. */
#ifndef TIERPERF_REPORT_DATA_H
#define TIERPERF_REPORT_DATA_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../common/status.h"
#include "../answers/ans_pairs.h"

struct report_cell {
    size_t pairs;                  /* successful entries at (tier, size) */
    double bw;                     /* median bw_gbit_s, NAN none */
    double p50, p99, p999;         /* medians of the pairs' lat_us percentiles */
};

struct report_grid {
    int *tiers;                    /* ascending, ANS_NO_TIER (-1) first */
    size_t ntiers;
    long long *sizes;              /* ascending */
    size_t nsizes;
    struct report_cell *cells;     /* cells[t * nsizes + s] */
};

/* Entries with an error or without size_bytes are left out. */
tp_status_t report_grid_build(const cJSON *run, struct report_grid *g, struct tp_error *err);
void report_grid_free(struct report_grid *g);

/* Natural order of names (leaf-2 before leaf-10): digit runs compare as
 * numbers; a total order (strcmp breaks ties). */
int report_name_cmp(const char *a, const char *b);

#define REPORT_HEAT_MAX 64         /* more nodes than this: aggregate */

struct report_heat {
    size_t n;                      /* rows = columns */
    char **labels;                 /* owned: node or HyperNode names */
    double *bw;                    /* n*n, row = sender, mean Gbit/s, NAN none */
    size_t *count;                 /* n*n pairs averaged in each cell */
    size_t nodes;                  /* distinct nodes before aggregation */
    int group_tier;                /* 0: one cell per node; t: by HyperNode of
                                    * tier t; -1: by blocks of sorted names */
    double min, max;               /* over measured cells */
    double *rel;                   /* n*n: mean over the cell's pairs of each
                                    * pair's bandwidth / its tier's median
                                    * (the colour: a slow top tier is not a
                                    * fault), NAN none */
    int *tier;                     /* n*n: the cell's tier, REPORT_TIER_MIXED
                                    * when its pairs span tiers */
    unsigned char *mark;           /* n*n or NULL: cells holding a culprit's
                                    * evidence (report_heat_mark) */
};

/* Bandwidth per pair as ans_pairs_collect judges it (largest size). */
tp_status_t report_heat_build(const struct ans_pairs *pairs, size_t max_groups,
                              struct report_heat *h, struct tp_error *err);
void report_heat_free(struct report_heat *h);
#define REPORT_TIER_MIXED (-2)

/* 1 when the matrix has one cell per node and fewer than half of its
 * off-diagonal cells were measured (a tiers or pairs run): the report then
 * draws the compact per-tier view instead of a mostly grey matrix. */
int report_heat_sparse(const struct report_heat *h);

/* Mark the cells of the slow pairs of check.culprit's suspects (the JSON
 * of answers/ans_culprit.h); cells of one node each only. */
void report_heat_mark(struct report_heat *h, const cJSON *culprit);

/* Each pair's tier median: med[i] = median bandwidth of the good pairs of
 * pairs->v[i].tier (NAN when none).  med has pairs->n slots. */
tp_status_t report_tier_medians(const struct ans_pairs *pairs, double *med);

#define REPORT_TIERVIEW_MAX 32     /* pairs drawn per tier, the slowest when more */

struct report_tv_cell {
    const char *src, *dst;         /* borrowed from the pairs (the run) */
    double bw, rel;                /* Gbit/s and bw / tier median; NAN none */
    const char *failure;           /* borrowed; NULL when measured */
    int mark;                      /* a culprit's slow pair (report_tierview_mark) */
};

struct report_tv_row {
    int tier;
    char label[96];                /* set by the caller: "tier 1 (leaf)" */
    double median;                 /* Gbit/s over the tier's good pairs */
    size_t pairs;                  /* pairs of the tier */
    size_t n;                      /* cells drawn: min(pairs, max) */
    struct report_tv_cell *cells;  /* natural order of src, dst */
};

/* The compact per-tier view: one row per tier, one cell per pair. */
struct report_tierview {
    size_t nrows;
    struct report_tv_row *rows;
};

tp_status_t report_tierview_build(const struct ans_pairs *pairs, size_t max_per_tier,
                                  struct report_tierview *tv, struct tp_error *err);
void report_tierview_free(struct report_tierview *tv);
/* Mark the cells of the slow pairs of check.culprit's suspects. */
void report_tierview_mark(struct report_tierview *tv, const cJSON *culprit);

/* 0 when a link of the run is virtual (veth, virtio_net, tun, bridge,
 * loopback...): its reported speed is nominal (veth says 10 Gbit/s), so a
 * "% of line rate" would be made up. */
int report_line_rate_real(const cJSON *run);

#endif
