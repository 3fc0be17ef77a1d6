/* tp_tcp_hello.c: the 40-byte hello a dialer sends and the listener
 * answers, in network byte order:
 *   "TPT1" kind from_rank to_rank stream nstreams secret(8) nonce(8). */
#include "tcp_private.h"

#include <string.h>

static const unsigned char hello_magic[4] = {'T', 'P', 'T', '1'};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void tcp_hello_pack(const struct tcp_hello *h, unsigned char out[TCP_HELLO_BYTES])
{
    memcpy(out, hello_magic, 4);
    put32(out + 4, h->kind);
    put32(out + 8, h->from_rank);
    put32(out + 12, h->to_rank);
    put32(out + 16, h->stream);
    put32(out + 20, h->nstreams);
    put64(out + 24, h->secret);
    put64(out + 32, h->nonce);
}

int tcp_hello_unpack(const unsigned char in[TCP_HELLO_BYTES],
                     enum tcp_hello_kind kind, struct tcp_hello *h,
                     const char **why_p)
{
    if (memcmp(in, hello_magic, 4) != 0) {
        *why_p = "not a tierperf hello";
        return -1;
    }
    h->kind = get32(in + 4);
    h->from_rank = get32(in + 8);
    h->to_rank = get32(in + 12);
    h->stream = get32(in + 16);
    h->nstreams = get32(in + 20);
    h->secret = get64(in + 24);
    h->nonce = get64(in + 32);
    if (h->kind != (uint32_t)kind) {
        *why_p = "unexpected hello kind";
        return -1;
    }
    if (h->nstreams == 0 || h->nstreams > TCP_MAX_STREAMS || h->stream >= h->nstreams) {
        *why_p = "stream number out of range";
        return -1;
    }
    return 0;
}
