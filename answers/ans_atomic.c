/* ans_atomic.c: temp file + rename, for outputs that must never be half
 * written (a report opened while it is being rewritten). */
#include "ans_atomic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

tp_status_t ans_atomic_open(struct ans_atomic *a, const char *path, struct tp_error *err)
{
    a->f = NULL;
    a->path = path;
    if (path == NULL || path[0] == '\0')
        return tp_error_set(err, TP_ERR_INVALID, "output file name is empty");
    if ((size_t)snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.XXXXXX", path) >= sizeof(a->tmp))
        return tp_error_set(err, TP_ERR_INVALID, "%.200s...: output path too long", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0)
        return tp_error_set(err, TP_ERR_IO, "%s: cannot create a temp file beside it: %s", path,
                            strerror(errno));
    a->f = fdopen(fd, "w");
    if (a->f == NULL) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        return tp_error_set(err, TP_ERR_IO, "%s: %s", path, strerror(e));
    }
    return TP_OK;
}

tp_status_t ans_atomic_commit(struct ans_atomic *a, struct tp_error *err)
{
    int failed = ferror(a->f) || fflush(a->f) != 0;
    int e = errno;

    if (!failed && fsync(fileno(a->f)) != 0 && errno != EINVAL) {
        failed = 1;
        e = errno;
    }
    if (fclose(a->f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    a->f = NULL;
    if (!failed && chmod(a->tmp, 0644) != 0) {
        failed = 1;
        e = errno;
    }
    if (!failed && rename(a->tmp, a->path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(a->tmp);
        return tp_error_set(err, TP_ERR_IO, "%s: write failed: %s", a->path, strerror(e));
    }
    return TP_OK;
}

void ans_atomic_abort(struct ans_atomic *a)
{
    if (a->f != NULL)
        fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
