/* mem_host_huge.c: --hugepages for host memory (rings, staging): 2 MiB
 * pages from the hugetlb pool (MAP_HUGETLB) when the system has them
 * reserved (vm.nr_hugepages), else a 2 MiB-aligned mapping advised to
 * transparent huge pages (MADV_HUGEPAGE), else plain pages; what the last
 * allocation got is kept for the results (tp_mem_host_pages). */
#define _GNU_SOURCE
#include "memory.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_2M (2u << 20)

static int huge_on;
static const char *huge_got = "4 KiB pages";

void tp_mem_host_set_hugepages(int on)
{
    huge_on = on;
    huge_got = on ? "huge pages asked for, none allocated yet" : "4 KiB pages";
}

int tp_mem_host_hugepages(void)
{
    return huge_on;
}

const char *tp_mem_host_pages(void)
{
    return huge_got;
}

static size_t huge_len(size_t len)
{
    return (len + HUGE_2M - 1) / HUGE_2M * HUGE_2M;
}

/* A 2 MiB-aligned anonymous mapping of n bytes (n a multiple of 2 MiB). */
static void *map_aligned(size_t n)
{
    char *p = mmap(NULL, n + HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    uintptr_t a;
    size_t head;

    if (p == MAP_FAILED)
        return NULL;
    a = ((uintptr_t)p + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
    head = (size_t)(a - (uintptr_t)p);
    if (head > 0)
        munmap(p, head);
    if (HUGE_2M - head > 0)
        munmap((char *)a + n, HUGE_2M - head);
    return (void *)a;
}

tp_status_t tp_mem_host_huge_alloc(size_t len, void **buf_p)
{
    size_t n = huge_len(len ? len : 1);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

    if (p != MAP_FAILED) {
        huge_got = "2 MiB huge pages (MAP_HUGETLB)";
    } else {
        p = map_aligned(n);
        if (p == NULL)
            return TP_ERR_NO_MEMORY;
        huge_got = madvise(p, n, MADV_HUGEPAGE) == 0
                 ? "transparent huge pages (MADV_HUGEPAGE; no hugetlb pages reserved)"
                 : "4 KiB pages (no hugetlb pages reserved, THP refused)";
    }
    memset(p, 0, len);      /* fault the pages in before timing */
    *buf_p = p;
    return TP_OK;
}

void tp_mem_host_huge_free(void *buf, size_t len)
{
    if (buf != NULL)
        munmap(buf, huge_len(len ? len : 1));
}
