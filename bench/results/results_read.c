/* results_read.c: read a results JSON file or a run's JSON-lines journal. */
#define _GNU_SOURCE 1   /* getline */
#include "results_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/log.h"
#include "results_rows.h"
#include "results_valid.h"

#define RESULTS_MAX_BYTES (1024L * 1024 * 1024)

/* Open a results file or journal: a regular file, not empty, at most
 * RESULTS_MAX_BYTES (checked before reading: /dev/zero is refused at once). */
static tp_status_t open_results(const char *path, FILE **f_p, size_t *len_p,
                                struct tp_error *err)
{
    struct stat sb;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "%s: %s", path, strerror(errno));
    if (fstat(fileno(f), &sb) != 0) {
        fclose(f);
        return tp_error_set(err, TP_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode)) {
        fclose(f);
        return tp_error_set(err, TP_ERR_INVALID, "%s: not a regular file", path);
    }
    if (sb.st_size == 0 || sb.st_size > RESULTS_MAX_BYTES) {
        fclose(f);
        return tp_error_set(err, sb.st_size == 0 ? TP_ERR_PARSE : TP_ERR_INVALID, "%s: %s", path,
                            sb.st_size == 0 ? "empty (0 bytes): no results or journal in it"
                                            : "larger than 1 GiB");
    }
    *f_p = f;
    *len_p = (size_t)sb.st_size;
    return TP_OK;
}

static int is_journal(const char *path)
{
    size_t n = strlen(path);
    return n > 6 && strcmp(path + n - 6, ".jsonl") == 0;
}

/* Journal state while reading it line by line. */
struct journal_read {
    const char *path;
    cJSON *run, *errors;
    struct results_store *rows;
    struct results_valid *valid;
    int have_header;
    size_t torn, first_torn;    /* lines that are no JSON object; the first one's number */
};

static void journal_header(struct journal_read *j, const cJSON *header)
{
    for (cJSON *item = header->child; item != NULL; item = item->next)
        if (cJSON_GetObjectItemCaseSensitive(j->run, item->string) == NULL)
            cJSON_AddItemToObject(j->run, item->string, cJSON_Duplicate(item, 1));
    j->have_header = 1;
    j->valid = results_valid_new(results_valid_nranks(j->run));
}

/* One line: the header, a pair that failed as a whole, or a measurement. */
static tp_status_t journal_entry(struct journal_read *j, cJSON *entry, size_t line_no,
                                 struct tp_error *err)
{
    const cJSON *header = cJSON_GetObjectItemCaseSensitive(entry, "run_header");
    cJSON *failure = cJSON_GetObjectItemCaseSensitive(entry, "run_error");
    char why[300];
    tp_status_t st;

    if (cJSON_IsObject(header) && !j->have_header) {
        journal_header(j, header);
        cJSON_Delete(entry);
        return j->valid != NULL ? TP_OK : tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory",
                                                       j->path);
    }
    if (!j->have_header) {
        cJSON_Delete(entry);
        return tp_error_set(err, TP_ERR_PARSE, "%s:%zu: no run_header line before it: not a "
                            "tierperf journal", j->path, line_no);
    }
    if (failure != NULL) {
        st = results_valid_error(j->valid, failure, why, sizeof(why));
        if (st == TP_OK) {
            if (j->errors == NULL)
                j->errors = cJSON_AddArrayToObject(j->run, "errors");
            cJSON_AddItemToArray(j->errors, cJSON_DetachItemViaPointer(entry, failure));
        }
        cJSON_Delete(entry);
    } else {
        st = results_valid_entry(j->valid, entry, why, sizeof(why));
        if (st == TP_OK && results_store_add(j->rows, entry) != 0) {
            cJSON_Delete(entry);
            return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", j->path);
        }
        cJSON_Delete(entry);
    }
    if (st != TP_OK)
        return tp_error_set(err, st, "%s:%zu: %s%s", j->path, line_no,
                            failure != NULL ? "run_error." : "", why);
    return TP_OK;
}

/* One object per line, read a line at a time.  A line that is no JSON
 * object (torn by a kill or a full disk) is skipped, the rest kept, and
 * one warning names how many and the first; a valid object with bad
 * fields is an error. */
