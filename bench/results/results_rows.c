/* results_rows.c: the compact store of a loaded run's results[] and the
 * walk over it (see results_rows.h).
 *
 * While loading, an entry's structure (pre-order nodes: key, type, number of
 * children) is interned as a shape, its strings are interned, and its values
 * (numbers as their 8 bytes, strings as their id) are appended to one array.
 * When attached to the run, everything is packed into that array's block:
 * one malloc'd block that cJSON_Delete frees as the results item's
 * valuestring.  The block also holds the nodes an entry is rebuilt into. */
#include "results_rows.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PACK_MAGIC 0x7470726f77737472ULL   /* "tprowstr" */
#define NO_KEY UINT32_MAX

/* One node of an entry's structure, in pre-order. */
struct shape_node {
    uint32_t key;        /* string id; NO_KEY in an array */
    uint32_t type;       /* cJSON_False ... cJSON_Object */
    uint32_t nchild;     /* arrays and objects */
};

struct pack_shape {
    size_t first, n;     /* its nodes in the packed node array */
};

/* The block: this header, the values, then (once packed) the row offsets,
 * shapes, nodes, string offsets, string bytes and the rebuild nodes. */
struct results_pack {
    uint64_t magic;
    size_t nval, nrow, nshape, nnode, nstr, max_nodes;
    size_t off_row, off_shape, off_node, off_stroff, off_str, off_scratch;
    size_t scratch_shape;   /* shape last rebuilt; SIZE_MAX none */
};

struct shape {
    struct shape_node *node;
    size_t n;
    uint64_t hash;
};

/* Open addressing over ids + 1 (0 empty). */
struct table {
    size_t cap, n;
    size_t *slot;
};

struct results_store {
    struct results_pack *pack;       /* header + values, grown */
    size_t val_cap;
    size_t *row;                     /* offset of each row in the values */
    size_t nrow, row_cap;
    struct table strings, shapes;
    char **str;                      /* by id */
    size_t nstr, str_cap, str_bytes;
    struct shape *shape;
    size_t nshape, shape_cap, nnode, max_nodes;
    struct shape_node *tmp;          /* the entry being added */
    size_t ntmp, tmp_cap;
};

static uint64_t *pack_val(const struct results_pack *p)
{
    return (uint64_t *)(void *)((char *)(uintptr_t)p + sizeof(*p));
}

#define PACK_AT(p, off, type) ((type *)(void *)((char *)(uintptr_t)(p) + (off)))

static uint64_t hash_bytes(const void *data, size_t n)
{
    const unsigned char *b = data;
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h ^ (h >> 31);
}

/* Next capacity: doubling while small, then an eighth more (a large block
 * grows in place by mremap, so small steps cost no copies and leave little
 * unused at the peak). */
static size_t next_cap(size_t cap, size_t need)
{
    size_t ncap = cap ? cap : 64;

    while (ncap < need)
        ncap += ncap < 65536 ? ncap : ncap / 8;
    return ncap;
}

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = next_cap(*cap, need);
    void *p = realloc(*v, ncap * elem);
    if (p == NULL)
        return -1;
    *v = p;
    *cap = ncap;
    return 0;
}

/* ---- interning ----------------------------------------------------------- */

typedef int (*held_eq_fn)(const struct results_store *s, size_t id, const void *key);
typedef uint64_t (*held_hash_fn)(const struct results_store *s, size_t id);

static size_t *table_find(const struct results_store *s, const struct table *t, uint64_t h,
                          const void *key, held_eq_fn eq)
{
    size_t mask = t->cap - 1, i = (size_t)h & mask;

    while (t->slot[i] != 0 && !eq(s, t->slot[i] - 1, key))
        i = (i + 1) & mask;
    return &t->slot[i];
}

static int table_reserve(const struct results_store *s, struct table *t, held_hash_fn hash)
{
    if (2 * (t->n + 1) <= t->cap)
        return 0;
    size_t ncap = t->cap ? 2 * t->cap : 256;
    size_t *slot = calloc(ncap, sizeof(*slot));
    if (slot == NULL)
        return -1;
    for (size_t k = 0; k < t->cap; k++) {
        if (t->slot[k] == 0)
            continue;
        size_t i = (size_t)hash(s, t->slot[k] - 1) & (ncap - 1);
        while (slot[i] != 0)
            i = (i + 1) & (ncap - 1);
        slot[i] = t->slot[k];
    }
    free(t->slot);
    t->slot = slot;
    t->cap = ncap;
    return 0;
}

