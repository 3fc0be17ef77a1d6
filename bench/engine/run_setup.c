/* run_setup.c: collective set-up steps (see run_setup.h). */
#include "run_setup.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"
#include "binding.h"

#define NAME_LEN 256

tp_status_t setup_agree(MPI_Comm comm, tp_status_t mine, int *rank_p)
{
    int rank;
    struct { int st; int rank; } in, out;

    MPI_Comm_rank(comm, &rank);
    in.st = (int)mine;
    in.rank = rank;
    if (MPI_Allreduce(&in, &out, 1, MPI_2INT, MPI_MINLOC, comm) != MPI_SUCCESS)
        return TP_ERR_IO;
    if (rank_p != NULL)
        *rank_p = out.rank;
    return (tp_status_t)out.st;
}

tp_status_t setup_node_names(MPI_Comm comm, const char *mine, char ***names_p,
                             struct tp_error *err)
{
    char me[NAME_LEN] = "";
    int n;

    MPI_Comm_size(comm, &n);
    const char *slurm = getenv("SLURMD_NODENAME");

    /* Slurm's NodeName before the host name: it is the name slurm.conf (and
     * a HyperNode file written for the cluster) uses, where host names are
     * often longer (FQDN) or differ. */
    if (mine != NULL)
        snprintf(me, sizeof(me), "%s", mine);
    else if (slurm != NULL && slurm[0] != '\0')
        snprintf(me, sizeof(me), "%s", slurm);
    else if (gethostname(me, sizeof(me) - 1) != 0)
        snprintf(me, sizeof(me), "unknown");
    char *block = calloc((size_t)n, NAME_LEN);
    char **names = calloc((size_t)n, sizeof(char *));
    if (block == NULL || names == NULL) {
        free(block);
        free(names);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for node names");
    }
    if (MPI_Allgather(me, NAME_LEN, MPI_CHAR, block, NAME_LEN, MPI_CHAR, comm) != MPI_SUCCESS) {
        free(block);
        free(names);
        return tp_error_set(err, TP_ERR_IO, "MPI_Allgather of node names failed");
    }
    for (int i = 0; i < n; i++) {
        names[i] = block + (size_t)i * NAME_LEN;
        names[i][NAME_LEN - 1] = '\0';
    }
    *names_p = names;
    return TP_OK;
}

tp_status_t setup_links(MPI_Comm comm, const struct tp_link_info *mine,
                        struct tp_link_info **links_p)
{
    int n;

    MPI_Comm_size(comm, &n);
    struct tp_link_info *all = calloc((size_t)n, sizeof(*all));
    if (all == NULL)
        return TP_ERR_NO_MEMORY;
    if (MPI_Allgather(mine, (int)sizeof(*mine), MPI_BYTE, all, (int)sizeof(*mine), MPI_BYTE,
                      comm) != MPI_SUCCESS) {
        free(all);
        return TP_ERR_IO;
    }
    *links_p = all;
    return TP_OK;
}

void setup_local_rank(const char *const *names, int rank, int nranks, int *lrank_p,
                      int *lsize_p)
{
    *lrank_p = 0;
    *lsize_p = 0;
    for (int r = 0; r < nranks; r++)
        if (strcmp(names[r], names[rank]) == 0) {
            *lrank_p += r < rank;
            (*lsize_p)++;
        }
}

void setup_bind(const struct run_opts *o, const char *device, int lrank, int lsize,
                struct binding_result *b)
{
    struct tp_error err = {0};

    if (binding_apply(device, lrank, lsize, !o->no_bind, b, &err) != TP_OK) {
        tp_log_warn("CPU binding: %s", err.msg);
        memset(b, 0, sizeof(*b));
        b->numa_node = -1;
        snprintf(b->basis, sizeof(b->basis), "unknown (hwloc failed)");
    }
}

tp_status_t setup_hosts(MPI_Comm comm, const char *node, const struct tp_link_info *link,
                        const struct gpu_choice *gpu, const struct binding_result *bp,
                        struct env_host **hosts_p, struct tp_error *err)
{
    int rank, n;
    struct binding_result b = *bp;
    struct env_host me;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &n);
    memset(&me, 0, sizeof(me));
    snprintf(me.node, sizeof(me.node), "%s", node);
    if (gethostname(me.hostname, sizeof(me.hostname) - 1) != 0)
        snprintf(me.hostname, sizeof(me.hostname), "unknown");
    snprintf(me.binding, sizeof(me.binding), "%s", b.cpuset);
    snprintf(me.binding_basis, sizeof(me.binding_basis), "%s", b.basis);
    me.numa_node = b.numa_node;
    snprintf(me.nic, sizeof(me.nic), "%s", link->device);
    me.gpu = *gpu;
    struct env_host *all = NULL;
    if (rank == 0 && (all = calloc((size_t)n, sizeof(*all))) == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for hosts");
    if (MPI_Gather(&me, (int)sizeof(me), MPI_BYTE, all, (int)sizeof(me), MPI_BYTE, 0, comm) !=
        MPI_SUCCESS) {
        free(all);
        return tp_error_set(err, TP_ERR_IO, "MPI_Gather of hosts failed");
    }
    *hosts_p = all;
    return TP_OK;
}

tp_status_t setup_buffers(const struct run_opts *o, const struct tp_transport_ops *ops,
                          void *tctx, const struct tp_mem *mem, struct tp_buf bufs[2],
                          struct tp_error *err)
{
    uint64_t len = run_opts_ring_bytes(o);

    tp_mem_host_set_hugepages(o->hugepages);
    memset(bufs, 0, 2 * sizeof(*bufs));
    for (int i = 0; i < (o->bidir ? 2 : 1); i++) {
        void *p = NULL;
        tp_status_t st = mem->ops->alloc(mem->ctx, (size_t)len, &p);
        if (st != TP_OK)
            return tp_error_set(err, st, "cannot allocate a %llu-byte %s buffer: %s",
                                (unsigned long long)len, mem->ops->name, tp_status_string(st));
        bufs[i] = (struct tp_buf){.addr = p, .len = (size_t)len, .mem = mem};
        st = ops->mem_reg(tctx, &bufs[i], err);
        if (st == TP_ERR_UNSUPPORTED && mem->ops->is_host)
            st = TP_OK;     /* nothing to register for this transport */
        if (st != TP_OK) {
            char why[sizeof(err->msg)];
            snprintf(why, sizeof(why), "%s", err->msg);
            return tp_error_set(err, st, "transport %s cannot register %s memory: %s",
                                ops->name, mem->ops->name, why);
        }
    }
    return TP_OK;
}

void setup_buffers_free(const struct tp_transport_ops *ops, void *tctx, struct tp_buf bufs[2])
{
    for (int i = 0; i < 2; i++) {
        if (bufs[i].addr == NULL)
            continue;
        if (bufs[i].mr != NULL)
            ops->mem_dereg(tctx, &bufs[i]);
        bufs[i].mem->ops->free(bufs[i].mem->ctx, bufs[i].addr, bufs[i].len);
        bufs[i].addr = NULL;
    }
}
