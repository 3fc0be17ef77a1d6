/* verify.c: position-dependent fill and check (see verify.h). */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* splitmix64: cheap, and every 8-byte word of the transfer differs */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t word_at(uint64_t seed, uint64_t word)
{
    return mix(word ^ seed);
}

unsigned char verify_byte(uint64_t seed, uint64_t offset)
{
    return (unsigned char)(word_at(seed, offset / 8) >> (8 * (offset % 8)));
}

static void store_le(unsigned char *p, uint64_t w)
{
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(w >> (8 * k));
}

void verify_fill_host(uint64_t seed, unsigned char *buf, size_t len, uint64_t offset)
{
    size_t i = 0;

    for (; i < len && (offset + i) % 8 != 0; i++)
        buf[i] = verify_byte(seed, offset + i);
    for (; i + 8 <= len; i += 8)
        store_le(buf + i, word_at(seed, (offset + i) / 8));
    for (; i < len; i++)
        buf[i] = verify_byte(seed, offset + i);
}

size_t verify_check_host(uint64_t seed, const unsigned char *buf, size_t len, uint64_t offset)
{
    size_t i = 0;
    unsigned char w[8];

    for (; i < len && (offset + i) % 8 != 0; i++)
        if (buf[i] != verify_byte(seed, offset + i))
            return i;
    for (; i + 8 <= len; i += 8) {
        store_le(w, word_at(seed, (offset + i) / 8));
        if (memcmp(w, buf + i, 8) != 0)
            break;
    }
    for (; i < len; i++)
        if (buf[i] != verify_byte(seed, offset + i))
            return i;
    return len;
}

void verify_init(struct verify_ctx *v, uint64_t seed, const struct tp_mem *mem, const char *where)
{
    memset(v, 0, sizeof(*v));
    v->seed = seed;
    v->mem = mem;
    snprintf(v->where, sizeof(v->where), "%s", where ? where : "");
}

void verify_reset(struct verify_ctx *v)
{
    v->failed = 0;
    v->first_bad = 0;
    v->got = v->expected = 0;
    v->bad_msgs = 0;
    v->checked = 0;
}

void verify_free(struct verify_ctx *v)
{
    if (v->stage != NULL)
        tp_mem_staging_free(v->mem->ops, v->mem->ctx, v->stage, v->stage_len, v->stage_pinned);
    v->stage = NULL;
    v->stage_len = 0;
}

static int is_host(const struct verify_ctx *v)
{
    return v->mem == NULL || v->mem->ops->is_host;
}

/* GPU buffers are checked in host memory: the kind's page-locked staging
 * memory (DMA copies), grown as needed.  Only non-host kinds get here. */
static unsigned char *stage(struct verify_ctx *v, size_t len)
{
    if (len > v->stage_len) {
        void *p = NULL;
        int pinned = 0;
        verify_free(v);
        if (tp_mem_staging_alloc(v->mem, len, &p, &pinned) != TP_OK)
            return NULL;
        v->stage = p;
        v->stage_len = len;
        v->stage_pinned = pinned;
    }
    return v->stage;
}

tp_status_t verify_fill(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct verify_ctx *v = arg;
    unsigned char *host;

    if (is_host(v)) {
        verify_fill_host(v->seed, buf, len, offset);
        return TP_OK;
    }
    if ((host = stage(v, len)) == NULL)
        return TP_ERR_NO_MEMORY;
    verify_fill_host(v->seed, host, len, offset);
    return v->mem->ops->copy_from_host(v->mem->ctx, buf, host, len);
}

tp_status_t verify_check(void *arg, void *buf, size_t len, uint64_t offset)
{
    struct verify_ctx *v = arg;
    const unsigned char *host = buf;
    size_t bad;

    if (!is_host(v)) {
        unsigned char *h = stage(v, len);
        if (h == NULL)
            return TP_ERR_NO_MEMORY;
        tp_status_t st = v->mem->ops->copy_to_host(v->mem->ctx, h, buf, len);
        if (st != TP_OK)
            return st;
        host = h;
    }
    bad = verify_check_host(v->seed, host, len, offset);
    v->checked += len;
    if (bad == len)
        return TP_OK;
    if (!v->failed) {   /* recorded, not logged: rank 0 reports it (verify.h) */
        v->failed = 1;
        v->first_bad = offset + bad;
        v->got = host[bad];
        v->expected = verify_byte(v->seed, offset + bad);
    }
    v->bad_msgs++;
    return TP_OK;   /* finish the transfer; the verdict is recorded */
}
