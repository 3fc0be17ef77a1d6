/* topo_yaml_write.c: HyperNode YAML through libyaml's emitter, so quoting
 * of odd names is libyaml's job, not ours. */
#include "topo_yaml_write.h"

#include <string.h>
#include <yaml.h>

/* Scalars YAML would read as a number, bool or null must be quoted to
 * stay strings (a node called "123" or "yes"). */
static int needs_quotes(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~",
                                        "True", "False", "Yes", "No", "On", "Off", "Null",
                                        "TRUE", "FALSE", "YES", "NO", "ON", "OFF", "NULL", "y", "n", ""};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(s, words[i]) == 0)
            return 1;
    return strspn(s, "0123456789.+-eExXoO_") == strlen(s);
}

static int scalar(yaml_emitter_t *em, const char *s, int is_int)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = (!is_int && needs_quotes(s)) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                                             : YAML_ANY_SCALAR_STYLE;
    return yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style) &&
           yaml_emitter_emit(em, &ev);
}

static int kv(yaml_emitter_t *em, const char *k, const char *v)
{
    return scalar(em, k, 0) && scalar(em, v, 0);
}

static int map_start(yaml_emitter_t *em, int flow)
{
    yaml_event_t ev;
    return yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                               flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE) &&
           yaml_emitter_emit(em, &ev);
}

static int map_end(yaml_emitter_t *em)
{
    yaml_event_t ev;
    return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
}

static int seq_start(yaml_emitter_t *em)
{
    yaml_event_t ev;
    return yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) &&
           yaml_emitter_emit(em, &ev);
}

static int seq_end(yaml_emitter_t *em)
{
    yaml_event_t ev;
    return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
}

static int member(yaml_emitter_t *em, const struct topo_yaml_member *m)
{
    int ok = map_start(em, 0) && kv(em, "type", m->hypernode ? "HyperNode" : "Node") &&
             scalar(em, "selector", 0) && map_start(em, 0);
    if (m->sel == TOPO_YAML_REGEX)
        ok = ok && scalar(em, "regexMatch", 0) && map_start(em, 1) && kv(em, "pattern", m->value);
    else
        ok = ok && scalar(em, "exactMatch", 0) && map_start(em, 1) && kv(em, "name", m->value);
    return ok && map_end(em) && map_end(em) && map_end(em);
}

static int hypernode(yaml_emitter_t *em, const struct topo_yaml_hn *h)
{
    char tier[16];
    snprintf(tier, sizeof(tier), "%d", h->tier);
    int ok = map_start(em, 0) && kv(em, "apiVersion", "topology.volcano.sh/v1alpha1") &&
             kv(em, "kind", "HyperNode") && scalar(em, "metadata", 0) && map_start(em, 0) &&
             kv(em, "name", h->name) && map_end(em) && scalar(em, "spec", 0) && map_start(em, 0) &&
             scalar(em, "tier", 0) && scalar(em, tier, 1);
    if (ok && h->tier_name != NULL)
        ok = kv(em, "tierName", h->tier_name);
    ok = ok && scalar(em, "members", 0) && seq_start(em);
    for (size_t i = 0; ok && i < h->nmembers; i++)
        ok = member(em, &h->members[i]);
    return ok && seq_end(em) && map_end(em) && map_end(em);
}

tp_status_t topo_yaml_write(FILE *out, const char *header, const struct topo_yaml_hn *hns,
                            size_t n, struct tp_error *err)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    int ok;

    if (header != NULL) {
        const char *p = header;
        while (*p) {
            size_t len = strcspn(p, "\n");
            fprintf(out, "# %.*s\n", (int)len, p);
            p += len + (p[len] == '\n');
        }
        fflush(out);
    }
    if (!yaml_emitter_initialize(&em))
        return tp_error_set(err, TP_ERR_NO_MEMORY, "cannot initialise the YAML emitter");
    yaml_emitter_set_output_file(&em, out);
    yaml_emitter_set_width(&em, -1);
    yaml_emitter_set_unicode(&em, 1);
    ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && yaml_emitter_emit(&em, &ev) &&
         yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && yaml_emitter_emit(&em, &ev) &&
         map_start(&em, 0) && kv(&em, "apiVersion", "v1") && kv(&em, "kind", "List") &&
         scalar(&em, "items", 0) && seq_start(&em);
    for (size_t i = 0; ok && i < n; i++)
        ok = hypernode(&em, &hns[i]);
    ok = ok && seq_end(&em) && map_end(&em) && yaml_document_end_event_initialize(&ev, 1) &&
         yaml_emitter_emit(&em, &ev) && yaml_stream_end_event_initialize(&ev) &&
         yaml_emitter_emit(&em, &ev) && yaml_emitter_flush(&em);
    tp_status_t st = ok ? TP_OK
                        : tp_error_set(err, TP_ERR_IO, "writing HyperNode YAML failed: %s",
                                       em.problem ? em.problem : "write error");
    yaml_emitter_delete(&em);
    return st;
}