static tp_status_t journal_lines(struct journal_read *j, FILE *f, struct tp_error *err)
{
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t n;
    tp_status_t st = TP_OK;

    while (st == TP_OK && (n = getline(&line, &cap, f)) >= 0) {
        line_no++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        cJSON *entry = cJSON_ParseWithLength(line, (size_t)n);
        if (!cJSON_IsObject(entry)) {
            cJSON_Delete(entry);
            if (j->torn++ == 0)
                j->first_torn = line_no;
            continue;
        }
        st = journal_entry(j, entry, line_no, err);
    }
    free(line);
    if (st == TP_OK && ferror(f))
        st = tp_error_set(err, TP_ERR_IO, "%s: read error", j->path);
    if (st == TP_OK && !j->have_header)
        st = tp_error_set(err, TP_ERR_PARSE, "%s: no run_header line: not a tierperf journal",
                          j->path);
    return st;
}

static tp_status_t load_journal(const char *path, FILE *f, cJSON **run_p, struct tp_error *err)
{
    struct journal_read j = {.path = path, .run = cJSON_CreateObject(),
                             .rows = results_store_new()};

    if (j.run == NULL || j.rows == NULL || cJSON_AddArrayToObject(j.run, "results") == NULL) {
        cJSON_Delete(j.run);
        results_store_free(j.rows);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    cJSON_AddNumberToObject(j.run, "schema_version", 1);
    cJSON_AddBoolToObject(j.run, "complete", 0);
    cJSON_AddStringToObject(j.run, "source", "journal");
    tp_status_t st = journal_lines(&j, f, err);
    results_valid_free(j.valid);
    if (st == TP_OK && results_store_attach(j.run, j.rows) != 0)
        st = tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    if (st != TP_OK) {
        cJSON_Delete(j.run);
        results_store_free(j.rows);
        return st;
    }
    if (j.torn > 0) {
        char warning[160];
        snprintf(warning, sizeof(warning), "%zu torn journal line(s) skipped (line %zu%s; "
                 "killed mid-write or disk full), the other lines kept", j.torn, j.first_torn,
                 j.torn > 1 ? " first" : "");
        cJSON_AddStringToObject(j.run, "warning", warning);
        tp_log_warn("%s: %s", path, warning);
    }
    *run_p = j.run;
    return TP_OK;
}

/* A light scan of the final file's text, to parse results[] one entry at
 * a time: the whole tree of a large file would take several times its
 * size. */
static size_t skip_ws(const char *t, size_t i, size_t len)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

static size_t skip_string(const char *t, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return len;
}

/* End (exclusive) of the value at t[i]; len when it does not end. */
static size_t skip_value(const char *t, size_t i, size_t len)
{
    size_t depth = 0;

    if (i < len && t[i] == '"')
        return skip_string(t, i, len);
    if (i < len && t[i] != '{' && t[i] != '[') {
        while (i < len && strchr(",]} \t\r\n", t[i]) == NULL)
            i++;
        return i;
    }
    for (; i < len; i++) {
        if (t[i] == '"')
            i = skip_string(t, i, len) - 1;
        else if (t[i] == '{' || t[i] == '[')
            depth++;
        else if ((t[i] == '}' || t[i] == ']') && --depth == 0)
            return i + 1;
    }
    return len;
}

/* Offset of the '[' of the top-level "results" value; 0 when not found. */
static size_t find_results(const char *t, size_t len)
{
    size_t i = skip_ws(t, 0, len);

    if (i >= len || t[i] != '{')
        return 0;
    for (i = skip_ws(t, i + 1, len); i < len && t[i] == '"';) {
        size_t kend = skip_string(t, i, len), v = skip_ws(t, kend, len);
        if (v >= len || t[v] != ':')
            return 0;
        v = skip_ws(t, v + 1, len);
        if (kend - i == 9 && memcmp(t + i, "\"results\"", 9) == 0)
            return v < len && t[v] == '[' ? v : 0;
        i = skip_ws(t, skip_value(t, v, len), len);
        if (i >= len || t[i] != ',')
            return 0;
        i = skip_ws(t, i + 1, len);
    }
    return 0;
}

/* A file cut short (killed writer, partial copy) rather than malformed:
 * it ends inside an open object, array or string, and the parser failed
 * only in the last, incomplete token (err_off is where it gave up; at the
 * end of the text it reports len - 1). */
static int looks_truncated(const char *text, size_t len, size_t err_off)
{
    size_t depth = 0, token_start = 0;
    int in_string = 0, escaped = 0;

    if (len == 0)
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
            token_start = i;
        } else if (c == '{' || c == '[') {
            depth++;
            token_start = i + 1;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            token_start = i + 1;
        } else if (c == ',' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            token_start = i + 1;
        }
    }
    return (in_string || depth > 0) && err_off + 1 >= token_start;
}

