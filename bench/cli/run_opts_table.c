/* run_opts_table.c: the options of `tierperf run` itself (what every
 * transport and pattern shares), as a table, and the checks of the values
 * that are not plain numbers, sizes or strings.  Transport and pattern
 * options are declared by their owners (ops->options, pattern->options). */
#include <stdlib.h>
#include <string.h>

#include "../patterns/pattern.h"
#include "model_size.h"
#include "run_opts.h"

#define RO(member) offsetof(struct run_opts, member)

static tp_status_t bad(struct tp_error *err, const struct opt_field *f, const char *val,
                       const char *why)
{
    return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': %s", f->name, val, why);
}

static void list_transports(FILE *out)
{
    const struct tp_transport_ops *const *t = tp_transport_list();

    for (size_t i = 0; t[i] != NULL; i++)
        fprintf(out, "                        %-6s %s\n", t[i]->name, t[i]->summary);
}

static void list_patterns(FILE *out)
{
    const struct bench_pattern *const *p = pattern_list();

    for (size_t i = 0; p[i] != NULL; i++)
        fprintf(out, "                        %-9s %s\n", p[i]->name, p[i]->summary);
}

/* --tx-depth: each transport's own default and what it keeps at most
 * (ops->default_tx_depth, ops->max_tx_depth). */
static void list_depth_limits(FILE *out)
{
    const struct tp_transport_ops *const *t = tp_transport_list();

    for (size_t i = 0; t[i] != NULL; i++) {
        if (t[i]->default_tx_depth > 0)
            fprintf(out, "                      %s: default %d\n", t[i]->name,
                    t[i]->default_tx_depth);
        if (t[i]->max_tx_depth > 0)
            fprintf(out, "                      %s: at most %d\n", t[i]->name,
                    t[i]->max_tx_depth);
    }
}

static tp_status_t parse_transport(const struct opt_field *f, const char *val, void *cfg,
                                   struct tp_error *err)
{
    char list[256] = "";
    const struct tp_transport_ops *const *t = tp_transport_list();

    *OPT_PTR(cfg, f, const char *) = val;
    if (tp_transport_find(val) != NULL)
        return TP_OK;
    for (size_t i = 0; t[i] != NULL; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 t[i]->name);
    return tp_error_set(err, TP_ERR_INVALID, "--transport '%s': unknown (built: %s)", val, list);
}

static tp_status_t parse_pattern(const struct opt_field *f, const char *val, void *cfg,
                                 struct tp_error *err)
{
    char list[256] = "";
    const struct bench_pattern *const *p = pattern_list();

    *OPT_PTR(cfg, f, const char *) = val;
    if (pattern_find(val) != NULL)
        return TP_OK;
    for (size_t i = 0; p[i] != NULL; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 p[i]->name);
    return tp_error_set(err, TP_ERR_INVALID, "--pattern '%s': unknown (one of: %s)", val, list);
}

static int gpu_number(const char *s)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    return s[0] >= '0' && s[0] <= '9' && end != s && *end == '\0' && v >= 0 && v <= 1023;
}

static tp_status_t parse_mem(const struct opt_field *f, const char *val, void *cfg,
                             struct tp_error *err)
{
    *OPT_PTR(cfg, f, const char *) = val;
    if (strcmp(val, "host") == 0 || strcmp(val, "cuda") == 0 ||
        (strncmp(val, "cuda:", 5) == 0 && gpu_number(val + 5)))
        return TP_OK;
    return bad(err, f, val, "expected host, cuda or cuda:N");
}

static tp_status_t parse_gpu(const struct opt_field *f, const char *val, void *cfg,
                             struct tp_error *err)
{
    *OPT_PTR(cfg, f, const char *) = val;
    if (strcmp(val, "auto") == 0 || strcmp(val, "local") == 0 || gpu_number(val))
        return TP_OK;
    return bad(err, f, val, "expected auto, local or a GPU number");
}

static tp_status_t parse_model(const struct opt_field *f, const char *val, void *cfg,
                               struct tp_error *err)
{
    if (strcmp(val, "list") == 0) {
        size_t n;
        const struct model_preset *mp = model_presets(&n);
        for (size_t i = 0; i < n; i++)
            printf("%-20s %8.1f GB  %s\n", mp[i].name,
                   mp[i].params * mp[i].bytes_per_param / 1e9, mp[i].note);
        exit(0);
    }
    return model_preset_bytes(val, OPT_PTR(cfg, f, uint64_t), err);
}

