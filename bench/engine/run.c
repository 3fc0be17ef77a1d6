/* run.c: `tierperf run` after MPI_Init (see run.h): set-up, the rounds of
 * the pattern, and rank 0's results file and table. */
#include "run.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "ctrl_beat.h"
#include "ctrl_mpi.h"
#include "engine.h"
#include "gpu_select.h"
#include "mpi_boot.h"
#include "../../report/report_table.h"
#include "../results/results_read.h"
#include "../results/results_write.h"
#include "../results/run_header.h"
#include "rail_near.h"
#include "run_setup.h"
#include "run_signal.h"
#include "run_sharing.h"
#include "setup_check.h"
#include "timing.h"
#include "../../topology/topo_pack.h"

/* Everything a run holds, released by run_cleanup in reverse order. */
struct run_state {
    struct run_opts o;
    struct ctrl_mpi cm;
    struct ctrl_beat beat;          /* rank 0's heartbeat, the others' watch */
    struct tp_ctrl ctrl;
    char **names;
    struct topo_plan *plan;
    const struct tp_transport_ops *ops;
    void *tctx;
    struct tp_mem mem;
    int mem_open;
    struct gpu_choice gpu;
    struct rail_near_arg rail_arg;  /* --devices/--ifaces with a GPU */
    struct binding_result binding;  /* made before the buffers */
    struct tp_buf bufs[2];
    struct tp_link_info *links;
    struct env_host *hosts;
    struct results_writer *w;
    struct progress prog;
    char start_time[32];
    struct run_sharing sharing;   /* also in the results header */
};

/* Exit status for a set-up failure: bad input or an unavailable kind is
 * usage (2), anything else a failed run (1). */
static int setup_exit(tp_status_t st)
{
    return st == TP_ERR_INVALID || st == TP_ERR_UNSUPPORTED || st == TP_ERR_NO_DEVICE ||
                   st == TP_ERR_PARSE
               ? 2
               : 1;
}

/* Agree on a step's outcome; rank 0 names the first failing rank when it
 * was not rank 0 itself (that rank logged its own message). */
static int agreed_fail(struct run_state *s, tp_status_t mine, const struct tp_error *err,
                       const char *step)
{
    int who = 0;
    tp_status_t all = setup_agree(s->cm.comm, mine, &who);

    if (all == TP_OK)
        return 0;
    if (mine != TP_OK && err != NULL && err->msg[0] != '\0' && (s->cm.rank == 0 || who == s->cm.rank))
        tp_log_error("%s", err->msg);
    else if (s->cm.rank == 0)
        tp_log_error("%s failed on rank %d: %s", step, who, tp_status_string(all));
    return setup_exit(all);
}

/* One peer per rank per round, or the round is run one rank pair at a time. */
static int rounds_disjoint(const struct topo_plan *plan, int nranks)
{
    int *peer = malloc((size_t)nranks * sizeof(int));
    int ok = peer != NULL;

    for (size_t t = 0; ok && t < plan->ntiers; t++)
        for (size_t r = 0; ok && r < plan->tiers[t].nrounds; r++) {
            const struct topo_round *rd = &plan->tiers[t].rounds[r];
            for (int i = 0; i < nranks; i++)
                peer[i] = -1;
            for (size_t i = 0; ok && i < rd->npairs; i++) {
                int a = rd->pairs[i].src, b = rd->pairs[i].dst;
                if (a < 0 || b < 0 || a >= nranks || b >= nranks || a == b ||
                    (peer[a] >= 0 && peer[a] != b) || (peer[b] >= 0 && peer[b] != a))
                    ok = 0;
                else
                    peer[a] = b, peer[b] = a;
            }
        }
    free(peer);
    return ok;
}

static uint64_t count_rounds(const struct topo_plan *plan)
{
    uint64_t n = 0;

    for (size_t t = 0; t < plan->ntiers; t++)
        n += plan->tiers[t].nrounds;
    return n;
}

