/* conformance.h: one suite of checks for every registered transport (the
 * fabtests idea): run under `mpirun -np 2`, it takes each ops table from
 * the registry (transports/registry.c) and applies the same cases through
 * it, so a new transport gets the suite by its registry row alone.  What a
 * case needs to know about a transport comes from the ops table (its caps
 * bits); a case that does not apply says SKIP and why.
 *
 * Every case runs on both ranks with a fresh control plane (so leftovers
 * of a failed case cannot reach the next one), and passes only when both
 * ranks pass it.  Rank 0 prints one line per case:
 *   PASS|FAIL|SKIP <transport> <case>: <detail> */
#ifndef TIERPERF_CONFORMANCE_H
#define TIERPERF_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include "bench/engine/ctrl_mpi.h"
#include "transports/transport.h"

#define CONF_SILENT_TIMEOUT_S 2.0    /* --timeout of the fault cases */
#define CONF_NORMAL_TIMEOUT_S 30.0
/* A fault case must end within this (generous: the machine is shared). */
#define CONF_FAULT_BOUND_S 40.0

enum conf_verdict { CONF_PASS = 0, CONF_FAIL = 1, CONF_SKIP = 2 };

/* One transport under test on one rank. */
struct conf {
    const struct tp_transport_ops *ops;
    void *opts;                 /* the transport's config struct (defaults + --set) */
    int rank;
    uint64_t secret;
    int corrupt;                /* --corrupt: the sender spoils one byte (self-test) */
    struct ctrl_mpi cm;         /* this case's control plane */
    struct tp_ctrl ctrl;
    void *ctx;
    void *ep;
    char why[512];              /* detail of a FAIL or SKIP, or of a PASS */
};

struct conf_case {
    const char *name;
    const char *what;           /* one line for --list */
    enum conf_verdict (*run)(struct conf *c);
};

/* NULL-terminated: conf_data.c (data paths), conf_faults.c (faults and
 * teardown). */
extern const struct conf_case conf_data_cases[];
extern const struct conf_case conf_fault_cases[];

/* ---- helpers (conf_util.c) ---- */

/* Sets c->why and returns v. */
enum conf_verdict conf_say(struct conf *c, enum conf_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* init (with timeout_s and the given secret) and connect to the other
 * rank; on failure says why and cleans up. */
enum conf_verdict conf_open(struct conf *c, double timeout_s, uint64_t secret);
void conf_close(struct conf *c);
/* A barrier over the case's control plane bounded by timeout_s (0 ok). */
int conf_sync(struct conf *c, double timeout_s);
double conf_now(void);

/* A ring buffer of nslots slots of msg bytes in host memory (mem NULL) or
 * in the given kind. */
struct conf_ring {
    struct tp_buf buf;
    struct tp_mem mem;
    int reg;
};
int conf_ring_alloc(struct conf *c, struct conf_ring *r, const struct tp_mem_ops *kind,
                    size_t len);
void conf_ring_free(struct conf *c, struct conf_ring *r);

/* Open fds and threads of this process (for teardown checks). */
int conf_count_fds(void);
int conf_count_threads(void);

#endif
