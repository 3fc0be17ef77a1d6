/* topo_parse.c: read HyperNode objects (single objects, multi-document
 * files, kubectl `kind: List`) into struct topo.  Only the fields the
 * scheduler reads are kept; status.* and unknown fields are ignored.
 * Every error names file:line, the object and the field. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_regex.h"
#include "topo_yaml_read.h"

#define HN_API "topology.volcano.sh/v1alpha1"

struct pctx {
    struct topo *t;
    const char *file;
    yaml_document_t *doc;
    const char *obj;              /* object name for messages */
    char objbuf[300];             /* "HyperNode 'x'", or "items[3]" unnamed */
    struct tp_error *err;
};

static tp_status_t perr(struct pctx *c, yaml_node_t *at, const char *field,
                        const char *fmt, const char *a, const char *b)
{
    char what[sizeof(c->err->msg)];     /* room for any argument we pass */
    snprintf(what, sizeof(what), fmt, a ? a : "", b ? b : "");
    return tp_error_set(c->err, TP_ERR_PARSE, "%s:%d: %s: %s: %s", c->file,
                        topo_yline(at), c->obj, field, what);
}

static int is_dns_subdomain(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
              s[i] == '.'))
            return 0;
    return 1;
}

static tp_status_t parse_label_values(struct pctx *c, yaml_node_t *seq, const char *field,
                                      struct topo_label_expr *e)
{
    if (seq == NULL)
        return TP_OK;
    if (seq->type != YAML_SEQUENCE_NODE)
        return perr(c, seq, field, "values must be a list%s%s", NULL, NULL);
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    e->values = calloc(n ? n : 1, sizeof(char *));
    if (e->values == NULL)
        return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *v = yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);
        const char *s = topo_yscalar(v);
        if (s == NULL)
            return perr(c, v, field, "values must be strings%s%s", NULL, NULL);
        if ((e->values[e->nvalues++] = strdup(s)) == NULL)
            return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    }
    return TP_OK;
}

static tp_status_t parse_label_match(struct pctx *c, yaml_node_t *lm, const char *field,
                                     struct topo_member *m)
{
    char f[160];
    yaml_node_t *ml = topo_ymap_get(c->doc, lm, "matchLabels");
    yaml_node_t *me = topo_ymap_get(c->doc, lm, "matchExpressions");
    size_t nml = 0, nme = 0;

    if (lm->type != YAML_MAPPING_NODE)
        return perr(c, lm, field, "labelMatch must be a mapping%s%s", NULL, NULL);
    if (ml != NULL && ml->type == YAML_MAPPING_NODE)
        nml = (size_t)(ml->data.mapping.pairs.top - ml->data.mapping.pairs.start);
    else if (ml != NULL && !(ml->type == YAML_SCALAR_NODE && topo_yscalar(ml)[0] == '\0'))
        return perr(c, ml, field, "matchLabels must be a mapping of label: value%s%s", NULL, NULL);
    if (me != NULL && me->type == YAML_SEQUENCE_NODE)
        nme = (size_t)(me->data.sequence.items.top - me->data.sequence.items.start);
    else if (me != NULL && !(me->type == YAML_SCALAR_NODE && topo_yscalar(me)[0] == '\0'))
        return perr(c, me, field, "matchExpressions must be a list%s%s", NULL, NULL);
    if (nml + nme == 0)
        return perr(c, lm, field,
                    "labelMatch has neither matchLabels nor matchExpressions (it would select every node)%s%s",
                    NULL, NULL);
    m->exprs = calloc(nml + nme, sizeof(*m->exprs));
    if (m->exprs == NULL)
        return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    for (size_t i = 0; i < nml; i++) {
        yaml_node_pair_t *p = &ml->data.mapping.pairs.start[i];
        const char *k = topo_yscalar(yaml_document_get_node(c->doc, p->key));
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        const char *v = topo_yscalar(vn);
        struct topo_label_expr *e = &m->exprs[m->nexprs++];
        snprintf(f, sizeof(f), "%s.labelMatch.matchLabels", field);
        if (k == NULL || v == NULL)
            return perr(c, vn, f, "keys and values must be strings%s%s", NULL, NULL);
        e->op = TOPO_OP_IN;
        e->key = strdup(k);
        e->values = calloc(1, sizeof(char *));
        if (e->key == NULL || e->values == NULL || (e->values[0] = strdup(v)) == NULL)
            return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
        e->nvalues = 1;
    }
    for (size_t i = 0; i < nme; i++) {
        yaml_node_t *x = yaml_document_get_node(c->doc, me->data.sequence.items.start[i]);
        const char *k = topo_yscalar(topo_ymap_get(c->doc, x, "key"));
        yaml_node_t *opn = topo_ymap_get(c->doc, x, "operator");
        const char *op = topo_yscalar(opn);
        struct topo_label_expr *e = &m->exprs[m->nexprs++];
        snprintf(f, sizeof(f), "%s.labelMatch.matchExpressions[%zu]", field, i);
        if (k == NULL || k[0] == '\0')
            return perr(c, x, f, "key is required%s%s", NULL, NULL);
        if (op == NULL)
            return perr(c, x, f, "operator is required (In, NotIn, Exists, DoesNotExist)%s%s", NULL, NULL);
        if (strcmp(op, "In") == 0) e->op = TOPO_OP_IN;
        else if (strcmp(op, "NotIn") == 0) e->op = TOPO_OP_NOTIN;
        else if (strcmp(op, "Exists") == 0) e->op = TOPO_OP_EXISTS;
        else if (strcmp(op, "DoesNotExist") == 0) e->op = TOPO_OP_NOTEXISTS;
        else
            return perr(c, opn, f, "unknown operator '%s' (In, NotIn, Exists, DoesNotExist)%s", op, NULL);
        if ((e->key = strdup(k)) == NULL)
            return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
        tp_status_t st = parse_label_values(c, topo_ymap_get(c->doc, x, "values"), f, e);
        if (st != TP_OK)
            return st;
        if ((e->op == TOPO_OP_IN || e->op == TOPO_OP_NOTIN) && e->nvalues == 0)
            return perr(c, x, f, "operator %s needs a non-empty values list%s", op, NULL);
        if ((e->op == TOPO_OP_EXISTS || e->op == TOPO_OP_NOTEXISTS) && e->nvalues != 0)
            return perr(c, x, f, "operator %s takes no values%s", op, NULL);
    }
    return TP_OK;
}

