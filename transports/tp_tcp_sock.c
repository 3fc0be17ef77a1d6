/* tp_tcp_sock.c: socket options and blocking whole-buffer I/O with the
 * --timeout limit (SO_SNDTIMEO/SO_RCVTIMEO), shared by the TCP files. */
#include "tcp_private.h"
#include "tp_deadline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "../common/log.h"

/* A fixed size switches the kernel's autotuning off for the socket.
 * SO_*BUFFORCE passes net.core.[rw]mem_max when privileged; without
 * privilege the plain option is capped there (tcp_sock_buffers says). */
static void set_buffer(int fd, int force_opt, int opt, uint64_t bytes)
{
    int want = (int)bytes;

    if (setsockopt(fd, SOL_SOCKET, force_opt, &want, sizeof(want)) != 0)
        (void)setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
}

/* The kernel reports twice what was asked (its bookkeeping share). */
static uint64_t get_buffer(int fd, int opt)
{
    int v = 0;
    socklen_t len = sizeof(v);

    if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) != 0 || v <= 0)
        return 0;
    return (uint64_t)v / 2;
}

void tcp_sock_buffers(int fd, uint64_t *snd_p, uint64_t *rcv_p)
{
    *snd_p = get_buffer(fd, SO_SNDBUF);
    *rcv_p = get_buffer(fd, SO_RCVBUF);
}

void tcp_sock_report(int fd, uint64_t sockbuf)
{
    uint64_t snd, rcv;

    if (sockbuf == 0)
        return;
    tcp_sock_buffers(fd, &snd, &rcv);
    if (snd < sockbuf || rcv < sockbuf)
        tp_log_warn("tcp: --sockbuf %llu: the kernel gave send/receive buffers of %llu/%llu "
                    "bytes (net.core.wmem_max/rmem_max cap them without CAP_NET_ADMIN)",
                    (unsigned long long)sockbuf, (unsigned long long)snd,
                    (unsigned long long)rcv);
    else
        tp_log_debug("tcp: socket buffers %llu/%llu bytes (--sockbuf)",
                     (unsigned long long)snd, (unsigned long long)rcv);
}

void tcp_sock_set_timeout(int fd, double timeout_s)
{
    struct timeval tv = {0, 0};

    if (timeout_s > 0) {
        tv.tv_sec = (time_t)timeout_s;
        tv.tv_usec = (suseconds_t)((timeout_s - (double)tv.tv_sec) * 1e6);
        if (tv.tv_sec == 0 && tv.tv_usec == 0)
            tv.tv_usec = 1000;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

void tcp_sock_tune(int fd, double timeout_s, uint64_t sockbuf)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (sockbuf > 0) {
        set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, sockbuf);
        set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, sockbuf);
    }
    tcp_sock_set_timeout(fd, timeout_s);
}

tp_status_t tcp_errno_status(int err)
{
    switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINPROGRESS:
    case ETIMEDOUT:
        return TP_ERR_TIMEOUT;
    case 0:
    case ECONNRESET:
    case ECONNREFUSED:
    case ECONNABORTED:
    case EPIPE:
    case ENOTCONN:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ESHUTDOWN:
        return TP_ERR_PEER;
    default:
        return TP_ERR_IO;
    }
}

tp_status_t tcp_send_all(int fd, const void *buf, size_t len, int *err_p)
{
    const char *p = buf;

    *err_p = 0;
    while (len > 0) {
        if (tp_deadline_passed()) {    /* the engine's limit on the call */
            *err_p = ETIMEDOUT;
            return TP_ERR_TIMEOUT;
        }
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err_p = n < 0 ? errno : 0;
            return tcp_errno_status(*err_p);
        }
        p += n;
        len -= (size_t)n;
    }
    return TP_OK;
}

tp_status_t tcp_recv_all(int fd, void *buf, size_t len, int *err_p)
{
    char *p = buf;

    *err_p = 0;
    while (len > 0) {
        if (tp_deadline_passed()) {    /* the engine's limit on the call */
            *err_p = ETIMEDOUT;
            return TP_ERR_TIMEOUT;
        }
        ssize_t n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err_p = n < 0 ? errno : 0;
            return tcp_errno_status(*err_p);
        }
        p += n;
        len -= (size_t)n;
    }
    return TP_OK;
}

double tcp_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void tcp_sockaddr_text(const struct sockaddr_in *sa, char *buf, size_t len)
{
    char host[INET_ADDRSTRLEN] = "?";

    inet_ntop(AF_INET, &sa->sin_addr, host, sizeof(host));
    snprintf(buf, len, "%s:%u", host, (unsigned)ntohs(sa->sin_port));
}
