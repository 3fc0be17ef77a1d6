/* status.h: the one status type of tierperf, and an error record that
 * carries context (file, field, peer) from where an error is first found
 * to whoever prints it. OK is 0, "in progress" positive, errors negative. */
#ifndef TIERPERF_STATUS_H
#define TIERPERF_STATUS_H

#include <stddef.h>

typedef enum tp_status {
    TP_INPROGRESS       = 1,
    TP_OK               = 0,
    TP_ERR_INVALID      = -1,  /* bad argument, option or input value */
    TP_ERR_UNSUPPORTED  = -2,  /* operation not offered by this backend/build */
    TP_ERR_NO_DEVICE    = -3,  /* no NIC/GPU/interface of the requested kind */
    TP_ERR_NO_MEMORY    = -4,
    TP_ERR_IO           = -5,  /* system call or library failure */
    TP_ERR_TIMEOUT      = -6,
    TP_ERR_PEER         = -7,  /* peer closed, reset or unreachable */
    TP_ERR_VERIFY       = -8,  /* data received differs from data sent */
    TP_ERR_PARSE        = -9,  /* malformed file */
    TP_ERR_AUTH         = -10, /* handshake with wrong secret */
    TP_ERR_INTERNAL     = -11,
} tp_status_t;

const char *tp_status_string(tp_status_t status);

/* Errors are reported once.  The function that first detects an error
 * fills a struct tp_error (one line naming the file, field, option or peer)
 * and returns its status; callers pass it up, adding context at most, and
 * the top level prints it once (a command's error line, or the engine's
 * record of a failed pair).  Nobody on the way logs it again.  Only code
 * with no caller to hand the record to (a background thread, or a
 * transport op called without a record: transports/tp_fail.h) logs the
 * line itself, and then nothing else does.  msg is one line. */
struct tp_error {
    tp_status_t status;
    char msg[512];
};

/* Formats msg and returns status, so callers can `return tp_error_set(...)`.
 * err may be NULL (then nothing is recorded). */
tp_status_t tp_error_set(struct tp_error *err, tp_status_t status,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
