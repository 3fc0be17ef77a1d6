/* run_opts.h: the options of `tierperf run`, parsed once (getopt_long)
 * into a struct that is read-only afterwards.  The options are declared in
 * tables (common/opt_table.h): the run's own (run_opts_table.c), each
 * transport's (ops->options) and each pattern's (pattern->options); the
 * command line, --help and the results header are generated from them. */
#ifndef TIERPERF_RUN_OPTS_H
#define TIERPERF_RUN_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "../../common/opt_table.h"
#include "../../common/status.h"
#include "../../transports/transport.h"

#define RUN_OPTS_MAX_TABLES 16

struct run_opts {
    const char *transport;      /* registry name */
    const char *mem;            /* "host", "cuda", "cuda:N" */
    const char *gpu;            /* --gpu auto|local|N, or NULL (local) */
    const char *pattern;        /* pattern table name */
    const char *sizes_text;     /* --sizes as given */
    int sizes_given;            /* --sizes was on the command line */
    uint64_t *sizes;            /* ascending message sizes (malloc'd) */
    size_t nsizes;
    uint64_t stream_bytes;      /* --size: one streamed transfer; 0 = sweep */
    uint64_t iters;             /* timed messages per size; 0 = by --duration */
    uint64_t warmup;            /* warm-up messages; 0 = automatic (by bytes) */
    double duration_s;          /* bandwidth phase per size */
    uint64_t lat_iters;         /* round trips per size (upper bound) */
    int lat_iters_given;        /* explicit --lat-iters: no time cap */
    int no_lat, no_bw;
    int bidir, verify, serial, quiet, verbose, no_bind;
    int tx_depth_given;         /* --tx-depth given: no transport default */
    int hugepages;              /* --hugepages: host rings in 2 MiB pages */
    uint64_t buffer_size;       /* ring bound for streamed transfers */
    const char *topology;       /* --topology FILE or NULL */
    const char *nodes;          /* --nodes FILE or NULL */
    const char *node_name;      /* --node-name, TIERPERF_NODE_NAME, or NULL */
    const char *out;            /* --out or NULL (writer's default) */
    int force;                  /* --force: --out may replace an existing file */
    int help;                   /* --help */
    struct tp_config cfg;       /* what every transport gets: --tx-depth,
                                   --timeout (secret set later); cfg.opts is
                                   the chosen transport's own config */
    /* Each option table's parsed config, in run_opts_tables() order
     * ([0] is this struct itself): what the results header records. */
    void *table_cfg[RUN_OPTS_MAX_TABLES];
    const void *pattern_cfg;    /* the chosen pattern's config, or NULL */
};

/* The option tables of `run`, NULL-terminated: the run's own first, then
 * each built transport's and each pattern's that has options. */
const struct opt_table *const *run_opts_tables(void);
/* The run's own table (offsets into struct run_opts). */
extern const struct opt_table run_opts_common;

/* The stored value of the option called name as text (first table that
 * declares it), or NULL if no table does. */
const char *run_opts_value(const struct run_opts *o, const char *name, char *buf, size_t len);

/* Parse argv (argv[0] is "run").  Returns TP_OK, or TP_ERR_INVALID with a
 * one-line message in err naming the option and value.  *help_p is set
 * when --help was given (then nothing else is validated). */
tp_status_t run_opts_parse(int argc, char **argv, struct run_opts *o,
                           int *help_p, struct tp_error *err);
void run_opts_free(struct run_opts *o);
void run_opts_help(FILE *out);

/* Largest message size of the run (the streamed chunk with --size). */
uint64_t run_opts_max_msg(const struct run_opts *o);
/* Ring length: --buffer-size for --size; for a sweep, room for
 * --tx-depth messages of the largest size within --buffer-size (first
 * touch of memory is not free), and never less than one message. */
uint64_t run_opts_ring_bytes(const struct run_opts *o);
/* Message size used for the --size streamed transfer. */
uint64_t run_opts_stream_chunk(const struct run_opts *o);

#endif
