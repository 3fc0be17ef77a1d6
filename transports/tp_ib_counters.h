/* tp_ib_counters.h: an RDMA port's error counters from sysfs. */
#ifndef TIERPERF_TP_IB_COUNTERS_H
#define TIERPERF_TP_IB_COUNTERS_H

#include "transport.h"

#define TP_IB_SYSFS_ROOT "/sys/class/infiniband"

/* Fills c->device and c->dev[] with the counters readable under
 * root/dev/ports/port; returns how many (0: none readable). */
int tp_ib_counters_read(const char *root, const char *dev, int port, struct tp_counters *c);
/* 1 for an error or retry counter, 0 for a traffic count (port_xmit_packets,
 * rxe's sent_pkts). */
int tp_ib_counter_is_error(const char *name);

#endif
