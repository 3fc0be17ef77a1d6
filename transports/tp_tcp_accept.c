/* tp_tcp_accept.c: the listener and its acceptor thread.  Every incoming
 * connection must present a hello with the run's secret, addressed to this
 * rank from another rank of the run; anything else (stray client, wrong
 * secret, garbage, silence past the hello deadline) is dropped and logged
 * naming the remote address.  Good connections wait in a list until
 * connect() takes them, so strangers never reach a measurement. */
#define _GNU_SOURCE     /* accept4 */
#include "tcp_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"

struct pending {
    int fd;
    struct sockaddr_in from;
    unsigned char hello[TCP_HELLO_BYTES];
    size_t got;
    double deadline;
};

static void drop(struct tcp_acceptor *acc, struct pending *p, const char *why)
{
    char me[64];

    tcp_sockaddr_text(&acc->bound, me, sizeof(me));
    tcp_droplog_note(&acc->droplog, &p->from, me, why);
    close(p->fd);
    p->fd = -1;
    pthread_mutex_lock(&acc->lock);
    acc->dropped++;
    pthread_mutex_unlock(&acc->lock);
}

static void ready_push(struct tcp_acceptor *acc, const struct tcp_hello *h, int fd)
{
    pthread_mutex_lock(&acc->lock);
    if (acc->nready == acc->cap) {
        size_t cap = acc->cap ? acc->cap * 2 : 16;
        struct tcp_ready *r = realloc(acc->ready, cap * sizeof(*r));
        if (r == NULL) {
            pthread_mutex_unlock(&acc->lock);
            close(fd);
            return;
        }
        acc->ready = r;
        acc->cap = cap;
    }
    acc->ready[acc->nready++] = (struct tcp_ready){
        .fd = fd, .rank = (int)h->from_rank, .stream = (int)h->stream, .nonce = h->nonce};
    pthread_cond_broadcast(&acc->cond);
    pthread_mutex_unlock(&acc->lock);
}

/* A complete hello arrived: answer and keep it, or drop the connection. */
static void judge(struct tcp_acceptor *acc, struct pending *p)
{
    struct tcp_hello h;
    const char *why = NULL;
    unsigned char answer[TCP_HELLO_BYTES];

    if (tcp_hello_unpack(p->hello, TCP_HELLO_DIAL, &h, &why) != 0)
        return drop(acc, p, why);
    if (h.secret != acc->secret)
        return drop(acc, p, "wrong secret (not a peer of this run)");
    if (h.to_rank != (uint32_t)acc->my_rank)
        return drop(acc, p, "hello addressed to another rank");
    if (h.from_rank >= (uint32_t)acc->nranks || h.from_rank == (uint32_t)acc->my_rank)
        return drop(acc, p, "hello from a rank outside this run");
    struct tcp_hello reply = h;
    reply.kind = TCP_HELLO_ACCEPT;
    reply.from_rank = h.to_rank;
    reply.to_rank = h.from_rank;
    tcp_hello_pack(&reply, answer);
    if (send(p->fd, answer, sizeof(answer), MSG_DONTWAIT | MSG_NOSIGNAL) !=
        (ssize_t)sizeof(answer))
        return drop(acc, p, "could not answer the hello");
    ready_push(acc, &h, p->fd);
    p->fd = -1;
}

static void read_hello(struct tcp_acceptor *acc, struct pending *p)
{
    ssize_t n = recv(p->fd, p->hello + p->got, sizeof(p->hello) - p->got, MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0)
        return drop(acc, p, n == 0 ? "closed before completing a hello"
                                   : "error before completing a hello");
    p->got += (size_t)n;
    if (p->got == sizeof(p->hello))
        judge(acc, p);
}

static void accept_new(struct tcp_acceptor *acc, struct pending *pend, int *npend)
{
    for (;;) {
        struct pending p = {.fd = -1};
        socklen_t alen = sizeof(p.from);
        p.fd = accept4(acc->listen_fd, (struct sockaddr *)&p.from, &alen, SOCK_CLOEXEC);
        if (p.fd < 0)
            return;     /* EAGAIN, or an aborted connection: nothing to keep */
        p.deadline = tcp_now_s() + acc->hello_timeout_s;
        if (*npend == TCP_MAX_PENDING) {
            /* a real peer sends its hello at once: make room by dropping
             * the connection that has waited longest, not the newcomer */
            int oldest = 0;
            for (int i = 1; i < *npend; i++)
                if (pend[i].deadline < pend[oldest].deadline)
                    oldest = i;
            drop(acc, &pend[oldest], "too many connections in their handshake");
            pend[oldest] = p;
            continue;
        }
        pend[(*npend)++] = p;
    }
}

static int poll_timeout_ms(const struct pending *pend, int npend)
{
    double now = tcp_now_s(), first = -1;

    for (int i = 0; i < npend; i++)
        if (first < 0 || pend[i].deadline < first)
            first = pend[i].deadline;
    if (first < 0)
        return -1;
    return first <= now ? 0 : (int)((first - now) * 1000) + 1;
}

