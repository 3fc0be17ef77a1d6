/* ctrl_mpi.h: the control plane over MPI.  Gives transports their struct
 * tp_ctrl (pairwise exchange of connection blobs) and the engine its
 * messages, each bounded by --timeout: every wait is a MPI_Test loop with a
 * deadline (sleeping between tests so idle ranks leave the CPU to the
 * ranks that measure), never a call that can block forever on a dead
 * peer. */
#ifndef TIERPERF_CTRL_MPI_H
#define TIERPERF_CTRL_MPI_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/status.h"
#include "../../transports/transport.h"

struct ctrl_mpi {
    MPI_Comm comm;          /* engine and transport connection data */
    MPI_Comm data_comm;     /* bulk data of the MPI transport */
    int rank, size;
    double timeout_s;       /* <= 0: no limit */
    int tag;                /* exchange tag: changes per round (epoch) */
    int notice_tag;         /* a pair's "I gave up" notice: per epoch too */
    /* called at each control exchange (between the units of a pair's
     * work): rank 0 journals the reports that have come meanwhile */
    void (*idle)(void *arg);
    void *idle_arg;
    int in_idle;
};

tp_status_t ctrl_mpi_init(struct ctrl_mpi *c, MPI_Comm world, double timeout_s,
                          struct tp_error *err);
void ctrl_mpi_free(struct ctrl_mpi *c);
/* The view given to transports (exchange bound to c). */
void ctrl_mpi_view(struct ctrl_mpi *c, struct tp_ctrl *ctrl_p);
/* A new epoch (round): late messages of an abandoned exchange cannot be
 * taken for this round's. */
void ctrl_mpi_set_epoch(struct ctrl_mpi *c, unsigned epoch);

/* A side that fails its pair tells the peer at once, so a peer that was
 * frozen or slow stops waiting for it as soon as it looks (pair_run.c):
 * notice_send posts the notice (why: the failure) without waiting;
 * notice_take returns the peer's failure (and takes the notice) once it
 * has come, else TP_OK. */
void ctrl_mpi_notice_send(struct ctrl_mpi *c, int peer, tp_status_t why);
tp_status_t ctrl_mpi_notice_take(struct ctrl_mpi *c, int peer);

/* tp_ctrl.exchange: both peers send len bytes and receive the other's.
 * Within a pair it ends early (TP_ERR_PEER) once the pair's watch
 * (tp_deadline_watch) sees the peer give up. */
tp_status_t ctrl_mpi_exchange(void *arg, int peer, const void *out, void *in, size_t len);

/* Wait for n requests until all complete or timeout_s passes with none
 * completing (then the rest are cancelled/freed: TP_ERR_TIMEOUT). */
tp_status_t ctrl_mpi_wait(MPI_Request *reqs, int n, double timeout_s);

/* Point-to-point and barrier with a deadline (timeout_s, <= 0 = none). */
tp_status_t ctrl_mpi_send(struct ctrl_mpi *c, int dst, int tag, const void *buf, size_t len,
                          double timeout_s);
tp_status_t ctrl_mpi_recv(struct ctrl_mpi *c, int src, int tag, void *buf, size_t len,
                          double timeout_s);
/* The next message with tag from any rank; *src_p: its sender. */
tp_status_t ctrl_mpi_recv_any(struct ctrl_mpi *c, int tag, void *buf, size_t len,
                              double timeout_s, int *src_p);
tp_status_t ctrl_mpi_barrier(struct ctrl_mpi *c, double timeout_s);

/* Rank 0 draws a random 64-bit secret, every rank gets it. */
tp_status_t ctrl_mpi_secret(struct ctrl_mpi *c, uint64_t *secret_p, struct tp_error *err);

/* Abort the whole job after a clear message (results saved by the caller
 * first). */
void ctrl_mpi_abort(struct ctrl_mpi *c, const char *why) __attribute__((noreturn));

#endif
