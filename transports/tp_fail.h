/* tp_fail.h: how a transport reports an error once.  Every op that can
 * fail takes a struct tp_error * (transport.h).  Deep inside an op, the
 * function that first detects an error calls tp_fail() with one line
 * naming the peer, device or option; the op's entry (tp_fail_begin) and
 * exit (tp_fail_end) route that line into the caller's record, which the
 * top level prints once.  Outside an op (the TCP acceptor thread), or when
 * the caller passed no record, tp_fail() logs the line itself. */
#ifndef TIERPERF_TP_FAIL_H
#define TIERPERF_TP_FAIL_H

#include "../common/status.h"

/* Record the first tp_fail() of this thread into err (may be NULL). */
void tp_fail_begin(struct tp_error *err);
/* End of the op: with st != TP_OK, err holds the first line recorded (or
 * the status's text when none was) and st; returns st. */
tp_status_t tp_fail_end(struct tp_error *err, tp_status_t st);
/* One line about an error, where it is first detected. */
void tp_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
