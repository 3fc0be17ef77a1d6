/* conf_util.c: what the conformance cases share (see conformance.h). */
#include "conformance.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum conf_verdict conf_say(struct conf *c, enum conf_verdict v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->why, sizeof(c->why), fmt, ap);
    va_end(ap);
    return v;
}

double conf_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum conf_verdict conf_open(struct conf *c, double timeout_s, uint64_t secret)
{
    struct tp_config cfg = {.tx_depth = 8, .timeout_s = timeout_s, .secret = secret,
                            .opts = c->opts};
    struct tp_error err = {0};
    tp_status_t st = c->ops->init(&cfg, &c->ctrl, &c->ctx, &err);

    if (st != TP_OK) {
        c->ctx = NULL;
        return conf_say(c, CONF_FAIL, "rank %d: init: %s", c->rank,
                        err.msg[0] ? err.msg : tp_status_string(st));
    }
    memset(&err, 0, sizeof(err));
    st = c->ops->connect(c->ctx, 1 - c->rank, &c->ep, &err);
    if (st != TP_OK) {
        c->ep = NULL;
        c->ops->finalize(c->ctx);
        c->ctx = NULL;
        return conf_say(c, CONF_FAIL, "rank %d: connect: %s", c->rank,
                        err.msg[0] ? err.msg : tp_status_string(st));
    }
    return CONF_PASS;
}

void conf_close(struct conf *c)
{
    if (c->ep != NULL)
        c->ops->disconnect(c->ctx, c->ep);
    if (c->ctx != NULL)
        c->ops->finalize(c->ctx);
    c->ep = NULL;
    c->ctx = NULL;
}

int conf_sync(struct conf *c, double timeout_s)
{
    return ctrl_mpi_barrier(&c->cm, timeout_s) == TP_OK ? 0 : -1;
}

int conf_ring_alloc(struct conf *c, struct conf_ring *r, const struct tp_mem_ops *kind,
                    size_t len)
{
    struct tp_error err = {0};

    memset(r, 0, sizeof(*r));
    r->mem.ops = kind != NULL ? kind : &tp_mem_host_ops;
    r->mem.device = -1;
    r->buf.len = len;
    r->buf.mem = &r->mem;
    if (r->mem.ops->alloc(r->mem.ctx, len, &r->buf.addr) != TP_OK)
        return conf_say(c, CONF_FAIL, "rank %d: no memory for a %zu-byte ring", c->rank, len);
    if (c->ops->mem_reg(c->ctx, &r->buf, &err) != TP_OK) {
        r->mem.ops->free(r->mem.ctx, r->buf.addr, len);
        r->buf.addr = NULL;
        return conf_say(c, CONF_FAIL, "rank %d: mem_reg of %zu bytes: %s", c->rank, len, err.msg);
    }
    r->reg = 1;
    return CONF_PASS;
}

void conf_ring_free(struct conf *c, struct conf_ring *r)
{
    if (r->reg && c->ctx != NULL)
        c->ops->mem_dereg(c->ctx, &r->buf);
    if (r->buf.addr != NULL)
        r->mem.ops->free(r->mem.ctx, r->buf.addr, r->buf.len);
    memset(r, 0, sizeof(*r));
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    const struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - (strcmp(path, "/proc/self/fd") == 0);   /* opendir's own */
}

int conf_count_fds(void)
{
    return count_dir("/proc/self/fd");
}

int conf_count_threads(void)
{
    return count_dir("/proc/self/task");
}
