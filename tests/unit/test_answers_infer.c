/* test_answers_infer.c: recover a known HyperNode tree from measured
 * bandwidth (allpairs15.json -> declared15.yaml), round-trip the printed
 * YAML through the topology parser, and name a miswired node and a slow
 * uplink (allpairs15_miswired.json). */
#include <math.h>

#include "answers/ans_declared.h"
#include "answers/ans_infer.h"
#include "ans_test_util.h"
#include "topology/topology.h"

#define DECLARED FIXTURES "declared15.yaml"

struct inferred {
    cJSON *run;
    struct ans_pairs pairs;
    struct ans_matrix m;
    struct ans_tree t;
};

static void infer(const char *fixture, struct inferred *x)
{
    struct tp_error err = {0};
    x->run = load_fixture(fixture);
    cr_assert_eq(ans_pairs_collect(x->run, -1, fixture, &x->pairs, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_matrix_build(&x->pairs, &x->m, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_infer_tree(&x->m, 1.5, &x->t, &err), TP_OK, "%s", err.msg);
}

static void infer_free(struct inferred *x)
{
    ans_tree_free(&x->t);
    ans_matrix_free(&x->m);
    ans_pairs_free(&x->pairs);
    cJSON_Delete(x->run);
}

/* Every pair's tier in the tree equals the tier in the topology file. */
static void assert_same_tiers(const struct inferred *x, const char *topo_path)
{
    struct tp_error err = {0};
    struct ans_declared d;
    struct topo *topo = NULL;
    cr_assert_eq(ans_declared_load(topo_path, NULL, &x->m, &d, &topo, &err), TP_OK, "%s",
                 err.msg);
    for (size_t i = 0; i < x->m.n; i++)
        for (size_t j = 0; j < x->m.n; j++)
            cr_assert_eq(ans_tree_tier(&x->t, i, j), d.tier[i * x->m.n + j],
                         "%s-%s: inferred tier %d, %s says %d", x->m.nodes[i], x->m.nodes[j],
                         ans_tree_tier(&x->t, i, j), topo_path, d.tier[i * x->m.n + j]);
    ans_declared_free(&d);
    topo_free(topo);
}

Test(infer, recovers_the_declared_tree)
{
    struct inferred x;
    infer("allpairs15.json", &x);
    cr_assert_eq(x.m.n, 15);
    cr_assert_eq(x.t.ntiers, 3);
    cr_assert_eq(x.t.ngroups[0], 5);   /* five leaves */
    cr_assert_eq(x.t.ngroups[1], 2);   /* two spines */
    cr_assert_eq(x.t.ngroups[2], 1);   /* one core */
    cr_assert_float_eq(x.t.tier_bw[0], 100, 5);
    cr_assert_float_eq(x.t.tier_bw[1], 40, 2);
    cr_assert_float_eq(x.t.tier_bw[2], 10, 0.5);
    assert_same_tiers(&x, DECLARED);
    infer_free(&x);
}

Test(infer, printed_yaml_is_a_valid_tree_with_the_same_tiers)
{
    struct inferred x;
    char dir[64], path[128];
    infer("allpairs15.json", &x);
    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/inferred.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    ans_tree_print_yaml(f, &x.t, &x.m, "rack", "allpairs15.json");
    fclose(f);
    char *text = read_text(path);
    cr_assert(strstr(text, "name: \"rack-t1-0\""), "%s", text);
    cr_assert(strstr(text, "volcano.sh/network-topology-source: tierperf"));
    cr_assert_eq(count_of(text, "kind: HyperNode"), 5 + 2 + 1);
    free(text);
    assert_same_tiers(&x, path);   /* the topology parser accepts it */
    unlink(path);
    rmdir(dir);
    infer_free(&x);
}

Test(infer, agrees_with_declared_when_wired_as_declared)
{
    struct inferred x;
    struct tp_error err = {0};
    struct ans_declared d;
    struct topo *topo = NULL;
    struct capture cap;
    infer("allpairs15.json", &x);
    cr_assert_eq(ans_declared_load(DECLARED, NULL, &x.m, &d, &topo, &err), TP_OK, "%s", err.msg);
    size_t found = ans_infer_diff(capture_begin(&cap), &x.m, &x.t, &d, 20);
    char *text = capture_end(&cap);
    cr_assert_eq(found, 0, "%s", text);
    cr_assert_str_eq(text, "");
    free(text);
    ans_declared_free(&d);
    topo_free(topo);
    infer_free(&x);
}

/* h05 is declared in leaf-1 but cabled to leaf-3's switch; leaf-4's uplink
 * runs at 25 instead of 40 Gbit/s. */
Test(infer, names_the_miswired_node_and_the_slow_uplink)
{
    struct inferred x;
    struct tp_error err = {0};
    struct ans_declared d;
    struct topo *topo = NULL;
    struct capture cap;
    infer("allpairs15_miswired.json", &x);
    cr_assert_eq(ans_declared_load(DECLARED, NULL, &x.m, &d, &topo, &err), TP_OK, "%s", err.msg);
    size_t found = ans_infer_diff(capture_begin(&cap), &x.m, &x.t, &d, 20);
    char *text = capture_end(&cap);
    cr_assert_eq(found, 2, "%s", text);
    cr_assert(strstr(text, "# miswired? h05: declared in leaf-1 (tier 1)"), "%s", text);
    cr_assert(strstr(text, "it measures as a leaf-mate of h09, h10, h11"), "%s", text);
    cr_assert(strstr(text, "# slow uplink? leaf-4 (tier 1)"), "%s", text);
    cr_assert_eq(count_of(text, "miswired?"), 1, "only h05 is miswired: %s", text);
    /* the measured tree puts h05 with leaf-3's nodes */
    long h05 = ans_matrix_index(&x.m, "h05"), h09 = ans_matrix_index(&x.m, "h09");
    long h04 = ans_matrix_index(&x.m, "h04");
    cr_assert(h05 >= 0 && h09 >= 0 && h04 >= 0);
    cr_assert_eq(ans_tree_tier(&x.t, (size_t)h05, (size_t)h09), 1);
    cr_assert_gt(ans_tree_tier(&x.t, (size_t)h05, (size_t)h04), 1);
    free(text);
    ans_declared_free(&d);
    topo_free(topo);
    infer_free(&x);
}

/* A pair measured while another of its round crossed one of its links
 * (round_shared > 0) saw part of the link: left out of the clustering,
 * and said. */
Test(infer, pairs_that_shared_a_link_are_left_out)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct ans_matrix m;
    struct ans_tree t;
    cJSON *run = parse_run(
        "{\"results\":["
        "{\"src_node\":\"a\",\"dst_node\":\"b\",\"size_bytes\":8,\"bw_gbit_s\":100,\"round_shared\":0},"
        "{\"src_node\":\"a\",\"dst_node\":\"c\",\"size_bytes\":8,\"bw_gbit_s\":10,\"round_shared\":0},"
        "{\"src_node\":\"b\",\"dst_node\":\"c\",\"size_bytes\":8,\"bw_gbit_s\":5,\"round_shared\":1}]}");
    cr_assert_eq(ans_pairs_collect(run, -1, "x", &pairs, &err), TP_OK);
    cr_assert_eq(ans_matrix_build(&pairs, &m, &err), TP_OK);
    cr_assert_eq(m.shared, 1);
    cr_assert(isnan(m.bw[1 * m.n + 2]), "b-c measured while sharing a link is left out");
    cr_assert_eq(ans_infer_tree(&m, 2, &t, &err), TP_OK);
    cr_assert_eq(t.ntiers, 2);
    struct capture cap;
    ans_tree_print_yaml(capture_begin(&cap), &t, &m, "p", "x");
    char *text = capture_end(&cap);
    cr_assert(strstr(text, "# 1 pair(s) left out: measured while another pair"), "%s", text);
    free(text);
    ans_tree_free(&t);
    ans_matrix_free(&m);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
}

Test(infer, sparse_and_degenerate_runs)
{
    struct tp_error err = {0};
    struct ans_pairs pairs;
    struct ans_matrix m;
    struct ans_tree t;

    /* nothing measured between the nodes: one leaf each, no crash */
    cJSON *run = parse_run("{\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\",\"size_bytes\":8,"
                           "\"error\":\"refused\"}]}");
    cr_assert_eq(ans_pairs_collect(run, -1, "x", &pairs, &err), TP_OK);
    cr_assert_eq(ans_matrix_build(&pairs, &m, &err), TP_OK);
    cr_assert_eq(m.n, 2);
    cr_assert(isnan(m.bw[1]));
    cr_assert_eq(ans_infer_tree(&m, 1.5, &t, &err), TP_OK);
    cr_assert_eq(t.ntiers, 1);
    cr_assert_eq(t.ngroups[0], 2);
    struct capture cap;
    ans_tree_print_yaml(capture_begin(&cap), &t, &m, "p", "x\ny");
    char *text = capture_end(&cap);
    cr_assert(strstr(text, "(x y)"), "source newline not removed: %s", text);
    free(text);
    ans_tree_free(&t);
    ans_matrix_free(&m);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);

    /* empty results */
    run = parse_run("{\"results\":[]}");
    cr_assert_eq(ans_pairs_collect(run, -1, "x", &pairs, &err), TP_OK);
    cr_assert_eq(ans_matrix_build(&pairs, &m, &err), TP_OK);
    cr_assert_eq(m.n, 0);
    cr_assert_eq(ans_infer_tree(&m, 1.5, &t, &err), TP_OK);
    ans_tree_free(&t);
    ans_matrix_free(&m);
    ans_pairs_free(&pairs);
    cJSON_Delete(run);
}

