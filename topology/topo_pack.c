/* topo_pack.c: contention-free rounds (topo_pack.h).  Each tier entry's
 * pairs are re-cut by first-fit colouring: a pair goes into the first
 * round where neither rank has another peer and no directed link of its
 * path is taken; pairs through the busiest links are placed first, the
 * order that keeps first-fit near the bound on trees. */
#include "topo_pack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topo_links.h"

#define PACK_DEFAULT_LIMIT 20000
#define PACK_MEM_LIMIT ((size_t)256 << 20)

/* The paths of a list of pairs, flattened. */
struct paths {
    int *ids;
    size_t *off;                /* pair i's links: ids[off[i] .. off[i+1]) */
};

static int *rank_nodes(const struct topo *topo, const char *const *node_of_rank, size_t nranks)
{
    int *node = malloc((nranks ? nranks : 1) * sizeof(int));
    for (size_t r = 0; node != NULL && r < nranks; r++)
        node[r] = topo_node_index(topo, node_of_rank[r]);
    return node;
}

static int node_of(const int *node, size_t nranks, int rank)
{
    return rank >= 0 && (size_t)rank < nranks ? node[rank] : -1;
}

static int paths_build(const struct topo *topo, const int *node, size_t nranks,
                       const struct topo_pair *const *pairs, size_t n, struct paths *ps)
{
    int buf[TOPO_PATH_MAX];
    size_t cap = n * 8 + 1, len = 0;
    ps->ids = malloc(cap * sizeof(int));
    ps->off = malloc((n + 1) * sizeof(size_t));
    if (ps->ids == NULL || ps->off == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int a = node_of(node, nranks, pairs[i]->src), b = node_of(node, nranks, pairs[i]->dst);
        size_t k = topo_pair_links(topo, a, b, buf, TOPO_PATH_MAX);
        if (k > TOPO_PATH_MAX)
            k = TOPO_PATH_MAX;
        if (len + k > cap) {
            cap = (len + k) * 2;
            int *p = realloc(ps->ids, cap * sizeof(int));
            if (p == NULL)
                return -1;
            ps->ids = p;
        }
        ps->off[i] = len;
        memcpy(ps->ids + len, buf, k * sizeof(int));
        len += k;
    }
    ps->off[n] = len;
    return 0;
}

static void paths_free(struct paths *ps)
{
    free(ps->ids);
    free(ps->off);
}

static const struct topo_pair **tier_pairs(const struct topo_tier_plan *tier, size_t *n_p)
{
    size_t n = 0;
    for (size_t r = 0; r < tier->nrounds; r++)
        n += tier->rounds[r].npairs;
    const struct topo_pair **v = malloc((n ? n : 1) * sizeof(struct topo_pair *));
    if (v == NULL)
        return NULL;
    n = 0;
    for (size_t r = 0; r < tier->nrounds; r++)
        for (size_t i = 0; i < tier->rounds[r].npairs; i++)
            v[n++] = &tier->rounds[r].pairs[i];
    *n_p = n;
    return v;
}

static int cmp_edge(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Distinct peers of every rank among the pairs. */
static int *rank_degrees(const struct topo_pair *const *pairs, size_t n, size_t nranks)
{
    int *e = malloc((n ? n : 1) * 2 * sizeof(int));
    int *deg = calloc(nranks ? nranks : 1, sizeof(int));
    if (e == NULL || deg == NULL) {
        free(e);
        free(deg);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int a = pairs[i]->src, b = pairs[i]->dst;
        e[2 * i] = a < b ? a : b;
        e[2 * i + 1] = a < b ? b : a;
    }
    qsort(e, n, 2 * sizeof(int), cmp_edge);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && e[2 * i] == e[2 * i - 2] && e[2 * i + 1] == e[2 * i - 1])
            continue;
        for (int k = 0; k < 2; k++)
            if (e[2 * i + k] >= 0 && (size_t)e[2 * i + k] < nranks)
                deg[e[2 * i + k]]++;
    }
    free(e);
    return deg;
}

/* Pairs through each directed link. */
static size_t *link_loads(const struct paths *ps, size_t n, size_t nlinks)
{
    size_t *load = calloc(nlinks ? nlinks : 1, sizeof(size_t));
    for (size_t i = 0; load != NULL && i < ps->off[n]; i++)
        load[ps->ids[i]]++;
    return load;
}

static size_t max_of(const size_t *load, size_t nl, const int *deg, size_t nr)
{
    size_t m = 0;
    for (size_t i = 0; i < nl; i++)
        m = load[i] > m ? load[i] : m;
    for (size_t i = 0; i < nr; i++)
        m = (size_t)deg[i] > m ? (size_t)deg[i] : m;
    return m;
}

