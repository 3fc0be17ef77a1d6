/* topo_regex.c: RE2 (Go regexp) -> POSIX ERE for regexMatch selectors.
 * Only whether a name matches matters, never what a group captured, so
 * groups (?:...) become plain groups and lazy quantifiers (*? +? ??)
 * become greedy: both change captures, not the yes/no answer. */
#include "topo_regex.h"

#include "../common/regex_guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
};

static void put(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = (b->cap + n + 1) * 2;
        char *p = realloc(b->s, ncap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static void putc1(struct sbuf *b, char c)
{
    char s[2] = {c, 0};
    put(b, s);
}

static int fail(char *why, size_t whylen, const char *fmt, const char *what)
{
    snprintf(why, whylen, fmt, what);
    return -1;
}

/* Escape outside brackets: \d \w \s and their negations, \A \z, escaped
 * punctuation.  Returns bytes consumed after the backslash, or -1. */
static int escape_outside(struct sbuf *b, const char *p, char *why, size_t whylen)
{
    char seq[8];
    snprintf(seq, sizeof(seq), "\\%c", *p ? *p : ' ');
    switch (*p) {
    case 'd': put(b, "[0-9]"); return 1;
    case 'D': put(b, "[^0-9]"); return 1;
    case 'w': put(b, "[0-9A-Za-z_]"); return 1;
    case 'W': put(b, "[^0-9A-Za-z_]"); return 1;
    case 's': put(b, "[[:space:]]"); return 1;
    case 'S': put(b, "[^[:space:]]"); return 1;
    case 'A': put(b, "^"); return 1;
    case 'z': put(b, "$"); return 1;
    case 't': put(b, "\t"); return 1;
    case 'n': put(b, "\n"); return 1;
    case '\0':
        return fail(why, whylen, "%s", "trailing backslash");
    default:
        break;
    }
    if (strchr(".+*?()|[]{}^$\\-/", *p) != NULL) {
        put(b, "\\");
        putc1(b, *p);
        return 1;
    }
    return fail(why, whylen, "uses RE2-only escape '%s' (not translatable to POSIX ERE)", seq);
}

/* Inside [...]: POSIX treats backslash literally, RE2 as an escape. */
static int escape_inside(struct sbuf *b, const char *p, char *why, size_t whylen)
{
    char seq[8];
    snprintf(seq, sizeof(seq), "\\%c", *p ? *p : ' ');
    switch (*p) {
    case 'd': put(b, "0-9"); return 1;
    case 'w': put(b, "0-9A-Za-z_"); return 1;
    case 's': put(b, "[:space:]"); return 1;
    case 't': put(b, "\t"); return 1;
    default: break;
    }
    if (*p != '\0' && strchr(".+*?()|{}$/", *p) != NULL) {
        putc1(b, *p);
        return 1;
    }
    return fail(why, whylen,
                "uses '%s' inside a bracket expression, which POSIX ERE cannot express", seq);
}

/* One step inside a bracket expression at *pp (advanced): in_bracket
 * counts what the bracket holds so far (a ']' closes it after the first);
 * -1 on what ERE cannot express (why). */
static int bracket_step(struct sbuf *b, const char **pp, int *in_bracket, char *why,
                        size_t whylen)
{
    const char *p = *pp;

    if (*p == '\\') {
        int n = escape_inside(b, p + 1, why, whylen);
        if (n < 0)
            return -1;
        *pp = p + 1 + n;
        return 0;
    }
    if (p[0] == '[' && p[1] == ':') {      /* [:alpha:] same in both */
        const char *end = strstr(p + 2, ":]");
        if (end == NULL) {
            fail(why, whylen, "%s", "unterminated character class [:...:]");
            return -1;
        }
        for (; p < end + 2; p++)
            putc1(b, *p);
        *in_bracket = 2;                   /* a ']' after a class closes */
        *pp = p;
        return 0;
    }
    if (*p == ']' && *in_bracket > 1)
        *in_bracket = 0;
    else
        (*in_bracket)++;
    putc1(b, *p);
    *pp = p + 1;
    return 0;
}

char *topo_regex_translate(const char *pattern, char *why, size_t whylen)
{
    struct sbuf b = {0};
    const char *p = pattern;
    int in_bracket = 0;

    put(&b, "");
    while (*p) {
        if (in_bracket) {
            if (bracket_step(&b, &p, &in_bracket, why, whylen) < 0)
                goto err;
            continue;
        }
        if (*p == '\\') {
            int n = escape_outside(&b, p + 1, why, whylen);
            if (n < 0)
                goto err;
            p += 1 + n;
            continue;
        }
        if (*p == '[') {
            putc1(&b, *p++);
            in_bracket = 1;
            if (*p == '^')
                putc1(&b, *p++);
            if (*p == ']') {              /* leading ']' is literal in both */
                putc1(&b, *p++);
                in_bracket = 2;
            }
            continue;
        }
        if (p[0] == '(' && p[1] == '?') {
            if (p[2] == ':') {
                putc1(&b, '(');
                p += 3;
                continue;
            }
            if (p[2] == 'P' && p[3] == '<') {
                fail(why, whylen, "%s",
                     "uses RE2-only named group (?P<name>...), which POSIX ERE cannot express");
                goto err;
            }
            fail(why, whylen, "%s",
                 "uses RE2-only flags or group syntax '(?...)' such as (?i), which POSIX ERE cannot express");
            goto err;
        }
        if ((*p == '*' || *p == '+' || *p == '?' || *p == '}') && p[1] == '?') {
            putc1(&b, *p);                /* lazy -> greedy: same yes/no */
            p += 2;
            continue;
        }
        putc1(&b, *p++);
    }
    if (in_bracket) {
        fail(why, whylen, "%s", "missing closing ']'");
        goto err;
    }
    if (b.oom) {
        fail(why, whylen, "%s", "out of memory");
        goto err;
    }
    return b.s;
err:
    free(b.s);
    return NULL;
}

int topo_regex_compile(const char *pattern, regex_t *re, char *why, size_t whylen)
{
    char *ere = topo_regex_translate(pattern, why, whylen);
    if (ere == NULL)
        return -1;
    if (regex_guard_check(ere, why, whylen) != 0) {
        free(ere);
        return -1;
    }
    int rc = regcomp(re, ere, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[160];
        regerror(rc, re, msg, sizeof(msg));
        snprintf(why, whylen, "does not compile: %s", msg);
        free(ere);
        return -1;
    }
    free(ere);
    return 0;
}

size_t topo_regex_prefix(const char *pattern)
{
    size_t n = 0;
    if (pattern[0] != '^' || strchr(pattern, '|') != NULL)
        return 0;
    const char *p = pattern + 1;
    while (p[n] != '\0' && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_/:", p[n]))
        n++;
    if (n > 0 && (p[n] == '*' || p[n] == '?' || p[n] == '{'))
        n--;                              /* the quantifier owns that char */
    return n;
}
