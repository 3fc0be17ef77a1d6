/* test_run_opts.c: `run` options: defaults, values, and every bad value
 * rejected with one line naming the option and the value. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/run_opts.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"run", __VA_ARGS__}) / sizeof(char *)))

static tp_status_t parse(int argc, char **argv, struct run_opts *o, struct tp_error *err)
{
    int help = 0;

    memset(err, 0, sizeof(*err));
    return run_opts_parse(argc, argv, o, &help, err);
}

#define PARSE_OK(o, ...)                                                                   \
    do {                                                                                   \
        struct tp_error e_;                                                                \
        cr_assert_eq(parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), &e_), TP_OK, "%s", \
                     e_.msg);                                                              \
    } while (0)

static void expect_bad(int argc, char **argv, const char *opt, const char *val)
{
    struct run_opts o;
    struct tp_error err;

    cr_assert_eq(parse(argc, argv, &o, &err), TP_ERR_INVALID, "%s %s accepted", opt, val);
    cr_assert_null(strchr(err.msg, '\n'), "more than one line: %s", err.msg);
    cr_assert_not_null(strstr(err.msg, opt), "'%s' not named: %s", opt, err.msg);
    if (val != NULL)
        cr_assert_not_null(strstr(err.msg, val), "'%s' not named: %s", val, err.msg);
    run_opts_free(&o);
}

/* An option's stored value as text, wherever its owner keeps it. */
static char value_buf[256];
#define VALUE(o, name) run_opts_value((o), (name), value_buf, sizeof(value_buf))

#define BAD(opt, val) expect_bad(ARGC(opt, val), ARGV(opt, val), opt, val)

Test(run_opts, defaults)
{
    struct run_opts o;

    unsetenv("TIERPERF_NODE_NAME");
    PARSE_OK(&o, "--no-bind");
    cr_assert_str_eq(o.transport, "tcp");
    cr_assert_str_eq(o.pattern, "pairs");
    cr_assert_str_eq(o.mem, "host");
    cr_assert_eq(o.nsizes, 25, "1:16M is 25 powers of two");
    cr_assert_eq(o.sizes[0], 1);
    cr_assert_eq(o.sizes[24], 16u << 20);
    cr_assert_float_eq(o.duration_s, 0.5, 1e-9);
    cr_assert_float_eq(o.cfg.timeout_s, 60, 1e-9);
    cr_assert_eq(o.buffer_size, 64u << 20);
    cr_assert_str_eq(VALUE(&o, "streams"), "1");
    cr_assert_null(o.node_name);
    run_opts_free(&o);
}

/* tiers and allpairs feed check: their default sizes include a small one
 * (latency is judged only on small messages) and a bandwidth size. */
Test(run_opts, tiers_and_allpairs_default_to_a_latency_and_a_bandwidth_size)
{
    struct run_opts o;
    static char *const pats[] = {"tiers", "allpairs"};

    for (size_t i = 0; i < 2; i++) {
        PARSE_OK(&o, "--no-bind", "--pattern", pats[i], "--topology", "x.yaml");
        cr_assert_eq(o.nsizes, 2, "%s", pats[i]);
        cr_assert_str_eq(o.pattern, pats[i]);
        cr_assert_eq(o.sizes[0], 64);
        cr_assert_eq(o.sizes[1], 4u << 20);
        run_opts_free(&o);
    }
}

