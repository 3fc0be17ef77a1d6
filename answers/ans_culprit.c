/* ans_culprit.c: the smallest set of components that explains a run's
 * slow pairs (ans_culprit.h has the method). */
#include "ans_culprit.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What the analysis works on; freed by work_free. */
struct work {
    const struct ans_pairs *pairs;
    const struct topo *topo;
    size_t P, nl;
    int *judged;                /* per pair: measured, in the tree, not contended */
    int *slow;
    double *below;              /* % below the tier's typical rate */
    double *ref;                /* that rate */
    size_t *head, *list;        /* CSR: pairs through each link */
    int *cls;                   /* per link: its class (first link of it), -1 unused */
    int *explained;
};

static void work_free(struct work *w)
{
    free(w->judged);
    free(w->slow);
    free(w->below);
    free(w->ref);
    free(w->head);
    free(w->list);
    free(w->cls);
    free(w->explained);
}

static int pair_nodes(const struct work *w, size_t i, int *a, int *b)
{
    *a = topo_node_index(w->topo, w->pairs->v[i].src);
    *b = topo_node_index(w->topo, w->pairs->v[i].dst);
    return *a >= 0 && *b >= 0 && *a != *b;
}

/* Which pairs count, and which are slow against their tier's p75. */
static int judge(struct work *w, const struct ans_culprit_opts *o, struct ans_culprit *out)
{
    int *tier = malloc((w->P ? w->P : 1) * sizeof(int));
    double *bws = malloc((w->P ? w->P : 1) * sizeof(double));
    if (tier == NULL || bws == NULL) {
        free(tier);
        free(bws);
        return -1;
    }
    for (size_t i = 0; i < w->P; i++) {
        const struct ans_pair *p = &w->pairs->v[i];
        int a, b;
        tier[i] = -1;
        if (p->failure != NULL || !isfinite(p->bw_gbit) || !pair_nodes(w, i, &a, &b))
            continue;
        if (p->round_shared > 0) {
            out->contended++;
            continue;
        }
        w->judged[i] = 1;
        out->judged++;
        tier[i] = topo_tier(w->topo, p->src, p->dst, NULL);
    }
    /* one reference per distinct tier; a tier done is marked INT_MIN */
    for (size_t i = 0; i < w->P; i++) {
        if (!w->judged[i] || tier[i] == INT_MIN)
            continue;
        int t = tier[i];
        size_t n = 0;
        for (size_t k = i; k < w->P; k++)
            if (w->judged[k] && tier[k] == t)
                bws[n++] = w->pairs->v[k].bw_gbit;
        double ref = ans_percentile(bws, n, 75);
        for (size_t k = i; k < w->P; k++) {
            if (!w->judged[k] || tier[k] != t)
                continue;
            double bw = w->pairs->v[k].bw_gbit;
            tier[k] = INT_MIN;
            w->below[k] = ref > 0 ? (1 - bw / ref) * 100 : 0;
            w->ref[k] = ref;
            w->slow[k] = ref > 0 && bw * o->factor <= ref;
            out->slow += (size_t)w->slow[k];
        }
    }
    free(tier);
    free(bws);
    return 0;
}

/* Pairs through each directed link (CSR over judged pairs). */
static int link_lists(struct work *w)
{
    int ids[TOPO_PATH_MAX];
    size_t total = 0;
    w->head = calloc(w->nl + 1, sizeof(size_t));
    if (w->head == NULL)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t l = 0; l < w->nl; l++)
                w->head[l + 1] += w->head[l];
            total = w->head[w->nl];
            if ((w->list = malloc((total ? total : 1) * sizeof(size_t))) == NULL)
                return -1;
            for (size_t l = w->nl; l > 0; l--)
                w->head[l] = w->head[l - 1];
            w->head[0] = 0;
        }
        for (size_t i = 0; i < w->P; i++) {
            int a, b;
            if (!w->judged[i] || !pair_nodes(w, i, &a, &b))
                continue;
            size_t k = topo_pair_links(w->topo, a, b, ids, TOPO_PATH_MAX);
            for (size_t j = 0; j < k && j < TOPO_PATH_MAX; j++) {
                if (pass == 0)
                    w->head[ids[j] + 1]++;
                else
                    w->list[w->head[ids[j] + 1]++] = i;
            }
        }
    }
    return 0;
}

static size_t through(const struct work *w, int l) { return w->head[l + 1] - w->head[l]; }

struct keyed {
    uint64_t h;
    size_t n;
    int l;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return (x->l > y->l) - (x->l < y->l);
}

