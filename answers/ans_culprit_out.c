/* ans_culprit_out.c: the culprit as text, JSON and JUnit. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ans_culprit.h"
#include "ans_escape.h"

#define MAX_PAIR_LINES 10   /* unexplained pairs printed one by one */

static const char *dir_text(const struct ans_component *c, char *buf, size_t len)
{
    const char *above = c->parent != NULL ? c->parent : "the virtual root";
    if (c->dirs == (ANS_DIR_UP | ANS_DIR_DOWN))
        snprintf(buf, len, "both directions");
    else if (c->kind == TOPO_LINK_ACCESS)
        snprintf(buf, len, "%s only (%s -> %s)", c->dirs == ANS_DIR_UP ? "transmit" : "receive",
                 c->dirs == ANS_DIR_UP ? c->name : above, c->dirs == ANS_DIR_UP ? above : c->name);
    else
        snprintf(buf, len, "%s only (%s -> %s)", c->dirs == ANS_DIR_UP ? "up" : "down",
                 c->dirs == ANS_DIR_UP ? c->name : above, c->dirs == ANS_DIR_UP ? above : c->name);
    return buf;
}

static size_t component_text(const struct ans_component *c, char *buf, size_t len)
{
    char d[300];
    int n;
    if (c->kind == TOPO_LINK_ACCESS)
        n = snprintf(buf, len, "node %s, access link, %s", c->name, dir_text(c, d, sizeof(d)));
    else
        n = snprintf(buf, len, "HyperNode %s, uplink to %s, %s", c->name,
                     c->parent != NULL ? c->parent : "the virtual root", dir_text(c, d, sizeof(d)));
    return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

static size_t pct_range(const struct ans_suspect *s, char *buf, size_t len)
{
    int lo = (int)lround(s->below_min_pct), hi = (int)lround(s->below_max_pct);
    int n = lo == hi ? snprintf(buf, len, "%d%%", lo) : snprintf(buf, len, "%d-%d%%", lo, hi);
    return n < 0 ? 0 : (size_t)n;
}

void ans_suspect_text(const struct ans_suspect *s, char *buf, size_t len)
{
    char pct[32];
    size_t at = 0;
    pct_range(s, pct, sizeof(pct));
    buf[0] = '\0';
    if (s->kind == ANS_SUSPECT_PAIR) {
        snprintf(buf, len, "pair %s -> %s: %s below its tier's typical rate and no link explains "
                 "it; one measurement cannot tell a fault of this pair from a moment of noise: "
                 "measure it again (%zu other slow pair%s unexplained)", s->pair->src, s->pair->dst,
                 pct, s->others_slow, s->others_slow == 1 ? "" : "s");
        return;
    }
    if (s->nalts + s->more_alts > 1)
        at += (size_t)snprintf(buf, len, "one of these %zu (the measured pairs cannot tell them apart): ",
                               s->nalts + s->more_alts);
    for (size_t i = 0; i < s->nalts && at < len; i++) {
        if (i > 0 && at + 3 < len) {
            memcpy(buf + at, "; ", 3);
            at += 2;
        }
        at += component_text(&s->alt[i], buf + at, len - at);
    }
    if (at < len)
        at += (size_t)snprintf(buf + at, len - at, ": %zu of %zu pairs through it %s below their "
                               "tier's typical rate; %zu of %zu other pairs", s->slow_through,
                               s->through, pct, s->others_slow, s->others);
    if (at < len && s->slow_through < s->through)
        snprintf(buf + at, len - at, " (the other %zu through it are at tiers slower than what it "
                 "still carries)", s->through - s->slow_through);
}

void ans_culprit_print(FILE *out, const struct ans_culprit *c)
{
    char line[1600];
    size_t pairs = 0;
    if (c->n == 0) {
        fprintf(out, "culprit: none: no pair is %.4g times or more below its tier's typical rate "
                "(%zu pairs judged%s)\n", c->opts.factor, c->judged,
                c->contended ? ", some left out: they shared a link in their round" : "");
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        int pair = c->v[i].kind == ANS_SUSPECT_PAIR;
        if (pair && ++pairs > MAX_PAIR_LINES)
            continue;
        ans_suspect_text(&c->v[i], line, sizeof(line));
        fprintf(out, "%s: %s\n", pair ? "unconfirmed" : "suspect", line);
    }
    if (pairs > MAX_PAIR_LINES)
        fprintf(out, "unconfirmed: ... and %zu more single pairs (check --json lists them)\n",
                pairs - MAX_PAIR_LINES);
    if (c->n == c->unexplained)
        fprintf(out, "culprit: no component named: no link has %zu or more slow pairs through it "
                "that agree\n", c->opts.min_pairs);
    if (c->contended)
        fprintf(out, "culprit: %zu pair(s) left out: they shared a link with another pair of their "
                "round (round_shared)\n", c->contended);
}

static const char *const dir_names[] = {"none", "up", "down", "both"};

static cJSON *component_json(const struct ans_component *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", c->kind == TOPO_LINK_ACCESS ? "access_link" : "uplink");
    cJSON_AddStringToObject(o, c->kind == TOPO_LINK_ACCESS ? "node" : "hypernode", c->name);
    if (c->parent != NULL)
        cJSON_AddStringToObject(o, "parent", c->parent);
    else
        cJSON_AddNullToObject(o, "parent");
    cJSON_AddStringToObject(o, "directions", dir_names[c->dirs & 3]);
    return o;
}

static cJSON *suspect_json(const struct ans_suspect *s, const struct ans_pairs *pairs)
{
    char text[1600];
    cJSON *o = cJSON_CreateObject();
    ans_suspect_text(s, text, sizeof(text));
    cJSON_AddStringToObject(o, "kind", s->kind == ANS_SUSPECT_PAIR ? "pair" : "link");
    cJSON_AddBoolToObject(o, "confirmed", s->kind != ANS_SUSPECT_PAIR);
    cJSON_AddStringToObject(o, "text", text);
    cJSON *comps = cJSON_AddArrayToObject(o, "components");
    for (size_t i = 0; i < s->nalts; i++)
        cJSON_AddItemToArray(comps, component_json(&s->alt[i]));
    if (s->pair != NULL) {
        cJSON *p = cJSON_AddObjectToObject(o, "pair");
        cJSON_AddStringToObject(p, "src", s->pair->src);
        cJSON_AddStringToObject(p, "dst", s->pair->dst);
    }
    cJSON_AddNumberToObject(o, "pairs_through", (double)s->through);
    cJSON_AddNumberToObject(o, "slow_through", (double)s->slow_through);
    cJSON *pct = cJSON_AddArrayToObject(o, "below_pct");
    cJSON_AddItemToArray(pct, cJSON_CreateNumber(round(s->below_min_pct * 10) / 10));
    cJSON_AddItemToArray(pct, cJSON_CreateNumber(round(s->below_max_pct * 10) / 10));
    cJSON_AddNumberToObject(o, "other_pairs", (double)s->others);
    cJSON_AddNumberToObject(o, "other_slow", (double)s->others_slow);
    cJSON *sp = cJSON_AddArrayToObject(o, "slow_pairs");
    for (size_t k = 0; k < s->slow_through; k++) {
        const struct ans_pair *p = &pairs->v[s->slow_pairs[k]];
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateString(p->src));
        cJSON_AddItemToArray(e, cJSON_CreateString(p->dst));
        cJSON_AddItemToArray(sp, e);
    }
    return o;
}

