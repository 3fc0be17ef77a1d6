/* tp_tcp_addr.c: which local IPv4 address the TCP transport listens and
 * dials on (--if, --subnet, host name, first non-loopback, loopback). */
#include "tcp_private.h"
#include "tp_fail.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"

static int addr_is_loopback(struct in_addr a)
{
    return (ntohl(a.s_addr) >> 24) == 127;
}

static void local_set(struct tcp_local *out, struct in_addr a, const char *ifname,
                      const char *why)
{
    out->addr = a;
    snprintf(out->ifname, sizeof(out->ifname), "%s", ifname ? ifname : "");
    inet_ntop(AF_INET, &a, out->text, sizeof(out->text));
    out->why = why;
}

/* "name=addr, name=addr" of every IPv4 interface, for error messages. */
static void list_addrs(const struct ifaddrs *ifs, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        char text[INET_ADDRSTRLEN];
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
            continue;
        inet_ntop(AF_INET, &((const struct sockaddr_in *)i->ifa_addr)->sin_addr,
                  text, sizeof(text));
        int n = snprintf(buf + used, len - used, "%s%s=%s", used ? ", " : "",
                         i->ifa_name, text);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, len, "none");
}

/* Parses "a.b.c.d/n" into network and mask (host order). */
static int cidr_parse(const char *text, uint32_t *net_p, uint32_t *mask_p)
{
    char copy[64];
    struct in_addr a;
    char *slash, *end;

    if (strlen(text) >= sizeof(copy))
        return -1;
    snprintf(copy, sizeof(copy), "%s", text);
    slash = strchr(copy, '/');
    if (slash == NULL || slash[1] == '\0')
        return -1;
    *slash = '\0';
    long bits = strtol(slash + 1, &end, 10);
    if (*end != '\0' || bits < 0 || bits > 32 || inet_pton(AF_INET, copy, &a) != 1)
        return -1;
    *mask_p = bits == 0 ? 0 : ~0u << (32 - bits);
    *net_p = ntohl(a.s_addr) & *mask_p;
    return 0;
}

static tp_status_t choose_by_if(const struct ifaddrs *ifs, const char *name,
                                struct tcp_local *out)
{
    char have[256];

    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next)
        if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
            strcmp(i->ifa_name, name) == 0) {
            local_set(out, ((const struct sockaddr_in *)i->ifa_addr)->sin_addr,
                      name, "--if");
            return TP_OK;
        }
    list_addrs(ifs, have, sizeof(have));
    tp_fail("tcp: --if %s: no IPv4 address on interface '%s' (have: %s)",
                 name, name, have);
    return TP_ERR_NO_DEVICE;
}

static tp_status_t choose_by_subnet(const struct ifaddrs *ifs, const char *cidr,
                                    struct tcp_local *out)
{
    uint32_t net, mask;
    char have[256];

    if (cidr_parse(cidr, &net, &mask) != 0) {
        tp_fail("tcp: --subnet '%s': not an IPv4 CIDR such as 198.18.0.0/15",
                     cidr);
        return TP_ERR_INVALID;
    }
    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
            continue;
        struct in_addr a = ((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
        if ((ntohl(a.s_addr) & mask) == net) {
            local_set(out, a, i->ifa_name, "--subnet");
            return TP_OK;
        }
    }
    list_addrs(ifs, have, sizeof(have));
    tp_fail("tcp: --subnet %s: no local IPv4 address inside it (have: %s)",
                 cidr, have);
    return TP_ERR_NO_DEVICE;
}

/* The host name's address, when it is a non-loopback address of this host. */
static int choose_by_hostname(const struct ifaddrs *ifs, struct tcp_local *out)
{
    char host[256];
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int found = 0;

    if (gethostname(host, sizeof(host)) != 0 || getaddrinfo(host, NULL, &hints, &res) != 0)
        return 0;
    for (struct addrinfo *r = res; r != NULL && !found; r = r->ai_next) {
        struct in_addr a = ((const struct sockaddr_in *)r->ai_addr)->sin_addr;
        if (addr_is_loopback(a))
            continue;
        for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next)
            if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
                ((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == a.s_addr) {
                local_set(out, a, i->ifa_name, "host name");
                found = 1;
                break;
            }
    }
    freeaddrinfo(res);
    return found;
}

static void choose_default(const struct ifaddrs *ifs, struct tcp_local *out)
{
    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
            !(i->ifa_flags & IFF_UP))
            continue;
        struct in_addr a = ((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
        if (!addr_is_loopback(a)) {
            local_set(out, a, i->ifa_name, "first non-loopback interface");
            return;
        }
    }
    struct in_addr lo = {.s_addr = htonl(INADDR_LOOPBACK)};
    local_set(out, lo, "lo", "loopback (no other interface)");
}

tp_status_t tcp_local_choose(const struct tp_net_opts *net, struct tcp_local *out)
{
    struct ifaddrs *ifs = NULL;
    tp_status_t st = TP_OK;

    if (getifaddrs(&ifs) != 0) {
        tp_fail("tcp: cannot list network interfaces: %m");
        return TP_ERR_IO;
    }
    if (net->bind_if != NULL && net->bind_if[0] != '\0')
        st = choose_by_if(ifs, net->bind_if, out);
    else if (net->bind_subnet != NULL && net->bind_subnet[0] != '\0')
        st = choose_by_subnet(ifs, net->bind_subnet, out);
    else if (!choose_by_hostname(ifs, out))
        choose_default(ifs, out);
    freeifaddrs(ifs);
    return st;
}

void tcp_local_ifname(struct in_addr addr, char *name, size_t len)
{
    struct ifaddrs *ifs = NULL;

    name[0] = '\0';
    if (getifaddrs(&ifs) != 0)
        return;
    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next)
        if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
            ((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == addr.s_addr) {
            snprintf(name, len, "%s", i->ifa_name);
            break;
        }
    freeifaddrs(ifs);
}
