/* run_opts.c: `tierperf run` options: getopt_long into struct run_opts,
 * each value validated with a one-line error naming option and value. */
#include "run_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../patterns/pattern.h"
#include "model_size.h"
#include "../../common/units.h"
#include "cli_opts.h"

#define DEFAULT_SIZES "1:16M"
#define DEFAULT_CHUNK (4ull << 20)

enum {
    OPT_TRANSPORT = 256, OPT_MEM, OPT_PATTERN, OPT_SIZES, OPT_SIZE, OPT_ITERS, OPT_WARMUP,
    OPT_DURATION, OPT_LAT_ITERS, OPT_NO_LAT, OPT_NO_BW, OPT_STREAMS, OPT_ZEROCOPY, OPT_IF,
    OPT_SUBNET, OPT_TX_DEPTH, OPT_QPS, OPT_DEVICE, OPT_PORT, OPT_GID_INDEX, OPT_RDMA_OP,
    OPT_INLINE, OPT_RDMA_CM, OPT_BIDIR, OPT_VERIFY, OPT_BUFFER_SIZE, OPT_TOPOLOGY, OPT_NODES,
    OPT_NODE_NAME, OPT_SERIAL, OPT_OUT, OPT_TIMEOUT, OPT_QUIET, OPT_NO_BIND, OPT_HELP,
    OPT_MODEL, OPT_MODEL_FILE, OPT_FANOUT_MODE, OPT_PREFILL, OPT_DECODE, OPT_KV_TIER,
    OPT_CONGESTION_TIER, OPT_GPU,
};

static const struct option long_opts[] = {
    {"transport", required_argument, NULL, OPT_TRANSPORT},
    {"mem", required_argument, NULL, OPT_MEM},
    {"pattern", required_argument, NULL, OPT_PATTERN},
    {"sizes", required_argument, NULL, OPT_SIZES},
    {"size", required_argument, NULL, OPT_SIZE},
    {"iters", required_argument, NULL, OPT_ITERS},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"lat-iters", required_argument, NULL, OPT_LAT_ITERS},
    {"no-lat", no_argument, NULL, OPT_NO_LAT},
    {"no-bw", no_argument, NULL, OPT_NO_BW},
    {"streams", required_argument, NULL, OPT_STREAMS},
    {"zerocopy", no_argument, NULL, OPT_ZEROCOPY},
    {"if", required_argument, NULL, OPT_IF},
    {"subnet", required_argument, NULL, OPT_SUBNET},
    {"tx-depth", required_argument, NULL, OPT_TX_DEPTH},
    {"qps", required_argument, NULL, OPT_QPS},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"port", required_argument, NULL, OPT_PORT},
    {"gid-index", required_argument, NULL, OPT_GID_INDEX},
    {"rdma-op", required_argument, NULL, OPT_RDMA_OP},
    {"inline", required_argument, NULL, OPT_INLINE},
    {"rdma-cm", no_argument, NULL, OPT_RDMA_CM},
    {"bidir", no_argument, NULL, OPT_BIDIR},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"buffer-size", required_argument, NULL, OPT_BUFFER_SIZE},
    {"topology", required_argument, NULL, OPT_TOPOLOGY},
    {"nodes", required_argument, NULL, OPT_NODES},
    {"node-name", required_argument, NULL, OPT_NODE_NAME},
    {"serial", no_argument, NULL, OPT_SERIAL},
    {"out", required_argument, NULL, OPT_OUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"verbose", no_argument, NULL, 'v'},
    {"no-bind", no_argument, NULL, OPT_NO_BIND},
    {"help", no_argument, NULL, OPT_HELP},
    {"model", required_argument, NULL, OPT_MODEL},
    {"model-file", required_argument, NULL, OPT_MODEL_FILE},
    {"fanout-mode", required_argument, NULL, OPT_FANOUT_MODE},
    {"prefill", required_argument, NULL, OPT_PREFILL},
    {"decode", required_argument, NULL, OPT_DECODE},
    {"kv-tier", required_argument, NULL, OPT_KV_TIER},
    {"congestion-tier", required_argument, NULL, OPT_CONGESTION_TIER},
    {"gpu", required_argument, NULL, OPT_GPU},
    {NULL, 0, NULL, 0},
};

