/* tp_tcp_dial.c: the dialing side of a connection: connect from the chosen
 * local address, present the hello, and check the listener's answer (so a
 * dialer also refuses a listener that does not know the run's secret). */
#include "tcp_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"

static tp_status_t dial_fail(struct tcp_ep *ep, int fd, int stream, tp_status_t st,
                             const char *why)
{
    tp_fail("tcp: connecting stream %d to %s: %s%s", stream, ep->peer_name, why,
                 st == TP_ERR_TIMEOUT ? " (--timeout)" : "");
    if (fd >= 0)
        close(fd);
    return st;
}

static tp_status_t check_answer(const struct tcp_ep *ep, const unsigned char *in,
                                int stream, uint64_t nonce, const char **why_p)
{
    struct tcp_hello h;

    if (tcp_hello_unpack(in, TCP_HELLO_ACCEPT, &h, why_p) != 0)
        return TP_ERR_AUTH;
    if (h.secret != ep->ctx->cfg.secret || h.nonce != nonce ||
        h.from_rank != (uint32_t)ep->peer || h.to_rank != (uint32_t)ep->ctx->ctrl.rank ||
        h.stream != (uint32_t)stream) {
        *why_p = "the listener's answer does not match this run (wrong secret or rank)";
        return TP_ERR_AUTH;
    }
    return TP_OK;
}

tp_status_t tcp_dial(struct tcp_ep *ep, const struct sockaddr_in *to,
                     int stream, uint64_t nonce, int *fd_p)
{
    const struct tcp_ctx *ctx = ep->ctx;
    struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr = ctx->local.addr};
    struct tcp_hello h = {
        .kind = TCP_HELLO_DIAL, .from_rank = (uint32_t)ctx->ctrl.rank,
        .to_rank = (uint32_t)ep->peer, .stream = (uint32_t)stream,
        .nstreams = (uint32_t)ep->nstreams, .secret = ctx->cfg.secret, .nonce = nonce};
    unsigned char out[TCP_HELLO_BYTES], in[TCP_HELLO_BYTES];
    const char *why = NULL;
    tp_status_t st;
    int err = 0;

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return dial_fail(ep, -1, stream, TP_ERR_IO, strerror(errno));
    tcp_sock_tune(fd, ctx->cfg.timeout_s, ctx->opts.sockbuf);  /* before connect: window scale */
    if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0)
        return dial_fail(ep, fd, stream, TP_ERR_IO, strerror(errno));
    if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) != 0) {
        err = errno;
        return dial_fail(ep, fd, stream, tcp_errno_status(err), strerror(err));
    }
    tcp_hello_pack(&h, out);
    st = tcp_send_all(fd, out, sizeof(out), &err);
    if (st == TP_OK)
        st = tcp_recv_all(fd, in, sizeof(in), &err);
    if (st != TP_OK)
        return dial_fail(ep, fd, stream, st,
                         err ? strerror(err) : "the listener closed the connection "
                                               "(it rejected our hello: wrong secret?)");
    st = check_answer(ep, in, stream, nonce, &why);
    if (st != TP_OK)
        return dial_fail(ep, fd, stream, st, why);
    *fd_p = fd;
    return TP_OK;
}
