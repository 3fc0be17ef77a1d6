/* progress.c: a single updating line on a terminal (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "timing.h"

#define PRINT_EVERY_S 0.5

void progress_init(struct progress *p, int enabled, uint64_t rounds_total)
{
    p->out = NULL;
    if (enabled && isatty(STDERR_FILENO))
        p->out = stderr;
    else if (enabled)
        p->out = fopen("/dev/tty", "w");
    p->enabled = p->out != NULL;
    p->t0 = timing_now_s();
    p->last_print = 0;
    p->bytes = 0;
    p->rounds_done = 0;
    p->rounds_total = rounds_total;
}

const char *progress_fmt_bytes(uint64_t bytes, char *buf, unsigned len)
{
    static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = (double)bytes;
    int u = 0;

    while (v >= 1000 && u < 5) {
        v /= 1000;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
    return buf;
}

static void fmt_eta(double s, char *buf, unsigned len)
{
    if (s < 0 || s > 1e7)
        snprintf(buf, len, "?");
    else if (s >= 3600)
        snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static int due(struct progress *p, int force)
{
    double now = timing_now_s();

    if (!p->enabled || (!force && now - p->last_print < PRINT_EVERY_S))
        return 0;
    p->last_print = now;
    return 1;
}

void progress_round(struct progress *p, uint64_t bytes)
{
    char b[32], eta[32];

    p->bytes += bytes;
    p->rounds_done++;
    if (!due(p, p->rounds_done == p->rounds_total))
        return;
    double el = timing_now_s() - p->t0;
    double left = p->rounds_done ? el / (double)p->rounds_done *
                                       (double)(p->rounds_total - p->rounds_done)
                                 : -1;
    fmt_eta(left, eta, sizeof(eta));
    fprintf(p->out, "\rtierperf: round %llu/%llu, %s moved, %.2f Gbit/s, ETA %s   ",
            (unsigned long long)p->rounds_done, (unsigned long long)p->rounds_total,
            progress_fmt_bytes(p->bytes, b, sizeof(b)),
            el > 0 ? (double)p->bytes * 8 / el / 1e9 : 0.0, eta);
    fflush(p->out);
}

void progress_stream(struct progress *p, uint64_t moved, uint64_t total, double rate_Bps)
{
    char b[32], t[32], eta[32];

    if (!due(p, 0))
        return;
    fmt_eta(rate_Bps > 0 ? (double)(total - moved) / rate_Bps : -1, eta, sizeof(eta));
    fprintf(p->out, "\rtierperf: %s of %s, %.2f Gbit/s, ETA %s   ",
            progress_fmt_bytes(moved, b, sizeof(b)), progress_fmt_bytes(total, t, sizeof(t)),
            rate_Bps * 8 / 1e9, eta);
    fflush(p->out);
}

void progress_end(struct progress *p)
{
    if (p->enabled && p->last_print > 0)
        fputc('\n', p->out);
    p->last_print = 0;
    if (p->out != NULL && p->out != stderr)
        fclose(p->out);
    p->out = NULL;
    p->enabled = 0;
}
