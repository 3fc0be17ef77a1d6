/* test_topo_parse.c: the HyperNode reader and validator on every fixture:
 * good ones load, bad ones fail with TP_ERR_PARSE/INVALID and a one-line
 * message naming the file, the object and the field. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topology/topo_regex.h"
#include "topology/topology.h"

#define FIX "tests/fixtures/hypernodes"

struct bad_case {
    const char *file;
    const char *bind;              /* a node name to bind, or NULL */
    const char *want[4];           /* substrings of the message */
};

static const struct bad_case bad_cases[] = {
    {"bad-cycle.yaml", NULL, {"HyperNode 'a'", "spec.members", "cyclic dependency detected"}},
    {"bad-dangling.yaml", NULL,
     {"HyperNode 's1'", "spec.members[1].selector.exactMatch.name", "'rack-2' is not defined"}},
    {"bad-dup-name.yaml", NULL, {"HyperNode 'leaf'", "metadata.name", "defined twice"}},
    {"bad-exact-name.yaml", NULL, {"HyperNode 'leaf'", "spec.members[0].selector", "'Node_0'"}},
    {"bad-kind.yaml", NULL, {"document[0]", "kind", "'ConfigMap'"}},
    {"bad-label-op.yaml", NULL,
     {"HyperNode 'leaf'", "spec.members[0].selector.labelMatch.matchExpressions[0]", "'Equals'"}},
    {"bad-member-type.yaml", NULL, {"HyperNode 'leaf'", "spec.members[0]", "'Pod'"}},
    {"bad-missing-name.yaml", NULL, {"items[0]", "metadata.name", "required"}},
    {"bad-no-members.yaml", NULL, {"HyperNode 'empty'", "spec.members", "at least one member"}},
    {"bad-not-nested.yaml", NULL, {"HyperNode 'pod-x'", "spec.members", "'n0'", "'rack-0'"}},
    {"bad-regex-re2-flags.yaml", NULL, {"HyperNode 'leaf'", "spec.members[0].selector", "regexMatch.pattern", "(?i)"}},
    {"bad-regex-re2-named.yaml", NULL, {"HyperNode 'leaf'", "regexMatch.pattern", "named group"}},
    {"bad-regex.yaml", NULL, {"HyperNode 'leaf'", "regexMatch.pattern", "does not compile"}},
    {"bad-same-tier-ancestor.yaml", NULL,
     {"HyperNode 'spine-b'", "spec.members", "node 'n0'", "'spine-a'"}},
    {"bad-same-tier-node.yaml", NULL,
     {"HyperNode 'rack-b'", "spec.members", "node 'n1'", "'rack-a'"}},
    {"bad-same-tier-regex.yaml", "gpu-7", {"HyperNode 'rack-b'", "spec.members", "node 'gpu-7'", "'rack-a'"}},
    {"bad-selector-none.yaml", NULL, {"HyperNode 'leaf'", "spec.members[0].selector", "none of exactMatch"}},
    {"bad-selector-two.yaml", NULL,
     {"HyperNode 'leaf'", "spec.members[0].selector", "both exactMatch and regexMatch"}},
    {"bad-syntax.yaml", NULL, {":5:", "YAML syntax error"}},
    {"bad-tier-missing.yaml", NULL, {":7:", "HyperNode 'leaf'", "spec.tier", "required"}},
    {"bad-tier-negative.yaml", NULL, {"HyperNode 'leaf'", "spec.tier", ">= 0"}},
    {"bad-tier-order.yaml", NULL, {"HyperNode 'child'", "spec.tier", "parent 'parent'"}},
    {"bad-tier-string.yaml", NULL, {"HyperNode 'leaf'", "spec.tier", "'one'"}},
    {"bad-two-parents.yaml", NULL,
     {"HyperNode 'spine-b'", "spec.members[0]", "already has a parent 'spine-a'"}},
};

static const struct bad_case *find_bad(const char *file)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
        if (strcmp(bad_cases[i].file, file) == 0)
            return &bad_cases[i];
    return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "x.yaml" -> "x-nodes.yaml" or "x-nodes.json" if either exists */