cJSON *ans_culprit_to_json(const struct ans_culprit *c, const struct ans_pairs *pairs)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "factor", c->opts.factor);
    cJSON_AddNumberToObject(o, "min_pairs", (double)c->opts.min_pairs);
    cJSON_AddNumberToObject(o, "agree", c->opts.agree);
    cJSON_AddNumberToObject(o, "judged", (double)c->judged);
    cJSON_AddNumberToObject(o, "slow", (double)c->slow);
    cJSON_AddNumberToObject(o, "contended", (double)c->contended);
    cJSON *v = cJSON_AddArrayToObject(o, "suspects");
    for (size_t i = 0; i < c->n; i++)
        cJSON_AddItemToArray(v, suspect_json(&c->v[i], pairs));
    return o;
}

void ans_culprit_write_junit(FILE *f, const struct ans_culprit *c)
{
    char text[1600];
    size_t named = c->n - c->unexplained;
    fprintf(f, "  <testsuite name=\"culprit\" tests=\"%zu\" failures=\"%zu\">\n", c->n ? c->n : 1, named);
    if (c->n == 0)
        fprintf(f, "    <testcase classname=\"tierperf.culprit\" name=\"no suspect\" time=\"0\"/>\n");
    for (size_t i = 0; i < c->n; i++) {
        int pair = c->v[i].kind == ANS_SUSPECT_PAIR;
        ans_suspect_text(&c->v[i], text, sizeof(text));
        fprintf(f, "    <testcase classname=\"tierperf.culprit\" name=\"%s %zu\" time=\"0\">%s",
                pair ? "unconfirmed" : "suspect", i + 1, pair ? "<system-out>" : "<failure message=\"");
        ans_xml_puts(f, text);
        fprintf(f, "%s</testcase>\n", pair ? "</system-out>" : "\"/>");
    }
    fprintf(f, "  </testsuite>\n");
}
