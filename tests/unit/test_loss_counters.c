/* test_loss_counters.c: the loss counters a results row carries: an RDMA
 * port's sysfs counters (read from a directory laid out like
 * /sys/class/infiniband: no RDMA device here) and the row's extra.loss
 * object built from a pair's deltas, and the text report's lines. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/patterns/shape_loss.h"
#include "bench/results/row_loss.h"
#include "report/report_loss.h"
#include "transports/tp_ib_counters.h"

static void put(const char *root, const char *rel, const char *text)
{
    char path[512], dir[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = dir + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(loss, ib_counters_reads_what_the_driver_offers)
{
    char root[] = "/tmp/tierperf-ib-XXXXXX";
    cr_assert_not_null(mkdtemp(root));
    put(root, "rxe0/ports/1/counters/port_xmit_packets", "1000\n");
    put(root, "rxe0/ports/1/counters/port_rcv_errors", "2\n");
    put(root, "rxe0/ports/1/hw_counters/rcvd_seq_err", "7\n");
    put(root, "rxe0/ports/1/hw_counters/unrelated_counter", "99\n");
    put(root, "rxe0/ports/1/hw_counters/out_of_sequence", "garbage\n");
    struct tp_counters c;
    memset(&c, 0, sizeof(c));
    cr_assert_eq(tp_ib_counters_read(root, "rxe0", 1, &c), 3);
    cr_assert_str_eq(c.device, "rxe0 port 1");
    cr_assert_str_eq(c.dev[0].name, "port_xmit_packets");
    cr_assert_eq(c.dev[0].value, 1000);
    cr_assert_str_eq(c.dev[1].name, "port_rcv_errors");
    cr_assert_str_eq(c.dev[2].name, "rcvd_seq_err");
    cr_assert_eq(c.dev[2].value, 7);
    cr_assert_not(tp_ib_counter_is_error("port_xmit_packets"));
    cr_assert_not(tp_ib_counter_is_error("sent_pkts"));
    cr_assert(tp_ib_counter_is_error("rcvd_seq_err"));
    /* no such port: nothing, not zeros */
    cr_assert_eq(tp_ib_counters_read(root, "rxe0", 2, &c), 0);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0);
}

Test(loss, row_json_has_what_was_measured_only)
{
    struct row_loss l;
    memset(&l, 0, sizeof(l));
    cJSON *x = cJSON_CreateObject();
    row_loss_json(x, &l);
    cr_assert_null(cJSON_GetObjectItem(x, "loss"), "nothing measured: no loss object");

    l.has_tcp = 1;
    l.retrans_segs = 5;
    l.segs_out = 200;
    row_loss_json(x, &l);
    cJSON *o = cJSON_GetObjectItem(x, "loss");
    cr_assert_str_eq(cJSON_GetObjectItem(o, "source")->valuestring, "tcp_info");
    cr_assert_eq(cJSON_GetObjectItem(o, "retrans_segs")->valueint, 5);
    cr_assert_float_eq(cJSON_GetObjectItem(o, "retrans_pct")->valuedouble, 2.5, 1e-9);
    cr_assert_null(cJSON_GetObjectItem(o, "device"));
    cJSON_Delete(x);

    /* verbs: the port's errors per packet it sent */
    memset(&l, 0, sizeof(l));
    l.ndev = 2;
    snprintf(l.device, sizeof(l.device), "mlx5_0 port 1");
    snprintf(l.dev[0].name, sizeof(l.dev[0].name), "port_xmit_packets");
    l.dev[0].delta = 4000;
    snprintf(l.dev[1].name, sizeof(l.dev[1].name), "local_ack_timeout_err");
    l.dev[1].delta = 2;
    x = cJSON_CreateObject();
    row_loss_json(x, &l);
    o = cJSON_GetObjectItem(x, "loss");
    cr_assert_str_eq(cJSON_GetObjectItem(o, "device")->valuestring, "mlx5_0 port 1");
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "device_counters"),
                                     "local_ack_timeout_err")->valueint, 2);
    cr_assert_eq(cJSON_GetObjectItem(o, "device_errors")->valueint, 2);
    cr_assert_float_eq(cJSON_GetObjectItem(o, "retrans_pct")->valuedouble, 0.05, 1e-9);
    cr_assert_null(cJSON_GetObjectItem(o, "retrans_segs"));
    cJSON_Delete(x);
}

static char *loss_text(const char *json)
{
    char *buf = NULL;
    size_t len = 0;
    cJSON *run = cJSON_Parse(json);
    cr_assert_not_null(run);
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    report_print_loss(run, f);
    fclose(f);
    cJSON_Delete(run);
    return buf;
}

Test(loss, report_lines_only_when_measured)
{
    char *text = loss_text("{\"results\":[{\"src_node\":\"a\",\"dst_node\":\"b\",\"size_bytes\":65536}]}");
    cr_assert_str_eq(text, "");
    free(text);
    text = loss_text(
        "{\"results\":["
        "{\"src_node\":\"a\",\"dst_node\":\"b\",\"size_bytes\":65536,"
        "\"extra\":{\"loss\":{\"retrans_segs\":0,\"segs_out\":900,\"retrans_pct\":0}}},"
        "{\"src_node\":\"c\",\"dst_node\":\"d\",\"size_bytes\":65536,"
        "\"extra\":{\"loss\":{\"retrans_segs\":9,\"segs_out\":900,\"retrans_pct\":1}}}]}");
    cr_assert(strstr(text, "2 row(s) measured, 1 with any; the worst:\n"), "%s", text);
    cr_assert(strstr(text, "  c -> d  64 KiB  1% (9 of 900 segments)\n"), "%s", text);
    cr_assert_null(strstr(text, "a -> b"), "%s", text);
    free(text);
}

/* alltoall's rows are made by each flow's receiver, whose row holds what it
 * sent back (the sending socket counts retransmissions): rank 0 swaps each
 * row's loss with its reverse flow's of the same size, so a -> b holds what
 * a sent to b; a row without a reverse keeps nothing. */
Test(loss, shape_rows_get_their_senders_counts)
{
    struct result_row rows[5];
    memset(rows, 0, sizeof(rows));
    const int flows[5][3] = {{0, 1, 64}, {1, 0, 64}, {0, 1, 128}, {1, 0, 128}, {2, 0, 64}};
    for (int i = 0; i < 5; i++) {
        rows[i].src = flows[i][0];
        rows[i].dst = flows[i][1];
        rows[i].size_bytes = (uint64_t)flows[i][2];
        rows[i].loss.has_tcp = 1;
        rows[i].loss.retrans_segs = (uint32_t)(10 + i);   /* what dst sent to src */
        rows[i].loss.segs_out = 100;
    }
    shape_loss_to_receivers(rows, 5);
    cr_assert_eq(rows[0].loss.retrans_segs, 11);   /* 0 -> 1 @64: held by row 1 -> 0 */
    cr_assert_eq(rows[1].loss.retrans_segs, 10);
    cr_assert_eq(rows[2].loss.retrans_segs, 13);   /* the same pair, another size */
    cr_assert_eq(rows[3].loss.retrans_segs, 12);
    cr_assert_eq(rows[4].loss.has_tcp, 0);         /* 0 -> 2 not measured: nothing */
}
