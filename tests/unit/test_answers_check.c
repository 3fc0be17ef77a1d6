/* test_answers_check.c: acceptance profiles (built-in and YAML, with errors
 * naming file and field), per-tier thresholds, a threshold just met and just
 * missed, failed pairs, outliers and the JUnit output. */
#include <math.h>

#include "answers/ans_check.h"
#include "answers/ans_profile.h"
#include "topology/topology.h"
#include "ans_test_util.h"

static const struct ans_check_opts default_opts = {.size = -1, .outlier_pct = 20};

/* The check borrows node names from the run: free *run_p after it. */
static struct ans_check run_check(const char *fixture, const char *profile_yaml_or_name,
                                  const struct ans_check_opts *opts, struct ans_profile *prof,
                                  cJSON **run_p)
{
    struct tp_error err = {0};
    struct ans_check c;
    if (ans_profile_builtin_text(profile_yaml_or_name) != NULL)
        cr_assert_eq(ans_profile_load(profile_yaml_or_name, prof, &err), TP_OK, "%s", err.msg);
    else
        cr_assert_eq(ans_profile_parse(profile_yaml_or_name, strlen(profile_yaml_or_name),
                                       "test.yaml", prof, &err), TP_OK, "%s", err.msg);
    cJSON *run = load_fixture(fixture);
    cr_assert_eq(ans_check_run(run, fixture, prof, opts, &c, &err), TP_OK, "%s", err.msg);
    *run_p = run;
    return c;
}

static const struct ans_check_pair *find_pair(const struct ans_check *c, const char *src,
                                              const char *dst)
{
    for (size_t i = 0; i < c->pairs.n; i++)
        if (strcmp(c->v[i].pair->src, src) == 0 && strcmp(c->v[i].pair->dst, dst) == 0)
            return &c->v[i];
    cr_assert_fail("pair %s->%s not found", src, dst);
    return NULL;
}

Test(check, builtin_profiles_load_and_match_shipped_yaml)
{
    struct tp_error err = {0};
    struct ans_profile p;
    cr_assert_eq(ans_profile_builtin_count(), 3);
    for (size_t i = 0; i < ans_profile_builtin_count(); i++) {
        const char *name = ans_profile_builtin_name(i);
        char path[128];
        cr_assert_eq(ans_profile_load(name, &p, &err), TP_OK, "%s", err.msg);
        cr_assert_str_eq(p.name, name);
        cr_assert_geq(p.nrules, 1);
        snprintf(path, sizeof(path), "profiles/%s.yaml", name);
        char *file = read_text(path);
        cr_assert_str_eq(file, ans_profile_builtin_text(name), "%s differs from the built-in", path);
        free(file);
    }
    cr_assert_eq(ans_profile_load("test-dev", &p, &err), TP_OK);
    cr_assert_float_eq(p.rules[0].min_bw_gbit, 0.1, 1e-12);
    cr_assert_float_eq(p.rules[0].max_lat_us[ANS_P50], 1000, 1e-9);
    cr_assert_eq(ans_profile_load("large-scale-ai", &p, &err), TP_OK);
    cr_assert_float_eq(p.rules[0].min_bw_gbit, 10, 1e-12);
    cr_assert_eq(ans_profile_load("sme-production", &p, &err), TP_OK);
    cr_assert_eq(p.nrules, 3);
    cr_assert_float_eq(p.rules[1].min_bw_gbit, 10, 1e-12);
    cr_assert_str_eq(p.rules[1].nodes, "storage");
    cr_assert_eq(p.rules[1].nlabels, 1);
    cr_assert_str_eq(p.rules[1].labels[0].key, "node-role.kubernetes.io/storage");
    cr_assert_str_eq(p.rules[1].labels[0].value, "");
    /* each judges the "no loss" requirement: its last rule */
    for (size_t i = 0; i < ans_profile_builtin_count(); i++) {
        cr_assert_eq(ans_profile_load(ans_profile_builtin_name(i), &p, &err), TP_OK);
        cr_assert_str_eq(p.rules[p.nrules - 1].name, "loss");
        cr_assert_float_eq(p.rules[p.nrules - 1].max_retrans_pct, 10, 1e-12);
        cr_assert_float_eq(p.rules[p.nrules - 1].max_dev_errors, 0, 1e-12);
    }
}

