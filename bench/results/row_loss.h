/* row_loss.h: a results row's "loss" object (docs/results-schema.md). */
#ifndef TIERPERF_ROW_LOSS_H
#define TIERPERF_ROW_LOSS_H

#include <cjson/cJSON.h>

#include "row.h"

/* Adds extra.loss when anything was measured; nothing otherwise. */
void row_loss_json(cJSON *extra, const struct row_loss *l);

#endif
