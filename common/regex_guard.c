/* regex_guard.c: a linear scan of a POSIX ERE that tracks the product of
 * counted repeats over open groups and refuses stacked operators. */
#include "regex_guard.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

/* p at '{': parses {m}, {m,} or {m,n}; returns the length consumed and the
 * largest count in *count, or 0 when this '{' is not a bound. */
static size_t parse_bound(const char *p, long *count)
{
    const char *q = p + 1;
    long m = 0, n = -1;
    int digits = 0;

    while (isdigit((unsigned char)*q)) {
        if (m <= 100000)
            m = m * 10 + (*q - '0');
        q++, digits++;
    }
    if (digits == 0)
        return 0;
    if (*q == ',') {
        q++;
        if (isdigit((unsigned char)*q)) {
            n = 0;
            while (isdigit((unsigned char)*q)) {
                if (n <= 100000)
                    n = n * 10 + (*q - '0');
                q++;
            }
        }
    }
    if (*q != '}')
        return 0;
    *count = n > m ? n : m;
    return (size_t)(q - p) + 1;
}

/* p at '[': length of the bracket expression, or 0 when it never closes
 * (regcomp then reports the error itself). */
static size_t bracket_len(const char *p)
{
    const char *q = p + 1;
    if (*q == '^')
        q++;
    if (*q == ']')
        q++;
    while (*q != '\0' && *q != ']') {
        if (q[0] == '[' && (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
            char close[3] = {q[1], ']', 0};
            const char *end = strstr(q + 2, close);
            if (end == NULL)
                return 0;
            q = end + 2;
            continue;
        }
        q++;
    }
    return *q == ']' ? (size_t)(q - p) + 1 : 0;
}

static int refuse(char *why, size_t whylen, const char *fmt, long a)
{
    snprintf(why, whylen, fmt, a);
    return -1;
}

/* The scan's state.  weight[d]: product of the counted repeats applied to
 * the groups enclosing depth d, known only once a group closes; so track,
 * per open group, the largest product reached inside it. */
struct guard_scan {
    long inner[MAX_DEPTH + 1];
    int depth;
    int after_atom, after_op;
    long last_atom_weight;      /* product inside the last atom */
};

static int stacked(char *why, size_t whylen, char op)
{
    snprintf(why, whylen, "stacks repetition operators ('%c' right after another), "
             "which Go's regexp refuses and glibc cannot compile in bounded time", op);
    return -1;
}

/* A '{' at p: -1 refused (why), 0 a literal '{', else the bound's length. */
static long counted_repeat(struct guard_scan *g, const char *p, char *why, size_t whylen)
{
    long count = 0;
    size_t n = parse_bound(p, &count);

    if (n == 0)
        return 0;
    if (g->after_op)
        return stacked(why, whylen, '{');
    if (count > REGEX_GUARD_MAX_REPEAT)
        return refuse(why, whylen, "has a repeat count of %ld (at most 1000)", count);
    if (g->after_atom && count > 1) {
        long total = g->last_atom_weight * count;
        if (total > REGEX_GUARD_MAX_REPEAT)
            return refuse(why, whylen, "nests counted repeats to %ld copies (at most 1000)",
                          total);
        if (total > g->inner[g->depth])
            g->inner[g->depth] = total;
    }
    g->after_op = g->after_atom;
    return (long)n;
}

int regex_guard_check(const char *ere, char *why, size_t whylen)
{
    struct guard_scan g = {.inner = {1}, .last_atom_weight = 1};
    size_t len = strlen(ere);

    if (len > REGEX_GUARD_MAX_LEN)
        return refuse(why, whylen, "is longer than %ld characters", REGEX_GUARD_MAX_LEN);
    for (const char *p = ere; *p != '\0';) {
        long n;

        switch (*p) {
        case '*': case '+': case '?':
            if (g.after_op)
                return stacked(why, whylen, *p);
            g.after_op = g.after_atom;
            p++;
            continue;
        case '{':
            n = counted_repeat(&g, p, why, whylen);
            if (n < 0)
                return -1;
            if (n == 0)
                break;                  /* a literal '{' */
            p += n;
            continue;
        case '(':
            if (g.depth == MAX_DEPTH)
                return refuse(why, whylen, "nests groups deeper than %ld", MAX_DEPTH);
            g.inner[++g.depth] = 1;
            g.after_atom = g.after_op = 0;
            p++;
            continue;
        case ')':
            if (g.depth == 0)
                break;                  /* regcomp decides */
            g.last_atom_weight = g.inner[g.depth--];
            if (g.last_atom_weight > g.inner[g.depth])
                g.inner[g.depth] = g.last_atom_weight;
            g.after_atom = 1;
            g.after_op = 0;
            p++;
            continue;
        case '|': case '^': case '$':
            g.after_atom = g.after_op = 0;
            p++;
            continue;
        case '[':
            n = (long)bracket_len(p);
            if (n == 0)
                return 0;               /* unterminated: regcomp reports it */
            g.last_atom_weight = 1;
            g.after_atom = 1;
            g.after_op = 0;
            p += n;
            continue;
        case '\\':
            if (p[1] != '\0')
                p++;
            break;
        default:
            break;
        }
        g.last_atom_weight = 1;
        g.after_atom = 1;
        g.after_op = 0;
        p++;
    }
    return 0;
}
