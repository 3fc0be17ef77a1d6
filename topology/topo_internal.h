/* topo_internal.h: the in-memory HyperNode forest shared by the files of
 * topology/ (parse, validate, bind, tier, plan, print).  Not for other
 * modules: they use topology.h. */
#ifndef TIERPERF_TOPO_INTERNAL_H
#define TIERPERF_TOPO_INTERNAL_H

#include <regex.h>
#include <stddef.h>

#include "topo_hash.h"
#include "topology.h"

enum topo_member_type { TOPO_MEMBER_NODE, TOPO_MEMBER_HYPERNODE };
enum topo_sel_kind { TOPO_SEL_EXACT, TOPO_SEL_REGEX, TOPO_SEL_LABEL };
enum topo_label_op { TOPO_OP_IN, TOPO_OP_NOTIN, TOPO_OP_EXISTS, TOPO_OP_NOTEXISTS };

struct topo_label_expr {          /* one matchLabels entry or matchExpression */
    char *key;
    enum topo_label_op op;        /* matchLabels k: v is In [v] */
    char **values;
    size_t nvalues;
};

struct topo_member {
    enum topo_member_type type;
    enum topo_sel_kind sel;
    char *value;                  /* exactMatch name or regexMatch pattern */
    regex_t re;                   /* compiled when sel == REGEX */
    int re_ok;
    size_t re_prefix;             /* literal anchored prefix length (index) */
    struct topo_label_expr *exprs;/* labelMatch */
    size_t nexprs;
    int line;
};

struct topo_hn {
    char *name;
    int tier;
    char *tier_name;              /* may be NULL */
    const char *file;             /* borrowed from topo->files */
    int line;
    struct topo_member *members;
    size_t nmembers;
    int parent;                   /* index into topo->hns, -1 for a root */
    int *children;                /* child HyperNodes */
    size_t nchildren;
    int depth;                    /* 0 for roots */
    int warned_high;              /* "own HyperNode above lowest tier" said */
};

struct topo_label {
    char *key, *value;
};

struct topo_node {
    char *name;
    struct topo_label *labels;
    size_t nlabels;
    int has_labels;               /* came from a nodes file */
    int *direct;                  /* HyperNodes listing it as a Node member */
    size_t ndirect;
    int own;                      /* lowest-tier direct HyperNode, -1 none */
    int resolved;                 /* regex/label selectors evaluated */
};

struct topo {
    char *path;
    char *nodes_path;
    struct topo_hn *hns;
    size_t nhns, cap_hns;
    struct topo_strmap hn_index;
    struct topo_node *nodes;
    size_t nnodes, cap_nodes;
    struct topo_strmap node_index;
    int *tiers;                   /* distinct real tiers, ascending */
    size_t ntiers;
    char **warnings;
    size_t nwarnings;
    int has_regex, has_label;     /* Node members needing a node list */
    int names_given;              /* a nodes file or bound names exist */
    /* regexMatch Node members indexed by their literal prefix */
    struct topo_strmap re_prefix_index; /* prefix -> first entry in re_chain */
    int *re_chain;                /* next entry, -1 ends */
    struct { int hn; int member; } *re_entries;
    size_t nre_entries;
    size_t *re_prefix_lens;       /* distinct prefix lengths present */
    size_t nre_prefix_lens;
    char **re_prefix_keys;        /* owned prefix strings (map keys) */
    size_t nre_prefix_keys;
    int *re_unindexed;            /* entries without a usable prefix */
    size_t nre_unindexed;
};

/* topo_parse.c */
tp_status_t topo_parse_file(struct topo *t, const char *path, struct tp_error *err);
/* topo_nodes.c */
tp_status_t topo_nodes_load(struct topo *t, const char *path, struct tp_error *err);
/* topo_validate.c: link members into a forest, check it */
tp_status_t topo_validate(struct topo *t, struct tp_error *err);
/* topo_select.c */
tp_status_t topo_index_regex(struct topo *t, struct tp_error *err);
int topo_node_add(struct topo *t, const char *name);  /* index or -1 (ENOMEM) */
tp_status_t topo_node_link(struct topo *t, int node, int hn, struct tp_error *err);
tp_status_t topo_node_resolve(struct topo *t, int node, struct tp_error *err);
/* topo_tier.c */
void topo_warn(struct topo *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int topo_hn_lca(const struct topo *t, int a, int b);  /* -1: none */
int topo_node_tier_idx(const struct topo *t, int a, int b, int *hn_p);

#endif
