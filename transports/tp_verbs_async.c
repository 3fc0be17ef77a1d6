/* tp_verbs_async.c: the device's asynchronous events (ibv_get_async_event).
 * A port that goes down (IBV_EVENT_PORT_ERR), or a device that fails
 * (IBV_EVENT_DEVICE_FATAL), ends every transfer of the rank on it with
 * one line naming the device and port, instead of the retries that would
 * otherwise run out later as "peer not responding".  The events are read
 * without blocking whenever a wait goes idle or a completion fails; what
 * they say is kept in the device context, so every endpoint (the traffic
 * shapes drive several from threads) sees it. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>

#include "../common/log.h"

void verbs_async_init(struct verbs_ctx *ctx)
{
    int fl = fcntl(ctx->dev->async_fd, F_GETFL);

    if (fl >= 0)
        fcntl(ctx->dev->async_fd, F_SETFL, fl | O_NONBLOCK);
}

/* One event into ctx->async_down (the event type, 0 while usable). */
static void async_take(struct verbs_ctx *ctx, const struct ibv_async_event *ev)
{
    int down = 0;

    switch (ev->event_type) {
    case IBV_EVENT_PORT_ERR:
        down = ev->element.port_num == ctx->port;
        break;
    case IBV_EVENT_DEVICE_FATAL:
        down = 1;
        break;
    case IBV_EVENT_PORT_ACTIVE:
        if (ev->element.port_num == ctx->port)
            __atomic_store_n(&ctx->async_down, 0, __ATOMIC_RELEASE);
        return;
    default:
        return;
    }
    if (down)
        __atomic_store_n(&ctx->async_down, (int)ev->event_type, __ATOMIC_RELEASE);
}

static int async_poll(struct verbs_ctx *ctx)
{
    struct ibv_async_event ev;

    while (ibv_get_async_event(ctx->dev, &ev) == 0) {
        async_take(ctx, &ev);
        ibv_ack_async_event(&ev);
    }
    return __atomic_load_n(&ctx->async_down, __ATOMIC_ACQUIRE);
}

static tp_status_t port_gone(struct verbs_ep *ep, const char *how, const char *why)
{
    if (ep->broken == TP_OK)
        tp_fail("verbs: %s port %d %s (%s): the transfer with rank %d ends",
                ep->ctx->dev_name, ep->ctx->port, how, why, ep->peer);
    return verbs_ep_fail(ep, TP_ERR_IO);
}

tp_status_t verbs_async_check(struct verbs_ep *ep)
{
    int down = async_poll(ep->ctx);

    if (down == 0)
        return TP_OK;
    return port_gone(ep, down == IBV_EVENT_DEVICE_FATAL ? "failed" : "went down",
                     ibv_event_type_str((enum ibv_event_type)down));
}

tp_status_t verbs_port_check(struct verbs_ep *ep)
{
    struct verbs_ctx *ctx = ep->ctx;
    struct ibv_port_attr pa;

    /* a send can fail on the dead link just before the event is out */
    for (int i = 0; i < 5; i++) {
        if (async_poll(ctx) != 0)
            return verbs_async_check(ep);
        if (ibv_query_port(ctx->dev, (uint8_t)ctx->port, &pa) == 0 &&
            pa.state != IBV_PORT_ACTIVE) {
            char why[64];
            snprintf(why, sizeof(why), "port state %s", ibv_port_state_str(pa.state));
            return port_gone(ep, "went down", why);
        }
        nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    }
    return TP_OK;
}
