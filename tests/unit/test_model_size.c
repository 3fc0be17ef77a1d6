/* test_model_size.c: model presets and safetensors header parsing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/cli/model_size.h"

/* Writes an 8-byte little-endian length (declared_len, or the JSON's own
 * length when 0) + json + `data_bytes` zero bytes into a temp file. */
static char *write_safetensors(const char *json, uint64_t declared_len, size_t data_bytes)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/tp-model-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    uint64_t len = declared_len ? declared_len : strlen(json);
    for (int i = 0; i < 8; i++)
        fputc((int)(len >> (8 * i) & 0xff), f);
    fputs(json, f);
    for (size_t i = 0; i < data_bytes; i++)
        fputc(0, f);
    fclose(f);
    return path;
}

Test(model_size, preset_70b_bf16_is_140_gb)
{
    uint64_t bytes = 0;
    cr_assert_eq(model_preset_bytes("llama-70b-bf16", &bytes, NULL), TP_OK);
    cr_assert_eq(bytes, 140000000000ull);
}

Test(model_size, unknown_preset_lists_known)
{
    struct tp_error err = {0};
    uint64_t bytes = 0;
    cr_assert_eq(model_preset_bytes("gpt-9", &bytes, &err), TP_ERR_INVALID);
    cr_assert(strstr(err.msg, "'gpt-9'") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "llama-70b-bf16") != NULL, "%s", err.msg);
}

Test(model_size, safetensors_sums_tensor_ranges)
{
    const char *json = "{\"__metadata__\":{\"format\":\"pt\"},"
                       "\"a\":{\"dtype\":\"BF16\",\"shape\":[4,8],\"data_offsets\":[0,64]},"
                       "\"b\":{\"dtype\":\"BF16\",\"shape\":[16],\"data_offsets\":[64,96]}}";
    char *path = write_safetensors(json, 0, 96);
    uint64_t bytes = 0;
    struct tp_error err = {0};
    cr_assert_eq(model_file_bytes(path, &bytes, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(bytes, 96);
    unlink(path);
}

Test(model_size, truncated_header_is_an_error)
{
    char *path = write_safetensors("{\"a\":{\"data_offsets\":[0,4]}}", 4096, 0);
    uint64_t bytes = 0;
    struct tp_error err = {0};
    cr_assert_eq(model_file_bytes(path, &bytes, &err), TP_ERR_PARSE);
    cr_assert(strstr(err.msg, "file ends inside the JSON header") != NULL, "%s", err.msg);
    unlink(path);
}

Test(model_size, implausible_length_is_an_error)
{
    char *path = write_safetensors("{}", 1ull << 40, 0);
    uint64_t bytes = 0;
    struct tp_error err = {0};
    cr_assert_eq(model_file_bytes(path, &bytes, &err), TP_ERR_PARSE);
    cr_assert(strstr(err.msg, "not plausible") != NULL, "%s", err.msg);
    unlink(path);
}

Test(model_size, bad_offsets_name_the_tensor)
{
    char *path = write_safetensors("{\"w1\":{\"data_offsets\":[10,2]}}", 0, 0);
    uint64_t bytes = 0;
    struct tp_error err = {0};
    cr_assert_eq(model_file_bytes(path, &bytes, &err), TP_ERR_PARSE);
    cr_assert(strstr(err.msg, "'w1'") != NULL, "%s", err.msg);
    unlink(path);
}

Test(model_size, sharded_index_total_size)
{
    const char *path = "/tmp/tp-model-test.index.json";
    FILE *f = fopen(path, "w");
    fputs("{\"metadata\":{\"total_size\":141107412992},\"weight_map\":{}}", f);
    fclose(f);
    uint64_t bytes = 0;
    struct tp_error err = {0};
    cr_assert_eq(model_file_bytes(path, &bytes, &err), TP_OK, "%s", err.msg);
    cr_assert_eq(bytes, 141107412992ull);
    unlink(path);
}

Test(model_size, missing_file_names_it)
{
    uint64_t bytes = 0;
    struct tp_error err = {0};
    cr_assert_eq(model_file_bytes("/nonexistent/model.safetensors", &bytes, &err), TP_ERR_IO);
    cr_assert(strstr(err.msg, "/nonexistent/model.safetensors") != NULL, "%s", err.msg);
}
