/* round_report.c: the one transport of result rows to rank 0 (see
 * round_report.h). */
#include "round_report.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "timing.h"

/* Tags above the control plane's (100..20099), below the shapes'
 * (30000..): one per epoch. */
#define REPORT_TAG_BASE 25000
#define REPORT_TAG_SPAN 5000

enum { MSG_STEP = 1, MSG_END = 2 };
/* rank 0: whose end a unit's outcome came from (a sender's steps may still
 * come after its receiver's failure) */
enum { ENDED_NOT = 0, ENDED_BY_SRC, ENDED_BY_DST, ENDED_BOTH };

/* Plain data, the same on every rank of the job: travels as bytes. */
struct round_report_msg {
    int32_t kind;
    uint32_t unit;              /* index in the stream's units */
    uint32_t step;              /* MSG_STEP: which row of the unit */
    uint32_t pad;
    union {
        struct result_row res; /* MSG_STEP */
        struct pair_report rep; /* MSG_END */
    } u;
};

static void *alloc_or_abort(struct bench_engine *e, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);

    if (p == NULL)
        ctrl_mpi_abort(e->cm, "out of memory for the round's reports");
    return p;
}

void round_reports_open(struct round_reports *rr, struct bench_engine *e,
                        const struct round_stream *s)
{
    size_t n = s->nunits;

    memset(rr, 0, sizeof(*rr));
    rr->e = e;
    rr->s = *s;
    rr->tag = REPORT_TAG_BASE + (int)(e->epoch % REPORT_TAG_SPAN);
    if (e->rank == 0) {
        rr->got = alloc_or_abort(e, n, sizeof(*rr->got));
        rr->ended = alloc_or_abort(e, n, sizeof(*rr->ended));
        rr->in = alloc_or_abort(e, 1, sizeof(*rr->in));
        rr->last = alloc_or_abort(e, n, sizeof(*rr->last));
        rr->waiting = n;
        double now = timing_now_s();
        for (size_t i = 0; i < n; i++)
            rr->last[i] = now;
    } else {
        rr->capout = s->nposts;
        rr->out = alloc_or_abort(e, rr->capout, sizeof(*rr->out));
        rr->reqs = alloc_or_abort(e, rr->capout, sizeof(MPI_Request));
    }
}

void round_reports_close(struct round_reports *rr)
{
    round_reports_unlisten(rr);
    free(rr->got);
    free(rr->ended);
    free(rr->last);
    free(rr->in);
    free(rr->out);
    free(rr->reqs);
    memset(rr, 0, sizeof(*rr));
}

/* Rank 0: hand one message (its own or a sender's) to the sink. */
static void record(struct round_reports *rr, const struct round_report_msg *m, int from)
{
    const struct round_sink *sink = &rr->s.sink;
    size_t i = m->unit;
    const struct topo_pair *p = i < rr->s.nunits ? &rr->s.units[i] : NULL;
    /* a receiver tells only of a failure (round.c); its unit's outcome is
     * then in, and the sender's own end, if it comes, adds nothing */
    int by_dst = p != NULL && p->dst == from && m->kind == MSG_END && m->u.rep.status != TP_OK;

    if (p != NULL && (by_dst || (p->src == from && m->kind == MSG_END)) &&
        rr->ended[i] != ENDED_NOT) {
        rr->ended[i] = ENDED_BOTH;
        return;
    }
    if (p == NULL || (p->src != from && !by_dst) || rr->ended[i] == ENDED_BY_SRC ||
        (m->kind == MSG_STEP && (m->step != (uint32_t)rr->got[i] || m->step >= rr->s.max_rows)) ||
        (m->kind != MSG_STEP && m->kind != MSG_END)) {
        tp_log_error("ignored a malformed report from rank %d (kind %d, unit %u, step %u)", from,
                     (int)m->kind, (unsigned)m->unit, (unsigned)m->step);
        return;
    }
    rr->last[i] = timing_now_s();
    if (m->kind == MSG_STEP) {
        if (sink->row != NULL)
            sink->row(sink->arg, p, m->step, &m->u.res);
        rr->got[i]++;
        rr->bytes += m->u.res.bytes_total;
        return;
    }
    if (sink->end != NULL)
        sink->end(sink->arg, p, &m->u.rep);
    rr->ended[i] = by_dst ? ENDED_BY_DST : ENDED_BY_SRC;
    rr->waiting--;
}

