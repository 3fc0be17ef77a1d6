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

tp_status_t verbs_async_check(struct verbs_ep *ep)
{
    struct verbs_ctx *ctx = ep->ctx;
    struct ibv_async_event ev;
    int down;

    while (ibv_get_async_event(ctx->dev, &ev) == 0) {
        async_take(ctx, &ev);
        ibv_ack_async_event(&ev);
    }
    down = __atomic_load_n(&ctx->async_down, __ATOMIC_ACQUIRE);
    if (down == 0)
        return TP_OK;
    if (ep->broken == TP_OK)
        tp_fail("verbs: %s port %d %s (%s): the transfer with rank %d ends",
                ctx->dev_name, ctx->port,
                down == IBV_EVENT_DEVICE_FATAL ? "failed" : "went down",
                ibv_event_type_str((enum ibv_event_type)down), ep->peer);
    return verbs_ep_fail(ep, TP_ERR_IO);
}
