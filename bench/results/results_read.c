/* results_read.c: read a results JSON file or a run's JSON-lines journal. */
#include "results_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESULTS_MAX_BYTES (1024L * 1024 * 1024)

static tp_status_t slurp(const char *path, char **text_p, size_t *len_p,
                         struct tp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, cap = 0;

    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "%s: %s", path, strerror(errno));
    for (;;) {
        if (len + 65536 + 1 > cap) {
            cap = cap ? cap * 2 : 131072;
            char *grown = realloc(text, cap);
            if (grown == NULL) {
                free(text);
                fclose(f);
                return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
            }
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (len > RESULTS_MAX_BYTES) {
            free(text);
            fclose(f);
            return tp_error_set(err, TP_ERR_INVALID, "%s: larger than 1 GiB", path);
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(text);
        return tp_error_set(err, TP_ERR_IO, "%s: read error", path);
    }
    text[len] = '\0';
    *text_p = text;
    *len_p = len;
    return TP_OK;
}

static int is_journal(const char *path)
{
    size_t n = strlen(path);
    return n > 6 && strcmp(path + n - 6, ".jsonl") == 0;
}

/* One result object per line; a torn last line (killed mid-write) is
 * dropped with a warning in the object, any other bad line is an error. */
static tp_status_t load_journal(const char *path, char *text, cJSON **run_p,
                                struct tp_error *err)
{
    cJSON *run = cJSON_CreateObject();
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    cJSON *errors = NULL;
    int line_no = 0;
    char *save = NULL;

    cJSON_AddNumberToObject(run, "schema_version", 1);
    cJSON_AddBoolToObject(run, "complete", 0);
    cJSON_AddStringToObject(run, "source", "journal");
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (line[strspn(line, " \t\r")] == '\0')
            continue;
        cJSON *entry = cJSON_Parse(line);
        if (entry == NULL || !cJSON_IsObject(entry)) {
            cJSON_Delete(entry);
            if (strtok_r(NULL, "\n", &save) == NULL) {
                cJSON_AddStringToObject(run, "warning", "last journal line was truncated");
                break;
            }
            cJSON_Delete(run);
            return tp_error_set(err, TP_ERR_PARSE, "%s:%d: not a JSON object", path, line_no);
        }
        cJSON *header = cJSON_GetObjectItemCaseSensitive(entry, "run_header");
        if (header != NULL && cJSON_IsObject(header)) {
            /* journal's first line: the run's metadata */
            for (cJSON *item = header->child; item != NULL; item = item->next)
                if (cJSON_GetObjectItemCaseSensitive(run, item->string) == NULL)
                    cJSON_AddItemToObject(run, item->string, cJSON_Duplicate(item, 1));
            cJSON_Delete(entry);
            continue;
        }
        cJSON *failure = cJSON_GetObjectItemCaseSensitive(entry, "run_error");
        if (failure != NULL && cJSON_IsObject(failure)) {
            /* a pair that failed as a whole: errors[] */
            if (errors == NULL)
                errors = cJSON_AddArrayToObject(run, "errors");
            cJSON_AddItemToArray(errors, cJSON_DetachItemViaPointer(entry, failure));
            cJSON_Delete(entry);
            continue;
        }
        cJSON_AddItemToArray(results, entry);
    }
    *run_p = run;
    return TP_OK;
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
    char *text = NULL;
    size_t len = 0;
    tp_status_t st = slurp(path, &text, &len, err);

    if (st != TP_OK)
        return st;
    if (is_journal(path)) {
        st = load_journal(path, text, run_p, err);
        free(text);
        return st;
    }
    const char *end = NULL;
    cJSON *run = cJSON_ParseWithLengthOpts(text, len, &end, 0);
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
    *run_p = run;
    return TP_OK;
}
