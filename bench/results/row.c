/* row.c: the result row's small helpers (see row.h). */
#include "row.h"

#include <stdio.h>
#include <string.h>

void row_init(struct result_row *row, int src, int dst, int kind, uint64_t size)
{
    memset(row, 0, sizeof(*row));
    row->src = src;
    row->dst = dst;
    row->kind = kind;
    row->size_bytes = size;
    row->has_bw = 1;
}

void row_fail(struct result_row *row, tp_status_t st, const char *what, const char *msg)
{
    size_t len = sizeof(row->error);

    row->status = st;
    if (snprintf(row->error, len, "%s: %s", what, msg && msg[0] ? msg : tp_status_string(st)) >=
        (int)len)
        memcpy(row->error + len - 4, "...", 4);     /* one line; the end matters less */
}

const char *row_verify_word(int32_t verify)
{
    return verify == ROW_VERIFY_FAILED ? "failed" : verify == ROW_VERIFY_OK ? "ok" : "off";
}
