/* opt_table.c: defaults, parsing with the table's limits, help lines and
 * did-you-mean for option tables (see opt_table.h). */
#include "opt_table.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define HELP_COLUMN 22
#define HELP_WIDTH  80

static tp_status_t bad(struct tp_error *err, const struct opt_field *f, const char *val,
                       const char *why)
{
    return tp_error_set(err, TP_ERR_INVALID, "--%s '%s': %s", f->name, val, why);
}

static tp_status_t out_of_range(struct tp_error *err, const struct opt_field *f, const char *val)
{
    char why[128];

    if (f->max > 0)
        snprintf(why, sizeof(why), "must be between %.0f and %.0f", f->min, f->max);
    else
        snprintf(why, sizeof(why), "must be at least %.0f", f->min);
    return bad(err, f, val, why);
}

static int in_range(const struct opt_field *f, double v)
{
    return v >= f->min && (f->max <= 0 || v <= f->max);
}

static tp_status_t set_int(const struct opt_field *f, const char *val, void *cfg,
                           struct tp_error *err)
{
    char *end = NULL;

    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno != 0 || end == val || *end != '\0')
        return bad(err, f, val, "not an integer");
    if (v < f->min || v > f->max)
        return out_of_range(err, f, val);
    *OPT_PTR(cfg, f, int) = (int)v;
    return TP_OK;
}

static tp_status_t set_u64(const struct opt_field *f, const char *val, void *cfg,
                           struct tp_error *err)
{
    char *end = NULL;

    errno = 0;
    if (val[0] == '-' || val[0] == '\0')
        return bad(err, f, val, "not a non-negative integer");
    unsigned long long v = strtoull(val, &end, 10);
    if (errno != 0 || end == val || *end != '\0')
        return bad(err, f, val, "not an integer");
    if (!in_range(f, (double)v))
        return out_of_range(err, f, val);
    *OPT_PTR(cfg, f, uint64_t) = v;
    return TP_OK;
}

static tp_status_t set_seconds(const struct opt_field *f, const char *val, void *cfg,
                               struct tp_error *err)
{
    struct tp_error uerr = {0};
    double v = 0;

    if (units_parse_duration(val, &v, &uerr) != TP_OK)
        return bad(err, f, val, "not a duration (e.g. 30, 30s, 500ms, 2m; bare = seconds)");
    if (v <= 0 || v > f->max) {
        char why[96], lim[32];
        snprintf(why, sizeof(why), "must be more than 0 and at most %s",
                 units_fmt_duration(f->max, lim, sizeof(lim)));
        return bad(err, f, val, why);
    }
    *OPT_PTR(cfg, f, double) = v;
    return TP_OK;
}

static tp_status_t set_size(const struct opt_field *f, const char *val, void *cfg,
                            struct tp_error *err)
{
    struct tp_error uerr = {0};
    uint64_t v = 0;

    if (units_parse_size(val, &v, &uerr) != TP_OK)
        return bad(err, f, val, "expected a byte count such as 64K, 4M or 140GB");
    if (!in_range(f, (double)v)) {
        char lo[32], why[96];
        char hi[32];
        if (f->max > 0)
            snprintf(why, sizeof(why), "expected a size from %s to %s",
                     units_fmt_size((uint64_t)f->min, lo, sizeof(lo)),
                     units_fmt_size((uint64_t)f->max, hi, sizeof(hi)));
        else
            snprintf(why, sizeof(why), "expected a size of at least %s",
                     units_fmt_size((uint64_t)f->min, lo, sizeof(lo)));
        return bad(err, f, val, why);
    }
    *OPT_PTR(cfg, f, uint64_t) = v;
    return TP_OK;
}

static tp_status_t set_string(const struct opt_field *f, const char *val, void *cfg,
                              struct tp_error *err)
{
    size_t len = strlen(val);

    if (!in_range(f, (double)len)) {
        char why[96];
        if (f->max > 0)
            snprintf(why, sizeof(why), "expected %.0f..%.0f characters", f->min, f->max);
        else
            snprintf(why, sizeof(why), "empty");
        return bad(err, f, val, why);
    }
    *OPT_PTR(cfg, f, const char *) = val;
    return TP_OK;
}

