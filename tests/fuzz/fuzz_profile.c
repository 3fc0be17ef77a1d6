/* fuzz_profile.c: the acceptance-profile YAML parser (answers/ans_profile.c)
 * on arbitrary bytes: it must return a profile or one error, never crash;
 * a profile it accepts is then matched against a few pairs (its regexes
 * and tier masks must be usable). */
#include <stdint.h>
#include <string.h>

#include "answers/ans_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ans_profile profile;
    struct tp_error err = {0};

    if (ans_profile_parse((const char *)data, size, "fuzz.yaml", &profile, &err) != TP_OK) {
        if (memchr(err.msg, '\n', strlen(err.msg)) != NULL && strstr(err.msg, "YAML") == NULL)
            __builtin_trap();   /* our own errors are one line */
        return 0;
    }
    struct ans_pair pairs[3] = {
        {.src = "node-a", .dst = "node-b", .tier = 1},
        {.src = "storage-1", .dst = "x", .tier = 63},
        {.src = "same", .dst = "same", .tier = ANS_NO_TIER},
    };
    for (size_t r = 0; r < profile.nrules; r++)
        for (size_t i = 0; i < 3; i++)
            (void)ans_rule_selects(&profile.rules[r], &pairs[i]);
    return 0;
}
