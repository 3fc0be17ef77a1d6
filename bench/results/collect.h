/* collect.h: rank 0 turns result rows into results entries.  One function,
 * collect_row(), writes a row to the results (journalled at once), counts
 * and records its failure or failed verification in errors[], for every
 * pattern; a pattern adds its own fields through hooks.  The rows reach
 * rank 0 over one transport, bench/engine/round_report.c: the pairwise
 * engine's steps as they are measured, the shapes' rows at the end of
 * their round (round_reports_gather()). */
#ifndef TIERPERF_COLLECT_H
#define TIERPERF_COLLECT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "row.h"

struct bench_engine;

/* Where a row sits: its tier and lowest common HyperNode (tier < 0 and
 * NULL: unknown), the link's line rate (<= 0: unknown) and its round
 * (has_round 0: none). */
struct row_place {
    int tier;
    const char *hypernode;
    double line_rate_gbit;
    int has_round, round, round_shared;
};

/* A pattern's hooks (each may be NULL), all called on rank 0:
 * place:      where the row sits (NULL: by its nodes in the topology);
 * extra:      the pattern's fields of the row's extra object (an entry
 *             whose extra stays empty has none);
 * verify_msg: the errors[] line of a failed verification into buf;
 *             returns 0 for no errors[] entry (NULL: one line naming the
 *             pattern, the ranks, nodes and transport). */
struct row_hooks {
    void (*place)(const struct bench_engine *e, const struct result_row *r,
                  struct row_place *pl, void *arg);
    void (*extra)(const struct bench_engine *e, const struct result_row *r, cJSON *x,
                  void *arg);
    int (*verify_msg)(const struct bench_engine *e, const struct result_row *r, char *buf,
                      size_t len, void *arg);
    void *arg;
};

/* Rank 0: the results entry of a row (entry->extra is a new object or
 * NULL; the strings point into e and r). */
struct results_entry;
void collect_entry(const struct bench_engine *e, const struct result_row *r,
                   const struct row_hooks *h, struct results_entry *entry);

/* Rank 0: write a row to the results and, when it failed, to errors[]. */
void collect_row(struct bench_engine *e, const struct result_row *r, const struct row_hooks *h);
/* ... every row of a batch, in order. */
void collect_rows(struct bench_engine *e, const struct result_row *rows, size_t n,
                  const struct row_hooks *h);

/* Rank 0: the one line of a failed verification of row r (what: "pair"
 * or the pattern's name): the ranks and nodes, transport, size, first bad
 * offset and, when known, the byte received and expected.  The receiving
 * rank logs nothing (bench/engine/verify.h): this line is the report. */
void collect_verify_line(const struct bench_engine *e, const struct result_row *r,
                         const char *what, char *buf, size_t len);

/* Rank 0: a pair or flow that failed as a whole (logged once). */
void collect_error(struct bench_engine *e, int src, int dst, tp_status_t st, const char *msg);

#endif