/* Rank 0: whether pairs of one round may slow each other down (without a
 * topology: run_sharing's warning). */
static void say_sharing(const struct topo_plan *plan, int have_topo, const char *no_topo_warning)
{
    size_t pairs = 0, sharing = 0, concurrent = 0;

    for (size_t t = 0; t < plan->ntiers; t++)
        for (size_t r = 0; r < plan->tiers[t].nrounds; r++) {
            const struct topo_round *rd = &plan->tiers[t].rounds[r];
            for (size_t i = 0; i < rd->npairs; i++) {
                pairs++;
                sharing += rd->pairs[i].shared > 0;
                concurrent += rd->npairs > 2 || (rd->npairs == 2 && (rd->pairs[0].src != rd->pairs[1].dst ||
                                                                     rd->pairs[0].dst != rd->pairs[1].src));
            }
        }
    if (!have_topo && concurrent > 0 && no_topo_warning[0] != '\0')
        tp_log_warn("%s", no_topo_warning);
    else if (sharing > 0)
        tp_log_warn("%zu of %zu pairs share a link in the same direction with another pair of their "
                    "round (results field round_shared)", sharing, pairs);
    else if (have_topo)
        tp_log_info("rounds planned so that no two pairs of a round share a link in the same direction");
}

static int plan_rounds(struct run_state *s, const struct bench_pattern *pat, struct topo *topo)
{
    struct tp_error err = {0};
    tp_status_t st = TP_OK;

    if (topo != NULL) {
        st = topo_bind_nodes(topo, (const char *const *)s->names, (size_t)s->cm.size, &err);
        if (st == TP_OK && s->cm.rank == 0)
            for (size_t i = 0; i < topo_warning_count(topo); i++)
                tp_log_warn("%s", topo_warning(topo, i));
        if (st == TP_OK)
            st = setup_check_nodes(topo, s->o.topology, (const char *const *)s->names,
                                   (size_t)s->cm.size, &err);
    }
    struct pattern_input in = {topo, (const char *const *)s->names, (size_t)s->cm.size, &s->o};
    if (st == TP_OK)
        st = pat->plan(&in, &s->plan, &err);
    /* patterns with their own run_round schedule their rounds themselves */
    if (st == TP_OK && pat->run_round == NULL &&
        (s->o.serial || !rounds_disjoint(s->plan, s->cm.size)))
        st = pattern_plan_serialize(s->plan, &err);
    if (st == TP_OK)
        st = topo_plan_annotate(topo, (const char *const *)s->names, (size_t)s->cm.size, s->plan,
                                &err);
    if (st == TP_OK && strcmp(pat->name, "pairs") == 0)
        setup_warn_idle(s->plan, pat->name, (const char *const *)s->names, (size_t)s->cm.size,
                        s->cm.rank == 0);
    /* the plan is computed identically everywhere: rank 0 speaks */
    if (st != TP_OK) {
        if (s->cm.rank == 0)
            tp_log_error("%s", err.msg);
        return setup_exit(st);
    }
    run_sharing_assess(s->plan, topo, pat->run_round != NULL, &s->sharing);
    if (s->cm.rank == 0 && pat->run_round == NULL)
        say_sharing(s->plan, topo != NULL, s->sharing.warning);
    return 0;
}

static int open_memory(struct run_state *s)
{
    struct tp_error err = {0};
    struct tp_link_info link;

    memset(&link, 0, sizeof(link));
    if (s->ops != NULL && s->ops->link_info(s->tctx, &link, &err) != TP_OK)
        memset(&link, 0, sizeof(link));     /* facts unknown: not an error */
    memset(&err, 0, sizeof(err));
    tp_status_t st = gpu_select_open(&s->o, link.device, s->o.cfg.local_rank, &s->mem,
                                     &s->gpu, &err);
    s->mem_open = st == TP_OK;
    return agreed_fail(s, st, &err, "memory");
}

