/* results_write.c: the run's journal (appended and synced per measurement)
 * and the final results file (written atomically at the end). */
#define _GNU_SOURCE 1   /* asprintf */
#include "results_write.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../common/log.h"
#include "tierperf_version.h"
#include "results_tmp.h"

#define RESULTS_MODE 0644
#define RESULTS_DEFAULT_DIR "results"

struct results_writer {
    char *path;          /* final file */
    char *journal_path;  /* <path>.journal.jsonl */
    int journal_fd;
    off_t journal_len;   /* bytes of whole lines: a failed append is cut back to it */
    size_t lines_lost;   /* entries that could not be journalled (kept in memory) */
    cJSON *header;
    cJSON *results;
    cJSON *errors;
    int finished;
};

static void utc_now(char *buf, size_t len, const char *fmt)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, fmt, &tm);
}

static tp_status_t write_all(int fd, const char *buf, size_t len, const char *path,
                             struct tp_error *err)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return tp_error_set(err, TP_ERR_IO, "%s: write: %s", path,
                                n < 0 ? strerror(errno) : "no progress");
        buf += n;
        len -= (size_t)n;
    }
    return TP_OK;
}

/* Undo a failed append: cut the journal back to its last whole line, so
 * that a later line never follows a torn one. */
static void journal_cut_back(struct results_writer *w)
{
    if (ftruncate(w->journal_fd, w->journal_len) != 0)
        tp_log_warn("%s: cannot cut back a failed append: %s", w->journal_path, strerror(errno));
    (void)lseek(w->journal_fd, w->journal_len, SEEK_SET);
}

/* One JSON object as one line, synced before returning, all or nothing:
 * after a kill or a full disk the journal holds whole lines only (a kill
 * in the middle of write() can still tear the last one). */
static tp_status_t journal_line(struct results_writer *w, const cJSON *obj,
                                struct tp_error *err)
{
    char *text = cJSON_PrintUnformatted(obj);
    if (text == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", w->journal_path);
    size_t len = strlen(text);
    text[len] = '\n';   /* overwrites the terminator; length known */
    tp_status_t st = write_all(w->journal_fd, text, len + 1, w->journal_path, err);
    free(text);
    if (st == TP_OK && fdatasync(w->journal_fd) != 0 && errno != EINVAL)
        st = tp_error_set(err, TP_ERR_IO, "%s: fdatasync: %s", w->journal_path, strerror(errno));
    if (st != TP_OK)
        journal_cut_back(w);
    else
        w->journal_len += (off_t)(len + 1);
    return st;
}

/* A measurement's journal line: on failure it stays in memory (the final
 * file still gets it); the first failure is the error, later ones are only
 * counted (a full disk would otherwise log every measurement). */
static tp_status_t journal_entry(struct results_writer *w, const cJSON *obj,
                                 struct tp_error *err)
{
    struct tp_error mine = {0};
    tp_status_t st = journal_line(w, obj, &mine);