Test(check, example_custom_profile_parses)
{
    struct tp_error err = {0};
    struct ans_profile p;
    cr_assert_eq(ans_profile_load("profiles/example-custom.yaml", &p, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(p.nrules, 3);
    cr_assert_eq(p.rules[0].tiers, 1ULL << 1);
    cr_assert_float_eq(p.rules[0].max_lat_us[ANS_P99], 20, 1e-9);
    cr_assert_eq(p.rules[1].tiers, (1ULL << 2) | (1ULL << 3));
    cr_assert_eq(p.rules[1].size, 4194304);
}

/* Each bad profile: the message names the file, the line and the field. */
Test(check, bad_profiles_name_file_and_field)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"name: x\nrules:\n  - name: r\n    speed: 10Gbit/s\n", "bad.yaml:4: rule 'r' speed: unknown key"},
        {"name: x\nrules:\n  - name: r\n    min_bandwidth: fast\n", "bad.yaml:4: rule 'r' min_bandwidth: expected a bandwidth"},
        {"name: x\nrules:\n  - name: r\n    tiers: [1, x]\n", "rule 'r' tiers: expected tier numbers"},
        {"name: x\nrules:\n  - name: r\n    tiers: 99\n", "rule 'r' tiers"},
        {"name: x\nrules:\n  - name: r\n    max_latency: {p42: 1ms}\n", "rule 'r' max_latency.p42: unknown percentile"},
        {"name: x\nrules:\n  - name: r\n    max_latency: {p99: soon}\n", "rule 'r' max_latency.p99"},
        {"name: x\nrules:\n  - name: r\n    max_latency: 5\n", "max_latency: expected a mapping"},
        {"name: x\nrules:\n  - name: r\n    size: huge\n", "rule 'r' size"},
        {"name: x\nrules:\n  - name: r\n    size: 2e80\n", "rule 'r' size: expected a message size"},
        {"name: x\nrules:\n  - name: r\n    nodes: \"(\"\n", "rule 'r' nodes: expected a POSIX"},
        {"name: x\nrules:\n  - name: r\n    nodes: \"^s*****x\"\n", "rule 'r' nodes: regular expression stacks repetition operators"},
        {"name: x\nrules:\n  - name: r\n    nodes: \"((a{100}){100})\"\n", "rule 'r' nodes: regular expression nests counted repeats"},
        {"name: x\nrules: []\n", "rules: a profile needs at least one rule"},
        {"name: x\nrules: 5\n", "rules: expected a list"},
        {"name: x\ncolour: red\nrules:\n  - min_bandwidth: 1\n", "bad.yaml:2: colour: unknown key"},
        {"- just\n- a list\n", "profile: expected a mapping"},
        {"", "profile: expected a mapping"},
        {"name: [unclosed\n", "bad.yaml:"},
        {"rules:\n  - 5\n", "rules[]: each rule must be a mapping"},
        {"rules:\n  - name: r\n    tiers:\n", "bad.yaml:3: rule 'r' tiers: expected a tier number"},
        {"name: [a]\nrules:\n  - min_bandwidth: 1\n", "bad.yaml:1: name: expected a string"},
        {"rules:\n  - name: r\n    node_labels: storage\n", "bad.yaml:3: rule 'r' node_labels: expected a mapping"},
        {"rules:\n  - name: r\n    node_labels: {}\n", "rule 'r' node_labels: expected a mapping"},
        {"rules:\n  - name: r\n    node_labels: {a: [x]}\n", "rule 'r' node_labels: label values are strings"},
        {"rules:\n  - name: r\n    node_labels: {a: 1, b: 2, c: 3, d: 4, e: 5}\n", "rule 'r' node_labels: at most 4 labels"},
    };
    char dir[64], path[128];
    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/bad.yaml", dir);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tp_error err = {0};
        struct ans_profile p;
        write_text(path, cases[i].yaml);
        cr_assert_neq(ans_profile_load(path, &p, &err), TP_OK, "case %zu accepted", i);
        cr_assert(strstr(err.msg, cases[i].want) != NULL, "case %zu: '%s' lacks '%s'", i,
                  err.msg, cases[i].want);
        cr_assert(strstr(err.msg, "bad.yaml") != NULL, "case %zu: no file in '%s'", i, err.msg);
        cr_assert_null(strchr(err.msg, '\n'), "case %zu: not one line", i);
    }
    unlink(path);
    struct tp_error err = {0};
    struct ans_profile p;
    cr_assert_neq(ans_profile_load(dir, &p, &err), TP_OK);
    cr_assert(strstr(err.msg, "cannot read the profile"), "%s", err.msg);
    rmdir(dir);
    cr_assert_neq(ans_profile_load("no-such-profile", &p, &err), TP_OK);
    cr_assert(strstr(err.msg, "test-dev, sme-production, large-scale-ai") != NULL, "%s", err.msg);
}

/* sme-production: n0->n1 meets 1 Gbit/s and 1 ms exactly; n2->n3 misses the
 * bandwidth by 1 Mbit/s, n4->n5 the latency by 0.1 us. */
Test(check, threshold_just_met_and_just_missed)
{
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("threshold.json", "sme-production", &default_opts, &prof, &run);
    const struct ans_check_pair *met = find_pair(&c, "n0", "n1");
    const struct ans_check_pair *bw = find_pair(&c, "n2", "n3");
    const struct ans_check_pair *lat = find_pair(&c, "n4", "n5");
    cr_assert(met->judged && !met->failed, "%s", met->reason);
    cr_assert(bw->failed);
    cr_assert(strstr(bw->reason, "bandwidth 999 Mbit/s < 1 Gbit/s") != NULL, "%s", bw->reason);
    cr_assert(lat->failed);
    cr_assert(strstr(lat->reason, "latency p50 1000.1 us > 1000 us") != NULL, "%s", lat->reason);
    cr_assert_eq(c.judged, 3);
    cr_assert_eq(c.failed, 2);
    cr_assert_not(ans_check_passed(&c, &default_opts));
    ans_check_free(&c);
    cJSON_Delete(run);
}

