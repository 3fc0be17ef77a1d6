/* tp_verbs_opts.c: the verbs transport's options table (see opt_table.h). */
#include "verbs_private.h"
#include "tp_rail.h"

static const char *const rdma_ops[] = {"write", "read", "send", NULL};

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
