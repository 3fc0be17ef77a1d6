/* test_run_budget.c: the bounds that end a faulty run (bench/engine/
 * run_budget.c) are a few --timeout plus the planned measurement time,
 * not the hours a floor-rate estimate of every byte gave. */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/cli/run_opts.h"
#include "bench/engine/run.h"

#define RING (64ull << 20)

static void parse(struct run_opts *o, int argc, char **argv)
{
    struct tp_error err;
    int help = 0;

    memset(&err, 0, sizeof(err));
    cr_assert_eq(run_opts_parse(argc, argv, o, &help, &err), TP_OK, "%s", err.msg);
}

Test(run_budget, default_sweep_is_minutes_not_hours)
{
    struct run_opts o;
    char *argv[] = {"run", NULL};

    parse(&o, 1, argv);
    double step = run_step_bound_s(&o, RING), round = run_round_budget_s(&o, RING);
    /* 6 x the default --timeout 60 s, plus the planned step */
    cr_assert_geq(step, 6 * 60.0);
    cr_assert_lt(step, 6 * 60.0 + 60, "step bound %.0f s", step);
    cr_assert_lt(round, 2 * (double)o.nsizes * step + 1, "round bound %.0f s", round);
    run_opts_free(&o);
}

Test(run_budget, short_timeout_short_bound)
{
    struct run_opts o;
    char *argv[] = {"run", "--timeout", "5", "--sizes", "64,4M", NULL};

    parse(&o, 5, argv);
    double step = run_step_bound_s(&o, RING);
    /* the case: 166-188 s observed, 7,604 s with default options */
    cr_assert_lt(step, 60, "step bound %.0f s", step);
    cr_assert_lt(run_round_budget_s(&o, RING), 4 * 60, "round bound");
    run_opts_free(&o);
}

Test(run_budget, fixed_volumes_count_at_the_floor_rate)
{
    struct run_opts o;
    char *argv[] = {"run", "--timeout", "5", "--sizes", "1M", "--iters", "1000", NULL};

    parse(&o, 7, argv);
    /* 1000 x 1 MiB at 0.1 Gbit/s is 84 s, counted twice */
    cr_assert_gt(run_step_bound_s(&o, RING), 2 * 1000.0 * 1048576 / 12.5e6);
    run_opts_free(&o);
}