Test(check, errors_and_verify_failures_fail_their_pair)
{
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("bad_pair.json", "test-dev", &default_opts, &prof, &run);
    const struct ans_check_pair *reset = find_pair(&c, "a3", "a4");
    const struct ans_check_pair *corrupt = find_pair(&c, "a0", "a7");
    cr_assert(reset->failed && strstr(reset->reason, "peer a4 reset the connection"), "%s",
              reset->reason);
    cr_assert(corrupt->failed && strstr(corrupt->reason, "data verification failed"), "%s",
              corrupt->reason);
    cr_assert_eq(c.failed, 2);
    cr_assert_eq(c.ntiers, 2);
    cr_assert_eq(c.tiers[0].failed, 1);   /* one bad pair in tier 1 */
    cr_assert_eq(c.tiers[1].failed, 1);
    ans_check_free(&c);
    cJSON_Delete(run);
}

/* Tier 1 needs 90 Gbit/s, tier 2 39 Gbit/s (one pair measured 38), tier 3
 * is not judged at all. */
Test(check, per_tier_thresholds)
{
    static const char *yaml =
        "name: tiers\nrules:\n"
        "  - name: leaf\n    tiers: [1]\n    min_bandwidth: 90Gbit/s\n"
        "  - name: spine\n    tier: 2\n    min_bandwidth: 39Gbit/s\n";
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("recommend.json", yaml, &default_opts, &prof, &run);
    size_t judged[4] = {0}, failed[4] = {0};
    for (size_t i = 0; i < c.pairs.n; i++) {
        int t = c.v[i].pair->tier;
        cr_assert(t >= 0 && t <= 3);
        judged[t] += c.v[i].judged;
        failed[t] += c.v[i].failed;
        if (c.v[i].failed)
            cr_assert(strstr(c.v[i].reason, "spine: bandwidth 38 Gbit/s < 39 Gbit/s"), "%s",
                      c.v[i].reason);
    }
    cr_assert_eq(judged[0], 0);   /* same node is never judged unless listed */
    cr_assert_eq(judged[1], 3);
    cr_assert_eq(judged[2], 4);
    cr_assert_eq(judged[3], 0);
    cr_assert_eq(failed[1], 0);
    cr_assert_eq(failed[2], 1);
    ans_check_free(&c);
    cJSON_Delete(run);
}

Test(check, rule_size_judges_that_size_only)
{
    /* at 64 KiB every pair of recommend.json runs at a quarter speed */
    static const char *yaml = "rules:\n  - tiers: [1]\n    size: 64KiB\n    min_bandwidth: 30Gbit/s\n";
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("recommend.json", yaml, &default_opts, &prof, &run);
    cr_assert_eq(c.judged, 3);
    cr_assert_eq(c.failed, 3);   /* 23-24 Gbit/s < 30 */
    ans_check_free(&c);
    cJSON_Delete(run);
}

Test(check, nodes_regex_selects_pairs)
{
    static const char *yaml = "rules:\n  - nodes: \"^r[01]$\"\n    min_bandwidth: 1Tbit/s\n";
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("recommend.json", yaml, &default_opts, &prof, &run);
    for (size_t i = 0; i < c.pairs.n; i++) {
        const struct ans_pair *p = c.v[i].pair;
        int sel = p->tier != 0 && (!strcmp(p->src, "r0") || !strcmp(p->src, "r1") ||
                                   !strcmp(p->dst, "r0") || !strcmp(p->dst, "r1"));
        cr_assert_eq(c.v[i].judged, sel, "%s->%s", p->src, p->dst);
    }
    ans_check_free(&c);
    cJSON_Delete(run);
}

/* node_labels: pairs with a node carrying every label of the rule, from a
 * kubectl nodes file; by name or by label when the rule has both. */
Test(check, node_labels_select_pairs)
{
    static const char *yaml = "rules:\n  - name: storage\n    nodes: \"^r7$\"\n"
                              "    node_labels: {node-role.kubernetes.io/storage: \"\", zone: a}\n"
                              "    min_bandwidth: 1Tbit/s\n";
    static const char *nodes =
        "apiVersion: v1\nkind: List\nitems:\n"
        "- kind: Node\n  metadata:\n    name: r2\n    labels:\n"
        "      node-role.kubernetes.io/storage: \"\"\n      zone: a\n"
        "- kind: Node\n  metadata:\n    name: r5\n    labels:\n"
        "      node-role.kubernetes.io/storage: \"\"\n      zone: b\n";   /* zone differs */
    char dir[64], path[128];
    struct tp_error err = {0};
    struct topo *labels = NULL;
    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/nodes.yaml", dir);
    write_text(path, nodes);
    cr_assert_eq(topo_nodes_read(path, &labels, &err), TP_OK, "%s", err.msg);
    cr_assert_str_eq(topo_node_label(labels, "r5", "zone"), "b");
    cr_assert_null(topo_node_label(labels, "r0", "zone"));
    struct ans_check_opts opts = default_opts;
    opts.node_labels = labels;
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("recommend.json", yaml, &opts, &prof, &run);
    for (size_t i = 0; i < c.pairs.n; i++) {
        const struct ans_pair *p = c.v[i].pair;
        int sel = p->tier != 0 && (!strcmp(p->src, "r2") || !strcmp(p->dst, "r2") ||
                                   !strcmp(p->src, "r7") || !strcmp(p->dst, "r7"));
        cr_assert_eq(c.v[i].judged, sel, "%s->%s", p->src, p->dst);
    }
    cr_assert_eq(c.nwhy, 0);
    ans_check_free(&c);
    cJSON_Delete(run);

    /* labels matching no node, a name matching no node: said, INCOMPLETE */
    static const char *none = "rules:\n  - name: per-node\n    min_bandwidth: 1Mbit/s\n"
                              "  - name: storage\n    nodes: storage\n"
                              "    node_labels: {zone: c}\n    min_bandwidth: 1Tbit/s\n";
    c = run_check("recommend.json", none, &opts, &prof, &run);
    cr_assert_eq(c.nwhy, 1);
    cr_assert_str_eq(c.why[0].why, "rule 'storage' selected no pair (no node name matches "
                                   "'storage', no node of --nodes has zone=\"c\")");
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    ans_check_free(&c);
    cJSON_Delete(run);
    /* without a nodes file: how to give the labels */
    c = run_check("recommend.json", none, &default_opts, &prof, &run);
    cr_assert_str_eq(c.why[0].why, "rule 'storage' selected no pair (no node name matches "
                                   "'storage'; node labels unknown: --nodes FILE selects nodes "
                                   "with zone=\"c\")");
    ans_check_free(&c);
    cJSON_Delete(run);
    topo_free(labels);
    unlink(path);
    rmdir(dir);
}

