/* cmd_topo.c: `tierperf topo FILE`: read Volcano HyperNodes, say what is
 * wrong with them, and show the tree, each node's path, a tier matrix, a
 * measurement plan, or the tree in sim/YAML form. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_opts.h"
#include "commands.h"
#include "../../topology/topo_pack.h"
#include "../../common/log.h"
#include "../../topology/topo_print.h"
#include "../../topology/topology.h"

#define MATRIX_AUTO_MAX 32        /* beyond this, --matrix or --node-names */

struct topo_opts {
    const char *file, *nodes, *emit, *plan;
    char *names_buf;              /* --node-names, split in place */
    const char **names;
    size_t nnames;
    int matrix, check, quiet, list_pairs;
    long ranks_per_node;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf topo FILE [options]\n"
            "  Read Volcano HyperNodes (topology.volcano.sh/v1alpha1): a single object,\n"
            "  multi-document YAML (---), or `kubectl get hypernodes -o yaml` (kind: List).\n"
            "  Prints the tree, each node's path and a tier matrix.\n\n"
            "options:\n"
            "  --nodes FILE          `kubectl get nodes -o yaml|json`: node names and labels\n"
            "                        (labelMatch needs them; regexMatch needs names)\n"
            "  --node-names a,b,c    nodes to bind, show paths and tiers for (in this order)\n"
            "  --matrix              print the tier matrix even for more than %d nodes\n"
            "  --check               validate only: exit 0 when valid, 2 when not\n"
            "  --emit sim|yaml       print the tree in the simulated cluster's form, or\n"
            "                        back as HyperNode YAML (kind: List)\n"
            "  --plan tiers|allpairs|sweep print the measurement plan (tiers, rounds, pairs)\n"
            "  --ranks-per-node K    ranks per node for --plan (default 1)\n"
            "  --pairs               with --plan: list every round's pairs (src->dst ranks)\n"
            "  --quiet               no tree/paths/matrix (with --plan: summary only)\n"
            "  -h, --help            this text\n\n"
            "tiers: 0 = same node; otherwise the tier of the lowest HyperNode holding both\n"
            "nodes; with none, Volcano's virtual root (highest tier + 1).\n"
            "exit status: 0 ok, 2 bad usage or invalid HyperNodes.\n",
            MATRIX_AUTO_MAX);
}

