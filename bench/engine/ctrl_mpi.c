/* ctrl_mpi.c: the MPI control plane with deadlines (see ctrl_mpi.h). */
#include "ctrl_mpi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../../common/log.h"
#include "../../transports/tp_deadline.h"
#include "run_signal.h"
#include "timing.h"

#define CTRL_TAG_BASE 100
#define CTRL_TAG_SPAN 20000
/* above the reports' tags (round.c); MPI_TAG_UB is at least 32767 */
#define NOTICE_TAG_BASE 30100
#define NOTICE_TAG_SPAN 2000

tp_status_t ctrl_mpi_init(struct ctrl_mpi *c, MPI_Comm world, double timeout_s,
                          struct tp_error *err)
{
    memset(c, 0, sizeof(*c));
    c->comm = MPI_COMM_NULL;
    c->data_comm = MPI_COMM_NULL;
    /* a failing peer is an error to record, not the end of the job; errors
     * not tied to a communicator (requests, MPI_Abort's) are raised on
     * MPI_COMM_WORLD (Open MPI 4) or MPI_COMM_SELF (MPI 4.0): returned too,
     * so rank 0 always gets to save what it has */
    MPI_Comm_set_errhandler(world, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
    if (MPI_Comm_dup(world, &c->comm) != MPI_SUCCESS ||
        MPI_Comm_dup(world, &c->data_comm) != MPI_SUCCESS)
        return tp_error_set(err, TP_ERR_IO, "MPI_Comm_dup failed");
    MPI_Comm_set_errhandler(c->comm, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(c->data_comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(c->comm, &c->rank);
    MPI_Comm_size(c->comm, &c->size);
    c->timeout_s = timeout_s;
    ctrl_mpi_set_epoch(c, 0);
    return TP_OK;
}

void ctrl_mpi_free(struct ctrl_mpi *c)
{
    if (c->comm != MPI_COMM_NULL)
        MPI_Comm_free(&c->comm);
    if (c->data_comm != MPI_COMM_NULL)
        MPI_Comm_free(&c->data_comm);
}

void ctrl_mpi_view(struct ctrl_mpi *c, struct tp_ctrl *ctrl_p)
{
    ctrl_p->rank = c->rank;
    ctrl_p->size = c->size;
    ctrl_p->exchange = ctrl_mpi_exchange;
    ctrl_p->arg = c;
    ctrl_p->mpi_comm = &c->data_comm;
}

void ctrl_mpi_set_epoch(struct ctrl_mpi *c, unsigned epoch)
{
    c->tag = CTRL_TAG_BASE + (int)(epoch % CTRL_TAG_SPAN);
    c->notice_tag = NOTICE_TAG_BASE + (int)(epoch % NOTICE_TAG_SPAN);
}

void ctrl_mpi_notice_send(struct ctrl_mpi *c, int peer, tp_status_t why)
{
    /* one constant per status: the buffer outlives the send */
    static const int32_t codes[] = {0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11};
    int i = why < 0 && -(int)why < (int)(sizeof(codes) / sizeof(codes[0])) ? -(int)why : 5;
    MPI_Request req = MPI_REQUEST_NULL;

    /* small (sent eagerly); nobody waits for it: a dead peer never takes it */
    if (MPI_Isend(&codes[i], 1, MPI_INT32_T, peer, c->notice_tag, c->comm, &req) == MPI_SUCCESS)
        MPI_Request_free(&req);
}

tp_status_t ctrl_mpi_notice_take(struct ctrl_mpi *c, int peer)
{
    int32_t v = TP_ERR_IO;
    int flag = 0;

    if (MPI_Iprobe(peer, c->notice_tag, c->comm, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS ||
        !flag)
        return TP_OK;
    /* already here: the receive completes at once */
    MPI_Recv(&v, 1, MPI_INT32_T, peer, c->notice_tag, c->comm, MPI_STATUS_IGNORE);
    return v < 0 ? (tp_status_t)v : TP_ERR_IO;
}

/* Spin briefly, then sleep with back-off up to 2 ms: control waits are
 * not timed, and an idle rank must not steal a measuring rank's core. */
static void backoff(unsigned *spins)
{
    if (*spins < 200) {
        (*spins)++;
        return;
    }
    long ns = 20000L * (long)(*spins - 199);
    if (ns > 2000000L)
        ns = 2000000L;
    else
        (*spins)++;
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

/* Give up on requests that did not complete.  Point-to-point ones are
 * cancelled and freed; a collective's (MPI_Ibarrier) may be neither
 * cancelled nor freed (MPI 4.0, 3.7.3 and 6.12), so it is left as it is
 * (the job is ended soon after such a give-up). */
static void abandon(MPI_Request *reqs, int n, int collective)
{
    for (int i = 0; i < n; i++) {
        if (reqs[i] == MPI_REQUEST_NULL)
            continue;
        if (!collective) {
            MPI_Cancel(&reqs[i]);
            MPI_Request_free(&reqs[i]);
        }
        reqs[i] = MPI_REQUEST_NULL;
    }
}

/* statuses: NULL, or one per request, filled as each completes;
 * watched: give up (TP_ERR_PEER) once the thread's pair watch sees the
 * peer gone (tp_deadline.h) */
static tp_status_t wait_requests(MPI_Request *reqs, int n, MPI_Status *statuses,
                                 double timeout_s, int collective, int watched)
{
    double last = timing_now_s();
    unsigned spins = 0;

    for (;;) {
        int left = 0;
        for (int i = 0; i < n; i++) {
            int done = 0;
            if (reqs[i] == MPI_REQUEST_NULL)
                continue;
            if (MPI_Test(&reqs[i], &done, statuses ? &statuses[i] : MPI_STATUS_IGNORE) !=
                MPI_SUCCESS) {
                abandon(reqs, n, collective);
                return TP_ERR_IO;
            }
            if (done) {
                last = timing_now_s();
                spins = 0;
            } else {
                left++;
            }
        }
        if (left == 0)
            return TP_OK;
        if (watched && tp_deadline_peer_gone()) {
            abandon(reqs, n, collective);
            return TP_ERR_PEER;
        }
        if (timeout_s > 0 && timing_now_s() - last > timeout_s) {
            abandon(reqs, n, collective);
            return TP_ERR_TIMEOUT;
        }
        backoff(&spins);
    }
}

tp_status_t ctrl_mpi_wait(MPI_Request *reqs, int n, double timeout_s)
{
    return wait_requests(reqs, n, NULL, timeout_s, 0, 0);
}

static int count_ok(size_t len)
{
    return len <= (size_t)INT_MAX;
}

tp_status_t ctrl_mpi_exchange(void *arg, int peer, const void *out, void *in, size_t len)
{
    struct ctrl_mpi *c = arg;
    MPI_Request reqs[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};

    if (!count_ok(len) || peer < 0 || peer >= c->size)
        return TP_ERR_INVALID;
    if (c->idle != NULL && !c->in_idle) {
        c->in_idle = 1;
        c->idle(c->idle_arg);
        c->in_idle = 0;
    }
    if (MPI_Irecv(in, (int)len, MPI_BYTE, peer, c->tag, c->comm, &reqs[0]) != MPI_SUCCESS ||
        MPI_Isend(out, (int)len, MPI_BYTE, peer, c->tag, c->comm, &reqs[1]) != MPI_SUCCESS) {
        abandon(reqs, 2, 0);
        return TP_ERR_IO;
    }
    tp_status_t st = wait_requests(reqs, 2, NULL, c->timeout_s, 0, 1);
    if (st == TP_ERR_TIMEOUT)
        tp_log_error("control exchange with rank %d: no answer within --timeout %.0f s", peer,
                     c->timeout_s);
    return st;
}

tp_status_t ctrl_mpi_send(struct ctrl_mpi *c, int dst, int tag, const void *buf, size_t len,
                          double timeout_s)
{
    MPI_Request req = MPI_REQUEST_NULL;

    if (!count_ok(len))
        return TP_ERR_INVALID;
    if (MPI_Isend(buf, (int)len, MPI_BYTE, dst, tag, c->comm, &req) != MPI_SUCCESS)
        return TP_ERR_IO;
    return ctrl_mpi_wait(&req, 1, timeout_s);
}

tp_status_t ctrl_mpi_recv(struct ctrl_mpi *c, int src, int tag, void *buf, size_t len,
                          double timeout_s)
{
    MPI_Request req = MPI_REQUEST_NULL;

    if (!count_ok(len))
        return TP_ERR_INVALID;
    if (MPI_Irecv(buf, (int)len, MPI_BYTE, src, tag, c->comm, &req) != MPI_SUCCESS)
        return TP_ERR_IO;
    return ctrl_mpi_wait(&req, 1, timeout_s);
}

tp_status_t ctrl_mpi_recv_any(struct ctrl_mpi *c, int tag, void *buf, size_t len,
                              double timeout_s, int *src_p)
{
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Status status;

    if (!count_ok(len))
        return TP_ERR_INVALID;
    if (MPI_Irecv(buf, (int)len, MPI_BYTE, MPI_ANY_SOURCE, tag, c->comm, &req) != MPI_SUCCESS)
        return TP_ERR_IO;
    tp_status_t st = wait_requests(&req, 1, &status, timeout_s, 0, 0);
    if (st == TP_OK)
        *src_p = status.MPI_SOURCE;
    return st;
}

tp_status_t ctrl_mpi_barrier(struct ctrl_mpi *c, double timeout_s)
{
    MPI_Request req = MPI_REQUEST_NULL;

    if (MPI_Ibarrier(c->comm, &req) != MPI_SUCCESS)
        return TP_ERR_IO;
    return wait_requests(&req, 1, NULL, timeout_s, 1, 0);
}

tp_status_t ctrl_mpi_secret(struct ctrl_mpi *c, uint64_t *secret_p, struct tp_error *err)
{
    uint64_t secret = 0;

    if (c->rank == 0) {
        while (secret == 0)
            if (getrandom(&secret, sizeof(secret), 0) != (ssize_t)sizeof(secret))
                return tp_error_set(err, TP_ERR_IO, "getrandom failed for the run secret");
    }
    if (MPI_Bcast(&secret, 1, MPI_UINT64_T, 0, c->comm) != MPI_SUCCESS)
        return tp_error_set(err, TP_ERR_IO, "MPI_Bcast of the run secret failed");
    *secret_p = secret;
    return TP_OK;
}

void ctrl_mpi_abort(struct ctrl_mpi *c, const char *why)
{
    run_signal_quiesce();   /* rank 0: a results save under way is not cut short */
    tp_log_error("aborting the job: %s", why);
    MPI_Abort(c->comm != MPI_COMM_NULL ? c->comm : MPI_COMM_WORLD, 1);
    abort();
}