/* The whole file as one tree: the path of a file that does not scan
 * (malformed, truncated, or results[] not an array), naming the fault. */
static tp_status_t parse_whole(const char *text, size_t len, const char *path, cJSON **run_p,
                               struct tp_error *err)
{
    const char *end = NULL;
    cJSON *run = cJSON_ParseWithLengthOpts(text, len, &end, 0);

    if (run != NULL) {
        *run_p = run;
        return TP_OK;
    }
    size_t off = end ? (size_t)(end - text) : 0;
    if (looks_truncated(text, len, off))
        return tp_error_set(err, TP_ERR_PARSE,
                            "%s: truncated JSON (file ends at byte %zu); if the run "
                            "was killed, read %s.journal.jsonl instead", path, len, path);
    return tp_error_set(err, TP_ERR_PARSE, "%s: malformed JSON near byte %zu", path, off);
}

static tp_status_t check_run(const cJSON *run, const char *path, struct tp_error *err)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(run, "schema_version");

    if (!cJSON_IsObject(run) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(run, "results")))
        return tp_error_set(err, TP_ERR_PARSE, "%s: not a tierperf results file (no results[])",
                            path);
    if (cJSON_IsNumber(version) && version->valuedouble > 1)
        return tp_error_set(err, TP_ERR_PARSE,
                            "%s: schema_version %g is newer than this tierperf reads (1)", path,
                            version->valuedouble);
    return TP_OK;
}

/* errors[]: each entry through the one validation (results_valid.h). */
static tp_status_t check_errors(const cJSON *run, const struct results_valid *v, const char *path,
                                struct tp_error *err)
{
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(run, "errors"), *e;
    char why[300];
    int k = 0;

    if (errors != NULL && !cJSON_IsNull(errors) && !cJSON_IsArray(errors))
        return tp_error_set(err, TP_ERR_PARSE, "%s: errors: not an array", path);
    if (!cJSON_IsArray(errors))
        return TP_OK;
    cJSON_ArrayForEach(e, errors) {
        tp_status_t st = results_valid_error(v, e, why, sizeof(why));
        if (st != TP_OK)
            return tp_error_set(err, st, "%s: errors[%d]: %s", path, k, why);
        k++;
    }
    return TP_OK;
}

/* The final file, mapped read-only.  results[] is parsed one entry at a
 * time into the compact store (results_rows.h) in the one pass that finds
 * its end, and the pages read are given back as it goes, so memory stays
 * near the store's size; the rest of the file then parses as a small tree
 * and the stored entries are validated against it (hosts[] may follow
 * results[] in the text). */
struct final_read {
    const char *path;
    const char *t;
    size_t len;
    size_t open, close;    /* the '[' of results[] and one past its ']' */
    size_t dropped;        /* bytes of the mapping given back */
};

#define FINAL_DROP_BYTES (4UL << 20)

static void final_drop(struct final_read *fr, size_t upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), end = upto / page * page;

    if (end >= fr->dropped + FINAL_DROP_BYTES) {
        madvise((void *)(uintptr_t)(fr->t + fr->dropped), end - fr->dropped, MADV_DONTNEED);
        fr->dropped = end;
    }
}

/* The file with results[] emptied ("[]" where its entries were). */
static cJSON *final_header(const struct final_read *fr)
{
    size_t head = fr->open + 1, tail = fr->len - (fr->close - 1);
    char *text = malloc(head + tail);
    cJSON *run = NULL;

    if (text != NULL) {
        memcpy(text, fr->t, head);
        memcpy(text + head, fr->t + fr->close - 1, tail);
        run = cJSON_ParseWithLengthOpts(text, head + tail, NULL, 0);
        free(text);
    }
    return run;
}

/* results[] entry by entry into rows, fr->close set at its ']'.  0; 1 the
 * text does not scan or parse (the caller parses it whole to name the
 * fault); -1 out of memory. */
