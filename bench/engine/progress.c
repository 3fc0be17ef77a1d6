/* progress.c: a single updating line on a terminal, whole lines in logs
 * (see progress.h). */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "timing.h"
#include "../../common/units.h"
#include "../../topology/topology.h"

#define PRINT_EVERY_S 0.5

/* rank 0's report listener prints waiting lines while its main thread
 * may print a stream's (one progress per process) */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

/* TIERPERF_PROGRESS_S: seconds between log lines (> 0), else -1. */
static double env_every(void)
{
    const char *v = getenv("TIERPERF_PROGRESS_S");
    double s = -1;
    if (v == NULL || units_parse_duration(v, &s, NULL) != TP_OK)
        return -1;
    return s;
}

void progress_init(struct progress *p, int enabled, uint64_t rounds_total)
{
    double every = env_every();

    p->out = NULL;
    p->lines = 0;
    p->every_s = every > 0 ? every : PROGRESS_LOG_EVERY_S;
    p->round_pairs = NULL;
    p->pairs_done = p->pairs_total = 0;
    if (enabled && every <= 0 && isatty(STDERR_FILENO))
        p->out = stderr;
    else if (enabled && every <= 0)
        p->out = fopen("/dev/tty", "w");
    if (enabled && p->out == NULL) {
        p->out = stderr;
        p->lines = 1;
    }
    p->enabled = p->out != NULL;
    p->t0 = timing_now_s();
    p->round_t0 = p->t0;
    p->last_wait = 0;
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

void progress_plan(struct progress *p, const struct topo_plan *plan)
{
    uint64_t n = 0;
    if (!p->enabled || plan == NULL)
        return;
    for (size_t t = 0; t < plan->ntiers; t++)
        n += plan->tiers[t].nrounds;
    free(p->round_pairs);
    p->round_pairs = n ? calloc(n, sizeof(*p->round_pairs)) : NULL;
    if (p->round_pairs == NULL)
        return;   /* lines without pair counts */
    n = 0;
    p->pairs_total = 0;
    for (size_t t = 0; t < plan->ntiers; t++)
        for (size_t r = 0; r < plan->tiers[t].nrounds; r++) {
            p->round_pairs[n++] = plan->tiers[t].rounds[r].npairs;
            p->pairs_total += plan->tiers[t].rounds[r].npairs;
        }
}

/* On a terminal: at most every PRINT_EVERY_S, and the last round.  In logs:
 * at most one line every every_s (a short run prints none). */
static int due(struct progress *p, int force)
{
    double now = timing_now_s();
    double since = now - (p->last_print > 0 ? p->last_print : p->t0);

    if (!p->enabled)
        return 0;
    if (p->lines ? since < p->every_s : !force && now - p->last_print < PRINT_EVERY_S)
        return 0;
    p->last_print = now;
    return 1;
}

void progress_round(struct progress *p, uint64_t bytes)
{
    char b[32], eta[32];

    char rate[32], pairs[64] = "";
    pthread_mutex_lock(&print_lock);
    p->round_t0 = timing_now_s();
    if (p->round_pairs != NULL && p->rounds_done < p->rounds_total)
        p->pairs_done += p->round_pairs[p->rounds_done];
    p->bytes += bytes;
    p->rounds_done++;
    if (!due(p, p->rounds_done == p->rounds_total)) {
        pthread_mutex_unlock(&print_lock);
        return;
    }
    double el = timing_now_s() - p->t0;
    double left = p->rounds_done ? el / (double)p->rounds_done *
                                       (double)(p->rounds_total - p->rounds_done)
                                 : -1;
    fmt_eta(left, eta, sizeof(eta));
    if (p->pairs_total > 0)
        snprintf(pairs, sizeof(pairs), ", pairs %llu/%llu", (unsigned long long)p->pairs_done,
                 (unsigned long long)p->pairs_total);
    fprintf(p->out, "%stierperf: round %llu/%llu%s, %s moved, %s, ETA %s%s",
            p->lines ? "" : "\r", (unsigned long long)p->rounds_done,
            (unsigned long long)p->rounds_total, pairs, progress_fmt_bytes(p->bytes, b, sizeof(b)),
            units_fmt_rate(el > 0 ? (double)p->bytes * 8 / el / 1e9 : 0.0, rate, sizeof(rate)),
            eta, p->lines ? "\n" : "   ");
    fflush(p->out);
    pthread_mutex_unlock(&print_lock);
}

void progress_stream(struct progress *p, uint64_t moved, uint64_t total, double rate_Bps)
{
    char b[32], t[32], eta[32], rate[32];

    pthread_mutex_lock(&print_lock);
    if (!due(p, 0)) {
        pthread_mutex_unlock(&print_lock);
        return;
    }
    fmt_eta(rate_Bps > 0 ? (double)(total - moved) / rate_Bps : -1, eta, sizeof(eta));
    fprintf(p->out, "%stierperf: %s of %s, %s, ETA %s%s", p->lines ? "" : "\r",
            progress_fmt_bytes(moved, b, sizeof(b)), progress_fmt_bytes(total, t, sizeof(t)),
            units_fmt_rate(rate_Bps * 8 / 1e9, rate, sizeof(rate)), eta, p->lines ? "\n" : "   ");
    fflush(p->out);
    pthread_mutex_unlock(&print_lock);
}

void progress_waiting(struct progress *p, void (*describe)(void *arg, char *buf, size_t len),
                      void *arg)
{
    char what[512];

    pthread_mutex_lock(&print_lock);
    double now = timing_now_s(), ran = now - p->round_t0;
    double last = p->last_print > p->last_wait ? p->last_print : p->last_wait;
    if (!p->enabled || ran < p->every_s || now - (last > 0 ? last : p->t0) < p->every_s) {
        pthread_mutex_unlock(&print_lock);
        return;
    }
    p->last_wait = now;
    describe(arg, what, sizeof(what));
    fprintf(p->out, "%stierperf: round %llu/%llu running for %.0f s, %s%s",
            p->lines ? "" : "\r", (unsigned long long)p->rounds_done + 1,
            (unsigned long long)p->rounds_total, ran, what, p->lines ? "\n" : "   ");
    fflush(p->out);
    pthread_mutex_unlock(&print_lock);
}

void progress_end(struct progress *p)
{
    pthread_mutex_lock(&print_lock);
    if (p->enabled && (p->last_print > 0 || p->last_wait > 0) && !p->lines)
        fputc('\n', p->out);
    free(p->round_pairs);
    p->round_pairs = NULL;
    p->last_print = 0;
    if (p->out != NULL && p->out != stderr)
        fclose(p->out);
    p->out = NULL;
    p->enabled = 0;
    pthread_mutex_unlock(&print_lock);
}
