/* tp_ib_counters.c: an RDMA device port's error and retransmission
 * counters from sysfs (<root>/<dev>/ports/<port>/counters/ and
 * hw_counters/), whichever of a fixed list the driver offers: mlx5 names
 * (out_of_sequence, packet_seq_err, local_ack_timeout_err, ...), rxe names
 * (rcvd_seq_err, retry_exceeded_err, ...) and the IB port counters.  A
 * counter the driver does not offer is left out, never reported as 0. */
#include "tp_ib_counters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *dir, *name;
} wanted[] = {
    {"counters", "port_xmit_packets"},   /* the denominator, not an error */
    {"counters", "port_rcv_errors"},
    {"counters", "port_xmit_discards"},
    {"counters", "symbol_error"},
    {"counters", "link_downed"},
    {"hw_counters", "out_of_sequence"},
    {"hw_counters", "packet_seq_err"},
    {"hw_counters", "local_ack_timeout_err"},
    {"hw_counters", "rnr_nak_retry_err"},
    {"hw_counters", "implied_nak_seq_err"},
    {"hw_counters", "duplicate_request"},
    {"hw_counters", "rcvd_seq_err"},
    {"hw_counters", "retry_exceeded_err"},
    {"hw_counters", "completer_retry_err"},
    {"hw_counters", "out_of_seq_request"},
    {"hw_counters", "sent_pkts"},        /* rxe's denominator */
};

static int read_u64(const char *path, uint64_t *v)
{
    char line[64], *end;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int ok = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    if (!ok || line[0] < '0' || line[0] > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(line, &end, 10);
    if (errno != 0 || (*end != '\n' && *end != '\0'))
        return -1;
    *v = x;
    return 0;
}

int tp_ib_counters_read(const char *root, const char *dev, int port, struct tp_counters *c)
{
    char path[512];

    c->ndev = 0;
    snprintf(c->device, sizeof(c->device), "%.48s port %d", dev, port);
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        uint64_t v;
        snprintf(path, sizeof(path), "%s/%s/ports/%d/%s/%s", root, dev, port, wanted[i].dir,
                 wanted[i].name);
        if (c->ndev >= TP_DEV_COUNTERS_MAX || read_u64(path, &v) != 0)
            continue;
        snprintf(c->dev[c->ndev].name, sizeof(c->dev[0].name), "%s", wanted[i].name);
        c->dev[c->ndev++].value = v;
    }
    return c->ndev;
}

int tp_ib_counter_is_error(const char *name)
{
    return strcmp(name, "port_xmit_packets") != 0 && strcmp(name, "sent_pkts") != 0;
}