    if (st == TP_OK)
        return TP_OK;
    if (w->lines_lost++ > 0)
        return TP_OK;
    return tp_error_set(err, st, "%s; the journal keeps its whole lines, this and later "
                        "measurements stay in memory for the final file", mine.msg);
}

/* results/tierperf-<UTC>-<pattern>.json; "-2", "-3"... when a run started
 * in the same second left that name (or its journal) behind. */
static char *default_path(const cJSON *header, struct tp_error *err)
{
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(header, "pattern");
    const char *pat = cJSON_IsString(pattern) ? pattern->valuestring : "run";
    char stamp[32];

    if (mkdir(RESULTS_DEFAULT_DIR, 0755) != 0 && errno != EEXIST) {
        tp_error_set(err, TP_ERR_IO, "%s/: cannot create: %s", RESULTS_DEFAULT_DIR, strerror(errno));
        return NULL;
    }
    for (const char *c = pat; *c; c++)   /* the pattern becomes part of a file name */
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')) {
            pat = "run";
            break;
        }
    utc_now(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ");
    for (int n = 1; n < 100; n++) {
        char *path = NULL, *journal = NULL;
        int made = n == 1 ? asprintf(&path, RESULTS_DEFAULT_DIR "/tierperf-%s-%s.json", stamp, pat)
                          : asprintf(&path, RESULTS_DEFAULT_DIR "/tierperf-%s-%s-%d.json", stamp,
                                     pat, n);
        if (made < 0 || asprintf(&journal, "%s.journal.jsonl", path) < 0) {
            free(made < 0 ? NULL : path);
            break;
        }
        int taken = access(path, F_OK) == 0 || access(journal, F_OK) == 0;
        free(journal);
        if (!taken)
            return path;
        free(path);
    }
    tp_error_set(err, TP_ERR_IO, "%s/tierperf-%s-%s.json: no free name", RESULTS_DEFAULT_DIR, stamp, pat);
    return NULL;
}

static void header_defaults(cJSON *header)
{
    if (cJSON_GetObjectItemCaseSensitive(header, "schema_version") == NULL)
        cJSON_AddNumberToObject(header, "schema_version", 1);
    if (cJSON_GetObjectItemCaseSensitive(header, "tool") == NULL)
        cJSON_AddStringToObject(header, "tool", "tierperf");
    if (cJSON_GetObjectItemCaseSensitive(header, "version") == NULL)
        cJSON_AddStringToObject(header, "version", TIERPERF_VERSION);
    if (cJSON_GetObjectItemCaseSensitive(header, "start_time") == NULL) {
        char now[32];
        utc_now(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ");
        cJSON_AddStringToObject(header, "start_time", now);
    }
}

tp_status_t results_open(const char *out_path, cJSON *header,
                         struct results_writer **w_p, struct tp_error *err)
{
    struct results_writer *w = calloc(1, sizeof(*w));
    tp_status_t st;

    if (w == NULL) {
        cJSON_Delete(header);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "results writer: out of memory");
    }
    w->journal_fd = -1;
    w->header = header != NULL ? header : cJSON_CreateObject();
    w->results = cJSON_CreateArray();
    w->errors = cJSON_CreateArray();
    if (!cJSON_IsObject(w->header) || w->results == NULL || w->errors == NULL) {
        st = tp_error_set(err, TP_ERR_INVALID, "results header: not a JSON object");
        goto err_free;
    }
    header_defaults(w->header);
    w->path = out_path != NULL ? strdup(out_path) : default_path(w->header, err);
    if (w->path == NULL) {
        st = out_path != NULL ? tp_error_set(err, TP_ERR_NO_MEMORY, "results path: out of memory")
                              : (err != NULL ? err->status : TP_ERR_IO);
        goto err_free;
    }
    if (asprintf(&w->journal_path, "%s.journal.jsonl", w->path) < 0) {
        w->journal_path = NULL;
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "results path: out of memory");
        goto err_free;
    }
    /* O_EXCL: an old journal is a killed run's measurements; never lose them. */
    w->journal_fd = open(w->journal_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                         RESULTS_MODE);
    if (w->journal_fd < 0) {
        st = errno == EEXIST
                 ? tp_error_set(err, TP_ERR_IO, "%s: exists (partial results of an earlier run; "
                                "read it with `tierperf report`, then move it away)", w->journal_path)
                 : tp_error_set(err, TP_ERR_IO, "%s: cannot create: %s", w->journal_path,
                                strerror(errno));
        goto err_free;
    }
    if (fchmod(w->journal_fd, RESULTS_MODE) != 0) {
        st = tp_error_set(err, TP_ERR_IO, "%s: chmod: %s", w->journal_path, strerror(errno));
        goto err_unlink;
    }
    cJSON *line = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(line, "run_header", w->header);
    st = journal_line(w, line, err);
    cJSON_Delete(line);   /* a reference: the header stays */
    if (st != TP_OK)
        goto err_unlink;
    results_tmp_sweep(w->path);   /* the journal is ours: any temp file is a dead run's */
    *w_p = w;
    return TP_OK;

err_unlink:
    unlink(w->journal_path);
err_free:
    w->finished = 1;
    results_close(w);
    return st;
}

