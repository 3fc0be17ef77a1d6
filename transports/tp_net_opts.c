/* tp_net_opts.c: --subnet's check, shared by the IP-addressed transports. */
#include "tp_net_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static tp_status_t bad(struct tp_error *err, const char *val, const char *why)
{
    return tp_error_set(err, TP_ERR_INVALID, "--subnet '%s': %s", val, why);
}

tp_status_t tp_net_subnet_parse(const struct opt_field *f, const char *val, void *cfg,
                                struct tp_error *err)
{
    char addr[64], *end = NULL;
    const char *slash = strchr(val, '/');
    unsigned char bin[16];

    if (slash == NULL || (size_t)(slash - val) >= sizeof(addr))
        return bad(err, val, "expected ADDRESS/PREFIX, e.g. 198.18.0.0/15");
    memcpy(addr, val, (size_t)(slash - val));
    addr[slash - val] = '\0';
    int v6 = strchr(addr, ':') != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1)
        return bad(err, val, "not an IPv4 or IPv6 address before the '/'");
    errno = 0;
    long prefix = strtol(slash + 1, &end, 10);
    if (errno != 0 || end == slash + 1 || *end != '\0' || prefix < 0 || prefix > (v6 ? 128 : 32))
        return bad(err, val, v6 ? "prefix must be 0..128" : "prefix must be 0..32");
    *OPT_PTR(cfg, f, const char *) = val;
    return TP_OK;
}
