/* ans_sizes.c: the message sizes a run measured (see ans_sizes.h). */
#include "ans_sizes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ans_units.h"
#include "../bench/results/results_rows.h"

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

size_t ans_sizes_measured(const cJSON *run, long long **sizes_p)
{
    const cJSON *e;
    long long *v = NULL;
    size_t n = 0, cap = 0;

    RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        const cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size_bytes");
        if (!cJSON_IsNumber(sz) || !(sz->valuedouble >= 0 && sz->valuedouble <= 9007199254740992.0) ||
            cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "error")))
            continue;
        long long s = (long long)sz->valuedouble;
        size_t i;
        for (i = 0; i < n && v[i] != s; i++)
            ;
        if (i < n)
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            long long *grown = realloc(v, ncap * sizeof(*grown));
            if (grown == NULL)
                break;
            v = grown;
            cap = ncap;
        }
        v[n++] = s;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_ll);
    *sizes_p = v;
    return n;
}

const char *ans_sizes_list(const long long *sizes, size_t n, char *buf, size_t len)
{
    char one[32];

    snprintf(buf, len, "%s", n ? "" : "none");
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        ans_fmt_msgsize(sizes[i], one, sizeof(one));
        if (used + strlen(one) + 8 >= len) {
            snprintf(buf + used, len - used, ", ...");
            break;
        }
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", one);
    }
    return buf;
}

tp_status_t ans_size_require(const cJSON *run, long long size, const char *what,
                             struct tp_error *err)
{
    long long *sizes;
    size_t n = ans_sizes_measured(run, &sizes);
    char list[200], want[32];
    int found = 0;

    for (size_t i = 0; i < n && !found; i++)
        found = sizes[i] == size;
    if (!found)
        tp_error_set(err, TP_ERR_INVALID, "--size %s was not measured in %s; measured sizes: %s",
                     ans_fmt_msgsize(size, want, sizeof(want)), what,
                     ans_sizes_list(sizes, n, list, sizeof(list)));
    free(sizes);
    return found ? TP_OK : TP_ERR_INVALID;
}
