/* ans_check_junit.c: the check verdict as JUnit XML: a <testsuite> per
 * tier (a <testcase> per judged pair: <failure> when it failed, <skipped>
 * when a threshold could not be judged), the sections' own suites, and a
 * "verdict" suite whose one testcase carries the result, so a CI system
 * reading only the XML sees INCOMPLETE too. */
#include "ans_check_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ans_escape.h"

static void pair_case(FILE *f, const struct ans_check_view *v, const struct ans_check_pair *cp,
                      const char *tier)
{
    char label[600];

    fprintf(f, "    <testcase classname=\"tierperf.");
    ans_xml_puts(f, v->profile->name);
    fprintf(f, ".tier%s\" name=\"", tier);
    ans_xml_puts(f, ans_pair_label(cp->pair, label, sizeof(label)));
    fprintf(f, "\" time=\"0\">");
    if (cp->failed || cp->unjudged) {
        fprintf(f, cp->failed ? "<failure message=\"" : "<skipped message=\"");
        ans_xml_puts(f, cp->reason);
        fprintf(f, "\"/>");
    } else if (cp->outlier) {
        fprintf(f, "<system-out>");
        ans_xml_puts(f, cp->reason);
        fprintf(f, "</system-out>");
    }
    fprintf(f, "</testcase>\n");
}

static void tier_suites(FILE *f, const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    char t[16];

    for (size_t i = 0; i < c->ntiers; i++) {
        const struct ans_check_tier *ct = &c->tiers[i];
        if (ct->tier == ANS_NO_TIER)
            snprintf(t, sizeof(t), "-");
        else
            snprintf(t, sizeof(t), "%d", ct->tier);
        fprintf(f, "  <testsuite name=\"tier %s\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
                t, ct->judged, ct->failed, ct->unjudged);
        for (size_t j = 0; j < c->pairs.n; j++)
            if (c->v[j].pair->tier == ct->tier && c->v[j].judged)
                pair_case(f, v, &c->v[j], t);
        fprintf(f, "  </testsuite>\n");
    }
}

/* FAIL and an unaccepted INCOMPLETE fail the verdict testcase. */
static void verdict_suite(FILE *f, const struct ans_check_view *v, int verdict_fails)
{
    enum ans_verdict verdict = ans_check_verdict(v->check);

    fprintf(f, "  <testsuite name=\"verdict\" tests=\"1\" failures=\"%d\" skipped=\"%d\">\n",
            verdict_fails, verdict != ANS_VERDICT_PASS && !verdict_fails);
    fprintf(f, "    <testcase classname=\"tierperf.");
    ans_xml_puts(f, v->profile->name);
    fprintf(f, "\" name=\"result: %s\" time=\"0\">", ans_verdict_name(verdict));
    if (verdict != ANS_VERDICT_PASS) {
        char *line = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&line, &len);
        if (m != NULL) {
            ans_check_result_line(m, v);
            fclose(m);
        }
        fprintf(f, verdict_fails ? "<failure message=\"" : "<skipped message=\"");
        ans_xml_puts(f, line ? line : ans_verdict_name(verdict));
        fprintf(f, "\"/>");
        free(line);
    }
    fprintf(f, "</testcase>\n  </testsuite>\n");
}

tp_status_t ans_check_write_junit(const struct ans_check *c, const struct ans_profile *profile,
                                  const struct ans_check_opts *opts, const char *path,
                                  struct tp_error *err)
{
    const struct ans_check_view v = {c, profile, opts, 0, 0};
    int verdict_fails = ans_check_exit_status(c, opts) != ANS_EXIT_PASS;
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "--junit %s: %s", path, strerror(errno));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"tierperf check ");
    ans_xml_puts(f, profile->name);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\">\n", c->judged + 1, c->failed + verdict_fails);
    tier_suites(f, &v);
    for (size_t i = 0; ans_check_sections[i] != NULL; i++)
        if (ans_check_sections[i]->junit != NULL)
            ans_check_sections[i]->junit(f, &v);
    verdict_suite(f, &v, verdict_fails);
    fprintf(f, "</testsuites>\n");
    if (fclose(f) != 0)
        return tp_error_set(err, TP_ERR_IO, "--junit %s: write failed", path);
    return TP_OK;
}
