/* results_write.h: a run's results file (docs/results-schema.md).
 *
 * Rank 0 only.  results_open writes the header line of the journal
 * (<out>.journal.jsonl, first line {"run_header": {...}}); each
 * results_append adds one results[] entry to the journal (flushed at once,
 * so a killed run loses nothing already measured) and keeps it in memory.
 * Appends are all or nothing: a failed or short write (a full disk) is cut
 * back to the last whole line; the first such failure is returned, later
 * ones are counted and named when results_finish fails;
 * results_finish computes tier_summary[] and writes <out> atomically
 * (temp file in the same folder + fsync + rename, mode 0644), then removes
 * the journal.  results_open removes the temp files a save killed midway
 * left (results_tmp.h). */
#ifndef TIERPERF_RESULTS_WRITE_H
#define TIERPERF_RESULTS_WRITE_H

#include <cjson/cJSON.h>

#include "../../common/status.h"
#include "results_summary.h"
#include "../engine/stats.h"

struct results_writer;

/* header: the top-level fields known at the start (schema_version, tool,
 * version, command_line, start_time, transport, mem, pattern, options,
 * hosts, environment, topology); ownership passes to the writer, also on
 * failure.  schema_version, tool and version are added when missing.
 * out_path NULL: results/tierperf-<UTC time>-<pattern>.json (results/ is
 * created).  An existing <out>.journal.jsonl (a killed run's results) is
 * never overwritten: that is an error naming it. */
tp_status_t results_open(const char *out_path, cJSON *header,
                         struct results_writer **w_p, struct tp_error *err);
const char *results_path(const struct results_writer *w);

/* The NIC a rank of the pair used (rails): device ("mlx5_0:1", "eth1"),
 * RDMA port (0: not RDMA), interface, and rail index in the run's
 * --devices/--ifaces list (nrails 0: no list). */
struct results_nic {
    const char *device;
    int port;
    const char *ifname;
    int rail, nrails;
};

/* One measured (pair, size).  Fields not known are left at their zero
 * value: tier < 0 and hypernode NULL write null; lat NULL writes null;
 * line_rate_gbit <= 0 writes null; error NULL writes null; extra may be
 * NULL (ownership passes to the writer). */
struct results_entry {
    const char *pattern;
    int src_rank, dst_rank;
    const char *src_node, *dst_node;
    int tier;
    const char *hypernode;
    uint64_t size_bytes;
    uint64_t iters;
    uint64_t bytes_total;
    double seconds;                 /* bandwidth phase; bw = bytes/seconds */
    const struct stats_lat *lat;
    double line_rate_gbit;
    const char *verify;             /* "off", "ok", "failed" */
    const char *error;
    cJSON *extra;
    int has_round;                  /* 0: round and round_shared write null */
    int round;                      /* run-wide round index */
    int round_shared;               /* other pairs of the round on a shared
                                       directed link; < 0 writes null */
    struct results_nic src_nic, dst_nic;    /* device NULL or "": null */
};
tp_status_t results_append(struct results_writer *w, const struct results_entry *e,
                           struct tp_error *err);

/* A pair that failed as a whole: errors[] (journalled as {"run_error": {...}}). */
tp_status_t results_add_error(struct results_writer *w, int src_rank, int dst_rank,
                              const char *src_node, const char *dst_node,
                              tp_status_t status, const char *message,
                              struct tp_error *err);

/* tier_name: optional lookup for tier_summary's tier_name (may be NULL;
 * results_summary.h declares the type).  Sets end_time and complete. */
tp_status_t results_finish(struct results_writer *w, int complete,
                           results_tier_name_fn tier_name, void *arg,
                           struct tp_error *err);
/* The run as results_finish would write it, for printing when the file
 * cannot be written; NULL when out of memory.  Valid while w lives
 * (results[] and errors[] are references).  When results_finish fails its
 * error says where the measurements still are (the journal). */
cJSON *results_snapshot(const struct results_writer *w, int complete,
                        results_tier_name_fn tier_name, void *arg);
/* Frees; if finish was not called the journal stays for `report`. */
void results_close(struct results_writer *w);

/* Build a results[] cJSON entry (shared by the writer and tests); e->extra
 * moves into the returned object.  bw_* are null when seconds <= 0. */
cJSON *results_entry_json(const struct results_entry *e);

#endif
