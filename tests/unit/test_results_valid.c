/* test_results_valid.c: the one validation of results files (results_load,
 * results_valid.h): each kind of nonsense in tests/fixtures/results/invalid/
 * is refused with one line naming the file, the entry and the field; /dev/zero
 * and an empty journal are refused at once. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bench/results/results_read.h"
#include "bench/results/results_valid.h"

#define INVALID "tests/fixtures/results/invalid/"   /* ctest runs from the source folder */

static void refused(const char *file, const char *expect)
{
    struct tp_error err = {0};
    cJSON *run = NULL;
    char path[256];

    snprintf(path, sizeof(path), INVALID "%s", file);
    cr_assert_neq(results_load(path, &run, &err), TP_OK, "%s loaded", file);
    cr_assert_null(run);
    cr_assert(strstr(err.msg, path) == err.msg, "%s: file not named first: %s", file, err.msg);
    cr_assert(strstr(err.msg, expect) != NULL, "%s: expected \"%s\" in: %s", file, expect, err.msg);
    cr_assert_null(strchr(err.msg, '\n'), "more than one line: %s", err.msg);
}

Test(results_valid, size_out_of_range)
{
    refused("size_huge.json", ": results[1]: size_bytes: out of range (a whole number from 0 to "
                              "9007199254740992)");
}

Test(results_valid, tier_out_of_range)
{
    refused("tier_huge.json", ": results[2]: tier: out of range (a whole number from 0 to 2147483647)");
    refused("tier_negative.json", ": results[0]: tier: negative");
}

Test(results_valid, bandwidth_not_a_number_or_negative)
{
    refused("bw_string.json", ": results[3]: bw_gbit_s: not a number (a string)");
    refused("bw_negative.json", ": results[1]: bw_gbit_s: negative");
}

Test(results_valid, latency_negative)
{
    refused("lat_negative.json", ": results[2]: lat_us.p50: negative");
    refused("lat_negative.json.journal.jsonl", ".jsonl:3: lat_us.p99: negative");
}

Test(results_valid, rank_out_of_range)
{
    refused("rank_range.json", ": results[3]: dst_rank: out of range (a whole number from 0 to 3): "
                               "the run has 4 ranks (hosts[])");
}

Test(results_valid, duplicated_rows)
{
    refused("duplicate.json", ": results[4]: duplicate: ranks 0 -> 2, size_bytes 65536 measured twice");
}

Test(results_valid, empty_journal)
{
    refused("empty.json.journal.jsonl", ": empty (0 bytes)");
}

Test(results_valid, non_regular_file_refused_at_once)
{
    struct tp_error err = {0};
    cJSON *run = NULL;

    cr_assert_eq(results_load("/dev/zero", &run, &err), TP_ERR_INVALID);
    cr_assert_str_eq(err.msg, "/dev/zero: not a regular file");
    cr_assert_eq(results_load("tests/fixtures/results", &run, &err), TP_ERR_INVALID);
    cr_assert_null(run);
}

/* the generator's base file and the other fixtures pass */
Test(results_valid, valid_fixtures_load)
{
    static const char *const ok[] = {"compare_a.json", "compare_b.json", "allpairs15.json",
                                     "bad_pair.json", "outlier.json", "recommend.json",
                                     "threshold.json", "allpairs15_miswired.json"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct tp_error err = {0};
        cJSON *run = NULL;
        char path[256];
        snprintf(path, sizeof(path), "tests/fixtures/results/%s", ok[i]);
        cr_assert_eq(results_load(path, &run, &err), TP_OK, "%s", err.msg);
        cJSON_Delete(run);
    }
}

/* labels in extra (congestion's role, fanout's mode) tell two rows of the
 * same pair and size apart; measured numbers there do not */
Test(results_valid, extra_labels_distinguish_rows)
{
    struct results_valid *v = results_valid_new(2);
    char why[300];
    cJSON *a = cJSON_Parse("{\"src_rank\":0,\"dst_rank\":1,\"src_node\":\"a\",\"dst_node\":\"b\","
                           "\"size_bytes\":8,\"extra\":{\"role\":\"isolated\",\"x\":1}}");
    cJSON *b = cJSON_Parse("{\"src_rank\":0,\"dst_rank\":1,\"src_node\":\"a\",\"dst_node\":\"b\","
                           "\"size_bytes\":8,\"extra\":{\"role\":\"loaded\",\"x\":1}}");
    cJSON *c = cJSON_Parse("{\"src_rank\":0,\"dst_rank\":1,\"src_node\":\"a\",\"dst_node\":\"b\","
                           "\"size_bytes\":8,\"extra\":{\"role\":\"loaded\",\"x\":2}}");

    cr_assert_eq(results_valid_entry(v, a, why, sizeof(why)), TP_OK, "%s", why);
    cr_assert_eq(results_valid_entry(v, b, why, sizeof(why)), TP_OK, "%s", why);
    cr_assert_eq(results_valid_entry(v, c, why, sizeof(why)), TP_ERR_PARSE);
    cr_assert(strstr(why, "duplicate") != NULL, "%s", why);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
    results_valid_free(v);
}
