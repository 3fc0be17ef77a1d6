/* env.c: environment capture for the results header (see env.h). */
#include "env.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

void env_kernel(char *buf, size_t len)
{
    struct utsname u;

    if (uname(&u) == 0)
        snprintf(buf, len, "%s %s", u.sysname, u.release);
    else
        snprintf(buf, len, "unknown");
}

void env_mpi_version(char *buf, size_t len)
{
    char v[MPI_MAX_LIBRARY_VERSION_STRING];
    int n = 0;

    if (MPI_Get_library_version(v, &n) != MPI_SUCCESS) {
        snprintf(buf, len, "unknown");
        return;
    }
    v[strcspn(v, ",\n")] = '\0';
    snprintf(buf, len, "%s", v);
}

void env_cpu_model(char *buf, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];

    snprintf(buf, len, "unknown");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(buf, len, "%s", colon);
        break;
    }
    fclose(f);
}

/* The machine's size and load where rank 0 runs, at the start: online
 * CPUs, memory, and the 1, 5 and 15 minute load averages (null when
 * unknown), so a results file says how busy the machine was. */
static void env_machine_json(cJSON *env)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct sysinfo si;
    double load[3];
    cJSON *arr;

    if (cpus > 0)
        cJSON_AddNumberToObject(env, "cpus_online", (double)cpus);
    else
        cJSON_AddNullToObject(env, "cpus_online");
    if (sysinfo(&si) == 0)
        cJSON_AddNumberToObject(env, "memory_bytes", (double)si.totalram * si.mem_unit);
    else
        cJSON_AddNullToObject(env, "memory_bytes");
    if (getloadavg(load, 3) != 3) {
        cJSON_AddNullToObject(env, "loadavg");
        return;
    }
    arr = cJSON_AddArrayToObject(env, "loadavg");
    for (int i = 0; arr != NULL && i < 3; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateNumber(round(load[i] * 100) / 100));
}

/* hosts[].gpu: null for host memory. */
static cJSON *env_gpu_json(const struct gpu_choice *g)
{
    if (g->index < 0)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "index", g->index);
    if (g->pci[0])
        cJSON_AddStringToObject(o, "pci", g->pci);
    else
        cJSON_AddNullToObject(o, "pci");
    cJSON_AddStringToObject(o, "chosen_by", g->chosen_by);
    if (g->shared[0])
        cJSON_AddStringToObject(o, "shared_with_nic", g->shared);
    if (g->nic_pci[0])
        cJSON_AddStringToObject(o, "nic_pci", g->nic_pci);
    return o;
}

cJSON *env_hosts_json(const struct env_host *hosts, int n)
{
    cJSON *arr = cJSON_CreateArray();

    for (int i = 0; arr != NULL && i < n; i++) {
        cJSON *h = cJSON_CreateObject();
        if (h == NULL)
            break;
        cJSON_AddNumberToObject(h, "rank", i);
        cJSON_AddStringToObject(h, "node", hosts[i].node);
        cJSON_AddStringToObject(h, "hostname", hosts[i].hostname);
        cJSON_AddStringToObject(h, "binding", hosts[i].binding);
        cJSON_AddStringToObject(h, "binding_basis", hosts[i].binding_basis);
        if (hosts[i].numa_node >= 0)
            cJSON_AddNumberToObject(h, "numa_node", hosts[i].numa_node);
        else
            cJSON_AddNullToObject(h, "numa_node");
        cJSON_AddStringToObject(h, "nic", hosts[i].nic);
        cJSON_AddItemToObject(h, "gpu", env_gpu_json(&hosts[i].gpu));
        cJSON_AddItemToArray(arr, h);
    }
    return arr;
}

cJSON *env_link_json(const struct tp_link_info *l)
{
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "device", l->device);
    cJSON_AddStringToObject(o, "driver", l->driver);
    cJSON_AddStringToObject(o, "firmware", l->firmware);
    cJSON_AddStringToObject(o, "model", l->model);
    if (l->line_rate_gbit > 0)
        cJSON_AddNumberToObject(o, "line_rate_gbit", l->line_rate_gbit);
    else
        cJSON_AddNullToObject(o, "line_rate_gbit");
    if (l->mtu > 0)
        cJSON_AddNumberToObject(o, "mtu", l->mtu);
    else
        cJSON_AddNullToObject(o, "mtu");
    cJSON_AddStringToObject(o, "address", l->address);
    cJSON_AddStringToObject(o, "detail", l->detail);
    return o;
}

cJSON *env_environment_json(const struct tp_link_info *links, int n)
{
    char buf[512];
    cJSON *env = cJSON_CreateObject();
    cJSON *arr;

    if (env == NULL)
        return NULL;
    env_kernel(buf, sizeof(buf));
    cJSON_AddStringToObject(env, "kernel", buf);
    env_mpi_version(buf, sizeof(buf));
    cJSON_AddStringToObject(env, "mpi_version", buf);
    env_cpu_model(buf, sizeof(buf));
    cJSON_AddStringToObject(env, "cpu_model", buf);
    env_machine_json(env);
    arr = cJSON_AddArrayToObject(env, "links");
    for (int i = 0; arr != NULL && i < n; i++) {
        cJSON *l = env_link_json(&links[i]);
        if (l != NULL) {
            cJSON_AddNumberToObject(l, "rank", i);
            cJSON_AddItemToArray(arr, l);
        }
    }
    return env;
}

/* The Slurm job this rank runs in (rank 0's environment): the job id ties a
 * results file to sacct and the job's output; null outside Slurm. */
cJSON *env_slurm_json(void)
{
    static const char *const fields[][2] = {
        {"job_id", "SLURM_JOB_ID"},
        {"job_name", "SLURM_JOB_NAME"},
        {"cluster", "SLURM_CLUSTER_NAME"},
        {"partition", "SLURM_JOB_PARTITION"},
        {"job_nodelist", "SLURM_JOB_NODELIST"},
    };
    const char *id = getenv("SLURM_JOB_ID");

    if (id == NULL || id[0] == '\0')
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o != NULL && i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *v = getenv(fields[i][1]);
        if (v != NULL && v[0] != '\0')
            cJSON_AddStringToObject(o, fields[i][0], v);
        else
            cJSON_AddNullToObject(o, fields[i][0]);
    }
    return o;
}