Test(run_opts, values)
{
    struct run_opts o;

    PARSE_OK(&o, "--transport", "mpi", "--pattern", "allpairs", "--sizes", "4K,64K,1M", "--iters",
             "100", "--warmup", "5", "--duration", "0.05", "--lat-iters", "30", "--streams", "4",
             "--tx-depth", "8", "--bidir", "--verify", "--serial", "--timeout", "2.5", "--subnet",
             "198.18.0.0/15", "--rdma-op", "read", "--node-name", "n1", "-v", "-v",
             "--buffer-size", "1M", "--out", "x.json", "--mem", "cuda:1");
    cr_assert_str_eq(o.transport, "mpi");
    cr_assert_str_eq(o.pattern, "allpairs");
    cr_assert_eq(o.nsizes, 3);
    cr_assert_eq(o.sizes[1], 65536);
    cr_assert_eq(o.iters, 100);
    cr_assert_eq(o.warmup, 5);
    cr_assert_eq(o.lat_iters, 30);
    cr_assert(o.lat_iters_given);
    cr_assert_str_eq(VALUE(&o, "streams"), "4");
    cr_assert_eq(o.cfg.tx_depth, 8);
    cr_assert(o.bidir && o.verify && o.serial);
    cr_assert_float_eq(o.cfg.timeout_s, 2.5, 1e-9);
    cr_assert_str_eq(VALUE(&o, "rdma-op"), "read");
    cr_assert_str_eq(o.node_name, "n1");
    cr_assert_eq(o.verbose, 2);
    cr_assert_eq(o.buffer_size, 1u << 20);
    cr_assert_str_eq(o.out, "x.json");
    cr_assert_str_eq(o.mem, "cuda:1");
    run_opts_free(&o);
}

Test(run_opts, stream_size_and_chunk)
{
    struct run_opts o;

    PARSE_OK(&o, "--size", "140GB");
    cr_assert_eq(o.stream_bytes, 140000000000ull);
    cr_assert_eq(run_opts_stream_chunk(&o), 4u << 20);
    cr_assert_eq(run_opts_max_msg(&o), 4u << 20);
    run_opts_free(&o);
    PARSE_OK(&o, "--size", "1G", "--sizes", "1M", "--buffer-size", "8M");
    cr_assert_eq(run_opts_stream_chunk(&o), 1u << 20);
    run_opts_free(&o);
    BAD("--size", "lots");
}

Test(run_opts, node_name_from_environment)
{
    struct run_opts o;

    setenv("TIERPERF_NODE_NAME", "k8s-node-7", 1);
    PARSE_OK(&o, "--quiet");
    cr_assert_str_eq(o.node_name, "k8s-node-7");
    run_opts_free(&o);
    PARSE_OK(&o, "--node-name", "given");
    cr_assert_str_eq(o.node_name, "given", "the option wins over the environment");
    run_opts_free(&o);
    unsetenv("TIERPERF_NODE_NAME");
}

Test(run_opts, bad_values_name_option_and_value)
{
    BAD("--transport", "carrier-pigeon");
    BAD("--pattern", "zigzag");
    BAD("--mem", "gpu");
    BAD("--mem", "cuda:x");
    BAD("--sizes", "1:banana");
    BAD("--sizes", "-5");
    BAD("--iters", "0");
    BAD("--iters", "ten");
    BAD("--duration", "-1");
    BAD("--duration", "nan");
    BAD("--timeout", "0");
    BAD("--streams", "0");
    BAD("--streams", "1000");
    BAD("--tx-depth", "-3");
    BAD("--subnet", "198.18.0.0");
    BAD("--subnet", "300.1.1.1/8");
    BAD("--subnet", "10.0.0.0/33");
    BAD("--rdma-op", "atomic");
    BAD("--port", "999");
    BAD("--buffer-size", "1");
    BAD("--lat-iters", "0");
    BAD("--if", "an-interface-name-too-long");
}

Test(run_opts, combinations)
{
    expect_bad(ARGC("--pattern", "tiers"), ARGV("--pattern", "tiers"), "--pattern", "tiers");
    expect_bad(ARGC("--no-bw", "--no-lat"), ARGV("--no-bw", "--no-lat"), "--no-bw", NULL);
    expect_bad(ARGC("--size", "1G", "--sizes", "1K,2K"), ARGV("--size", "1G", "--sizes", "1K,2K"),
               "--sizes", "1K,2K");
    expect_bad(ARGC("--nodes", "n.yaml"), ARGV("--nodes", "n.yaml"), "--nodes", "n.yaml");
}

Test(run_opts, unknown_option_missing_value_and_stray_argument)
{
    expect_bad(ARGC("--frobnicate"), ARGV("--frobnicate"), "--frobnicate", NULL);
    expect_bad(ARGC("--sizes"), ARGV("--sizes"), "--sizes", NULL);
    expect_bad(ARGC("extra"), ARGV("extra"), "extra", NULL);
}