static uint64_t str_held_hash(const struct results_store *s, size_t id)
{
    return hash_bytes(s->str[id], strlen(s->str[id]));
}

static int str_eq(const struct results_store *s, size_t id, const void *key)
{
    return strcmp(s->str[id], key) == 0;
}

/* The id of str; -1 when out of memory. */
static int64_t intern(struct results_store *s, const char *str)
{
    if (table_reserve(s, &s->strings, str_held_hash) != 0)
        return -1;
    size_t len = strlen(str), *slot = table_find(s, &s->strings, hash_bytes(str, len), str, str_eq);
    if (*slot != 0)
        return (int64_t)*slot - 1;
    if (s->nstr >= NO_KEY || grow((void **)&s->str, &s->str_cap, s->nstr + 1, sizeof(*s->str)) != 0)
        return -1;
    if ((s->str[s->nstr] = strdup(str)) == NULL)
        return -1;
    s->str_bytes += len + 1;
    *slot = ++s->nstr;
    s->strings.n++;
    return (int64_t)s->nstr - 1;
}

static uint64_t shape_held_hash(const struct results_store *s, size_t id)
{
    return s->shape[id].hash;
}

static int shape_eq(const struct results_store *s, size_t id, const void *key)
{
    const struct shape *a = &s->shape[id], *b = key;
    return a->hash == b->hash && a->n == b->n &&
           memcmp(a->node, b->node, a->n * sizeof(*a->node)) == 0;
}

/* The id of the shape of the entry in s->tmp; -1 when out of memory. */
static int64_t intern_shape(struct results_store *s)
{
    struct shape key = {s->tmp, s->ntmp, hash_bytes(s->tmp, s->ntmp * sizeof(*s->tmp))};

    if (table_reserve(s, &s->shapes, shape_held_hash) != 0)
        return -1;
    size_t *slot = table_find(s, &s->shapes, key.hash, &key, shape_eq);
    if (*slot != 0)
        return (int64_t)*slot - 1;
    if (grow((void **)&s->shape, &s->shape_cap, s->nshape + 1, sizeof(*s->shape)) != 0)
        return -1;
    key.node = malloc(key.n * sizeof(*key.node));
    if (key.node == NULL)
        return -1;
    memcpy(key.node, s->tmp, key.n * sizeof(*key.node));
    s->shape[s->nshape] = key;
    s->nnode += key.n;
    if (key.n > s->max_nodes)
        s->max_nodes = key.n;
    *slot = ++s->nshape;
    s->shapes.n++;
    return (int64_t)s->nshape - 1;
}

/* ---- adding an entry ---------------------------------------------------- */

static int push_val(struct results_store *s, uint64_t v)
{
    struct results_pack *p = s->pack;

    if (p->nval == s->val_cap) {
        size_t ncap = next_cap(s->val_cap, p->nval + 1);
        p = realloc(p, sizeof(*p) + ncap * sizeof(uint64_t));
        if (p == NULL)
            return -1;
        s->pack = p;
        s->val_cap = ncap;
    }
    pack_val(p)[p->nval++] = v;
    return 0;
}

static int encode(struct results_store *s, const cJSON *it, uint32_t key)
{
    size_t at = s->ntmp;
    /* a parsed entry has no cJSON_Raw: one would come back a string */
    uint32_t type = (uint32_t)(it->type & 0xff);

    if (type == cJSON_Raw)
        type = cJSON_String;
    if (grow((void **)&s->tmp, &s->tmp_cap, s->ntmp + 1, sizeof(*s->tmp)) != 0)
        return -1;
    s->tmp[s->ntmp++] = (struct shape_node){key, type, 0};
    if (type == cJSON_Number) {
        uint64_t bits;
        memcpy(&bits, &it->valuedouble, sizeof(bits));
        return push_val(s, bits);
    }
    if (type == cJSON_String) {
        int64_t id = intern(s, it->valuestring != NULL ? it->valuestring : "");
        return id < 0 ? -1 : push_val(s, (uint64_t)id);
    }
    uint32_t n = 0;
    for (const cJSON *c = it->child; c != NULL; c = c->next, n++) {
        int64_t ckey = NO_KEY;
        if (type == cJSON_Object && (ckey = intern(s, c->string != NULL ? c->string : "")) < 0)
            return -1;
        if (encode(s, c, (uint32_t)ckey) != 0)
            return -1;
    }
    s->tmp[at].nchild = n;
    return 0;
}

