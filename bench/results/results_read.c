/* results_read.c: read a results JSON file or a run's JSON-lines journal. */
#define _GNU_SOURCE 1   /* getline */
#include "results_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../common/log.h"
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

static tp_status_t slurp(FILE *f, const char *path, size_t size, char **text_p, size_t *len_p,
                         struct tp_error *err)
{
    char *text = malloc(size + 1);

    if (text == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    size_t len = fread(text, 1, size, f);
    if (ferror(f)) {
        free(text);
        return tp_error_set(err, TP_ERR_IO, "%s: read error", path);
    }
    text[len] = '\0';   /* a file that shrank meanwhile reads as truncated */
    *text_p = text;
    *len_p = len;
    return TP_OK;
}

static int is_journal(const char *path)
{
    size_t n = strlen(path);
    return n > 6 && strcmp(path + n - 6, ".jsonl") == 0;
}

/* The keys every results[] entry repeats: pointed at one static copy
 * (cJSON_StringIsConst) instead of a heap copy per entry, a quarter of a
 * loaded entry's memory. */
static const char *const entry_keys[] = {
    "pattern", "src_rank", "dst_rank", "src_node", "dst_node", "tier", "hypernode",
    "size_bytes", "iters", "bytes_total", "seconds", "bw_gbit_s", "bw_gbyte_s", "lat_us",
    "line_rate_gbit", "bw_pct_line", "verify", "error", "extra", "round", "round_shared",
    "min", "mean", "p50", "p90", "p99", "p999", "max", "samples"};

static void share_keys(cJSON *obj, int depth)
{
    for (cJSON *it = obj != NULL ? obj->child : NULL; it != NULL; it = it->next) {
        if (it->string != NULL && !(it->type & cJSON_StringIsConst))
            for (size_t k = 0; k < sizeof(entry_keys) / sizeof(entry_keys[0]); k++)
                if (strcmp(it->string, entry_keys[k]) == 0) {
                    cJSON_free(it->string);
                    it->string = (char *)entry_keys[k];   /* never written nor freed */
                    it->type |= cJSON_StringIsConst;
                    break;
                }
        if (depth == 0 && cJSON_IsObject(it))
            share_keys(it, 1);   /* lat_us, extra */
    }
}

/* Journal state while reading it line by line. */
struct journal_read {
    const char *path;
    cJSON *run, *results, *errors;
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
        share_keys(entry, 0);
        st = results_valid_entry(j->valid, entry, why, sizeof(why));
        if (st == TP_OK)
            cJSON_AddItemToArray(j->results, entry);
        else
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
    struct journal_read j = {.path = path, .run = cJSON_CreateObject()};