/* outlier.json: tier 1 at ~10 Gbit/s and o3->o4 at 7.5, far above
 * test-dev's 100 Mbit/s but 25% below the tier median.  It measured 1 MiB
 * only: latency is judged there only with the size limit raised. */
Test(check, outlier_flagged_but_passes_unless_asked)
{
    struct ans_profile prof;
    cJSON *run;
    const struct ans_check_opts lat1m = {.size = -1, .outlier_pct = 20, .lat_max_size = 1 << 20};
    struct ans_check c = run_check("outlier.json", "test-dev", &lat1m, &prof, &run);
    cr_assert_eq(c.outliers, 1);
    const struct ans_check_pair *o = find_pair(&c, "o3", "o4");
    cr_assert(o->outlier && !o->failed);
    cr_assert(strstr(o->reason, "25% below tier 1 median 10 Gbit/s"), "%s", o->reason);
    cr_assert_not(find_pair(&c, "o0", "o5")->outlier);   /* no tier: no median to compare */
    /* o0->o5 has no latency at all: INCOMPLETE, accepted on request */
    cr_assert_eq(c.unmeasured, 1);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    cr_assert_eq(ans_check_exit_status(&c, &lat1m), ANS_EXIT_INCOMPLETE);
    struct ans_check_opts accept = lat1m;
    accept.allow_unjudged = 1;
    cr_assert_eq(ans_check_exit_status(&c, &accept), ANS_EXIT_PASS);
    ans_check_free(&c);
    cJSON_Delete(run);

    struct ans_check_opts strict = {.size = -1, .outlier_pct = 20, .fail_outliers = 1};
    c = run_check("outlier.json", "test-dev", &strict, &prof, &run);
    cr_assert(find_pair(&c, "o3", "o4")->failed);
    cr_assert_not(ans_check_passed(&c, &strict));
    ans_check_free(&c);
    cJSON_Delete(run);

    struct ans_check_opts loose = {.size = -1, .outlier_pct = 30};
    c = run_check("outlier.json", "test-dev", &loose, &prof, &run);
    cr_assert_eq(c.outliers, 0);   /* 25% below is within 30% */
    ans_check_free(&c);
    cJSON_Delete(run);
}