static tp_status_t set_enum(const struct opt_field *f, const char *val, void *cfg,
                            struct tp_error *err)
{
    char why[160] = "expected ";
    size_t n = 0;

    for (; f->choices[n] != NULL; n++)
        if (strcmp(f->choices[n], val) == 0) {
            *OPT_PTR(cfg, f, int) = (int)n;
            return TP_OK;
        }
    for (size_t i = 0; i < n; i++)
        snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s",
                 i == 0 ? "" : i + 1 == n ? " or " : ", ", f->choices[i]);
    return bad(err, f, val, why);
}

static tp_status_t field_store(const struct opt_field *f, const char *val, void *cfg,
                               struct tp_error *err)
{
    switch (f->type) {
    case OPT_FLAG: *OPT_PTR(cfg, f, int) = 1; return TP_OK;
    case OPT_COUNT: (*OPT_PTR(cfg, f, int))++; return TP_OK;
    case OPT_INT: return set_int(f, val, cfg, err);
    case OPT_U64: return set_u64(f, val, cfg, err);
    case OPT_SECONDS: return set_seconds(f, val, cfg, err);
    case OPT_SIZE: return set_size(f, val, cfg, err);
    case OPT_STRING: return set_string(f, val, cfg, err);
    case OPT_ENUM: return set_enum(f, val, cfg, err);
    case OPT_CUSTOM:
    case OPT_CUSTOM_SIZE: return f->parse(f, val, cfg, err);
    }
    return tp_error_set(err, TP_ERR_INTERNAL, "--%s: unknown option type", f->name);
}

tp_status_t opt_field_set(const struct opt_field *f, const char *val, void *cfg,
                          struct tp_error *err)
{
    tp_status_t st = field_store(f, val, cfg, err);

    if (st == TP_OK && f->given_flag != 0)
        *(int *)(void *)((char *)cfg + f->given_flag - 1) = 1;
    return st;
}

int opt_field_has_value(const struct opt_field *f)
{
    return f->type != OPT_FLAG && f->type != OPT_COUNT;
}

tp_status_t opt_table_defaults(const struct opt_table *t, void *cfg, struct tp_error *err)
{
    memset(cfg, 0, t->config_size);
    for (const struct opt_field *f = t->fields; f->name != NULL; f++) {
        if (f->dflt == NULL || !opt_field_has_value(f))
            continue;
        struct tp_error derr = {0};
        if (f->type == OPT_INT) {       /* may be a sentinel outside the limits */
            *OPT_PTR(cfg, f, int) = (int)strtol(f->dflt, NULL, 10);
            continue;
        }
        if (field_store(f, f->dflt, cfg, &derr) != TP_OK)
            return tp_error_set(err, TP_ERR_INTERNAL, "%s options: default %s", t->owner,
                                derr.msg);
    }
    return TP_OK;
}

static tp_status_t check_field(const struct opt_table *t, const struct opt_field *f,
                               const void *cfg, struct tp_error *err)
{
    double v;

    switch (f->type) {
    case OPT_INT: v = *OPT_CPTR(cfg, f, int); break;
    case OPT_U64:
    case OPT_CUSTOM_SIZE:
    case OPT_SIZE: v = (double)*OPT_CPTR(cfg, f, uint64_t); break;
    case OPT_SECONDS: v = *OPT_CPTR(cfg, f, double); break;
    default: return TP_OK;
    }
    if (f->type == OPT_SECONDS ? (v > 0 && v <= f->max) : in_range(f, v))
        return TP_OK;
    if (f->type == OPT_INT && f->dflt != NULL && v == (int)strtol(f->dflt, NULL, 10))
        return TP_OK;   /* the default may be a sentinel such as -1 = automatic */
    if (f->max > 0)
        return tp_error_set(err, TP_ERR_INVALID, "%s: --%s %.17g: must be %g..%g", t->owner,
                            f->name, v, f->min, f->max);
    return tp_error_set(err, TP_ERR_INVALID, "%s: --%s %.17g: must be at least %g", t->owner,
                        f->name, v, f->min);
}

