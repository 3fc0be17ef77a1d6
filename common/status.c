/* status.c: status strings and the error record. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

const char *tp_status_string(tp_status_t status)
{
    switch (status) {
    case TP_INPROGRESS:      return "in progress";
    case TP_OK:              return "ok";
    case TP_ERR_INVALID:     return "invalid argument";
    case TP_ERR_UNSUPPORTED: return "not supported";
    case TP_ERR_NO_DEVICE:   return "no such device";
    case TP_ERR_NO_MEMORY:   return "out of memory";
    case TP_ERR_IO:          return "I/O error";
    case TP_ERR_TIMEOUT:     return "timed out";
    case TP_ERR_PEER:        return "peer failure";
    case TP_ERR_VERIFY:      return "data verification failed";
    case TP_ERR_PARSE:       return "parse error";
    case TP_ERR_AUTH:        return "authentication failed";
    case TP_ERR_INTERNAL:    return "internal error";
    }
    return "unknown status";
}

tp_status_t tp_error_set(struct tp_error *err, tp_status_t status,
                         const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}
