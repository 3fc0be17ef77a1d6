/* test_env_slurm.c: the results header's "slurm" object (env_slurm_json):
 * null outside a Slurm job, the job's id, name, cluster, partition and node
 * list from SLURM_* inside one, null for a variable that is not set. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "bench/engine/env.h"

static const char *const vars[] = {"SLURM_JOB_ID", "SLURM_JOB_NAME", "SLURM_CLUSTER_NAME",
                                   "SLURM_JOB_PARTITION", "SLURM_JOB_NODELIST"};

static void clear_slurm(void)
{
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

static const char *field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    cr_assert_not_null(v, "field %s missing", name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

Test(env_slurm, null_outside_a_job, .init = clear_slurm)
{
    cJSON *o = env_slurm_json();
    cr_assert(cJSON_IsNull(o));
    cJSON_Delete(o);
    setenv("SLURM_JOB_ID", "", 1);   /* empty is not a job either */
    o = env_slurm_json();
    cr_assert(cJSON_IsNull(o));
    cJSON_Delete(o);
}

Test(env_slurm, records_the_job, .init = clear_slurm)
{
    setenv("SLURM_JOB_ID", "4711", 1);
    setenv("SLURM_JOB_NAME", "tierperf-tiers", 1);
    setenv("SLURM_CLUSTER_NAME", "sim", 1);
    setenv("SLURM_JOB_NODELIST", "sim-n[0-7]", 1);
    cJSON *o = env_slurm_json();
    cr_assert(cJSON_IsObject(o));
    cr_assert_str_eq(field(o, "job_id"), "4711");
    cr_assert_str_eq(field(o, "job_name"), "tierperf-tiers");
    cr_assert_str_eq(field(o, "cluster"), "sim");
    cr_assert_str_eq(field(o, "job_nodelist"), "sim-n[0-7]");
    cr_assert_null(field(o, "partition"));   /* not set: null, still present */
    cr_assert_eq(cJSON_GetArraySize(o), 5);
    cJSON_Delete(o);
}
