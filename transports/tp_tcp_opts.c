/* tp_tcp_opts.c: the TCP transport's options table (see opt_table.h). */
#include "tcp_private.h"
#include "tp_rail.h"


static const struct opt_field fields[] = {
    {.name = "streams", .type = OPT_INT, .metavar = "N", .dflt = "1", .min = 1,
     .max = TCP_MAX_STREAMS, .offset = offsetof(struct tcp_opts, streams), .json = "streams",
     .help = "parallel connections per pair"},
    {.name = "stream-threads", .type = OPT_INT, .metavar = "N", .dflt = "0",
     .dflt_help = "0: one per stream, at most one per CPU this rank may use", .min = 0,
     .max = TCP_MAX_STREAMS, .offset = offsetof(struct tcp_opts, threads),
     .json = "stream_threads",
     .help = "threads driving a pair's streams, each stream on one of them; pinned\n"
             "one per CPU when the rank is bound (near its NIC, see --no-bind)"},
    {.name = "zerocopy", .type = OPT_FLAG, .offset = offsetof(struct tcp_opts, zerocopy),
     .json = "zerocopy", .help = "MSG_ZEROCOPY sends"},
    {.name = "sockbuf", .type = OPT_SIZE, .metavar = "BYTES", .dflt = "0",
     .dflt_help = "0: autotuned by the kernel", .min = 0, .max = TCP_SOCKBUF_MAX,
     .offset = offsetof(struct tcp_opts, sockbuf), .json = "sockbuf_bytes",
     .help = "send and receive buffer of each stream, fixed (switches the\n"
             "kernel's autotuning off; above net.core.wmem_max/rmem_max\n"
             "only with CAP_NET_ADMIN): for a bandwidth-delay product\n"
             "beyond autotuning's maximum (net.ipv4.tcp_wmem/tcp_rmem)"},
    TP_NET_OPT_FIELDS(struct tcp_opts, net),
    TP_RAIL_OPT_FIELD("ifaces", struct tcp_opts, ifaces,
                      "one interface per rail; each rank takes that of its local rank"),
    {.name = NULL},
};

const struct opt_table tcp_options = {
    .owner = "tcp",
    .title = "tcp",
    .config_size = sizeof(struct tcp_opts),
    .fields = fields,
};
