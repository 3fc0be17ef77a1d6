/* ans_infer.c: node x node bandwidth matrix, agglomerative clustering into
 * tiers, and the inferred tree as HyperNode YAML. */
#include "ans_infer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_escape.h"
#include "ans_units.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

long ans_matrix_index(const struct ans_matrix *m, const char *node)
{
    const char **hit = bsearch(&node, m->nodes, m->n, sizeof(*m->nodes), cmp_str);
    return hit ? (long)(hit - m->nodes) : -1;
}

tp_status_t ans_matrix_build(const struct ans_pairs *pairs, struct ans_matrix *m,
                             struct tp_error *err)
{
    size_t cap = 2 * pairs->n + 1, n = 0;
    double *cnt = NULL;

    memset(m, 0, sizeof(*m));
    m->nodes = malloc(cap * sizeof(*m->nodes));
    if (m->nodes == NULL)
        goto oom;
    for (size_t i = 0; i < pairs->n; i++) {
        m->nodes[n++] = pairs->v[i].src;
        m->nodes[n++] = pairs->v[i].dst;
    }
    qsort(m->nodes, n, sizeof(*m->nodes), cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(m->nodes[u - 1], m->nodes[i]) != 0)
            m->nodes[u++] = m->nodes[i];
    m->n = u;
    if (u > ANS_INFER_MAX_NODES) {
        ans_matrix_free(m);
        return tp_error_set(err, TP_ERR_INVALID,
                            "%zu nodes measured: infer handles at most %d (O(n^2) memory, "
                            "O(n^3) time)", u, ANS_INFER_MAX_NODES);
    }
    m->bw = calloc(u * u + 1, sizeof(*m->bw));
    cnt = calloc(u * u + 1, sizeof(*cnt));
    if (m->bw == NULL || cnt == NULL)
        goto oom;
    for (size_t i = 0; i < pairs->n; i++) {
        const struct ans_pair *p = &pairs->v[i];
        if (p->failure != NULL || isnan(p->bw_gbit))
            continue;
        if (p->round_shared > 0) {
            m->shared++;   /* a fraction of a shared link reads as an extra tier */
            continue;
        }
        long a = ans_matrix_index(m, p->src), b = ans_matrix_index(m, p->dst);
        if (a == b)
            continue;   /* two ranks on one node say nothing about the network */
        m->bw[a * u + b] += p->bw_gbit;
        m->bw[b * u + a] += p->bw_gbit;
        cnt[a * u + b] += 1;
        cnt[b * u + a] += 1;
    }
    for (size_t i = 0; i < u * u; i++)
        m->bw[i] = cnt[i] > 0 ? m->bw[i] / cnt[i] : NAN;
    free(cnt);
    return TP_OK;
oom:
    free(cnt);
    ans_matrix_free(m);
    return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory building the node matrix");
}

void ans_matrix_free(struct ans_matrix *m)
{
    free(m->nodes);
    free(m->bw);
    memset(m, 0, sizeof(*m));
}

struct merge {
    size_t a, b;     /* cluster ids (node index of each cluster's first member) */
    double bw;
};

/* Average linkage over measured pairs only: sum and count per cluster pair,
 * merged by adding rows.  O(n^3), fine for the hundreds of nodes a run has. */
