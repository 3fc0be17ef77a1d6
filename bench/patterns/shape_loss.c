/* shape_loss.c: the traffic shapes' loss per flow (shape_loss.h). */
#include "shape_loss.h"

#include <stdlib.h>
#include <string.h>

void shape_loss_begin(const struct bench_engine *e, const struct shape_link *links, size_t n,
                      struct shape_loss *l)
{
    for (size_t i = 0; i < n; i++)
        loss_counters_read(e->ops, links[i].ep, &l[i].before);
}

void shape_loss_end(const struct bench_engine *e, const struct shape_link *links, size_t n,
                    struct shape_loss *l)
{
    for (size_t i = 0; i < n; i++) {
        struct tp_counters after;
        loss_counters_read(e->ops, links[i].ep, &after);
        loss_delta(&l[i].before, &after, &l[i].sent);
    }
}

static int flow_cmp(const void *a, const void *b)
{
    const struct result_row *x = *(const struct result_row *const *)a;
    const struct result_row *y = *(const struct result_row *const *)b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->dst != y->dst)
        return x->dst < y->dst ? -1 : 1;
    return x->size_bytes < y->size_bytes ? -1 : x->size_bytes > y->size_bytes;
}

void shape_loss_to_receivers(struct result_row *all, size_t n)
{
    struct result_row **idx = malloc((n ? n : 1) * sizeof(struct result_row *));
    struct row_loss *held = malloc((n ? n : 1) * sizeof(*held));

    if (idx == NULL || held == NULL) {   /* no loss rather than the wrong flow's */
        for (size_t i = 0; i < n; i++)
            memset(&all[i].loss, 0, sizeof(all[i].loss));
        free(idx);
        free(held);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        idx[i] = &all[i];
        held[i] = all[i].loss;
    }
    qsort(idx, n, sizeof(struct result_row *), flow_cmp);
    for (size_t i = 0; i < n; i++) {
        struct result_row key = {.src = all[i].dst, .dst = all[i].src,
                                 .size_bytes = all[i].size_bytes};
        const struct result_row *k = &key;
        struct result_row **rev = bsearch(&k, idx, n, sizeof(struct result_row *), flow_cmp);
        if (rev != NULL)
            all[i].loss = held[*rev - all];
        else
            memset(&all[i].loss, 0, sizeof(all[i].loss));
    }
    free(idx);
    free(held);
}
