/* topo_nodes.c: read `kubectl get nodes -o yaml|json` (a List of Node
 * objects, or one Node) for node names and labels, which labelMatch and
 * regexMatch selectors need.  A real cluster's node list carries status,
 * images and annotations (10-30 KB a node, hundreds of MB at 10k nodes),
 * so this reads libyaml's event stream and keeps only metadata.name and
 * metadata.labels instead of loading whole documents.  JSON is read by
 * libyaml too (it is a YAML subset as kubectl prints it). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "topo_internal.h"

#define NODES_MAX_DEPTH 256

struct frame {
    int is_map;
    int want_key;                 /* map: the next event is a key */
    char *key;                    /* map: the current key, NULL if not a scalar */
    int line;                     /* 1-based line of the collection start */
};

struct nobj {                     /* a Node object being read */
    char *name;
    char *kind;
    struct topo_label *labels;
    size_t nlabels, cap;
    int line;
};

struct nreader {
    struct topo *t;
    const char *path;
    struct tp_error *err;
    struct frame *f;              /* open collections, f[0] the root */
    size_t depth;                 /* number of open collections */
    size_t skip;                  /* open collections beyond NODES_MAX_DEPTH */
    struct nobj root, item;       /* the root object and the current item */
    size_t nitems;                /* items seen in this document */
    struct nobj *pending;         /* items, committed at document end */
    size_t npending, cap_pending;
    int items_seq;                /* the root's items is a sequence */
    size_t added;
};

static void nobj_free(struct nobj *o)
{
    for (size_t i = 0; i < o->nlabels; i++) {
        free(o->labels[i].key);
        free(o->labels[i].value);
    }
    free(o->labels);
    free(o->name);
    free(o->kind);
    memset(o, 0, sizeof(*o));
}

static tp_status_t oom(struct nreader *r)
{
    return tp_error_set(r->err, TP_ERR_NO_MEMORY, "%s: out of memory", r->path);
}

