/* topo_hash.h: a string -> int map (open addressing, FNV-1a) so that
 * HyperNode and node look-ups stay O(1) on 10k+ node trees.  Keys are
 * borrowed: the caller keeps them alive as long as the map. */
#ifndef TIERPERF_TOPO_HASH_H
#define TIERPERF_TOPO_HASH_H

#include <stddef.h>
#include <stdint.h>

struct topo_strmap {
    const char **keys;
    int *vals;
    size_t cap;     /* power of two, 0 when empty */
    size_t count;
};

uint64_t topo_hash_bytes(const char *s, size_t len);
/* 0 on success, -1 out of memory.  Replaces an existing key's value. */
int topo_strmap_put(struct topo_strmap *m, const char *key, int val);
/* value or -1 when absent */
int topo_strmap_get(const struct topo_strmap *m, const char *key);
int topo_strmap_getn(const struct topo_strmap *m, const char *key, size_t len);
void topo_strmap_free(struct topo_strmap *m);

#endif
