/* topo_print.c: what `tierperf topo` prints.  Formats are stable (golden
 * files in tests/golden/ pin them; the sim form is read by
 * scripts/simcluster.sh). */
#include "topo_print.h"

#include <stdlib.h>
#include <string.h>

#include "topo_internal.h"
#include "topo_yaml_write.h"

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

int topo_needs_node_list(const struct topo *topo)
{
    return topo->has_regex || topo->has_label;
}

/* hn -> nodes whose own HyperNode it is, as index lists (CSR form) */
struct by_hn {
    size_t *start;              /* nhns + 2 entries; last bucket: no HyperNode */
    int *nodes;
};

static int by_hn_build(const struct topo *t, struct by_hn *b)
{
    size_t nb = t->nhns + 1;
    b->start = calloc(nb + 1, sizeof(size_t));
    b->nodes = malloc((t->nnodes + 1) * sizeof(int));
    if (b->start == NULL || b->nodes == NULL)
        return -1;
    for (size_t i = 0; i < t->nnodes; i++)
        b->start[(t->nodes[i].own >= 0 ? (size_t)t->nodes[i].own : t->nhns) + 1]++;
    for (size_t i = 0; i < nb; i++)
        b->start[i + 1] += b->start[i];
    size_t *fill = calloc(nb + 1, sizeof(size_t));
    if (fill == NULL)
        return -1;
    for (size_t i = 0; i < t->nnodes; i++) {
        size_t k = t->nodes[i].own >= 0 ? (size_t)t->nodes[i].own : t->nhns;
        b->nodes[b->start[k] + fill[k]++] = (int)i;
    }
    free(fill);
    return 0;
}

static void by_hn_free(struct by_hn *b)
{
    free(b->start);
    free(b->nodes);
}

static void print_hn(FILE *out, const struct topo *t, const struct by_hn *b, int h, int indent)
{
    const struct topo_hn *x = &t->hns[h];
    size_t nsel = 0;
    fprintf(out, "%*s%s  tier %d", indent * 2, "", x->name, x->tier);
    if (x->tier_name)
        fprintf(out, " (%s)", x->tier_name);
    fputc('\n', out);
    for (size_t i = 0; i < x->nchildren; i++)
        print_hn(out, t, b, x->children[i], indent + 1);
    for (size_t i = b->start[h]; i < b->start[h + 1]; i++)
        fprintf(out, "%*snode %s\n", (indent + 1) * 2, "", t->nodes[b->nodes[i]].name);
    for (size_t m = 0; m < x->nmembers; m++)
        nsel += x->members[m].type == TOPO_MEMBER_NODE && x->members[m].sel != TOPO_SEL_EXACT;
    if (nsel > 0 && b->start[h] == b->start[h + 1])
        fprintf(out, "%*s(%zu selector%s matched no known node: pass --nodes or --node-names)\n",
                (indent + 1) * 2, "", nsel, nsel > 1 ? "s" : "");
}

void topo_print_tree(FILE *out, const struct topo *t)
{
    struct by_hn b = {0};
    if (by_hn_build(t, &b) != 0) {
        by_hn_free(&b);
        fprintf(out, "(out of memory)\n");
        return;
    }
    fprintf(out, "%s: %zu HyperNode%s, %zu tier%s (", t->path, t->nhns, plural(t->nhns), t->ntiers,
            plural(t->ntiers));
    for (size_t i = 0; i < t->ntiers; i++)
        fprintf(out, "%s%d", i ? " " : "", t->tiers[i]);
    fprintf(out, "), %zu node%s; virtual root tier %d\n", t->nnodes, plural(t->nnodes),
            topo_virtual_tier(t));
    for (size_t h = 0; h < t->nhns; h++)
        if (t->hns[h].parent < 0)
            print_hn(out, t, &b, (int)h, 0);
    if (b.start[t->nhns] < b.start[t->nhns + 1]) {
        fprintf(out, "(in no HyperNode: meet others only at the virtual root)\n");
        for (size_t i = b.start[t->nhns]; i < b.start[t->nhns + 1]; i++)
            fprintf(out, "  node %s\n", t->nodes[b.nodes[i]].name);
    }
    by_hn_free(&b);
}

