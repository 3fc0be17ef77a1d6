/* tp_tcp_rail.c: --ifaces, one interface per rail (see tp_rail.h). */
#include "tcp_private.h"
#include "tp_fail.h"
#include "tp_rail.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"

/* Does a (network order) fall inside the IPv4 CIDR text?  No CIDR: yes. */
static int in_subnet(struct in_addr a, const char *cidr)
{
    char net[64];
    struct in_addr n;
    const char *slash;

    if (cidr == NULL || cidr[0] == '\0')
        return 1;
    slash = strchr(cidr, '/');
    if (slash == NULL || (size_t)(slash - cidr) >= sizeof(net))
        return 0;
    memcpy(net, cidr, (size_t)(slash - cidr));
    net[slash - cidr] = '\0';
    long bits = strtol(slash + 1, NULL, 10);
    if (inet_pton(AF_INET, net, &n) != 1 || bits < 0 || bits > 32)
        return 0;
    uint32_t mask = bits == 0 ? 0 : ~0u << (32 - bits);
    return (ntohl(a.s_addr) & mask) == (ntohl(n.s_addr) & mask);
}

/* auto: every up interface with an IPv4 address but loopback, sorted. */
static tp_status_t list_auto(const char *subnet, struct tp_rail_list *l)
{
    struct ifaddrs *ifs = NULL;

    memset(l, 0, sizeof(*l));
    if (getifaddrs(&ifs) != 0) {
        tp_fail("tcp: --ifaces auto: cannot list network interfaces: %m");
        return TP_ERR_IO;
    }
    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
            !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
            continue;
        if (in_subnet(((const struct sockaddr_in *)i->ifa_addr)->sin_addr, subnet))
            (void)tp_rail_list_add(l, i->ifa_name);
    }
    freeifaddrs(ifs);
    if (l->n == 0) {
        tp_fail("tcp: --ifaces auto: no up IPv4 interface but loopback%s%s",
                subnet != NULL ? " inside --subnet " : "", subnet != NULL ? subnet : "");
        return TP_ERR_NO_DEVICE;
    }
    tp_rail_list_sort(l);
    return TP_OK;
}

tp_status_t tcp_local_choose_rail(const struct tp_config *cfg, const struct tcp_opts *opts,
                                  struct tcp_local *out, int *rail, int *nrails)
{
    struct tp_rail_list l;
    struct tp_error err = {0};
    char why[96];
    tp_status_t st;

    *rail = 0;
    *nrails = 0;
    if (opts->ifaces == NULL || opts->ifaces[0] == '\0')
        return tcp_local_choose(&opts->net, out);
    if (opts->net.bind_if != NULL && opts->net.bind_if[0] != '\0') {
        tp_fail("tcp: --if and --ifaces: give one of them");
        return TP_ERR_INVALID;
    }
    if (tp_rail_is_auto(opts->ifaces))
        st = list_auto(opts->net.bind_subnet, &l);
    else if ((st = tp_rail_list_parse(opts->ifaces, "ifaces", &l, &err)) != TP_OK)
        tp_fail("tcp: %s", err.msg);
    if (st != TP_OK)
        return st;
    size_t r = tp_rail_choose(cfg, &l, why, sizeof(why));
    struct tp_net_opts one = {.bind_if = l.names[r]};
    if ((st = tcp_local_choose(&one, out)) != TP_OK)
        return st;
    out->why = "--ifaces";
    *rail = (int)r;
    *nrails = (int)l.n;
    tp_log_debug("tcp: --ifaces: %s (%s)", l.names[r], why);
    return TP_OK;
}
