/* corrupt_recv.c: an LD_PRELOAD shim for tests/e2e/test_verify_once.sh.
 * recv() as usual, then, in the process whose OMPI_COMM_WORLD_RANK is
 * TP_CORRUPT_RANK, one byte of every read of at least TP_CORRUPT_MIN
 * bytes (default 16384) flipped (xor 0x40): the data a real tierperf run
 * receives over TCP then fails --verify, while the small control messages
 * pass untouched.  Everything else calls through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef ssize_t (*recv_fn)(int, void *, size_t, int);

static long threshold(void)
{
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    const char *want = getenv("TP_CORRUPT_RANK");
    const char *min = getenv("TP_CORRUPT_MIN");

    if (rank == NULL || want == NULL || strcmp(rank, want) != 0)
        return LONG_MAX;
    return min != NULL ? atol(min) : 16384;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    static recv_fn real;
    static long min = -1;

    if (real == NULL)
        real = (recv_fn)dlsym(RTLD_NEXT, "recv");
    if (min < 0)
        min = threshold();
    ssize_t n = real(fd, buf, len, flags);
    if (n >= min && !(flags & MSG_PEEK))
        ((unsigned char *)buf)[n / 2] ^= 0x40;
    return n;
}