size_t topo_tier_round_bound(const struct topo *topo, const char *const *node_of_rank,
                             size_t nranks, const struct topo_tier_plan *tier)
{
    size_t n = 0, bound = 0, nl = topo_link_count(topo);
    const struct topo_pair **pairs = tier_pairs(tier, &n);
    int *node = rank_nodes(topo, node_of_rank, nranks), *deg = NULL;
    size_t *load = NULL;
    struct paths ps = {0};
    if (pairs != NULL && node != NULL && paths_build(topo, node, nranks, pairs, n, &ps) == 0 &&
        (deg = rank_degrees(pairs, n, nranks)) != NULL && (load = link_loads(&ps, n, nl)) != NULL)
        bound = max_of(load, nl, deg, nranks);
    free(load);
    free(deg);
    paths_free(&ps);
    free(node);
    free(pairs);
    return bound;
}

/* Per-link lists of a round's pairs, to count sharing exactly. */
struct share_ctx {
    int *head;                  /* per link: first entry, -1 none */
    int *next, *who;            /* per entry */
    size_t *seen;               /* per pair of the round: stamp */
    size_t stamp;
};

static int same_ranks(const struct topo_pair *a, const struct topo_pair *b)
{
    return (a->src == b->src && a->dst == b->dst) || (a->src == b->dst && a->dst == b->src);
}

/* shared[] of the n pairs of one round whose paths are in ps. */
static void round_shares(struct share_ctx *c, const struct topo_pair *const *pairs, size_t n,
                         const struct paths *ps, int *shared)
{
    size_t e = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = ps->off[i]; k < ps->off[i + 1]; k++, e++) {
            c->who[e] = (int)i;
            c->next[e] = c->head[ps->ids[k]];
            c->head[ps->ids[k]] = (int)e;
        }
    for (size_t i = 0; i < n; i++) {
        int cnt = 0;
        c->stamp++;
        c->seen[i] = c->stamp;
        for (size_t k = ps->off[i]; k < ps->off[i + 1]; k++)
            for (int x = c->head[ps->ids[k]]; x >= 0; x = c->next[x]) {
                int j = c->who[x];
                if (c->seen[j] == c->stamp || same_ranks(pairs[i], pairs[j]))
                    continue;
                c->seen[j] = c->stamp;
                cnt++;
            }
        shared[i] = cnt;
    }
    for (size_t k = 0; k < ps->off[n]; k++)
        c->head[ps->ids[k]] = -1;
}

/* Sharing of every pair of a tier entry, into shared[] (flattened order);
 * returns the total, or -1 out of memory. */
static long tier_shares(const struct topo *topo, const int *node, size_t nranks,
                        const struct topo_tier_plan *tier, int *shared)
{
    size_t nl = topo_link_count(topo), maxn = 1, base = 0;
    long total = 0;
    for (size_t r = 0; r < tier->nrounds; r++)
        maxn = tier->rounds[r].npairs > maxn ? tier->rounds[r].npairs : maxn;
    struct share_ctx c = {0};
    const struct topo_pair **pp = malloc(maxn * sizeof(struct topo_pair *));
    c.head = malloc((nl ? nl : 1) * sizeof(int));
    c.next = malloc(maxn * TOPO_PATH_MAX * sizeof(int));
    c.who = malloc(maxn * TOPO_PATH_MAX * sizeof(int));
    c.seen = calloc(maxn, sizeof(size_t));
    if (pp == NULL || c.head == NULL || c.next == NULL || c.who == NULL || c.seen == NULL)
        total = -1;
    for (size_t l = 0; total >= 0 && l < nl; l++)
        c.head[l] = -1;
    for (size_t r = 0; total >= 0 && r < tier->nrounds; r++) {
        const struct topo_round *rd = &tier->rounds[r];
        struct paths ps = {0};
        for (size_t i = 0; i < rd->npairs; i++)
            pp[i] = &rd->pairs[i];
        if (paths_build(topo, node, nranks, pp, rd->npairs, &ps) != 0) {
            total = -1;
        } else {
            round_shares(&c, pp, rd->npairs, &ps, shared + base);
            for (size_t i = 0; i < rd->npairs; i++)
                total += shared[base + i];
        }
        paths_free(&ps);
        base += rd->npairs;
    }
    free(pp);
    free(c.head);
    free(c.next);
    free(c.who);
    free(c.seen);
    return total;
}