static tp_status_t parse_model_file(const struct opt_field *f, const char *val, void *cfg,
                                    struct tp_error *err)
{
    return model_file_bytes(val, OPT_PTR(cfg, f, uint64_t), err) == TP_OK ? TP_OK
                                                                          : TP_ERR_INVALID;
}

static const struct opt_field fields[] = {
    {.name = "transport", .type = OPT_CUSTOM, .metavar = "NAME", .dflt = "tcp",
     .parse = parse_transport, .offset = RO(transport), .help = "data path",
     .section = "What to measure", .help_more = list_transports},
    {.name = "mem", .type = OPT_CUSTOM, .metavar = "KIND", .dflt = "host", .parse = parse_mem,
     .offset = RO(mem), .help = "buffer memory: host, cuda, cuda:N (GPU N)"},
    {.name = "gpu", .type = OPT_CUSTOM, .metavar = "WHICH", .dflt_help = "local",
     .parse = parse_gpu, .offset = RO(gpu), .json = "gpu",
     .help = "with --mem cuda, each rank's GPU: local (local\n"
             "rank mod GPU count), auto (nearest the rank's NIC in the\n"
             "PCI tree, ties spread by local rank; local rank when the\n"
             "NIC is not a PCI device), or N (GPU N, like cuda:N)"},
    {.name = "pattern", .type = OPT_CUSTOM, .metavar = "NAME", .dflt = "pairs",
     .parse = parse_pattern, .offset = RO(pattern), .help = "which rank pairs",
     .help_more = list_patterns},
    {.name = "sizes", .type = OPT_STRING, .metavar = "SWEEP", .dflt = "1:16M", .min = 1,
     .offset = RO(sizes_text), .given_flag = OPT_GIVEN(struct run_opts, sizes_given),
     .help = "message sizes: 1:1G (powers of two, bytes), 4K,64K,1M (a\n"
             "list) or one size; some patterns have their own default"},
    {.name = "size", .type = OPT_SIZE, .metavar = "BYTES", .min = 1, .offset = RO(stream_bytes),
     .help = "instead of a sweep: one transfer of BYTES (e.g. 140GB)\n"
             "streamed through a ring of --buffer-size bytes in messages\n"
             "of --sizes (one size; default 4M); reports time to transfer"},
    {.name = "model", .type = OPT_CUSTOM_SIZE, .metavar = "NAME", .parse = parse_model,
     .offset = RO(stream_bytes), .help = "--size of a preset model (tierperf run --model list)"},
    {.name = "model-file", .type = OPT_CUSTOM_SIZE, .metavar = "PATH", .parse = parse_model_file,
     .offset = RO(stream_bytes),
     .help = "--size of a safetensors file or a sharded model's\n"
             "model.safetensors.index.json (header only is read)"},
    {.name = "bidir", .type = OPT_FLAG, .offset = RO(bidir), .json = "bidir",
     .help = "both directions at once"},
    {.name = "verify", .type = OPT_FLAG, .offset = RO(verify), .json = "verify",
     .help = "check every byte received (position-dependent pattern)"},
    {.name = "no-bw", .type = OPT_FLAG, .offset = RO(no_bw), .help = "skip the bandwidth phase"},
    {.name = "no-lat", .type = OPT_FLAG, .offset = RO(no_lat), .help = "skip the latency phase"},
    {.name = "duration", .type = OPT_SECONDS, .metavar = "SECONDS", .dflt = "0.5", .max = 86400,
     .offset = RO(duration_s), .json = "duration_s", .help = "bandwidth phase per size",
     .section = "How long"},
    {.name = "iters", .type = OPT_U64, .metavar = "N", .min = 1, .max = 1099511627776.0,
     .offset = RO(iters), .json = "iters", .help = "timed messages per size instead of --duration"},
    {.name = "warmup", .type = OPT_U64, .metavar = "N", .dflt_help = "by bytes", .min = 0,
     .max = 1073741824.0, .offset = RO(warmup), .json = "warmup",
     .help = "warm-up messages per size (by bytes: 64 MiB\n"
             "worth, 16..4096 messages; never more than 256 MiB)"},
    {.name = "lat-iters", .type = OPT_U64, .metavar = "N", .dflt = "10000", .min = 1,
     .max = 100000000, .offset = RO(lat_iters), .json = "lat_iters",
     .given_flag = OPT_GIVEN(struct run_opts, lat_iters_given),
     .help = "ping-pong round trips per size (capped at 0.3 s\n"
             "per size unless given)"},
    {.name = "buffer-size", .type = OPT_SIZE, .metavar = "BYTES", .dflt = "64M", .min = 4096,
     .max = 68719476736.0, .offset = RO(buffer_size), .json = "buffer_size",
     .help = "ring bound: --size streams through it; a sweep's\n"
             "ring holds --tx-depth messages of the largest size within\n"
             "it (and at least one message)"},
    {.name = "timeout", .type = OPT_SECONDS, .metavar = "SECONDS", .dflt = "60", .max = 86400,
     .offset = RO(cfg.timeout_s), .json = "timeout_s",
     .help = "a transfer without progress for this long, or not\n"
             "done within twice its expected time plus this, fails; the\n"
             "pair is recorded as failed and the run goes on (Faults;\n"
             "at least 1 s)"},
    {.name = "topology", .type = OPT_STRING, .metavar = "FILE", .offset = RO(topology),
     .json = "topology", .help = "Volcano HyperNode YAML: tiers of pairs (tiers pattern)",
     .section = "Placement and output"},
    {.name = "nodes", .type = OPT_STRING, .metavar = "FILE", .offset = RO(nodes), .json = "nodes",
     .help = "kubectl get nodes -o yaml|json (for labelMatch)"},
    {.name = "node-name", .type = OPT_STRING, .metavar = "NAME", .dflt_help = "$TIERPERF_NODE_NAME",
     .min = 1, .max = 253, .offset = RO(node_name),
     .help = "this rank's node name (else $SLURMD_NODENAME, else hostname)"},
    {.name = "serial", .type = OPT_FLAG, .offset = RO(serial), .json = "serial",
     .help = "one pair at a time (default: a round's pairs at once)"},
    {.name = "no-bind", .type = OPT_FLAG, .offset = RO(no_bind),
     .help = "do not pin ranks to the cores nearest the NIC"},
    {.name = "out", .type = OPT_STRING, .metavar = "FILE", .min = 1, .offset = RO(out),
     .dflt_help = "results/tierperf-<time>-<pattern>.json",
     .help = "results file; an existing FILE is refused unless --force"},
    {.name = "force", .type = OPT_FLAG, .offset = RO(force),
     .help = "let --out replace an existing file"},
    {.name = "quiet", .type = OPT_FLAG, .offset = RO(quiet),
     .help = "no progress and no table (the JSON path is still printed)"},
    {.name = "verbose", .type = OPT_COUNT, .short_name = 'v', .offset = RO(verbose),
     .help = "more diagnostics (twice: debug)"},
    {.name = "help", .type = OPT_FLAG, .offset = RO(help), .help = "this text"},
    {.name = "hugepages", .type = OPT_FLAG, .offset = RO(hugepages), .json = "hugepages",
     .help = "host rings in 2 MiB pages: MAP_HUGETLB when reserved\n"
             "(vm.nr_hugepages), else transparent huge pages; the\n"
             "verbs link detail says which"},
    {.name = "tx-depth", .type = OPT_INT, .metavar = "N", .dflt = "64", .min = 1, .max = 65536,
     .offset = RO(cfg.tx_depth), .json = "tx_depth",
     .given_flag = OPT_GIVEN(struct run_opts, tx_depth_given),
     .help = "outstanding messages per connection, every transport", .section = "Transport tuning",
     .help_more = list_depth_limits},
    {.name = NULL},
};

const struct opt_table run_opts_common = {
    .owner = "run",
    .title = "run",
    .config_size = sizeof(struct run_opts),
    .fields = fields,
};

const struct opt_table *const *run_opts_tables(void)
{
    static const struct opt_table *tables[RUN_OPTS_MAX_TABLES + 1];
    size_t n = 0;

    if (tables[0] != NULL)
        return tables;
    tables[n++] = &run_opts_common;
    const struct tp_transport_ops *const *t = tp_transport_list();
    for (size_t i = 0; t[i] != NULL && n < RUN_OPTS_MAX_TABLES; i++)
        if (t[i]->options != NULL)
            tables[n++] = t[i]->options;
    const struct bench_pattern *const *p = pattern_list();
    for (size_t i = 0; p[i] != NULL && n < RUN_OPTS_MAX_TABLES; i++)
        if (p[i]->options != NULL)
            tables[n++] = p[i]->options;
    tables[n] = NULL;
    return tables;
}
