/* tp_rail.h: one NIC per rank on multi-rail nodes.  `--devices LIST|auto`
 * (verbs) and `--ifaces LIST|auto` (tcp) name the node's NICs, one per
 * rail; each rank takes the one of its local rank (local_rank % n), or,
 * when the engine knows this rank's GPU (--mem cuda), the NIC nearest it.
 * The index in the list is the rank's rail. */
#ifndef TIERPERF_TP_RAIL_H
#define TIERPERF_TP_RAIL_H

#include <stddef.h>

#include "../common/opt_table.h"
#include "transport.h"

#define TP_RAIL_MAX 32          /* NICs in one list */
#define TP_RAIL_NAME_LEN 64

struct tp_rail_list {
    char names[TP_RAIL_MAX][TP_RAIL_NAME_LEN];
    size_t n;
};

/* The value "auto": the transport lists the NICs itself. */
int tp_rail_is_auto(const char *value);

/* "a,b,c" into l (order kept: it is the rail order).  Empty items,
 * duplicates, names too long and more than TP_RAIL_MAX are one line in
 * err naming option. */
tp_status_t tp_rail_list_parse(const char *value, const char *option, struct tp_rail_list *l,
                               struct tp_error *err);

/* Adds name unless present or full; 0 added or present, -1 full. */
int tp_rail_list_add(struct tp_rail_list *l, const char *name);

/* OPT_CUSTOM parse of --devices/--ifaces: "auto" or a valid list,
 * stored as given (checked before MPI starts). */
tp_status_t tp_rail_opt_parse(const struct opt_field *f, const char *val, void *cfg,
                              struct tp_error *err);

#define TP_RAIL_OPT_FIELD(optname, cfg_type, member, helptext)                      \
    {.name = (optname), .type = OPT_CUSTOM, .metavar = "LIST|auto",                 \
     .parse = tp_rail_opt_parse, .json = (optname),                                \
     .offset = offsetof(cfg_type, member), .help = (helptext)}

/* "mlx5_0:1" into "mlx5_0" and port 1; without ":PORT" port is 0.  -1
 * when the port is not a number 1..255 or base does not fit. */
int tp_rail_split_port(const char *name, char *base, size_t len, int *port);

/* Sorts the names (auto lists: the same rail order on every node). */
void tp_rail_list_sort(struct tp_rail_list *l);

/* This rank's rail in l (l->n >= 1): the NIC nearest its GPU when
 * cfg->rail_near answers, else local_rank % n.  why gets how. */
size_t tp_rail_choose(const struct tp_config *cfg, const struct tp_rail_list *l, char *why,
                      size_t len);

#endif