/* Links crossed by exactly the same pairs form a class: cls[l] is the
 * lowest link of l's class (-1 when no pair crosses l).  Sorted by a hash
 * of the pair list, equal lists are neighbours (checked, not trusted). */
static int link_classes(struct work *w)
{
    struct keyed *k = malloc((w->nl ? w->nl : 1) * sizeof(*k));
    if ((w->cls = malloc((w->nl ? w->nl : 1) * sizeof(int))) == NULL || k == NULL) {
        free(k);
        return -1;
    }
    for (size_t l = 0; l < w->nl; l++) {
        uint64_t x = 1469598103934665603ULL;
        for (size_t j = w->head[l]; j < w->head[l + 1]; j++)
            x = (x ^ w->list[j]) * 1099511628211ULL;
        k[l] = (struct keyed){x, through(w, (int)l), (int)l};
        w->cls[l] = -1;
    }
    qsort(k, w->nl, sizeof(*k), cmp_keyed);
    for (size_t i = 0; i < w->nl; i++) {
        if (k[i].n == 0)
            continue;
        w->cls[k[i].l] = k[i].l;
        /* the first of the run of equal keys whose list matches */
        for (size_t j = i; j > 0 && k[j - 1].h == k[i].h && k[j - 1].n == k[i].n; j--)
            if (memcmp(w->list + w->head[k[j - 1].l], w->list + w->head[k[i].l],
                       k[i].n * sizeof(size_t)) == 0) {
                w->cls[k[i].l] = w->cls[k[j - 1].l];
                break;
            }
    }
    free(k);
    return 0;
}

static size_t slow_in(const struct work *w, int l, int unexplained_only)
{
    size_t n = 0;
    for (size_t k = w->head[l]; k < w->head[l + 1]; k++)
        n += w->slow[w->list[k]] && !(unexplained_only && w->explained[w->list[k]]);
    return n;
}

struct refslow {
    double ref;
    int slow;
};

static int cmp_ref_desc(const void *a, const void *b)
{
    const struct refslow *x = a, *y = b;
    return (x->ref < y->ref) - (x->ref > y->ref);
}

/* A degraded link caps every pair through it: pairs at tiers whose
 * typical rate is well above the cap are slow, tiers below it are not.
 * So, tier by tier from the fastest, the pairs through l must be slow
 * (at least `agree` of them) down to some tier and fine (at most
 * 1 - agree slow) from there on; anything else is noise or another
 * fault.  scratch holds through(l) entries. */
static int consistent(const struct work *w, const struct ans_culprit_opts *o, int l,
                      struct refslow *scratch)
{
    size_t n = 0;
    for (size_t k = w->head[l]; k < w->head[l + 1]; k++)
        scratch[n++] = (struct refslow){w->ref[w->list[k]], w->slow[w->list[k]]};
    qsort(scratch, n, sizeof(*scratch), cmp_ref_desc);
    int fine_seen = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, s = 0;
        for (; j < n && scratch[j].ref == scratch[i].ref; j++)
            s += (size_t)scratch[j].slow;
        double g = (double)(j - i);
        if ((double)s >= o->agree * g && s > 0) {
            if (fine_seen)
                return 0;
        } else if ((double)s <= (1 - o->agree) * g) {
            fine_seen = 1;
        } else {
            return 0;
        }
        i = j;
    }
    return 1;
}

/* Slow pairs through l on distinct node pairs (ranks of one node pair are
 * not independent evidence), counted up to max. */
static size_t independent_slow(const struct work *w, int l, size_t max)
{
    size_t n = 0;
    for (size_t k = w->head[l]; k < w->head[l + 1] && n < max; k++) {
        const struct ans_pair *p = &w->pairs->v[w->list[k]];
        if (!w->slow[w->list[k]])
            continue;
        int dup = 0;
        for (size_t j = w->head[l]; j < k && !dup; j++) {
            const struct ans_pair *q = &w->pairs->v[w->list[j]];
            dup = w->slow[w->list[j]] && strcmp(p->src, q->src) == 0 && strcmp(p->dst, q->dst) == 0;
        }
        n += !dup;
    }
    return n;
}

static int candidate(const struct work *w, const struct ans_culprit_opts *o, int l,
                     struct refslow *scratch)
{
    return w->cls[l] == l && slow_in(w, l, 0) >= o->min_pairs &&
           independent_slow(w, l, o->min_pairs) >= o->min_pairs && consistent(w, o, l, scratch);
}