/* Pinned near this rank's NIC before any buffer is allocated. */
static void bind_near_nic(struct run_state *s)
{
    struct tp_error err = {0};
    struct tp_link_info link;

    memset(&link, 0, sizeof(link));
    if (s->ops->link_info(s->tctx, &link, &err) != TP_OK)
        memset(&link, 0, sizeof(link));     /* facts unknown: not an error */
    setup_bind(&s->o, link.device, s->o.cfg.local_rank, s->o.cfg.local_size, &s->binding);
}

static int open_transport(struct run_state *s)
{
    struct tp_error err = {0};
    tp_status_t st;
    int rc;

    /* memory first: "--mem cuda: no GPU" is the clearer message when
     * both the memory kind and the transport are unavailable; --gpu auto
     * needs the transport's NIC to choose, so it opens memory after */
    if (!gpu_select_needs_nic(&s->o) && (rc = open_memory(s)) != 0)
        return rc;
    s->ops = tp_transport_find(s->o.transport);
    ctrl_mpi_view(&s->cm, &s->ctrl);
    memset(&err, 0, sizeof(err));
    if (s->gpu.index >= 0 && s->gpu.pci[0] != '\0') {   /* rails: the NIC nearest the GPU */
        s->rail_arg = (struct rail_near_arg){s->gpu.pci, s->o.cfg.local_rank};
        s->o.cfg.rail_near = rail_near_live;
        s->o.cfg.rail_arg = &s->rail_arg;
    }
    st = s->ops->init(&s->o.cfg, &s->ctrl, &s->tctx, &err);
    if (st != TP_OK) {      /* the transport's own line names it ("verbs: ...") */
        s->tctx = NULL;
        if (st == TP_ERR_UNSUPPORTED || err.msg[0] == '\0')
            tp_error_set(&err, st, "--transport %s: %s", s->o.transport,
                         st == TP_ERR_UNSUPPORTED ? "not available in this build or on this host"
                                                  : tp_status_string(st));
    }
    if ((rc = agreed_fail(s, st, &err, "transport init")) != 0)
        return rc;
    bind_near_nic(s);
    if (gpu_select_needs_nic(&s->o) && (rc = open_memory(s)) != 0)
        return rc;
    if (!s->mem.ops->is_host && !(s->ops->caps & (TP_CAP_DEVICE_MEM | TP_CAP_STAGED_MEM)))
        st = tp_error_set(&err, TP_ERR_UNSUPPORTED, "--mem %s: transport %s moves host memory only",
                          s->o.mem, s->o.transport);
    if (st == TP_OK && s->o.bidir && !(s->ops->caps & TP_CAP_BIDIR))
        st = tp_error_set(&err, TP_ERR_UNSUPPORTED, "--bidir: transport %s has no bidirectional mode",
                          s->o.transport);
    if ((rc = agreed_fail(s, st, &err, "transport capabilities")) != 0)
        return rc;
    memset(&err, 0, sizeof(err));
    st = setup_buffers(&s->o, s->ops, s->tctx, &s->mem, s->bufs, &err);
    return agreed_fail(s, st, &err, "buffers");
}

static int describe_hosts(struct run_state *s)
{
    struct tp_link_info mine;
    struct tp_error err = {0};

    memset(&mine, 0, sizeof(mine));
    if (s->ops->link_info(s->tctx, &mine, &err) != TP_OK)
        memset(&mine, 0, sizeof(mine));     /* facts unknown: not an error */
    memset(&err, 0, sizeof(err));
    tp_status_t st = setup_links(s->cm.comm, &mine, &s->links);
    if (st == TP_OK)
        st = setup_hosts(s->cm.comm, s->names[s->cm.rank], &mine, &s->gpu, &s->binding,
                         &s->hosts, &err);
    return agreed_fail(s, st, &err, "environment capture");
}