/* --json: tiers with their HyperNodes (members and nodes), the
 * disagreements with a declared tree, the exit status and the YAML. */
Test(infer, json_shape)
{
    struct inferred x;
    infer("allpairs15.json", &x);
    cJSON *j = ans_infer_to_json(&x.t, &x.m, "dc1", "a.json", NULL);
    char *text = cJSON_PrintUnformatted(j);
    cJSON *o = cJSON_Parse(text);
    cr_assert_not_null(o);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "command")->valuestring, "infer");
    cr_assert_str_eq(cJSON_GetObjectItem(o, "source")->valuestring, "a.json");
    cr_assert_eq(cJSON_GetObjectItem(o, "nodes")->valueint, 15);
    cr_assert_eq(cJSON_GetObjectItem(o, "exit_status")->valueint, 0);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "disagreements")));
    cJSON *tiers = cJSON_GetObjectItem(o, "tiers");
    cr_assert_eq(cJSON_GetArraySize(tiers), x.t.ntiers);
    cJSON *t1 = cJSON_GetArrayItem(tiers, 0);
    cr_assert_eq(cJSON_GetObjectItem(t1, "tier")->valueint, 1);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(t1, "bw_gbit_s")));
    cJSON *hn = cJSON_GetObjectItem(t1, "hypernodes");
    cr_assert_eq(cJSON_GetArraySize(hn), 5);   /* 5 leaves of 3 */
    cJSON *leaf = cJSON_GetArrayItem(hn, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(leaf, "name")->valuestring, "dc1-t1-0");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(leaf, "members")), 3);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(leaf, "nodes")), 3);
    cr_assert_float_eq(cJSON_GetObjectItem(leaf, "confidence")->valuedouble, 1, 1e-9);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(leaf, "unsure")));
    cr_assert(strstr(cJSON_GetObjectItem(leaf, "confidence_reason")->valuestring,
                     "confidence 1.00"));
    cr_assert_float_eq(cJSON_GetObjectItem(o, "clear_factor")->valuedouble, 1.5, 1e-9);
    /* above tier 1 the members are HyperNodes, the nodes every node under it */
    cJSON *spine = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(tiers, 1), "hypernodes"), 0);
    cr_assert_eq(strncmp(cJSON_GetArrayItem(cJSON_GetObjectItem(spine, "members"), 0)->valuestring,
                         "dc1-t1-", 7), 0);
    cr_assert(strstr(cJSON_GetObjectItem(o, "yaml")->valuestring, "kind: HyperNode"));
    cJSON_Delete(o);
    cJSON_free(text);
    cJSON_Delete(j);

    j = ans_infer_to_json(&x.t, &x.m, "dc1", "a.json", "# miswired? h05: x\n# slow uplink? y\n");
    cJSON *d = cJSON_GetObjectItem(j, "disagreements");
    cr_assert_eq(cJSON_GetArraySize(d), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(d, 0)->valuestring, "miswired? h05: x");
    cr_assert_eq(cJSON_GetObjectItem(j, "exit_status")->valueint, 1);
    cJSON_Delete(j);
    infer_free(&x);
}