tp_status_t opt_table_check(const struct opt_table *t, const void *cfg, struct tp_error *err)
{
    for (const struct opt_field *f = t->fields; f->name != NULL; f++) {
        tp_status_t st = check_field(t, f, cfg, err);
        if (st != TP_OK)
            return st;
    }
    return TP_OK;
}

tp_status_t opt_table_resolve(const struct opt_table *t, const void *given, void *out,
                              struct tp_error *err)
{
    if (given == NULL)
        return opt_table_defaults(t, out, err);
    memcpy(out, given, t->config_size);
    return opt_table_check(t, out, err);
}

const char *opt_field_format(const struct opt_field *f, const void *cfg, char *buf, size_t len)
{
    const char *s;
    int i;

    switch (f->type) {
    case OPT_FLAG:
    case OPT_COUNT:
    case OPT_INT: snprintf(buf, len, "%d", *OPT_CPTR(cfg, f, int)); break;
    case OPT_U64:
    case OPT_SIZE:
    case OPT_CUSTOM_SIZE:
        snprintf(buf, len, "%llu", (unsigned long long)*OPT_CPTR(cfg, f, uint64_t));
        break;
    case OPT_SECONDS: snprintf(buf, len, "%g", *OPT_CPTR(cfg, f, double)); break;
    case OPT_ENUM:
        i = *OPT_CPTR(cfg, f, int);
        snprintf(buf, len, "%s", f->choices[i]);
        break;
    case OPT_STRING:
    case OPT_CUSTOM:
        s = *OPT_CPTR(cfg, f, const char *);
        snprintf(buf, len, "%s", s != NULL ? s : "");
        break;
    }
    return buf;
}

const struct opt_field *opt_table_find(const struct opt_table *t, const char *name)
{
    for (const struct opt_field *f = t->fields; f->name != NULL; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* "(default 64; 1..16384)" from the table: what the user may give. */
static void help_tail(const struct opt_field *f, char *buf, size_t len)
{
    char lim[64] = "";

    buf[0] = '\0';
    if ((f->type == OPT_INT || f->type == OPT_U64) && f->max > 0)
        snprintf(lim, sizeof(lim), "%.0f..%.0f", f->min, f->max);
    const char *d = f->dflt_help != NULL ? f->dflt_help : f->dflt;
    const char *unit = f->type == OPT_SECONDS && f->dflt_help == NULL ? " s" : "";
    if (d != NULL && lim[0] != '\0')
        snprintf(buf, len, " (default %s%s; %s)", d, unit, lim);
    else if (d != NULL)
        snprintf(buf, len, " (default %s%s)", d, unit);
    else if (lim[0] != '\0')
        snprintf(buf, len, " (%s)", lim);
}

void opt_field_help(const struct opt_field *f, FILE *out)
{
    char first[64], tail[96];
    int col;

    if (f->short_name != 0)
        col = snprintf(first, sizeof(first), "  -%c, --%s", f->short_name, f->name);
    else
        col = snprintf(first, sizeof(first), "  --%s%s%s", f->name, f->metavar ? " " : "",
                       f->metavar ? f->metavar : "");
    fputs(first, out);
    if (col >= HELP_COLUMN) {
        fputc('\n', out);
        col = 0;
    }
    help_tail(f, tail, sizeof(tail));
    const char *h = f->help != NULL ? f->help : "";
    for (;;) {
        const char *nl = strchr(h, '\n');
        int n = nl != NULL ? (int)(nl - h) : (int)strlen(h);
        int fits = HELP_COLUMN + n + (int)strlen(tail) <= HELP_WIDTH;
        fprintf(out, "%*s%.*s%s\n", HELP_COLUMN - col, "", n, h,
                nl == NULL && fits ? tail : "");
        if (nl == NULL && !fits && tail[0] != '\0')
            fprintf(out, "%*s%s\n", HELP_COLUMN - 1, "", tail);
        if (nl == NULL)
            break;
        h = nl + 1;
        col = 0;
    }
    if (f->help_more != NULL)
        f->help_more(out);
}

void opt_table_help(const struct opt_table *t, FILE *out)
{
    for (const struct opt_field *f = t->fields; f->name != NULL; f++) {
        if (f->section != NULL)
            fprintf(out, "\n%s:\n", f->section);
        opt_field_help(f, out);
    }
}
