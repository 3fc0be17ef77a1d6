/* run_signal.c: rank 0 saves and exits on SIGINT/SIGTERM (see
 * run_signal.h). */
#define _GNU_SOURCE 1   /* PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP */
#include "run_signal.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"
#include "../results/results_write.h"
#include "engine.h"

/* One run per process: the signal thread and the main thread share it.
 * Error-checking: run_signal_quiesce in a thread that holds it goes on. */
static struct {
    pthread_mutex_t lock;
    struct results_writer *w;
    const void *topo;
} g_sig = {PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP, NULL, NULL};

static void stop_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

void run_signal_block(void)
{
    sigset_t set;

    stop_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void save_and_exit(int sig)
{
    struct tp_error err = {0};

    pthread_mutex_lock(&g_sig.lock);    /* held: no write after this one */
    if (g_sig.w == NULL)
        tp_log_error("interrupted by %s (no results file open)", sig == SIGINT ? "SIGINT" : "SIGTERM");
    else if (results_finish(g_sig.w, 0, collect_tier_name, (void *)g_sig.topo, &err) == TP_OK)
        tp_log_error("interrupted by %s: results so far saved in %s (complete: false)",
                     sig == SIGINT ? "SIGINT" : "SIGTERM", results_path(g_sig.w));
    else
        tp_log_error("interrupted by %s: %s; every measurement is in %s.journal.jsonl",
                     sig == SIGINT ? "SIGINT" : "SIGTERM", err.msg, results_path(g_sig.w));
    fflush(stdout);
    fflush(stderr);
    _exit(RUN_SIGNAL_EXIT_BASE + sig);
}

/* Another rank: end a little later than at once, so the launcher, seeing
 * its ranks die, does not kill rank 0 before it has saved (Open MPI's
 * orted escalates to SIGKILL when the others are gone). */
static void linger_and_exit(int sig)
{
    struct timespec ts = {RUN_SIGNAL_LINGER_S, 0};

    while (nanosleep(&ts, &ts) != 0)
        ;
    _exit(RUN_SIGNAL_EXIT_BASE + sig);
}

static void *wait_signal(void *arg)
{
    sigset_t set;
    int sig = 0;
    int rank = (int)(intptr_t)arg;

    stop_set(&set);
    while (sigwait(&set, &sig) != 0)
        ;
    if (rank == 0)
        save_and_exit(sig);
    linger_and_exit(sig);
    return NULL;
}

int run_signal_start(int rank)
{
    pthread_t th;

    if (pthread_create(&th, NULL, wait_signal, (void *)(intptr_t)rank) != 0)
        return -1;
    pthread_detach(th);
    return 0;
}

void run_signal_attach(struct results_writer *w, const void *topo)
{
    pthread_mutex_lock(&g_sig.lock);
    g_sig.w = w;
    g_sig.topo = topo;
    pthread_mutex_unlock(&g_sig.lock);
}

void run_signal_lock(void)
{
    pthread_mutex_lock(&g_sig.lock);
}

void run_signal_unlock(void)
{
    pthread_mutex_unlock(&g_sig.lock);
}

tp_status_t run_signal_finish(struct results_writer *w, int complete, const void *topo,
                              struct tp_error *err)
{
    pthread_mutex_lock(&g_sig.lock);
    tp_status_t st = results_finish(w, complete, collect_tier_name, (void *)topo, err);
    if (g_sig.w == w) {     /* saved (or failed): a signal now has nothing to save */
        g_sig.w = NULL;
        g_sig.topo = NULL;
    }
    pthread_mutex_unlock(&g_sig.lock);
    return st;
}

void run_signal_quiesce(void)
{
    /* held for good, or already by this thread (EDEADLK): either way no
     * save is under way in another thread, and none starts */
    (void)pthread_mutex_lock(&g_sig.lock);
}
