/* cli_opts.c: one-line answers to unknown, misspelled, ambiguous or
 * value-less options, for every subcommand (cli_opts.h). */
#include "cli_opts.h"

#include <stdio.h>
#include <string.h>

#include "../../common/log.h"

#define CLI_NAME_MAX 64

/* Edit distance with adjacent transpositions ("quite" -> "quiet" is 1). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[CLI_NAME_MAX + 1][CLI_NAME_MAX + 1];

    if (la > CLI_NAME_MAX || lb > CLI_NAME_MAX)
        return (size_t)-1;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *cli_opt_suggest(const char *name, const struct option *longopts)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, len = strlen(name);
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;

    for (const struct option *o = longopts; o != NULL && o->name != NULL; o++) {
        size_t d = distance(name, o->name);
        /* "--topo" for "--topology": a longer name that starts with this one */
        if (len >= 3 && strncmp(o->name, name, len) == 0)
            d = 1;
        if (d < best_d) {
            best_d = d;
            best = o->name;
        }
    }
    return best_d <= limit ? best : NULL;
}

/* The option's name without dashes and without "=value". */
static void bare_name(const char *arg, char *buf, size_t len, int *has_value)
{
    while (*arg == '-')
        arg++;
    snprintf(buf, len, "%s", arg);
    char *eq = strchr(buf, '=');
    *has_value = eq != NULL;
    if (eq != NULL)
        *eq = '\0';
}

static size_t prefix_matches(const char *name, const struct option *longopts, char *list,
                             size_t len)
{
    size_t n = 0, nl = strlen(name);
    list[0] = '\0';
    for (const struct option *o = longopts; o != NULL && o->name != NULL; o++) {
        if (strncmp(o->name, name, nl) != 0)
            continue;
        if (strcmp(o->name, name) == 0)
            return 0;   /* exact: not ambiguous */
        snprintf(list + strlen(list), len - strlen(list), "%s--%s", n ? ", " : "", o->name);
        n++;
    }
    return n;
}

tp_status_t cli_opt_error(const char *cmd, char **argv, const struct option *longopts,
                          struct tp_error *err)
{
    return cli_opt_explain(cmd, optind > 0 ? argv[optind - 1] : "", longopts, err);
}

/* The option that exactly or as the one unique prefix matches name. */
static const struct option *lookup(const char *name, const struct option *longopts)
{
    const struct option *hit = NULL;
    size_t nl = strlen(name), n = 0;
    for (const struct option *o = longopts; o != NULL && o->name != NULL; o++) {
        if (strcmp(o->name, name) == 0)
            return o;
        if (strncmp(o->name, name, nl) == 0) {
            hit = o;
            n++;
        }
    }
    return n == 1 ? hit : NULL;
}

tp_status_t cli_opt_explain(const char *cmd, const char *arg, const struct option *longopts,
                            struct tp_error *err)
{
    char name[CLI_NAME_MAX + 1], list[256];
    int has_value = 0;

    if (arg == NULL || arg[0] != '-' || arg[1] != '-')
        return tp_error_set(err, TP_ERR_INVALID, "%s: unknown option '%s' (see tierperf %s --help)",
                            cmd, arg ? arg : "", cmd);
    bare_name(arg, name, sizeof(name), &has_value);
    const struct option *o = lookup(name, longopts);
    if (o != NULL && o->has_arg == required_argument && !has_value)
        return tp_error_set(err, TP_ERR_INVALID, "%s: option '--%s' needs a value", cmd, o->name);
    if (o != NULL && o->has_arg == no_argument && has_value)
        return tp_error_set(err, TP_ERR_INVALID, "%s: option '--%s' takes no value", cmd, o->name);
    if (prefix_matches(name, longopts, list, sizeof(list)) > 1)
        return tp_error_set(err, TP_ERR_INVALID, "%s: option '--%s' is ambiguous (%s)", cmd, name,
                            list);
    const char *guess = cli_opt_suggest(name, longopts);
    if (guess != NULL)
        return tp_error_set(err, TP_ERR_INVALID,
                            "%s: unknown option '--%s' (did you mean --%s? see tierperf %s --help)",
                            cmd, name, guess, cmd);
    return tp_error_set(err, TP_ERR_INVALID, "%s: unknown option '--%s' (see tierperf %s --help)",
                        cmd, name, cmd);
}

int cli_opt_fail(const char *cmd, char **argv, const struct option *longopts)
{
    struct tp_error err = {0};
    cli_opt_error(cmd, argv, longopts, &err);
    tp_log_error("%s", err.msg);
    return 2;
}
