/* ans_atomic.h: write an output file (report, CSV) so that readers see
 * either the old file or the complete new one: a temp file in the same
 * folder, renamed over the target once everything was written. */
#ifndef TIERPERF_ANS_ATOMIC_H
#define TIERPERF_ANS_ATOMIC_H

#include <stdio.h>

#include "../common/status.h"

struct ans_atomic {
    FILE *f;
    char tmp[4096];
    const char *path;
};

/* Opens PATH.tmp.XXXXXX next to path; a->f is ready to write. */
tp_status_t ans_atomic_open(struct ans_atomic *a, const char *path, struct tp_error *err);
/* Flushes, syncs, closes, sets mode 0644 and renames over the target;
 * on any failure the temp file is removed and the target left alone. */
tp_status_t ans_atomic_commit(struct ans_atomic *a, struct tp_error *err);
/* Gives up: closes and removes the temp file. */
void ans_atomic_abort(struct ans_atomic *a);

#endif
