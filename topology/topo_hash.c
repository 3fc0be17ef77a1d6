/* topo_hash.c: the string map behind HyperNode/node name look-ups. */
#include "topo_hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t topo_hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t slot_of(const struct topo_strmap *m, const char *key, size_t len)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)topo_hash_bytes(key, len) & mask;
    while (m->keys[i] != NULL &&
           !(strncmp(m->keys[i], key, len) == 0 && m->keys[i][len] == '\0'))
        i = (i + 1) & mask;
    return i;
}

static int grow(struct topo_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct topo_strmap n = {calloc(ncap, sizeof(char *)), malloc(ncap * sizeof(int)), ncap, 0};
    if (n.keys == NULL || n.vals == NULL) {
        free(n.keys);
        free(n.vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t s = slot_of(&n, m->keys[i], strlen(m->keys[i]));
        n.keys[s] = m->keys[i];
        n.vals[s] = m->vals[i];
        n.count++;
    }
    free(m->keys);
    free(m->vals);
    m->keys = n.keys;
    m->vals = n.vals;
    m->cap = n.cap;
    m->count = n.count;
    return 0;
}

int topo_strmap_put(struct topo_strmap *m, const char *key, int val)
{
    if ((m->count + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    size_t s = slot_of(m, key, strlen(key));
    if (m->keys[s] == NULL) {
        m->keys[s] = key;
        m->count++;
    }
    m->vals[s] = val;
    return 0;
}

int topo_strmap_getn(const struct topo_strmap *m, const char *key, size_t len)
{
    if (m->cap == 0)
        return -1;
    size_t s = slot_of(m, key, len);
    return m->keys[s] ? m->vals[s] : -1;
}

int topo_strmap_get(const struct topo_strmap *m, const char *key)
{
    return topo_strmap_getn(m, key, strlen(key));
}

void topo_strmap_free(struct topo_strmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}
