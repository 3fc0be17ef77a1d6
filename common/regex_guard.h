/* regex_guard.h: refuse regular expressions whose compilation would take
 * unbounded time or memory in glibc's regcomp, before calling it.
 * glibc expands counted repeats (a{1000}) into copies and stacked
 * repetition operators (a****) into nested closures whose epsilon
 * closure it computes recursively: a short pattern can cost seconds and
 * gigabytes.  The limits follow Go's RE2 (what Volcano itself accepts):
 * no repetition operator directly on another, counts at most 1000, and
 * nested counted repeats whose product stays within 1000. */
#ifndef TIERPERF_REGEX_GUARD_H
#define TIERPERF_REGEX_GUARD_H

#include <stddef.h>

#define REGEX_GUARD_MAX_REPEAT 1000
#define REGEX_GUARD_MAX_LEN 4096

/* ere: a POSIX extended regular expression.  Returns 0 when it is safe to
 * regcomp; -1 with a one-line reason in why otherwise. */
int regex_guard_check(const char *ere, char *why, size_t whylen);

#endif