struct results_store *results_store_new(void)
{
    struct results_store *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->pack = calloc(1, sizeof(*s->pack));
    if (s->pack == NULL) {
        free(s);
        return NULL;
    }
    s->pack->magic = PACK_MAGIC;
    return s;
}

int results_store_add(struct results_store *s, const cJSON *entry)
{
    size_t start = s->pack->nval;

    s->ntmp = 0;
    if (grow((void **)&s->row, &s->row_cap, s->nrow + 1, sizeof(*s->row)) != 0 ||
        push_val(s, 0) != 0 || encode(s, entry, NO_KEY) != 0) {
        s->pack->nval = start;
        return -1;
    }
    int64_t shape = intern_shape(s);
    if (shape < 0) {
        s->pack->nval = start;
        return -1;
    }
    pack_val(s->pack)[start] = (uint64_t)shape;
    s->row[s->nrow++] = start;
    return 0;
}

/* Everything but the pack (packed or freed with it by the caller). */
static void store_parts_free(struct results_store *s)
{
    for (size_t k = 0; k < s->nstr; k++)
        free(s->str[k]);
    free(s->str);
    free(s->strings.slot);
    for (size_t k = 0; k < s->nshape; k++)
        free(s->shape[k].node);
    free(s->shape);
    free(s->shapes.slot);
    free(s->row);
    free(s->tmp);
    free(s);
}

void results_store_free(struct results_store *s)
{
    if (s == NULL)
        return;
    free(s->pack);
    store_parts_free(s);
}

/* ---- packing ------------------------------------------------------------ */

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* The pack grown to hold everything after its values; NULL out of memory. */
static struct results_pack *pack_build(struct results_store *s)
{
    struct results_pack h = *s->pack, *p;

    h.nrow = s->nrow;
    h.nshape = s->nshape;
    h.nnode = s->nnode;
    h.nstr = s->nstr;
    h.max_nodes = s->max_nodes;
    h.scratch_shape = SIZE_MAX;
    h.off_row = sizeof(h) + h.nval * sizeof(uint64_t);
    h.off_shape = h.off_row + h.nrow * sizeof(size_t);
    h.off_node = h.off_shape + h.nshape * sizeof(struct pack_shape);
    h.off_stroff = align8(h.off_node + h.nnode * sizeof(struct shape_node));
    h.off_str = h.off_stroff + h.nstr * sizeof(size_t);
    h.off_scratch = align8(h.off_str + s->str_bytes);
    if ((p = realloc(s->pack, h.off_scratch + h.max_nodes * sizeof(cJSON))) == NULL)
        return NULL;
    s->pack = p;
    *p = h;
    if (h.nrow > 0)   /* (s->row is NULL without rows) */
        memcpy(PACK_AT(p, h.off_row, size_t), s->row, h.nrow * sizeof(size_t));
    struct pack_shape *ps = PACK_AT(p, h.off_shape, struct pack_shape);
    struct shape_node *nodes = PACK_AT(p, h.off_node, struct shape_node);
    for (size_t k = 0, at = 0; k < h.nshape; at += s->shape[k++].n) {
        ps[k] = (struct pack_shape){at, s->shape[k].n};
        memcpy(nodes + at, s->shape[k].node, s->shape[k].n * sizeof(*nodes));
    }
    size_t *stroff = PACK_AT(p, h.off_stroff, size_t), at = 0;
    for (size_t k = 0; k < h.nstr; k++) {
        size_t len = strlen(s->str[k]) + 1;
        stroff[k] = h.off_str + at;
        memcpy(PACK_AT(p, h.off_str + at, char), s->str[k], len);
        at += len;
    }
    return p;
}