/* Rank 0's progress line in a long round: what it still waits for. */
static void describe_waiting(void *arg, char *buf, size_t len)
{
    const struct round_reports *rr = arg;
    const char *const *node = rr->e->node_of_rank;
    size_t n = rr->s.nunits, shown = 0;
    int at = snprintf(buf, len, "%zu of %zu %s in; waiting for", n - rr->waiting, n,
                      n > 0 && rr->s.units[0].dst < 0 ? "ranks" : "pairs");

    for (size_t i = 0; i < n && at > 0 && (size_t)at < len; i++) {
        const struct topo_pair *u = &rr->s.units[i];
        if (rr->ended[i])
            continue;
        if (shown++ == 4) {
            snprintf(buf + at, len - (size_t)at, " and %zu more", rr->waiting - 4);
            return;
        }
        if (u->dst < 0)
            at += snprintf(buf + at, len - (size_t)at, "%s rank %d (%s)", shown > 1 ? "," : "",
                           u->src, node[u->src]);
        else
            at += snprintf(buf + at, len - (size_t)at, "%s %s -> %s (rank %d -> %d)",
                           shown > 1 ? "," : "", node[u->src], node[u->dst], u->src, u->dst);
    }
}

/* Rank 0: a long round says so (progress.h). */
static void tick(struct round_reports *rr)
{
    if (rr->e->prog != NULL && rr->waiting > 0)
        progress_waiting(rr->e->prog, describe_waiting, rr);
}

/* Rank 0: record the reports that have arrived, without waiting. */
static void drain(struct round_reports *rr)
{
    struct bench_engine *e = rr->e;

    while (rr->waiting > 0) {
        MPI_Status status;
        int flag = 0;
        if (MPI_Iprobe(MPI_ANY_SOURCE, rr->tag, e->cm->comm, &flag, &status) != MPI_SUCCESS ||
            !flag)
            return;
        /* the probed message is the first of its sender's with this tag:
         * already here, the receive completes at once */
        tp_status_t st = ctrl_mpi_recv(e->cm, status.MPI_SOURCE, rr->tag, rr->in,
                                       sizeof(*rr->in), e->o->cfg.timeout_s);
        if (st != TP_OK) {
            tp_log_error("receiving a report from rank %d failed: %s", status.MPI_SOURCE,
                         tp_status_string(st));
            return;
        }
        record(rr, rr->in, status.MPI_SOURCE);
    }
}

/* A sender: post a message to rank 0; completed in round_reports_finish. */
static void post(struct round_reports *rr, const struct round_report_msg *m)
{
    struct bench_engine *e = rr->e;

    if (rr->nout >= rr->capout)
        ctrl_mpi_abort(e->cm, "internal error: more reports than the stream has room for");
    struct round_report_msg *slot = &rr->out[rr->nout];
    *slot = *m;
    if (MPI_Isend(slot, (int)sizeof(*slot), MPI_BYTE, 0, rr->tag, e->cm->comm,
                  &rr->reqs[rr->nout]) != MPI_SUCCESS)
        ctrl_mpi_abort(e->cm, "sending a report to rank 0 failed");
    rr->nout++;
}

void round_reports_poll(void *arg)
{
    struct round_reports *rr = arg;

    if (rr->e->rank == 0) {
        drain(rr);
        tick(rr);
    }
}

static void deliver(struct round_reports *rr, const struct round_report_msg *m)
{
    if (rr->e->rank != 0) {
        post(rr, m);
        return;
    }
    if (rr->listening)
        pthread_mutex_lock(&rr->lock);
    record(rr, m, 0);
    if (rr->listening)
        pthread_mutex_unlock(&rr->lock);
}

/* Sleep 1 ms: rank 0 waits for reports without taking a measuring rank's
 * core. */
/* Rank 0's listener: journal reports as they come, whatever rank 0's own
 * pair is doing. */