void topo_print_paths(FILE *out, const struct topo *t, const char *const *names, size_t n)
{
    size_t count = names ? n : t->nnodes;
    fprintf(out, "paths (node -> its HyperNode -> ... -> root):\n");
    for (size_t i = 0; i < count; i++) {
        const char *name = names ? names[i] : t->nodes[i].name;
        int idx = topo_strmap_get(&t->node_index, name);
        fprintf(out, "  %s", name);
        if (idx < 0) {
            fprintf(out, ": not a known node\n");
            continue;
        }
        if (t->nodes[idx].own < 0)
            fprintf(out, " -> (virtual root, tier %d)", topo_virtual_tier(t));
        for (int h = t->nodes[idx].own; h >= 0; h = t->hns[h].parent)
            fprintf(out, " -> %s (%d)", t->hns[h].name, t->hns[h].tier);
        fputc('\n', out);
    }
}

void topo_print_matrix(FILE *out, const struct topo *t, const char *const *names, size_t n)
{
    size_t count = names ? n : t->nnodes;
    fprintf(out, "tier matrix (0 = same node, %d = virtual root: no common HyperNode, ? = unknown node):\n",
            topo_virtual_tier(t));
    fprintf(out, "%6s", "");
    for (size_t j = 0; j < count; j++)
        fprintf(out, " %3zu", j);
    fputc('\n', out);
    for (size_t i = 0; i < count; i++) {
        const char *a = names ? names[i] : t->nodes[i].name;
        fprintf(out, "  %3zu ", i);
        for (size_t j = 0; j < count; j++) {
            const char *bname = names ? names[j] : t->nodes[j].name;
            int tier = topo_tier(t, a, bname, NULL);
            if (tier < 0)
                fprintf(out, " %3s", "?");
            else
                fprintf(out, " %3d", tier);
        }
        fprintf(out, "  %s\n", a);
    }
}

void topo_print_plan(FILE *out, const struct topo *t, const struct topo_plan *plan, const char *kind,
                     size_t nranks, int list_pairs)
{
    size_t rounds = 0, pairs = 0;
    for (size_t i = 0; i < plan->ntiers; i++) {
        rounds += plan->tiers[i].nrounds;
        for (size_t r = 0; r < plan->tiers[i].nrounds; r++)
            pairs += plan->tiers[i].rounds[r].npairs;
    }
    fprintf(out, "plan %s: %zu rank%s, %zu tier%s, %zu round%s, %zu pair%s\n", kind, nranks,
            plural(nranks), plan->ntiers, plural(plan->ntiers), rounds, plural(rounds), pairs,
            plural(pairs));
    for (size_t i = 0; i < plan->ntiers; i++) {
        const struct topo_tier_plan *tp = &plan->tiers[i];
        size_t np = 0;
        for (size_t r = 0; r < tp->nrounds; r++)
            np += tp->rounds[r].npairs;
        if (tp->tier < 0)
            fprintf(out, "  all pairs");
        else
            fprintf(out, "  tier %d", tp->tier);
        if (tp->tier_name)
            fprintf(out, " (%s)", tp->tier_name);
        else if (t != NULL && tp->tier == topo_virtual_tier(t))
            fprintf(out, " (virtual root)");
        fprintf(out, ": %zu round%s, %zu pair%s\n", tp->nrounds, plural(tp->nrounds), np, plural(np));
        for (size_t r = 0; list_pairs && r < tp->nrounds; r++) {
            fprintf(out, "    round %zu:", r);
            for (size_t k = 0; k < tp->rounds[r].npairs; k++) {
                const struct topo_pair *p = &tp->rounds[r].pairs[k];
                fprintf(out, " %d->%d", p->src, p->dst);
                if (tp->tier < 0)
                    fprintf(out, "(t%d)", p->tier);
            }
            fputc('\n', out);
        }
    }
}