static size_t agglomerate(const struct ans_matrix *m, struct merge *merges)
{
    size_t n = m->n, nm = 0;
    double *sum = calloc(n * n + 1, sizeof(*sum)), *cnt = calloc(n * n + 1, sizeof(*cnt));
    char *alive = malloc(n + 1);

    if (sum == NULL || cnt == NULL || alive == NULL)
        goto out;
    memset(alive, 1, n);
    for (size_t i = 0; i < n * n; i++)
        if (!isnan(m->bw[i])) {
            sum[i] = m->bw[i];
            cnt[i] = 1;
        }
    for (;;) {
        double best = -1;
        size_t ba = 0, bb = 0;
        for (size_t i = 0; i < n; i++) {
            if (!alive[i])
                continue;
            for (size_t j = i + 1; j < n; j++)
                if (alive[j] && cnt[i * n + j] > 0 && sum[i * n + j] / cnt[i * n + j] > best) {
                    best = sum[i * n + j] / cnt[i * n + j];
                    ba = i;
                    bb = j;
                }
        }
        if (best < 0)
            break;
        merges[nm++] = (struct merge){ba, bb, best};
        for (size_t k = 0; k < n; k++) {
            sum[ba * n + k] += sum[bb * n + k];
            cnt[ba * n + k] += cnt[bb * n + k];
            sum[k * n + ba] = sum[ba * n + k];
            cnt[k * n + ba] = cnt[ba * n + k];
        }
        alive[bb] = 0;
    }
out:
    free(sum);
    free(cnt);
    free(alive);
    return nm;
}