Test(check, junit_well_formed_and_escaped)
{
    struct ans_profile prof;
    struct tp_error err = {0};
    char dir[64], path[128];
    cJSON *run;
    struct ans_check c = run_check("bad_pair.json", "test-dev", &default_opts, &prof, &run);

    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/junit.xml", dir);
    cr_assert_eq(ans_check_write_junit(&c, &prof, &default_opts, path, &err), TP_OK, "%s", err.msg);
    char *xml = read_text(path);
    const char *why = xml_check(xml);
    cr_assert_null(why, "%s:\n%s", why, xml);
    /* 9 judged pairs + the verdict testcase; 2 failed pairs + the verdict */
    cr_assert(strstr(xml, "<testsuites name=\"tierperf check test-dev\" tests=\"10\" failures=\"3\">"),
              "%s", xml);
    cr_assert_eq(count_of(xml, "<testsuite "), 4);
    cr_assert_eq(count_of(xml, "<testcase "), 11);
    cr_assert_eq(count_of(xml, "<failure "), 3);
    /* latency at 1 MiB only: the 7 other pairs were not fully judged; and
     * the loss rule applied to no pair (the file has no loss counters) */
    cr_assert_eq(count_of(xml, "<skipped "), 8, "%s", xml);
    cr_assert(strstr(xml, "<skipped message=\"loss: not recorded in this tcp results file"), "%s", xml);
    cr_assert(strstr(xml, "name=\"result: FAIL\""), "%s", xml);
    cr_assert(strstr(xml, "a3-&gt;a4"), "arrow in the name not escaped");
    free(xml);
    ans_check_free(&c);
    cJSON_Delete(run);

    /* hostile names and messages stay inside their attributes */
    run = parse_run(
        "{\"results\":[{\"src_node\":\"a<b&\\\"c'\",\"dst_node\":\"d]]>e\",\"tier\":1,"
        "\"size_bytes\":8,\"bw_gbit_s\":1,\"error\":\"</failure><x>&\"}]}");
    cr_assert_eq(ans_check_run(run, "t", &prof, &default_opts, &c, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_check_write_junit(&c, &prof, &default_opts, path, &err), TP_OK);
    xml = read_text(path);
    cr_assert_null(xml_check(xml), "%s:\n%s", xml_check(xml), xml);
    cr_assert(strstr(xml, "a&lt;b&amp;&quot;c&#39;-&gt;d]]&gt;e"), "%s", xml);
    cr_assert(strstr(xml, "&lt;/failure&gt;&lt;x&gt;&amp;"), "%s", xml);
    free(xml);
    ans_check_free(&c);
    cJSON_Delete(run);

    cr_assert_neq(ans_check_write_junit(&c, &prof, &default_opts, "/nonexistent/dir/j.xml", &err), TP_OK);
    cr_assert(strstr(err.msg, "/nonexistent/dir/j.xml"), "%s", err.msg);
    unlink(path);
    rmdir(dir);
}

Test(check, empty_and_odd_runs_do_not_pass)
{
    struct ans_profile prof;
    struct tp_error err = {0};
    struct ans_check c;
    cr_assert_eq(ans_profile_load("test-dev", &prof, &err), TP_OK);

    cJSON *run = parse_run("{\"results\":[]}");
    cr_assert_eq(ans_check_run(run, "empty", &prof, &default_opts, &c, &err), TP_OK);
    cr_assert_eq(c.judged, 0);
    cr_assert_not(ans_check_passed(&c, &default_opts));   /* nothing judged is no pass */
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    const struct ans_check_opts allow = {.size = -1, .allow_unjudged = 1};
    /* --allow-unjudged accepts unjudged thresholds, not the absence of evidence */
    cr_assert_eq(ans_check_exit_status(&c, &allow), ANS_EXIT_INCOMPLETE);
    ans_check_free(&c);
    cJSON_Delete(run);

    /* tier null, no bandwidth, no latency: judged but unmeasured */
    run = parse_run("{\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":null,"
                    "\"size_bytes\":8,\"lat_us\":null}]}");
    cr_assert_eq(ans_check_run(run, "odd", &prof, &default_opts, &c, &err), TP_OK);
    cr_assert_eq(c.judged, 1);
    cr_assert_eq(c.unmeasured, 2);
    ans_check_free(&c);
    cJSON_Delete(run);

    run = parse_run("{\"results\":[{\"src_node\":\"a\",\"size_bytes\":8}]}");
    cr_assert_neq(ans_check_run(run, "odd.json", &prof, &default_opts, &c, &err), TP_OK);
    cr_assert_str_eq(err.msg, "odd.json: results[0]: dst_node missing or not a string");
    cJSON_Delete(run);

    run = parse_run("{\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\"}]}");
    cr_assert_neq(ans_check_run(run, "odd.json", &prof, &default_opts, &c, &err), TP_OK);
    cr_assert(strstr(err.msg, "results[0].size_bytes"), "%s", err.msg);
    cJSON_Delete(run);
}

Test(check, journal_of_a_killed_run)
{
    char dir[64], path[128];
    struct ans_profile prof;
    struct tp_error err = {0};
    struct ans_check c;
    cJSON *run = NULL;

    scratch_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/run.json.journal.jsonl", dir);
    write_text(path,
               "{\"run_header\":{\"pattern\":\"pairs\",\"transport\":\"tcp\"}}\n"
               "{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":1,\"size_bytes\":8,\"bw_gbit_s\":5}\n"
               "{\"src_node\":\"b\",\"dst_node\":\"c\",\"tier\":1,\"size_by");
    cr_assert_eq(results_load(path, &run, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(ans_profile_load("test-dev", &prof, &err), TP_OK);
    cr_assert_eq(ans_check_run(run, path, &prof, &default_opts, &c, &err), TP_OK);
    cr_assert_eq(c.pairs.n, 1);
    cr_assert_eq(c.judged, 1);
    ans_check_free(&c);
    cJSON_Delete(run);
    unlink(path);
    rmdir(dir);
}

static char *check_text(const struct ans_check *c, const struct ans_profile *prof,
                        const struct ans_check_opts *opts, int verbose)
{
    struct capture cap;
    ans_check_print(capture_begin(&cap), c, prof, opts, verbose);
    return capture_end(&cap);
}

/* allpairs15_miswired.json measured 4 MiB only: a 4 MiB ping-pong is no
 * latency, so test-dev's "p50 <= 1 ms" cannot be judged: INCOMPLETE, never
 * PASS, and the output says which size to add. */
Test(check, latency_on_large_messages_only_is_incomplete)
{
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("allpairs15_miswired.json", "test-dev", &default_opts, &prof,
                                   &run);
    cr_assert_eq(c.failed, 0);
    cr_assert_eq(c.unmeasured, 210);
    cr_assert_eq(c.lat_over_limit, 210);
    cr_assert_eq(c.evaluated, 210);   /* the bandwidth thresholds */
    cr_assert_eq(c.lat_max_size, 65536);
    cr_assert_eq(c.lat_suggest, -1);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    cr_assert_eq(ans_check_exit_status(&c, &default_opts), ANS_EXIT_INCOMPLETE);
    char *text = check_text(&c, &prof, &default_opts, 0);
    cr_assert_null(strstr(text, "result: PASS"), "%s", text);
    cr_assert(strstr(text, "result: INCOMPLETE (0 of 210 judged pairs failed, "), "%s", text);
    cr_assert(strstr(text, "; 210 threshold(s) not judged), exit status 3\n"), "%s", text);
    cr_assert(strstr(text, "210 x per-node: latency p50 measured only at 4 MiB, above the latency "
                           "size limit 64 KiB"), "%s", text);
    cr_assert(strstr(text, "hint: latency thresholds are judged on messages up to 64 KiB and this "
                           "run measured none: add one to the run (e.g. --sizes 64,4M)"), "%s", text);
    free(text);

    const struct ans_check_opts allow = {.size = -1, .allow_unjudged = 1};
    cr_assert_eq(ans_check_exit_status(&c, &allow), ANS_EXIT_PASS);
    text = check_text(&c, &prof, &allow, 0);
    cr_assert(strstr(text, "result: INCOMPLETE, accepted with --allow-unjudged ("), "%s", text);
    free(text);
    ans_check_free(&c);
    cJSON_Delete(run);

    /* the limit raised (flag or profile key): latency is judged at 4 MiB */
    const struct ans_check_opts big = {.size = -1, .lat_max_size = 4 << 20};
    c = run_check("allpairs15_miswired.json", "test-dev", &big, &prof, &run);
    cr_assert_eq(c.unmeasured, 0);
    cr_assert_neq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    ans_check_free(&c);
    cJSON_Delete(run);
    c = run_check("allpairs15_miswired.json",
                  "latency_max_size: 4MiB\nrules:\n  - max_latency: {p50: 1s}\n", &default_opts,
                  &prof, &run);
    cr_assert_eq(prof.latency_max_size, 4 << 20);
    cr_assert_eq(c.unmeasured, 0);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_PASS);
    ans_check_free(&c);
    cJSON_Delete(run);
}

/* threshold.json measured 8 B, 64 KiB and 4 MiB: --size 4M judges the
 * bandwidth there, and says to judge latency with --size 8. */
Test(check, size_above_latency_limit_suggests_a_measured_small_size)
{
    struct ans_profile prof;
    cJSON *run;
    const struct ans_check_opts at4m = {.size = 4 << 20, .outlier_pct = 20};
    struct ans_check c = run_check("threshold.json", "large-scale-ai", &at4m, &prof, &run);
    cr_assert_eq(c.lat_suggest, 8);
    cr_assert_eq(c.unmeasured, 3);
    char *text = check_text(&c, &prof, &at4m, 0);
    cr_assert(strstr(text, "this run measured 8 B, judge latency with --size 8"), "%s", text);
    free(text);
    ans_check_free(&c);
    cJSON_Delete(run);
}

/* A rule's size the run never measured: not judged, INCOMPLETE. */
Test(check, rule_size_not_measured_is_incomplete)
{
    static const char *yaml = "rules:\n  - name: mid\n    size: 1MiB\n    min_bandwidth: 1Gbit/s\n";
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("recommend.json", yaml, &default_opts, &prof, &run);
    cr_assert_eq(c.failed, 0);
    cr_assert_eq(c.evaluated, 0);
    cr_assert_gt(c.unmeasured, 0);
    cr_assert_eq(c.nwhy, 1);
    cr_assert_str_eq(c.why[0].why, "mid: bandwidth not measured at 1 MiB");
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    /* nothing judged at all: --allow-unjudged does not make it a pass */
    const struct ans_check_opts allow = {.size = -1, .allow_unjudged = 1};
    cr_assert_eq(ans_check_exit_status(&c, &allow), ANS_EXIT_INCOMPLETE);
    ans_check_free(&c);
    cJSON_Delete(run);
}

Test(check, json_shape)
{
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = run_check("threshold.json", "sme-production", &default_opts, &prof, &run);
    cJSON *j = ans_check_to_json(&c, &prof, &default_opts, 1);
    char *text = cJSON_PrintUnformatted(j);
    cJSON *o = cJSON_Parse(text);   /* what a reader gets */
    cr_assert_not_null(o);
    cr_assert_str_eq(cJSON_GetObjectItem(o, "command")->valuestring, "check");
    cr_assert_str_eq(cJSON_GetObjectItem(o, "result")->valuestring, "FAIL");
    cr_assert_eq(cJSON_GetObjectItem(o, "exit_status")->valueint, 1);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "passed")));
    cr_assert_str_eq(cJSON_GetObjectItem(o, "profile")->valuestring, "sme-production");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "size_bytes")));
    cr_assert_eq(cJSON_GetObjectItem(o, "latency_max_size_bytes")->valueint, 65536);
    static const char *const counts[] = {"judged", "failed", "outliers", "judged_thresholds",
                                         "unjudged_thresholds", "unjudged_pairs"};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, counts[i])), "%s", counts[i]);
    cr_assert_eq(cJSON_GetObjectItem(o, "failed")->valueint, 2);
    cJSON *tiers = cJSON_GetObjectItem(o, "tiers");
    cr_assert_eq(cJSON_GetArraySize(tiers), 1);
    cJSON *t = cJSON_GetArrayItem(tiers, 0);
    cr_assert_eq(cJSON_GetObjectItem(t, "tier")->valueint, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(t, "verdict")->valuestring, "FAIL");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(t, "bw_median")));
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(t, "lat_p50_median_us")));
    cJSON *pairs = cJSON_GetObjectItem(o, "pairs"), *p;
    cr_assert_eq(cJSON_GetArraySize(pairs), 3);   /* all pairs */
    int fails = 0;
    cJSON_ArrayForEach(p, pairs) {
        cr_assert(cJSON_IsString(cJSON_GetObjectItem(p, "src")));
        cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(p, "bw_gbit_s")));
        cr_assert_eq(cJSON_GetObjectItem(p, "bw_size_bytes")->valueint, 4 << 20);
        cr_assert_eq(cJSON_GetObjectItem(p, "lat_size_bytes")->valueint, 8);
        fails += strcmp(cJSON_GetObjectItem(p, "verdict")->valuestring, "FAIL") == 0;
    }
    cr_assert_eq(fails, 2);
    cr_assert(cJSON_IsArray(cJSON_GetObjectItem(o, "unjudged")));
    cr_assert(cJSON_IsArray(cJSON_GetObjectItem(o, "hints")));
    cJSON_Delete(o);
    cJSON_free(text);
    cJSON_Delete(j);

    /* the HTML report's form: only the pairs that are not PASS */
    j = ans_check_to_json(&c, &prof, &default_opts, 0);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "pairs")), 2);
    cJSON_Delete(j);
    ans_check_free(&c);
    cJSON_Delete(run);

    c = run_check("allpairs15_miswired.json", "test-dev", &default_opts, &prof, &run);
    j = ans_check_to_json(&c, &prof, &default_opts, 1);
    cr_assert_str_eq(cJSON_GetObjectItem(j, "result")->valuestring, "INCOMPLETE");
    cr_assert_eq(cJSON_GetObjectItem(j, "exit_status")->valueint, 3);
    cJSON *u = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "unjudged"), 0);
    cr_assert_eq(cJSON_GetObjectItem(u, "thresholds")->valueint, 210);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "hints")), 1);
    cJSON_Delete(j);
    ans_check_free(&c);
    cJSON_Delete(run);
}

