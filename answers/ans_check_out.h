/* ans_check_out.h: check's output as a list of sections.  Each section
 * prints its part of the text and contributes one key to the JSON (and,
 * optionally, test suites to the JUnit file); a new finding (a suspect
 * link, ...) is one new entry in ans_check_sections[]. */
#ifndef TIERPERF_ANS_CHECK_OUT_H
#define TIERPERF_ANS_CHECK_OUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "ans_check.h"

struct ans_check_view {
    const struct ans_check *check;
    const struct ans_profile *profile;
    const struct ans_check_opts *opts;
    int verbose;       /* text: passing pairs too */
    int all_pairs;     /* JSON: every pair, not only the problems */
};

struct ans_check_section {
    const char *key;   /* JSON key; NULL: text only */
    void (*text)(FILE *out, const struct ans_check_view *v);   /* NULL: none */
    /* NULL, or returning NULL: no key */
    cJSON *(*json)(const struct ans_check_view *v);
    /* extra <testsuite> elements; NULL: none */
    void (*junit)(FILE *f, const struct ans_check_view *v);
};

/* Multi-rail runs: per-rail and per-node tables, per-NIC verdicts
 * (ans_check_nic.c). */
extern const struct ans_check_section ans_check_section_nics;

/* Loss thresholds that did not apply: the "loss:" lines (ans_check_loss.c). */
extern const struct ans_check_section ans_check_section_loss;

/* NULL-terminated, in output order; the result line comes last. */
extern const struct ans_check_section *const ans_check_sections[];

/* Pair verdict words as printed, first that applies: FAIL, WARN (outlier),
 * UNJUDGED (a threshold could not be judged), PASS, SKIP (no rule selected it). */
const char *ans_check_pair_verdict(const struct ans_check_pair *cp);
/* The one-line summary after "result: " (without a newline). */
void ans_check_result_line(FILE *out, const struct ans_check_view *v);

#endif