void run_opts_help(FILE *out)
{
    const struct tp_transport_ops *const *t = tp_transport_list();
    const struct bench_pattern *const *p = pattern_list();

    fprintf(out,
            "usage: mpirun -np N [--map-by ppr:1:node] tierperf run [OPTIONS]\n\n"
            "Measures bandwidth and latency between MPI rank pairs and writes one JSON file\n"
            "(docs/results-schema.md).  Units: bandwidth in Gbit/s = 10^9 bit/s and GB/s =\n"
            "10^9 byte/s; latency in microseconds (half the ping-pong round trip); sizes in\n"
            "bytes with K/M/G/T = 2^10.. (binary) or KB/MB/GB/TB = 10^3.. (SI).\n\n"
            "What to measure:\n"
            "  --transport NAME    data path (default tcp):\n");
    for (size_t i = 0; t[i] != NULL; i++)
        fprintf(out, "                        %-6s %s\n", t[i]->name, t[i]->summary);
    fprintf(out,
            "  --mem KIND          buffer memory: host (default), cuda, cuda:N (GPU N)\n"
            "  --gpu WHICH         with --mem cuda, each rank's GPU: local (default: local\n"
            "                      rank mod GPU count), auto (nearest the rank's NIC in the\n"
            "                      PCI tree, ties spread by local rank; local rank when the\n"
            "                      NIC is not a PCI device), or N (GPU N, like cuda:N)\n"
            "  --pattern NAME      which rank pairs (default pairs):\n");
    for (size_t i = 0; p[i] != NULL; i++)
        fprintf(out, "                        %-9s %s\n", p[i]->name, p[i]->summary);
    fprintf(out,
            "  --sizes SWEEP       message sizes: 1:1G (powers of two, bytes), 4K,64K,1M (a\n"
            "                      list) or one size (default " DEFAULT_SIZES ")\n"
            "  --size BYTES        instead of a sweep: one transfer of BYTES (e.g. 140GB)\n"
            "                      streamed through a ring of --buffer-size bytes in messages\n"
            "                      of --sizes (one size; default 4M); reports time to transfer\n"
            "  --model NAME        --size of a preset model (tierperf run --model list)\n"
            "  --model-file PATH   --size of a safetensors file or a sharded model's\n"
            "                      model.safetensors.index.json (header only is read)\n"
            "  --bidir             both directions at once\n"
            "  --verify            check every byte received (position-dependent pattern)\n"
            "  --no-bw, --no-lat   skip the bandwidth or the latency phase\n\n"
            "How long:\n"
            "  --duration SECONDS  bandwidth phase per size (default 0.5 s)\n"
            "  --iters N           timed messages per size instead of --duration\n"
            "  --warmup N          warm-up messages per size (default: by bytes, 64 MiB\n"
            "                      worth, 16..4096 messages; never more than 256 MiB)\n"
            "  --lat-iters N       ping-pong round trips per size (default 10000, capped at\n"
            "                      0.3 s per size unless given)\n"
            "  --buffer-size BYTES ring bound (default 64M): --size streams through it; a\n"
            "                      sweep's ring holds --tx-depth messages of the largest\n"
            "                      size within it (and at least one message)\n"
            "  --timeout SECONDS   a blocking operation without progress fails after this\n"
            "                      (default 60 s); the pair is recorded as failed and the\n"
            "                      run goes on\n\n"
            "Transport tuning:\n"
            "  --streams N         TCP: parallel connections per pair (default 1)\n"
            "  --zerocopy          TCP: MSG_ZEROCOPY sends\n"
            "  --if NAME           interface to bind data connections to\n"
            "  --subnet CIDR       use the local address in CIDR (e.g. 198.18.0.0/15)\n"
            "  --tx-depth N        outstanding messages per connection (default 64)\n"
            "  --qps N             verbs: queue pairs per connection (default 1)\n"
            "  --device NAME       verbs: RDMA device (default: automatic)\n"
            "  --port N            verbs: device port (default: automatic)\n"
            "  --gid-index N       verbs: RoCE GID index (default: automatic)\n"
            "  --rdma-op OP        verbs: write (default), read or send\n"
            "  --inline BYTES      verbs: max inline send size (default: automatic)\n"
            "  --rdma-cm           verbs: connect the QPs through librdmacm (RDMA CM) instead\n"
            "                      of exchanging QP numbers over MPI; needs an IP address\n"
            "                      on the device (RoCE; on InfiniBand IPoIB, with --if)\n\n"
            "Traffic shapes:\n"
            "  --fanout-mode MODE  fanout: star (N concurrent downloads), chain (pipelined)\n"
            "                      or both (default); moves --size bytes (default 64M)\n"
            "  --prefill NODES     kv: comma list of prefill node names (senders)\n"
            "  --decode NODES      kv: comma list of decode node names (receivers)\n"
            "  --kv-tier N         kv: instead, prefill->decode pairs crossing tier N\n"
            "                      (default: rank 2i -> 2i+1); blocks = --sizes, count --iters\n"
            "  --congestion-tier N congestion: the tier whose uplinks are loaded (default:\n"
            "                      the highest tier with two or more disjoint pairs)\n\n"
            "Placement and output:\n"
            "  --topology FILE     Volcano HyperNode YAML: tiers of pairs (tiers pattern)\n"
            "  --nodes FILE        kubectl get nodes -o yaml|json (for labelMatch)\n"
            "  --node-name NAME    this rank's node name (default $TIERPERF_NODE_NAME, else\n"
            "                      the hostname)\n"
            "  --serial            one pair at a time (default: a round's pairs at once)\n"
            "  --no-bind           do not pin ranks to the cores nearest the NIC\n"
            "  --out FILE          results file (default results/tierperf-<time>-<pattern>.json)\n"
            "  --quiet             no progress and no table (the JSON path is still printed)\n"
            "  -v, --verbose       more diagnostics (twice: debug)\n"
            "  --help              this text\n\n"
            "Exit status: 0 all measured, 1 a pair or measurement failed, 2 bad usage.\n");
}

