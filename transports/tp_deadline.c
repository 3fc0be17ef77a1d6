/* tp_deadline.c: the per-thread deadline of the transport call in
 * progress (see tp_deadline.h). */
#include "tp_deadline.h"

#include <time.h>

static _Thread_local double deadline_at;
static _Thread_local struct {
    tp_deadline_gone_fn gone;
    void *arg;
    double next;        /* next look, tp_deadline_now() clock */
    int seen;
} watch;

#define WATCH_EVERY_S 0.01

double tp_deadline_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void tp_deadline_set(double at_s)
{
    deadline_at = at_s;
}

void tp_deadline_watch(tp_deadline_gone_fn gone, void *arg)
{
    watch.gone = gone;
    watch.arg = arg;
    watch.next = 0;
    watch.seen = 0;
}

int tp_deadline_peer_gone(void)
{
    if (watch.seen || watch.gone == NULL)
        return watch.seen;
    double now = tp_deadline_now();
    if (now < watch.next)
        return 0;
    watch.next = now + WATCH_EVERY_S;
    watch.seen = watch.gone(watch.arg) != 0;
    return watch.seen;
}

double tp_deadline_get(void)
{
    return deadline_at;
}

int tp_deadline_passed(void)
{
    return (deadline_at > 0 && tp_deadline_now() >= deadline_at) || tp_deadline_peer_gone();
}

double tp_deadline_clip(double limit_s)
{
    if (tp_deadline_peer_gone())
        return 0;
    if (deadline_at <= 0)
        return limit_s;
    double left = deadline_at - tp_deadline_now();
    if (left < 0)
        left = 0;
    return limit_s > 0 && limit_s < left ? limit_s : left;
}