static size_t find(size_t *parent, size_t x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

tp_status_t ans_infer_tree(const struct ans_matrix *m, double factor, struct ans_tree *t,
                           struct tp_error *err)
{
    size_t n = m->n;
    if (n > ANS_INFER_MAX_NODES) {
        memset(t, 0, sizeof(*t));
        return tp_error_set(err, TP_ERR_INVALID,
                            "%zu nodes measured: infer clusters at most %d (O(n^3) time)", n,
                            ANS_INFER_MAX_NODES);
    }
    struct merge *merges = malloc((n + 1) * sizeof(*merges));
    size_t *parent = malloc((n + 1) * sizeof(*parent));
    int *level = malloc((n + 1) * sizeof(*level));
    double *vals = malloc((n + 1) * sizeof(*vals));

    memset(t, 0, sizeof(*t));
    t->n = n;
    t->factor = factor;
    if (merges == NULL || parent == NULL || level == NULL || vals == NULL)
        goto oom;
    size_t nm = agglomerate(m, merges);
    /* A gap, not a drop from the tier's best merge: a noisy tier spans a
     * wide range of merges without any clear factor between neighbours. */
    double low = 0;
    for (size_t k = 0; k < nm; k++) {
        if (k == 0 || merges[k].bw < low / factor)
            t->ntiers++;
        if (k == 0 || level[k - 1] != t->ntiers || merges[k].bw < low)
            low = merges[k].bw;
        level[k] = t->ntiers;
    }
    if (t->ntiers == 0)
        t->ntiers = 1;   /* nothing measured between nodes: one leaf per node */
    t->group = malloc(((size_t)t->ntiers * n + 1) * sizeof(*t->group));
    t->ngroups = calloc((size_t)t->ntiers, sizeof(*t->ngroups));
    t->tier_bw = malloc((size_t)t->ntiers * sizeof(*t->tier_bw));
    t->conf = calloc((size_t)t->ntiers * n + 1, sizeof(*t->conf));
    if (t->group == NULL || t->ngroups == NULL || t->tier_bw == NULL || t->conf == NULL)
        goto oom;
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    size_t k = 0;
    for (int tier = 1; tier <= t->ntiers; tier++) {
        size_t nv = 0;
        for (; k < nm && level[k] == tier; k++) {
            parent[find(parent, merges[k].b)] = find(parent, merges[k].a);
            vals[nv++] = merges[k].bw;
        }
        t->tier_bw[tier - 1] = ans_median(vals, nv);
        /* dense group numbers in order of each group's first node; vals is
         * free again and holds root -> group */
        int *g = &t->group[(size_t)(tier - 1) * n];
        for (size_t i = 0; i < n; i++)
            vals[i] = -1;
        for (size_t i = 0; i < n; i++) {
            size_t r = find(parent, i);
            if (vals[r] < 0)
                vals[r] = (double)t->ngroups[tier - 1]++;
            g[i] = (int)vals[r];
        }
    }
    free(merges);
    free(parent);
    free(level);
    free(vals);
    if (ans_tree_confidence(t, m) != 0) {
        ans_tree_free(t);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory judging %zu nodes' groups", n);
    }
    return TP_OK;
oom:
    free(merges);
    free(parent);
    free(level);
    free(vals);
    ans_tree_free(t);
    return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory clustering %zu nodes", n);
}

void ans_tree_free(struct ans_tree *t)
{
    free(t->group);
    free(t->ngroups);
    free(t->tier_bw);
    free(t->conf);
    memset(t, 0, sizeof(*t));
}

int ans_tree_tier(const struct ans_tree *t, size_t a, size_t b)
{
    if (a == b)
        return 0;
    for (int tier = 1; tier <= t->ntiers; tier++)
        if (t->group[(size_t)(tier - 1) * t->n + a] == t->group[(size_t)(tier - 1) * t->n + b])
            return tier;
    return t->ntiers + 1;
}

/* Kubernetes object names (RFC 1123 subdomain): labels of [a-z0-9-], each
 * starting and ending alphanumeric, joined by '.'.  "-t<tier>-<i>" goes after
 * the last label, so it keeps room for that. */
tp_status_t ans_infer_prefix_check(const char *prefix, struct tp_error *err)
{
    size_t n = prefix != NULL ? strlen(prefix) : 0, label = 0;
    const char *why = NULL;

    if (n == 0 || n > ANS_PREFIX_MAX)
        why = "must be 1 to " ANS_PREFIX_MAX_STR " characters";
    for (size_t i = 0; why == NULL && i < n; i++) {
        char ch = prefix[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-' && ch != '.')
            why = "only lowercase letters, digits, '-' and '.' (a DNS name)";
        else if (ch == '.' ? label == 0 || prefix[i - 1] == '-' : !alnum && label == 0)
            why = "each '.'-separated part must start and end with a letter or digit";
        else if (ch != '.' && ++label > 50)
            why = "each '.'-separated part is at most 50 characters (63 with the suffix)";
        if (ch == '.')
            label = 0;
    }
    if (why == NULL && prefix[n - 1] == '.')
        why = "must not end with '.'";
    if (why != NULL)
        return tp_error_set(err, TP_ERR_INVALID, "--prefix '%s': %s; HyperNode names are "
                            "PREFIX-t<tier>-<i>", prefix ? prefix : "", why);
    return TP_OK;
}

void ans_tree_name(const char *prefix, int tier, int g, char *buf, size_t len)
{
    snprintf(buf, len, "%s-t%d-%d", prefix, tier, g);
}

void ans_tree_tier_name(const char *prefix, int tier, char *buf, size_t len)
{
    snprintf(buf, len, "%s-t%d", prefix, tier);
}

/* Median measured bandwidth between distinct nodes of group g at tier. */
static double group_bw(const struct ans_tree *t, const struct ans_matrix *m, int tier, int g)
{
    const int *grp = &t->group[(size_t)(tier - 1) * t->n];
    double *v = malloc((t->n * t->n + 1) * sizeof(*v));
    size_t nv = 0;
    if (v == NULL)
        return NAN;
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = i + 1; j < t->n; j++)
            if (grp[i] == g && grp[j] == g)
                v[nv++] = m->bw[i * t->n + j];
    double r = ans_median(v, nv);
    free(v);
    return r;
}

/* The header's verdict on the groups: how many are unsure, the weakest. */
static void print_unsure(FILE *out, const struct ans_tree *t, const struct ans_matrix *m,
                         const char *prefix)
{
    size_t unsure = 0, total = 0;
    int wt = 0, wg = 0;
    for (int tier = 1; tier <= t->ntiers; tier++)
        for (size_t g = 0; g < t->ngroups[tier - 1]; g++) {
            const struct ans_hn_conf *c = &t->conf[(size_t)(tier - 1) * t->n + g];
            total++;
            unsure += c->conf < ANS_CONF_LOW;
            if (wt == 0 || c->conf < t->conf[(size_t)(wt - 1) * t->n + (size_t)wg].conf) {
                wt = tier;
                wg = (int)g;
            }
        }
    if (wt == 0)
        return;
    char name[256], why[512];
    ans_tree_name(prefix, wt, wg, name, sizeof(name));
    ans_tree_conf_explain(t, m, prefix, wt, wg, why, sizeof(why));
    fprintf(out, "; %zu of %zu HyperNode(s) unsure (confidence below %.1f)", unsure, total,
            ANS_CONF_LOW);
    if (unsure > 0)
        fprintf(out, ": read them as a guess, measure more\n# least sure: %s, %s", name, why);
}

void ans_tree_print_yaml(FILE *out, const struct ans_tree *t, const struct ans_matrix *m,
                         const char *prefix, const char *source)
{
    char name[256], a[32];

    fprintf(out, "# HyperNodes inferred by tierperf from measured bandwidth (");
    for (const char *p = source; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
    fprintf(out, "):\n# %zu nodes, %d tier(s)", t->n, t->ntiers);
    for (int tier = 1; tier <= t->ntiers; tier++)
        fprintf(out, "%s tier %d ~%s", tier == 1 ? ";" : ",", tier,
                ans_fmt_gbit(t->tier_bw[tier - 1], a, sizeof(a)));
    if (m->shared > 0)
        fprintf(out, "\n# %zu pair(s) left out: measured while another pair of their round "
                     "shared a link (round_shared > 0); rerun them with --serial", m->shared);
    fprintf(out, "\n# clear factor %.3g", t->factor);
    print_unsure(out, t, m, prefix);
    fprintf(out, "\napiVersion: v1\nkind: List\nitems:\n");
    for (int tier = 1; tier <= t->ntiers; tier++) {
        for (size_t g = 0; g < t->ngroups[tier - 1]; g++) {
            ans_tree_name(prefix, tier, (int)g, name, sizeof(name));
            fprintf(out, "- apiVersion: topology.volcano.sh/v1alpha1\n  kind: HyperNode\n"
                         "  metadata:\n    name: ");
            ans_yaml_puts(out, name);
            fprintf(out, "\n    labels:\n      volcano.sh/network-topology-source: tierperf\n"
                         "  spec:\n    tier: %d\n    tierName: ", tier);
            char tier_name[256];
            ans_tree_tier_name(prefix, tier, tier_name, sizeof(tier_name));
            ans_yaml_puts(out, tier_name);
            fputc('\n', out);
            char why[512];
            ans_tree_conf_explain(t, m, prefix, tier, (int)g, why, sizeof(why));
            fprintf(out, "    # %s\n", why);
            double bw = group_bw(t, m, tier, (int)g);
            if (!isnan(bw))
                fprintf(out, "    # measured inside: median %s\n", ans_fmt_gbit(bw, a, sizeof(a)));
            fprintf(out, "    members:\n");
            const int *grp = &t->group[(size_t)(tier - 1) * t->n];
            const int children = tier > 1;   /* members are HyperNodes of tier - 1 */
            const int *below = children ? grp - t->n : grp;
            for (size_t i = 0; i < t->n; i++) {
                if (grp[i] != (int)g)
                    continue;
                if (children) {
                    /* one member per child group: at its first node */
                    size_t j;
                    for (j = 0; j < i && !(grp[j] == (int)g && below[j] == below[i]); j++)
                        ;
                    if (j < i)
                        continue;
                    ans_tree_name(prefix, tier - 1, below[i], name, sizeof(name));
                }
                fprintf(out, "    - type: %s\n      selector:\n        exactMatch:\n"
                             "          name: ", children ? "HyperNode" : "Node");
                ans_yaml_puts(out, children ? name : m->nodes[i]);
                fputc('\n', out);
            }
        }
    }
}
