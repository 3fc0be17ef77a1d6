/* tp_verbs_device.c: choose and open the RDMA device, port and GID.
 *
 * --device/--port/--gid-index when given; otherwise the device with an
 * active port that is nearest the rank's cores (hwloc reads the NIC's
 * local_cpus) and, on RoCE, the RoCE v2 GID of the IPv4 address in use:
 * one inside --bind-subnet, or on --bind-if, or the first IPv4 one. */
#include "verbs_private.h"
#include "tp_fail.h"

#include <arpa/inet.h>
#include <errno.h>
#include <hwloc.h>
#include <hwloc/openfabrics-verbs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"


static int subnet_parse(const char *cidr, struct verbs_subnet *sn)
{
    char ip[64];
    const char *slash = cidr ? strchr(cidr, '/') : NULL;
    struct in_addr a;
    long bits = 32;

    sn->set = 0;
    if (cidr == NULL)
        return 0;
    if (slash != NULL) {
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > 32)
            return -1;
    }
    snprintf(ip, sizeof(ip), "%.*s",
             (int)(slash ? (size_t)(slash - cidr) : strlen(cidr)), cidr);
    if (inet_pton(AF_INET, ip, &a) != 1)
        return -1;
    sn->mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    sn->net = ntohl(a.s_addr) & sn->mask;
    sn->set = 1;
    return 0;
}

/* IPv4 address of an IPv4-mapped GID (::ffff:a.b.c.d), or 0. */
static uint32_t gid_ipv4(const union ibv_gid *gid)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    uint32_t v;

    if (memcmp(gid->raw, prefix, sizeof(prefix)) != 0)
        return 0;
    memcpy(&v, gid->raw + 12, 4);
    return ntohl(v);
}

static void ipv4_str(uint32_t host_order, char *out, size_t len)
{
    struct in_addr a = {.s_addr = htonl(host_order)};
    if (inet_ntop(AF_INET, &a, out, (socklen_t)len) == NULL)
        snprintf(out, len, "?");
}

/* A global IPv6 GID: neither IPv4-mapped, nor link-local (fe80::/10),
 * nor unset. */
static int gid_global_ipv6(const union ibv_gid *gid)
{
    static const uint8_t zero[16];

    if (gid_ipv4(gid) != 0 || memcmp(gid->raw, zero, 16) == 0)
        return 0;
    return !(gid->raw[0] == 0xfe && (gid->raw[1] & 0xc0) == 0x80);
}

/* How much a GID entry is wanted: 2 RoCE v2 IPv4 (inside --bind-subnet,
 * on --bind-if when given), 1 RoCE v2 global IPv6 (only without
 * --bind-subnet, which is IPv4), 0 not at all (RoCE v1, link-local). */
int verbs_gid_rank(const struct ibv_gid_entry *e, const struct verbs_subnet *sn,
                   unsigned bind_ifindex)
{
    uint32_t ip = gid_ipv4(&e->gid);

    if (e->gid_type != IBV_GID_TYPE_ROCE_V2)
        return 0;
    if (bind_ifindex != 0 && e->ndev_ifindex != bind_ifindex)
        return 0;
    if (ip != 0)
        return !sn->set || (ip & sn->mask) == sn->net ? 2 : 0;
    return !sn->set && gid_global_ipv6(&e->gid) ? 1 : 0;
}

/* The best GID index of port (first of the best kind), or -1; *why says
 * why it was chosen. */
static int roce_find_gid(struct ibv_context *dev, int port, int tbl_len,
                         const struct verbs_subnet *sn, unsigned bind_ifindex,
                         const char **why)
{
    int best = -1, best_rank = 0;

    for (int i = 0; i < tbl_len && best_rank < 2; i++) {
        struct ibv_gid_entry e;
        if (ibv_query_gid_ex(dev, (uint32_t)port, (uint32_t)i, &e, 0) != 0)
            continue;
        int r = verbs_gid_rank(&e, sn, bind_ifindex);
        if (r > best_rank) {
            best_rank = r;
            best = i;
        }
    }
    if (why != NULL)
        *why = best_rank == 1 ? "no RoCE v2 IPv4 GID: the first global RoCE v2 IPv6"
             : sn->set ? "RoCE v2 IPv4 in --bind-subnet"
             : bind_ifindex ? "RoCE v2 IPv4 on --bind-if"
             : "the first RoCE v2 IPv4";
    return best;
}

static const char *port_state_name(enum ibv_port_state s)
{
    return ibv_port_state_str(s);
}

/* First active port, or the one asked for; 0 when none is active. */
static int device_active_port(struct ibv_context *dev, int want,
                              struct ibv_port_attr *pa)
{
    struct ibv_device_attr da;

