/* shape_background.c: a flow that keeps a link busy while something else
 * is measured (the congestion pattern's aggressors).  Before every burst
 * the sender sends an 8-byte go/stop word in the burst buffer's first
 * bytes, so the receiving thread knows whether another burst follows. */
#include "shape.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/log.h"

struct shape_background {
    const struct tp_transport_ops *ops;
    void *ep;
    struct tp_xfer burst;
    int sender;
    atomic_int stop;
    pthread_t thread;
    tp_status_t status;
    struct tp_error err;        /* the transport's line when status fails */
    uint64_t bytes;
    double seconds;
};

enum { WORD_STOP = 0, WORD_GO = 1 };

/* The go/stop word lives in the burst buffer, which may be device memory. */
static tp_status_t word_put(const struct tp_buf *buf, uint64_t word)
{
    if (buf->mem == NULL || buf->mem->ops->is_host) {
        memcpy(buf->addr, &word, sizeof(word));
        return TP_OK;
    }
    return buf->mem->ops->copy_from_host(buf->mem->ctx, buf->addr, &word, sizeof(word));
}

static tp_status_t word_get(const struct tp_buf *buf, uint64_t *word_p)
{
    if (buf->mem == NULL || buf->mem->ops->is_host) {
        memcpy(word_p, buf->addr, sizeof(*word_p));
        return TP_OK;
    }
    return buf->mem->ops->copy_to_host(buf->mem->ctx, word_p, buf->addr, sizeof(*word_p));
}

static void *background_main(void *arg)
{
    struct shape_background *bg = arg;
    struct tp_xfer word = {.buf = bg->burst.buf, .msg_size = sizeof(uint64_t),
                           .bytes = sizeof(uint64_t)};
    struct timespec t0, t1;
    tp_status_t st = TP_OK;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        uint64_t w = WORD_GO;
        if (bg->sender) {
            w = atomic_load(&bg->stop) ? WORD_STOP : WORD_GO;
            st = word_put(word.buf, w);
            if (st == TP_OK)
                st = bg->ops->stream_send(bg->ep, &word, &bg->err);
        } else {
            st = bg->ops->stream_recv(bg->ep, &word, &bg->err);
            if (st == TP_OK)
                st = word_get(word.buf, &w);
        }
        if (st != TP_OK && bg->err.msg[0] == '\0')
            tp_error_set(&bg->err, st, "the go/stop word did not reach %s memory: %s",
                         word.buf->mem != NULL ? word.buf->mem->ops->name : "host",
                         tp_status_string(st));
        if (st != TP_OK || w != WORD_GO)
            break;
        st = bg->sender ? bg->ops->stream_send(bg->ep, &bg->burst, &bg->err)
                        : bg->ops->stream_recv(bg->ep, &bg->burst, &bg->err);
        if (st != TP_OK)
            break;
        bg->bytes += bg->burst.bytes;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    bg->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    bg->status = st;
    return NULL;
}

tp_status_t shape_background_start(const struct tp_transport_ops *ops, void *ep,
                                   const struct tp_xfer *burst, int sender,
                                   struct shape_background **bg_p)
{
    if (burst->buf->len < sizeof(uint64_t) || burst->bytes == 0)
        return TP_ERR_INVALID;
    struct shape_background *bg = calloc(1, sizeof(*bg));
    if (bg == NULL)
        return TP_ERR_NO_MEMORY;
    bg->ops = ops;
    bg->ep = ep;
    bg->burst = *burst;
    bg->burst.fill = NULL;
    bg->burst.check = NULL;
    bg->sender = sender;
    atomic_init(&bg->stop, 0);
    if (pthread_create(&bg->thread, NULL, background_main, bg) != 0) {
        tp_log_error("congestion: cannot start a background flow thread");
        free(bg);
        return TP_ERR_NO_MEMORY;
    }
    *bg_p = bg;
    return TP_OK;
}

tp_status_t shape_background_stop(struct shape_background *bg, uint64_t *bytes_p,
                                  double *seconds_p, struct tp_error *err)
{
    atomic_store(&bg->stop, 1);
    pthread_join(bg->thread, NULL);
    tp_status_t st = bg->status;
    if (st != TP_OK && err != NULL)
        *err = bg->err;
    if (bytes_p != NULL)
        *bytes_p = bg->bytes;
    if (seconds_p != NULL)
        *seconds_p = bg->seconds;
    free(bg);
    return st;
}