/* Parents before children: a breadth-first walk from the roots. */
static int *hn_order(const struct topo *t)
{
    int *q = malloc((t->nhns + 1) * sizeof(int));
    size_t tail = 0;
    if (q == NULL)
        return NULL;
    for (size_t h = 0; h < t->nhns; h++)
        if (t->hns[h].parent < 0)
            q[tail++] = (int)h;
    for (size_t head = 0; head < tail; head++)
        for (size_t c = 0; c < t->hns[q[head]].nchildren; c++)
            q[tail++] = t->hns[q[head]].children[c];
    if (tail != t->nhns) {   /* not a forest: validation rejects that */
        free(q);
        return NULL;
    }
    return q;
}

tp_status_t topo_emit_sim(FILE *out, const struct topo *t, struct tp_error *err)
{
    if (topo_needs_node_list(t) && !t->names_given)
        return tp_error_set(err, TP_ERR_INVALID,
                            "%s: Node members use regexMatch/labelMatch, so node names are unknown: pass --nodes FILE or --node-names a,b,c",
                            t->path);
    int *q = hn_order(t);
    if (q == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
    fprintf(out, "# tierperf sim v1\n");
    for (size_t i = 0; i < t->nhns; i++) {
        const struct topo_hn *x = &t->hns[q[i]];
        fprintf(out, "hypernode %s %d %s\n", x->name, x->tier, x->parent >= 0 ? t->hns[x->parent].name : "-");
    }
    for (size_t i = 0; i < t->nnodes; i++)
        fprintf(out, "node %s %s\n", t->nodes[i].name,
                t->nodes[i].own >= 0 ? t->hns[t->nodes[i].own].name : "-");
    free(q);
    return TP_OK;
}

/* Node members keep exactMatch and regexMatch as written; labelMatch
 * (which the writer does not speak) becomes exactMatch of the nodes it
 * selected. */
tp_status_t topo_emit_yaml(FILE *out, const struct topo *t, struct tp_error *err)
{
    tp_status_t st = TP_OK;
    struct topo_yaml_hn *hns = calloc(t->nhns + 1, sizeof(*hns));
    int *q = hn_order(t);
    size_t total = 0;
    for (size_t h = 0; h < t->nhns; h++)
        total += t->hns[h].nmembers;
    for (size_t i = 0; i < t->nnodes; i++)
        total += t->nodes[i].ndirect;
    struct topo_yaml_member *mem = calloc(total + 1, sizeof(*mem));
    if (hns == NULL || q == NULL || mem == NULL) {
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory");
        goto out;
    }
    size_t used = 0;
    for (size_t i = 0; i < t->nhns; i++) {
        int h = q[i];
        const struct topo_hn *x = &t->hns[h];
        hns[i] = (struct topo_yaml_hn){x->name, x->tier, x->tier_name, mem + used, 0};
        int has_label = 0;
        for (size_t m = 0; m < x->nmembers; m++) {
            const struct topo_member *xm = &x->members[m];
            if (xm->type == TOPO_MEMBER_NODE && xm->sel == TOPO_SEL_LABEL) {
                has_label = 1;
                continue;
            }
            if (xm->type == TOPO_MEMBER_HYPERNODE && xm->sel != TOPO_SEL_EXACT)
                continue;                 /* ignored by the scheduler too */
            mem[used++] = (struct topo_yaml_member){xm->type == TOPO_MEMBER_HYPERNODE,
                                                    xm->sel == TOPO_SEL_REGEX ? TOPO_YAML_REGEX : TOPO_YAML_EXACT,
                                                    xm->value};
            hns[i].nmembers++;
        }
        for (size_t n = 0; has_label && n < t->nnodes; n++) {
            const struct topo_node *nd = &t->nodes[n];
            int listed = 0;
            for (size_t d = 0; d < nd->ndirect; d++)
                listed |= nd->direct[d] == h;
            for (size_t m = 0; listed && m < x->nmembers; m++)
                listed &= !(x->members[m].sel == TOPO_SEL_EXACT && strcmp(x->members[m].value, nd->name) == 0);
            if (listed) {
                mem[used++] = (struct topo_yaml_member){0, TOPO_YAML_EXACT, nd->name};
                hns[i].nmembers++;
            }
        }
    }
    char header[600];
    snprintf(header, sizeof(header), "HyperNodes read from %s by tierperf topo --emit yaml", t->path);
    st = topo_yaml_write(out, header, hns, t->nhns, err);
out:
    free(hns);
    free(q);
    free(mem);
    return st;
}
