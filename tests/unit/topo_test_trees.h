/* topo_test_trees.h: small HyperNode trees for unit tests, written from a
 * compact text: one line per HyperNode, "name tier member member ...",
 * members that name another line are HyperNodes, the rest Nodes. */
#ifndef TIERPERF_TOPO_TEST_TREES_H
#define TIERPERF_TOPO_TEST_TREES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topology/topology.h"

static inline int tt_is_hn(const char *spec, const char *word)
{
    const char *line = spec;
    size_t wl = strlen(word);
    while (line && *line) {
        if (strncmp(line, word, wl) == 0 && line[wl] == ' ')
            return 1;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return 0;
}

/* Load the tree described by spec; NULL on error (err says why). */
static inline struct topo *tt_load(const char *spec, struct tp_error *err)
{
    char path[96], *copy = strdup(spec), *save = NULL;
    snprintf(path, sizeof(path), "/tmp/tierperf-tt-%d-%p.yaml", (int)getpid(), (const void *)spec);
    FILE *f = fopen(path, "w");
    if (f == NULL || copy == NULL) {
        free(copy);
        if (f)
            fclose(f);
        return NULL;
    }
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *s2 = NULL, *name = strtok_r(line, " ", &s2), *tier = strtok_r(NULL, " ", &s2);
        if (name == NULL || tier == NULL)
            continue;
        fprintf(f, "---\napiVersion: topology.volcano.sh/v1alpha1\nkind: HyperNode\n"
                   "metadata: {name: %s}\nspec:\n  tier: %s\n  members:\n", name, tier);
        for (char *m = strtok_r(NULL, " ", &s2); m; m = strtok_r(NULL, " ", &s2))
            fprintf(f, "  - {type: %s, selector: {exactMatch: {name: %s}}}\n",
                    tt_is_hn(spec, m) ? "HyperNode" : "Node", m);
    }
    fclose(f);
    free(copy);
    struct topo *t = NULL;
    tp_status_t st = topo_load(path, NULL, &t, err);
    unlink(path);
    return st == TP_OK ? t : NULL;
}

/* The shapes the tests share. */
/* binary, 3 tiers: the simulated cluster's default */
#define TT_BINARY "core 3 sp0 sp1\nsp0 2 lf0 lf1\nsp1 2 lf2 lf3\n" \
                  "lf0 1 n0 n1\nlf1 1 n2 n3\nlf2 1 n4 n5\nlf3 1 n6 n7\n"
/* one spine over three uneven leaves */
#define TT_WIDE "sp 2 la lb lc\nla 1 a0 a1 a2 a3\nlb 1 b0 b1 b2\nlc 1 c0 c1 c2 c3 c4\n"
/* a forest under the virtual root, mixed depth: a node straight under a
 * spine and a skipped tier */
#define TT_FOREST "r0 3 s0 x9\ns0 2 l0 l1\nl0 1 x0 x1 x2\nl1 1 x3 x4\n" \
                  "r1 3 l2\nl2 1 y0 y1 y2\n"

#endif
