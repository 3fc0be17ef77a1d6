/* run_opts.c: `tierperf run` options: getopt_long over the options of
 * every table (run_opts_tables()), each value checked with its table's
 * limits and stored into its owner's config struct, then the checks that
 * need several options.  One line naming option and value on bad input. */
#include "run_opts.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../patterns/pattern.h"
#include "cli_opts.h"
#include "../../common/units.h"

#define DEFAULT_CHUNK (4ull << 20)
#define OPT_BASE 256

/* Every distinct option name of the tables, as getopt_long wants them
 * (val = OPT_BASE + index in names). */
struct opt_index {
    struct option *longs;
    const char **names;
    size_t n;
};

static void *cfg_of(const struct run_opts *o, size_t table)
{
    return table == 0 ? (void *)o : o->table_cfg[table];
}

static int index_has(const struct opt_index *ix, const char *name)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->names[i], name) == 0)
            return 1;
    return 0;
}

static tp_status_t index_build(struct opt_index *ix, struct tp_error *err)
{
    const struct opt_table *const *t = run_opts_tables();
    size_t cap = 1;

    for (size_t i = 0; t[i] != NULL; i++)
        for (const struct opt_field *f = t[i]->fields; f->name != NULL; f++)
            cap++;
    ix->n = 0;
    ix->longs = calloc(cap, sizeof(*ix->longs));
    ix->names = calloc(cap, sizeof(*ix->names));
    if (ix->longs == NULL || ix->names == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for the options");
    for (size_t i = 0; t[i] != NULL; i++)
        for (const struct opt_field *f = t[i]->fields; f->name != NULL; f++) {
            if (index_has(ix, f->name))
                continue;   /* shared by several owners (--if, --subnet) */
            ix->longs[ix->n] = (struct option){
                f->name, opt_field_has_value(f) ? required_argument : no_argument, NULL,
                f->short_name != 0 ? f->short_name : OPT_BASE + (int)ix->n};
            ix->names[ix->n++] = f->name;
        }
    return TP_OK;
}

static void index_free(struct opt_index *ix)
{
    free(ix->longs);
    free(ix->names);
}

/* Every table's defaults: o itself for the run's, one struct per other. */
static tp_status_t set_defaults(struct run_opts *o, struct tp_error *err)
{
    const struct opt_table *const *t = run_opts_tables();
    tp_status_t st = opt_table_defaults(t[0], o, err);

    for (size_t i = 1; st == TP_OK && t[i] != NULL; i++) {
        o->table_cfg[i] = calloc(1, t[i]->config_size);
        if (o->table_cfg[i] == NULL)
            return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for the options");
        st = opt_table_defaults(t[i], o->table_cfg[i], err);
    }
    return st;
}

/* The value of option name into each config struct whose table has it. */
static tp_status_t apply(struct run_opts *o, const char *name, const char *val,
                         struct tp_error *err)
{
    const struct opt_table *const *t = run_opts_tables();

    for (size_t i = 0; t[i] != NULL; i++) {
        const struct opt_field *f = opt_table_find(t[i], name);
        if (f == NULL)
            continue;
        tp_status_t st = opt_field_set(f, val, cfg_of(o, i), err);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

static tp_status_t bad(struct tp_error *err, const char *opt, const char *val, const char *why)
{
    return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': %s", opt, val, why);
}

/* --sizes (or the pattern's default) into o->sizes, and --size's chunk. */
static tp_status_t finish_sizes(struct run_opts *o, const struct bench_pattern *pat,
                                struct tp_error *err)
{
    struct tp_error uerr = {0};

    if (!o->sizes_given && pat->default_sizes != NULL)
        o->sizes_text = pat->default_sizes;
    if (units_parse_sweep(o->sizes_text, &o->sizes, &o->nsizes, &uerr) != TP_OK)
        return tp_error_set(err, TP_ERR_INVALID, "--sizes '%s': %s", o->sizes_text, uerr.msg);
    if (o->nsizes == 0)
        return bad(err, "sizes", o->sizes_text, "no sizes");
    if (o->stream_bytes > 0) {
        if (o->sizes_given && o->nsizes != 1)
            return bad(err, "sizes", o->sizes_text,
                       "with --size give one message size (the streamed chunk)");
        if (run_opts_stream_chunk(o) > o->buffer_size)
            return bad(err, "sizes", o->sizes_text, "chunk larger than --buffer-size");
    }
    return TP_OK;
}

/* Options of the run that go (or do not go) together. */
static tp_status_t finish_combinations(struct run_opts *o, const struct bench_pattern *pat,
                                       struct tp_error *err)
{
    if (o->no_bw && o->no_lat)
        return tp_error_set(err, TP_ERR_INVALID, "--no-bw with --no-lat: nothing to measure");
    if (o->node_name == NULL) {
        const char *env = getenv("TIERPERF_NODE_NAME");
        if (env != NULL && env[0] != '\0')
            o->node_name = env;
    }
    if (o->nodes != NULL && o->topology == NULL)
        return bad(err, "nodes", o->nodes, "needs --topology");
    if (o->gpu != NULL && strcmp(o->mem, "cuda") != 0)
        return bad(err, "gpu", o->gpu, strcmp(o->mem, "host") == 0
                                           ? "applies to --mem cuda only"
                                           : "--mem cuda:N already names the GPU");
    if (pat->needs_topology && o->topology == NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--pattern %s: needs --topology FILE",
                            o->pattern);
    return TP_OK;
}

/* The index of table t in run_opts_tables(), or 0 (none) for NULL. */
static size_t table_index(const struct opt_table *t)
{
    const struct opt_table *const *all = run_opts_tables();

    for (size_t i = 1; t != NULL && all[i] != NULL; i++)
        if (all[i] == t)
            return i;
    return 0;
}

/* The chosen transport and pattern: their config structs, what the
 * transport can do for the pattern, and each pattern's own checks. */
static tp_status_t finish_plugins(struct run_opts *o, const struct bench_pattern *pat,
                                  struct tp_error *err)
{
    const struct tp_transport_ops *t = tp_transport_find(o->transport);
    const struct bench_pattern *const *all = pattern_list();
    size_t ti = table_index(t->options), pi = table_index(pat->options);

    o->cfg.opts = ti != 0 ? o->table_cfg[ti] : NULL;
    o->pattern_cfg = pi != 0 ? o->table_cfg[pi] : NULL;
    if (!o->tx_depth_given && t->default_tx_depth > 0)
        o->cfg.tx_depth = t->default_tx_depth;
    if (t->max_tx_depth > 0 && o->cfg.tx_depth > t->max_tx_depth)
        return tp_error_set(err, TP_ERR_INVALID,
                            "--tx-depth '%d': transport %s keeps at most %d outstanding",
                            o->cfg.tx_depth, t->name, t->max_tx_depth);
    for (size_t i = 0; all[i] != NULL; i++) {
        size_t k = table_index(all[i]->options);
        if (all[i]->check_options != NULL && k != 0 &&
            all[i]->check_options(o->table_cfg[k], o, err) != TP_OK)
            return TP_ERR_INVALID;
    }
    if ((t->caps & pat->needs_caps) != pat->needs_caps) {
        char able[128] = "";
        const struct tp_transport_ops *const *tl = tp_transport_list();
        for (size_t i = 0; tl[i] != NULL; i++)
            if ((tl[i]->caps & pat->needs_caps) == pat->needs_caps)
                snprintf(able + strlen(able), sizeof(able) - strlen(able), "%s%s",
                         able[0] ? ", " : "", tl[i]->name);
        return tp_error_set(err, TP_ERR_INVALID,
                            "--pattern %s: transport %s cannot drive several connections at "
                            "once from threads; use one that can (%s)", o->pattern, o->transport,
                            able);
    }
    return TP_OK;
}

static tp_status_t parse_args(int argc, char **argv, struct run_opts *o,
                              const struct opt_index *ix, struct tp_error *err)
{
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":v", ix->longs, NULL)) != -1) {
        const char *name = NULL;
        if (c == '?' || c == ':')
            return cli_opt_error("run", argv, ix->longs, err);
        for (size_t i = 0; i < ix->n && name == NULL; i++)
            if (ix->longs[i].val == c)
                name = ix->names[i];
        if (name == NULL)
            return tp_error_set(err, TP_ERR_INTERNAL, "option '%s' not in any table",
                                argv[optind - 1]);
        tp_status_t st = apply(o, name, optarg, err);
        if (st != TP_OK || o->help)
            return st;
    }
    if (optind < argc)
        return tp_error_set(err, TP_ERR_INVALID,
                            "unexpected argument '%s' (see tierperf run --help)", argv[optind]);
    return TP_OK;
}