tp_status_t topo_plan_annotate(const struct topo *topo, const char *const *node_of_rank,
                               size_t nranks, struct topo_plan *plan, struct tp_error *err)
{
    int *node = topo != NULL ? rank_nodes(topo, node_of_rank, nranks) : NULL;
    int round = 0;
    tp_status_t st = TP_OK;
    if (topo != NULL && node == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    for (size_t t = 0; st == TP_OK && t < plan->ntiers; t++) {
        struct topo_tier_plan *tier = &plan->tiers[t];
        size_t n = 0;
        for (size_t r = 0; r < tier->nrounds; r++)
            n += tier->rounds[r].npairs;
        int *shared = malloc((n ? n : 1) * sizeof(int));
        if (shared == NULL || (topo != NULL && tier_shares(topo, node, nranks, tier, shared) < 0)) {
            st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
        } else {
            size_t k = 0;
            for (size_t r = 0; r < tier->nrounds; r++, round++)
                for (size_t i = 0; i < tier->rounds[r].npairs; i++, k++) {
                    tier->rounds[r].pairs[i].round = round;
                    tier->rounds[r].pairs[i].shared = topo != NULL ? shared[k] : -1;
                }
        }
        free(shared);
    }
    free(node);
    return st;
}

/* The rounds being filled: which directed links and which ranks each
 * round has taken (peer[r * nranks + rank], -1 free). */
struct rounds {
    uint8_t *used;              /* bitmap, nlinks bits per round */
    int *peer;
    size_t n, cap, lbytes, nranks;
};

static int rounds_grow(struct rounds *R)
{
    size_t ncap = R->cap ? R->cap * 2 : 64;
    uint8_t *u = realloc(R->used, ncap * R->lbytes);
    if (u == NULL)
        return -1;
    R->used = u;
    int *p = realloc(R->peer, ncap * R->nranks * sizeof(int));
    if (p == NULL)
        return -1;
    R->peer = p;
    memset(R->used + R->cap * R->lbytes, 0, (ncap - R->cap) * R->lbytes);
    for (size_t i = R->cap * R->nranks; i < ncap * R->nranks; i++)
        R->peer[i] = -1;
    R->cap = ncap;
    return 0;
}

static int fits(const struct rounds *R, size_t r, const struct topo_pair *p, const int *ids, size_t k)
{
    const int *peer = R->peer + r * R->nranks;
    const uint8_t *u = R->used + r * R->lbytes;
    if ((peer[p->src] >= 0 && peer[p->src] != p->dst) || (peer[p->dst] >= 0 && peer[p->dst] != p->src))
        return 0;
    for (size_t i = 0; i < k; i++)
        if (u[ids[i] / 8] & (1u << (ids[i] % 8)))
            return 0;
    return 1;
}

static void take(struct rounds *R, size_t r, const struct topo_pair *p, const int *ids, size_t k)
{
    int *peer = R->peer + r * R->nranks;
    uint8_t *u = R->used + r * R->lbytes;
    peer[p->src] = p->dst;
    peer[p->dst] = p->src;
    for (size_t i = 0; i < k; i++)
        u[ids[i] / 8] |= (uint8_t)(1u << (ids[i] % 8));
}

struct item {
    size_t key, idx, round;
};

static int cmp_key(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_round(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->round != y->round)
        return (x->round > y->round) - (x->round < y->round);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* First-fit over the items (sorted busiest first); sets item.round. */
static int first_fit(struct item *it, size_t n, const struct topo_pair *const *pairs,
                     const struct paths *ps, struct rounds *R)
{
    for (size_t j = 0; j < n; j++) {
        const struct topo_pair *p = pairs[it[j].idx];
        const int *ids = ps->ids + ps->off[it[j].idx];
        size_t k = ps->off[it[j].idx + 1] - ps->off[it[j].idx], r = 0;
        while (r < R->n && !fits(R, r, p, ids, k))
            r++;
        if (r == R->n) {
            if (R->n == R->cap && rounds_grow(R) != 0)
                return -1;
            R->n++;
        }
        take(R, r, p, ids, k);
        it[j].round = r;
    }
    return 0;
}

/* Replace tier's rounds by the packed ones (pair order kept within a round). */
static int rebuild(struct topo_tier_plan *tier, const struct topo_pair *const *pairs,
                   struct item *it, size_t n, size_t nrounds)
{
    struct topo_round *out = calloc(nrounds ? nrounds : 1, sizeof(*out));
    struct topo_pair *flat = malloc((n ? n : 1) * sizeof(*flat));
    if (out == NULL || flat == NULL) {
        free(out);
        free(flat);
        return -1;
    }
    qsort(it, n, sizeof(*it), cmp_round);
    for (size_t j = 0; j < n; j++)
        flat[j] = *pairs[it[j].idx];
    size_t j = 0;
    for (size_t r = 0; r < nrounds; r++) {
        size_t first = j;
        while (j < n && it[j].round == r)
            j++;
        out[r].npairs = j - first;
        out[r].pairs = malloc((j - first ? j - first : 1) * sizeof(struct topo_pair));
        if (out[r].pairs == NULL) {
            for (size_t q = 0; q <= r; q++)
                free(out[q].pairs);
            free(out);
            free(flat);
            return -1;
        }
        memcpy(out[r].pairs, flat + first, (j - first) * sizeof(struct topo_pair));
    }
    free(flat);
    for (size_t r = 0; r < tier->nrounds; r++)
        free(tier->rounds[r].pairs);
    free(tier->rounds);
    tier->rounds = out;
    tier->nrounds = nrounds;
    return 0;
}

/* 1 packed, 0 left as it is (already free of sharing, or too large),
 * -1 out of memory. */
static int pack_tier(const struct topo *topo, const int *node, size_t nranks,
                     struct topo_tier_plan *tier, size_t limit, size_t *bound_p)
{
    size_t n = 0, nl = topo_link_count(topo);
    const struct topo_pair **pairs = tier_pairs(tier, &n);
    int *shared = malloc((n ? n : 1) * sizeof(int)), *deg = NULL, rc = -1;
    size_t *load = NULL;
    struct item *it = NULL;
    struct paths ps = {0};
    struct rounds R = {.lbytes = nl / 8 + 1, .nranks = nranks};
    long total;
    if (pairs == NULL || shared == NULL || (total = tier_shares(topo, node, nranks, tier, shared)) < 0 ||
        paths_build(topo, node, nranks, pairs, n, &ps) != 0 ||
        (deg = rank_degrees(pairs, n, nranks)) == NULL || (load = link_loads(&ps, n, nl)) == NULL)
        goto out;
    *bound_p = max_of(load, nl, deg, nranks);
    rc = 0;
    if (total == 0 || n > limit || *bound_p * (R.lbytes + nranks * sizeof(int)) > PACK_MEM_LIMIT)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (pairs[i]->src < 0 || pairs[i]->dst < 0 || (size_t)pairs[i]->src >= nranks ||
            (size_t)pairs[i]->dst >= nranks)
            goto out;
    rc = -1;
    if ((it = malloc((n ? n : 1) * sizeof(*it))) == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t key = (size_t)deg[pairs[i]->src];
        key = (size_t)deg[pairs[i]->dst] > key ? (size_t)deg[pairs[i]->dst] : key;
        for (size_t k = ps.off[i]; k < ps.off[i + 1]; k++)
            key = load[ps.ids[k]] > key ? load[ps.ids[k]] : key;
        it[i] = (struct item){key, i, 0};
    }
    qsort(it, n, sizeof(*it), cmp_key);
    if (first_fit(it, n, pairs, &ps, &R) == 0 && rebuild(tier, pairs, it, n, R.n) == 0)
        rc = 1;
out:
    free(it);
    free(R.used);
    free(R.peer);
    free(load);
    free(deg);
    paths_free(&ps);
    free(shared);
    free(pairs);
    return rc;
}

tp_status_t topo_plan_pack(const struct topo *topo, const char *const *node_of_rank,
                           size_t nranks, struct topo_plan *plan, size_t limit_pairs,
                           size_t *bound_p, size_t *skipped_p, struct tp_error *err)
{
    int *node = rank_nodes(topo, node_of_rank, nranks);
    size_t bound = 0, skipped = 0;
    if (node == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while planning");
    for (size_t t = 0; t < plan->ntiers; t++) {
        size_t b = 0;
        int rc = pack_tier(topo, node, nranks, &plan->tiers[t],
                           limit_pairs ? limit_pairs : PACK_DEFAULT_LIMIT, &b);
        if (rc < 0) {
            free(node);
            return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while packing rounds");
        }
        bound = b > bound ? b : bound;
        if (rc == 0 && b > 0) {
            /* left as it is: count it when it still shares links */
            int *sh = NULL;
            size_t n = 0;
            for (size_t r = 0; r < plan->tiers[t].nrounds; r++)
                n += plan->tiers[t].rounds[r].npairs;
            if ((sh = malloc((n ? n : 1) * sizeof(int))) != NULL &&
                tier_shares(topo, node, nranks, &plan->tiers[t], sh) > 0)
                skipped++;
            free(sh);
        }
    }
    free(node);
    if (bound_p != NULL)
        *bound_p = bound;
    if (skipped_p != NULL)
        *skipped_p = skipped;
    return TP_OK;
}
