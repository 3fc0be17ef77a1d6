/* ctrl_beat.c: rank 0's heartbeat and the others' watch (see ctrl_beat.h). */
#include "ctrl_beat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "timing.h"

enum { TAG_BEAT = 1, TAG_ASK = 2, TAG_ANSWER = 3 };

/* Constant buffers: a send nobody waits for must not outlive its buffer. */
static const int32_t g_one = 1;
static const int32_t g_hear[2] = {0, 1};   /* an answer: 1 = "I hear rank 0" */

static int stopping(struct ctrl_beat *b)
{
    pthread_mutex_lock(&b->lock);
    int s = b->stop;
    pthread_mutex_unlock(&b->lock);
    return s;
}

/* 50 ms between looks: the threads must not take a measuring rank's core. */
static void send_and_forget(const int32_t *v, int dst, int tag, MPI_Comm comm)
{
    MPI_Request req = MPI_REQUEST_NULL;

    if (MPI_Isend(v, 1, MPI_INT32_T, dst, tag, comm, &req) == MPI_SUCCESS)
        MPI_Request_free(&req);
}

/* A receive given up: cancelled, then completed either way. */
static void drop(MPI_Request *req)
{
    if (*req == MPI_REQUEST_NULL)
        return;
    MPI_Cancel(req);
    MPI_Wait(req, MPI_STATUS_IGNORE);
    *req = MPI_REQUEST_NULL;
}

/* Rank 0: one heartbeat in flight per rank at most, so none pile up for a
 * rank that is gone. */
