/* model_size.c: model byte counts from presets or safetensors headers. */
#include "model_size.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest safetensors header we accept (the format caps it at 100 MB). */
#define SAFETENSORS_HEADER_MAX (100u * 1000u * 1000u)
#define INDEX_FILE_MAX (64u * 1024u * 1024u)

static const struct model_preset presets[] = {
    {"llama-8b-bf16", 8.0e9, 2, "Llama 3.1 8B in bf16"},
    {"llama-70b-bf16", 70.0e9, 2, "Llama 3.1 70B in bf16 (140 GB)"},
    {"llama-70b-fp8", 70.0e9, 1, "Llama 3.1 70B in fp8"},
    {"llama-405b-bf16", 405.0e9, 2, "Llama 3.1 405B in bf16"},
    {"llama-405b-fp8", 405.0e9, 1, "Llama 3.1 405B in fp8"},
    {"mixtral-8x7b-bf16", 46.7e9, 2, "Mixtral 8x7B in bf16"},
    {"qwen2.5-72b-bf16", 72.7e9, 2, "Qwen2.5 72B in bf16"},
    {"deepseek-v3-fp8", 671.0e9, 1, "DeepSeek-V3 671B in fp8"},
};

const struct model_preset *model_presets(size_t *n_p)
{
    *n_p = sizeof(presets) / sizeof(presets[0]);
    return presets;
}

tp_status_t model_preset_bytes(const char *name, uint64_t *bytes_p, struct tp_error *err)
{
    size_t n;
    const struct model_preset *p = model_presets(&n);
    char known[512] = "";

    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].name, name) == 0) {
            *bytes_p = (uint64_t)(p[i].params * p[i].bytes_per_param);
            return TP_OK;
        }
        size_t used = strlen(known);
        snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "", p[i].name);
    }
    return tp_error_set(err, TP_ERR_INVALID, "--model '%s': unknown preset (known: %s)", name,
                        known);
}

static tp_status_t read_exact(FILE *f, const char *path, void *buf, size_t len,
                              const char *what, struct tp_error *err)
{
    if (fread(buf, 1, len, f) != len)
        return tp_error_set(err, TP_ERR_PARSE, "%s: file ends inside the %s (%zu bytes expected)",
                            path, what, len);
    return TP_OK;
}

/* Sum of data_offsets ranges over every tensor of a safetensors header. */
static tp_status_t sum_tensors(const cJSON *header, const char *path, uint64_t *bytes_p,
                               struct tp_error *err)
{
    uint64_t total = 0;
    const cJSON *t;

    if (!cJSON_IsObject(header))
        return tp_error_set(err, TP_ERR_PARSE, "%s: safetensors header is not a JSON object", path);
    cJSON_ArrayForEach(t, header) {
        if (strcmp(t->string, "__metadata__") == 0)
            continue;
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
        const cJSON *b = cJSON_GetArrayItem(off, 0), *e = cJSON_GetArrayItem(off, 1);
        if (!cJSON_IsArray(off) || !cJSON_IsNumber(b) || !cJSON_IsNumber(e) ||
            b->valuedouble < 0 || e->valuedouble < b->valuedouble)
            return tp_error_set(err, TP_ERR_PARSE,
                                "%s: tensor '%s': data_offsets must be [begin, end] with "
                                "0 <= begin <= end", path, t->string);
        total += (uint64_t)(e->valuedouble - b->valuedouble);
    }
    *bytes_p = total;
    return TP_OK;
}

static tp_status_t index_total(const char *path, FILE *f, uint64_t *bytes_p,
                               struct tp_error *err)
{
    char *text = malloc(INDEX_FILE_MAX + 1);
    if (text == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    size_t len = fread(text, 1, INDEX_FILE_MAX, f);
    text[len] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "metadata"), "total_size");
    tp_status_t st = TP_OK;
    if (root == NULL)
        st = tp_error_set(err, TP_ERR_PARSE, "%s: malformed JSON", path);
    else if (!cJSON_IsNumber(size) || size->valuedouble <= 0)
        st = tp_error_set(err, TP_ERR_PARSE, "%s: no positive metadata.total_size "
                          "(is this a model.safetensors.index.json?)", path);
    else
        *bytes_p = (uint64_t)size->valuedouble;
    cJSON_Delete(root);
    return st;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

tp_status_t model_file_bytes(const char *path, uint64_t *bytes_p, struct tp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "--model-file %s: %s", path, strerror(errno));
    if (ends_with(path, ".json")) {
        tp_status_t st = index_total(path, f, bytes_p, err);
        fclose(f);
        return st;
    }

    unsigned char lenbuf[8];
    tp_status_t st = read_exact(f, path, lenbuf, sizeof(lenbuf), "8-byte header length", err);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0 && st == TP_OK; i--)
        hlen = hlen << 8 | lenbuf[i];
    if (st == TP_OK && (hlen < 2 || hlen > SAFETENSORS_HEADER_MAX))
        st = tp_error_set(err, TP_ERR_PARSE,
                          "%s: header length %llu is not plausible (not a safetensors file?)",
                          path, (unsigned long long)hlen);
    char *header = NULL;
    if (st == TP_OK) {
        header = malloc(hlen + 1);
        if (header == NULL)
            st = tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
    }
    if (st == TP_OK)
        st = read_exact(f, path, header, hlen, "JSON header", err);
    fclose(f);
    if (st == TP_OK) {
        cJSON *root = cJSON_ParseWithLength(header, hlen);
        if (root == NULL)
            st = tp_error_set(err, TP_ERR_PARSE, "%s: malformed JSON in the safetensors header",
                              path);
        else
            st = sum_tensors(root, path, bytes_p, err);
        cJSON_Delete(root);
    }
    free(header);
    return st;
}
