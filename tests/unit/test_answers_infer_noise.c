/* test_answers_infer_noise.c: infer on generated measurements of known
 * trees (2, 3 and 4 tiers) with a planted +-40% multiplicative noise on the
 * fastest tier.  Tiers a clear factor apart: the inferred tree is the true
 * one, and sure.  Tiers closer than the noise: whatever infer answers, a
 * HyperNode that is not a true one is marked unsure, never a confident
 * wrong answer.  The generator is seeded: every run sees the same data. */
#include <math.h>
#include <stdint.h>

#include "answers/ans_infer.h"
#include "ans_test_util.h"

#define MAXN 32
#define MAXT 4

struct shape {
    const char *name;
    size_t n;
    int ntiers;                 /* the top tier holds every node */
    int path[MAXN][MAXT];       /* group of node i at tier t+1 */
};

static struct shape shape_make(const char *name, size_t n, int ntiers, const int *per_group)
{
    /* per_group[t]: nodes per group at tier t+1 (groups filled in order) */
    struct shape s = {name, n, ntiers, {{0}}};
    for (size_t i = 0; i < n; i++)
        for (int t = 0; t < ntiers; t++)
            s.path[i][t] = t == ntiers - 1 ? 0 : (int)i / per_group[t];
    return s;
}

/* xorshift64*: the same numbers on every libc */
static double rnd(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (double)((*state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int true_tier(const struct shape *s, size_t a, size_t b)
{
    if (a == b)
        return 0;
    for (int t = 0; t < s->ntiers; t++)
        if (s->path[a][t] == s->path[b][t])
            return t + 1;
    return s->ntiers + 1;
}

static char names[MAXN][24];   /* "n" and any size_t: no truncation warning */
static const char *name_ptrs[MAXN];

/* bw[tier-1] per tier; the fastest tier gets +-noise, the others +-10%. */
static void generate(const struct shape *s, const double *bw, double noise, uint64_t seed,
                     struct ans_matrix *m)
{
    uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 1;
    m->n = s->n;
    m->nodes = name_ptrs;
    m->bw = calloc(s->n * s->n, sizeof(*m->bw));
    cr_assert_not_null(m->bw);
    for (size_t i = 0; i < s->n; i++) {
        snprintf(names[i], sizeof(names[i]), "n%02zu", i);
        name_ptrs[i] = names[i];
    }
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = i + 1; j < s->n; j++) {
            int t = true_tier(s, i, j);
            double amp = t == 1 ? noise : 0.10;
            double v = bw[t - 1] * (1 + amp * (2 * rnd(&st) - 1));
            m->bw[i * s->n + j] = m->bw[j * s->n + i] = v;
        }
}

static int same_tiers(const struct shape *s, const struct ans_tree *t)
{
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->n; j++)
            if (ans_tree_tier(t, i, j) != true_tier(s, i, j))
                return 0;
    return 1;
}

/* Is inferred group g at tier exactly the node set of a true group at that tier? */
static int is_true_group(const struct shape *s, const struct ans_tree *t, int tier, int g)
{
    const int *grp = &t->group[(size_t)(tier - 1) * t->n];
    if (tier > s->ntiers)
        return 0;
    long first = -1;
    for (size_t i = 0; i < s->n && first < 0; i++)
        if (grp[i] == g)
            first = (long)i;
    for (size_t i = 0; i < s->n; i++) {
        int in_inferred = grp[i] == g;
        int in_true = s->path[i][tier - 1] == s->path[first][tier - 1];
        if (in_inferred != in_true)
            return 0;
    }
    return 1;
}

static double min_conf(const struct ans_tree *t)
{
    double low = 1;
    for (int tier = 1; tier <= t->ntiers; tier++)
        for (size_t g = 0; g < t->ngroups[tier - 1]; g++)
            low = fmin(low, t->conf[(size_t)(tier - 1) * t->n + g].conf);
    return low;
}

/* On failure: the inferred groups and what their confidence rests on. */
static void dump(const struct ans_tree *t, const struct ans_matrix *m)
{
    char why[512];
    for (int tier = 1; tier <= t->ntiers; tier++)
        for (size_t g = 0; g < t->ngroups[tier - 1]; g++) {
            fprintf(stderr, "t%d-%zu:", tier, g);
            for (size_t i = 0; i < t->n; i++)
                if (t->group[(size_t)(tier - 1) * t->n + i] == (int)g)
                    fprintf(stderr, " %s", m->nodes[i]);
            ans_tree_conf_explain(t, m, "x", tier, (int)g, why, sizeof(why));
            fprintf(stderr, "  [%s]\n", why);
        }
}

static struct shape shapes[3];

static void shapes_init(void)
{
    static const int two[] = {4, 0}, three[] = {3, 6, 0}, four[] = {2, 4, 8, 0};
    shapes[0] = shape_make("2 tiers, 4 racks of 4", 16, 2, two);
    shapes[1] = shape_make("3 tiers, 3-node leaves, 2 per spine", 12, 3, three);
    shapes[2] = shape_make("4 tiers, 2-node racks", 16, 4, four);
}

#define SEEDS 100
#define AMBIGUOUS_SEEDS 300

/* What a draw is checked for: its shape, seed, matrix and inferred tree. */
typedef void (*draw_check_fn)(const struct shape *s, uint64_t seed, const struct ans_matrix *m,
                              const struct ans_tree *t, void *arg);

/* Draws `seeds` matrices of every shape with tier bandwidths bw under
 * +-40% noise, infers each one's tree and hands it to check. */
static void draws_run(const double *bw, uint64_t seeds, draw_check_fn check, void *arg)
{
    shapes_init();
    for (int k = 0; k < 3; k++)
        for (uint64_t seed = 1; seed <= seeds; seed++) {
            struct ans_matrix m;
            struct ans_tree t;
            struct tp_error err = {0};
            generate(&shapes[k], bw, 0.40, seed, &m);
            cr_assert_eq(ans_infer_tree(&m, ANS_INFER_FACTOR_DEFAULT, &t, &err), TP_OK, "%s",
                         err.msg);
            check(&shapes[k], seed, &m, &t, arg);
            ans_tree_free(&t);
            free(m.bw);
        }
}

static void check_true_and_sure(const struct shape *s, uint64_t seed, const struct ans_matrix *m,
                                const struct ans_tree *t, void *arg)
{
    (void)arg;
    if (!same_tiers(s, t) || min_conf(t) < ANS_CONF_LOW)
        dump(t, m);
    cr_assert(same_tiers(s, t), "%s, seed %llu: %d tiers inferred", s->name,
              (unsigned long long)seed, t->ntiers);
    cr_assert_geq(min_conf(t), ANS_CONF_LOW, "%s, seed %llu: right but unsure (%.2f)", s->name,
                  (unsigned long long)seed, min_conf(t));
}

Test(infer_noise, clear_tiers_with_40pct_noise_give_the_true_tree_surely)
{
    static const double bw[MAXT] = {100, 25, 6, 1.5};
    draws_run(bw, SEEDS, check_true_and_sure, NULL);
}

struct tally {
    size_t wrong, wrong_sure, unsure, runs;
};

static void count_wrong_and_unsure(const struct shape *s, uint64_t seed,
                                   const struct ans_matrix *m, const struct ans_tree *t,
                                   void *arg)
{
    struct tally *c = arg;
    int bad = 0, bad_sure = 0;

    (void)seed;
    for (int tier = 1; tier <= t->ntiers; tier++)
        for (size_t g = 0; g < t->ngroups[tier - 1]; g++) {
            if (is_true_group(s, t, tier, (int)g))
                continue;
            bad = 1;
            bad_sure |= t->conf[(size_t)(tier - 1) * t->n + g].conf >= ANS_CONF_LOW;
        }
    if (bad_sure && getenv("INFER_NOISE_DUMP") != NULL)
        dump(t, m);
    c->wrong += bad;
    c->wrong_sure += bad_sure;
    c->unsure += min_conf(t) < ANS_CONF_LOW;
    c->runs++;
}

/* The fastest tier only 2x above the next, under +-40% noise: some draws
 * cut it right, some cannot.  A confident wrong HyperNode stays rare (the
 * data of a few draws is indistinguishable from a clear tree's), and most
 * answers say they are unsure. */
Test(infer_noise, ambiguous_noise_gives_low_confidence_not_a_wrong_answer)
{
    static const double bw[MAXT] = {100, 50, 6, 1.5};
    struct tally c = {0};
    draws_run(bw, AMBIGUOUS_SEEDS, count_wrong_and_unsure, &c);
    fprintf(stderr, "ambiguous: %zu runs, %zu wrong (%zu of them sure), %zu unsure\n", c.runs,
            c.wrong, c.wrong_sure, c.unsure);
    cr_assert_gt(c.wrong, c.runs / 10,
                 "the data was hardly ever ambiguous enough to fool the grouping");
    cr_assert_leq(c.wrong_sure * 50, c.runs, "%zu of %zu answers wrong and sure (> 2%%)",
                  c.wrong_sure, c.runs);
    cr_assert_geq(c.unsure * 2, c.runs, "only %zu of %zu ambiguous runs said they were unsure",
                  c.unsure, c.runs);
}