/* max_retransmits judges the bandwidth row's extra.loss.retrans_pct: over
 * the limit fails the pair, under passes; a pair without it in a run whose
 * other pairs have it is not judged (INCOMPLETE). */
Test(check, retransmits_judged_and_unmeasured_is_incomplete)
{
    static const char yaml[] = "rules:\n  - name: loss\n    max_retransmits: 0.5%\n";
    struct tp_error err = {0};
    struct ans_profile prof;
    struct ans_check c;
    cr_assert_eq(ans_profile_parse(yaml, strlen(yaml), "t.yaml", &prof, &err), TP_OK, "%s",
                 err.msg);
    cr_assert_float_eq(prof.rules[0].max_retrans_pct, 0.5, 1e-9);
    cJSON *run = parse_run(
        "{\"results\":["
        "{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9,"
        "\"extra\":{\"loss\":{\"source\":\"tcp_info\",\"retrans_segs\":40,\"segs_out\":1000,"
        "\"retrans_pct\":4}}},"
        "{\"src_node\":\"a\",\"dst_node\":\"c\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9,"
        "\"extra\":{\"loss\":{\"source\":\"tcp_info\",\"retrans_segs\":1,\"segs_out\":1000,"
        "\"retrans_pct\":0.1}}}]}");
    cr_assert_eq(ans_check_run(run, "x", &prof, &default_opts, &c, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(c.evaluated, 2);
    cr_assert_eq(c.failed, 1);
    cr_assert(find_pair(&c, "a", "b")->failed);
    cr_assert(strstr(find_pair(&c, "a", "b")->reason, "loss: retransmits 4% (40 segments) > 0.5%"),
              "%s", find_pair(&c, "a", "b")->reason);
    cr_assert_not(find_pair(&c, "a", "c")->failed);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_FAIL);
    ans_check_free(&c);
    cJSON_Delete(run);

    run = parse_run(
        "{\"transport\":\"tcp\",\"results\":["
        "{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9},"
        "{\"src_node\":\"a\",\"dst_node\":\"c\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9,"
        "\"extra\":{\"loss\":{\"source\":\"tcp_info\",\"retrans_segs\":1,\"segs_out\":1000,"
        "\"retrans_pct\":0.1}}}]}");
    cr_assert_eq(ans_check_run(run, "x", &prof, &default_opts, &c, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(c.unmeasured, 1);
    cr_assert_eq(c.not_applicable, 0);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    cr_assert(strstr(c.why[0].why, "loss: loss not measured on this pair"), "%s", c.why[0].why);
    ans_check_free(&c);
    cJSON_Delete(run);

    static const char bad[] = "rules:\n  - name: l\n    max_retransmits: lots\n";
    cr_assert_neq(ans_profile_parse(bad, strlen(bad), "b.yaml", &prof, &err), TP_OK);
    cr_assert(strstr(err.msg, "rule 'l' max_retransmits"), "%s", err.msg);
}

static struct ans_check loss_check(const char *yaml, const char *json, struct ans_profile *prof,
                                   cJSON **run)
{
    struct tp_error err = {0};
    struct ans_check c;
    cr_assert_eq(ans_profile_parse(yaml, strlen(yaml), "t.yaml", prof, &err), TP_OK, "%s",
                 err.msg);
    *run = parse_run(json);
    cr_assert_eq(ans_check_run(*run, "x", prof, &default_opts, &c, &err), TP_OK, "%s", err.msg);
    return c;
}

/* A run whose transport records no loss counter (mpi): the loss rule is not
 * applicable, said on its own "loss:" line and in --json; the verdict rests
 * on the other thresholds, and is INCOMPLETE when there are none. */
Test(check, loss_not_applicable_to_mpi)
{
    static const char both[] = "rules:\n  - name: bw\n    min_bandwidth: 1Gbit/s\n"
                               "  - name: loss\n    max_retransmits: 10%\n"
                               "    max_device_errors: 0\n";
    static const char mpi[] =
        "{\"transport\":\"mpi\",\"results\":["
        "{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9},"
        "{\"src_node\":\"b\",\"dst_node\":\"a\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9}]}";
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = loss_check(both, mpi, &prof, &run);
    cr_assert_eq(c.evaluated, 2);
    cr_assert_eq(c.unmeasured, 0);
    cr_assert_eq(c.not_applicable, 2);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_PASS);
    char *text = check_text(&c, &prof, &default_opts, 0);
    cr_assert(strstr(text, "\nloss: not measured by transport mpi (it has no loss counters): "
                           "rule 'loss' not applied to 2 pair(s)\n"), "%s", text);
    cr_assert(strstr(text, "result: PASS (0 of 2 judged pairs failed"), "%s", text);
    free(text);
    cJSON *j = ans_check_to_json(&c, &prof, &default_opts, 1);
    cJSON *na = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "not_applicable"), 0);
    cr_assert_eq(cJSON_GetObjectItem(na, "pairs")->valueint, 2);
    cr_assert(strstr(cJSON_GetObjectItem(na, "reason")->valuestring, "transport mpi"));
    cJSON_Delete(j);
    ans_check_free(&c);
    cJSON_Delete(run);

    /* nothing but loss: no evidence at all, never PASS */
    c = loss_check("rules:\n  - name: loss\n    max_retransmits: 10%\n", mpi, &prof, &run);
    cr_assert_eq(c.evaluated, 0);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    cr_assert_eq(ans_check_exit_status(&c, &default_opts), ANS_EXIT_INCOMPLETE);
    text = check_text(&c, &prof, &default_opts, 0);
    cr_assert(strstr(text, "; no threshold applied to this run)"), "%s", text);
    free(text);
    ans_check_free(&c);
    cJSON_Delete(run);
}

