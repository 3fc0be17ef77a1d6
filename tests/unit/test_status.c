/* test_status.c: status strings and the error record. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/status.h"

Test(status, strings_are_distinct_and_known)
{
    cr_assert_str_eq(tp_status_string(TP_OK), "ok");
    cr_assert_str_eq(tp_status_string(TP_ERR_TIMEOUT), "timed out");
    cr_assert_str_eq(tp_status_string((tp_status_t)-99), "unknown status");
}

Test(status, error_set_formats_and_returns_status)
{
    struct tp_error err = {0};
    tp_status_t st = tp_error_set(&err, TP_ERR_PARSE, "%s:%d: field %s", "f.yaml", 3, "spec.tier");
    cr_assert_eq(st, TP_ERR_PARSE);
    cr_assert_eq(err.status, TP_ERR_PARSE);
    cr_assert_str_eq(err.msg, "f.yaml:3: field spec.tier");
    cr_assert_eq(tp_error_set(NULL, TP_ERR_IO, "x"), TP_ERR_IO);
}