static tp_status_t bad(struct tp_error *err, const char *opt, const char *val, const char *why)
{
    return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': %s", opt, val, why);
}

static tp_status_t parse_u64(const char *opt, const char *val, uint64_t min, uint64_t max,
                             uint64_t *out, struct tp_error *err)
{
    char *end = NULL;

    errno = 0;
    if (val[0] == '-' || val[0] == '\0')
        return bad(err, opt, val, "not a non-negative integer");
    unsigned long long v = strtoull(val, &end, 10);
    if (errno != 0 || end == val || *end != '\0')
        return bad(err, opt, val, "not an integer");
    if (v < min || v > max) {
        char why[96];
        snprintf(why, sizeof(why), "must be between %llu and %llu", (unsigned long long)min,
                 (unsigned long long)max);
        return bad(err, opt, val, why);
    }
    *out = v;
    return TP_OK;
}

static tp_status_t parse_int(const char *opt, const char *val, int min, int max, int *out,
                             struct tp_error *err)
{
    char *end = NULL;

    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno != 0 || end == val || *end != '\0')
        return bad(err, opt, val, "not an integer");
    if (v < min || v > max) {
        char why[96];
        snprintf(why, sizeof(why), "must be between %d and %d", min, max);
        return bad(err, opt, val, why);
    }
    *out = (int)v;
    return TP_OK;
}

static tp_status_t parse_seconds(const char *opt, const char *val, double max, double *out,
                                 struct tp_error *err)
{
    struct tp_error uerr = {0};
    double v = 0;

    if (units_parse_duration(val, &v, &uerr) != TP_OK)
        return bad(err, opt, val, "not a duration (e.g. 30, 30s, 500ms, 2m; bare = seconds)");
    if (v > max) {
        char why[96], lim[32];
        snprintf(why, sizeof(why), "must be at most %s", units_fmt_duration(max, lim, sizeof(lim)));
        return bad(err, opt, val, why);
    }
    *out = v;
    return TP_OK;
}

static tp_status_t check_mem(const char *val, struct tp_error *err)
{
    if (strcmp(val, "host") == 0 || strcmp(val, "cuda") == 0)
        return TP_OK;
    if (strncmp(val, "cuda:", 5) == 0 && val[5] != '\0') {
        int dev;
        if (parse_int("mem", val + 5, 0, 1023, &dev, err) == TP_OK)
            return TP_OK;
    }
    return bad(err, "mem", val, "expected host, cuda or cuda:N");
}

static tp_status_t check_subnet(const char *val, struct tp_error *err)
{
    char addr[64];
    const char *slash = strchr(val, '/');
    unsigned char bin[16];
    int prefix;

    if (slash == NULL || (size_t)(slash - val) >= sizeof(addr))
        return bad(err, "subnet", val, "expected ADDRESS/PREFIX, e.g. 198.18.0.0/15");
    memcpy(addr, val, (size_t)(slash - val));
    addr[slash - val] = '\0';
    int v6 = strchr(addr, ':') != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
        return bad(err, "subnet", val, "not an IPv4 or IPv6 address before the '/'");
    struct tp_error perr;
    if (parse_int("subnet", slash + 1, 0, v6 ? 128 : 32, &prefix, &perr) != TP_OK)
        return bad(err, "subnet", val, v6 ? "prefix must be 0..128" : "prefix must be 0..32");
    return TP_OK;
}