static tp_status_t parse_member(struct pctx *c, yaml_node_t *mn, size_t idx, struct topo_member *m)
{
    static const char *const kinds[] = {"exactMatch", "regexMatch", "labelMatch"};
    char field[64];
    yaml_node_t *found[3];
    int nkinds = 0, kind = -1;

    snprintf(field, sizeof(field), "spec.members[%zu]", idx);
    m->line = topo_yline(mn);
    if (mn->type != YAML_MAPPING_NODE)
        return perr(c, mn, field, "must be a mapping with type and selector%s%s", NULL, NULL);
    yaml_node_t *tn = topo_ymap_get(c->doc, mn, "type");
    const char *type = topo_yscalar(tn);
    if (type == NULL)
        return perr(c, mn, field, "type is required (Node or HyperNode)%s%s", NULL, NULL);
    if (strcmp(type, "Node") == 0)
        m->type = TOPO_MEMBER_NODE;
    else if (strcmp(type, "HyperNode") == 0)
        m->type = TOPO_MEMBER_HYPERNODE;
    else
        return perr(c, tn, field, "type '%s' is neither Node nor HyperNode%s", type, NULL);
    yaml_node_t *sel = topo_ymap_get(c->doc, mn, "selector");
    snprintf(field, sizeof(field), "spec.members[%zu].selector", idx);
    if (sel == NULL || sel->type != YAML_MAPPING_NODE)
        return perr(c, sel ? sel : mn, field, "selector is required and must be a mapping%s%s", NULL, NULL);
    for (int k = 0; k < 3; k++) {
        found[k] = topo_ymap_get(c->doc, sel, kinds[k]);
        if (found[k] != NULL) {
            if (nkinds == 1)
                return perr(c, found[k], field,
                            "has both %s and %s; exactly one of exactMatch, regexMatch, labelMatch is allowed",
                            kinds[kind], kinds[k]);
            nkinds++;
            kind = k;
        }
    }
    if (nkinds == 0)
        return perr(c, sel, field, "has none of exactMatch, regexMatch, labelMatch (exactly one is required)%s%s",
                    NULL, NULL);
    m->sel = (enum topo_sel_kind)kind;
    if (kind == 0) {
        yaml_node_t *nn = topo_ymap_get(c->doc, found[0], "name");
        const char *name = topo_yscalar(nn);
        if (name == NULL || name[0] == '\0')
            return perr(c, nn ? nn : found[0], field, "exactMatch.name is required and must be non-empty%s%s",
                        NULL, NULL);
        if (!is_dns_subdomain(name))
            return perr(c, nn, field,
                        "exactMatch.name '%s' is not a DNS subdomain (lowercase letters, digits, '-', '.')%s",
                        name, NULL);
        m->value = strdup(name);
    } else if (kind == 1) {
        yaml_node_t *pn = topo_ymap_get(c->doc, found[1], "pattern");
        const char *pat = topo_yscalar(pn);
        char why[200];
        if (pat == NULL || pat[0] == '\0')
            return perr(c, pn ? pn : found[1], field, "regexMatch.pattern is required and must be non-empty%s%s",
                        NULL, NULL);
        int rc = topo_regex_compile(pat, &m->re, why, sizeof(why));
        if (rc != 0)
            return perr(c, pn, field, "regexMatch.pattern '%s' %s", pat, why);
        m->re_ok = 1;
        m->value = strdup(pat);
    } else {
        tp_status_t st = parse_label_match(c, found[2], field, m);
        if (st != TP_OK)
            return st;
        m->value = strdup("");
    }
    if (m->value == NULL)
        return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    if (m->type == TOPO_MEMBER_HYPERNODE && kind != 0)
        topo_warn(c->t, "%s:%d: %s: %s: %s on a HyperNode member is ignored (the scheduler follows only exactMatch there)",
                  c->file, m->line, c->obj, field, kinds[kind]);
    if (m->type == TOPO_MEMBER_NODE && kind == 1)
        c->t->has_regex = 1;
    if (m->type == TOPO_MEMBER_NODE && kind == 2)
        c->t->has_label = 1;
    return TP_OK;
}

