/* tp_deadline.c: the per-thread deadline of the transport call in
 * progress (see tp_deadline.h). */
#include "tp_deadline.h"

#include <time.h>

static _Thread_local double deadline_at;

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

int tp_deadline_passed(void)
{
    return (deadline_at > 0 && tp_deadline_now() >= deadline_at);
}

double tp_deadline_clip(double limit_s)
{
    if (deadline_at <= 0)
        return limit_s;
    double left = deadline_at - tp_deadline_now();
    if (left < 0)
        left = 0;
    return limit_s > 0 && limit_s < left ? limit_s : left;
}