static void set_defaults(struct run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->transport = "tcp";
    o->mem = "host";
    o->pattern = "pairs";
    o->sizes_text = DEFAULT_SIZES;
    o->duration_s = 0.5;
    o->lat_iters = 10000;
    o->buffer_size = 64ull << 20;
    o->cfg.streams = 1;
    o->cfg.tx_depth = 64;
    o->cfg.qps = 1;
    o->cfg.gid_index = -1;
    o->cfg.inline_size = -1;
    o->cfg.rdma_op = TP_RDMA_WRITE;
    o->cfg.timeout_s = 60;
    o->kv_tier = -1;
}

/* One option's value into o. */
static tp_status_t apply(int c, const char *val, struct run_opts *o, int *sizes_given,
                         struct tp_error *err)
{
    uint64_t u = 0;
    tp_status_t st = TP_OK;

    switch (c) {
    case OPT_TRANSPORT:
        o->transport = val;
        if (tp_transport_find(val) == NULL) {
            char list[256] = "";
            const struct tp_transport_ops *const *t = tp_transport_list();
            for (size_t i = 0; t[i] != NULL; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                         t[i]->name);
            return tp_error_set(err, TP_ERR_INVALID, "--transport '%s': unknown (built: %s)", val,
                                list);
        }
        return TP_OK;
    case OPT_MEM:
        o->mem = val;
        return check_mem(val, err);
    case OPT_PATTERN:
        o->pattern = val;
        if (pattern_find(val) == NULL) {
            char list[256] = "";
            const struct bench_pattern *const *p = pattern_list();
            for (size_t i = 0; p[i] != NULL; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                         p[i]->name);
            return tp_error_set(err, TP_ERR_INVALID, "--pattern '%s': unknown (one of: %s)", val,
                                list);
        }
        return TP_OK;
    case OPT_SIZES:
        o->sizes_text = val;
        *sizes_given = 1;
        return TP_OK;
    case OPT_SIZE: {
        struct tp_error uerr = {0};
        if (units_parse_size(val, &u, &uerr) != TP_OK || u == 0)
            return bad(err, "size", val, "expected a byte count such as 140GB or 4G");
        o->stream_bytes = u;
        return TP_OK;
    }
    case OPT_ITERS:
        return parse_u64("iters", val, 1, 1ull << 40, &o->iters, err);
    case OPT_WARMUP:
        return parse_u64("warmup", val, 0, 1ull << 30, &o->warmup, err);
    case OPT_DURATION:
        return parse_seconds("duration", val, 86400, &o->duration_s, err);
    case OPT_LAT_ITERS:
        o->lat_iters_given = 1;
        return parse_u64("lat-iters", val, 1, 100000000, &o->lat_iters, err);
    case OPT_NO_LAT: o->no_lat = 1; return TP_OK;
    case OPT_NO_BW: o->no_bw = 1; return TP_OK;
    case OPT_STREAMS: return parse_int("streams", val, 1, 64, &o->cfg.streams, err);
    case OPT_ZEROCOPY: o->cfg.zerocopy = 1; return TP_OK;
    case OPT_IF:
        if (val[0] == '\0' || strlen(val) >= 16)
            return bad(err, "if", val, "not an interface name (1..15 characters)");
        o->cfg.bind_if = val;
        return TP_OK;
    case OPT_SUBNET:
        o->cfg.bind_subnet = val;
        return check_subnet(val, err);
    case OPT_TX_DEPTH: return parse_int("tx-depth", val, 1, 65536, &o->cfg.tx_depth, err);
    case OPT_QPS: return parse_int("qps", val, 1, 256, &o->cfg.qps, err);
    case OPT_DEVICE:
        if (val[0] == '\0')
            return bad(err, "device", val, "empty device name");
        o->cfg.device = val;
        return TP_OK;
    case OPT_PORT: return parse_int("port", val, 0, 255, &o->cfg.port, err);
    case OPT_GID_INDEX: return parse_int("gid-index", val, -1, 65535, &o->cfg.gid_index, err);
    case OPT_RDMA_OP:
        if (strcmp(val, "write") == 0) o->cfg.rdma_op = TP_RDMA_WRITE;
        else if (strcmp(val, "read") == 0) o->cfg.rdma_op = TP_RDMA_READ;
        else if (strcmp(val, "send") == 0) o->cfg.rdma_op = TP_RDMA_SEND;
        else return bad(err, "rdma-op", val, "expected write, read or send");
        return TP_OK;
    case OPT_INLINE: return parse_int("inline", val, -1, 65536, &o->cfg.inline_size, err);
    case OPT_RDMA_CM: o->cfg.use_rdma_cm = 1; return TP_OK;
    case OPT_BIDIR: o->bidir = 1; return TP_OK;
    case OPT_VERIFY: o->verify = 1; return TP_OK;
    case OPT_BUFFER_SIZE: {
        struct tp_error uerr = {0};
        if (units_parse_size(val, &u, &uerr) != TP_OK || u < 4096 || u > (64ull << 30))
            return bad(err, "buffer-size", val, "expected a size from 4K to 64G");
        o->buffer_size = u;
        return TP_OK;
    }
    case OPT_TOPOLOGY: o->topology = val; return TP_OK;
    case OPT_NODES: o->nodes = val; return TP_OK;
    case OPT_NODE_NAME:
        if (val[0] == '\0' || strlen(val) > 253)
            return bad(err, "node-name", val, "expected 1..253 characters");
        o->node_name = val;
        return TP_OK;
    case OPT_SERIAL: o->serial = 1; return TP_OK;
    case OPT_OUT:
        if (val[0] == '\0')
            return bad(err, "out", val, "empty file name");
        o->out = val;
        return TP_OK;
    case OPT_TIMEOUT: return parse_seconds("timeout", val, 86400, &o->cfg.timeout_s, err);
    case OPT_QUIET: o->quiet = 1; return TP_OK;
    case 'v': o->verbose++; return TP_OK;
    case OPT_NO_BIND: o->no_bind = 1; return TP_OK;
    case OPT_MODEL:
        if (strcmp(val, "list") == 0) {
            size_t n;
            const struct model_preset *mp = model_presets(&n);
            for (size_t i = 0; i < n; i++)
                printf("%-20s %8.1f GB  %s\n", mp[i].name,
                       mp[i].params * mp[i].bytes_per_param / 1e9, mp[i].note);
            exit(0);
        }
        return model_preset_bytes(val, &o->stream_bytes, err);
    case OPT_MODEL_FILE:
        return model_file_bytes(val, &o->stream_bytes, err) == TP_OK ? TP_OK : TP_ERR_INVALID;
    case OPT_FANOUT_MODE:
        if (strcmp(val, "star") != 0 && strcmp(val, "chain") != 0 && strcmp(val, "both") != 0)
            return bad(err, "fanout-mode", val, "expected star, chain or both");
        o->fanout_mode = val;
        return TP_OK;
    case OPT_PREFILL:
    case OPT_DECODE:
        if (val[0] == '\0')
            return bad(err, c == OPT_PREFILL ? "prefill" : "decode", val, "empty node list");
        *(c == OPT_PREFILL ? &o->prefill : &o->decode) = val;
        return TP_OK;
    case OPT_KV_TIER: return parse_int("kv-tier", val, 0, 64, &o->kv_tier, err);
    case OPT_CONGESTION_TIER:
        return parse_int("congestion-tier", val, 1, 64, &o->congestion_tier, err);
    case OPT_GPU: {
        int dev;
        o->gpu = val;
        if (strcmp(val, "auto") == 0 || strcmp(val, "local") == 0 ||
            parse_int("gpu", val, 0, 1023, &dev, err) == TP_OK)
            return TP_OK;
        return bad(err, "gpu", val, "expected auto, local or a GPU number");
    }
    default:
        break;
    }
    return st;
}

