/* conformance.c: the runner of the transport conformance suite (see
 * conformance.h).
 *
 *   mpirun -np 2 tp_conformance [--transport NAME]... [--require NAME]...
 *                               [--case NAME]... [--set OPTION=VALUE]...
 *                               [--corrupt] [--list]
 *
 * Default: every registered transport, every case.  A transport whose init
 * says it has no device here (or is not offered) is SKIPped unless it is
 * --require'd.  --set passes a transport option (e.g. streams=4) to every
 * transport under test that has it.  --corrupt spoils one byte in the
 * stream cases: the suite must then fail (a check that it can).  Exit
 * status 0 when no case failed. */
#include "conformance.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define MAX_ARGS 16

struct conf_args {
    const char *transports[MAX_ARGS];
    int ntransports;
    const char *required[MAX_ARGS];
    int nrequired;
    const char *cases[MAX_ARGS];
    int ncases;
    const char *sets[MAX_ARGS];
    int nsets;
    int corrupt;
    int list;
};

static int listed(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

static int parse_args(int argc, char **argv, struct conf_args *a)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        int *n = NULL;
        if (strcmp(o, "--corrupt") == 0) {
            a->corrupt = 1;
            continue;
        }
        if (strcmp(o, "--list") == 0) {
            a->list = 1;
            continue;
        }
        if (strcmp(o, "--transport") == 0)
            slot = a->transports, n = &a->ntransports;
        else if (strcmp(o, "--require") == 0)
            slot = a->required, n = &a->nrequired;
        else if (strcmp(o, "--case") == 0)
            slot = a->cases, n = &a->ncases;
        else if (strcmp(o, "--set") == 0)
            slot = a->sets, n = &a->nsets;
        if (slot == NULL || i + 1 >= argc || *n == MAX_ARGS) {
            fprintf(stderr, "tp_conformance: bad argument '%s' (see the file's head)\n", o);
            return -1;
        }
        slot[(*n)++] = argv[++i];
    }
    return 0;
}

/* The transport's defaults, then every --set it has. */
static void *make_opts(const struct tp_transport_ops *ops, const struct conf_args *a,
                       struct tp_error *err)
{
    void *cfg;

    if (ops->options == NULL)
        return NULL;
    if ((cfg = calloc(1, ops->options->config_size)) == NULL ||
        opt_table_defaults(ops->options, cfg, err) != TP_OK)
        return cfg;
    for (int i = 0; i < a->nsets && err->status == TP_OK; i++) {
        char name[64];
        const char *eq = strchr(a->sets[i], '=');
        size_t len = eq != NULL ? (size_t)(eq - a->sets[i]) : strlen(a->sets[i]);
        snprintf(name, sizeof(name), "%.*s", (int)len, a->sets[i]);
        const struct opt_field *f = opt_table_find(ops->options, name);
        if (f != NULL)
            opt_field_set(f, eq != NULL ? eq + 1 : "1", cfg, err);
    }
    return cfg;
}

/* Both ranks' verdicts and details: rank 0 prints the line. */
static enum conf_verdict report(struct conf *c, const char *tname, const char *cname,
                                enum conf_verdict mine)
{
    struct {
        int v;
        char why[sizeof(c->why)];
    } out, in[2];
    out.v = mine;
    memcpy(out.why, c->why, sizeof(out.why));
    MPI_Allgather(&out, (int)sizeof(out), MPI_BYTE, in, (int)sizeof(out), MPI_BYTE,
                  MPI_COMM_WORLD);
    enum conf_verdict v = in[0].v == CONF_FAIL || in[1].v == CONF_FAIL ? CONF_FAIL
                          : in[0].v == CONF_SKIP || in[1].v == CONF_SKIP ? CONF_SKIP
                                                                        : CONF_PASS;
    int who = in[0].v == (int)v && in[0].why[0] ? 0 : 1;
    if (c->rank == 0 && v == CONF_FAIL && in[0].v == CONF_FAIL && in[1].v == CONF_FAIL)
        printf("FAIL %s %s: %s; %s\n", tname, cname, in[0].why, in[1].why);
    else if (c->rank == 0)
        printf("%s %s %s: %s\n", v == CONF_PASS ? "PASS" : v == CONF_SKIP ? "SKIP" : "FAIL",
               tname, cname, in[who].why[0] ? in[who].why : in[1 - who].why);
    fflush(stdout);
    return v;
}

