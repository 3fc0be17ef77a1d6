/* test_answers_culprit.c: naming the culprit on synthetic runs.  Every
 * ordered node pair of a tree gets the rate of the slowest directed link
 * on its path (access links and uplinks rated by tier), times a planted
 * +-25% noise; faults divide chosen directed links' rates.  Checked on a
 * binary 3-tier tree, one spine over uneven leaves and a forest with mixed
 * depth: each fault is named, with its direction, and nothing healthy is;
 * two children of one HyperNode are "one of these two"; a fault hidden
 * at the slower tiers is still named from the faster ones; no fault
 * names nothing; a lone slow pair is named as a pair. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "answers/ans_culprit.h"
#include "topo_test_trees.h"
#include "topology/topo_links.h"

struct fault {
    const char *name;       /* node or HyperNode */
    int dirs;               /* ANS_DIR_* */
    double div;             /* rate divided by this */
};

static double link_rate(const struct topo *t, int l, const struct fault *faults, size_t nf)
{
    enum topo_link_kind kind;
    const char *name;
    int up;
    cr_assert_eq(topo_link_info(t, l, &kind, &name, &up), 0);
    double rate = 100.0;                         /* access links */
    if (kind == TOPO_LINK_UPLINK) {
        /* leaf uplinks 40, the uplinks into the top (core, roots) 20, and
         * 10 across the virtual root */
        const char *parent = topo_link_parent(t, l);
        rate = parent == NULL ? 10 : (strncmp(parent, "core", 4) == 0 || parent[0] == 'r') ? 20 : 40;
    }
    for (size_t f = 0; f < nf; f++)
        if (strcmp(faults[f].name, name) == 0 && (faults[f].dirs & (up ? ANS_DIR_UP : ANS_DIR_DOWN)))
            rate /= faults[f].div;
    return rate;
}

static unsigned long long rng_s;
static double noise(void)
{
    rng_s = rng_s * 6364136223846793005ULL + 1442695040888963407ULL;
    return 0.75 + 0.5 * (double)((rng_s >> 33) % 1000) / 1000.0;
}

/* All ordered pairs of names[] with modelled bandwidths. */
static void make_run(struct topo *t, const char *const *names, size_t n, const struct fault *faults,
                     size_t nf, struct ans_pairs *out)
{
    struct tp_error err = {0};
    cr_assert_eq(topo_bind_nodes(t, names, n, &err), TP_OK, "%s", err.msg);
    out->v = calloc(n * n, sizeof(*out->v));
    out->n = 0;
    rng_s = 12345;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            if (a == b)
                continue;
            int ids[TOPO_PATH_MAX];
            size_t k = topo_pair_links(t, topo_node_index(t, names[a]), topo_node_index(t, names[b]),
                                       ids, TOPO_PATH_MAX);
            double bw = INFINITY;
            for (size_t j = 0; j < k; j++)
                bw = fmin(bw, link_rate(t, ids[j], faults, nf));
            struct ans_pair *p = &out->v[out->n++];
            p->src = names[a];
            p->dst = names[b];
            p->src_rank = (int)a;
            p->dst_rank = (int)b;
            p->tier = topo_tier(t, names[a], names[b], NULL);
            p->bw_gbit = bw * noise();
            p->round_shared = 0;
            for (int i = 0; i < ANS_LAT_N; i++)
                p->lat_us[i] = NAN;
        }
}

static void analyse(const char *spec, const char *const *names, size_t n, const struct fault *faults,
                    size_t nf, struct ans_culprit *c, struct ans_pairs *pairs, struct topo **t_p)
{
    struct tp_error err = {0};
    struct topo *t = tt_load(spec, &err);
    cr_assert_not_null(t, "%s", err.msg);
    make_run(t, names, n, faults, nf, pairs);
    struct ans_culprit_opts o = ANS_CULPRIT_OPTS_DEFAULT;
    cr_assert_eq(ans_culprit_find(pairs, t, &o, c, &err), TP_OK, "%s", err.msg);
    char line[1600];
    for (size_t i = 0; i < c->n; i++) {
        ans_suspect_text(&c->v[i], line, sizeof(line));
        cr_log_info("suspect: %s", line);
    }
    *t_p = t;
}

