/* results_rows.h: a loaded run's results[] held compactly, and the walk
 * every reader makes over it.
 *
 * results_load (results_read.h) keeps no JSON tree per entry (~40 nodes of
 * 64 bytes each: several times the file's size).  Each entry's structure
 * (keys, types, nesting) is kept once per distinct structure, each string
 * once, and each number in 8 bytes, all in one block that the run's
 * "results" item holds: an array without children, freed with the run by
 * cJSON_Delete.  RESULTS_EACH and results_at rebuild one entry at a time
 * into nodes of that block, reused for the next one: a pointer into an
 * entry is valid until the next step (its strings while the run lives).
 * Both also walk a plain results[] array (a run built in memory). */
#ifndef TIERPERF_RESULTS_ROWS_H
#define TIERPERF_RESULTS_ROWS_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct results_store;
struct results_pack;

struct results_iter {
    int started;
    const cJSON *plain;           /* next child of a plain array */
    struct results_pack *pack;    /* or the packed rows and the next one */
    size_t row;
};

/* Entries in a run's results item (a plain array or a loaded one). */
int results_count(const cJSON *results);

/* The first entry (it zeroed), then each next one; NULL after the last. */
const cJSON *results_step(struct results_iter *it, const cJSON *results);

/* for each entry e of results, as cJSON_ArrayForEach */
#define RESULTS_EACH(e, results) \
    for (struct results_iter e##_it = {0}; ((e) = results_step(&e##_it, (results))) != NULL;)

/* Entry i (0-based; NULL past the end), valid until the next step or
 * results_at over the same results.  O(1) for a loaded run. */
const cJSON *results_at(const cJSON *results, size_t i);

/* A loaded run's results made a plain array of owned entries (to edit
 * them: tests); 0, or -1 out of memory (the run unchanged). */
int results_unpack(cJSON *run);

/* For results_read.c: a new store; one entry added (0, or -1 out of
 * memory; the entry is copied); the store packed into the run's results
 * item (replacing it) and freed, or -1 (out of memory, s untouched). */
struct results_store *results_store_new(void);
int results_store_add(struct results_store *s, const cJSON *entry);
void results_store_free(struct results_store *s);
int results_store_attach(cJSON *run, struct results_store *s);

#endif
