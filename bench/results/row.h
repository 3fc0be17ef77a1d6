/* row.h: one measured result row, the same for every pattern: the pairwise
 * engine's (pair, size) steps, the traffic shapes' flows and the copy
 * pattern's directions.  Plain data, the same on every rank of the job, so
 * it travels to rank 0 as bytes over one transport (round_report.c: the
 * pairwise steps as measured, a shape round's rows at its end); rank 0
 * writes it with collect_row() (collect.h). */
#ifndef TIERPERF_ROW_H
#define TIERPERF_ROW_H

#include <stdint.h>

#include "../../common/status.h"
#include "../engine/stats.h"

enum row_verify { ROW_VERIFY_OFF, ROW_VERIFY_OK, ROW_VERIFY_FAILED };

/* Loss over a row's timed bandwidth phase (bench/engine/pair_loss.c): the
 * differences of the transport's counters (transport.h struct tp_counters)
 * read before and after it; written as extra.loss (row_loss.c). */
#define ROW_DEV_COUNTERS_MAX 16
struct row_loss {
    int32_t has_tcp;            /* TCP_INFO: both sides' sends with --bidir */
    uint32_t retrans_segs, segs_out;
    int32_t ndev;               /* device counters (the sender's port) */
    char device[64];
    struct {
        char name[32];
        uint64_t delta;
    } dev[ROW_DEV_COUNTERS_MAX];
};

struct result_row {
    int32_t src, dst;           /* ranks (pairwise: set by rank 0 from the pair) */
    int32_t status;             /* tp_status_t; not OK: error holds the message */
    int32_t verify;             /* enum row_verify */
    int32_t has_bw, has_lat;    /* seconds / lat were measured */
    int32_t kind;               /* pattern-specific (mode, phase, direction) */
    uint32_t windows;           /* --size: number of ~1 s windows */
    uint64_t size_bytes;
    uint64_t iters;             /* messages timed for bandwidth */
    uint64_t bytes_total;       /* bytes in the timed phase (both ways with --bidir) */
    uint64_t verify_offset;     /* first bad byte when verify failed */
    uint32_t verify_got;        /* that byte as received (pairs, shapes) */
    uint32_t verify_expected;   /* ... and as sent (equal: not known) */
    uint64_t verified_bytes;    /* shapes: bytes checked in the untimed verify pass */
    double seconds;             /* timed bandwidth phase */
    struct stats_lat lat;
    double stream_s;            /* --size: time to transfer (0 otherwise) */
    double slowest_gbit_s;      /* --size: slowest ~1 s window */
    double fastest_gbit_s;
    double x[4];                /* pattern-specific figures */
    struct row_loss loss;       /* pairwise bandwidth steps; zero: not measured */
    char error[240];
};

/* A row of a flow src -> dst of size bytes (kind: the pattern's), with a
 * bandwidth phase (has_bw). */
void row_init(struct result_row *row, int src, int dst, int kind, uint64_t size);

/* Marks a row failed: "what: msg" (msg NULL or empty: the status text),
 * cut to one line of the row's error field. */
void row_fail(struct result_row *row, tp_status_t st, const char *what, const char *msg);

/* "off", "ok" or "failed", as the results file writes it. */
const char *row_verify_word(int32_t verify);

#endif
