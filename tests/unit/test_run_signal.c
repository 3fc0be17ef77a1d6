/* test_run_signal.c: run_signal_quiesce, which ends of the process other
 * than the signal thread (MPI_Abort) go through: it waits for a results
 * save under way in another thread (which ends the process itself, its
 * temp file renamed or removed), and goes on in the thread holding the
 * lock.  Each case in a child process, which must end one way. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/engine/run_signal.h"

static int g_pipe[2];

/* A save in another thread: holds the lock, works 300 ms, ends the process. */
static void *saving(void *arg)
{
    struct timespec ts = {0, 300 * 1000 * 1000};

    (void)arg;
    run_signal_lock();
    (void)!write(g_pipe[1], "s", 1);
    nanosleep(&ts, NULL);
    _exit(7);
}

static int child_status(pid_t pid)
{
    int status = 0;

    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "child did not exit (status %d)", status);
    return WEXITSTATUS(status);
}

Test(run_signal, quiesce_waits_for_a_save_in_another_thread, .timeout = 30)
{
    cr_assert_eq(pipe(g_pipe), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        pthread_t th;
        char c;
        if (pthread_create(&th, NULL, saving, NULL) != 0 || read(g_pipe[0], &c, 1) != 1)
            _exit(2);
        run_signal_quiesce();   /* the save ends the process first */
        _exit(9);
    }
    cr_assert_eq(child_status(pid), 7, "the process ended while a save was under way");
}

Test(run_signal, quiesce_goes_on_in_the_thread_holding_the_lock, .timeout = 30)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        run_signal_lock();
        run_signal_quiesce();
        _exit(5);
    }
    cr_assert_eq(child_status(pid), 5);
}