/* Checks that need every option. */
static tp_status_t finish(struct run_opts *o, int sizes_given, struct tp_error *err)
{
    struct tp_error uerr = {0};

    const struct bench_pattern *pat = pattern_find(o->pattern);
    if (!sizes_given && pat->default_sizes != NULL)
        o->sizes_text = pat->default_sizes;
    if (units_parse_sweep(o->sizes_text, &o->sizes, &o->nsizes, &uerr) != TP_OK)
        return tp_error_set(err, TP_ERR_INVALID, "--sizes '%s': %s", o->sizes_text, uerr.msg);
    if (o->nsizes == 0)
        return bad(err, "sizes", o->sizes_text, "no sizes");
    if (o->stream_bytes > 0) {
        if (sizes_given && o->nsizes != 1)
            return bad(err, "sizes", o->sizes_text,
                       "with --size give one message size (the streamed chunk)");
        if (run_opts_stream_chunk(o) > o->buffer_size)
            return bad(err, "sizes", o->sizes_text, "chunk larger than --buffer-size");
    }
    if (o->no_bw && o->no_lat)
        return tp_error_set(err, TP_ERR_INVALID, "--no-bw with --no-lat: nothing to measure");
    if (o->node_name == NULL) {
        const char *env = getenv("TIERPERF_NODE_NAME");
        if (env != NULL && env[0] != '\0')
            o->node_name = env;
    }
    if (o->nodes != NULL && o->topology == NULL)
        return bad(err, "nodes", o->nodes, "needs --topology");
    if ((o->prefill == NULL) != (o->decode == NULL))
        return tp_error_set(err, TP_ERR_INVALID, "--prefill and --decode go together");
    if (o->kv_tier >= 0 && o->topology == NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--kv-tier %d: needs --topology FILE", o->kv_tier);
    if (o->gpu != NULL && strcmp(o->mem, "cuda") != 0)
        return bad(err, "gpu", o->gpu, strcmp(o->mem, "host") == 0
                                           ? "applies to --mem cuda only"
                                           : "--mem cuda:N already names the GPU");
    const struct bench_pattern *p = pattern_find(o->pattern);
    if (p->needs_topology && o->topology == NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--pattern %s: needs --topology FILE",
                            o->pattern);
    const struct tp_transport_ops *t = tp_transport_find(o->transport);
    if (t != NULL && (t->caps & p->needs_caps) != p->needs_caps) {
        char able[128] = "";
        const struct tp_transport_ops *const *all = tp_transport_list();
        for (size_t i = 0; all[i] != NULL; i++)
            if ((all[i]->caps & p->needs_caps) == p->needs_caps)
                snprintf(able + strlen(able), sizeof(able) - strlen(able), "%s%s",
                         able[0] ? ", " : "", all[i]->name);
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern %s: transport %s cannot drive several connections at "
                            "once from threads; use one that can (%s)", o->pattern, o->transport,
                            able);
    }
    return TP_OK;
}