static void beat_all(const struct ctrl_beat *b, MPI_Request *reqs, int n)
{
    for (int r = 1; r < n; r++) {
        int done = 1;
        if (reqs[r] != MPI_REQUEST_NULL && MPI_Test(&reqs[r], &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            continue;       /* this rank's link failed: MPI said so where it matters */
        if (done && MPI_Isend(&g_one, 1, MPI_INT32_T, r, TAG_BEAT, b->comm, &reqs[r]) != MPI_SUCCESS)
            reqs[r] = MPI_REQUEST_NULL;
    }
}

static void *beat_loop(void *arg)
{
    struct ctrl_beat *b = arg;
    int n = b->size;
    MPI_Request *reqs = malloc((size_t)n * sizeof(MPI_Request));
    double every = b->timeout_s / 4 < CTRL_BEAT_INTERVAL_S ? b->timeout_s / 4 : CTRL_BEAT_INTERVAL_S;
    double next = 0;

    if (reqs == NULL) {
        tp_log_warn("out of memory for the heartbeat: a frozen rank 0 ends the run only after a "
                    "round's budget");
        return NULL;
    }
    for (int r = 0; r < n; r++)
        reqs[r] = MPI_REQUEST_NULL;
    while (!stopping(b)) {
        double now = timing_now_s();
        if (now >= next) {
            beat_all(b, reqs, n);
            next = now + every;
        }
        timing_nap_s(0.05);
    }
    for (int r = 0; r < n; r++)
        if (reqs[r] != MPI_REQUEST_NULL)
            MPI_Request_free(&reqs[r]);     /* a heartbeat completes, or dies with the job */
    free(reqs);
    return NULL;
}

/* Another rank's watch. */
struct watch {
    struct ctrl_beat *b;
    MPI_Request beat, ask, answer;
    int32_t beat_in, ask_in, answer_in;
    double last;                /* the last heartbeat came */
    double asked_at;            /* the last question went (0: none yet) */
    int buddy;                  /* the rank last asked */
};

static void take_beats(struct watch *w, double now)
{
    int done = 0;

    while (w->beat != MPI_REQUEST_NULL && MPI_Test(&w->beat, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS &&
           done) {
        w->last = now;
        if (MPI_Irecv(&w->beat_in, 1, MPI_INT32_T, 0, TAG_BEAT, w->b->comm, &w->beat) != MPI_SUCCESS)
            w->beat = MPI_REQUEST_NULL;
    }
}

/* Another rank asks whether this one hears rank 0. */
static void answer_asks(struct watch *w, double now)
{
    MPI_Status st;
    int done = 0;

    while (w->ask != MPI_REQUEST_NULL && MPI_Test(&w->ask, &done, &st) == MPI_SUCCESS && done) {
        send_and_forget(&g_hear[now - w->last <= w->b->timeout_s], st.MPI_SOURCE, TAG_ANSWER,
                        w->b->comm);
        if (MPI_Irecv(&w->ask_in, 1, MPI_INT32_T, MPI_ANY_SOURCE, TAG_ASK, w->b->comm, &w->ask) !=
            MPI_SUCCESS)
            w->ask = MPI_REQUEST_NULL;
    }
}

static void ask_next(struct watch *w, double now)
{
    const struct ctrl_beat *b = w->b;

    do
        w->buddy = w->buddy % (b->size - 1) + 1;
    while (w->buddy == b->rank);
    send_and_forget(&g_one, w->buddy, TAG_ASK, b->comm);
    if (MPI_Irecv(&w->answer_in, 1, MPI_INT32_T, w->buddy, TAG_ANSWER, b->comm, &w->answer) !=
        MPI_SUCCESS)
        w->answer = MPI_REQUEST_NULL;
    w->asked_at = now;
}

/* How long this rank lets rank 0 be silent: rank 1 acts first, the others
 * a --timeout later, only in case rank 1 cannot (so one rank, not all,
 * says why the job ends). */
static double silent_limit(const struct ctrl_beat *b)
{
    return (CTRL_BEAT_SILENT_X + (b->rank > 1)) * b->timeout_s;
}

/* Whether rank 0 is gone: silent here for silent_limit() and, where there
 * is another rank, silent there too.  *agree_p: that rank (0 when there is
 * none). */
static int rank0_gone(struct watch *w, double now, int *agree_p)
{
    const struct ctrl_beat *b = w->b;
    int done = 0;

    *agree_p = 0;
    if (now - w->last <= silent_limit(b)) {
        drop(&w->answer);
        w->asked_at = 0;
        return 0;
    }
    if (b->size <= 2)
        return 1;
    if (w->answer != MPI_REQUEST_NULL) {
        if (MPI_Test(&w->answer, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done) {
            /* "I hear rank 0": this rank is the one cut off (rank 0 fails
             * its pair); it asks again after --timeout */
            w->answer = MPI_REQUEST_NULL;
            *agree_p = w->buddy;
            return w->answer_in == 0;
        }
        if (now - w->asked_at < b->timeout_s)
            return 0;
        drop(&w->answer);   /* no answer within --timeout: the next rank */
    } else if (w->asked_at > 0 && now - w->asked_at < b->timeout_s) {
        return 0;
    }
    ask_next(w, now);
    return 0;
}

static void end_job(const struct watch *w, double silent, int agree)
{
    struct ctrl_beat *b = w->b;
    char who[80] = "";

    if (agree > 0)
        snprintf(who, sizeof(who), "; rank %d hears nothing from it either", agree);
    pthread_mutex_lock(&b->lock);       /* node0 may be set meanwhile */
    tp_log_error("rank 0 (node %s) has not answered for %.0f s (over %.0f x --timeout%s): ending "
                 "the job; every measurement rank 0 received is in %s",
                 b->node0, silent, silent_limit(b) / b->timeout_s, who, b->journal);
    pthread_mutex_unlock(&b->lock);
    MPI_Abort(b->comm, 1);
    abort();
}

static void *watch_loop(void *arg)
{
    struct watch w = {arg, MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL, 0, 0, 0,
                      timing_now_s(), 0, 0};
    MPI_Comm comm = w.b->comm;
    int agree = 0;

    w.buddy = w.b->rank;
    if (MPI_Irecv(&w.beat_in, 1, MPI_INT32_T, 0, TAG_BEAT, comm, &w.beat) != MPI_SUCCESS ||
        MPI_Irecv(&w.ask_in, 1, MPI_INT32_T, MPI_ANY_SOURCE, TAG_ASK, comm, &w.ask) != MPI_SUCCESS) {
        drop(&w.beat);
        tp_log_warn("cannot watch rank 0: if it stops, the run ends only after a round's budget");
        return NULL;
    }
    while (!stopping(w.b)) {
        double now = timing_now_s();
        take_beats(&w, now);
        answer_asks(&w, now);
        if (rank0_gone(&w, now, &agree))
            end_job(&w, now - w.last, agree);
        timing_nap_s(0.05);
    }
    drop(&w.beat);
    drop(&w.ask);
    drop(&w.answer);
    return NULL;
}

int ctrl_beat_start(struct ctrl_beat *b, MPI_Comm world, int threaded, double timeout_s,
                    const char *out)
{
    memset(b, 0, sizeof(*b));
    b->timeout_s = timeout_s > 0 ? timeout_s : 60;
    snprintf(b->node0, sizeof(b->node0), "not known yet");
    if (out != NULL)
        snprintf(b->journal, sizeof(b->journal), "%s.journal.jsonl", out);
    else
        snprintf(b->journal, sizeof(b->journal), "rank 0's journal (<results file>.journal.jsonl)");
    MPI_Comm_rank(world, &b->rank);
    MPI_Comm_size(world, &b->size);
    if (!threaded || b->size < 2)       /* no watch: no communicator of its own */
        return b->size < 2 ? 0 : -1;
    if (MPI_Comm_dup(world, &b->comm) != MPI_SUCCESS)
        return -1;
    b->have_comm = 1;
    MPI_Comm_set_errhandler(b->comm, MPI_ERRORS_RETURN);
    pthread_mutex_init(&b->lock, NULL);
    if (pthread_create(&b->thread, NULL, b->rank == 0 ? beat_loop : watch_loop, b) != 0) {
        pthread_mutex_destroy(&b->lock);
        return -1;
    }
    b->running = 1;
    return 0;
}

void ctrl_beat_name(struct ctrl_beat *b, const char *node0)
{
    if (b->running)
        pthread_mutex_lock(&b->lock);
    snprintf(b->node0, sizeof(b->node0), "%s", node0);
    if (b->running)
        pthread_mutex_unlock(&b->lock);
}

void ctrl_beat_stop(struct ctrl_beat *b)
{
    if (b->running) {
        pthread_mutex_lock(&b->lock);
        b->stop = 1;
        pthread_mutex_unlock(&b->lock);
        pthread_join(b->thread, NULL);
        pthread_mutex_destroy(&b->lock);
        b->running = 0;
    }
    if (b->have_comm)
        MPI_Comm_free(&b->comm);
    b->have_comm = 0;
}
