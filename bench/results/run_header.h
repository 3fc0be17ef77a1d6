/* run_header.h: the top-level fields of a results file known when a run
 * starts (docs/results-schema.md): command line, time, transport, options,
 * hosts, environment, topology. */
#ifndef TIERPERF_RUN_HEADER_H
#define TIERPERF_RUN_HEADER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "../../topology/topology.h"
#include "../engine/env.h"
#include "../cli/run_opts.h"

struct run_header_input {
    const struct run_opts *o;
    int argc;
    char **argv;
    const char *start_time;
    const char *mem;                /* "host", "cuda:0" */
    const struct env_host *hosts;
    const struct tp_link_info *links;
    int nranks;
    const struct topo *topo;
    double round_budget_s;
};

cJSON *run_header_json(const struct run_header_input *in);
/* ISO 8601 UTC, e.g. 2026-11-23T10:00:00Z */
void run_header_time(char *buf, size_t len);
cJSON *run_header_options(const struct run_opts *o);

#endif