/* Greedy cover: class representatives chosen, in order, into chosen[]. */
static size_t choose(struct work *w, const struct ans_culprit_opts *o, int *chosen)
{
    size_t n = 0;
    int *cand = calloc(w->nl ? w->nl : 1, sizeof(int));
    struct refslow *scratch = malloc((w->P ? w->P : 1) * sizeof(*scratch));
    if (cand == NULL || scratch == NULL) {
        free(cand);
        free(scratch);
        return 0;
    }
    for (size_t l = 0; l < w->nl; l++)
        cand[l] = candidate(w, o, (int)l, scratch);
    free(scratch);
    for (;;) {
        int best = -1;
        size_t gain = 0;
        for (size_t l = 0; l < w->nl; l++) {
            if (!cand[l])
                continue;
            size_t g = slow_in(w, (int)l, 1);
            if (g > gain) {
                gain = g;
                best = (int)l;
            }
        }
        if (best < 0) {
            free(cand);
            return n;
        }
        chosen[n++] = best;
        for (size_t k = w->head[best]; k < w->head[best + 1]; k++)
            w->explained[w->list[k]] = 1;
    }
}

static int owner(int l) { return l / 2; }

/* Links of l's class, owners sorted (ids are ordered by owner already). */
static size_t class_links(const struct work *w, int rep, int *links, size_t max)
{
    size_t n = 0;
    for (size_t l = 0; l < w->nl; l++)
        if (w->cls[l] == rep) {
            if (n < max)
                links[n] = (int)l;
            n++;
        }
    return n;
}

/* Two classes name the same components (maybe other directions). */
static int same_owners(const struct work *w, int a, int b)
{
    int la[ANS_CULPRIT_MAX_ALTS + 1], lb[ANS_CULPRIT_MAX_ALTS + 1];
    size_t na = class_links(w, a, la, ANS_CULPRIT_MAX_ALTS + 1);
    size_t nb = class_links(w, b, lb, ANS_CULPRIT_MAX_ALTS + 1);
    if (na != nb || na > ANS_CULPRIT_MAX_ALTS)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (owner(la[i]) != owner(lb[i]))
            return 0;
    return 1;
}