static int set_str(char **dst, const char *s)
{
    char *c = strdup(s);
    if (c == NULL)
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

static int add_label(struct nobj *o, const char *k, const char *v)
{
    for (size_t i = 0; i < o->nlabels; i++)
        if (strcmp(o->labels[i].key, k) == 0)
            return set_str(&o->labels[i].value, v);
    if (o->nlabels == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 8;
        struct topo_label *l = realloc(o->labels, ncap * sizeof(*l));
        if (l == NULL)
            return -1;
        o->labels = l;
        o->cap = ncap;
    }
    struct topo_label *l = &o->labels[o->nlabels];
    l->key = strdup(k);
    l->value = strdup(v);
    if (l->key == NULL || l->value == NULL) {
        free(l->key);
        free(l->value);
        return -1;
    }
    o->nlabels++;
    return 0;
}

static int key_is(const struct nreader *r, size_t i, const char *k)
{
    return i < r->depth && r->f[i].is_map && r->f[i].key != NULL && strcmp(r->f[i].key, k) == 0;
}

/* Which object a value at the current depth belongs to: the root (base 0)
 * or an item of the root's items list (base 2).  NULL: neither. */
static struct nobj *object_at(struct nreader *r, size_t *base_p)
{
    if (r->depth >= 3 && key_is(r, 0, "items") && !r->f[1].is_map && r->f[2].is_map) {
        *base_p = 2;
        return &r->item;
    }
    *base_p = 0;
    return r->depth >= 1 && r->f[0].is_map ? &r->root : NULL;
}

/* A value (scalar, or NULL for a collection or alias) at the current depth. */
static tp_status_t on_value(struct nreader *r, const char *s, int line)
{
    size_t base;
    struct nobj *o = object_at(r, &base);
    if (o == NULL || r->depth <= base)
        return TP_OK;
    size_t rel = r->depth - base;
    if (rel == 1 && key_is(r, base, "kind") && s != NULL)
        return set_str(&o->kind, s) ? oom(r) : TP_OK;
    if (rel == 2 && key_is(r, base, "metadata") && key_is(r, base + 1, "name"))
        return s != NULL && set_str(&o->name, s) ? oom(r) : TP_OK;
    if (rel == 3 && key_is(r, base, "metadata") && key_is(r, base + 1, "labels") &&
        r->f[base + 1].is_map == 1 && r->f[base + 2].is_map) {
        if (s == NULL || r->f[base + 2].key == NULL)
            return tp_error_set(r->err, TP_ERR_PARSE,
                                "%s:%d: Node '%s': metadata.labels: keys and values must be strings", r->path,
                                line, o->name ? o->name : "?");
        return add_label(o, r->f[base + 2].key, s) ? oom(r) : TP_OK;
    }
    return TP_OK;
}

/* After a value: a map now wants its next key. */
static void value_done(struct nreader *r)
{
    if (r->depth > 0 && r->f[r->depth - 1].is_map)
        r->f[r->depth - 1].want_key = 1;
}

static tp_status_t commit(struct nreader *r, struct nobj *o)
{
    if (o->name == NULL || o->name[0] == '\0')
        return tp_error_set(r->err, TP_ERR_PARSE, "%s:%d: Node: metadata.name is required", r->path, o->line);
    int idx = topo_node_add(r->t, o->name);
    if (idx < 0)
        return oom(r);
    struct topo_node *n = &r->t->nodes[idx];
    if (n->has_labels)
        return tp_error_set(r->err, TP_ERR_PARSE, "%s:%d: Node '%s': metadata.name: listed twice", r->path,
                            o->line, o->name);
    n->has_labels = 1;
    n->labels = o->labels;
    n->nlabels = o->nlabels;
    o->labels = NULL;
    o->nlabels = o->cap = 0;
    r->added++;
    return TP_OK;
}

/* An item's mapping closed: check its kind now (the line is known), keep
 * it until the document says it is a List. */
static tp_status_t item_done(struct nreader *r)
{
    struct nobj *o = &r->item;
    size_t idx = r->nitems++;
    if (o->kind != NULL && strcmp(o->kind, "Node") != 0)
        return tp_error_set(r->err, TP_ERR_PARSE, "%s:%d: items[%zu].kind: '%s' is not a Node", r->path, o->line,
                            idx, o->kind);
    if (r->npending == r->cap_pending) {
        size_t ncap = r->cap_pending ? r->cap_pending * 2 : 64;
        struct nobj *p = realloc(r->pending, ncap * sizeof(*p));
        if (p == NULL)
            return oom(r);
        r->pending = p;
        r->cap_pending = ncap;
    }
    r->pending[r->npending++] = *o;
    memset(o, 0, sizeof(*o));
    return TP_OK;
}

static void doc_reset(struct nreader *r)
{
    nobj_free(&r->root);
    nobj_free(&r->item);
    for (size_t i = 0; i < r->npending; i++)
        nobj_free(&r->pending[i]);
    r->npending = 0;
    r->nitems = 0;
    r->items_seq = 0;
}

static tp_status_t doc_done(struct nreader *r, int root_type, int root_line)
{
    tp_status_t st = TP_OK;
    const char *kind = r->root.kind;
    if (root_type == 0)
        return TP_OK;                               /* empty document */
    if (kind != NULL && strcmp(kind, "Node") == 0) {
        r->root.line = root_line;
        return commit(r, &r->root);
    }
    if (kind == NULL || strcmp(kind, "List") != 0 || !r->items_seq)
        return tp_error_set(r->err, TP_ERR_PARSE,
                            "%s:%d: kind: expected a Node or a List of Nodes (kubectl get nodes -o yaml), got '%s'",
                            r->path, root_line, kind ? kind : "(missing)");
    for (size_t i = 0; i < r->npending && st == TP_OK; i++)
        st = commit(r, &r->pending[i]);
    return st;
}

/* A scalar (or alias) event: a key, a value, or a scalar document. */
static tp_status_t on_scalar(struct nreader *r, const yaml_event_t *ev, int line, int *root_type,
                             int *root_line)
{
    const char *s = ev->type == YAML_SCALAR_EVENT ? (const char *)ev->data.scalar.value : NULL;
    if (r->skip > 0)
        return TP_OK;
    if (r->depth == 0) {                        /* a scalar document */
        if (s == NULL || s[0] != '\0') {
            *root_type = 2;
            *root_line = line;
        }
        return TP_OK;
    }
    struct frame *top = &r->f[r->depth - 1];
    if (top->is_map && top->want_key) {
        free(top->key);
        top->key = s ? strdup(s) : NULL;
        if (s != NULL && top->key == NULL)
            return oom(r);
        top->want_key = 0;
        return TP_OK;
    }
    if (r->depth == 2 && key_is(r, 0, "items") && !top->is_map)   /* item not a mapping */
        return tp_error_set(r->err, TP_ERR_PARSE, "%s:%d: Node: metadata.name is required", r->path, line);
    tp_status_t st = on_value(r, s, line);
    value_done(r);
    return st;
}

/* A mapping or sequence starts: a value of its parent, or the root. */
static tp_status_t on_open(struct nreader *r, const yaml_event_t *ev, int line, int *root_type,
                           int *root_line)
{
    tp_status_t st;
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    if (r->skip > 0 || r->depth == NODES_MAX_DEPTH) {
        r->skip++;
        return TP_OK;
    }
    if (r->depth > 0) {
        struct frame *top = &r->f[r->depth - 1];
        if (top->is_map && top->want_key) {     /* a collection as a key */
            free(top->key);
            top->key = NULL;
            top->want_key = 0;
        } else if ((st = on_value(r, NULL, line)) != TP_OK) {
            return st;
        }
    } else {
        *root_type = is_map ? 1 : 2;
        *root_line = line;
    }
    if (r->depth == 1 && key_is(r, 0, "items") && !is_map)
        r->items_seq = 1;
    r->f[r->depth++] = (struct frame){is_map, 1, NULL, line};
    if (r->depth == 3 && key_is(r, 0, "items") && !r->f[1].is_map && is_map) {
        nobj_free(&r->item);
        r->item.line = line;
    }
    return TP_OK;
}

static tp_status_t on_event(struct nreader *r, const yaml_event_t *ev, int *root_type, int *root_line)
{
    int line = (int)ev->start_mark.line + 1;
    tp_status_t st = TP_OK;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        doc_reset(r);
        *root_type = 0;
        return TP_OK;
    case YAML_DOCUMENT_END_EVENT:
        st = doc_done(r, *root_type, *root_line);
        doc_reset(r);
        return st;
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
        return on_scalar(r, ev, line, root_type, root_line);
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        return on_open(r, ev, line, root_type, root_line);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        if (r->skip > 0) {
            r->skip--;
            return TP_OK;
        }
        if (r->depth == 3 && key_is(r, 0, "items") && !r->f[1].is_map && r->f[2].is_map)
            st = item_done(r);
        free(r->f[r->depth - 1].key);
        r->depth--;
        value_done(r);
        return st;
    default:
        return TP_OK;
    }
}

