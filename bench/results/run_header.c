/* run_header.c: the results header (see run_header.h). */
#include "run_header.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tierperf_version.h"
#include "../engine/timing.h"

void run_header_time(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
    if (v != NULL)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_field(cJSON *j, const struct opt_field *f, const void *cfg)
{
    switch (f->type) {
    case OPT_FLAG: cJSON_AddBoolToObject(j, f->json, *OPT_CPTR(cfg, f, int)); break;
    case OPT_COUNT:
    case OPT_INT: cJSON_AddNumberToObject(j, f->json, *OPT_CPTR(cfg, f, int)); break;
    case OPT_U64:
    case OPT_SIZE:
    case OPT_CUSTOM_SIZE:
        cJSON_AddNumberToObject(j, f->json, (double)*OPT_CPTR(cfg, f, uint64_t));
        break;
    case OPT_SECONDS: cJSON_AddNumberToObject(j, f->json, *OPT_CPTR(cfg, f, double)); break;
    case OPT_ENUM:
        cJSON_AddStringToObject(j, f->json, f->choices[*OPT_CPTR(cfg, f, int)]);
        break;
    case OPT_STRING:
    case OPT_CUSTOM: add_str_or_null(j, f->json, *OPT_CPTR(cfg, f, const char *)); break;
    }
}

/* Every option table row with a results key (transports' too, whichever
 * is chosen), each key once: generated, so it lists what the tables do. */
static void add_table_options(cJSON *j, const struct run_opts *o)
{
    const struct opt_table *const *t = run_opts_tables();

    for (size_t i = 0; t[i] != NULL; i++) {
        const void *cfg = i == 0 ? (const void *)o : o->table_cfg[i];
        for (const struct opt_field *f = t[i]->fields; cfg != NULL && f->name != NULL; f++)
            if (f->json != NULL && cJSON_GetObjectItemCaseSensitive(j, f->json) == NULL)
                add_field(j, f, cfg);
    }
}

cJSON *run_header_options(const struct run_opts *o)
{
    cJSON *j = cJSON_CreateObject();

    if (j == NULL)
        return NULL;
    cJSON *sizes = cJSON_AddArrayToObject(j, "sizes");
    for (size_t i = 0; sizes != NULL && i < o->nsizes && o->stream_bytes == 0; i++)
        cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)o->sizes[i]));
    if (o->stream_bytes > 0) {
        cJSON_AddItemToArray(sizes, cJSON_CreateNumber((double)run_opts_stream_chunk(o)));
        cJSON_AddNumberToObject(j, "stream_bytes", (double)o->stream_bytes);
    }
    add_table_options(j, o);
    /* what the engine derives from the options */
    cJSON_AddNumberToObject(j, "lat_budget_s", o->lat_iters_given ? 0 : TIMING_LAT_BUDGET_S);
    /* the first timed batch's (a --duration run's last may be shorter) */
    cJSON_AddNumberToObject(j, "batch_target_s", timing_run_batch_s(o, 0));
    cJSON_AddBoolToObject(j, "bw", !o->no_bw);
    cJSON_AddBoolToObject(j, "lat", !o->no_lat && o->stream_bytes == 0);
    cJSON_AddBoolToObject(j, "bind", !o->no_bind);
    return j;
}

static cJSON *topology_json(const struct run_opts *o, const struct topo *topo)
{
    if (topo == NULL)
        return cJSON_CreateNull();
    cJSON *t = cJSON_CreateObject();
    if (t == NULL)
        return NULL;
    cJSON_AddStringToObject(t, "file", o->topology);
    cJSON_AddNumberToObject(t, "max_tier", topo_max_tier(topo));
    cJSON_AddNumberToObject(t, "virtual_tier", topo_virtual_tier(topo));
    cJSON *tiers = cJSON_AddArrayToObject(t, "tiers");
    for (int tier = 1; tiers != NULL && tier <= topo_max_tier(topo); tier++) {
        cJSON *e = cJSON_CreateObject();
        if (e == NULL)
            break;
        cJSON_AddNumberToObject(e, "tier", tier);
        add_str_or_null(e, "name", topo_tier_name(topo, tier));
        cJSON_AddItemToArray(tiers, e);
    }
    return t;
}

static cJSON *command_line(int argc, char **argv)
{
    size_t len = sizeof("tierperf");

    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *buf = malloc(len);
    if (buf == NULL)
        return NULL;
    strcpy(buf, "tierperf");
    for (int i = 0; i < argc; i++) {
        strcat(buf, " ");
        strcat(buf, argv[i]);
    }
    cJSON *s = cJSON_CreateString(buf);
    free(buf);
    return s;
}

cJSON *run_header_json(const struct run_header_input *in)
{
    const struct run_opts *o = in->o;
    cJSON *h = cJSON_CreateObject();

    if (h == NULL)
        return NULL;
    cJSON_AddNumberToObject(h, "schema_version", 1);
    cJSON_AddStringToObject(h, "tool", "tierperf");
    cJSON_AddStringToObject(h, "version", TIERPERF_VERSION);
    cJSON_AddItemToObject(h, "command_line", command_line(in->argc, in->argv));
    cJSON_AddStringToObject(h, "start_time", in->start_time);
    cJSON_AddStringToObject(h, "transport", o->transport);
    cJSON_AddStringToObject(h, "mem", in->mem);
    cJSON_AddStringToObject(h, "pattern", o->pattern);
    cJSON *opts = run_header_options(o);
    if (opts != NULL)
        cJSON_AddNumberToObject(opts, "round_budget_s", in->round_budget_s);
    cJSON_AddItemToObject(h, "options", opts);
    cJSON_AddItemToObject(h, "hosts", env_hosts_json(in->hosts, in->nranks));
    cJSON_AddItemToObject(h, "environment", env_environment_json(in->links, in->nranks));
    cJSON_AddItemToObject(h, "slurm", env_slurm_json());
    cJSON_AddItemToObject(h, "topology", topology_json(o, in->topo));
    return h;
}