    if (ibv_query_device(dev, &da) != 0)
        return 0;
    for (int p = 1; p <= da.phys_port_cnt; p++) {
        if (want > 0 && p != want)
            continue;
        if (ibv_query_port(dev, (uint8_t)p, pa) == 0 && pa->state == IBV_PORT_ACTIVE)
            return p;
    }
    return 0;
}

/* Score of a candidate device for automatic choice: higher is better. */
static int device_score(struct ibv_device *d, const struct verbs_ctx *ctx,
                        hwloc_topology_t topo, hwloc_const_cpuset_t mine,
                        const struct verbs_subnet *sn, unsigned bind_ifindex)
{
    struct ibv_context *dev = ibv_open_device(d);
    struct ibv_port_attr pa;
    int port, score = 0;

    if (dev == NULL)
        return -1;
    port = device_active_port(dev, ctx->opts.port, &pa);
    if (port == 0) {
        ibv_close_device(dev);
        return -1;
    }
    if ((sn->set || bind_ifindex) && pa.link_layer == IBV_LINK_LAYER_ETHERNET &&
        roce_find_gid(dev, port, pa.gid_tbl_len, sn, bind_ifindex, NULL) >= 0)
        score += 2;
    if (topo != NULL && mine != NULL) {
        hwloc_cpuset_t near = hwloc_bitmap_alloc();
        if (near != NULL && hwloc_ibv_get_device_cpuset(topo, d, near) == 0 &&
            hwloc_bitmap_intersects(near, mine) &&
            !hwloc_bitmap_isequal(near, hwloc_topology_get_complete_cpuset(topo)))
            score += 1;
        hwloc_bitmap_free(near);
    }
    ibv_close_device(dev);
    return score;
}

static struct ibv_device *device_pick_auto(struct ibv_device **list, int n,
                                           const struct verbs_ctx *ctx,
                                           const struct verbs_subnet *sn,
                                           unsigned bind_ifindex)
{
    hwloc_topology_t topo = NULL;
    hwloc_cpuset_t mine = NULL;
    struct ibv_device *best = NULL;
    int best_score = -1;

    if (hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0) {
        mine = hwloc_bitmap_alloc();
        if (mine != NULL && hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) != 0) {
            hwloc_bitmap_free(mine);
            mine = NULL;
        }
    } else if (topo != NULL) {
        hwloc_topology_destroy(topo);
        topo = NULL;
    }
    for (int i = 0; i < n; i++) {
        int s = device_score(list[i], ctx, topo, mine, sn, bind_ifindex);
        if (s > best_score) {
            best_score = s;
            best = list[i];
        }
    }
    if (mine != NULL)
        hwloc_bitmap_free(mine);
    if (topo != NULL)
        hwloc_topology_destroy(topo);
    return best;
}

static void device_names(struct ibv_device **list, int n, char *out, size_t len)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        int w = snprintf(out + used, len - used, "%s%s", i ? ", " : "",
                         ibv_get_device_name(list[i]));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static void device_pci(struct verbs_ctx *ctx)
{
    char path[256], target[256];
    ssize_t n;

    ctx->pci[0] = '\0';
    snprintf(path, sizeof(path), "/sys/class/infiniband/%s/device", ctx->dev_name);
    n = readlink(path, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        const char *base = strrchr(target, '/');
        verbs_copy(ctx->pci, sizeof(ctx->pci), base ? base + 1 : target);
    }
}

