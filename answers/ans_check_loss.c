/* ans_check_loss.c: a profile's loss thresholds on each pair, and check's
 * "loss:" line for pairs they do not apply to.
 *
 * max_retransmits judges extra.loss.retrans_pct of the pair's bandwidth
 * row (TCP: retransmitted segments per segment sent; verbs: the port's
 * error counters per packet sent), max_device_errors judges
 * extra.loss.device_errors (verbs: the RDMA port's error counters that
 * moved).  A rule's loss thresholds on one pair are:
 *   judged          where the row carries the counter;
 *   not judged      (INCOMPLETE) where other pairs of the run carry it and
 *                   this one does not: its counters could not be read;
 *   not applicable  where no pair of the run carries it: the transport has
 *                   no such counter (mpi; tcp for device errors) or the file
 *                   was written before tierperf recorded loss.  Said on a
 *                   line of its own; it does not make the verdict
 *                   INCOMPLETE unless nothing else was judged. */
#include "ans_check_out.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ans_escape.h"
#include "ans_units.h"

void ans_check_loss_scan(const cJSON *run, struct ans_check *out)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(run, "transport");

    out->transport = cJSON_IsString(t) && t->valuestring[0] != '\0' ? t->valuestring : "?";
    for (size_t i = 0; i < out->pairs.n; i++) {
        out->loss_rate_pairs += !isnan(out->pairs.v[i].retrans_pct);
        out->loss_dev_pairs += !isnan(out->pairs.v[i].device_errors);
    }
}

static void judge_rate(const struct ans_rule *r, const struct ans_pair *m,
                       struct ans_check_pair *cp)
{
    char a[32], b[32];

    if (m->retrans_pct <= r->max_retrans_pct)
        return;
    cp->failed = 1;
    if (!isnan(m->retrans_segs))
        ans_check_note(cp, "%s: retransmits %s%% (%.0f segments) > %s%%", r->name,
                       units_fmt_num(m->retrans_pct, 3, a, sizeof(a)), m->retrans_segs,
                       units_fmt_num(r->max_retrans_pct, 3, b, sizeof(b)));
    else
        ans_check_note(cp, "%s: device errors %s%% of packets sent > %s%%", r->name,
                       units_fmt_num(m->retrans_pct, 3, a, sizeof(a)),
                       units_fmt_num(r->max_retrans_pct, 3, b, sizeof(b)));
}

static void judge_dev(const struct ans_rule *r, const struct ans_pair *m,
                      struct ans_check_pair *cp)
{
    if (m->device_errors <= r->max_dev_errors)
        return;
    cp->failed = 1;
    ans_check_note(cp, "%s: %.0f RDMA port error counter event(s) > %.0f", r->name,
                   m->device_errors, r->max_dev_errors);
}

/* Why the run has nothing for this rule's loss thresholds. */
static const char *not_applicable_why(const struct ans_rule *r, const struct ans_check *out,
                                      char *buf, size_t len)
{
    if (out->loss_rate_pairs == 0 && out->loss_dev_pairs == 0 &&
        strcmp(out->transport, "mpi") == 0)
        snprintf(buf, len, "not measured by transport mpi (it has no loss counters): rule "
                 "'%.60s'", r->name);
    else if (out->loss_rate_pairs == 0 && out->loss_dev_pairs == 0)
        snprintf(buf, len, "not recorded in this %.16s results file (no row has extra.loss; "
                 "older files have none): rule '%.60s'", out->transport, r->name);
    else   /* the run records the other kind of loss counter only */
        snprintf(buf, len, "%s not measured by transport %.16s (%s): rule '%.60s'",
                 isnan(r->max_retrans_pct) ? "RDMA port errors" : "a retransmission rate",
                 out->transport,
                 isnan(r->max_retrans_pct) ? "max_device_errors judges verbs rows"
                                           : "the port offers no packet counter",
                 r->name);
    return buf;
}

static void not_applicable(struct ans_check *out, const char *why)
{
    out->not_applicable++;
    ans_unjudged_count(out->na, &out->nna, why);
}

void ans_check_loss_apply(const struct ans_rule *r, const struct ans_pair *m,
                          struct ans_check_pair *cp, struct ans_check *out)
{
    int want_rate = !isnan(r->max_retrans_pct), want_dev = !isnan(r->max_dev_errors);
    int judged = 0;
    char why[300];

    if (want_rate && !isnan(m->retrans_pct)) {
        judge_rate(r, m, cp);
        out->evaluated++;
        judged = 1;
    }
    if (want_dev && !isnan(m->device_errors)) {
        judge_dev(r, m, cp);
        out->evaluated++;
        judged = 1;
    }
    if (judged)
        return;
    if ((want_rate && out->loss_rate_pairs > 0) || (want_dev && out->loss_dev_pairs > 0)) {
        snprintf(why, sizeof(why), "%s: loss not measured on this pair (other pairs of the "
                 "run have loss counters; its own could not be read)", r->name);
        ans_check_pair_unjudged(out, cp, why);
        return;
    }
    not_applicable(out, not_applicable_why(r, out, why, sizeof(why)));
}

/* ---- output ------------------------------------------------------------ */

static void loss_text(FILE *out, const struct ans_check_view *v)
{
    for (size_t k = 0; k < v->check->nna; k++)
        fprintf(out, "loss: %s not applied to %zu pair(s)\n", v->check->na[k].why,
                v->check->na[k].thresholds);
}

static cJSON *loss_json(const struct ans_check_view *v)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t k = 0; a != NULL && k < v->check->nna; k++) {
        cJSON *o = cJSON_CreateObject();
        char line[450];
        snprintf(line, sizeof(line), "loss: %s", v->check->na[k].why);
        cJSON_AddStringToObject(o, "reason", line);
        cJSON_AddNumberToObject(o, "pairs", (double)v->check->na[k].thresholds);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* One skipped testcase per reason: a CI reading only the XML sees it. */
static void loss_junit(FILE *f, const struct ans_check_view *v)
{
    if (v->check->nna == 0)
        return;
    fprintf(f, "  <testsuite name=\"tierperf.");
    ans_xml_puts(f, v->profile->name);
    fprintf(f, ".loss\" tests=\"%zu\" failures=\"0\" skipped=\"%zu\">\n", v->check->nna,
            v->check->nna);
    for (size_t k = 0; k < v->check->nna; k++) {
        fprintf(f, "    <testcase classname=\"tierperf.");
        ans_xml_puts(f, v->profile->name);
        fprintf(f, ".loss\" name=\"not applicable %zu\" time=\"0\"><skipped message=\"loss: ", k + 1);
        ans_xml_puts(f, v->check->na[k].why);
        fprintf(f, " not applied to %zu pair(s)\"/></testcase>\n", v->check->na[k].thresholds);
    }
    fprintf(f, "  </testsuite>\n");
}

const struct ans_check_section ans_check_section_loss = {"not_applicable", loss_text, loss_json,
                                                         loss_junit};