const char *results_path(const struct results_writer *w)
{
    return w->path;
}

static int nic_known(const struct results_nic *n)
{
    return n != NULL && n->device != NULL && n->device[0] != '\0';
}

static void add_nic(cJSON *o, const char *key, const struct results_nic *n)
{
    if (!nic_known(n)) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    cJSON *x = cJSON_AddObjectToObject(o, key);
    cJSON_AddStringToObject(x, "device", n->device);
    if (n->port > 0)
        cJSON_AddNumberToObject(x, "port", n->port);
    else
        cJSON_AddNullToObject(x, "port");
    if (n->ifname != NULL && n->ifname[0] != '\0')
        cJSON_AddStringToObject(x, "interface", n->ifname);
    else
        cJSON_AddNullToObject(x, "interface");
    if (n->nrails > 0) {
        cJSON_AddNumberToObject(x, "rail", n->rail);
        cJSON_AddNumberToObject(x, "rails", n->nrails);
    } else {
        cJSON_AddNullToObject(x, "rail");
        cJSON_AddNullToObject(x, "rails");
    }
}

/* src_nic, dst_nic and rail_pair ("same"/"cross" rail; null without
 * rails on both ends). */
static void add_nics(cJSON *o, const struct results_nic *src, const struct results_nic *dst)
{
    add_nic(o, "src_nic", src);
    add_nic(o, "dst_nic", dst);
    if (nic_known(src) && nic_known(dst) && src->nrails > 0 && dst->nrails > 0)
        cJSON_AddStringToObject(o, "rail_pair", src->rail == dst->rail ? "same" : "cross");
    else
        cJSON_AddNullToObject(o, "rail_pair");
}

static void add_string_or_null(cJSON *obj, const char *key, const char *value)
{
    if (value != NULL)
        cJSON_AddStringToObject(obj, key, value);
    else
        cJSON_AddNullToObject(obj, key);
}

