/* shape_relay.c: pipelined chain broadcast.  Every hop moves the transfer
 * in chunks (one stream_send/stream_recv per chunk on both ends of a
 * link, so the calls match); a middle rank receives chunk i+1 while it
 * forwards chunk i, over a ring of chunk-sized slots. */
#include "shape.h"

#include <pthread.h>
#include <time.h>

#include "../../common/log.h"

struct relay {
    const struct tp_transport_ops *ops;
    void *prev_ep, *next_ep;
    const struct tp_xfer *x;
    size_t chunk;
    uint64_t nchunks, nslots;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t received, sent;   /* chunks done by each side */
    tp_status_t recv_status, send_status;
    struct tp_error recv_err, send_err;    /* each side's transport line */
};

/* The sub-transfer of chunk i: its slot of the buffer, its bytes, and the
 * offset of its first byte in the whole transfer. */
static void chunk_xfer(const struct relay *r, uint64_t i, struct tp_buf *slot,
                       struct tp_xfer *cx)
{
    const struct tp_xfer *x = r->x;
    uint64_t off = i * r->chunk;
    uint64_t left = x->bytes - off;

    *slot = *x->buf;
    slot->addr = (char *)x->buf->addr + (i % r->nslots) * r->chunk;
    slot->len = r->chunk;
    *cx = *x;
    cx->buf = slot;
    cx->bytes = left < r->chunk ? left : r->chunk;
    cx->msg_size = x->msg_size < r->chunk ? x->msg_size : r->chunk;
    cx->offset0 = x->offset0 + off;
}

/* Moves chunk i one way (send: on to the next rank; else in from the
 * previous one), then tells the other side how far this one got. */
static tp_status_t relay_chunk(struct relay *r, uint64_t i, int send)
{
    struct tp_buf slot;
    struct tp_xfer cx;
    tp_status_t st;

    chunk_xfer(r, i, &slot, &cx);
    if (send) {
        cx.check = NULL;
        if (r->prev_ep != NULL)
            cx.fill = NULL;     /* forward what arrived, unchanged */
        st = r->ops->stream_send(r->next_ep, &cx, &r->send_err);
    } else {
        cx.fill = NULL;
        st = r->ops->stream_recv(r->prev_ep, &cx, &r->recv_err);
    }
    pthread_mutex_lock(&r->lock);
    if (st == TP_OK)
        *(send ? &r->sent : &r->received) = i + 1;
    else if (send)
        r->send_status = st;    /* a receive's failure is published as its loop ends */
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return st;
}

static void *receiver_main(void *arg)
{
    struct relay *r = arg;
    tp_status_t st = TP_OK;

    for (uint64_t i = 0; i < r->nchunks && st == TP_OK; i++) {
        pthread_mutex_lock(&r->lock);
        /* a middle rank waits for the slot's previous chunk to be sent */
        while (r->next_ep != NULL && i - r->sent >= r->nslots && r->send_status == TP_OK)
            pthread_cond_wait(&r->cond, &r->lock);
        st = r->send_status;
        pthread_mutex_unlock(&r->lock);
        if (st != TP_OK)
            break;
        st = relay_chunk(r, i, 0);
    }
    pthread_mutex_lock(&r->lock);
    r->recv_status = st;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* The forwarding side, on the calling thread. */
static tp_status_t forward_all(struct relay *r)
{
    tp_status_t st = TP_OK;

    for (uint64_t i = 0; i < r->nchunks && st == TP_OK; i++) {
        pthread_mutex_lock(&r->lock);
        while (r->received <= i && r->recv_status == TP_OK)
            pthread_cond_wait(&r->cond, &r->lock);
        int ready = r->received > i;
        st = ready ? TP_OK : r->recv_status;
        pthread_mutex_unlock(&r->lock);
        if (st != TP_OK)
            break;
        st = relay_chunk(r, i, 1);
    }
    return st;
}

static double since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* The failing side's line: a receive that failed first (the forwarder
 * then only saw it stop), else the forward. */
static tp_status_t relay_error(const struct relay *r, tp_status_t st, struct tp_error *err)
{
    if (st == TP_OK || err == NULL)
        return st;
    if (r->recv_status != TP_OK && r->recv_err.msg[0])
        return tp_error_set(err, st, "receive: %s", r->recv_err.msg);
    if (r->send_status != TP_OK && r->send_err.msg[0])
        return tp_error_set(err, st, "forward: %s", r->send_err.msg);
    return tp_error_set(err, st, "%s", tp_status_string(st));
}

tp_status_t shape_relay(const struct tp_transport_ops *ops, void *prev_ep,
                        void *next_ep, const struct tp_xfer *x, size_t chunk,
                        double *seconds_p, struct tp_error *err)
{
    struct relay r = {.ops = ops, .prev_ep = prev_ep, .next_ep = next_ep, .x = x,
                      .chunk = chunk, .recv_status = TP_OK, .send_status = TP_OK};
    struct timespec start;
    tp_status_t st = TP_OK;

    if (chunk == 0 || x->buf->len < chunk)
        return tp_error_set(err, TP_ERR_INVALID, "relay: a %zu-byte chunk does not fit the "
                            "%zu-byte ring", chunk, x->buf->len);
    r.nchunks = (x->bytes + chunk - 1) / chunk;
    r.nslots = x->buf->len / chunk;
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    clock_gettime(CLOCK_MONOTONIC, &start);

    if (prev_ep == NULL) {                 /* head: every chunk is ready */
        r.received = r.nchunks;
        st = forward_all(&r);
    } else if (next_ep == NULL) {          /* tail: receive only */
        receiver_main(&r);
        st = r.recv_status;
    } else {
        pthread_t rt;
        if (pthread_create(&rt, NULL, receiver_main, &r) != 0) {
            st = tp_error_set(&r.recv_err, TP_ERR_NO_MEMORY,
                              "cannot start the receiving thread");
            r.recv_status = st;
        } else {
            st = forward_all(&r);
            pthread_join(rt, NULL);
            if (st == TP_OK)
                st = r.recv_status;
        }
    }
    if (seconds_p != NULL)
        *seconds_p = since(&start);
    pthread_cond_destroy(&r.cond);
    pthread_mutex_destroy(&r.lock);
    return relay_error(&r, st, err);
}