tp_status_t run_opts_parse(int argc, char **argv, struct run_opts *o, int *help_p,
                           struct tp_error *err)
{
    struct opt_index ix = {0};
    tp_status_t st;

    memset(o, 0, sizeof(*o));
    *help_p = 0;
    st = set_defaults(o, err);
    if (st == TP_OK)
        st = index_build(&ix, err);
    if (st == TP_OK)
        st = parse_args(argc, argv, o, &ix, err);
    index_free(&ix);
    if (st != TP_OK || o->help) {
        *help_p = o->help;
        return st;
    }
    const struct bench_pattern *pat = pattern_find(o->pattern);
    st = finish_sizes(o, pat, err);
    if (st == TP_OK)
        st = finish_combinations(o, pat, err);
    if (st == TP_OK)
        st = finish_plugins(o, pat, err);
    return st;
}

const char *run_opts_value(const struct run_opts *o, const char *name, char *buf, size_t len)
{
    const struct opt_table *const *t = run_opts_tables();

    for (size_t i = 0; t[i] != NULL; i++) {
        const struct opt_field *f = opt_table_find(t[i], name);
        if (f != NULL)
            return opt_field_format(f, cfg_of(o, i), buf, len);
    }
    return NULL;
}

void run_opts_free(struct run_opts *o)
{
    free(o->sizes);
    o->sizes = NULL;
    o->nsizes = 0;
    for (size_t i = 1; i < RUN_OPTS_MAX_TABLES; i++) {
        free(o->table_cfg[i]);
        o->table_cfg[i] = NULL;
    }
    o->cfg.opts = NULL;
    o->pattern_cfg = NULL;
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
