/* tp_rail.c: NIC lists and the choice of a rank's rail (see tp_rail.h). */
#include "tp_rail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tp_rail_is_auto(const char *value)
{
    return value != NULL && strcmp(value, "auto") == 0;
}

int tp_rail_list_add(struct tp_rail_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return 0;
    if (l->n >= TP_RAIL_MAX)
        return -1;
    snprintf(l->names[l->n++], TP_RAIL_NAME_LEN, "%s", name);
    return 0;
}

tp_status_t tp_rail_list_parse(const char *value, const char *option, struct tp_rail_list *l,
                               struct tp_error *err)
{
    const char *p = value;

    memset(l, 0, sizeof(*l));
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0)
            return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': empty name in the list",
                                option, value);
        if (len >= TP_RAIL_NAME_LEN)
            return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': name '%.*s' is too long",
                                option, value, (int)len, p);
        if (l->n >= TP_RAIL_MAX)
            return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': more than %d names", option,
                                value, TP_RAIL_MAX);
        for (size_t i = 0; i < l->n; i++)
            if (strlen(l->names[i]) == len && strncmp(l->names[i], p, len) == 0)
                return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': '%.*s' is listed twice",
                                    option, value, (int)len, p);
        memcpy(l->names[l->n], p, len);
        l->names[l->n++][len] = '\0';
        if (p[len] == '\0')
            return TP_OK;
        p += len + 1;
    }
}

tp_status_t tp_rail_opt_parse(const struct opt_field *f, const char *val, void *cfg,
                              struct tp_error *err)
{
    struct tp_rail_list l;

    if (!tp_rail_is_auto(val)) {
        tp_status_t st = tp_rail_list_parse(val, f->name, &l, err);
        if (st != TP_OK)
            return st;
    }
    *OPT_PTR(cfg, f, const char *) = val;
    return TP_OK;
}

int tp_rail_split_port(const char *name, char *base, size_t len, int *port)
{
    const char *colon = strchr(name, ':');
    size_t n = colon != NULL ? (size_t)(colon - name) : strlen(name);

    *port = 0;
    if (n == 0 || n >= len)
        return -1;
    memcpy(base, name, n);
    base[n] = '\0';
    if (colon == NULL)
        return 0;
    char *end = NULL;
    long p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || p < 1 || p > 255)
        return -1;
    *port = (int)p;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

void tp_rail_list_sort(struct tp_rail_list *l)
{
    qsort(l->names, l->n, sizeof(l->names[0]), name_cmp);
}

size_t tp_rail_choose(const struct tp_config *cfg, const struct tp_rail_list *l, char *why,
                      size_t len)
{
    int lrank = cfg->local_rank > 0 ? cfg->local_rank : 0;

    if (l->n == 0) {
        snprintf(why, len, "no NIC listed");
        return 0;
    }

    if (cfg->rail_near != NULL) {
        const char *names[TP_RAIL_MAX];
        for (size_t i = 0; i < l->n; i++)
            names[i] = l->names[i];
        int near = cfg->rail_near(cfg->rail_arg, names, l->n);
        if (near >= 0 && (size_t)near < l->n) {
            snprintf(why, len, "rail %d of %zu: nearest this rank's GPU", near, l->n);
            return (size_t)near;
        }
    }
    size_t r = (size_t)lrank % l->n;
    snprintf(why, len, "rail %zu of %zu: local rank %d", r, l->n, lrank);
    return r;
}
