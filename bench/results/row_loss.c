/* row_loss.c: the loss measured over a row's timed bandwidth phase as
 * JSON: TCP retransmitted segments and the rate they make, and the RDMA
 * port's error counters that moved (all readable ones, zeros included, so
 * "read and 0" differs from "not readable": absent). */
#include "row_loss.h"

#include "../../transports/tp_ib_counters.h"

void row_loss_json(cJSON *extra, const struct row_loss *l)
{
    if (!l->has_tcp && l->ndev == 0)
        return;
    cJSON *o = cJSON_AddObjectToObject(extra, "loss");
    if (l->has_tcp) {
        cJSON_AddStringToObject(o, "source", "tcp_info");
        cJSON_AddNumberToObject(o, "retrans_segs", l->retrans_segs);
        cJSON_AddNumberToObject(o, "segs_out", l->segs_out);
        if (l->segs_out > 0)
            cJSON_AddNumberToObject(o, "retrans_pct",
                                    100.0 * (double)l->retrans_segs / (double)l->segs_out);
    }
    if (l->ndev > 0) {
        uint64_t errors = 0, packets = 0;
        int has_packets = 0;
        cJSON_AddStringToObject(o, "device", l->device);
        cJSON *c = cJSON_AddObjectToObject(o, "device_counters");
        for (int i = 0; i < l->ndev; i++) {
            cJSON_AddNumberToObject(c, l->dev[i].name, (double)l->dev[i].delta);
            if (tp_ib_counter_is_error(l->dev[i].name)) {
                errors += l->dev[i].delta;
            } else {
                packets = l->dev[i].delta;
                has_packets = 1;
            }
        }
        cJSON_AddNumberToObject(o, "device_errors", (double)errors);
        /* the port's errors per packet it sent: the verbs rate (port-wide) */
        if (!l->has_tcp && has_packets && packets > 0)
            cJSON_AddNumberToObject(o, "retrans_pct", 100.0 * (double)errors / (double)packets);
    }
}