static tp_status_t parse_tier(struct pctx *c, yaml_node_t *spec, int *tier)
{
    yaml_node_t *tn = topo_ymap_get(c->doc, spec, "tier");
    const char *s = topo_yscalar(tn);
    char *end;
    if (tn == NULL)
        return perr(c, spec, "spec.tier", "is required%s%s", NULL, NULL);
    if (s == NULL || (tn->data.scalar.style != YAML_PLAIN_SCALAR_STYLE))
        return perr(c, tn, "spec.tier", "must be an integer, got '%s'%s", s ? s : "(not a scalar)", NULL);
    errno = 0;
    long v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v > INT_MAX / 2)
        return perr(c, tn, "spec.tier", "must be an integer, got '%s'%s", s, NULL);
    if (v < 0)
        return perr(c, tn, "spec.tier", "must be >= 0, got %s%s", s, NULL);
    *tier = (int)v;
    return TP_OK;
}

static tp_status_t parse_hypernode(struct pctx *c, yaml_node_t *obj, size_t item)
{
    struct topo *t = c->t;
    (void)item;

    yaml_node_t *meta = topo_ymap_get(c->doc, obj, "metadata");
    const char *name = topo_yscalar(topo_ymap_get(c->doc, meta, "name"));
    if (name == NULL || name[0] == '\0')
        return perr(c, meta ? meta : obj, "metadata.name", "is required%s%s", NULL, NULL);
    snprintf(c->objbuf, sizeof(c->objbuf), "HyperNode '%s'", name);
    c->obj = c->objbuf;
    const char *api = topo_yscalar(topo_ymap_get(c->doc, obj, "apiVersion"));
    if (api == NULL || strcmp(api, HN_API) != 0)
        return perr(c, obj, "apiVersion", "is '%s', expected " HN_API "%s", api ? api : "(missing)", NULL);
    if (topo_strmap_get(&t->hn_index, name) >= 0) {
        const struct topo_hn *o = &t->hns[topo_strmap_get(&t->hn_index, name)];
        char where[300];
        snprintf(where, sizeof(where), "%s:%d", o->file, o->line);
        return perr(c, meta, "metadata.name", "is defined twice (first at %s)%s", where, NULL);
    }
    yaml_node_t *spec = topo_ymap_get(c->doc, obj, "spec");
    if (spec == NULL || spec->type != YAML_MAPPING_NODE)
        return perr(c, spec ? spec : obj, "spec", "is required and must be a mapping%s%s", NULL, NULL);

    if (t->nhns == t->cap_hns) {
        size_t ncap = t->cap_hns ? t->cap_hns * 2 : 64;
        struct topo_hn *n = realloc(t->hns, ncap * sizeof(*n));
        if (n == NULL)
            return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
        t->hns = n;
        t->cap_hns = ncap;
    }
    struct topo_hn *h = &t->hns[t->nhns];
    memset(h, 0, sizeof(*h));
    h->parent = -1;
    h->file = c->file;
    h->line = topo_yline(obj);
    h->name = strdup(name);
    if (h->name == NULL)
        return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    t->nhns++;                     /* owned by t from here: freed with it */
    if (topo_strmap_put(&t->hn_index, h->name, (int)(t->nhns - 1)) != 0)
        return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);

    tp_status_t st = parse_tier(c, spec, &h->tier);
    if (st != TP_OK)
        return st;
    yaml_node_t *tnn = topo_ymap_get(c->doc, spec, "tierName");
    if (tnn != NULL) {
        const char *tn = topo_yscalar(tnn);
        if (tn == NULL || strlen(tn) > 253)
            return perr(c, tnn, "spec.tierName", "must be a string of at most 253 characters%s%s", NULL, NULL);
        if (tn[0] != '\0' && (h->tier_name = strdup(tn)) == NULL)
            return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    }
    yaml_node_t *mems = topo_ymap_get(c->doc, spec, "members");
    if (mems == NULL || mems->type != YAML_SEQUENCE_NODE ||
        mems->data.sequence.items.top == mems->data.sequence.items.start)
        return perr(c, mems ? mems : spec, "spec.members", "needs at least one member%s%s", NULL, NULL);
    size_t n = (size_t)(mems->data.sequence.items.top - mems->data.sequence.items.start);
    h->members = calloc(n, sizeof(*h->members));
    if (h->members == NULL)
        return tp_error_set(c->err, TP_ERR_NO_MEMORY, "%s: out of memory", c->file);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *mn = yaml_document_get_node(c->doc, mems->data.sequence.items.start[i]);
        h->nmembers++;
        st = parse_member(c, mn, i, &h->members[i]);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

