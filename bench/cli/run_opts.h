/* run_opts.h: the options of `tierperf run`, parsed once (getopt_long)
 * into a struct that is read-only afterwards. */
#ifndef TIERPERF_RUN_OPTS_H
#define TIERPERF_RUN_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "../../common/status.h"
#include "../../transports/transport.h"

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
    uint64_t buffer_size;       /* ring bound for streamed transfers */
    const char *topology;       /* --topology FILE or NULL */
    const char *nodes;          /* --nodes FILE or NULL */
    const char *node_name;      /* --node-name, TIERPERF_NODE_NAME, or NULL */
    const char *out;            /* --out or NULL (writer's default) */
    const char *fanout_mode;    /* star, chain, both (NULL = both) */
    const char *prefill, *decode;   /* kv: comma lists of node names */
    int kv_tier;                /* kv: pairs crossing this tier; -1 = not set */
    int congestion_tier;        /* congestion: loaded tier; 0 = automatic */
    struct tp_config cfg;       /* transport options (secret set later) */
};

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
