/* tp_tcp_droplog.c: the log of strangers dropped by the acceptor, rate
 * limited.  Within a window of TCP_DROPLOG_WINDOW_S, the first drop from
 * each source address is logged in full (address, port, reason); later
 * ones from that address are counted and summarised in one line when the
 * window ends ("N more connections refused from ADDR in the last S s"), and
 * addresses beyond the first TCP_DROPLOG_SOURCES share one summary.  A
 * flood of any size and from any number of addresses writes a bounded
 * number of lines per window.  Used by the acceptor thread only. */
#include "tcp_private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../common/log.h"

static void flush_window(struct tcp_droplog *l, const char *me, double now)
{
    char addr[INET_ADDRSTRLEN];
    double span = now - l->window_start;

    for (int i = 0; i < l->nsrc; i++) {
        const struct tcp_droplog_src *s = &l->src[i];
        char reasons[400] = "";
        if (s->more == 0)
            continue;
        for (int k = 0; k <= TCP_DROPLOG_REASONS; k++) {
            size_t used = strlen(reasons);
            if (s->nwhy[k] > 0)
                snprintf(reasons + used, sizeof(reasons) - used, "%s%lu %s", used ? ", " : "",
                         s->nwhy[k], k < TCP_DROPLOG_REASONS ? s->why[k] : "for other reasons");
        }
        struct in_addr a = {.s_addr = s->addr};
        inet_ntop(AF_INET, &a, addr, sizeof(addr));
        tp_log_warn("tcp: %lu more connection(s) refused from %s to %s in the last %.0f s: %s",
                    s->more, addr, me, span, reasons);
    }
    if (l->others > 0)
        tp_log_warn("tcp: %lu connection(s) refused from other addresses to %s in the last "
                    "%.0f s (only %d addresses are named per %.0f s)", l->others, me, span,
                    TCP_DROPLOG_SOURCES, TCP_DROPLOG_WINDOW_S);
    l->nsrc = 0;
    l->others = 0;
    l->window_start = now;
}

static void count_reason(struct tcp_droplog_src *s, const char *why)
{
    int k = 0;

    s->more++;
    while (k < TCP_DROPLOG_REASONS && s->why[k] != NULL && strcmp(s->why[k], why) != 0)
        k++;
    if (k < TCP_DROPLOG_REASONS && s->why[k] == NULL)
        s->why[k] = why;
    s->nwhy[k]++;
}

void tcp_droplog_note(struct tcp_droplog *l, const struct sockaddr_in *from, const char *me,
                      const char *why)
{
    double now = tcp_now_s();
    char who[64];

    if (l->window_start == 0)
        l->window_start = now;
    else if (now - l->window_start >= TCP_DROPLOG_WINDOW_S)
        flush_window(l, me, now);
    for (int i = 0; i < l->nsrc; i++)
        if (l->src[i].addr == from->sin_addr.s_addr) {
            count_reason(&l->src[i], why);
            return;
        }
    if (l->nsrc == TCP_DROPLOG_SOURCES) {
        l->others++;
        return;
    }
    l->src[l->nsrc++] = (struct tcp_droplog_src){.addr = from->sin_addr.s_addr};
    tcp_sockaddr_text(from, who, sizeof(who));
    tp_log_warn("tcp: dropped connection from %s to %s: %s", who, me, why);
}

void tcp_droplog_flush(struct tcp_droplog *l, const char *me)
{
    if (l->window_start != 0)
        flush_window(l, me, tcp_now_s());
}
