/* ans_test_util.h: helpers shared by the answers unit tests: load a
 * fixture run, capture a FILE * writer's output, scratch files, and a
 * small XML well-formedness check (tags nest, attributes quoted, no raw
 * '<' or '&' in text). */
#ifndef TIERPERF_ANS_TEST_UTIL_H
#define TIERPERF_ANS_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/results/results_read.h"

#define FIXTURES "tests/fixtures/results/"

static inline cJSON *load_fixture(const char *name)
{
    char path[256];
    struct tp_error err = {0};
    cJSON *run = NULL;
    snprintf(path, sizeof(path), FIXTURES "%s", name);
    cr_assert_eq(results_load(path, &run, &err), TP_OK, "%s", err.msg);
    return run;
}

static inline cJSON *parse_run(const char *json)
{
    cJSON *run = cJSON_Parse(json);
    cr_assert_not_null(run, "bad test JSON");
    return run;
}

/* open_memstream wrapper: call capture_end() to get the text (free it). */
struct capture {
    FILE *f;
    char *buf;
    size_t len;
};

static inline FILE *capture_begin(struct capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    cr_assert_not_null(c->f);
    return c->f;
}

static inline char *capture_end(struct capture *c)
{
    fclose(c->f);
    return c->buf;
}

/* A fresh scratch directory under /tmp; path written into dir. */
static inline void scratch_dir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/tierperf-unit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static inline void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static inline char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s not written", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static inline size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Returns NULL when well formed, else a short reason.  Handles the XML
 * subset our writers produce: declaration, comments, elements, attributes
 * in ' or ", entity references, text. */
static inline const char *xml_check(const char *s)
{
    const char *stack[256];
    size_t stack_len[256], depth = 0;
    int seen_root = 0;

    while (*s) {
        if (*s == '&') {
            const char *semi = strchr(s, ';');
            if (semi == NULL || semi - s > 8)
                return "bare '&' in text";
            s = semi + 1;
        } else if (strncmp(s, "<?", 2) == 0) {
            s = strstr(s, "?>");
            if (s == NULL)
                return "unterminated <?";
            s += 2;
        } else if (strncmp(s, "<!--", 4) == 0) {
            s = strstr(s, "-->");
            if (s == NULL)
                return "unterminated comment";
            s += 3;
        } else if (strncmp(s, "</", 2) == 0) {
            const char *name = s + 2;
            size_t n = strcspn(name, " >");
            if (depth == 0 || stack_len[depth - 1] != n || strncmp(stack[depth - 1], name, n))
                return "mismatched end tag";
            depth--;
            s = strchr(name, '>');
            if (s == NULL)
                return "unterminated end tag";
            s++;
        } else if (*s == '<') {
            const char *name = s + 1;
            size_t n = strcspn(name, " />\n");
            if (n == 0)
                return "empty tag name";
            if (depth == 0 && seen_root)
                return "second root element";
            seen_root = 1;
            s = name + n;
            for (;;) {
                s += strspn(s, " \n\t");
                if (*s == '>' || strncmp(s, "/>", 2) == 0)
                    break;
                size_t an = strcspn(s, "= >");
                if (an == 0 || s[an] != '=' || (s[an + 1] != '"' && s[an + 1] != '\''))
                    return "attribute without quoted value";
                char q = s[an + 1];
                const char *end = strchr(s + an + 2, q);
                if (end == NULL)
                    return "unterminated attribute";
                for (const char *p = s + an + 2; p < end; p++)
                    if (*p == '<')
                        return "'<' in attribute";
                s = end + 1;
            }
            if (*s == '>') {
                if (depth == 256)
                    return "too deep";
                stack[depth] = name;
                stack_len[depth++] = n;
                s++;
            } else {
                s += 2;
            }
        } else {
            if (*s == '>')
                return "bare '>' in text";
            s++;
        }
    }
    if (depth != 0)
        return "unclosed element";
    return seen_root ? NULL : "no root element";
}

#endif
