/* pair_loss.c: retransmissions and device error counters over a timed
 * bandwidth phase: the transport's counters (TCP_INFO of every stream, or
 * the RDMA port's sysfs counters) read just before and just after it.
 * TCP counts what this side sent; with --bidir both sides send, so the
 * peer's difference travels over the control plane and is added.  A
 * counter that cannot be read is left out, never guessed. */
#include <stdio.h>
#include <string.h>

#include "engine.h"

_Static_assert(ROW_DEV_COUNTERS_MAX == TP_DEV_COUNTERS_MAX, "one limit of device counters");

void loss_counters_read(const struct tp_transport_ops *ops, void *ep, struct tp_counters *c)
{
    struct tp_error ignored = {0};

    if (ops->counters(ep, c, &ignored) != TP_OK)
        memset(c, 0, sizeof(*c));
}

void pair_loss_begin(struct pair_ctx *pc, struct tp_counters *before)
{
    loss_counters_read(pc->e->ops, pc->ep, before);
}

static void device_delta(const struct tp_counters *b, const struct tp_counters *a,
                         struct row_loss *loss)
{
    if (a->ndev == 0 || strcmp(a->device, b->device) != 0)
        return;
    snprintf(loss->device, sizeof(loss->device), "%s", a->device);
    for (int i = 0; i < a->ndev; i++)
        for (int j = 0; j < b->ndev; j++)
            if (strcmp(a->dev[i].name, b->dev[j].name) == 0 && a->dev[i].value >= b->dev[j].value) {
                snprintf(loss->dev[loss->ndev].name, sizeof(loss->dev[0].name), "%s",
                         a->dev[i].name);
                loss->dev[loss->ndev++].delta = a->dev[i].value - b->dev[j].value;
                break;
            }
}

void loss_delta(const struct tp_counters *before, const struct tp_counters *after,
                struct row_loss *loss)
{
    memset(loss, 0, sizeof(*loss));
    if (before->has_tcp && after->has_tcp) {
        loss->has_tcp = 1;
        loss->retrans_segs = after->retrans_segs - before->retrans_segs;   /* modulo 2^32 */
        loss->segs_out = after->segs_out - before->segs_out;
    }
    device_delta(before, after, loss);
}

tp_status_t pair_loss_end(struct pair_ctx *pc, const struct tp_counters *before,
                          struct row_loss *loss, struct tp_error *err)
{
    struct tp_counters after;

    loss_counters_read(pc->e->ops, pc->ep, &after);
    loss_delta(before, &after, loss);
    if (!pc->e->o->bidir)
        return TP_OK;
    struct pair_sync out = {0}, in = {0};
    out.status = TP_OK;
    out.value = loss->has_tcp ? 1u + loss->retrans_segs : 0;
    out.value2 = loss->segs_out;
    tp_status_t st = pair_sync(pc, &out, &in, err);
    if (st != TP_OK)
        return st;
    if (loss->has_tcp && in.value > 0) {
        loss->retrans_segs += (uint32_t)(in.value - 1);
        loss->segs_out += (uint32_t)in.value2;
    } else {
        loss->has_tcp = 0;   /* one side unreadable: no total */
    }
    return TP_OK;
}