static int push_suspect(struct ans_culprit *out, const struct ans_suspect *s)
{
    struct ans_suspect *v = realloc(out->v, (out->n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    out->v = v;
    v[out->n++] = *s;
    return 0;
}

static void add_component(const struct work *w, struct ans_suspect *s, int l)
{
    enum topo_link_kind kind;
    const char *name;
    int up;
    if (topo_link_info(w->topo, l, &kind, &name, &up) != 0)
        return;
    for (size_t i = 0; i < s->nalts; i++)
        if (s->alt[i].kind == kind && s->alt[i].name == name) {
            s->alt[i].dirs |= up ? ANS_DIR_UP : ANS_DIR_DOWN;
            return;
        }
    if (s->nalts == ANS_CULPRIT_MAX_ALTS) {
        s->more_alts++;
        return;
    }
    s->alt[s->nalts++] = (struct ans_component){kind, name, topo_link_parent(w->topo, l),
                                                up ? ANS_DIR_UP : ANS_DIR_DOWN};
}

/* A suspect from the classes reps[0..n): its components and the pairs
 * through any of them (mark[] set for those, cover[] counted). */
static int link_suspect(struct work *w, const int *reps, size_t n, int *mark, int *cover,
                        struct ans_culprit *out)
{
    struct ans_suspect s = {.kind = ANS_SUSPECT_LINK, .below_min_pct = INFINITY,
                            .below_max_pct = -INFINITY};
    memset(mark, 0, w->P * sizeof(int));
    for (size_t c = 0; c < n; c++)
        for (size_t l = 0; l < w->nl; l++) {
            if (w->cls[l] != reps[c])
                continue;
            add_component(w, &s, (int)l);
            for (size_t k = w->head[l]; k < w->head[l + 1]; k++)
                mark[w->list[k]] = 1;
        }
    if ((s.slow_pairs = malloc((w->P ? w->P : 1) * sizeof(size_t))) == NULL)
        return -1;
    for (size_t i = 0; i < w->P; i++) {
        if (!mark[i])
            continue;
        s.through++;
        cover[i]++;
        if (!w->slow[i])
            continue;
        s.slow_pairs[s.slow_through++] = i;
        s.below_min_pct = fmin(s.below_min_pct, w->below[i]);
        s.below_max_pct = fmax(s.below_max_pct, w->below[i]);
    }
    if (push_suspect(out, &s) != 0) {
        free(s.slow_pairs);
        return -1;
    }
    return 0;
}

static int pair_suspect(struct work *w, size_t i, struct ans_culprit *out)
{
    struct ans_suspect s = {.kind = ANS_SUSPECT_PAIR, .pair = &w->pairs->v[i], .through = 1,
                            .slow_through = 1, .below_min_pct = w->below[i],
                            .below_max_pct = w->below[i]};
    if ((s.slow_pairs = malloc(sizeof(size_t))) == NULL)
        return -1;
    s.slow_pairs[0] = i;
    if (push_suspect(out, &s) != 0) {
        free(s.slow_pairs);
        return -1;
    }
    out->unexplained++;
    return 0;
}

/* Suspects from the chosen classes (the two directions of one component
 * merged), then one per slow pair left unexplained. */
static int build_suspects(struct work *w, const int *chosen, size_t nchosen, struct ans_culprit *out)
{
    int *mark = calloc(w->P ? w->P : 1, sizeof(int)), *cover = calloc(w->P ? w->P : 1, sizeof(int));
    int *used = calloc(nchosen ? nchosen : 1, sizeof(int)), rc = -1;
    if (mark == NULL || cover == NULL || used == NULL)
        goto out;
    for (size_t c = 0; c < nchosen; c++) {
        int reps[2] = {chosen[c], -1};
        size_t n = 1;
        if (used[c])
            continue;
        for (size_t d = c + 1; d < nchosen && n == 1; d++)
            if (!used[d] && same_owners(w, chosen[c], chosen[d])) {
                reps[n++] = chosen[d];
                used[d] = 1;
            }
        if (link_suspect(w, reps, n, mark, cover, out) != 0)
            goto out;
    }
    for (size_t s = 0; s < out->n; s++) {
        struct ans_suspect *x = &out->v[s];
        x->others = out->judged - x->through;
        /* slow pairs off its path that no link suspect explains */
        for (size_t i = 0; i < w->P; i++)
            x->others_slow += w->slow[i] && !cover[i];
    }
    size_t links = out->n;
    for (size_t i = 0; i < w->P; i++)
        if (w->judged[i] && w->slow[i] && !cover[i] && pair_suspect(w, i, out) != 0)
            goto out;
    for (size_t s = links; s < out->n; s++) {
        out->v[s].others = out->judged - 1;
        out->v[s].others_slow = out->unexplained - 1;
    }
    rc = 0;
out:
    free(mark);
    free(cover);
    free(used);
    return rc;
}

void ans_culprit_free(struct ans_culprit *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].slow_pairs);
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

static tp_status_t bind_names(const struct ans_pairs *pairs, struct topo *topo, struct tp_error *err)
{
    const char **names = malloc((2 * pairs->n + 1) * sizeof(char *));
    if (names == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < pairs->n; i++) {
        names[2 * i] = pairs->v[i].src;
        names[2 * i + 1] = pairs->v[i].dst;
    }
    tp_status_t st = topo_bind_nodes(topo, names, 2 * pairs->n, err);
    free(names);
    return st;
}

tp_status_t ans_culprit_find(const struct ans_pairs *pairs, struct topo *topo,
                             const struct ans_culprit_opts *opts, struct ans_culprit *out,
                             struct tp_error *err)
{
    struct work w = {.pairs = pairs, .topo = topo, .P = pairs->n};
    tp_status_t st = bind_names(pairs, topo, err);
    int *chosen = NULL;

    memset(out, 0, sizeof(*out));
    out->opts = *opts;
    if (st != TP_OK)
        return st;
    w.nl = topo_link_count(topo);
    size_t P1 = w.P ? w.P : 1;
    w.judged = calloc(P1, sizeof(int));
    w.slow = calloc(P1, sizeof(int));
    w.below = calloc(P1, sizeof(double));
    w.ref = calloc(P1, sizeof(double));
    w.explained = calloc(P1, sizeof(int));
    chosen = malloc((w.nl ? w.nl : 1) * sizeof(int));
    if (w.judged == NULL || w.slow == NULL || w.below == NULL || w.ref == NULL || w.explained == NULL ||
        chosen == NULL || judge(&w, opts, out) != 0 || link_lists(&w) != 0 ||
        link_classes(&w) != 0 || build_suspects(&w, chosen, choose(&w, opts, chosen), out) != 0) {
        ans_culprit_free(out);
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory while naming the culprit");
    }
    free(chosen);
    work_free(&w);
    return st;
}
