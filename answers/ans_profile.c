/* ans_profile.c: load acceptance profiles (built-in name or YAML file,
 * parsed with libyaml's document API) and match rules to pairs. */
#include "ans_profile.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "ans_units.h"
#include "../topology/topology.h"
#include "../common/regex_guard.h"

struct yctx {
    yaml_document_t *doc;
    const char *what;
    struct tp_error *err;
};

static tp_status_t bad(struct yctx *c, const yaml_node_t *n, const char *field,
                       const char *why)
{
    tp_status_t st = tp_error_set(c->err, TP_ERR_PARSE, "%s:%lu: %s: %s", c->what,
                                  n ? (unsigned long)n->start_mark.line + 1 : 0UL, field, why);
    /* keys and rule names come from the file: keep the message one line */
    for (char *p = c->err ? c->err->msg : NULL; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return st;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static tp_status_t parse_tiers(struct yctx *c, yaml_node_t *n, struct ans_rule *r)
{
    char field[96];
    snprintf(field, sizeof(field), "rule '%s' tiers", r->name);
    if (scalar(n) != NULL) {   /* "tiers: 1" as shorthand */
        char *end;
        long t = strtol(scalar(n), &end, 10);
        if (*end != '\0' || end == scalar(n) || t < 0 || t > ANS_TIER_MASK_MAX)
            return bad(c, n, field, "expected a tier number 0..63 or a list of them");
        r->tiers = 1ULL << t;
        return TP_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return bad(c, n, field, "expected a list of tier numbers");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        yaml_node_t *tn = yaml_document_get_node(c->doc, *it);
        const char *s = scalar(tn);
        char *end;
        long t = s ? strtol(s, &end, 10) : -1;
        if (s == NULL || *end != '\0' || *s == '\0' || t < 0 || t > ANS_TIER_MASK_MAX)
            return bad(c, tn, field, "expected tier numbers 0..63");
        r->tiers |= 1ULL << t;
    }
    return TP_OK;
}

/* Latency thresholds: bare numbers are microseconds, or "1ms", "50us". */
static tp_status_t parse_latency(struct yctx *c, yaml_node_t *n, struct ans_rule *r)
{
    if (n->type != YAML_MAPPING_NODE)
        return bad(c, n, "max_latency", "expected a mapping like {p50: 1ms, p99: 5ms}");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *ks = scalar(k), *vs = scalar(v);
        int which = ks ? ans_lat_from_name(ks) : -1;
        char field[96];
        snprintf(field, sizeof(field), "rule '%s' max_latency.%s", r->name, ks ? ks : "?");
        if (which < 0)
            return bad(c, k, field, "unknown percentile (p50, p90, p99, p999, mean, min, max)");
        double seconds;
        char *end;
        double us = vs ? strtod(vs, &end) : NAN;
        if (vs != NULL && end != vs && *end == '\0' && us >= 0) {
            r->max_lat_us[which] = us;
            continue;
        }
        if (vs == NULL || ans_parse_duration(vs, &seconds, NULL) != TP_OK)
            return bad(c, v, field, "expected a latency like 1ms, 50us or a number of microseconds");
        r->max_lat_us[which] = seconds * 1e6;
    }
    return TP_OK;
}

/* A count of events (max_device_errors): a whole number 0 .. 2^53. */
static tp_status_t parse_count(struct yctx *c, yaml_node_t *n, const char *field, double *out)
{
    const char *vs = scalar(n);
    char *end = NULL;
    errno = 0;
    unsigned long long v = vs != NULL && vs[0] >= '0' && vs[0] <= '9' ? strtoull(vs, &end, 10) : 0;
    if (end == NULL || *end != '\0' || errno != 0 || v > (1ULL << 53))
        return bad(c, n, field, "expected a whole number of errors like 0");
    *out = (double)v;
    return TP_OK;
}

/* node_labels: {key: value, ...}, Kubernetes matchLabels: all must match. */
static tp_status_t parse_labels(struct yctx *c, yaml_node_t *n, struct ans_rule *r)
{
    char field[96];
    snprintf(field, sizeof(field), "rule '%s' node_labels", r->name);
    if (n->type != YAML_MAPPING_NODE || n->data.mapping.pairs.start == n->data.mapping.pairs.top)
        return bad(c, n, field, "expected a mapping of label keys to values, like "
                                "{node-role.kubernetes.io/storage: \"\"}");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *ks = scalar(k), *vs = scalar(v);
        if (r->nlabels == ANS_RULE_LABELS_MAX)
            return bad(c, k, field, "at most 4 labels");
        if (ks == NULL || ks[0] == '\0' || strlen(ks) >= sizeof(r->labels[0].key))
            return bad(c, k, field, "label keys are strings of 1 to 253 characters");
        if (vs == NULL || strlen(vs) >= sizeof(r->labels[0].value))
            return bad(c, v, field, "label values are strings of at most 63 characters "
                                    "(\"\" for a role label)");
        snprintf(r->labels[r->nlabels].key, sizeof(r->labels[0].key), "%s", ks);
        snprintf(r->labels[r->nlabels].value, sizeof(r->labels[0].value), "%s", vs);
        r->nlabels++;
    }
    return TP_OK;
}