static int final_rows(struct final_read *fr, struct results_store *rows)
{
    const char *t = fr->t;
    size_t j = skip_ws(t, fr->open + 1, fr->len);

    while (j < fr->len && t[j] != ']') {
        size_t end = skip_value(t, j, fr->len);
        cJSON *e = cJSON_ParseWithLength(t + j, end - j);
        if (e == NULL)
            return 1;
        int added = results_store_add(rows, e);
        cJSON_Delete(e);
        if (added != 0)
            return -1;
        j = skip_ws(t, end, fr->len);
        if (j < fr->len && t[j] == ']')
            break;
        if (j >= fr->len || t[j] != ',' || (j = skip_ws(t, j + 1, fr->len)) >= fr->len ||
            t[j] == ']')
            return 1;   /* no comma between entries, or one after the last */
        final_drop(fr, j);
    }
    if (j >= fr->len)
        return 1;
    fr->close = j + 1;
    return 0;
}

/* A whole tree's results[] into rows (a file that did not scan but parses). */
static int tree_rows(const cJSON *run, struct results_store *rows)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        if (results_store_add(rows, e) != 0)
            return -1;
    }
    return 0;
}

/* The stored results[] and errors[] through the one validation
 * (results_valid.h), in file order: the first invalid entry is named. */
static tp_status_t final_valid(const cJSON *run, const char *path, struct tp_error *err)
{
    struct results_valid *v = results_valid_new(results_valid_nranks(run));
    const cJSON *e;
    tp_status_t st = TP_OK;
    char why[300];
    int i = 0;

    if (v == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    RESULTS_EACH(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        if ((st = results_valid_entry(v, e, why, sizeof(why))) != TP_OK) {
            st = tp_error_set(err, st, "%s: results[%d]: %s", path, i, why);
            break;
        }
        i++;
    }
    if (st == TP_OK)
        st = check_errors(run, v, path, err);
    results_valid_free(v);
    return st;
}

static tp_status_t final_oom(const struct final_read *fr, struct tp_error *err)
{
    return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", fr->path);
}

/* The run of a mapped final file, its rows scanned and stored in one
 * pass; parsed whole where that pass does not get through (the parser
 * then names a syntax fault). */
static tp_status_t final_run(struct final_read *fr, cJSON **run_p, struct tp_error *err)
{
    struct results_store *rows = results_store_new();
    cJSON *run = NULL;
    int scan = rows == NULL ? -1 : fr->open > 0 ? final_rows(fr, rows) : 1;
    tp_status_t st = TP_OK;

    if (scan == 0 && (run = final_header(fr)) == NULL)
        scan = 1;             /* the text around results[] does not parse */
    if (scan == 1) {          /* start again from the whole tree */
        results_store_free(rows);
        rows = results_store_new();
        st = parse_whole(fr->t, fr->len, fr->path, &run, err);
    }
    if (st == TP_OK && (scan == -1 || rows == NULL))
        st = final_oom(fr, err);
    if (st == TP_OK)
        st = check_run(run, fr->path, err);
    if (st == TP_OK && scan == 1 && tree_rows(run, rows) != 0)
        st = final_oom(fr, err);
    if (st == TP_OK && results_store_attach(run, rows) != 0)
        st = final_oom(fr, err);
    else if (st == TP_OK)
        rows = NULL;          /* the run holds them now */
    if (st == TP_OK)
        st = final_valid(run, fr->path, err);
    results_store_free(rows);
    if (st != TP_OK) {
        cJSON_Delete(run);
        return st;
    }
    *run_p = run;
    return TP_OK;
}

static tp_status_t load_final(const char *path, FILE *f, size_t size, cJSON **run_p,
                              struct tp_error *err)
{
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fileno(f), 0);

    if (map == MAP_FAILED)
        return tp_error_set(err, TP_ERR_IO, "%s: %s", path, strerror(errno));
    struct final_read fr = {.path = path, .t = map, .len = size};
    fr.open = find_results(fr.t, fr.len);
    tp_status_t st = final_run(&fr, run_p, err);
    munmap(map, size);
    return st;
}

tp_status_t results_load(const char *path, cJSON **run_p, struct tp_error *err)
{
    FILE *f = NULL;
    size_t size = 0;
    tp_status_t st = open_results(path, &f, &size, err);

    if (st != TP_OK)
        return st;
    st = is_journal(path) ? load_journal(path, f, run_p, err)
                          : load_final(path, f, size, run_p, err);
    fclose(f);
    return st;
}