cJSON *results_entry_json(const struct results_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    int have_bw = e->seconds > 0;
    double bw_gbit = have_bw ? (double)e->bytes_total * 8.0 / e->seconds / 1e9 : 0;

    add_string_or_null(o, "pattern", e->pattern);
    cJSON_AddNumberToObject(o, "src_rank", e->src_rank);
    cJSON_AddNumberToObject(o, "dst_rank", e->dst_rank);
    add_string_or_null(o, "src_node", e->src_node);
    add_string_or_null(o, "dst_node", e->dst_node);
    if (e->tier >= 0)
        cJSON_AddNumberToObject(o, "tier", e->tier);
    else
        cJSON_AddNullToObject(o, "tier");
    add_string_or_null(o, "hypernode", e->hypernode);
    if (e->has_round && e->round >= 0)
        cJSON_AddNumberToObject(o, "round", e->round);
    else
        cJSON_AddNullToObject(o, "round");
    if (e->has_round && e->round_shared >= 0)
        cJSON_AddNumberToObject(o, "round_shared", e->round_shared);
    else
        cJSON_AddNullToObject(o, "round_shared");
    cJSON_AddNumberToObject(o, "size_bytes", (double)e->size_bytes);
    cJSON_AddNumberToObject(o, "iters", (double)e->iters);
    cJSON_AddNumberToObject(o, "bytes_total", (double)e->bytes_total);
    cJSON_AddNumberToObject(o, "seconds", e->seconds);
    if (have_bw) {
        cJSON_AddNumberToObject(o, "bw_gbit_s", bw_gbit);
        cJSON_AddNumberToObject(o, "bw_gbyte_s", (double)e->bytes_total / e->seconds / 1e9);
    } else {
        cJSON_AddNullToObject(o, "bw_gbit_s");
        cJSON_AddNullToObject(o, "bw_gbyte_s");
    }
    if (e->lat != NULL) {
        cJSON *lat = cJSON_AddObjectToObject(o, "lat_us");
        cJSON_AddNumberToObject(lat, "min", e->lat->min);
        cJSON_AddNumberToObject(lat, "mean", e->lat->mean);
        cJSON_AddNumberToObject(lat, "p50", e->lat->p50);
        cJSON_AddNumberToObject(lat, "p90", e->lat->p90);
        cJSON_AddNumberToObject(lat, "p99", e->lat->p99);
        cJSON_AddNumberToObject(lat, "p999", e->lat->p999);
        cJSON_AddNumberToObject(lat, "max", e->lat->max);
        cJSON_AddNumberToObject(lat, "samples", (double)e->lat->samples);
    } else {
        cJSON_AddNullToObject(o, "lat_us");
    }
    if (e->line_rate_gbit > 0) {
        cJSON_AddNumberToObject(o, "line_rate_gbit", e->line_rate_gbit);
        if (have_bw)
            cJSON_AddNumberToObject(o, "bw_pct_line", bw_gbit / e->line_rate_gbit * 100.0);
        else
            cJSON_AddNullToObject(o, "bw_pct_line");
    } else {
        cJSON_AddNullToObject(o, "line_rate_gbit");
        cJSON_AddNullToObject(o, "bw_pct_line");
    }
    cJSON_AddStringToObject(o, "verify", e->verify != NULL ? e->verify : "off");
    add_string_or_null(o, "error", e->error);
    add_nics(o, &e->src_nic, &e->dst_nic);
    cJSON_AddItemToObject(o, "extra", e->extra != NULL ? e->extra : cJSON_CreateObject());
    return o;
}