static tp_status_t parse_rule(struct yctx *c, yaml_node_t *n, size_t idx, struct ans_rule *r)
{
    char field[96];
    tp_status_t st;

    memset(r, 0, sizeof(*r));
    snprintf(r->name, sizeof(r->name), "rule%zu", idx + 1);
    r->size = -1;
    r->min_bw_gbit = r->max_retrans_pct = r->max_dev_errors = NAN;
    for (int i = 0; i < ANS_LAT_N; i++)
        r->max_lat_us[i] = NAN;
    if (n->type != YAML_MAPPING_NODE)
        return bad(c, n, "rules[]", "each rule must be a mapping");
    /* name first, so later messages can use it */
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++)
        if (scalar(yaml_document_get_node(c->doc, pr->key)) &&
            strcmp(scalar(yaml_document_get_node(c->doc, pr->key)), "name") == 0 &&
            scalar(yaml_document_get_node(c->doc, pr->value)))
            snprintf(r->name, sizeof(r->name), "%s",
                     scalar(yaml_document_get_node(c->doc, pr->value)));
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *ks = scalar(k), *vs = scalar(v);
        snprintf(field, sizeof(field), "rule '%s' %s", r->name, ks ? ks : "?");
        if (ks == NULL)
            return bad(c, k, "rules[]", "keys must be strings");
        if (strcmp(ks, "name") == 0) {
            if (vs == NULL)
                return bad(c, v, field, "expected a string");
        } else if (strcmp(ks, "tiers") == 0 || strcmp(ks, "tier") == 0) {
            if ((st = parse_tiers(c, v, r)) != TP_OK)
                return st;
        } else if (strcmp(ks, "min_bandwidth") == 0) {
            if (vs == NULL || ans_parse_bandwidth(vs, &r->min_bw_gbit, NULL) != TP_OK)
                return bad(c, v, field, "expected a bandwidth like 10Gbit/s");
        } else if (strcmp(ks, "max_latency") == 0) {
            if ((st = parse_latency(c, v, r)) != TP_OK)
                return st;
        } else if (strcmp(ks, "max_retransmits") == 0) {
            if (vs == NULL || ans_parse_percent(vs, &r->max_retrans_pct, NULL) != TP_OK)
                return bad(c, v, field, "expected a percentage like 0.1%");
        } else if (strcmp(ks, "max_device_errors") == 0) {
            if ((st = parse_count(c, v, field, &r->max_dev_errors)) != TP_OK)
                return st;
        } else if (strcmp(ks, "size") == 0) {
            if (vs == NULL || ans_parse_msgsize(vs, &r->size, NULL) != TP_OK)
                return bad(c, v, field, "expected a message size like 4MiB (1 byte to 2^53)");
        } else if (strcmp(ks, "nodes") == 0) {
            regex_t re;
            char why[200];
            if (vs != NULL && regex_guard_check(vs, why, sizeof(why)) != 0) {
                char msg[240];
                snprintf(msg, sizeof(msg), "regular expression %s", why);
                return bad(c, v, field, msg);
            }
            if (vs == NULL || strlen(vs) >= sizeof(r->nodes) ||
                regcomp(&re, vs, REG_EXTENDED | REG_NOSUB) != 0)
                return bad(c, v, field, "expected a POSIX extended regular expression");
            regfree(&re);
            snprintf(r->nodes, sizeof(r->nodes), "%s", vs);
        } else if (strcmp(ks, "node_labels") == 0) {
            if ((st = parse_labels(c, v, r)) != TP_OK)
                return st;
        } else {
            return bad(c, k, field, "unknown key (name, tiers, min_bandwidth, max_latency, "
                                    "max_retransmits, max_device_errors, size, nodes, "
                                    "node_labels)");
        }
    }
    return TP_OK;
}

