/* tp_tcp_link.c: facts about the interface the TCP transport uses, for
 * the results' environment record: name, driver and firmware (ethtool
 * ioctl, else the sysfs driver link), PCI ids, speed and MTU from sysfs. */
#include "tcp_private.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* First line of /sys/class/net/IF/<leaf>, without the newline. */
static int sysfs_line(const char *ifname, const char *leaf, char *out, size_t len)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, leaf);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(out, (int)len, f) == NULL) {
        fclose(f);
        return -1;
    }
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

static void driver_from_ethtool(const char *ifname, struct tp_link_info *info)
{
    struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%.*s", IFNAMSIZ - 1, ifname);
    ifr.ifr_data = (void *)&drv;
    if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
        snprintf(info->driver, sizeof(info->driver), "%s", drv.driver);
        if (drv.fw_version[0] != '\0' && strcmp(drv.fw_version, "N/A") != 0)
            snprintf(info->firmware, sizeof(info->firmware), "%s", drv.fw_version);
    }
    close(fd);
}

static void driver_from_sysfs(const char *ifname, struct tp_link_info *info)
{
    char path[256], target[256];

    snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", ifname);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n <= 0)
        return;
    target[n] = '\0';
    const char *base = strrchr(target, '/');
    snprintf(info->driver, sizeof(info->driver), "%.63s", base ? base + 1 : target);
}

tp_status_t tcp_link_info(void *ctx_v, struct tp_link_info *info)
{
    const struct tcp_ctx *ctx = ctx_v;
    char ifname[64], line[64], vendor[16], device[16];
    long v;

    memset(info, 0, sizeof(*info));
    snprintf(info->address, sizeof(info->address), "%s", ctx->local.text);
    tcp_local_ifname(ctx->local.addr, ifname, sizeof(ifname));
    snprintf(info->device, sizeof(info->device), "%s", ifname);
    snprintf(info->ifname, sizeof(info->ifname), "%s", ifname);
    info->rail = ctx->rail;
    info->nrails = ctx->nrails;
    char threads[48] = "";
    if (ctx->streams > 1 && ctx->opts.threads > 0)
        snprintf(threads, sizeof(threads), " on %d thread(s)", ctx->opts.threads);
    else if (ctx->streams > 1)
        snprintf(threads, sizeof(threads), " on a thread each (at most one per CPU)");
    snprintf(info->detail, sizeof(info->detail), "TCP, %d stream(s)%s%s, address from %s",
             ctx->streams, threads, ctx->opts.zerocopy ? ", MSG_ZEROCOPY" : "", ctx->local.why);
    if (ifname[0] == '\0')
        return TP_OK;
    driver_from_ethtool(ifname, info);
    if (info->driver[0] == '\0')
        driver_from_sysfs(ifname, info);
    if (sysfs_line(ifname, "device/vendor", vendor, sizeof(vendor)) == 0 &&
        sysfs_line(ifname, "device/device", device, sizeof(device)) == 0)
        snprintf(info->model, sizeof(info->model), "PCI %s:%s", vendor, device);
    /* speed reads -1 or fails (EINVAL) for virtual and down links */
    if (sysfs_line(ifname, "speed", line, sizeof(line)) == 0 && (v = strtol(line, NULL, 10)) > 0)
        info->line_rate_gbit = (double)v / 1000.0;
    if (sysfs_line(ifname, "mtu", line, sizeof(line)) == 0 && (v = strtol(line, NULL, 10)) > 0)
        info->mtu = (int)v;
    return TP_OK;
}