static int nodes_file_for(const char *dir, const char *file, char *out, size_t len)
{
    static const char *const exts[] = {".yaml", ".json"};
    size_t base = strlen(file) - strlen(".yaml");
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, len, "%s/%.*s-nodes%s", dir, (int)base, file, exts[i]);
        if (access(out, R_OK) == 0)
            return 1;
    }
    return 0;
}

static int is_good(const char *name)
{
    return ends_with(name, ".yaml") && strncmp(name, "bad-", 4) != 0 &&
           strstr(name, "-nodes.") == NULL;
}

/* Loads every good fixture of dir; returns how many. */
static size_t load_good_dir(const char *dir)
{
    DIR *d = opendir(dir);
    size_t count = 0;
    struct dirent *e;
    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[512], nodes[512];
        if (!is_good(e->d_name))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        int has_nodes = nodes_file_for(dir, e->d_name, nodes, sizeof(nodes));
        for (int with_nodes = 0; with_nodes <= has_nodes; with_nodes++) {
            struct topo *t = NULL;
            struct tp_error err = {0};
            tp_status_t st = topo_load(path, with_nodes ? nodes : NULL, &t, &err);
            cr_expect_eq(st, TP_OK, "%s%s: %s", path, with_nodes ? " (with nodes)" : "", err.msg);
            if (st == TP_OK) {
                cr_expect_gt(topo_hypernode_count(t), 0, "%s: no HyperNodes", path);
                cr_expect_geq(topo_virtual_tier(t), 2, "%s", path);
            }
            topo_free(t);
        }
        count++;
    }
    closedir(d);
    return count;
}

Test(topo_parse, every_good_fixture_loads)
{
    cr_expect_geq(load_good_dir(FIX), 7, "too few good fixtures found in " FIX);
    /* a HyperNode List and a kthena cluster with its nodes file: present,
     * so the loop above cannot pass by finding fewer files */
    static const char *const must[] = {"list-3tier.yaml", "seed-kthena.yaml",
                                       "seed-kthena-nodes.yaml"};
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), FIX "/%s", must[i]);
        cr_expect_eq(access(path, R_OK), 0, "%s missing", path);
    }
    struct topo *t = NULL;
    struct tp_error err = {0};
    cr_expect_eq(topo_load("topologies/sim-8node-3tier.yaml", NULL, &t, &err), TP_OK, "%s", err.msg);
    topo_free(t);
}

Test(topo_parse, every_bad_fixture_fails_naming_file_object_field)
{
    DIR *d = opendir(FIX);
    struct dirent *e;
    size_t seen = 0;
    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "bad-", 4) != 0 || !ends_with(e->d_name, ".yaml"))
            continue;
        const struct bad_case *c = find_bad(e->d_name);
        char path[512];
        snprintf(path, sizeof(path), FIX "/%s", e->d_name);
        cr_expect_not_null(c, "%s has no entry in bad_cases[]: add its expected message", path);
        if (c == NULL)
            continue;
        seen++;
        struct topo *t = NULL;
        struct tp_error err = {0};
        tp_status_t st = topo_load(path, NULL, &t, &err);
        if (st == TP_OK && c->bind != NULL) {
            const char *names[] = {c->bind};
            st = topo_bind_nodes(t, names, 1, &err);
        }
        topo_free(t);
        cr_expect(st == TP_ERR_PARSE || st == TP_ERR_INVALID, "%s: status %d (%s)", path, st, err.msg);
        cr_expect_not_null(strstr(err.msg, path), "%s: message does not name the file: %s", path, err.msg);
        cr_expect_null(strchr(err.msg, '\n'), "%s: message is not one line: %s", path, err.msg);
        for (size_t i = 0; i < 4 && c->want[i]; i++)
            cr_expect_not_null(strstr(err.msg, c->want[i]), "%s: '%s' missing in: %s", path, c->want[i],
                               err.msg);
    }
    closedir(d);
    cr_expect_eq(seen, sizeof(bad_cases) / sizeof(bad_cases[0]), "a listed bad fixture is missing");
}

