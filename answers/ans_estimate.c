/* ans_estimate.c: model-download arithmetic (bytes x copies / time, in bits). */
#include "ans_estimate.h"

#include <math.h>

double ans_need_gbit(double bytes, double concurrency, double seconds, double headroom_pct)
{
    if (seconds <= 0)
        return NAN;
    return bytes * concurrency * 8.0 / seconds / 1e9 * (1 + headroom_pct / 100);
}

double ans_transfer_seconds(double bytes, double concurrency, double gbit)
{
    if (!(gbit > 0))
        return INFINITY;
    return bytes * concurrency * 8.0 / (gbit * 1e9);
}
