/* env.h: what the results record about where they were measured: per rank
 * host facts (node, hostname, binding, NUMA node, NIC) gathered to rank 0,
 * and the environment (kernel, MPI library, CPU model, every rank's link). */
#ifndef TIERPERF_ENV_H
#define TIERPERF_ENV_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "../../transports/transport.h"
#include "gpu_select.h"

/* Plain data, gathered over MPI as bytes. */
struct env_host {
    char node[256];
    char hostname[256];
    char binding[256];
    char binding_basis[96];
    int numa_node;
    char nic[64];
    struct gpu_choice gpu;      /* index -1: host memory */
};

void env_kernel(char *buf, size_t len);         /* "Linux 6.1.0-18-amd64" */
void env_mpi_version(char *buf, size_t len);    /* first line of the library version */
void env_cpu_model(char *buf, size_t len);      /* /proc/cpuinfo model name */

cJSON *env_hosts_json(const struct env_host *hosts, int n);
/* kernel, mpi_version, cpu_model, links[] */
cJSON *env_environment_json(const struct tp_link_info *links, int n);
cJSON *env_link_json(const struct tp_link_info *link);
/* {job_id, job_name, cluster, partition, job_nodelist} from SLURM_*, or
 * null when not in a Slurm job */
cJSON *env_slurm_json(void);

#endif
