/* log.c: stderr diagnostics; the rank and level are private to this file. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static int log_rank = -1;
static enum tp_log_level log_level = TP_LOG_INFO;

void tp_log_set_rank(int rank) { log_rank = rank; }
void tp_log_set_level(enum tp_log_level level) { log_level = level; }

void tp_log(enum tp_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char line[1024];
    va_list ap;

    if (level > log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* one fprintf per line so lines from ranks do not interleave mid-line */
    if (log_rank >= 0)
        fprintf(stderr, "tierperf[%d]: %s: %s\n", log_rank, names[level], line);
    else
        fprintf(stderr, "tierperf: %s: %s\n", names[level], line);
}