static tp_status_t parse_object(struct pctx *c, yaml_node_t *obj, size_t item)
{
    snprintf(c->objbuf, sizeof(c->objbuf), "document[%zu]", item);
    c->obj = c->objbuf;
    if (obj == NULL || (obj->type == YAML_SCALAR_NODE && topo_yscalar(obj)[0] == '\0'))
        return TP_OK;                             /* empty document */
    if (obj->type != YAML_MAPPING_NODE)
        return perr(c, obj, "document", "must be a mapping (a HyperNode or a kind: List)%s%s", NULL, NULL);
    yaml_node_t *kn = topo_ymap_get(c->doc, obj, "kind");
    const char *kind = topo_yscalar(kn);
    if (kind != NULL && strcmp(kind, "List") == 0) {
        yaml_node_t *items = topo_ymap_get(c->doc, obj, "items");
        if (items == NULL || (items->type == YAML_SCALAR_NODE && topo_yscalar(items)[0] == '\0'))
            return TP_OK;                          /* kubectl prints items: [] */
        if (items->type != YAML_SEQUENCE_NODE)
            return perr(c, items, "items", "must be a list%s%s", NULL, NULL);
        for (yaml_node_item_t *it = items->data.sequence.items.start;
             it < items->data.sequence.items.top; it++) {
            yaml_node_t *o = yaml_document_get_node(c->doc, *it);
            size_t idx = (size_t)(it - items->data.sequence.items.start);
            const char *k2 = topo_yscalar(topo_ymap_get(c->doc, o, "kind"));
            snprintf(c->objbuf, sizeof(c->objbuf), "items[%zu]", idx);
            c->obj = c->objbuf;
            if (k2 == NULL || strcmp(k2, "HyperNode") != 0)
                return perr(c, o, "kind", "is '%s', expected HyperNode%s", k2 ? k2 : "(missing)", NULL);
            tp_status_t st = parse_hypernode(c, o, idx);
            if (st != TP_OK)
                return st;
        }
        return TP_OK;
    }
    if (kind == NULL || strcmp(kind, "HyperNode") != 0)
        return perr(c, kn ? kn : obj, "kind", "is '%s', expected HyperNode or List%s", kind ? kind : "(missing)",
                    NULL);
    return parse_hypernode(c, obj, item);
}

tp_status_t topo_parse_file(struct topo *t, const char *path, struct tp_error *err)
{
    struct topo_ydocs d;
    tp_status_t st = topo_ydocs_load(path, &d, err);
    if (st != TP_OK)
        return st;
    struct pctx c = {t, t->path, NULL, "", "", err};
    for (size_t i = 0; i < d.ndocs && st == TP_OK; i++) {
        c.doc = &d.docs[i];
        st = parse_object(&c, yaml_document_get_root_node(c.doc), i);
    }
    topo_ydocs_free(&d);
    if (st == TP_OK && t->nhns == 0)
        st = tp_error_set(err, TP_ERR_PARSE, "%s: no HyperNode objects found", path);
    return st;
}