tp_status_t topo_nodes_load(struct topo *t, const char *path, struct tp_error *err)
{
    struct nreader r = {t, path, err};
    yaml_parser_t parser;
    tp_status_t st = TP_OK;
    int root_type = 0, root_line = 0, done = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    r.f = calloc(NODES_MAX_DEPTH, sizeof(*r.f));
    if (r.f == NULL || !yaml_parser_initialize(&parser)) {
        free(r.f);
        fclose(f);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: cannot initialise libyaml", path);
    }
    yaml_parser_set_input_file(&parser, f);
    while (!done && st == TP_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            st = tp_error_set(err, TP_ERR_PARSE, "%s:%zu: YAML syntax error: %s%s%s", path,
                              parser.problem_mark.line + 1, parser.problem ? parser.problem : "unknown problem",
                              parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        st = on_event(&r, &ev, &root_type, &root_line);
        yaml_event_delete(&ev);
    }
    while (r.depth > 0)
        free(r.f[--r.depth].key);
    doc_reset(&r);
    free(r.pending);
    free(r.f);
    yaml_parser_delete(&parser);
    fclose(f);
    if (st == TP_OK && r.added == 0)
        st = tp_error_set(err, TP_ERR_PARSE, "%s: no Node objects found", path);
    return st;
}
