/* tp_tcp_sock.c: socket options and blocking whole-buffer I/O with the
 * --timeout limit (SO_SNDTIMEO/SO_RCVTIMEO), shared by the TCP files. */
#include "tcp_private.h"
#include "tp_deadline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>

/* Third field of /proc/sys/net/ipv4/tcp_{w,r}mem: autotuning's ceiling. */
static long autotune_max(const char *path)
{
    long lo, def, max = 0;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return 0;
    // NOLINTNEXTLINE(cert-err34-c): kernel-written numbers; no parse means no ceiling
    if (fscanf(f, "%ld %ld %ld", &lo, &def, &max) != 3)
        max = 0;
    fclose(f);
    return max;
}

/* A fixed buffer size switches autotuning off, so ask for one only where
 * autotuning would stop below it; FORCE passes net.core.*mem_max when
 * privileged, and without privilege autotuning is the better choice. */
static void grow_buffer(int fd, int force_opt, const char *path)
{
    int want = (int)TCP_SOCKBUF_BYTES;

    if (autotune_max(path) >= want)
        return;
    (void)setsockopt(fd, SOL_SOCKET, force_opt, &want, sizeof(want));
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

void tcp_sock_tune(int fd, double timeout_s)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    grow_buffer(fd, SO_SNDBUFFORCE, "/proc/sys/net/ipv4/tcp_wmem");
    grow_buffer(fd, SO_RCVBUFFORCE, "/proc/sys/net/ipv4/tcp_rmem");
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