static void *listen_loop(void *arg)
{
    struct round_reports *rr = arg;

    for (;;) {
        pthread_mutex_lock(&rr->lock);
        int stop = rr->stop_listening;
        if (!stop) {
            drain(rr);
            tick(rr);
        }
        pthread_mutex_unlock(&rr->lock);
        if (stop)
            return NULL;
        timing_nap_s(0.001);
    }
}

void round_reports_listen(struct round_reports *rr)
{
    if (rr->e->rank != 0 || rr->listening)
        return;
    pthread_mutex_init(&rr->lock, NULL);
    rr->stop_listening = 0;
    if (pthread_create(&rr->listener, NULL, listen_loop, rr) != 0) {
        pthread_mutex_destroy(&rr->lock);
        tp_log_warn("no listener thread: reports are journalled between rank 0's own transfers");
        return;
    }
    rr->listening = 1;
}

void round_reports_unlisten(struct round_reports *rr)
{
    if (!rr->listening)
        return;
    pthread_mutex_lock(&rr->lock);
    rr->stop_listening = 1;
    pthread_mutex_unlock(&rr->lock);
    pthread_join(rr->listener, NULL);
    pthread_mutex_destroy(&rr->lock);
    rr->listening = 0;
}

void round_reports_step(struct round_reports *rr, size_t unit, size_t step,
                        const struct result_row *r)
{
    if (r != NULL) {
        struct round_report_msg m;
        memset(&m, 0, sizeof(m));
        m.kind = MSG_STEP;
        m.unit = (uint32_t)unit;
        m.step = (uint32_t)step;
        m.u.res = *r;
        deliver(rr, &m);
    }
    /* the listener, when there is one, is the only thread that takes
     * reports: two threads draining at once would both take the same
     * probed message's turn and race on the counts (a lost decrement of
     * `waiting` left round_reports_finish waiting for ever) */
    if (rr->e->rank == 0 && !rr->listening) {
        drain(rr);
        tick(rr);
    }
}

void round_reports_end(struct round_reports *rr, size_t unit, const struct pair_report *rep)
{
    struct round_report_msg m;

    memset(&m, 0, sizeof(m));
    m.kind = MSG_END;
    m.unit = (uint32_t)unit;
    m.u.rep = *rep;
    deliver(rr, &m);
}

/* Rank 0: give up on the units from which nothing came for the silence
 * bound; the sink records them, the others carry on. */
static void give_up_silent(struct round_reports *rr)
{
    const struct round_sink *sink = &rr->s.sink;
    double now = timing_now_s();
    size_t open = 0;

    for (size_t i = 0; i < rr->s.nunits; i++) {
        if (!rr->ended[i] && now - rr->last[i] >= rr->s.silence_s) {
            if (sink->missing != NULL)
                sink->missing(sink->arg, &rr->s.units[i], (size_t)rr->got[i], rr->s.silence_s);
            rr->ended[i] = 1;
            rr->given_up++;
        }
        open += !rr->ended[i];
    }
    /* what is still open is what ended[] says, so that the wait ends
     * within the silence bound even if a count went wrong */
    if (open != rr->waiting)
        tp_log_error("internal error: %zu unit(s) of the round counted open, %zu are", rr->waiting,
                     open);
    rr->waiting = open;
}

size_t round_reports_finish(struct round_reports *rr)
{
    struct bench_engine *e = rr->e;

    round_reports_unlisten(rr);

    if (e->rank != 0) {
        /* rank 0 takes reports at once unless it is gone: the silence bound */
        if (ctrl_mpi_wait(rr->reqs, (int)rr->nout, rr->s.silence_s) != TP_OK) {
            char why[120];
            snprintf(why, sizeof(why), "rank 0 took no report within %.0f s", rr->s.silence_s);
            ctrl_mpi_abort(e->cm, why);
        }
        rr->nout = 0;
        return 0;
    }
    for (;;) {
        drain(rr);
        give_up_silent(rr);
        if (rr->waiting == 0)
            break;
        tick(rr);
        timing_nap_s(0.001);
    }
    return rr->given_up;
}
