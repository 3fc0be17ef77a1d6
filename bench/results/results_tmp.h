/* results_tmp.h: the temp files of the final results file's atomic write
 * (<out>.tmp.XXXXXX, results_write.c).  A rank 0 killed while saving
 * (SIGKILL: the launcher's last word after SIGTERM) leaves one; nothing
 * else reads it, and the next run with the same --out removes it. */
#ifndef TIERPERF_RESULTS_TMP_H
#define TIERPERF_RESULTS_TMP_H

/* Removes the <path>.tmp.XXXXXX files (six letters or digits, as mkstemp
 * makes them) beside path.  Call only while holding <path>.journal.jsonl
 * (created O_EXCL): a live run writing path holds its journal until its
 * temp file is renamed, so every such file is a dead run's.  Returns how
 * many were removed. */
int results_tmp_sweep(const char *path);

#endif
