/* tp_verbs_opts.c: the verbs transport's options table (see opt_table.h). */
#include "verbs_private.h"
#include "tp_rail.h"

static const char *const rdma_ops[] = {"write", "read", "send", NULL};
static const char *const on_off[] = {"off", "on", NULL};

static const struct opt_field fields[] = {
    {.name = "qps", .type = OPT_INT, .metavar = "N", .dflt = "1", .min = 1,
     .max = VERBS_MAX_QPS, .offset = offsetof(struct verbs_opts, qps), .json = "qps",
     .help = "queue pairs per connection"},
    {.name = "device", .type = OPT_STRING, .metavar = "NAME", .dflt_help = "automatic",
     .min = 1, .offset = offsetof(struct verbs_opts, device), .json = "device",
     .help = "RDMA device"},
    {.name = "port", .type = OPT_INT, .metavar = "N", .dflt = "0", .dflt_help = "automatic",
     .min = 0, .max = 255, .offset = offsetof(struct verbs_opts, port), .json = "port",
     .help = "device port"},
    {.name = "gid-index", .type = OPT_INT, .metavar = "N", .dflt = "-1",
     .dflt_help = "automatic", .min = -1, .max = 65535,
     .offset = offsetof(struct verbs_opts, gid_index), .json = "gid_index",
     .help = "RoCE GID index"},
    {.name = "rdma-op", .type = OPT_ENUM, .metavar = "OP", .dflt = "write", .choices = rdma_ops,
     .offset = offsetof(struct verbs_opts, rdma_op), .json = "rdma_op",
     .help = "write, read or send"},
    {.name = "inline", .type = OPT_INT, .metavar = "BYTES", .dflt = "-1",
     .dflt_help = "automatic", .min = -1, .max = 65536,
     .offset = offsetof(struct verbs_opts, inline_size), .json = "inline",
     .help = "max inline send size"},
    {.name = "rdma-cm", .type = OPT_FLAG, .offset = offsetof(struct verbs_opts, use_rdma_cm),
     .json = "rdma_cm",
     .help = "connect the QPs through librdmacm (RDMA CM) instead\n"
             "of exchanging QP numbers over MPI; needs an IP address\n"
             "on the device (RoCE; on InfiniBand IPoIB, with --if)"},
    {.name = "rx-depth", .type = OPT_INT, .metavar = "N", .dflt = "512", .min = 1,
     .max = VERBS_MAX_DEPTH, .offset = offsetof(struct verbs_opts, rx_depth), .json = "rx_depth",
     .help = "receives kept posted per QP (SEND); credits go back\n"
             "to the sender every quarter of them"},
    {.name = "rd-atomic", .type = OPT_INT, .metavar = "N", .dflt = "0",
     .dflt_help = "the most both sides allow", .min = 0, .max = 255,
     .offset = offsetof(struct verbs_opts, rd_atomic), .json = "rd_atomic",
     .help = "outstanding RDMA reads per QP; never more than the\n"
             "smaller of the two sides' max_qp_rd_atom and\n"
             "max_qp_init_rd_atom (perftest's --outs)"},
    {.name = "relaxed-ordering", .type = OPT_ENUM, .metavar = "on|off", .dflt = "on",
     .choices = on_off, .offset = offsetof(struct verbs_opts, relaxed_order),
     .json = "relaxed_ordering",
     .help = "IBV_ACCESS_RELAXED_ORDERING on bandwidth buffers (host\n"
             "and dma-buf); the latency buffer stays strictly ordered"},
    {.name = "tclass", .type = OPT_INT, .metavar = "N", .dflt = "-1",
     .dflt_help = "the port's default", .min = -1, .max = 255,
     .offset = offsetof(struct verbs_opts, tclass), .json = "tclass",
     .help = "GRH traffic class (RoCE: DSCP << 2 | ECN), e.g. the\n"
             "lossless PFC/ECN class"},
    {.name = "sl", .type = OPT_INT, .metavar = "N", .dflt = "0", .min = 0, .max = 15,
     .offset = offsetof(struct verbs_opts, sl), .json = "sl",
     .help = "InfiniBand service level (RoCE: the priority on some NICs)"},
    {.name = "tos", .type = OPT_INT, .metavar = "N", .dflt = "-1",
     .dflt_help = "the connection manager's default", .min = -1, .max = 255,
     .offset = offsetof(struct verbs_opts, tos), .json = "tos",
     .help = "type of service of the RDMA CM ids (--rdma-cm); without\n"
             "--rdma-cm it is the traffic class unless --tclass is given"},
    TP_NET_OPT_FIELDS(struct verbs_opts, net),
    TP_RAIL_OPT_FIELD("devices", struct verbs_opts, devices,
                      "one RDMA device (NAME or NAME:PORT) per rail; each\n"
                      "rank takes that of its local rank"),
    {.name = NULL},
};

const struct opt_table verbs_options = {
    .owner = "verbs",
    .title = "verbs",
    .config_size = sizeof(struct verbs_opts),
    .fields = fields,
};