/* Whether this transport can start here (both ranks). */
static enum conf_verdict available(struct conf *c)
{
    struct tp_config cfg = {.tx_depth = 8, .timeout_s = CONF_NORMAL_TIMEOUT_S,
                            .secret = c->secret, .opts = c->opts};
    struct tp_error err = {0};
    void *ctx = NULL;
    tp_status_t st = c->ops->init(&cfg, &c->ctrl, &ctx, &err);

    if (st == TP_OK) {
        c->ops->finalize(ctx);
        return conf_say(c, CONF_PASS, "available");
    }
    return conf_say(c, st == TP_ERR_NO_DEVICE || st == TP_ERR_UNSUPPORTED ? CONF_SKIP : CONF_FAIL,
                    "not available on rank %d: %s", c->rank,
                    err.msg[0] ? err.msg : tp_status_string(st));
}

typedef enum conf_verdict (*conf_fn)(struct conf *c);

static enum conf_verdict run_one(struct conf *c, conf_fn fn)
{
    struct tp_error err = {0};
    enum conf_verdict v;

    c->why[0] = '\0';
    if (ctrl_mpi_init(&c->cm, MPI_COMM_WORLD, 2 * CONF_FAULT_BOUND_S, &err) != TP_OK)
        return conf_say(c, CONF_FAIL, "control plane: %s", err.msg);
    ctrl_mpi_view(&c->cm, &c->ctrl);
    v = fn(c);
    conf_close(c);
    ctrl_mpi_free(&c->cm);
    return v;
}

static int run_transport(struct conf *c, const struct conf_args *a, int required)
{
    static const struct conf_case *const groups[] = {conf_data_cases, conf_fault_cases};
    const char *name = c->ops->name;
    int failed = 0;

    enum conf_verdict v = report(c, name, "(all)", run_one(c, available));
    if (v != CONF_PASS)
        return v == CONF_FAIL || required;
    for (int g = 0; g < 2; g++)
        for (const struct conf_case *k = groups[g]; k->name != NULL; k++)
            if (a->ncases == 0 || listed(a->cases, a->ncases, k->name))
                failed |= report(c, name, k->name, run_one(c, k->run)) == CONF_FAIL;
    return failed;
}

static void list_cases(void)
{
    static const struct conf_case *const groups[] = {conf_data_cases, conf_fault_cases};

    for (int g = 0; g < 2; g++)
        for (const struct conf_case *k = groups[g]; k->name != NULL; k++)
            printf("%-14s %s\n", k->name, k->what);
}

int main(int argc, char **argv)
{
    struct conf_args a;
    struct conf c;
    int size, failed = 0;

    MPI_Init(&argc, &argv);
    memset(&c, 0, sizeof(c));
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    tp_log_set_rank(c.rank);
    if (parse_args(argc, argv, &a) != 0 || (size != 2 && !a.list)) {
        if (c.rank == 0 && size != 2)
            fprintf(stderr, "tp_conformance: run it as mpirun -np 2 (got %d ranks)\n", size);
        MPI_Finalize();
        return 2;
    }
    if (a.list) {
        if (c.rank == 0)
            list_cases();
        MPI_Finalize();
        return 0;
    }
    c.secret = 0x7470636f6e66ull;       /* "tpconf": the same on both ranks */
    c.corrupt = a.corrupt;
    for (const struct tp_transport_ops *const *t = tp_transport_list(); *t != NULL; t++) {
        struct tp_error err = {0};
        if (a.ntransports > 0 && !listed(a.transports, a.ntransports, (*t)->name))
            continue;
        c.ops = *t;
        c.opts = make_opts(*t, &a, &err);
        if (err.status != TP_OK) {
            if (c.rank == 0)
                printf("FAIL %s (options): %s\n", (*t)->name, err.msg);
            failed = 1;
        } else {
            failed |= run_transport(&c, &a, listed(a.required, a.nrequired, (*t)->name));
        }
        free(c.opts);
    }
    for (int i = 0; i < a.nrequired; i++)
        if (tp_transport_find(a.required[i]) == NULL) {
            if (c.rank == 0)
                printf("FAIL %s: required, but not built into this binary\n", a.required[i]);
            failed = 1;
        }
    MPI_Finalize();
    return failed;
}
