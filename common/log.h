/* log.h: one-line diagnostics on stderr, prefixed "tierperf[rank]: ".
 * Errors follow the rule in status.h: the function that first detects one
 * fills a struct tp_error and the top level prints it once with
 * tp_log_error; code below the top logs an error only where no caller can
 * take the record (a background thread).  Warnings, progress and debug
 * lines are logged where they arise. */
#ifndef TIERPERF_LOG_H
#define TIERPERF_LOG_H

enum tp_log_level { TP_LOG_ERROR, TP_LOG_WARN, TP_LOG_INFO, TP_LOG_DEBUG };

/* rank < 0: no rank in the prefix (single-process commands). */
void tp_log_set_rank(int rank);
void tp_log_set_level(enum tp_log_level level);
void tp_log(enum tp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define tp_log_error(...) tp_log(TP_LOG_ERROR, __VA_ARGS__)
#define tp_log_warn(...)  tp_log(TP_LOG_WARN, __VA_ARGS__)
#define tp_log_info(...)  tp_log(TP_LOG_INFO, __VA_ARGS__)
#define tp_log_debug(...) tp_log(TP_LOG_DEBUG, __VA_ARGS__)

#endif