static tp_status_t choose_gid(struct verbs_ctx *ctx, const struct verbs_subnet *sn,
                              unsigned bind_ifindex)
{
    struct ibv_gid_entry e;
    int idx = ctx->opts.gid_index;
    const char *why = "given by --gid-index";

    if (!ctx->is_roce) {
        if (ctx->port_attr.lid == 0) {
            tp_fail("verbs: %s port %d has no LID (is a subnet manager running?)",
                         ctx->dev_name, ctx->port);
            return TP_ERR_NO_DEVICE;
        }
        snprintf(ctx->address, sizeof(ctx->address), "LID 0x%x", ctx->port_attr.lid);
        ctx->gid_index = idx >= 0 ? idx : -1;
        if (idx < 0) {
            snprintf(ctx->gid_desc, sizeof(ctx->gid_desc), "InfiniBand LID 0x%x",
                     ctx->port_attr.lid);
            return TP_OK;
        }
    } else if (idx < 0) {
        idx = roce_find_gid(ctx->dev, ctx->port, ctx->port_attr.gid_tbl_len, sn,
                            bind_ifindex, &why);
        if (idx < 0) {
            struct verbs_subnet none = {0};
            if (sn->set || bind_ifindex)
                tp_fail("verbs: %s port %d has no RoCE v2 IPv4 GID %s %s "
                             "(give --gid-index, see `ibv_devinfo -v`)",
                             ctx->dev_name, ctx->port, sn->set ? "in" : "on",
                             sn->set ? ctx->opts.net.bind_subnet : ctx->opts.net.bind_if);
            else if (roce_find_gid(ctx->dev, ctx->port, ctx->port_attr.gid_tbl_len,
                                   &none, 0, NULL) < 0)
                tp_fail("verbs: %s port %d has no RoCE v2 GID with an IPv4 or global "
                        "IPv6 address (is an address set on its netdev? give "
                        "--gid-index otherwise)", ctx->dev_name, ctx->port);
            return TP_ERR_NO_DEVICE;
        }
    }
    if (ibv_query_gid_ex(ctx->dev, (uint32_t)ctx->port, (uint32_t)idx, &e, 0) != 0) {
        tp_fail("verbs: --gid-index %d: no such GID on %s port %d", idx,
                     ctx->dev_name, ctx->port);
        return TP_ERR_INVALID;
    }
    ctx->gid_index = idx;
    ctx->gid = e.gid;
    if (ctx->is_roce) {
        uint32_t ip = gid_ipv4(&e.gid);
        if (ip != 0)
            ipv4_str(ip, ctx->address, sizeof(ctx->address));
        else
            inet_ntop(AF_INET6, e.gid.raw, ctx->address, sizeof(ctx->address));
        snprintf(ctx->gid_desc, sizeof(ctx->gid_desc), "%s GID index %d (%s, %s)",
                 e.gid_type == IBV_GID_TYPE_ROCE_V2 ? "RoCE v2" : "RoCE v1", idx,
                 ctx->address, why);
        tp_log_info("verbs: %s port %d: GID index %d, %s, chosen as %s (link-local and "
                    "RoCE v1 GIDs are skipped)", ctx->dev_name, ctx->port, idx,
                    ctx->address, why);
    } else {
        snprintf(ctx->gid_desc, sizeof(ctx->gid_desc),
                 "InfiniBand LID 0x%x, GRH GID index %d", ctx->port_attr.lid, idx);
    }
    return TP_OK;
}

static tp_status_t open_port(struct verbs_ctx *ctx)
{
    int want = ctx->opts.port;

    if (want < 0 || want > ctx->dev_attr.phys_port_cnt) {
        tp_fail("verbs: --port %d: %s has ports 1..%d", want, ctx->dev_name,
                     ctx->dev_attr.phys_port_cnt);
        return TP_ERR_INVALID;
    }
    if (want == 0)
        want = device_active_port(ctx->dev, 0, &ctx->port_attr);
    if (want == 0) {
        if (ibv_query_port(ctx->dev, 1, &ctx->port_attr) == 0)
            tp_fail("verbs: %s has no active port (port 1 is %s)", ctx->dev_name,
                         port_state_name(ctx->port_attr.state));
        else
            tp_fail("verbs: %s has no active port", ctx->dev_name);
        return TP_ERR_NO_DEVICE;
    }
    if (ibv_query_port(ctx->dev, (uint8_t)want, &ctx->port_attr) != 0) {
        tp_fail("verbs: ibv_query_port(%s, %d): %s", ctx->dev_name, want,
                     strerror(errno));
        return TP_ERR_IO;
    }
    if (ctx->port_attr.state != IBV_PORT_ACTIVE) {
        tp_fail("verbs: %s port %d is %s, not ACTIVE (link down?)", ctx->dev_name,
                     want, port_state_name(ctx->port_attr.state));
        return TP_ERR_NO_DEVICE;
    }
    ctx->port = want;
    ctx->is_roce = ctx->port_attr.link_layer == IBV_LINK_LAYER_ETHERNET;
    return TP_OK;
}