int results_store_attach(cJSON *run, struct results_store *s)
{
    cJSON *arr = cJSON_CreateArray();
    struct results_pack *p = arr != NULL ? pack_build(s) : NULL;

    if (p == NULL) {
        cJSON_Delete(arr);
        return -1;
    }
    arr->valuestring = (char *)(void *)p;   /* freed by cJSON_Delete with the run */
    if (cJSON_GetObjectItemCaseSensitive(run, "results") != NULL
            ? !cJSON_ReplaceItemInObjectCaseSensitive(run, "results", arr)
            : !cJSON_AddItemToObject(run, "results", arr)) {
        arr->valuestring = NULL;
        cJSON_Delete(arr);
        return -1;
    }
    s->pack = NULL;
    store_parts_free(s);
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

static struct results_pack *pack_of(const cJSON *results)
{
    if (!cJSON_IsArray(results) || results->child != NULL || results->valuestring == NULL)
        return NULL;
    struct results_pack *p = (struct results_pack *)(void *)results->valuestring;
    return p->magic == PACK_MAGIC ? p : NULL;
}

int results_count(const cJSON *results)
{
    const struct results_pack *p = pack_of(results);

    if (p == NULL)
        return cJSON_GetArraySize(results);
    return p->nrow > INT_MAX ? INT_MAX : (int)p->nrow;
}

/* Links the rebuild nodes of a shape from node i; returns the node after
 * its subtree. */
static size_t link(const struct results_pack *p, cJSON *sc, const struct shape_node *nd, size_t i)
{
    cJSON *it = &sc[i], *prev = NULL;
    const size_t *stroff = PACK_AT(p, p->off_stroff, const size_t);
    size_t j = i + 1;

    memset(it, 0, sizeof(*it));
    it->type = (int)nd[i].type;
    if (nd[i].key != NO_KEY) {
        it->string = PACK_AT(p, stroff[nd[i].key], char);
        it->type |= cJSON_StringIsConst;
    }
    if (nd[i].type == cJSON_String)
        it->type |= cJSON_IsReference;
    for (uint32_t c = 0; c < nd[i].nchild; c++) {
        cJSON *child = &sc[j];
        j = link(p, sc, nd, j);
        if (prev == NULL)
            it->child = child;
        else
            prev->next = child;
        child->prev = prev;
        prev = child;
    }
    if (it->child != NULL)
        it->child->prev = prev;   /* cJSON: the first child's prev is the last */
    return j;
}

static const cJSON *pack_row(struct results_pack *p, size_t row)
{
    if (row >= p->nrow)
        return NULL;
    const uint64_t *v = pack_val(p) + PACK_AT(p, p->off_row, const size_t)[row];
    const struct pack_shape *sh = &PACK_AT(p, p->off_shape, const struct pack_shape)[v[0]];
    const struct shape_node *nd = PACK_AT(p, p->off_node, const struct shape_node) + sh->first;
    const size_t *stroff = PACK_AT(p, p->off_stroff, const size_t);
    cJSON *sc = PACK_AT(p, p->off_scratch, cJSON);

    if (p->scratch_shape != v[0]) {
        link(p, sc, nd, 0);
        p->scratch_shape = (size_t)v[0];
    }
    v++;
    for (size_t k = 0; k < sh->n; k++) {
        if (nd[k].type == cJSON_Number) {
            double d;
            memcpy(&d, v++, sizeof(d));
            cJSON_SetNumberHelper(&sc[k], d);
        } else if (nd[k].type == cJSON_String) {
            sc[k].valuestring = PACK_AT(p, stroff[*v++], char);
        }
    }
    return sc;
}

const cJSON *results_step(struct results_iter *it, const cJSON *results)
{
    if (!it->started) {
        it->started = 1;
        it->pack = pack_of(results);
        it->plain = it->pack == NULL && cJSON_IsArray(results) ? results->child : NULL;
    }
    if (it->pack != NULL)
        return pack_row(it->pack, it->row++);
    const cJSON *e = it->plain;
    if (e != NULL)
        it->plain = e->next;
    return e;
}

const cJSON *results_at(const cJSON *results, size_t i)
{
    struct results_pack *p = pack_of(results);

    if (p != NULL)
        return pack_row(p, i);
    return i < (size_t)INT_MAX ? cJSON_GetArrayItem(results, (int)i) : NULL;
}

int results_unpack(cJSON *run)
{
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *e;
    cJSON *arr;

    if (pack_of(results) == NULL)
        return 0;
    if ((arr = cJSON_CreateArray()) == NULL)
        return -1;
    RESULTS_EACH(e, results) {
        char *text = cJSON_PrintUnformatted(e);   /* keys and strings of the pack: copied */
        cJSON *copy = text != NULL ? cJSON_Parse(text) : NULL;
        cJSON_free(text);
        if (copy == NULL || !cJSON_AddItemToArray(arr, copy)) {
            cJSON_Delete(copy);
            cJSON_Delete(arr);
            return -1;
        }
    }
    return cJSON_ReplaceItemInObjectCaseSensitive(run, "results", arr) ? 0 : (cJSON_Delete(arr), -1);
}
