/* ans_check_nic.c: check's per-NIC thresholds on multi-rail runs and its
 * "Per rail" section (see ans_check.h, ans_rails.h). */
#include "ans_check.h"
#include "ans_check_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ans_units.h"

static int has_nic_thresholds(const struct ans_profile *p)
{
    return p->nic_min_pct > 0 || p->nic_min_bw_gbit > 0;
}

static enum ans_nic_verdict judge(const struct ans_profile *p, const struct ans_rail_row *r,
                                  struct ans_check *out)
{
    int fail = 0;

    if (r->cross)
        return ANS_NIC_SKIP;    /* cross-rail pairs cross the spine: not the NIC's rate */
    if (p->nic_min_pct > 0) {
        if (isnan(r->pct_line)) {
            ans_check_unjudged(out, "nic_min_line_rate: a NIC's line rate is unknown");
            return ANS_NIC_UNJUDGED;
        }
        out->evaluated++;
        fail |= r->pct_line < p->nic_min_pct;
    }
    if (p->nic_min_bw_gbit > 0) {
        out->evaluated++;
        fail |= r->bw_gbit < p->nic_min_bw_gbit;
    }
    return fail ? ANS_NIC_FAIL : ANS_NIC_PASS;
}

tp_status_t ans_check_nics(const cJSON *run, const struct ans_profile *profile,
                           struct ans_check *out, struct tp_error *err)
{
    tp_status_t st = ans_rails_collect(run, -1, &out->rails, err);

    if (st != TP_OK || !has_nic_thresholds(profile))
        return st;
    if (out->rails.nrail == 0) {
        ans_check_unjudged(out, "per-NIC thresholds: no per-rail rows (run one rank per NIC "
                                "with --ifaces or --devices, --pattern rails)");
        return TP_OK;
    }
    out->nic_verdict = calloc(out->rails.nrail, 1);
    if (out->nic_verdict == NULL)
        return tp_error_set(err, TP_ERR_NO_MEMORY, "out of memory for per-NIC verdicts");
    for (size_t i = 0; i < out->rails.nrail; i++) {
        out->nic_verdict[i] = (unsigned char)judge(profile, &out->rails.rail[i], out);
        out->nic_failed += out->nic_verdict[i] == ANS_NIC_FAIL;
    }
    return TP_OK;
}

static const char *const verdict_words[] = {"-", "PASS", "FAIL", "UNJUDGED"};

static void nic_text(FILE *out, const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    const struct ans_profile *p = v->profile;
    char a[32], b[32];

    if (c->rails.nrail == 0)
        return;
    ans_rails_print(out, &c->rails);
    if (c->nic_verdict == NULL)
        return;
    fprintf(out, "\nPer NIC (same-rail pairs):");
    if (p->nic_min_pct > 0)
        fprintf(out, " >= %.1f%% of line rate", p->nic_min_pct);
    if (p->nic_min_bw_gbit > 0)
        fprintf(out, "%s >= %s", p->nic_min_pct > 0 ? " and" : "",
                ans_fmt_gbit(p->nic_min_bw_gbit, a, sizeof(a)));
    fprintf(out, "\n");
    for (size_t i = 0; i < c->rails.nrail; i++) {
        const struct ans_rail_row *r = &c->rails.rail[i];
        if (c->nic_verdict[i] == ANS_NIC_SKIP)
            continue;
        fprintf(out, "  %-8s %-20s rail %d %-12s %s  %s", verdict_words[c->nic_verdict[i]],
                r->node, r->rail, r->device, r->rx ? "rx" : "tx",
                ans_fmt_gbit(r->bw_gbit, a, sizeof(a)));
        if (!isnan(r->pct_line))
            fprintf(out, " (%.1f%% of %s)", r->pct_line, ans_fmt_gbit(r->line_gbit, b, sizeof(b)));
        fprintf(out, "\n");
    }
}

static cJSON *nic_json(const struct ans_check_view *v)
{
    const struct ans_check *c = v->check;
    cJSON *o = ans_rails_json(&c->rails);
    cJSON *x;
    size_t i = 0;

    if (o == NULL || c->nic_verdict == NULL)
        return o;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "rails")) {
        if (c->nic_verdict[i] != ANS_NIC_SKIP)
            cJSON_AddStringToObject(x, "verdict", verdict_words[c->nic_verdict[i]]);
        i++;
    }
    return o;
}

const struct ans_check_section ans_check_section_nics = {"rails", nic_text, nic_json, NULL};