/* max_device_errors judges a verbs row's extra.loss.device_errors (any
 * error counter that moved, over 0, fails); on a tcp run, which has no
 * RDMA port counters, it does not apply. */
Test(check, device_errors_judged_on_verbs_not_applicable_to_tcp)
{
    static const char dev[] = "rules:\n  - name: loss\n    max_device_errors: 0\n";
    struct ans_profile prof;
    cJSON *run;
    struct ans_check c = loss_check(
        dev,
        "{\"transport\":\"verbs\",\"results\":["
        "{\"src_node\":\"a\",\"dst_node\":\"b\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9,"
        "\"extra\":{\"loss\":{\"device\":\"mlx5_0 port 1\",\"device_errors\":0,"
        "\"retrans_pct\":0}}},"
        "{\"src_node\":\"a\",\"dst_node\":\"c\",\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9,"
        "\"extra\":{\"loss\":{\"device\":\"mlx5_0 port 1\",\"device_errors\":3,"
        "\"retrans_pct\":0.01}}}]}",
        &prof, &run);
    cr_assert_eq(c.evaluated, 2);
    cr_assert_not(find_pair(&c, "a", "b")->failed);
    cr_assert(find_pair(&c, "a", "c")->failed);
    cr_assert(strstr(find_pair(&c, "a", "c")->reason, "loss: 3 RDMA port error counter event(s) > 0"),
              "%s", find_pair(&c, "a", "c")->reason);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_FAIL);
    ans_check_free(&c);
    cJSON_Delete(run);

    c = loss_check(dev,
                   "{\"transport\":\"tcp\",\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\","
                   "\"tier\":1,\"size_bytes\":65536,\"bw_gbit_s\":9,\"extra\":{\"loss\":{"
                   "\"source\":\"tcp_info\",\"retrans_segs\":0,\"segs_out\":10,"
                   "\"retrans_pct\":0}}}]}",
                   &prof, &run);
    cr_assert_eq(c.not_applicable, 1);
    cr_assert(strstr(c.na[0].why, "RDMA port errors not measured by transport tcp"), "%s",
              c.na[0].why);
    cr_assert_eq(ans_check_verdict(&c), ANS_VERDICT_INCOMPLETE);
    ans_check_free(&c);
    cJSON_Delete(run);

    struct tp_error err = {0};
    static const char bad[] = "rules:\n  - name: l\n    max_device_errors: -1\n";
    cr_assert_neq(ans_profile_parse(bad, strlen(bad), "b.yaml", &prof, &err), TP_OK);
    cr_assert(strstr(err.msg, "rule 'l' max_device_errors: expected a whole number"), "%s",
              err.msg);
}
