/* ans_rails.h: per-rail and per-node aggregates of a multi-rail run (rows
 * with src_nic/dst_nic rails: --ifaces/--devices, --pattern rails).  Each
 * bandwidth row counts for both ends: its sender's NIC (tx) and its
 * receiver's (rx).  Per rail: the median over a NIC's rows, same-rail and
 * cross-rail pairs apart, with % of the port's line rate.  Per node: the
 * sum over the node's rails of the same-rail rows of one round (measured
 * at once), the best round, with % of the sum of the ports' line rates.
 * Judged at one size: the largest with bandwidth, or the one asked for. */
#ifndef TIERPERF_ANS_RAILS_H
#define TIERPERF_ANS_RAILS_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

struct ans_rail_row {
    const char *node, *device, *ifname;   /* borrowed from the run */
    int rail;
    int rx;                 /* 0: the NIC sent (tx), 1: it received */
    int cross;              /* 0: same-rail pairs, 1: cross-rail */
    size_t samples;
    double bw_gbit;         /* median */
    double line_gbit;       /* NAN unknown */
    double pct_line;        /* NAN unknown */
};

struct ans_node_row {
    const char *node;
    int rx;
    int rails;              /* NICs summed */
    double bw_gbit;
    double line_gbit;       /* NAN when a port's rate is unknown */
    double pct_line;
};

struct ans_rails {
    long long size;         /* judged size, -1: no rail rows */
    struct ans_rail_row *rail;
    size_t nrail;
    struct ans_node_row *node;
    size_t nnode;
};

/* size < 0: the largest size with bandwidth on rail rows. */
tp_status_t ans_rails_collect(const cJSON *run, long long size, struct ans_rails *out,
                              struct tp_error *err);
void ans_rails_free(struct ans_rails *r);

/* "Per rail" and "Per node" tables; nothing when the run has no rails. */
void ans_rails_print(FILE *out, const struct ans_rails *r);
/* {"size_bytes", "rails": [...], "nodes": [...]}, or NULL without rails. */
cJSON *ans_rails_json(const struct ans_rails *r);

#endif
