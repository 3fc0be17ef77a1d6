/* topo_regex.h: Volcano's regexMatch patterns are Go RE2; we compile them
 * with POSIX regcomp (ERE).  This translates the RE2 spellings that have a
 * safe ERE equivalent and refuses, with a reason, those that have none. */
#ifndef TIERPERF_TOPO_REGEX_H
#define TIERPERF_TOPO_REGEX_H

#include <regex.h>
#include <stddef.h>

/* Returns 0 and fills *re on success; on failure returns -1 and writes a
 * one-line reason to why (RE2-only syntax we cannot translate, or
 * regcomp's own message).  -2: out of memory. */
int topo_regex_compile(const char *pattern, regex_t *re, char *why, size_t whylen);

/* Translation only (for tests and messages): malloc'd ERE or NULL. */
char *topo_regex_translate(const char *pattern, char *why, size_t whylen);

/* Length of the literal text every match must start with when the pattern
 * is anchored with '^' (the text starts at pattern + 1), 0 when none can be
 * trusted.  Lets 10k nodes find their regexMatch HyperNode by hash. */
size_t topo_regex_prefix(const char *pattern);

#endif
