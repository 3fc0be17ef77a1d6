/* tp_net_opts.h: the options every IP-addressed transport (tcp, verbs)
 * takes to pick its local address: --if and --subnet.  Declared once here;
 * a transport embeds struct tp_net_opts in its config struct and lists
 * TP_NET_OPT_FIELDS(its struct, member) in its options table. */
#ifndef TIERPERF_TP_NET_OPTS_H
#define TIERPERF_TP_NET_OPTS_H

#include <stddef.h>

#include "../common/opt_table.h"

struct tp_net_opts {
    const char *bind_if;        /* interface name, or NULL */
    const char *bind_subnet;    /* CIDR such as 198.18.0.0/15, or NULL */
};

/* --subnet: ADDRESS/PREFIX, IPv4 or IPv6, checked and stored as given. */
tp_status_t tp_net_subnet_parse(const struct opt_field *f, const char *val, void *cfg,
                                struct tp_error *err);

#define TP_NET_IFNAME_MAX 15    /* IFNAMSIZ - 1 */

#define TP_NET_OPT_FIELDS(cfg_type, member)                                        \
    {.name = "if", .type = OPT_STRING, .metavar = "NAME", .min = 1,                 \
     .max = TP_NET_IFNAME_MAX, .json = "if",                                        \
     .offset = offsetof(cfg_type, member) + offsetof(struct tp_net_opts, bind_if),  \
     .help = "interface to bind data connections to"},                              \
    {.name = "subnet", .type = OPT_CUSTOM, .metavar = "CIDR",                       \
     .parse = tp_net_subnet_parse, .json = "subnet",                                \
     .offset = offsetof(cfg_type, member) + offsetof(struct tp_net_opts, bind_subnet), \
     .help = "use the local address in CIDR (e.g. 198.18.0.0/15)"}

#endif
