/* shape.h: concurrent transfers over several endpoints of one transport,
 * the building blocks of the AI-serving traffic shapes (fanout, chain,
 * kv, alltoall, congestion).  Each peer is driven from its own thread, so
 * the transport must allow concurrent calls on distinct endpoints (caps
 * TP_CAP_THREAD_EPS); none of these functions talks to MPI. */
#ifndef TIERPERF_SHAPE_H
#define TIERPERF_SHAPE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../../transports/transport.h"

/* One peer of a concurrent operation: its endpoint and transfers in, its
 * outcome out.  The operation runs `repeat` times (0 counts as 1), each
 * repetition's offsets continuing the last (offset0 += bytes) so verify
 * patterns run on; times_ns, if set, gets each repetition's duration.
 * seconds runs from the common start to this peer's end; err holds the
 * transport's line when status is not OK (the caller reports it once). */
struct shape_peer {
    void *ep;
    struct tp_xfer tx;          /* what this rank sends to the peer */
    struct tp_xfer rx;          /* what it receives from the peer */
    uint64_t repeat;
    uint64_t *times_ns;
    tp_status_t status;
    struct tp_error err;
    double seconds;
};

enum shape_dir { SHAPE_SEND, SHAPE_RECV, SHAPE_BIDIR };

/* Runs dir with every peer at once (one thread each) and returns the first
 * failure (every peer's own status is in peers[i].status).  *seconds_p:
 * from the common start until the last peer finished. */
tp_status_t shape_run_concurrent(const struct tp_transport_ops *ops,
                                 struct shape_peer *peers, size_t n,
                                 enum shape_dir dir, double *seconds_p);

/* Chain relay (pipelined broadcast): receive x->bytes from prev_ep and
 * forward every chunk of `chunk` bytes to next_ep as soon as it arrived,
 * receiving the next chunk meanwhile (two threads over a ring of slots in
 * x->buf).  prev_ep NULL: the head (fills and sends); next_ep NULL: the
 * tail (receives and checks).  *seconds_p: start to last byte handled.
 * On failure err holds the first failing side's line ("receive: ..." or
 * "forward: ..."). */
tp_status_t shape_relay(const struct tp_transport_ops *ops, void *prev_ep,
                        void *next_ep, const struct tp_xfer *x, size_t chunk,
                        double *seconds_p, struct tp_error *err);

/* Background load (congestion): a thread that keeps one flow busy until
 * shape_background_stop.  The sender decides when to stop and tells the
 * receiver in-band (an 8-byte go/stop message before every burst), so
 * neither side needs the control plane from the thread. */
struct shape_background;
tp_status_t shape_background_start(const struct tp_transport_ops *ops, void *ep,
                                   const struct tp_xfer *burst, int sender,
                                   struct shape_background **bg_p);
/* Sender: asks the thread to stop after the current burst.  Both sides:
 * joins the thread; returns its status (err: the transport's line) and
 * the bytes it moved in *bytes_p and its busy time in *seconds_p (either
 * may be NULL). */
tp_status_t shape_background_stop(struct shape_background *bg, uint64_t *bytes_p,
                                  double *seconds_p, struct tp_error *err);

#endif
