/* check_culprit.h: `check`'s culprit section: load the tree (--topology,
 * or the one the run recorded), name the culprit among the check's pairs
 * (answers/ans_culprit.h), and say why when it cannot. */
#ifndef TIERPERF_CHECK_CULPRIT_H
#define TIERPERF_CHECK_CULPRIT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "../../answers/ans_culprit.h"

struct check_culprit {
    struct topo *topo;
    struct ans_culprit c;
    int done;               /* c is valid */
    char why[600];          /* when not done: one line */
};

/* 0, or 2 (bad input: --topology unreadable; the message is logged). */
int check_culprit_run(const cJSON *run, const char *topology, const struct ans_culprit_opts *opts,
                      const struct ans_pairs *pairs, struct check_culprit *cc);
void check_culprit_print(FILE *out, const struct check_culprit *cc);
void check_culprit_free(struct check_culprit *cc);
/* --culprit-factor: a number above 1; 0 or 2 (logged). */
int check_culprit_parse_factor(const char *arg, struct ans_culprit_opts *opts);

#endif
