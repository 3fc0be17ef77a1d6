/* shape_loss.h: retransmissions of the traffic shapes' flows (fanout, kv,
 * alltoall), in the rows' extra.loss as the pairwise patterns record them
 * (docs/results-schema.md).  TCP counts retransmissions on the sending
 * socket, so each flow's loss is read by its sender, around the timed
 * transfer only (the untimed --verify pass excluded), and moved to the
 * flow's row where another rank made that row. */
#ifndef TIERPERF_SHAPE_LOSS_H
#define TIERPERF_SHAPE_LOSS_H

#include <stddef.h>

#include "shape_round.h"

/* One link's counters before the timed transfer, and what this rank sent
 * on it during the transfer (nothing set: not readable). */
struct shape_loss {
    struct tp_counters before;
    struct row_loss sent;
};
/* Around the timed transfer on links[0..n), l[0..n) one per link. */
void shape_loss_begin(const struct bench_engine *e, const struct shape_link *links, size_t n,
                      struct shape_loss *l);
void shape_loss_end(const struct bench_engine *e, const struct shape_link *links, size_t n,
                    struct shape_loss *l);

/* Rank 0, rows of flows both ways (alltoall): the row of a -> b, made by
 * b, holds what b sent to a; swap each with the row of b -> a (same size)
 * so every row holds its own flow's loss.  Rows without a reverse keep
 * nothing (loss cleared). */
void shape_loss_to_receivers(struct result_row *all, size_t n);

#endif