static tp_status_t parse_root(struct yctx *c, yaml_node_t *root, struct ans_profile *p)
{
    tp_status_t st;

    if (root == NULL || root->type != YAML_MAPPING_NODE)
        return bad(c, root, "profile", "expected a mapping with name and rules");
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
        const char *ks = scalar(k), *vs = scalar(v);
        if (ks && strcmp(ks, "name") == 0 && vs) {
            snprintf(p->name, sizeof(p->name), "%s", vs);
        } else if (ks && strcmp(ks, "description") == 0 && vs) {
            snprintf(p->description, sizeof(p->description), "%s", vs);
        } else if (ks && (strcmp(ks, "name") == 0 || strcmp(ks, "description") == 0)) {
            return bad(c, v, ks, "expected a string");
        } else if (ks && strcmp(ks, "protocol_overhead") == 0) {
            if (vs == NULL || ans_parse_percent(vs, &p->overhead_pct, NULL) != TP_OK ||
                p->overhead_pct >= 50)
                return bad(c, v, "protocol_overhead", "expected a percentage below 50, e.g. 6%");
        } else if (ks && strcmp(ks, "latency_max_size") == 0) {
            if (vs == NULL || ans_parse_msgsize(vs, &p->latency_max_size, NULL) != TP_OK)
                return bad(c, v, ks, "expected a message size like 64KiB (1 byte to 2^53)");
        } else if (ks && strcmp(ks, "nic_min_line_rate") == 0) {
            if (vs == NULL || ans_parse_percent(vs, &p->nic_min_pct, NULL) != TP_OK ||
                p->nic_min_pct <= 0 || p->nic_min_pct > 100)
                return bad(c, v, ks, "expected a percentage of the port's line rate, e.g. 90%");
        } else if (ks && strcmp(ks, "nic_min_bandwidth") == 0) {
            if (vs == NULL || ans_parse_bandwidth(vs, &p->nic_min_bw_gbit, NULL) != TP_OK ||
                p->nic_min_bw_gbit <= 0)
                return bad(c, v, ks, "expected a bandwidth like 180Gbit/s");
        } else if (ks && strcmp(ks, "rules") == 0) {
            if (v->type != YAML_SEQUENCE_NODE)
                return bad(c, v, "rules", "expected a list of rules");
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 it < v->data.sequence.items.top; it++) {
                if (p->nrules == ANS_RULES_MAX)
                    return bad(c, v, "rules", "too many rules (at most 32)");
                st = parse_rule(c, yaml_document_get_node(c->doc, *it), p->nrules,
                                &p->rules[p->nrules]);
                if (st != TP_OK)
                    return st;
                p->nrules++;
            }
        } else {
            return bad(c, k, ks ? ks : "?",
                       "unknown key (name, description, protocol_overhead, latency_max_size, "
                       "nic_min_line_rate, nic_min_bandwidth, rules)");
        }
    }
    if (p->nrules == 0)
        return bad(c, root, "rules", "a profile needs at least one rule");
    for (size_t i = 0; i < p->nrules; i++)
        p->rules[i].min_bw_gbit *= 1 - p->overhead_pct / 100;   /* NAN stays NAN */
    p->nic_min_pct *= 1 - p->overhead_pct / 100;
    p->nic_min_bw_gbit *= 1 - p->overhead_pct / 100;
    return TP_OK;
}

