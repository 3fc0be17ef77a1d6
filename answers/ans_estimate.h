/* ans_estimate.h: the bandwidth a model download needs, and how long it
 * takes at a measured bandwidth.  Bytes in, bits out: 10 GB x 10 copies in
 * 60 s is 1.67 GB/s = 13.3 Gbit/s (not "1.6 Gbps"). */
#ifndef TIERPERF_ANS_ESTIMATE_H
#define TIERPERF_ANS_ESTIMATE_H

/* Gbit/s to move `concurrency` copies of `bytes` in `seconds`, plus
 * headroom_pct percent (30 -> x1.3). */
double ans_need_gbit(double bytes, double concurrency, double seconds, double headroom_pct);
/* Seconds to move `concurrency` copies of `bytes` through gbit Gbit/s. */
double ans_transfer_seconds(double bytes, double concurrency, double gbit);

#endif