static int open_results(struct run_state *s, struct topo *topo, double budget, int argc,
                        char **argv)
{
    struct tp_error err = {0};
    tp_status_t st = TP_OK;

    if (s->cm.rank == 0) {
        char mem[32];
        if (s->mem.device >= 0)
            snprintf(mem, sizeof(mem), "%s:%d", s->mem.ops->name, s->mem.device);
        else
            snprintf(mem, sizeof(mem), "%s", s->mem.ops->name);
        struct run_header_input in = {&s->o, argc, argv, s->start_time, mem, s->hosts,
                                      s->links, s->cm.size, topo, budget};
        cJSON *h = run_header_json(&in);
        if (h != NULL)
            cJSON_AddItemToObject(h, "concurrency", run_sharing_json(&s->sharing));
        st = h == NULL ? tp_error_set(&err, TP_ERR_NO_MEMORY, "out of memory for the header")
                       : results_open(s->o.out, h, &s->w, &err);
        if (st != TP_OK)
            tp_log_error("%s", err.msg);
    }
    int ist = (int)st;
    MPI_Bcast(&ist, 1, MPI_INT, 0, s->cm.comm);
    /* a results file that cannot be created is bad --out input */
    return ist == TP_OK ? 0 : ist == TP_ERR_NO_MEMORY ? 1 : 2;
}

static void print_end(struct run_state *s, const char *path)
{
    struct tp_error err = {0};
    cJSON *run = NULL;

    if (!s->o.quiet && results_load(path, &run, &err) == TP_OK) {
        report_print_table(run, stdout, NULL);
        cJSON_Delete(run);
    }
    printf("results: %s\n", path);
    fflush(stdout);
}

/* The final file could not be written (a full disk): the table still
 * shows what was measured; the error that follows says where it is kept. */
static void print_unsaved(struct run_state *s, struct bench_engine *e)
{
    cJSON *run = s->o.quiet ? NULL : results_snapshot(s->w, 1, collect_tier_name, (void *)e->topo);

    if (run != NULL) {
        report_print_table(run, stdout, NULL);
        cJSON_Delete(run);
        fflush(stdout);
    }
}

static int finish(struct run_state *s, struct bench_engine *e)
{
    struct tp_error err = {0};
    int rc = 0;

    if (s->cm.rank == 0) {
        progress_end(&s->prog);
        tp_status_t st = run_signal_finish(s->w, 1, e->topo, &err);
        if (st != TP_OK) {
            print_unsaved(s, e);
            tp_log_error("%s", err.msg);
            rc = 1;
        } else {
            print_end(s, results_path(s->w));
        }
        if (e->nerrors > 0) {
            tp_log_error("%d measurement(s) failed; see errors[] in %s", e->nerrors,
                         results_path(s->w));
            rc = 1;
        }
        results_close(s->w);
        s->w = NULL;
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, s->cm.comm);
    return rc;
}

static void run_cleanup(struct run_state *s)
{
    /* first: nothing waits on rank 0 any more, however long the rest takes */
    ctrl_beat_stop(&s->beat);
    if (s->w != NULL)
        results_close(s->w);
    free(s->hosts);
    free(s->links);
    if (s->ops != NULL)
        setup_buffers_free(s->ops, s->tctx, s->bufs);
    if (s->mem_open)
        tp_mem_close(&s->mem);
    if (s->ops != NULL && s->tctx != NULL)
        s->ops->finalize(s->tctx);
    topo_plan_free(s->plan);
    if (s->names != NULL) {
        free(s->names[0]);
        free(s->names);
    }
    ctrl_mpi_free(&s->cm);
}

