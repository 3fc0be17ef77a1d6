/* opt_table.h: options declared as tables by the plug-in that owns them
 * (UCX's ucs_config_field_t, libfabric's fi_param_define): name, type,
 * default, limits, help and where the value is stored in the owner's own
 * config struct.  The `run` command line, its --help and the results
 * header's options block are generated from these tables, so each limit
 * exists once.  A config struct is read-only once parsed. */
#ifndef TIERPERF_OPT_TABLE_H
#define TIERPERF_OPT_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

enum opt_type {
    OPT_FLAG,       /* int, set to 1 when given; no value */
    OPT_COUNT,      /* int, +1 each time given; no value */
    OPT_INT,        /* int in [min, max] */
    OPT_U64,        /* uint64_t in [min, max] */
    OPT_SECONDS,    /* double in (0, max] */
    OPT_SIZE,       /* uint64_t bytes (units_parse_size) in [min, max] */
    OPT_STRING,     /* const char * (points into argv), length in [min, max] */
    OPT_ENUM,       /* int: index of the value in choices */
    OPT_CUSTOM,     /* parse() checks and stores a const char * */
    OPT_CUSTOM_SIZE,/* parse() checks and stores a uint64_t */
};

struct opt_field;
/* OPT_CUSTOM: check val and store it into cfg (the whole config struct). */
typedef tp_status_t (*opt_parse_fn)(const struct opt_field *f, const char *val, void *cfg,
                                    struct tp_error *err);

struct opt_field {
    const char *name;           /* long option without "--"; NULL ends a table */
    const char *metavar;        /* "N", "BYTES"; NULL for flags */
    const char *dflt;           /* default as command-line text; NULL = zero */
    const char *dflt_help;      /* help's default wording instead of dflt */
    double min, max;            /* inclusive limits (see enum opt_type) */
    const char *const *choices; /* OPT_ENUM: NULL-terminated value names */
    opt_parse_fn parse;         /* OPT_CUSTOM, OPT_CUSTOM_SIZE */
    size_t offset;              /* of the value in the owner's config struct */
    const char *json;           /* key in the results options block, or NULL */
    const char *help;           /* '\n' separates help lines */
    size_t given_flag;          /* OPT_GIVEN(): an int set to 1 when given */
    const char *section;        /* --help: a heading printed before it */
    void (*help_more)(FILE *out);   /* --help: lines printed after it */
    enum opt_type type;
    char short_name;            /* e.g. 'v', or 0 */
};

/* given_flag of a field: offset of an int member, plus one (0 = none). */
#define OPT_GIVEN(type, member) (offsetof(type, member) + 1)

struct opt_table {
    const char *owner;          /* "run", "tcp", "verbs", "fanout", ... */
    const char *title;          /* --help section heading */
    size_t config_size;         /* sizeof the owner's config struct */
    const struct opt_field *fields;
};

/* Every field's default into cfg (zeroed first).  A default outside its own
 * limits is an internal error naming the field. */
tp_status_t opt_table_defaults(const struct opt_table *t, void *cfg, struct tp_error *err);

/* Parse val for field f and store it into cfg.  On bad input: TP_ERR_INVALID
 * with one line "--NAME 'VAL': why" naming the limits. */
tp_status_t opt_field_set(const struct opt_field *f, const char *val, void *cfg,
                          struct tp_error *err);

/* Each stored value of cfg within its field's limits (for configs filled
 * by code rather than parsed, e.g. in tests).  On a value out of range:
 * TP_ERR_INVALID with one line "OWNER: --NAME VALUE: must be ...". */
tp_status_t opt_table_check(const struct opt_table *t, const void *cfg, struct tp_error *err);

/* What a plug-in does with the blob it is given: a copy of given (or of the
 * table's defaults when given is NULL) into out, then opt_table_check. */
tp_status_t opt_table_resolve(const struct opt_table *t, const void *given, void *out,
                              struct tp_error *err);

/* The stored value as command-line text ("4", "read", "" for unset
 * strings) into buf. */
const char *opt_field_format(const struct opt_field *f, const void *cfg, char *buf, size_t len);

/* The field called name, or NULL. */
const struct opt_field *opt_table_find(const struct opt_table *t, const char *name);

/* Whether f takes a value on the command line. */
int opt_field_has_value(const struct opt_field *f);

/* Help lines for every field of t, in table order, defaults and limits
 * stated from the table. */
void opt_table_help(const struct opt_table *t, FILE *out);
/* One field's help (the first column "  --name METAVAR" then the text). */
void opt_field_help(const struct opt_field *f, FILE *out);

/* Typed access to a stored value (for the results header). */
#define OPT_PTR(cfg, f, type) ((type *)(void *)((char *)(cfg) + (f)->offset))
#define OPT_CPTR(cfg, f, type) ((const type *)(const void *)((const char *)(cfg) + (f)->offset))

#endif
