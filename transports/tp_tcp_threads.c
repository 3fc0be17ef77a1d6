/* tp_tcp_threads.c: a transfer's streams spread over threads, so a pair's
 * --streams scale with cores as iperf3 (3.16+) and iperf2 do: worker k
 * drives streams k, k + n, ... with its own poll loop (tcp_worker_run); the
 * calling thread is worker 0, the others are started for the call and
 * joined at its end (a few tens of microseconds against the engine's
 * ~50 ms batches).
 *
 * Placement: when this rank is bound to a subset of the machine's CPUs
 * (the engine binds it near its NIC, on the NIC's NUMA node when hwloc
 * knows it: bench/engine/binding.c), worker k is pinned to one CPU of that
 * set, the k-th after the caller's, so the workers spread over the cores
 * near the NIC; a rank that may run anywhere (--no-bind and an unbound
 * launch) leaves its workers to the scheduler.
 *
 * Errors: each worker records its own first line; the first error of the
 * transfer (the thread that broke the endpoint, tcp_ep_fail) becomes the
 * op's one line, the others (the peer reset that followed) are debug
 * lines.  Each worker inherits the caller's deadline (tp_deadline.h). */
#define _GNU_SOURCE     /* CPU_* sets, *_affinity_np, sched_getcpu */
#include "tcp_private.h"
#include "tp_fail.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../common/log.h"
#include "tp_deadline.h"

/* CPUs this thread may use, and whether that is fewer than the machine's
 * (the rank is bound). */
static int cpus_allowed(cpu_set_t *set, int *bound_p)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int n;

    CPU_ZERO(set);
    if (pthread_getaffinity_np(pthread_self(), sizeof(*set), set) != 0)
        return 1;
    n = CPU_COUNT(set);
    *bound_p = online > 0 && n < online;
    return n > 0 ? n : 1;
}

/* Worker k (k >= 1) on the k-th allowed CPU after the one the caller runs
 * on, when the rank is bound; -1 (not pinned) otherwise. */
static void plan_cpus(struct tcp_ep *ep, const cpu_set_t *set, int bound)
{
    int cpus[CPU_SETSIZE], n = 0, pos = 0, cur = sched_getcpu();
    char list[160] = "";
    size_t len = 0;

    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, set)) {
            if (c == cur)
                pos = n;
            cpus[n++] = c;
        }
    for (int k = 0; k < ep->nthreads; k++) {
        ep->thread_cpu[k] = k > 0 && bound && n > 0 ? cpus[(pos + k) % n] : -1;
        if (ep->thread_cpu[k] >= 0 && len < sizeof(list))
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", len ? "," : "",
                                    ep->thread_cpu[k]);
    }
    tp_log_debug("tcp: %d streams to %s on %d threads%s%s", ep->nstreams, ep->peer_name,
                 ep->nthreads, bound ? ", the extra ones pinned to CPUs " : " (not pinned: "
                 "the rank is not bound)", bound ? list : "");
}

int tcp_threads_wanted(struct tcp_ep *ep, int staged)
{
    cpu_set_t set;
    int bound = 0, n;

    /* staged memory goes through one thread's copy lanes and events */
    if (staged || ep->nstreams < 2)
        return 1;
    if (ep->nthreads > 0)
        return ep->nthreads;
    n = cpus_allowed(&set, &bound);
    if (ep->ctx->opts.threads > 0)
        n = ep->ctx->opts.threads;
    ep->nthreads = n < ep->nstreams ? n : ep->nstreams;
    if (ep->nthreads > 1)
        plan_cpus(ep, &set, bound);
    return ep->nthreads;
}

void tcp_threads_wake(struct tcp_ep *ep, const struct tcp_worker *self, int all)
{
    const struct tcp_job *job = ep->job;
    uint64_t one = 1;

    for (int k = 0; job != NULL && k < job->n; k++) {
        struct tcp_worker *w = &job->w[k];
        if (w == self || w->wake_fd < 0)
            continue;
        if (all || __atomic_exchange_n(&w->sleeping, 0, __ATOMIC_SEQ_CST))
            (void)!write(w->wake_fd, &one, sizeof(one));
    }
}

static void *worker_main(void *arg)
{
    struct tcp_worker *w = arg;

    tp_deadline_set(w->job->deadline_at);
    tp_fail_begin(&w->err);
    w->st = tp_fail_end(&w->err, tcp_worker_run(w));
    return NULL;
}

