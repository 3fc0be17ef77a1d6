/* topo_yaml_read.c: libyaml document loading for topology inputs. */
#include "topo_yaml_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tp_status_t topo_ydocs_load(const char *path, struct topo_ydocs *d, struct tp_error *err)
{
    yaml_parser_t parser;
    tp_status_t st = TP_OK;
    FILE *f = fopen(path, "rb");

    memset(d, 0, sizeof(*d));
    if (f == NULL)
        return tp_error_set(err, TP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return tp_error_set(err, TP_ERR_NO_MEMORY, "%s: cannot initialise libyaml", path);
    }
    yaml_parser_set_input_file(&parser, f);
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            st = tp_error_set(err, TP_ERR_PARSE, "%s:%zu: YAML syntax error: %s%s%s", path,
                              parser.problem_mark.line + 1,
                              parser.problem ? parser.problem : "unknown problem",
                              parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        if (yaml_document_get_root_node(&doc) == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        yaml_document_t *nd = realloc(d->docs, (d->ndocs + 1) * sizeof(*nd));
        if (nd == NULL) {
            yaml_document_delete(&doc);
            st = tp_error_set(err, TP_ERR_NO_MEMORY, "%s: out of memory", path);
            break;
        }
        d->docs = nd;
        d->docs[d->ndocs++] = doc;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (st != TP_OK)
        topo_ydocs_free(d);
    return st;
}

void topo_ydocs_free(struct topo_ydocs *d)
{
    for (size_t i = 0; i < d->ndocs; i++)
        yaml_document_delete(&d->docs[i]);
    free(d->docs);
    memset(d, 0, sizeof(*d));
}

yaml_node_t *topo_ymap_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

const char *topo_yscalar(yaml_node_t *node)
{
    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}
