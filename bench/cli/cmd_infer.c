/* cmd_infer.c: `tierperf infer RUN.json [--topology FILE]`: HyperNode YAML
 * inferred from measured bandwidth, and where a declared tree disagrees
 * with the measurement (exit 1 when it does). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_opts.h"
#include "commands.h"
#include "../results/results_read.h"
#include "../../common/log.h"
#include "../../topology/topology.h"
#include "../../answers/ans_declared.h"
#include "../../answers/ans_infer.h"
#include "../../answers/ans_sizes.h"
#include "../../answers/ans_units.h"

#pragma weak topo_free

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tierperf infer RUN.json [options]\n"
            "  --topology FILE     declared HyperNodes: report where they disagree with the\n"
            "                      measurement (miswired nodes, slow uplinks); exit 1 if so\n"
            "  --nodes FILE        kubectl get nodes -o yaml (for labelMatch selectors)\n"
            "  --clear-factor F    tiers are separated only where bandwidth drops by more\n"
            "                      than F times (a gap between merges; default 2); each\n"
            "                      HyperNode's confidence (0-1) is judged by F too\n"
            "                      (--break-factor is the old name)\n"
            "  --slow-pct P        flag uplinks P%% below their peers (default 20)\n"
            "  --prefix NAME       HyperNode names NAME-t<tier>-<i>, tierName NAME-t<tier>\n"
            "                      (a DNS name: lowercase letters, digits, '-', '.';\n"
            "                      default tierperf)\n"
            "  --size SIZE         judge this message size (default: largest per pair); a\n"
            "                      size the run did not measure is bad input\n"
            "  --json              print the answer as JSON, the YAML in its \"yaml\" field\n"
            "                      (docs/answers.md)\n"
            "A HyperNode with confidence below 0.5 is marked unsure: a guess, not a finding.\n"
            "exit status: 0 inferred (and the declared tree agrees), 1 the declared tree\n"
            "disagrees with the measurement, 2 bad usage or input\n");
}

/* --json: the disagreements (d: NULL without --topology) and the tree in
 * one object; returns the exit status. */
static int print_json(const struct ans_matrix *m, const struct ans_tree *t,
                      const struct ans_declared *d, double slow_pct, const char *prefix,
                      const char *path)
{
    char *diff = NULL, *text = NULL;
    size_t len = 0;
    int rc = 2;

    if (d != NULL) {
        FILE *f = open_memstream(&diff, &len);
        if (f == NULL)
            goto oom;
        ans_infer_diff(f, m, t, d, slow_pct);
        fclose(f);
    }
    cJSON *j = ans_infer_to_json(t, m, prefix, path, diff);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "exit_status");
    rc = cJSON_IsNumber(st) ? st->valueint : 2;
    text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    free(diff);
    if (text == NULL)
        goto oom;
    printf("%s\n", text);
    cJSON_free(text);
    return rc;
oom:
    tp_log_error("infer --json: out of memory");
    return 2;
}

struct infer_args {
    const char *topo_path, *nodes_path, *prefix;
    double factor, slow_pct;
    long long size;
    int json;
};

/* The command line into a; -1 to go on, else the exit code. */
static int infer_parse(int argc, char **argv, struct infer_args *a)
{
    static const struct option longopts[] = {
        {"topology", required_argument, NULL, 't'}, {"nodes", required_argument, NULL, 'n'},
        {"break-factor", required_argument, NULL, 'b'}, {"slow-pct", required_argument, NULL, 'p'},
        {"clear-factor", required_argument, NULL, 'b'},
        {"prefix", required_argument, NULL, 'P'},    {"size", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    struct tp_error err = {0};
    tp_status_t st = TP_OK;
    char *end;
    int c;

    *a = (struct infer_args){.prefix = "tierperf", .factor = ANS_INFER_FACTOR_DEFAULT,
                             .slow_pct = 20, .size = -1};
    optind = 0;
    opterr = 0;
    while (st == TP_OK && (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': a->topo_path = optarg; break;
        case 'n': a->nodes_path = optarg; break;
        case 'P':
            a->prefix = optarg;
            st = ans_infer_prefix_check(a->prefix, &err);
            break;
        case 'J': a->json = 1; break;
        case 'p': st = ans_parse_percent(optarg, &a->slow_pct, &err); break;
        case 'h': usage(stdout); return 0;
        case 's':
            st = ans_parse_msgsize(optarg, &a->size, &err);
            break;
        case 'b':
            a->factor = strtod(optarg, &end);
            if (*end != '\0' || !(a->factor > 1) || !isfinite(a->factor))
                st = tp_error_set(&err, TP_ERR_INVALID, "--clear-factor '%s': need a finite number > 1",
                                  optarg);
            break;
        default: return cli_opt_fail("infer", argv, longopts);
        }
    }
    if (st != TP_OK || optind != argc - 1) {
        tp_log_error("%s", st != TP_OK ? err.msg : "infer needs one results file (see --help)");
        return 2;
    }
    return -1;
}

int cmd_infer(int argc, char **argv)
{
    struct infer_args a;
    struct tp_error err = {0};
    int rc = infer_parse(argc, argv, &a);

    if (rc >= 0)
        return rc;
    const char *topo_path = a.topo_path, *prefix = a.prefix;
    double slow_pct = a.slow_pct;
    long long size = a.size;
    const char *path = argv[optind];
    cJSON *run = NULL;
    struct ans_pairs pairs = {0};
    struct ans_matrix m = {0};
    struct ans_tree t = {0};
    struct ans_declared d = {0};
    struct topo *topo = NULL;

    rc = 2;
    if (results_load(path, &run, &err) != TP_OK ||
        (size >= 0 && ans_size_require(run, size, path, &err) != TP_OK) ||
        ans_pairs_collect(run, size, path, &pairs, &err) != TP_OK ||
        ans_matrix_build(&pairs, &m, &err) != TP_OK)
        goto out;
    if (m.n < 2) {
        tp_error_set(&err, TP_ERR_INVALID, "%s: fewer than two nodes measured", path);
        goto out;
    }
    if (ans_infer_tree(&m, a.factor, &t, &err) != TP_OK)
        goto out;
    if (topo_path != NULL &&
        ans_declared_load(topo_path, a.nodes_path, &m, &d, &topo, &err) != TP_OK)
        goto out;
    if (a.json) {
        rc = print_json(&m, &t, topo_path ? &d : NULL, slow_pct, prefix, path);
        goto out;
    }
    rc = 0;
    if (topo_path != NULL) {
        size_t found = ans_infer_diff(stdout, &m, &t, &d, slow_pct);
        printf("# %s vs %s: %zu disagreement(s)\n", topo_path, path, found);
        rc = found ? 1 : 0;
    }
    ans_tree_print_yaml(stdout, &t, &m, prefix, path);
out:
    if (rc == 2)
        tp_log_error("%s", err.msg);
    ans_declared_free(&d);
    if (topo != NULL)
        topo_free(topo);
    ans_tree_free(&t);
    ans_matrix_free(&m);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
    return rc;
}