static void done(struct ans_culprit *c, struct ans_pairs *pairs, struct topo *t)
{
    ans_culprit_free(c);
    free(pairs->v);
    topo_free(t);
}

/* Exactly one suspect, a link, with these components (name:dirs). */
static void expect_one(const struct ans_culprit *c, size_t nalts, const char *const *alts,
                       const int *dirs)
{
    cr_assert_eq(c->n, 1, "%zu suspects", c->n);
    cr_assert_eq(c->v[0].kind, ANS_SUSPECT_LINK);
    cr_assert_eq(c->v[0].nalts, nalts);
    for (size_t i = 0; i < nalts; i++) {
        int found = 0;
        for (size_t k = 0; k < c->v[0].nalts; k++)
            found |= strcmp(c->v[0].alt[k].name, alts[i]) == 0 && c->v[0].alt[k].dirs == dirs[i];
        cr_assert(found, "component %s (dirs %d) not named", alts[i], dirs[i]);
    }
    cr_assert_eq(c->v[0].others_slow, 0);
}

static const char *const bin_names[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"};

Test(culprit, healthy_names_nothing)
{
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_BINARY, bin_names, 8, NULL, 0, &c, &p, &t);
    cr_assert_eq(c.n, 0);
    cr_assert_eq(c.judged, 56);
    done(&c, &p, t);
}

Test(culprit, node_access_both_directions)
{
    struct fault f = {"n5", ANS_DIR_UP | ANS_DIR_DOWN, 50};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_BINARY, bin_names, 8, &f, 1, &c, &p, &t);
    const char *alts[] = {"n5"};
    int dirs[] = {ANS_DIR_UP | ANS_DIR_DOWN};
    expect_one(&c, 1, alts, dirs);
    cr_assert_eq(c.v[0].through, 14);
    cr_assert_eq(c.v[0].slow_through, 14);
    char line[1600];
    ans_suspect_text(&c.v[0], line, sizeof(line));
    cr_assert(strstr(line, "node n5, access link, both directions: 14 of 14 pairs through it") == line, "%s", line);
    done(&c, &p, t);
}

Test(culprit, node_one_direction)
{
    struct fault f = {"n2", ANS_DIR_UP, 50};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_BINARY, bin_names, 8, &f, 1, &c, &p, &t);
    const char *alts[] = {"n2"};
    int dirs[] = {ANS_DIR_UP};
    expect_one(&c, 1, alts, dirs);
    cr_assert_eq(c.v[0].alt[0].kind, TOPO_LINK_ACCESS);
    done(&c, &p, t);
}

Test(culprit, node_partly_hidden_by_slower_tiers)
{
    /* 100/3: still faster than the 40 the spine gives, so only the pairs
     * inside its leaf are slow (4 of the 11 into it) */
    static const char *names[] = {"a0", "a1", "a2", "a3", "b0", "b1", "b2", "c0", "c1", "c2", "c3", "c4"};
    struct fault f = {"c3", ANS_DIR_DOWN, 3};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_WIDE, names, 12, &f, 1, &c, &p, &t);
    const char *alts[] = {"c3"};
    int dirs[] = {ANS_DIR_DOWN};
    expect_one(&c, 1, alts, dirs);
    cr_assert_eq(c.v[0].slow_through, 4);
    cr_assert_eq(c.v[0].through, 11);
    done(&c, &p, t);
}

Test(culprit, uplink_between_hypernodes)
{
    struct fault f = {"lf2", ANS_DIR_UP | ANS_DIR_DOWN, 20};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_BINARY, bin_names, 8, &f, 1, &c, &p, &t);
    const char *alts[] = {"lf2"};
    int dirs[] = {ANS_DIR_UP | ANS_DIR_DOWN};
    expect_one(&c, 1, alts, dirs);
    cr_assert_eq(c.v[0].alt[0].kind, TOPO_LINK_UPLINK);
    cr_assert_str_eq(c.v[0].alt[0].parent, "sp1");
    done(&c, &p, t);
}

