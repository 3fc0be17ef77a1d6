/* tp_verbs_rail.c: --devices, one RDMA device per rail (see tp_rail.h). */
#include "verbs_private.h"
#include "tp_fail.h"
#include "tp_rail.h"

#include <stdio.h>
#include <string.h>

#include "../common/log.h"

/* auto: every RDMA device of this host, by name (the same rail order on
 * every node of one kind). */
static tp_status_t list_auto(struct tp_rail_list *l)
{
    int n = 0;
    struct ibv_device **list = ibv_get_device_list(&n);

    memset(l, 0, sizeof(*l));
    for (int i = 0; list != NULL && i < n; i++)
        (void)tp_rail_list_add(l, ibv_get_device_name(list[i]));
    if (list != NULL)
        ibv_free_device_list(list);
    if (l->n == 0) {
        tp_fail("verbs: --devices auto: no RDMA device found (no RDMA NIC driver loaded, or "
                "soft-RoCE not set up)");
        return TP_ERR_NO_DEVICE;
    }
    tp_rail_list_sort(l);
    return TP_OK;
}

tp_status_t verbs_rail_pick(struct verbs_ctx *ctx)
{
    struct tp_rail_list l;
    struct tp_error err = {0};
    char why[96];
    int port;
    tp_status_t st;

    if (ctx->opts.devices == NULL || ctx->opts.devices[0] == '\0')
        return TP_OK;
    if (ctx->opts.device != NULL) {
        tp_fail("verbs: --device and --devices: give one of them");
        return TP_ERR_INVALID;
    }
    if (tp_rail_is_auto(ctx->opts.devices))
        st = list_auto(&l);
    else if ((st = tp_rail_list_parse(ctx->opts.devices, "devices", &l, &err)) != TP_OK)
        tp_fail("verbs: %s", err.msg);
    if (st != TP_OK)
        return st;
    size_t r = tp_rail_choose(&ctx->cfg, &l, why, sizeof(why));
    if (tp_rail_split_port(l.names[r], ctx->rail_dev, sizeof(ctx->rail_dev), &port) != 0) {
        tp_fail("verbs: --devices: '%s' is not NAME or NAME:PORT (port 1..255)", l.names[r]);
        return TP_ERR_INVALID;
    }
    if (port > 0 && ctx->opts.port > 0 && port != ctx->opts.port) {
        tp_fail("verbs: --devices names port %d of %s, --port says %d", port, ctx->rail_dev,
                ctx->opts.port);
        return TP_ERR_INVALID;
    }
    ctx->opts.device = ctx->rail_dev;
    if (port > 0)
        ctx->opts.port = port;
    ctx->rail = (int)r;
    ctx->nrails = (int)l.n;
    tp_log_debug("verbs: --devices: %s (%s)", l.names[r], why);
    return TP_OK;
}

void verbs_rail_ifname(const struct verbs_ctx *ctx, char *out, size_t len)
{
    char path[256];
    FILE *f;

    out[0] = '\0';
    snprintf(path, sizeof(path), "/sys/class/infiniband/%s/ports/%d/gid_attrs/ndevs/%d",
             ctx->dev_name, ctx->port, ctx->gid_index > 0 ? ctx->gid_index : 0);
    if ((f = fopen(path, "r")) == NULL)
        return;
    if (fgets(out, (int)len, f) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    fclose(f);
}
