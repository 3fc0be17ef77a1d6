/* tp_deadline.h: how long the transport call in progress may last.
 *
 * Transports fail a wait that sees no progress for --timeout.  That alone
 * does not end a pair whose link still trickles (a link throttled to a few
 * kbit/s moves a byte now and then), so the engine also sets, around each
 * unit of work it asks for (a warm-up chunk, a timed batch, a set of round
 * trips), the time by which that unit must be done: what it should take at
 * the rate measured so far, with room to spare, plus --timeout.  Transports
 * check tp_deadline_passed() in their wait loops and fail the call with
 * TP_ERR_TIMEOUT once it is true (a blocking socket call may overrun it by
 * at most one --timeout).
 *
 * The engine may also watch for the peer giving up on the pair (it failed
 * on its side and said so): tp_deadline_passed() is then true as soon as
 * the watch sees it, so a rank that was frozen or slow does not wait a
 * fresh --timeout for a peer that is gone.
 *
 * The deadline and the watch are per thread (shapes drive endpoints from
 * several threads); 0 means no deadline, NULL no watch. */
#ifndef TIERPERF_TP_DEADLINE_H
#define TIERPERF_TP_DEADLINE_H

/* CLOCK_MONOTONIC seconds */
double tp_deadline_now(void);
/* at_s: absolute (tp_deadline_now() clock); 0: none */
void tp_deadline_set(double at_s);
/* This thread's deadline (0: none), e.g. to hand to helper threads (the
 * watch stays with the thread that set it). */
double tp_deadline_get(void);
/* The deadline has passed, or the watch saw the peer give up. */
int tp_deadline_passed(void);
/* gone(arg): non-zero once the peer has given up; called at most every
 * 10 ms by the waits of this thread.  NULL ends the watch. */
typedef int (*tp_deadline_gone_fn)(void *arg);
void tp_deadline_watch(tp_deadline_gone_fn gone, void *arg);
/* The watch saw the peer give up (sticky until the next watch). */
int tp_deadline_peer_gone(void);
/* Seconds a wait may still block: limit_s clipped to the deadline
 * (limit_s <= 0: none; the result is then < 0 when there is no deadline
 * either, and 0 once it has passed). */
double tp_deadline_clip(double limit_s);

#endif