static int split_names(struct topo_opts *o, const char *arg)
{
    free(o->names_buf);
    free(o->names);
    o->nnames = 0;
    if ((o->names_buf = strdup(arg)) == NULL)
        return -1;
    size_t cap = 1;
    for (const char *p = arg; *p; p++)
        cap += *p == ',';
    if ((o->names = calloc(cap, sizeof(char *))) == NULL)
        return -1;
    for (char *save = NULL, *tok = strtok_r(o->names_buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
        o->names[o->nnames++] = tok;
    return 0;
}

static int parse_opts(int argc, char **argv, struct topo_opts *o)
{
    enum { O_NODES = 256, O_NAMES, O_MATRIX, O_CHECK, O_EMIT, O_PLAN, O_RPN, O_QUIET, O_PAIRS };
    static const struct option longopts[] = {
        {"nodes", required_argument, NULL, O_NODES},     {"node-names", required_argument, NULL, O_NAMES},
        {"matrix", no_argument, NULL, O_MATRIX},         {"check", no_argument, NULL, O_CHECK},
        {"emit", required_argument, NULL, O_EMIT},       {"plan", required_argument, NULL, O_PLAN},
        {"ranks-per-node", required_argument, NULL, O_RPN}, {"quiet", no_argument, NULL, O_QUIET},
        {"pairs", no_argument, NULL, O_PAIRS},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;
    o->ranks_per_node = 1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_NODES: o->nodes = optarg; break;
        case O_NAMES:
            if (split_names(o, optarg) != 0) {
                tp_log_error("out of memory");
                return 2;
            }
            break;
        case O_MATRIX: o->matrix = 1; break;
        case O_CHECK: o->check = 1; break;
        case O_QUIET: o->quiet = 1; break;
        case O_PAIRS: o->list_pairs = 1; break;
        case O_EMIT:
            if (strcmp(optarg, "sim") != 0 && strcmp(optarg, "yaml") != 0) {
                tp_log_error("topo: --emit '%s': expected sim or yaml", optarg);
                return 2;
            }
            o->emit = optarg;
            break;
        case O_PLAN:
            if (strcmp(optarg, "tiers") != 0 && strcmp(optarg, "allpairs") != 0 &&
                strcmp(optarg, "sweep") != 0) {
                tp_log_error("topo: --plan '%s': expected tiers, allpairs or sweep", optarg);
                return 2;
            }
            o->plan = optarg;
            break;
        case O_RPN:
            o->ranks_per_node = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || o->ranks_per_node < 1 || o->ranks_per_node > 1024) {
                tp_log_error("topo: --ranks-per-node '%s': expected an integer 1..1024", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: return cli_opt_fail("topo", argv, longopts);
        }
    }
    if (optind != argc - 1) {
        tp_log_error(optind >= argc ? "topo: FILE is required (see tierperf topo --help)"
                                    : "topo: expected one FILE, got '%s' too", argv[argc - 1]);
        return 2;
    }
    o->file = argv[optind];
    return -1;
}

static int run_plan(const struct topo *t, const struct topo_opts *o)
{
    size_t nnodes = o->nnames ? o->nnames : topo_node_count(t);
    size_t nranks = nnodes * (size_t)o->ranks_per_node;
    const char **rank_node = malloc((nranks + 1) * sizeof(char *));
    struct topo_plan *plan = NULL;
    struct tp_error err = {0};
    struct timespec a, b;
    tp_status_t st;

    if (rank_node == NULL) {
        tp_log_error("out of memory");
        return 2;
    }
    /* node-major (ranks of one node adjacent), as --map-by ppr:K:node */
    for (size_t n = 0; n < nnodes; n++)
        for (long k = 0; k < o->ranks_per_node; k++)
            rank_node[n * (size_t)o->ranks_per_node + (size_t)k] = o->nnames ? o->names[n] : topo_node_name(t, n);
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (strcmp(o->plan, "tiers") == 0)
        st = topo_plan_tiers(t, rank_node, nranks, &plan, &err);
    else if (strcmp(o->plan, "sweep") == 0)
        st = topo_plan_sweep(t, rank_node, nranks, TOPO_SWEEP_TIMES, &plan, &err);
    else
        st = topo_plan_allpairs(t, rank_node, nranks, &plan, &err);
    /* as `run` does: allpairs re-cut so no two pairs of a round share a link */
    if (st == TP_OK && strcmp(o->plan, "allpairs") == 0)
        st = topo_plan_pack(t, rank_node, nranks, plan, 0, NULL, NULL, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (st != TP_OK) {
        tp_log_error("%s", err.msg);
        free(rank_node);
        return 2;
    }
    topo_print_plan(stdout, t, plan, o->plan, nranks, o->list_pairs);
    printf("planned in %.3f ms\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
    topo_plan_free(plan);
    free(rank_node);
    return 0;
}

int cmd_topo(int argc, char **argv)
{
    struct topo_opts o = {0};
    struct topo *t = NULL;
    struct tp_error err = {0};
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        goto out;
    rc = 2;
    if (topo_load(o.file, o.nodes, &t, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        goto out;
    }
    /* With a nodes file the cluster's nodes are known: a name outside it
     * is a typo, not a node in no HyperNode. */
    for (size_t i = 0; o.nodes != NULL && i < o.nnames; i++)
        if (topo_node_path(t, o.names[i], NULL, NULL, 0) < 0) {
            tp_log_error("topo: --node-names: node '%s' is in neither %s (--nodes) nor any exactMatch member of %s",
                         o.names[i], o.nodes, o.file);
            goto out;
        }
    if (o.nnames && topo_bind_nodes(t, o.names, o.nnames, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        goto out;
    }
    for (size_t i = 0; i < topo_warning_count(t); i++)
        tp_log_warn("%s", topo_warning(t, i));
    if (o.check) {
        printf("%s: valid: %zu HyperNodes, highest tier %d, %zu nodes known, %zu warning%s\n", o.file,
               topo_hypernode_count(t), topo_max_tier(t), topo_node_count(t), topo_warning_count(t),
               topo_warning_count(t) == 1 ? "" : "s");
        rc = 0;
        goto out;
    }
    if (o.emit != NULL) {
        tp_status_t st = strcmp(o.emit, "sim") == 0 ? topo_emit_sim(stdout, t, &err)
                                                     : topo_emit_yaml(stdout, t, &err);
        if (st != TP_OK) {
            tp_log_error("%s", err.msg);
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (o.plan != NULL) {
        rc = run_plan(t, &o);
        goto out;
    }
    if (!o.quiet) {
        const char *const *names = o.nnames ? o.names : NULL;
        size_t count = o.nnames ? o.nnames : topo_node_count(t);
        topo_print_tree(stdout, t);
        if (count == 0)
            printf(topo_needs_node_list(t)
                       ? "(Node members use regexMatch/labelMatch: pass --nodes or --node-names to see nodes)\n"
                       : "(no nodes)\n");
        if (count > 0)
            topo_print_paths(stdout, t, names, count);
        if (count > 0 && (o.matrix || o.nnames || count <= MATRIX_AUTO_MAX))
            topo_print_matrix(stdout, t, names, count);
        else if (count > 0)
            printf("(%zu nodes: pass --matrix or --node-names for the tier matrix)\n", count);
    }
    rc = 0;
out:
    topo_free(t);
    free(o.names_buf);
    free(o.names);
    return rc;
}
