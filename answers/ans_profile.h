/* ans_profile.h: acceptance profiles for `tierperf check`: rules with
 * bandwidth and latency thresholds, each selecting pairs by tier, node
 * name and message size.  Built-in profiles are compiled in (their YAML
 * text is also shipped in profiles/); custom ones are YAML files. */
#ifndef TIERPERF_ANS_PROFILE_H
#define TIERPERF_ANS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"
#include "ans_pairs.h"

#define ANS_RULES_MAX 32
#define ANS_TIER_MASK_MAX 63
#define ANS_RULE_LABELS_MAX 4

struct ans_label {                /* Kubernetes: key <= 253, value <= 63 chars */
    char key[254];
    char value[64];
};

struct ans_rule {
    char name[64];
    uint64_t tiers;               /* bit t = tier t selected; 0 = every tier >= 1
                                   * and pairs without a tier */
    long long size;               /* judge this size only; -1 default sizes */
    double min_bw_gbit;           /* NAN: no bandwidth threshold */
    double max_lat_us[ANS_LAT_N]; /* NAN: no threshold for that percentile */
    double max_retrans_pct;       /* max_retransmits: retransmitted segments, % of
                                   * those sent in the timed phase; NAN: none */
    double max_dev_errors;        /* max_device_errors: the RDMA port's error
                                   * counters that moved (verbs); NAN: none */
    char nodes[128];              /* POSIX ERE on either node name, "" any */
    struct ans_label labels[ANS_RULE_LABELS_MAX];   /* node_labels: all must */
    size_t nlabels;               /* match (matchLabels); 0 none */
};

/* Latency thresholds are judged only on messages up to this size: a 4 MiB
 * ping-pong measures transfer time, not latency. */
#define ANS_LAT_MAX_SIZE_DEFAULT 65536LL

struct ans_profile {
    char name[64];
    char description[256];
    /* protocol_overhead: thresholds judge application throughput (payload
     * after TCP/IP or RoCE headers); this allowance, in percent, lowers every
     * min_bandwidth so a link sold at exactly its threshold passes.  0 none. */
    double overhead_pct;
    long long latency_max_size;   /* bytes; <= 0: ANS_LAT_MAX_SIZE_DEFAULT */
    /* per-NIC thresholds on multi-rail runs (each NIC's same-rail median):
     * % of its port's line rate, and a bandwidth; 0: none */
    double nic_min_pct;
    double nic_min_bw_gbit;
    struct ans_rule rules[ANS_RULES_MAX];
    size_t nrules;
};

/* NAME of a built-in profile or a path to a YAML file. */
tp_status_t ans_profile_load(const char *name_or_path, struct ans_profile *profile,
                             struct tp_error *err);
/* Parse YAML text; what names the source in error messages. */
tp_status_t ans_profile_parse(const char *text, size_t len, const char *what,
                              struct ans_profile *profile, struct tp_error *err);

/* Built-in profiles: the same YAML text as profiles/<name>.yaml. */
size_t ans_profile_builtin_count(void);
const char *ans_profile_builtin_name(size_t i);
const char *ans_profile_builtin_text(const char *name);   /* NULL if unknown */

struct topo;

/* Does rule select this pair (tier and nodes; not size)?  A rule with
 * nodes and/or node_labels selects a pair when either node's name matches
 * nodes or either node carries every label of node_labels; node labels come
 * from a nodes file (topology/topology.h topo_nodes_read; NULL: none known,
 * so only names select). */
int ans_rule_selects_in(const struct ans_rule *rule, const struct ans_pair *pair,
                        const struct topo *node_labels);
int ans_rule_selects(const struct ans_rule *rule, const struct ans_pair *pair);
/* "node-role.kubernetes.io/storage=\"\", zone=a": the rule's node_labels. */
const char *ans_rule_labels_text(const struct ans_rule *rule, char *buf, size_t len);

#endif
