/* registry.c: the static list of built transports and the shared
 * "unsupported" stubs.  The only place that names every backend. */
#include "transport.h"

#include <string.h>

extern const struct tp_transport_ops tp_tcp_ops;
extern const struct tp_transport_ops tp_mpi_ops;
#ifdef TIERPERF_HAVE_VERBS
extern const struct tp_transport_ops tp_verbs_ops;
#endif

static const struct tp_transport_ops *const transports[] = {
    &tp_tcp_ops,
    &tp_mpi_ops,
#ifdef TIERPERF_HAVE_VERBS
    &tp_verbs_ops,
#endif
    NULL,
};

const struct tp_transport_ops *const *tp_transport_list(void)
{
    return transports;
}

const struct tp_transport_ops *tp_transport_find(const char *name)
{
    for (size_t i = 0; transports[i] != NULL; i++)
        if (strcmp(transports[i]->name, name) == 0)
            return transports[i];
    return NULL;
}

tp_status_t tp_unsupported_mem_reg(void *ctx, struct tp_buf *buf, struct tp_error *err)
{
    (void)ctx;
    (void)buf;
    return tp_error_set(err, TP_ERR_UNSUPPORTED, "registering memory: not supported");
}

void tp_noop_mem_dereg(void *ctx, struct tp_buf *buf)
{
    (void)ctx;
    (void)buf;
}

tp_status_t tp_unsupported_stream_bidir(void *ep, const struct tp_xfer *tx,
                                        const struct tp_xfer *rx, struct tp_error *err)
{
    (void)ep;
    (void)tx;
    (void)rx;
    return tp_error_set(err, TP_ERR_UNSUPPORTED, "both directions at once: not supported");
}

tp_status_t tp_unsupported_link_info(void *ctx, struct tp_link_info *info,
                                     struct tp_error *err)
{
    (void)ctx;
    (void)info;
    return tp_error_set(err, TP_ERR_UNSUPPORTED, "link facts: not offered");
}

tp_status_t tp_unsupported_counters(void *ep, struct tp_counters *c, struct tp_error *err)
{
    (void)ep;
    (void)c;
    return tp_error_set(err, TP_ERR_UNSUPPORTED, "loss counters: not offered");
}
