/* fuzz_results.c: results_load() on arbitrary bytes, as final JSON and as a
 * run's journal (<out>.journal.jsonl: run_header line, entries, run_error
 * lines, torn last line); whatever loads is then summarised per tier and
 * printed as the report table.  It must return an error or print, never
 * crash. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "report/report_table.h"
#include "bench/results/results_read.h"
#include "bench/results/results_summary.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const suffixes[] = {".json", ".json.journal.jsonl"};
    static FILE *sink;
    char path[128];

    if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
        return 0;
    for (size_t i = 0; i < 2; i++) {
        struct tp_error err = {0};
        cJSON *run = NULL;
        if (fuzz_write_temp(data, size, suffixes[i], path, sizeof(path)) != 0)
            return 0;
        if (results_load(path, &run, &err) == TP_OK) {
            struct report_table_opts all = {REPORT_ALL_TIERS, 1}, tier1 = {1, 1};
            cJSON_Delete(results_tier_summary(cJSON_GetObjectItemCaseSensitive(run, "results"),
                                              results_tier_name_from_run, run));
            report_print_table(run, sink, &all);
            report_print_table(run, sink, &tier1);
            cJSON_Delete(run);
        }
        unlink(path);
    }
    return 0;
}