static void *acceptor_main(void *arg)
{
    struct tcp_acceptor *acc = arg;
    struct pending pend[TCP_MAX_PENDING] = {0};
    struct pollfd pfd[2 + TCP_MAX_PENDING];
    int npend = 0;

    for (;;) {
        pfd[0] = (struct pollfd){.fd = acc->wake_fd, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = acc->listen_fd, .events = POLLIN};
        /* only pend[0..npend) is read, and each was set when it was added */
        for (int i = 0; i < npend; i++)
            // cppcheck-suppress uninitvar
            pfd[2 + i] = (struct pollfd){.fd = pend[i].fd, .events = POLLIN};
        if (poll(pfd, (nfds_t)npend + 2, poll_timeout_ms(pend, npend)) < 0 &&
            errno != EINTR)
            break;
        if (pfd[0].revents)
            break;
        double now = tcp_now_s();
        for (int i = 0; i < npend; i++) {
            if (pfd[2 + i].revents)
                read_hello(acc, &pend[i]);
            if (pend[i].fd >= 0 && pend[i].deadline <= now)
                drop(acc, &pend[i], "sent no hello before the deadline");
        }
        int kept = 0;
        for (int i = 0; i < npend; i++)
            if (pend[i].fd >= 0)
                pend[kept++] = pend[i];
        npend = kept;
        if (pfd[1].revents)
            accept_new(acc, pend, &npend);
    }
    for (int i = 0; i < npend; i++)
        close(pend[i].fd);
    return NULL;
}

tp_status_t tcp_acceptor_start(struct tcp_acceptor *acc,
                               const struct tcp_local *local,
                               const struct tp_config *cfg,
                               const struct tp_ctrl *ctrl, uint64_t sockbuf)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = local->addr};
    socklen_t alen = sizeof(acc->bound);
    pthread_condattr_t cattr;

    memset(acc, 0, sizeof(*acc));
    acc->wake_fd = -1;
    acc->secret = cfg->secret;
    acc->my_rank = ctrl->rank;
    acc->nranks = ctrl->size;
    acc->hello_timeout_s = cfg->timeout_s > 0 && cfg->timeout_s < 30 ? cfg->timeout_s : 30;
    acc->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (acc->listen_fd < 0)
        goto err_sys;
    tcp_sock_tune(acc->listen_fd, 0, sockbuf);   /* accepted sockets inherit the buffers */
    tcp_sock_report(acc->listen_fd, sockbuf);
    if (bind(acc->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(acc->listen_fd, 128) != 0 ||
        getsockname(acc->listen_fd, (struct sockaddr *)&acc->bound, &alen) != 0)
        goto err_close;
    acc->wake_fd = eventfd(0, EFD_CLOEXEC);
    if (acc->wake_fd < 0)
        goto err_close;
    pthread_mutex_init(&acc->lock, NULL);
    pthread_condattr_init(&cattr);
    pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
    pthread_cond_init(&acc->cond, &cattr);
    pthread_condattr_destroy(&cattr);
    if (pthread_create(&acc->thread, NULL, acceptor_main, acc) != 0) {
        pthread_cond_destroy(&acc->cond);
        pthread_mutex_destroy(&acc->lock);
        goto err_close;
    }
    acc->started = 1;
    return TP_OK;

err_close:
    tp_fail("tcp: cannot listen on %s (%s): %m", local->text, local->why);
    if (acc->wake_fd >= 0)
        close(acc->wake_fd);
    close(acc->listen_fd);
    acc->listen_fd = -1;
    return TP_ERR_IO;
err_sys:
    tp_fail("tcp: cannot create a socket: %m");
    return TP_ERR_IO;
}

void tcp_acceptor_stop(struct tcp_acceptor *acc)
{
    uint64_t one = 1;

    if (!acc->started)
        return;
    if (write(acc->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
        tp_log_warn("tcp: cannot wake the acceptor thread: %m");
    pthread_join(acc->thread, NULL);
    char me[64];
    tcp_sockaddr_text(&acc->bound, me, sizeof(me));
    tcp_droplog_flush(&acc->droplog, me);
    for (size_t i = 0; i < acc->nready; i++)
        close(acc->ready[i].fd);
    free(acc->ready);
    close(acc->wake_fd);
    close(acc->listen_fd);
    pthread_cond_destroy(&acc->cond);
    pthread_mutex_destroy(&acc->lock);
    acc->started = 0;
}

/* Moves ready connections of (rank, nonce) into fds; returns how many
 * streams are now filled.  Called with the lock held. */
static int take_matching(struct tcp_acceptor *acc, int rank, uint64_t nonce,
                         int n, int *fds)
{
    size_t kept = 0;
    int have = 0;

    for (size_t i = 0; i < acc->nready; i++) {
        struct tcp_ready *r = &acc->ready[i];
        if (r->rank != rank || r->nonce != nonce) {
            acc->ready[kept++] = *r;
        } else if (r->stream >= n || fds[r->stream] >= 0) {
            tp_log_warn("tcp: dropped duplicate stream %d from rank %d", r->stream, rank);
            close(r->fd);
        } else {
            fds[r->stream] = r->fd;
        }
    }
    acc->nready = kept;
    for (int s = 0; s < n; s++)
        have += fds[s] >= 0;
    return have;
}

tp_status_t tcp_acceptor_take(struct tcp_acceptor *acc, int rank,
                              uint64_t nonce, int n, int *fds,
                              double timeout_s)
{
    struct timespec until;
    int rc = 0, have = 0;

    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_s > 0) {
        double t = (double)until.tv_sec + (double)until.tv_nsec * 1e-9 + timeout_s;
        until.tv_sec = (time_t)t;
        until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
    }
    for (int s = 0; s < n; s++)
        fds[s] = -1;
    pthread_mutex_lock(&acc->lock);
    while ((have = take_matching(acc, rank, nonce, n, fds)) < n && rc == 0) {
        if (timeout_s > 0)
            rc = pthread_cond_timedwait(&acc->cond, &acc->lock, &until);
        else
            rc = pthread_cond_wait(&acc->cond, &acc->lock);
    }
    pthread_mutex_unlock(&acc->lock);
    if (have == n)
        return TP_OK;
    for (int s = 0; s < n; s++)
        if (fds[s] >= 0) {
            close(fds[s]);
            fds[s] = -1;
        }
    return TP_ERR_TIMEOUT;
}
