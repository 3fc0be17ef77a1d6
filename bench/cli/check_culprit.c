/* check_culprit.c: the culprit section of `tierperf check`. */
#include "check_culprit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"

static const char *run_topology(const cJSON *run)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(run, "topology");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(t, "file");
    return cJSON_IsString(f) ? f->valuestring : NULL;
}

int check_culprit_run(const cJSON *run, const char *topology, const struct ans_culprit_opts *opts,
                      const struct ans_pairs *pairs, struct check_culprit *cc)
{
    struct tp_error err = {0};
    const char *file = topology != NULL ? topology : run_topology(run);

    memset(cc, 0, sizeof(*cc));
    if (file == NULL) {
        snprintf(cc->why, sizeof(cc->why),
                 "culprit: not analysed: the run has no topology (pass --topology FILE)");
        return 0;
    }
    if (topology == NULL && access(file, R_OK) != 0) {
        snprintf(cc->why, sizeof(cc->why),
                 "culprit: not analysed: the run's topology %s is not readable here (pass "
                 "--topology FILE)", file);
        return 0;
    }
    if (topo_load(file, NULL, &cc->topo, &err) != TP_OK) {
        if (topology != NULL) {
            tp_log_error("--topology: %s", err.msg);
            return 2;
        }
        snprintf(cc->why, sizeof(cc->why), "culprit: not analysed: %s", err.msg);
        return 0;
    }
    if (ans_culprit_find(pairs, cc->topo, opts, &cc->c, &err) != TP_OK) {
        snprintf(cc->why, sizeof(cc->why), "culprit: not analysed: %s", err.msg);
        return 0;
    }
    cc->done = 1;
    return 0;
}

void check_culprit_print(FILE *out, const struct check_culprit *cc)
{
    if (cc->done)
        ans_culprit_print(out, &cc->c);
    else
        fprintf(out, "%s\n", cc->why);
}

void check_culprit_free(struct check_culprit *cc)
{
    if (cc->done)
        ans_culprit_free(&cc->c);
    topo_free(cc->topo);
    cc->topo = NULL;
    cc->done = 0;
}

int check_culprit_parse_factor(const char *arg, struct ans_culprit_opts *opts)
{
    char *end = NULL;
    double f = strtod(arg, &end);
    if (end == arg || *end != '\0' || !isfinite(f) || f <= 1 || f > 1000) {
        tp_log_error("--culprit-factor: '%s' is not a number above 1 (e.g. 2: slow means half "
                     "its tier's typical rate or less)", arg);
        return 2;
    }
    opts->factor = f;
    return 0;
}