Test(run_opts, help_lists_transports_patterns_and_units)
{
    struct run_opts o;
    struct tp_error err = {0};
    int help = 0;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    cr_assert_eq(run_opts_parse(ARGC("--help"), ARGV("--help"), &o, &help, &err), TP_OK);
    cr_assert(help);
    run_opts_help(f);
    fclose(f);
    cr_assert_not_null(strstr(text, "mpi "));
    cr_assert_not_null(strstr(text, "tcp "));
    cr_assert_not_null(strstr(text, "allpairs"));
    cr_assert_not_null(strstr(text, "10^9 bit/s"));
    cr_assert_not_null(strstr(text, "--timeout"));
    free(text);
    run_opts_free(&o);
}

Test(run_opts, ring_is_bounded)
{
    struct run_opts o;

    /* sweep: tx-depth messages of the largest size, within --buffer-size */
    PARSE_OK(&o, "--sizes", "1:64K", "--tx-depth", "16");
    cr_assert_eq(run_opts_ring_bytes(&o), 16u * 65536);
    run_opts_free(&o);
    PARSE_OK(&o, "--sizes", "1:1G");
    cr_assert_eq(run_opts_ring_bytes(&o), 1u << 30, "at least one message");
    run_opts_free(&o);
    PARSE_OK(&o, "--sizes", "4M", "--buffer-size", "32M");
    cr_assert_eq(run_opts_ring_bytes(&o), 32u << 20);
    run_opts_free(&o);
    /* streamed: exactly --buffer-size, however large the transfer */
    PARSE_OK(&o, "--size", "100GB", "--buffer-size", "8M");
    cr_assert_eq(run_opts_ring_bytes(&o), 8u << 20);
    run_opts_free(&o);
}

Test(run_opts, gpu_choice_with_plain_cuda_only)
{
    struct run_opts o;

    PARSE_OK(&o, "--mem", "cuda", "--gpu", "auto");
    cr_assert_str_eq(o.gpu, "auto");
    run_opts_free(&o);
    PARSE_OK(&o, "--mem", "cuda", "--gpu", "3");
    cr_assert_str_eq(o.gpu, "3");
    run_opts_free(&o);
    PARSE_OK(&o, "--gpu", "local", "--mem", "cuda");
    cr_assert_str_eq(o.gpu, "local");
    run_opts_free(&o);
    PARSE_OK(&o, "--mem", "cuda");
    cr_assert_null(o.gpu, "no --gpu: the local-rank default");
    run_opts_free(&o);
    expect_bad(ARGC("--mem", "cuda", "--gpu", "nearest"), ARGV("--mem", "cuda", "--gpu", "nearest"),
               "--gpu", "nearest");
    expect_bad(ARGC("--mem", "cuda", "--gpu", "-1"), ARGV("--mem", "cuda", "--gpu", "-1"),
               "--gpu", "-1");
    expect_bad(ARGC("--gpu", "auto"), ARGV("--gpu", "auto"), "--gpu", "applies to --mem cuda");
    expect_bad(ARGC("--mem", "cuda:1", "--gpu", "0"), ARGV("--mem", "cuda:1", "--gpu", "0"),
               "--gpu", "already names");
}

/* run reads quantities with the same grammar as the answer commands
 * (common/units.h): 4Ki is a size here too, durations take units. */
Test(run_opts, same_units_as_the_answer_commands)
{
    struct run_opts o;
    PARSE_OK(&o, "--sizes", "4Ki,1Mi", "--timeout", "30s", "--duration", "250ms");
    cr_assert_eq(o.nsizes, 2);
    cr_assert_eq(o.sizes[0], 4096);
    cr_assert_float_eq(o.cfg.timeout_s, 30, 1e-9);
    cr_assert_float_eq(o.duration_s, 0.25, 1e-9);
    run_opts_free(&o);
    PARSE_OK(&o, "--timeout", "2m");
    cr_assert_float_eq(o.cfg.timeout_s, 120, 1e-9);
    run_opts_free(&o);
    BAD("--sizes", "0.5");
    BAD("--timeout", "1e3");
    BAD("--timeout", "2d");
    BAD("--duration", "25h");
}
