/* tp_fail.c: one error record per thread while a transport op runs (see
 * tp_fail.h). */
#include "tp_fail.h"

#include <stdarg.h>
#include <stdio.h>

#include "../common/log.h"

static __thread struct tp_error *op_err;    /* the running op's record */
static __thread int op_noted;               /* op_err holds a line */

void tp_fail_begin(struct tp_error *err)
{
    op_err = err;
    op_noted = 0;
    if (err != NULL) {
        err->status = TP_OK;
        err->msg[0] = '\0';
    }
}

tp_status_t tp_fail_end(struct tp_error *err, tp_status_t st)
{
    if (err != NULL && st != TP_OK) {
        err->status = st;
        if (!op_noted)
            snprintf(err->msg, sizeof(err->msg), "%s", tp_status_string(st));
    } else if (err != NULL && op_noted) {
        tp_log_error("%s", err->msg);   /* recovered from: still said once */
        err->msg[0] = '\0';
    }
    op_err = NULL;
    op_noted = 0;
    return st;
}

void tp_fail(const char *fmt, ...)
{
    char line[sizeof(((struct tp_error *)0)->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (op_err == NULL) {
        tp_log_error("%s", line);
        return;
    }
    if (!op_noted)
        snprintf(op_err->msg, sizeof(op_err->msg), "%s", line);
    else
        tp_log_debug("(after the first error) %s", line);
    op_noted = 1;
}