tp_status_t results_append(struct results_writer *w, const struct results_entry *e,
                           struct tp_error *err)
{
    cJSON *entry = results_entry_json(e);
    if (entry == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", w->journal_path);
    /* kept in memory even if the journal write fails: finish may still succeed */
    cJSON_AddItemToArray(w->results, entry);
    return journal_entry(w, entry, err);
}

tp_status_t results_add_error(struct results_writer *w, int src_rank, int dst_rank,
                              const char *src_node, const char *dst_node,
                              tp_status_t status, const char *message,
                              struct tp_error *err)
{
    cJSON *e = cJSON_CreateObject();
    if (e == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", w->journal_path);
    cJSON_AddNumberToObject(e, "src_rank", src_rank);
    cJSON_AddNumberToObject(e, "dst_rank", dst_rank);
    add_string_or_null(e, "src_node", src_node);
    add_string_or_null(e, "dst_node", dst_node);
    cJSON_AddStringToObject(e, "status", tp_status_string(status));
    add_string_or_null(e, "message", message);
    cJSON_AddItemToArray(w->errors, e);

    cJSON *line = cJSON_CreateObject();
    cJSON_AddItemReferenceToObject(line, "run_error", e);
    tp_status_t st = journal_entry(w, line, err);
    cJSON_Delete(line);
    return st;
}

/* Write text to path atomically: temp file beside it, fsync, rename,
 * fsync the folder.  The temp file is removed on any failure. */
static tp_status_t write_atomic(const char *path, const char *text, struct tp_error *err)
{
    char *tmp = NULL, *dir_copy = strdup(path);
    tp_status_t st = TP_OK;
    int fd = -1;

    if (dir_copy == NULL || asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
        free(dir_copy);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        st = tp_error_set(err, TP_ERR_IO, "%s: cannot create temp file: %s", path, strerror(errno));
        goto out;
    }
    if (fchmod(fd, RESULTS_MODE) != 0) {
        st = tp_error_set(err, TP_ERR_IO, "%s: chmod: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    if ((st = write_all(fd, text, strlen(text), tmp, err)) != TP_OK)
        goto out_unlink;
    if (fsync(fd) != 0) {
        st = tp_error_set(err, TP_ERR_IO, "%s: fsync: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    if (close(fd) != 0) {
        fd = -1;
        st = tp_error_set(err, TP_ERR_IO, "%s: close: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        st = tp_error_set(err, TP_ERR_IO, "%s: rename: %s", path, strerror(errno));
        goto out_unlink;
    }
    int dir_fd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {   /* best effort: the rename itself is durable on most file systems */
        (void)fsync(dir_fd);
        close(dir_fd);
    }
    goto out;

out_unlink:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
out:
    free(tmp);
    free(dir_copy);
    return st;
}

/* The run as the final file holds it; results[] and errors[] are
 * references to the writer's arrays (deleting the object leaves them). */
cJSON *results_snapshot(const struct results_writer *w, int complete,
                        results_tier_name_fn tier_name, void *arg)
{
    char now[32];
    cJSON *run = cJSON_Duplicate(w->header, 1);
    if (run == NULL)
        return NULL;

    utc_now(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ");
    cJSON_DeleteItemFromObjectCaseSensitive(run, "end_time");
    cJSON_DeleteItemFromObjectCaseSensitive(run, "complete");
    cJSON_AddStringToObject(run, "end_time", now);
    cJSON_AddBoolToObject(run, "complete", complete);
    cJSON_AddItemReferenceToObject(run, "results", w->results);
    cJSON *summary = results_tier_summary(w->results, tier_name, arg);
    cJSON_AddItemToObject(run, "tier_summary", summary != NULL ? summary : cJSON_CreateArray());
    cJSON_AddItemReferenceToObject(run, "errors", w->errors);
    return run;
}

/* Where the measurements are when the final file could not be written. */
static tp_status_t finish_failed(const struct results_writer *w, const struct tp_error *why,
                                 struct tp_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(w->results) + (size_t)cJSON_GetArraySize(w->errors);

    if (w->lines_lost == 0)
        return tp_error_set(err, why->status, "%s: not written (%s); all %zu measurement(s) are "
                            "in %s (read it with `tierperf report`)", w->path, why->msg, n,
                            w->journal_path);
    return tp_error_set(err, why->status, "%s: not written (%s); %s holds %zu of the %zu "
                        "measurement(s) (read it with `tierperf report`), the other %zu could "
                        "not be saved", w->path, why->msg, w->journal_path, n - w->lines_lost, n,
                        w->lines_lost);
}

tp_status_t results_finish(struct results_writer *w, int complete,
                           results_tier_name_fn tier_name, void *arg,
                           struct tp_error *err)
{
    struct tp_error why = {0};
    cJSON *run = results_snapshot(w, complete, tier_name, arg);
    if (run == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", w->path);
    char *text = cJSON_Print(run);
    cJSON_Delete(run);
    if (text == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", w->path);
    size_t len = strlen(text);
    char *with_newline = realloc(text, len + 2);
    if (with_newline == NULL) {
        free(text);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", w->path);
    }
    memcpy(with_newline + len, "\n", 2);
    tp_status_t st = write_atomic(w->path, with_newline, &why);
    free(with_newline);
    if (st != TP_OK)
        return finish_failed(w, &why, err);   /* the journal stays */
    w->finished = 1;
    if (w->journal_fd >= 0) {
        close(w->journal_fd);
        w->journal_fd = -1;
    }
    unlink(w->journal_path);
    return TP_OK;
}

void results_close(struct results_writer *w)
{
    if (w == NULL)
        return;
    if (w->journal_fd >= 0)
        close(w->journal_fd);
    cJSON_Delete(w->header);
    cJSON_Delete(w->results);
    cJSON_Delete(w->errors);
    free(w->path);
    free(w->journal_path);
    free(w);
}
