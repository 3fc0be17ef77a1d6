/* shape_concurrent.c: drive several endpoints at once, one thread each. */
#include "shape.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/log.h"

struct peer_job {
    const struct tp_transport_ops *ops;
    struct shape_peer *peer;
    enum shape_dir dir;
    struct timespec start;
};

static double since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

static tp_status_t once(const struct peer_job *job, struct tp_xfer *tx, struct tp_xfer *rx)
{
    void *ep = job->peer->ep;

    switch (job->dir) {
    case SHAPE_SEND:
        return job->ops->stream_send(ep, tx, &job->peer->err);
    case SHAPE_RECV:
        return job->ops->stream_recv(ep, rx, &job->peer->err);
    case SHAPE_BIDIR:
        return job->ops->stream_bidir(ep, tx, rx, &job->peer->err);
    }
    return TP_ERR_INTERNAL;
}

static void *peer_main(void *arg)
{
    struct peer_job *job = arg;
    struct shape_peer *p = job->peer;
    struct tp_xfer tx = p->tx, rx = p->rx;
    uint64_t n = p->repeat ? p->repeat : 1;
    tp_status_t st = TP_OK;

    for (uint64_t i = 0; i < n && st == TP_OK; i++) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = once(job, &tx, &rx);
        if (p->times_ns != NULL)
            p->times_ns[i] = (uint64_t)(since(&t0) * 1e9);
        tx.offset0 += tx.bytes;
        rx.offset0 += rx.bytes;
    }
    p->status = st;
    p->seconds = since(&job->start);
    return NULL;
}

tp_status_t shape_run_concurrent(const struct tp_transport_ops *ops,
                                 struct shape_peer *peers, size_t n,
                                 enum shape_dir dir, double *seconds_p)
{
    struct peer_job *jobs = calloc(n ? n : 1, sizeof(*jobs));
    pthread_t *threads = calloc(n ? n : 1, sizeof(*threads));
    tp_status_t st = TP_OK;
    struct timespec start;
    size_t started = 0;

    if (jobs == NULL || threads == NULL) {
        free(jobs);
        free(threads);
        return TP_ERR_NO_MEMORY;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (; started < n; started++) {
        jobs[started] = (struct peer_job){ops, &peers[started], dir, start};
        peers[started].status = TP_INPROGRESS;
        memset(&peers[started].err, 0, sizeof(peers[started].err));
        if (pthread_create(&threads[started], NULL, peer_main, &jobs[started]) != 0) {
            st = tp_error_set(&peers[started].err, TP_ERR_NO_MEMORY,
                              "cannot start a thread for peer %zu of %zu", started, n);
            peers[started].status = st;
            break;
        }
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    for (size_t i = 0; i < started && st == TP_OK; i++)
        if (peers[i].status != TP_OK)
            st = peers[i].status;
    if (seconds_p != NULL)
        *seconds_p = since(&start);
    free(jobs);
    free(threads);
    return st;
}
