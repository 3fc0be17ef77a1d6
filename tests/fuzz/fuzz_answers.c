/* fuzz_answers.c: a results file of arbitrary bytes through every answer
 * command's core (check with JUnit, recommend, infer, compare, the HTML and
 * CSV report): each must give a verdict or one error, never crash. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "answers/ans_check.h"
#include "answers/ans_compare.h"
#include "answers/ans_infer.h"
#include "answers/ans_recommend.h"
#include "report/report_render.h"
#include "bench/results/results_read.h"
#include "fuzz_file.h"

static void answers(const cJSON *run, const char *out_base)
{
    static struct ans_profile profile;
    static FILE *sink;
    struct tp_error err = {0};
    struct ans_check_opts opts = {.size = -1, .outlier_pct = 20, .lat_max_size = -1};
    struct ans_check check;
    struct ans_pairs pairs;
    char path[256];

    if (sink == NULL) {
        sink = fopen("/dev/null", "w");
        if (ans_profile_load("sme-production", &profile, &err) != TP_OK)
            __builtin_trap();
    }
    if (ans_check_run(run, "fuzz", &profile, &opts, &check, &err) == TP_OK) {
        ans_check_print(sink, &check, &profile, &opts, 1);
        snprintf(path, sizeof(path), "%s.junit.xml", out_base);
        (void)ans_check_write_junit(&check, &profile, &opts, path, &err);
        unlink(path);
        cJSON_Delete(ans_check_to_json(&check, &profile, &opts, 1));
        ans_check_free(&check);
    }
    if (ans_pairs_collect(run, -1, "fuzz", &pairs, &err) == TP_OK) {
        struct ans_recommendation rec;
        if (ans_recommend(&pairs, run, 1.0, -1, "fuzz", &rec, &err) == TP_OK) {
            ans_recommend_print_evidence(sink, &rec, "fuzz");
            ans_recommendation_free(&rec);
        }
        struct ans_matrix m;
        struct ans_tree t;
        if (pairs.n <= 256 && ans_matrix_build(&pairs, &m, &err) == TP_OK) {
            if (ans_infer_tree(&m, 1.5, &t, &err) == TP_OK) {
                ans_tree_print_yaml(sink, &t, &m, "fuzz", "fuzz");
                ans_tree_free(&t);
            }
            ans_matrix_free(&m);
        }
        ans_pairs_free(&pairs);
    }
    const cJSON *runs[2] = {run, run};
    struct ans_compare cmp;
    if (ans_compare_build(runs, 2, &cmp, &err) == TP_OK) {
        const char *names[2] = {"a", "b"};
        ans_compare_print(sink, &cmp, names, runs);
        ans_compare_free(&cmp);
    }
    snprintf(path, sizeof(path), "%s.html", out_base);
    (void)report_write_html(run, path, &err);
    unlink(path);
    snprintf(path, sizeof(path), "%s.csv", out_base);
    (void)report_write_csv(run, path, &err);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const suffixes[] = {".json", ".journal.jsonl"};
    char path[128];

    for (size_t i = 0; i < 2; i++) {
        struct tp_error err = {0};
        cJSON *run = NULL;
        if (fuzz_write_temp(data, size, suffixes[i], path, sizeof(path)) != 0)
            return 0;
        if (results_load(path, &run, &err) == TP_OK) {
            answers(run, path);
            cJSON_Delete(run);
        }
        unlink(path);
    }
    return 0;
}
