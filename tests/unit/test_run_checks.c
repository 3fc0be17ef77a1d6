/* test_run_checks.c: `run` input refused before MPI_Init (run_checks.h):
 * the --timeout floor, --out onto an existing file without --force, and
 * buffers larger than this host's available memory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/cli/run_checks.h"
#include "bench/cli/run_opts.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"run", __VA_ARGS__}) / sizeof(char *)))

static void parse_ok(int argc, char **argv, struct run_opts *o)
{
    struct tp_error err = {0};
    int help = 0;

    cr_assert_eq(run_opts_parse(argc, argv, o, &help, &err), TP_OK, "%s", err.msg);
}

Test(run_checks, timeout_floor_is_one_second)
{
    struct run_opts o;
    struct tp_error err = {0};

    parse_ok(ARGC("--timeout", "0.5"), ARGV("--timeout", "0.5"), &o);
    cr_assert_eq(run_checks_before_mpi(&o, 1, &err), TP_ERR_INVALID);
    cr_assert_str_eq(err.msg, "--timeout 500 ms: must be at least 1 s");
    run_opts_free(&o);
    parse_ok(ARGC("--timeout", "1"), ARGV("--timeout", "1"), &o);
    cr_assert_eq(run_checks_before_mpi(&o, 1, &err), TP_OK, "%s", err.msg);
    run_opts_free(&o);
}

Test(run_checks, existing_out_needs_force)
{
    struct run_opts o;
    struct tp_error err = {0};
    char path[] = "/tmp/tierperf-run-checks-XXXXXX";
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    close(fd);
    parse_ok(ARGC("--out", path), ARGV("--out", path), &o);
    cr_assert_eq(run_checks_before_mpi(&o, 1, &err), TP_ERR_INVALID);
    cr_assert(strstr(err.msg, "exists") && strstr(err.msg, "--force"), "%s", err.msg);
    cr_assert_eq(run_checks_before_mpi(&o, 0, &err), TP_OK, "only rank 0 writes --out");
    run_opts_free(&o);
    parse_ok(ARGC("--out", path, "--force"), ARGV("--out", path, "--force"), &o);
    cr_assert_eq(run_checks_before_mpi(&o, 1, &err), TP_OK, "%s", err.msg);
    run_opts_free(&o);
    unlink(path);
}

Test(run_checks, buffers_beyond_available_memory)
{
    struct run_opts o;
    struct tp_error err = {0};

    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "2", 1);
    parse_ok(ARGC("--sizes", "1:1T"), ARGV("--sizes", "1:1T"), &o);
    cr_assert_eq(run_checks_buffer_bytes(&o, 2), 2ULL << 40);
    cr_assert_eq(run_checks_memory(&o, &err), TP_ERR_INVALID);
    cr_assert(strstr(err.msg, "--sizes '1:1T': buffers of 1 TiB per rank x 2 rank(s) on "), "%s",
              err.msg);
    run_opts_free(&o);
    parse_ok(ARGC("--sizes", "1:1T", "--mem", "cuda"), ARGV("--sizes", "1:1T", "--mem", "cuda"), &o);
    cr_assert_eq(run_checks_memory(&o, &err), TP_OK, "device memory is not host memory");
    run_opts_free(&o);
    parse_ok(ARGC("--sizes", "4K,1M"), ARGV("--sizes", "4K,1M"), &o);
    cr_assert_eq(run_checks_memory(&o, &err), TP_OK, "%s", err.msg);
    run_opts_free(&o);
}