    if (j.run == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    j.results = cJSON_AddArrayToObject(j.run, "results");
    cJSON_AddNumberToObject(j.run, "schema_version", 1);
    cJSON_AddBoolToObject(j.run, "complete", 0);
    cJSON_AddStringToObject(j.run, "source", "journal");
    tp_status_t st = journal_lines(&j, f, err);
    results_valid_free(j.valid);
    if (st != TP_OK) {
        cJSON_Delete(j.run);
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
 * a time: the whole tree of a large file would otherwise be built with
 * per-entry key copies before they could be shared (peak memory). */
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

/* results[] parsed entry by entry (keys shared); the array's text is then
 * blanked so that the rest parses small.  NULL (text untouched) when the
 * text does not scan: the caller parses it whole and names the fault. */
static cJSON *parse_results(char *t, size_t len)
{
    size_t open = find_results(t, len), j;
    cJSON *arr = open > 0 ? cJSON_CreateArray() : NULL;

    if (arr == NULL)
        return NULL;
    for (j = skip_ws(t, open + 1, len); j < len && t[j] != ']';) {
        size_t end = skip_value(t, j, len);
        cJSON *e = end < len ? cJSON_ParseWithLength(t + j, end - j) : NULL;
        if (e == NULL) {
            cJSON_Delete(arr);
            return NULL;
        }
        share_keys(e, 0);
        cJSON_AddItemToArray(arr, e);
        j = skip_ws(t, end, len);
        if (j < len && t[j] == ',')
            j = skip_ws(t, j + 1, len);
        else if (j >= len || t[j] != ']')
            j = len;
    }
    if (j >= len) {
        cJSON_Delete(arr);
        return NULL;
    }
    memset(t + open + 1, ' ', j - open - 1);
    return arr;
}

/* Every results[] and errors[] entry of a final file, through the one
 * validation (results_valid.h). */
static tp_status_t validate_run(cJSON *run, const char *path, struct tp_error *err)
{
    struct results_valid *v = results_valid_new(results_valid_nranks(run));
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(run, "errors");
    cJSON *e;
    tp_status_t st = TP_OK;
    char why[300];
    int i = 0;

    if (v == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(run, "results")) {
        share_keys(e, 0);
        if ((st = results_valid_entry(v, e, why, sizeof(why))) != TP_OK) {
            tp_error_set(err, st, "%s: results[%d]: %s", path, i, why);
            break;
        }
        i++;
    }
    if (st == TP_OK && errors != NULL && !cJSON_IsNull(errors) && !cJSON_IsArray(errors))
        st = tp_error_set(err, TP_ERR_PARSE, "%s: errors: not an array", path);
    if (st != TP_OK || !cJSON_IsArray(errors))
        errors = NULL;
    int k = 0;
    cJSON_ArrayForEach(e, errors) {
        if ((st = results_valid_error(v, e, why, sizeof(why))) != TP_OK) {
            tp_error_set(err, st, "%s: errors[%d]: %s", path, k, why);
            break;
        }
        k++;
    }
    results_valid_free(v);
    return st;
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

tp_status_t results_load(const char *path, cJSON **run_p, struct tp_error *err)
{
    FILE *f = NULL;
    char *text = NULL;
    size_t size = 0, len = 0;
    tp_status_t st = open_results(path, &f, &size, err);

    if (st != TP_OK)
        return st;
    if (is_journal(path)) {
        st = load_journal(path, f, run_p, err);
        fclose(f);
        return st;
    }
    st = slurp(f, path, size, &text, &len, err);
    fclose(f);
    if (st != TP_OK)
        return st;
    const char *end = NULL;
    cJSON *entries = parse_results(text, len);
    cJSON *run = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (run == NULL || entries == NULL ||
        !cJSON_ReplaceItemInObjectCaseSensitive(run, "results", entries))
        cJSON_Delete(entries);
    if (run == NULL) {
        size_t off = end ? (size_t)(end - text) : 0;
        int truncated = looks_truncated(text, len, off);
        free(text);
        if (truncated)
            return tp_error_set(err, TP_ERR_PARSE,
                                "%s: truncated JSON (file ends at byte %zu); if the run "
                                "was killed, read %s.journal.jsonl instead", path, len,
                                path);
        return tp_error_set(err, TP_ERR_PARSE, "%s: malformed JSON near byte %zu", path, off);
    }
    free(text);
    cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
    cJSON *version = cJSON_GetObjectItemCaseSensitive(run, "schema_version");
    if (!cJSON_IsObject(run) || !cJSON_IsArray(results)) {
        cJSON_Delete(run);
        return tp_error_set(err, TP_ERR_PARSE, "%s: not a tierperf results file (no results[])", path);
    }
    if (cJSON_IsNumber(version) && version->valuedouble > 1) {
        double newer = version->valuedouble;   /* read before the delete */
        cJSON_Delete(run);
        return tp_error_set(err, TP_ERR_PARSE, "%s: schema_version %g is newer than this tierperf reads (1)",
                            path, newer);
    }
    if ((st = validate_run(run, path, err)) != TP_OK) {
        cJSON_Delete(run);
        return st;
    }
    *run_p = run;
    return TP_OK;
}
