/* tp_tcp_zc.c: MSG_ZEROCOPY bookkeeping.  Each zerocopy send gets the next
 * 32-bit id; the kernel reports finished id ranges on the socket's error
 * queue, and only then may the ring slot be written again. */
#include "tcp_private.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <sys/socket.h>

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif

/* Completions normally arrive in order; a range beyond a gap waits in
 * zc_early until the gap closes, so zc_done never runs ahead of an id
 * still in flight. */
static void zc_complete(struct tcp_stream *st, uint32_t lo, uint32_t hi)
{
    if ((int32_t)(lo - st->zc_done) > 0) {
        if (st->zc_nearly < sizeof(st->zc_early) / sizeof(st->zc_early[0])) {
            st->zc_early[st->zc_nearly][0] = lo;
            st->zc_early[st->zc_nearly][1] = hi;
            st->zc_nearly++;
        }
        return;
    }
    if ((int32_t)(hi + 1 - st->zc_done) > 0)
        st->zc_done = hi + 1;
    for (unsigned i = 0; i < st->zc_nearly;) {
        uint32_t *r = st->zc_early[i];
        if ((int32_t)(r[0] - st->zc_done) > 0) {
            i++;
            continue;
        }
        if ((int32_t)(r[1] + 1 - st->zc_done) > 0)
            st->zc_done = r[1] + 1;
        r[0] = st->zc_early[st->zc_nearly - 1][0];
        r[1] = st->zc_early[st->zc_nearly - 1][1];
        st->zc_nearly--;
        i = 0;      /* zc_done moved: look again from the start */
    }
}

int tcp_zc_enable(int fd)
{
    int one = 1;

    return setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one));
}

tp_status_t tcp_zc_reap(struct tcp_ep *ep, int s, int *progress_p)
{
    struct tcp_stream *st = &ep->st[s];

    for (;;) {
        char control[128];
        struct msghdr msg = {.msg_control = control, .msg_controllen = sizeof(control)};
        ssize_t r = recvmsg(st->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return TP_OK;
            return tcp_ep_fail(ep, tcp_errno_status(errno), "collecting zerocopy "
                               "completions from", errno);
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
                  (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                continue;
            const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);
            if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno != 0)
                continue;
            zc_complete(st, ee->ee_info, ee->ee_data);    /* ids [info, data] */
            *progress_p = 1;
        }
    }
}
