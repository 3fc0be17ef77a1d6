/* tp_tcp_info.c: an endpoint's retransmissions from the kernel's TCP_INFO
 * (tcpi_total_retrans and tcpi_data_segs_out of every stream, summed),
 * read before and after a timed phase by the engine: what a lossy link or
 * a queue too short for the sender's bursts costs, per pair.  The kernel's
 * counters are 32-bit: sums are kept modulo 2^32, so a caller's unsigned
 * 32-bit difference stays right across a wrap. */
#include <errno.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "tcp_private.h"

tp_status_t tcp_counters_op(void *epv, struct tp_counters *c, struct tp_error *err)
{
    struct tcp_ep *ep = epv;
    uint32_t retrans = 0, segs = 0;

    memset(c, 0, sizeof(*c));
    for (int s = 0; s < ep->nstreams; s++) {
        struct tcp_info ti;
        socklen_t len = sizeof(ti);
        memset(&ti, 0, sizeof(ti));
        if (getsockopt(ep->st[s].fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
            return tp_error_set(err, TP_ERR_IO, "tcp: TCP_INFO of stream %d to %s: %s", s,
                                ep->peer_name, strerror(errno));
        /* tcpi_data_segs_out arrived in Linux 4.6: a shorter answer lacks it */
        if (len < offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof(ti.tcpi_data_segs_out))
            return tp_error_set(err, TP_ERR_UNSUPPORTED,
                                "tcp: TCP_INFO without segment counts (Linux before 4.6)");
        retrans += ti.tcpi_total_retrans;
        segs += ti.tcpi_data_segs_out;
    }
    c->retrans_segs = retrans;
    c->segs_out = segs;
    c->has_tcp = 1;
    return TP_OK;
}
