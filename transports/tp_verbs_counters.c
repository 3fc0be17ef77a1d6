/* tp_verbs_counters.c: the verbs endpoint's loss counters: its device
 * port's error and retransmission counters from sysfs (tp_ib_counters.c).
 * They count the whole port, not one QP: pairs sharing the device in a
 * round share them. */
#include <string.h>

#include "tp_ib_counters.h"
#include "verbs_private.h"

tp_status_t verbs_counters_op(void *epv, struct tp_counters *c, struct tp_error *err)
{
    const struct verbs_ep *ep = epv;

    memset(c, 0, sizeof(*c));
    if (tp_ib_counters_read(TP_IB_SYSFS_ROOT, ep->ctx->dev_name, ep->ctx->port, c) == 0)
        return tp_error_set(err, TP_ERR_UNSUPPORTED, "verbs: no readable counters under "
                            TP_IB_SYSFS_ROOT "/%s/ports/%d", ep->ctx->dev_name, ep->ctx->port);
    return TP_OK;
}