tp_status_t run_opts_parse(int argc, char **argv, struct run_opts *o, int *help_p,
                           struct tp_error *err)
{
    int c, sizes_given = 0;

    set_defaults(o);
    *help_p = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":v", long_opts, NULL)) != -1) {
        if (c == OPT_HELP) {
            *help_p = 1;
            return TP_OK;
        }
        if (c == '?' || c == ':')
            return cli_opt_error("run", argv, long_opts, err);
        tp_status_t st = apply(c, optarg, o, &sizes_given, err);
        if (st != TP_OK)
            return st;
    }
    if (optind < argc)
        return tp_error_set(err, TP_ERR_INVALID, "unexpected argument '%s' (see tierperf run --help)",
                            argv[optind]);
    o->sizes_given = sizes_given;
    return finish(o, sizes_given, err);
}

void run_opts_free(struct run_opts *o)
{
    free(o->sizes);
    o->sizes = NULL;
    o->nsizes = 0;
}

uint64_t run_opts_stream_chunk(const struct run_opts *o)
{
    if (o->nsizes == 1 && o->sizes_given)
        return o->sizes[0];
    return DEFAULT_CHUNK < o->buffer_size ? DEFAULT_CHUNK : o->buffer_size;
}

uint64_t run_opts_max_msg(const struct run_opts *o)
{
    if (o->stream_bytes > 0)
        return run_opts_stream_chunk(o);
    return o->nsizes ? o->sizes[o->nsizes - 1] : 0;
}

uint64_t run_opts_ring_bytes(const struct run_opts *o)
{
    uint64_t maxmsg = run_opts_max_msg(o);
    uint64_t depth = o->cfg.tx_depth > 1 ? (uint64_t)o->cfg.tx_depth : 1;

    if (o->stream_bytes > 0)
        return o->buffer_size;
    uint64_t len = maxmsg * depth;
    if (len / depth != maxmsg || len > o->buffer_size)
        len = o->buffer_size;
    return len > maxmsg ? len : maxmsg;
}
