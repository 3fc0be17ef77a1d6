/* verify.h: --verify.  The sender fills every message with a pattern that
 * depends on the byte's position in the whole transfer (so a misplaced or
 * repeated chunk is caught, not only a flipped bit); the receiver checks
 * every byte.  A mismatch is recorded (offset, byte received and
 * expected) and marks the measurement "failed"; it never aborts the
 * transfer (the peer would stall) and is never averaged away.  The check
 * logs nothing: the row carries the record to rank 0, which reports it
 * once, in its errors[] entry and one log line naming the pair, size,
 * offset and bytes (bench/results/collect.c).  Hooks for struct tp_xfer's
 * fill/check. */
#ifndef TIERPERF_VERIFY_H
#define TIERPERF_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/status.h"
#include "../../transports/memory.h"

struct verify_ctx {
    uint64_t seed;              /* same on both sides (from the run secret) */
    const struct tp_mem *mem;   /* non-host memory is staged through host */
    unsigned char *stage;       /* the kind's page-locked staging memory */
    size_t stage_len;
    int stage_pinned;           /* from tp_mem_staging_alloc */
    char where[160];            /* "pair 0 (a) -> 1 (b), transport tcp" */
    int failed;
    uint64_t first_bad;         /* offset in the transfer of the first bad byte */
    unsigned got, expected;     /* that byte */
    uint64_t bad_msgs;          /* messages with at least one bad byte */
    uint64_t checked;           /* bytes the check hook saw since the reset */
};

void verify_init(struct verify_ctx *v, uint64_t seed, const struct tp_mem *mem,
                 const char *where);
void verify_reset(struct verify_ctx *v);        /* clear the verdict */
void verify_free(struct verify_ctx *v);

/* The pattern byte at a transfer offset. */
unsigned char verify_byte(uint64_t seed, uint64_t offset);
/* Host-memory versions, for tests and the hooks: fill [buf, buf+len) as
 * transfer bytes [offset, offset+len); check returns the index of the
 * first differing byte, or len when all match. */
void verify_fill_host(uint64_t seed, unsigned char *buf, size_t len, uint64_t offset);
size_t verify_check_host(uint64_t seed, const unsigned char *buf, size_t len, uint64_t offset);

/* tp_chunk_fn hooks; arg is a struct verify_ctx. */
tp_status_t verify_fill(void *arg, void *buf, size_t len, uint64_t offset);
tp_status_t verify_check(void *arg, void *buf, size_t len, uint64_t offset);

#endif