static int worker_start(struct tcp_worker *w)
{
    pthread_attr_t attr;
    int rc;

    if (pthread_attr_init(&attr) != 0)
        return -1;
    if (w->cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(w->cpu, &one);
        pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
    }
    rc = pthread_create(&w->thread, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    w->started = rc == 0;
    return rc == 0 ? 0 : -1;
}

static tp_status_t job_setup(struct tcp_job *job, const struct tcp_worker *proto, int n)
{
    memset(job, 0, sizeof(*job));
    job->w = calloc((size_t)n, sizeof(*job->w));
    if (job->w == NULL) {
        tp_fail("tcp: no memory for %d stream threads", n);
        return TP_ERR_NO_MEMORY;
    }
    for (int k = 0; k < n; k++)
        job->w[k].wake_fd = -1;
    job->n = n;
    job->deadline_at = tp_deadline_get();
    pthread_mutex_init(&job->hook_lock, NULL);
    for (int k = 0; k < n; k++) {
        struct tcp_worker *w = &job->w[k];
        *w = *proto;
        w->job = job;
        w->first = k;
        w->step = n;
        w->cpu = proto->ep->thread_cpu[k];
        tcp_worker_share(w);
        w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (w->wake_fd < 0) {
            tp_fail("tcp: eventfd for stream thread %d failed: %s", k, strerror(errno));
            return TP_ERR_IO;
        }
    }
    return TP_OK;
}

static void job_free(struct tcp_job *job)
{
    for (int k = 0; job->w != NULL && k < job->n; k++)
        if (job->w[k].wake_fd >= 0)
            close(job->w[k].wake_fd);
    if (job->w != NULL)
        pthread_mutex_destroy(&job->hook_lock);
    free(job->w);
    job->w = NULL;
}

/* The transfer's error: the worker that broke the endpoint first, else the
 * first that failed.  The others' lines are only debug lines. */
static tp_status_t job_verdict(const struct tcp_ep *ep, const struct tcp_job *job)
{
    const struct tcp_worker *first = NULL;

    for (int k = 0; k < job->n; k++) {
        const struct tcp_worker *w = &job->w[k];
        if (w->st == TP_OK)
            continue;
        int broke_it = ep->broken && pthread_equal(w->thread, ep->fail_thread);
        if (broke_it || first == NULL)
            first = w;
    }
    for (int k = 0; first != NULL && k < job->n; k++)
        if (&job->w[k] != first && job->w[k].st != TP_OK)
            tp_log_debug("tcp: stream thread %d, after the first error: %s", k,
                         job->w[k].err.msg);
    if (first == NULL)
        return TP_OK;
    tp_fail("%s", first->err.msg);
    return first->st;
}

tp_status_t tcp_threads_run(struct tcp_ep *ep, struct tcp_worker *proto, int n,
                            struct tp_error *err)
{
    struct tcp_job *job = calloc(1, sizeof(*job));
    tp_status_t st = job != NULL ? job_setup(job, proto, n) : TP_ERR_NO_MEMORY;
    int started = 1;

    if (st != TP_OK) {
        if (job != NULL)
            job_free(job);
        free(job);
        return tcp_ep_fail(ep, st, NULL, 0);
    }
    ep->job = job;
    job->w[0].thread = pthread_self();
    /* worker 0 is this thread: its line goes to its own record like the others' */
    tp_fail_begin(&job->w[0].err);
    for (int k = 1; k < n && started; k++)
        if (worker_start(&job->w[k]) != 0) {
            tp_fail("tcp: starting stream thread %d of %d failed", k, n);
            tcp_ep_fail(ep, TP_ERR_NO_MEMORY, NULL, 0);
            started = 0;
        }
    st = started ? tcp_worker_run(&job->w[0]) : TP_ERR_NO_MEMORY;
    job->w[0].st = tp_fail_end(&job->w[0].err, st);
    for (int k = 1; k < n; k++)
        if (job->w[k].started)
            pthread_join(job->w[k].thread, NULL);
    ep->job = NULL;
    tp_fail_begin(err);         /* back to the op's record */
    st = job_verdict(ep, job);
    job_free(job);
    free(job);
    return st;
}