Test(culprit, two_children_cannot_tell)
{
    /* the two spines are the core's only children: every pair across the
     * core crosses both uplinks; a lower tier's pairs keep the reference */
    static const char *spec = "core 3 sp0 sp1\nsp0 2 lf0 lf1 lf4\nsp1 2 lf2 lf3 lf5\n"
                              "lf0 1 n0 n1\nlf1 1 n2 n3\nlf2 1 n4 n5\nlf3 1 n6 n7\n"
                              "lf4 1 n8 n9\nlf5 1 n10 n11\n";
    static const char *names[] = {"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10", "n11"};
    struct fault f = {"sp0", ANS_DIR_UP, 20};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(spec, names, 12, &f, 1, &c, &p, &t);
    /* half the tier-3 pairs are slow (sp0's side sending), the other half
     * keep the reference healthy */
    const char *alts[] = {"sp0", "sp1"};
    int dirs[] = {ANS_DIR_UP, ANS_DIR_DOWN};
    expect_one(&c, 2, alts, dirs);
    done(&c, &p, t);
}

Test(culprit, wide_uneven_uplink_and_node)
{
    static const char *names[] = {"a0", "a1", "a2", "a3", "b0", "b1", "b2", "c0", "c1", "c2", "c3", "c4"};
    struct fault f[] = {{"lb", ANS_DIR_DOWN, 20}, {"c3", ANS_DIR_UP | ANS_DIR_DOWN, 50}};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_WIDE, names, 12, f, 2, &c, &p, &t);
    cr_assert_eq(c.n, 2, "%zu suspects", c.n);
    int lb = 0, c3 = 0;
    for (size_t i = 0; i < c.n; i++) {
        cr_assert_eq(c.v[i].nalts, 1);
        lb |= strcmp(c.v[i].alt[0].name, "lb") == 0 && c.v[i].alt[0].dirs == ANS_DIR_DOWN;
        c3 |= strcmp(c.v[i].alt[0].name, "c3") == 0 && c.v[i].alt[0].dirs == 3;
    }
    cr_assert(lb && c3);
    done(&c, &p, t);
}

Test(culprit, forest_root_uplink_one_of_two)
{
    /* r0 and r1 meet only at the virtual root: r0's up is r1's down */
    static const char *names[] = {"x0", "x1", "x2", "x3", "x4", "x9", "y0", "y1", "y2"};
    struct fault f = {"r1", ANS_DIR_DOWN, 20};
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_FOREST, names, 9, &f, 1, &c, &p, &t);
    cr_assert_eq(c.n, 1, "%zu suspects", c.n);
    cr_assert_geq(c.v[0].nalts, 2, "a virtual-root crossing cannot tell r0 up from r1 down");
    done(&c, &p, t);
}

Test(culprit, lone_slow_pair)
{
    struct ans_culprit c;
    struct ans_pairs p;
    struct topo *t;
    analyse(TT_BINARY, bin_names, 8, NULL, 0, &c, &p, &t);
    ans_culprit_free(&c);
    for (size_t i = 0; i < p.n; i++)
        if (strcmp(p.v[i].src, "n1") == 0 && strcmp(p.v[i].dst, "n6") == 0)
            p.v[i].bw_gbit /= 10;
    /* and a contended pair's slowness is not evidence */
    for (size_t i = 0; i < p.n; i++)
        if (strcmp(p.v[i].src, "n3") == 0 && strcmp(p.v[i].dst, "n0") == 0) {
            p.v[i].bw_gbit /= 10;
            p.v[i].round_shared = 2;
        }
    struct ans_culprit_opts o = ANS_CULPRIT_OPTS_DEFAULT;
    struct tp_error err = {0};
    cr_assert_eq(ans_culprit_find(&p, t, &o, &c, &err), TP_OK);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.v[0].kind, ANS_SUSPECT_PAIR);
    cr_assert_str_eq(c.v[0].pair->src, "n1");
    cr_assert_eq(c.contended, 1);
    cJSON *j = ans_culprit_to_json(&c, &p);
    char *s = cJSON_PrintUnformatted(j);
    cr_assert(strstr(s, "\"kind\":\"pair\"") != NULL, "%s", s);
    free(s);
    cJSON_Delete(j);
    done(&c, &p, t);
}