tp_status_t ans_profile_parse(const char *text, size_t len, const char *what,
                              struct ans_profile *profile, struct tp_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct yctx c = {&doc, what, err};
    tp_status_t st;

    memset(profile, 0, sizeof(*profile));
    profile->latency_max_size = -1;
    if (!yaml_parser_initialize(&parser))
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", what);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        st = tp_error_set(err, TP_ERR_PARSE, "%s:%lu: YAML error: %s", what,
                          (unsigned long)parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "unknown");
        yaml_parser_delete(&parser);
        return st;
    }
    st = parse_root(&c, yaml_document_get_root_node(&doc), profile);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (st == TP_OK && profile->name[0] == '\0')
        snprintf(profile->name, sizeof(profile->name), "%s", what);
    return st;
}

tp_status_t ans_profile_load(const char *name_or_path, struct ans_profile *profile,
                             struct tp_error *err)
{
    const char *text = ans_profile_builtin_text(name_or_path);
    if (text != NULL)
        return ans_profile_parse(text, strlen(text), name_or_path, profile, err);

    FILE *f = fopen(name_or_path, "rb");
    if (f == NULL) {
        char names[256] = "";
        for (size_t i = 0; i < ans_profile_builtin_count(); i++) {
            strncat(names, i ? ", " : "", sizeof(names) - strlen(names) - 1);
            strncat(names, ans_profile_builtin_name(i), sizeof(names) - strlen(names) - 1);
        }
        return tp_error_set(err, TP_ERR_INVALID,
                            "--profile %s: no such built-in profile (%s) or file (%s)",
                            name_or_path, names, strerror(errno));
    }
    char buf[65536];
    size_t len = fread(buf, 1, sizeof(buf), f);
    int failed = ferror(f), toolong = !failed && !feof(f);
    fclose(f);
    if (failed)
        return tp_error_set(err, TP_ERR_IO, "%s: cannot read the profile (a directory?)",
                            name_or_path);
    if (toolong)
        return tp_error_set(err, TP_ERR_INVALID, "%s: profile larger than 64 KiB", name_or_path);
    return ans_profile_parse(buf, len, name_or_path, profile, err);
}

static int name_matches(const char *pattern, const char *name)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    int hit = regexec(&re, name, 0, NULL, 0) == 0;
    regfree(&re);
    return hit;
}

static int labels_match(const struct ans_rule *rule, const struct topo *known, const char *node)
{
    for (size_t i = 0; i < rule->nlabels; i++) {
        const char *v = topo_node_label(known, node, rule->labels[i].key);
        if (v == NULL || strcmp(v, rule->labels[i].value) != 0)
            return 0;
    }
    return 1;
}

const char *ans_rule_labels_text(const struct ans_rule *rule, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < rule->nlabels && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s=\"%s\"", i ? ", " : "",
                         rule->labels[i].key, rule->labels[i].value);
        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

int ans_rule_selects(const struct ans_rule *rule, const struct ans_pair *pair)
{
    return ans_rule_selects_in(rule, pair, NULL);
}

int ans_rule_selects_in(const struct ans_rule *rule, const struct ans_pair *pair,
                        const struct topo *node_labels)
{
    if (rule->tiers == 0) {
        if (pair->tier == 0 || strcmp(pair->src, pair->dst) == 0)
            return 0;   /* same node: not the network */
    } else if (pair->tier < 0 || pair->tier > ANS_TIER_MASK_MAX ||
               !(rule->tiers & (1ULL << pair->tier))) {
        return 0;
    }
    if (rule->nodes[0] == '\0' && rule->nlabels == 0)
        return 1;
    if (rule->nodes[0] != '\0' &&
        (name_matches(rule->nodes, pair->src) || name_matches(rule->nodes, pair->dst)))
        return 1;
    return rule->nlabels > 0 && node_labels != NULL &&
           (labels_match(rule, node_labels, pair->src) || labels_match(rule, node_labels, pair->dst));
}
