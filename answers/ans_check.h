/* ans_check.h: judge a run against an acceptance profile: pass/fail per
 * pair and per tier, plus outliers (pairs far below their tier's median
 * even when above the threshold: one bad cable among good ones).  A
 * threshold that cannot be judged (not measured, or latency measured only
 * on large messages) makes the verdict INCOMPLETE, never PASS. */
#ifndef TIERPERF_ANS_CHECK_H
#define TIERPERF_ANS_CHECK_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "ans_pairs.h"
#include "ans_profile.h"
#include "ans_rails.h"

struct ans_culprit;
struct topo;

/* Exit statuses of the answer commands (docs/answers.md). */
enum ans_exit {
    ANS_EXIT_PASS = 0,
    ANS_EXIT_FAIL = 1,
    ANS_EXIT_BAD_INPUT = 2,
    ANS_EXIT_INCOMPLETE = 3,   /* a threshold could not be judged */
};

enum ans_verdict { ANS_VERDICT_PASS, ANS_VERDICT_FAIL, ANS_VERDICT_INCOMPLETE };
const char *ans_verdict_name(enum ans_verdict v);   /* "PASS", "FAIL", "INCOMPLETE" */

struct ans_check_opts {
    long long size;        /* -1: default sizes */
    double outlier_pct;    /* flag pairs this % below their tier median; 0 off */
    int fail_outliers;     /* outliers fail the check too */
    long long lat_max_size;   /* latency judged up to this size; <= 0: the profile's */
    int allow_unjudged;    /* INCOMPLETE exits 0 (still stated) */
    const struct topo *node_labels;  /* check --nodes: labels for rules'
                                      * node_labels; NULL unknown */
};

struct ans_check_pair {
    const struct ans_pair *pair;
    int judged;            /* selected by a rule, or failed outright */
    int failed;
    int outlier;
    int unjudged;          /* thresholds of its rules that could not be judged */
    int bw_near;           /* failed a min_bandwidth by less than 10 % */
    char reason[384];      /* why it failed / notes */
};

struct ans_check_tier {
    int tier;
    size_t pairs, judged, failed, outliers, unjudged;
    double bw_min, bw_median, bw_max, lat_p50_median;
};

/* Why thresholds went unjudged, grouped: one line each in the output. */
#define ANS_UNJUDGED_KINDS 8
struct ans_unjudged {
    char why[384];
    size_t thresholds;
};

struct ans_check {
    struct ans_pairs pairs;            /* owned */
    struct ans_check_pair *v;          /* one per pairs.v[i] */
    struct ans_check_tier *tiers;
    size_t ntiers;
    size_t judged, failed, outliers;
    size_t evaluated;                  /* thresholds judged (passed or failed) */
    size_t unmeasured;                 /* thresholds that could not be judged */
    size_t unjudged_pairs;             /* pairs with at least one of them */
    size_t bw_near;                    /* pairs failing a bandwidth threshold by
                                        * under 10 %: protocol overhead? */
    struct ans_unjudged why[ANS_UNJUDGED_KINDS];
    size_t nwhy;
    size_t lat_over_limit;             /* of unmeasured: latency only on large messages */
    long long lat_max_size;            /* the limit in force, bytes */
    long long lat_suggest;             /* a measured size <= the limit to judge
                                        * latency at (-1: the run has none) */
    long long largest_size;            /* largest size measured, -1 none */
    struct ans_rails rails;            /* per-rail/per-node tables (ans_check_nic.c) */
    unsigned char *nic_verdict;        /* per rails.rail[i]: enum ans_nic_verdict */
    size_t nic_failed;                 /* NICs below the profile's per-NIC threshold */
    /* loss thresholds (max_retransmits, max_device_errors) that do not apply
     * to a pair because its run records no such counter (ans_check_loss.c) */
    const char *transport;             /* the run's ("tcp"), "?" unknown */
    size_t loss_rate_pairs;            /* pairs carrying extra.loss.retrans_pct */
    size_t loss_dev_pairs;             /* ... extra.loss.device_errors */
    size_t not_applicable;             /* (rule, pair)s no loss threshold applied to */
    struct ans_unjudged na[ANS_UNJUDGED_KINDS];   /* grouped by reason */
    size_t nna;
    const struct ans_culprit *culprit; /* borrowed, may be NULL: the culprit section */
    const char *culprit_note;          /* borrowed, may be NULL: why there is none */
};

