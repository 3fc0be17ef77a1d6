/* setup_check.c: set-up checks that need every rank's node name (see
 * setup_check.h). */
#include "setup_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"

tp_status_t setup_check_nodes(const struct topo *topo, const char *topo_path,
                              const char *const *names, size_t nranks, struct tp_error *err)
{
    for (size_t i = 0; topo != NULL && i < nranks; i++)
        if (topo_node_path(topo, names[i], NULL, NULL, 0) <= 0)
            return tp_error_set(err, TP_ERR_INVALID,
                                "rank %zu: node '%s' is in no HyperNode of --topology %s (node "
                                "names come from --node-name, TIERPERF_NODE_NAME or the hostname)",
                                i, names[i], topo_path != NULL ? topo_path : "");
    return TP_OK;
}

size_t setup_warn_idle(const struct topo_plan *plan, const char *pattern,
                       const char *const *names, size_t nranks, int speak)
{
    unsigned char *busy = calloc(nranks ? nranks : 1, 1);
    size_t idle = 0;
    char list[200] = "";

    if (busy == NULL)
        return 0;
    for (size_t t = 0; t < plan->ntiers; t++)
        for (size_t r = 0; r < plan->tiers[t].nrounds; r++)
            for (size_t p = 0; p < plan->tiers[t].rounds[r].npairs; p++) {
                const struct topo_pair *pr = &plan->tiers[t].rounds[r].pairs[p];
                if (pr->src >= 0 && (size_t)pr->src < nranks)
                    busy[pr->src] = 1;
                if (pr->dst >= 0 && (size_t)pr->dst < nranks)
                    busy[pr->dst] = 1;
            }
    for (size_t i = 0; i < nranks; i++) {
        if (busy[i])
            continue;
        idle++;
        size_t used = strlen(list);
        if (used + 40 < sizeof(list))
            snprintf(list + used, sizeof(list) - used, "%s%zu (%s)", used ? ", " : "", i, names[i]);
    }
    free(busy);
    if (idle > 0 && speak)
        tp_log_warn("--pattern %s with %zu ranks: %zu rank(s) in no pair, idle for the whole run: "
                    "rank %s%s%s", pattern, nranks, idle, list,
                    strlen(list) + 40 >= sizeof(list) ? ", ..." : "",
                    strcmp(pattern, "pairs") == 0 && nranks % 2 ? " (pairs need an even -np)" : "");
    return idle;
}