Test(topo_parse, parse_errors_are_parse_and_tree_errors_invalid)
{
    static const struct { const char *file; tp_status_t st; } cases[] = {
        {"bad-syntax.yaml", TP_ERR_PARSE},    {"bad-tier-string.yaml", TP_ERR_PARSE},
        {"bad-selector-two.yaml", TP_ERR_PARSE}, {"bad-cycle.yaml", TP_ERR_INVALID},
        {"bad-dangling.yaml", TP_ERR_INVALID}, {"bad-two-parents.yaml", TP_ERR_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256];
        struct topo *t = NULL;
        struct tp_error err = {0};
        snprintf(path, sizeof(path), FIX "/%s", cases[i].file);
        cr_expect_eq(topo_load(path, NULL, &t, &err), cases[i].st, "%s: %s", path, err.msg);
        cr_expect_null(t, "%s: no topology on error", path);
    }
}

/* Writes text to a temp file and loads it (nodes text may be NULL). */
static tp_status_t load_text(const char *hn_text, const char *nodes_text, struct topo **t,
                             struct tp_error *err, char *path, size_t len)
{
    char npath[128];
    snprintf(path, len, "/tmp/tierperf-test-topo-%d.yaml", (int)getpid());
    snprintf(npath, sizeof(npath), "/tmp/tierperf-test-nodes-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(hn_text, f);
    fclose(f);
    if (nodes_text != NULL) {
        f = fopen(npath, "w");
        cr_assert_not_null(f);
        fputs(nodes_text, f);
        fclose(f);
    }
    tp_status_t st = topo_load(path, nodes_text ? npath : NULL, t, err);
    unlink(path);
    unlink(npath);
    return st;
}

#define ONE_HN "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: leaf}\n" \
               "spec: {tier: 1, members: [{type: Node, selector: {regexMatch: {pattern: '^n'}}}]}\n"

Test(topo_parse, empty_and_missing_inputs)
{
    char path[128];
    struct topo *t = NULL;
    struct tp_error err = {0};
    cr_expect_eq(load_text("", NULL, &t, &err, path, sizeof(path)), TP_ERR_PARSE);
    cr_expect_not_null(strstr(err.msg, "no HyperNode objects"), "%s", err.msg);
    cr_expect_eq(load_text("apiVersion: v1\nkind: List\nitems: []\n", NULL, &t, &err, path, sizeof(path)),
                 TP_ERR_PARSE);
    cr_expect_eq(topo_load(FIX "/does-not-exist.yaml", NULL, &t, &err), TP_ERR_IO);
    cr_expect_not_null(strstr(err.msg, FIX "/does-not-exist.yaml"), "%s", err.msg);
    cr_expect_eq(topo_load(FIX "/good-single.yaml", FIX "/nope-nodes.yaml", &t, &err), TP_ERR_IO);
    cr_expect_not_null(strstr(err.msg, "nope-nodes.yaml"), "%s", err.msg);
}

Test(topo_parse, tier_zero_status_fields_and_unknown_fields_are_accepted)
{
    char path[128];
    struct topo *t = NULL;
    struct tp_error err = {0};
    const char *text =
        "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\n"
        "metadata: {name: z, labels: {volcano.sh/network-topology-source: label}}\n"
        "spec:\n  tier: 0\n  tierName: volcano.sh/hypernode\n  members:\n"
        "  - {type: Node, selector: {exactMatch: {name: a}}}\n  - {type: Node, selector: {exactMatch: {name: b}}}\n"
        "status: {nodeCount: 2, conditions: [{type: Ready}]}\n";
    cr_assert_eq(load_text(text, NULL, &t, &err, path, sizeof(path)), TP_OK, "%s", err.msg);
    cr_expect_eq(topo_max_tier(t), 0);
    cr_expect_eq(topo_virtual_tier(t), 1);
    cr_expect_str_eq(topo_tier_name(t, 0), "volcano.sh/hypernode");
    cr_expect_eq(topo_tier(t, "a", "b", NULL), 0);
    topo_free(t);
}

Test(topo_parse, label_match_on_hypernode_member_warns)
{
    char path[128];
    struct topo *t = NULL;
    struct tp_error err = {0};
    const char *text =
        "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: leaf}\n"
        "spec: {tier: 1, members: [{type: Node, selector: {exactMatch: {name: a}}}]}\n---\n"
        "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: top}\n"
        "spec: {tier: 2, members: [{type: HyperNode, selector: {exactMatch: {name: leaf}}},\n"
        "  {type: HyperNode, selector: {labelMatch: {matchLabels: {a: b}}}}]}\n";
    cr_assert_eq(load_text(text, NULL, &t, &err, path, sizeof(path)), TP_OK, "%s", err.msg);
    cr_assert_eq(topo_warning_count(t), 1);
    cr_expect_not_null(strstr(topo_warning(t, 0), "HyperNode 'top'"), "%s", topo_warning(t, 0));
    cr_expect_not_null(strstr(topo_warning(t, 0), "spec.members[1].selector"), "%s", topo_warning(t, 0));
    cr_expect_not_null(strstr(topo_warning(t, 0), "labelMatch"), "%s", topo_warning(t, 0));
    cr_expect_null(topo_warning(t, 1));
    topo_free(t);
}

Test(topo_parse, bad_labelmatch_forms)
{
    static const struct { const char *sel, *want; } cases[] = {
        {"{labelMatch: {}}", "neither matchLabels nor matchExpressions"},
        {"{labelMatch: {matchLabels: [a]}}", "matchLabels must be a mapping"},
        {"{labelMatch: {matchExpressions: {key: a}}}", "matchExpressions must be a list"},
        {"{labelMatch: {matchExpressions: [{operator: In, values: [a]}]}}", "key is required"},
        {"{labelMatch: {matchExpressions: [{key: a}]}}", "operator is required"},
        {"{labelMatch: {matchExpressions: [{key: a, operator: In}]}}", "non-empty values"},
        {"{labelMatch: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}}", "takes no values"},
        {"{exactMatch: {}}", "exactMatch.name is required"},
        {"{regexMatch: {pattern: ''}}", "regexMatch.pattern is required"},
        {"{regexMatch: {pattern: 'a\\Qb'}}", "RE2-only escape"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[512], path[128];
        struct topo *t = NULL;
        struct tp_error err = {0};
        snprintf(text, sizeof(text),
                 "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: h}\n"
                 "spec: {tier: 1, members: [{type: Node, selector: %s}]}\n", cases[i].sel);
        cr_expect_eq(load_text(text, NULL, &t, &err, path, sizeof(path)), TP_ERR_PARSE, "%s", cases[i].sel);
        cr_expect_not_null(strstr(err.msg, cases[i].want), "%s: '%s' missing in: %s", cases[i].sel,
                           cases[i].want, err.msg);
        cr_expect_not_null(strstr(err.msg, "HyperNode 'h'"), "%s", err.msg);
        cr_expect_not_null(strstr(err.msg, "spec.members[0]"), "%s", err.msg);
        topo_free(t);
    }
}

Test(topo_parse, nodes_file_errors_name_file_and_field)
{
    static const struct { const char *nodes, *want[2]; } cases[] = {
        {"apiVersion: v1\nkind: List\nitems:\n- {kind: Pod, metadata: {name: p}}\n", {"items[0].kind", "'Pod'"}},
        {"apiVersion: v1\nkind: List\nitems:\n- {kind: Node, metadata: {labels: {a: b}}}\n",
         {"metadata.name", "required"}},
        {"apiVersion: v1\nkind: List\nitems:\n- {kind: Node, metadata: {name: n}}\n"
         "- {kind: Node, metadata: {name: n}}\n", {"Node 'n'", "listed twice"}},
        {"apiVersion: v1\nkind: List\nitems:\n- {kind: Node, metadata: {name: n, labels: {a: [x]}}}\n",
         {"Node 'n'", "metadata.labels"}},
        {"apiVersion: v1\nkind: ConfigMap\n", {"kind", "'ConfigMap'"}},
        {"apiVersion: v1\nkind: List\nitems: {a: [\n", {"YAML syntax error", ":"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[128];
        struct topo *t = NULL;
        struct tp_error err = {0};
        cr_expect_eq(load_text(ONE_HN, cases[i].nodes, &t, &err, path, sizeof(path)), TP_ERR_PARSE,
                     "case %zu: %s", i, err.msg);
        cr_expect_not_null(strstr(err.msg, "tierperf-test-nodes-"), "case %zu: file not named: %s", i, err.msg);
        for (size_t k = 0; k < 2; k++)
            cr_expect_not_null(strstr(err.msg, cases[i].want[k]), "case %zu: '%s' missing in: %s", i,
                               cases[i].want[k], err.msg);
        topo_free(t);
    }
}

Test(topo_parse, nodes_file_json_and_single_node)
{
    char path[128];
    struct topo *t = NULL;
    struct tp_error err = {0};
    cr_assert_eq(load_text(ONE_HN, "{\"apiVersion\": \"v1\", \"kind\": \"Node\", \"metadata\": {\"name\": \"n7\"}}\n",
                           &t, &err, path, sizeof(path)), TP_OK, "%s", err.msg);
    cr_expect_eq(topo_node_count(t), 1);
    cr_expect_str_eq(topo_node_name(t, 0), "n7");
    const char *hn = NULL;
    cr_expect_eq(topo_node_path(t, "n7", &hn, NULL, 1), 1);
    cr_expect_str_eq(hn, "leaf");
    topo_free(t);
}

Test(topo_regex, re2_spellings_translate_to_ere)
{
    static const struct { const char *re2, *ere; } cases[] = {
        {"^gpu-\\d+$", "^gpu-[0-9]+$"},
        {"^(?:a|b)\\w*?$", "^(a|b)[0-9A-Za-z_]*$"},
        {"\\Anode\\.x\\z", "^node\\.x$"},
        {"[\\d.a-]", "[0-9.a-]"},
        {"[]a]", "[]a]"},
        {"[[:alpha:]]+", "[[:alpha:]]+"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char why[200] = "";
        char *ere = topo_regex_translate(cases[i].re2, why, sizeof(why));
        cr_expect_not_null(ere, "%s: %s", cases[i].re2, why);
        if (ere)
            cr_expect_str_eq(ere, cases[i].ere, "%s", cases[i].re2);
        free(ere);
    }
}

Test(topo_regex, untranslatable_re2_is_refused_with_reason)
{
    static const char *const bad[] = {"(?i)x", "(?P<n>x)", "x\\", "\\pL", "[a", "[[:alpha]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char why[200] = "";
        char *ere = topo_regex_translate(bad[i], why, sizeof(why));
        cr_expect_null(ere, "%s translated to %s", bad[i], ere ? ere : "");
        cr_expect_neq(why[0], '\0', "%s: no reason", bad[i]);
        free(ere);
    }
}

/* glibc's regcomp takes seconds and gigabytes on short patterns that
 * stack operators or nest counted repeats (found by fuzz_profile); RE2,
 * what Volcano runs, refuses them too. */
Test(topo_regex, costly_patterns_are_refused_before_regcomp)
{
    static const char *const costly[] = {"^s**", "a+*", "a?{2}", "a{2}*", "a{1001}",
                                         "((a{100}){100})", "(x(a{40}){40})", "[ab]{10}{10}"};
    static const char *const fine[] = {"^gpu-[0-9]+$", "(a{30}){30}", "a{1000}", "x{,}",
                                       "(a*)*", "[*+]*", "\\*+", "rack-{1}-a", "^(ab|cd)?e*$"};
    for (size_t i = 0; i < sizeof(costly) / sizeof(costly[0]); i++) {
        char why[200] = "";
        regex_t re;
        cr_expect_eq(topo_regex_compile(costly[i], &re, why, sizeof(why)), -1, "%s compiled", costly[i]);
        cr_expect(strstr(why, "repe") != NULL, "%s: reason '%s'", costly[i], why);
    }
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        char why[200] = "";
        regex_t re;
        cr_expect_eq(topo_regex_compile(fine[i], &re, why, sizeof(why)), 0, "%s: %s", fine[i], why);
        regfree(&re);
    }
}

Test(topo_regex, anchored_literal_prefix)
{
    cr_expect_eq(topo_regex_prefix("^gpu-node-[0-3]$"), strlen("gpu-node-"));
    cr_expect_eq(topo_regex_prefix("^rack1a*"), strlen("rack1"));  /* a* may be empty */
    cr_expect_eq(topo_regex_prefix("gpu-[0-3]"), 0);                  /* not anchored */
    cr_expect_eq(topo_regex_prefix("^a-1|^b-2"), 0);                  /* alternation */
    cr_expect_eq(topo_regex_prefix("^[ab]x"), 0);
}

Test(topo_parse, nodes_file_as_kubectl_prints_it)
{
    char path[128];
    struct topo *t = NULL;
    struct tp_error err = {0};
    /* kubectl sorts keys: items before kind, labels before name; status,
     * annotations and deep lists are skipped; two documents */
    const char *nodes =
        "apiVersion: v1\nitems:\n"
        "- apiVersion: v1\n  metadata:\n    annotations: {a: b}\n    labels:\n      zone: a\n"
        "      kubernetes.io/hostname: n1\n    name: n1\n  spec: {taints: [{key: k, effect: NoSchedule}]}\n"
        "  status:\n    images:\n    - names: [x, y]\n      sizeBytes: 1\n    nodeInfo: {a: [[[[1]]]]}\n"
        "  kind: Node\n"
        "- {metadata: {name: n2, labels: {zone: b}}}\n"
        "kind: List\nmetadata: {resourceVersion: \"\"}\n"
        "---\n"
        "{\"kind\": \"Node\", \"metadata\": {\"labels\": {\"zone\": \"a\"}, \"name\": \"n3\"}, \"status\": {}}\n";
    const char *hn =
        "apiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\nmetadata: {name: za}\n"
        "spec: {tier: 1, members: [{type: Node, selector: {labelMatch: {matchLabels: {zone: a}}}}]}\n";
    cr_assert_eq(load_text(hn, nodes, &t, &err, path, sizeof(path)), TP_OK, "%s", err.msg);
    cr_expect_eq(topo_node_count(t), 3);
    cr_expect_eq(topo_tier(t, "n1", "n3", NULL), 1);
    cr_expect_eq(topo_tier(t, "n1", "n2", NULL), 2);
    topo_free(t);

    /* a List whose kind says otherwise, after its items */
    cr_expect_eq(load_text(hn, "items: [{metadata: {name: n1}}]\nkind: NodeList2\n", &t, &err, path,
                           sizeof(path)), TP_ERR_PARSE);
    cr_expect_not_null(strstr(err.msg, "'NodeList2'"), "%s", err.msg);
    /* a label value that is not a string */
    cr_expect_eq(load_text(hn, "kind: Node\nmetadata: {name: n1, labels: {zone: {a: b}}}\n", &t, &err, path,
                           sizeof(path)), TP_ERR_PARSE);
    cr_expect_not_null(strstr(err.msg, "metadata.labels"), "%s", err.msg);
    /* an item that is not a mapping */
    cr_expect_eq(load_text(hn, "kind: List\nitems: [n1]\n", &t, &err, path, sizeof(path)), TP_ERR_PARSE);
    cr_expect_not_null(strstr(err.msg, "metadata.name"), "%s", err.msg);
    /* deeper than the reader tracks: skipped, not a crash */
    char deep[2048] = "kind: List\nitems:\n- metadata: {name: n1}\n  x: ";
    for (int i = 0; i < 300; i++)
        strcat(deep, "[");
    for (int i = 0; i < 300; i++)
        strcat(deep, "]");
    strcat(deep, "\n");
    cr_expect_eq(load_text(hn, deep, &t, &err, path, sizeof(path)), TP_OK, "%s", err.msg);
    topo_free(t);
}