tp_status_t verbs_device_open(struct verbs_ctx *ctx)
{
    struct verbs_subnet sn;
    unsigned bind_ifindex = 0;
    struct ibv_device **list;
    struct ibv_device *pick = NULL;
    int n = 0;
    tp_status_t st;

    if (subnet_parse(ctx->opts.net.bind_subnet, &sn) != 0) {
        tp_fail("verbs: --bind-subnet %s: not an IPv4 CIDR such as 198.18.0.0/15",
                     ctx->opts.net.bind_subnet);
        return TP_ERR_INVALID;
    }
    if (ctx->opts.net.bind_if != NULL && (bind_ifindex = if_nametoindex(ctx->opts.net.bind_if)) == 0) {
        tp_fail("verbs: --bind-if %s: no such interface", ctx->opts.net.bind_if);
        return TP_ERR_INVALID;
    }
    list = ibv_get_device_list(&n);
    if (list == NULL || n == 0) {
        tp_fail("verbs: no RDMA device found (no entries in /sys/class/infiniband: "
                     "no RDMA NIC driver loaded, or soft-RoCE not set up)");
        if (list != NULL)
            ibv_free_device_list(list);
        return TP_ERR_NO_DEVICE;
    }
    if (ctx->opts.device != NULL) {
        for (int i = 0; i < n; i++)
            if (strcmp(ibv_get_device_name(list[i]), ctx->opts.device) == 0)
                pick = list[i];
        if (pick == NULL) {
            char names[256];
            device_names(list, n, names, sizeof(names));
            tp_fail("verbs: --device %s not found (devices here: %s)",
                         ctx->opts.device, names);
            ibv_free_device_list(list);
            return TP_ERR_NO_DEVICE;
        }
    } else {
        pick = device_pick_auto(list, n, ctx, &sn, bind_ifindex);
        if (pick == NULL) {
            char names[256];
            device_names(list, n, names, sizeof(names));
            tp_fail("verbs: no RDMA device with an active port%s (devices here: %s)",
                         ctx->opts.port > 0 ? " of that --port" : "", names);
            ibv_free_device_list(list);
            return TP_ERR_NO_DEVICE;
        }
    }
    verbs_copy(ctx->dev_name, sizeof(ctx->dev_name), ibv_get_device_name(pick));
    ctx->dev = ibv_open_device(pick);
    ibv_free_device_list(list);
    if (ctx->dev == NULL) {
        tp_fail("verbs: cannot open %s: %s", ctx->dev_name, strerror(errno));
        return TP_ERR_IO;
    }
    if (ibv_query_device(ctx->dev, &ctx->dev_attr) != 0) {
        tp_fail("verbs: ibv_query_device(%s): %s", ctx->dev_name, strerror(errno));
        return TP_ERR_IO;
    }
    device_pci(ctx);
    verbs_async_init(ctx);
    st = open_port(ctx);
    if (st != TP_OK)
        return st;
    st = choose_gid(ctx, &sn, bind_ifindex);
    if (st != TP_OK)
        return st;
    ctx->pd = ibv_alloc_pd(ctx->dev);
    if (ctx->pd == NULL) {
        tp_fail("verbs: ibv_alloc_pd(%s): %s", ctx->dev_name, strerror(errno));
        return TP_ERR_IO;
    }
    return TP_OK;
}

double verbs_lane_rate_gbit(uint32_t speed, uint8_t width)
{
    double lane, lanes;

    switch (speed) {
    case 1:   lane = 2.5; break;     /* SDR */
    case 2:   lane = 5.0; break;     /* DDR */
    case 4:                          /* QDR */
    case 8:   lane = 10.0; break;    /* FDR10 */
    case 16:  lane = 14.0; break;    /* FDR */
    case 32:  lane = 25.0; break;    /* EDR */
    case 64:  lane = 50.0; break;    /* HDR */
    case 128: lane = 100.0; break;   /* NDR */
    case 256: lane = 200.0; break;   /* XDR (active_speed_ex) */
    default:  return 0.0;
    }
    switch (width) {
    case 1:  lanes = 1; break;
    case 2:  lanes = 4; break;
    case 4:  lanes = 8; break;
    case 8:  lanes = 12; break;
    case 16: lanes = 2; break;
    default: return 0.0;
    }
    return lane * lanes;
}

double verbs_port_rate_gbit(const struct ibv_port_attr *pa)
{
    uint32_t speed = pa->active_speed;

#ifdef TIERPERF_HAVE_IBV_SPEED_EX
    /* XDR and later do not fit the 8-bit active_speed (rdma-core 48+) */
    if (pa->active_speed_ex != 0)
        speed = pa->active_speed_ex;
#endif
    return verbs_lane_rate_gbit(speed, pa->active_width);
}

int verbs_mtu_bytes(enum ibv_mtu mtu)
{
    return mtu >= IBV_MTU_256 && mtu <= IBV_MTU_4096 ? 128 << mtu : 0;
}

const char *verbs_wc_hint(enum ibv_wc_status status)
{
    switch (status) {
    case IBV_WC_RETRY_EXC_ERR:
        return "peer not responding: transport retries exhausted";
    case IBV_WC_RNR_RETRY_EXC_ERR:
        return "peer posted no receive in time";
    case IBV_WC_REM_OP_ERR:
        return "the peer's queue pair failed or is gone";
    case IBV_WC_REM_ACCESS_ERR:
        return "remote access refused (wrong rkey or address)";
    case IBV_WC_LOC_LEN_ERR:
        return "message longer than the posted receive";
    case IBV_WC_WR_FLUSH_ERR:
        return "flushed after an earlier error";
    default:
        return ibv_wc_status_str(status);
    }
}