enum ans_nic_verdict { ANS_NIC_SKIP, ANS_NIC_PASS, ANS_NIC_FAIL, ANS_NIC_UNJUDGED };

/* The profile's per-NIC thresholds (nic_min_line_rate, nic_min_bandwidth)
 * on the same-rail per-rail rows (ans_check_nic.c); called by
 * ans_check_run.  A threshold with no rail rows or no line rate to judge
 * against is unjudged (INCOMPLETE). */
/* One threshold that could not be judged, counted under its reason. */
void ans_check_unjudged(struct ans_check *out, const char *why);
/* The same for one pair: noted on it too ("not judged: WHY"). */
void ans_check_pair_unjudged(struct ans_check *out, struct ans_check_pair *cp, const char *why);
/* Count one threshold under its reason in kinds[0..*n): a new reason gets
 * its own entry while there is room, the last entry takes the rest. */
void ans_unjudged_count(struct ans_unjudged *kinds, size_t *n, const char *why);
/* Append to a pair's reason ("; " between notes). */
void ans_check_note(struct ans_check_pair *cp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Loss (ans_check_loss.c): what the run records, then one rule's loss
 * thresholds on one pair: judged where its row carries the counter; not
 * judged (INCOMPLETE) where other pairs of the run carry it and this one
 * does not; not applicable (a line of its own, not INCOMPLETE) where the
 * run records no such counter at all (transport mpi, an older file). */
void ans_check_loss_scan(const cJSON *run, struct ans_check *out);
void ans_check_loss_apply(const struct ans_rule *r, const struct ans_pair *m,
                          struct ans_check_pair *cp, struct ans_check *out);

tp_status_t ans_check_nics(const cJSON *run, const struct ans_profile *profile,
                           struct ans_check *out, struct tp_error *err);

tp_status_t ans_check_run(const cJSON *run, const char *what, const struct ans_profile *profile,
                          const struct ans_check_opts *opts, struct ans_check *out,
                          struct tp_error *err);
void ans_check_free(struct ans_check *check);
/* 1 when no threshold was judged and some did not apply to this run
 * (every threshold was not applicable): the verdict cannot be PASS. */
int ans_check_none_applied(const struct ans_check *check);
/* FAIL when a judged pair failed; else INCOMPLETE when no pair was judged,
 * a threshold could not be judged, or every threshold was not applicable;
 * else PASS. */
enum ans_verdict ans_check_verdict(const struct ans_check *check);
/* 0 PASS; 1 FAIL; 3 INCOMPLETE, 0 with allow_unjudged when at least one
 * threshold was judged. */
int ans_check_exit_status(const struct ans_check *check, const struct ans_check_opts *opts);
/* 1 when the verdict is PASS. */
int ans_check_passed(const struct ans_check *check, const struct ans_check_opts *opts);

/* The output, section by section (ans_check_sections.c). */
void ans_check_print(FILE *out, const struct ans_check *check, const struct ans_profile *profile,
                     const struct ans_check_opts *opts, int verbose);
tp_status_t ans_check_write_junit(const struct ans_check *check, const struct ans_profile *profile,
                                  const struct ans_check_opts *opts, const char *path,
                                  struct tp_error *err);
/* The verdict as JSON (docs/answers.md "check --json"): every pair when
 * all_pairs, else only the pairs that are not PASS/SKIP (the HTML report
 * reads run["check"] in that form). */
cJSON *ans_check_to_json(const struct ans_check *check, const struct ans_profile *profile,
                         const struct ans_check_opts *opts, int all_pairs);

#endif
