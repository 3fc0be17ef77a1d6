/* ans_profile_builtin.c: the built-in acceptance profiles, compiled in so
 * the binary alone knows them.  Each text is byte-for-byte profiles/<name>.yaml
 * (tests/unit/test_answers_profile.c checks that they stay equal). */
#include "ans_profile.h"

#include <string.h>

static const struct {
    const char *name;
    const char *text;
} builtins[] = {
    {"test-dev",
     "# test-dev: a development or test cluster (published requirement: at least\n"
     "# 100 Mbit/s per node, nodes in one datacenter: latency at most 1 ms, no\n"
     "# loss).  Every network tier is judged; failed or corrupted transfers fail.\n"
     "name: test-dev\n"
     "description: \"test/dev cluster: >= 100 Mbit/s per node, same-datacenter latency <= 1 ms, zero errors\"\n"
     "rules:\n"
     "  - name: per-node\n"
     "    min_bandwidth: 100Mbit/s\n"
     "    max_latency: {p50: 1ms}\n"
     "  - name: loss                # the \"no loss\" requirement (docs/answers.md, Loss)\n"
     "    max_retransmits: 10%      # tcp: segments retransmitted, % of those sent\n"
     "    max_device_errors: 0      # verbs: RDMA port error counters that moved\n"},
    {"sme-production",
     "# sme-production: a small or medium production cluster (published\n"
     "# requirement: at least 1 Gbit/s per node, storage network at least\n"
     "# 10 Gbit/s, same-datacenter latency at most 1 ms, no loss).  Storage pairs\n"
     "# are those where either node's name contains \"storage\" or either node is\n"
     "# labelled node-role.kubernetes.io/storage=\"\" (labels from check --nodes\n"
     "# FILE, kubectl get nodes -o yaml); when no node is, check says the rule\n"
     "# selected no pair and the verdict is INCOMPLETE.\n"
     "name: sme-production\n"
     "description: \"SME production: >= 1 Gbit/s per node, storage >= 10 Gbit/s, latency <= 1 ms, zero errors\"\n"
     "rules:\n"
     "  - name: per-node\n"
     "    min_bandwidth: 1Gbit/s\n"
     "    max_latency: {p50: 1ms}\n"
     "  - name: storage\n"
     "    nodes: \"storage\"\n"
     "    node_labels: {node-role.kubernetes.io/storage: \"\"}\n"
     "    min_bandwidth: 10Gbit/s\n"
     "  - name: loss                # the \"no loss\" requirement (docs/answers.md, Loss)\n"
     "    max_retransmits: 10%      # tcp: segments retransmitted, % of those sent\n"
     "    max_device_errors: 0      # verbs: RDMA port error counters that moved\n"},
    {"large-scale-ai",
     "# large-scale-ai: large AI training/serving cluster (published requirement:\n"
     "# at least 10 Gbit/s per node, same-datacenter latency at most 1 ms, no\n"
     "# loss).\n"
     "name: large-scale-ai\n"
     "description: \"large-scale AI: >= 10 Gbit/s per node, latency <= 1 ms, zero errors\"\n"
     "rules:\n"
     "  - name: per-node\n"
     "    min_bandwidth: 10Gbit/s\n"
     "    max_latency: {p50: 1ms}\n"
     "  - name: loss                # the \"no loss\" requirement (docs/answers.md, Loss)\n"
     "    max_retransmits: 10%      # tcp: segments retransmitted, % of those sent\n"
     "    max_device_errors: 0      # verbs: RDMA port error counters that moved\n"},
};

size_t ans_profile_builtin_count(void)
{
    return sizeof(builtins) / sizeof(builtins[0]);
}

const char *ans_profile_builtin_name(size_t i)
{
    return i < ans_profile_builtin_count() ? builtins[i].name : NULL;
}

const char *ans_profile_builtin_text(const char *name)
{
    for (size_t i = 0; i < ans_profile_builtin_count(); i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].text;
    return NULL;
}