static int drive(struct run_state *s, struct bench_engine *e)
{
    const struct bench_pattern *pat = e->pattern;

    for (size_t t = 0; t < s->plan->ntiers; t++) {
        const struct topo_tier_plan *tier = &s->plan->tiers[t];
        if (s->cm.rank == 0 && tier->tier >= 0)
            tp_log_info("tier %d%s%s: %zu round(s)", tier->tier, tier->tier_name ? " " : "",
                        tier->tier_name ? tier->tier_name : "", tier->nrounds);
        for (size_t r = 0; r < tier->nrounds; r++) {
            tp_status_t st = pat->run_round != NULL ? pat->run_round(e, tier, &tier->rounds[r])
                                                    : round_run_pairs(e, tier, &tier->rounds[r]);
            if (st != TP_OK && s->cm.rank == 0)
                e->nerrors++;
        }
    }
    return finish(s, e);
}

int run_main(const struct run_opts *opts, struct topo *topo, int argc, char **argv)
{
    struct run_state s;
    struct tp_error err = {0};
    int rc;

    memset(&s, 0, sizeof(s));
    s.o = *opts;
    run_header_time(s.start_time, sizeof(s.start_time));
    if (ctrl_mpi_init(&s.cm, MPI_COMM_WORLD, s.o.cfg.timeout_s, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        return 1;
    }
    tp_log_set_rank(s.cm.rank);
    if (ctrl_beat_start(&s.beat, MPI_COMM_WORLD, mpi_boot_thread_multiple(), s.o.cfg.timeout_s,
                        s.o.out) != 0 && s.cm.rank == 0)
        tp_log_info("no heartbeat thread (MPI without MPI_THREAD_MULTIPLE): if rank 0 stops, "
                    "the others end the job after a round's budget");
    if (run_signal_start(s.cm.rank) != 0)
        tp_log_warn("cannot watch for SIGINT/SIGTERM: a signal will end the run unsaved");
    if (ctrl_mpi_secret(&s.cm, &s.o.cfg.secret, &err) != TP_OK ||
        setup_node_names(s.cm.comm, s.o.node_name, &s.names, &err) != TP_OK) {
        tp_log_error("%s", err.msg);
        run_cleanup(&s);
        return 1;
    }
    ctrl_beat_name(&s.beat, s.names[0]);
    setup_local_rank((const char *const *)s.names, s.cm.rank, s.cm.size, &s.o.cfg.local_rank,
                     &s.o.cfg.local_size);
    s.gpu.index = -1;
    const struct bench_pattern *pat = pattern_find(s.o.pattern);
    double t0 = timing_now_s();
    if ((rc = plan_rounds(&s, pat, topo)) != 0 || (rc = open_transport(&s)) != 0 ||
        (rc = describe_hosts(&s)) != 0) {
        run_cleanup(&s);
        return rc;
    }
    tp_log_debug("set-up took %.3f s", timing_now_s() - t0);
    double budget = run_round_budget_s(&s.o, s.bufs[0].len);
    if ((rc = open_results(&s, topo, budget, argc, argv)) != 0) {
        run_cleanup(&s);
        return rc;
    }
    struct bench_engine e = {
        .o = &s.o, .pattern = pat, .ops = s.ops, .tctx = s.tctx, .cm = &s.cm,
        .rank = s.cm.rank, .nranks = s.cm.size, .node_of_rank = (const char *const *)s.names,
        .topo = topo, .mem = &s.mem, .links = s.links, .round_budget_s = budget,
        .step_bound_s = run_step_bound_s(&s.o, s.bufs[0].len),
        .report_thread = mpi_boot_thread_multiple(),
        .nsteps = s.o.stream_bytes > 0 ? 1 : s.o.nsizes, .w = s.w,
    };
    memcpy(e.bufs, s.bufs, sizeof(e.bufs));
    if (s.cm.rank == 0) {
        progress_init(&s.prog, !s.o.quiet, count_rounds(s.plan));
        progress_plan(&s.prog, s.plan);
        e.prog = &s.prog;
        run_signal_attach(s.w, topo);
    }
    rc = drive(&s, &e);
    s.w = NULL;
    run_cleanup(&s);
    return rc;
}
