/* model_size.h: how many bytes a model is, for `run --model NAME` and
 * `run --model-file PATH`.  Presets are nominal parameter counts times
 * bytes per parameter (SI: 70e9 params x 2 B = 140 GB).  A safetensors
 * file gives the sum of its tensors' byte ranges, read from its header
 * only (8-byte little-endian length + JSON); a sharded model's
 * `model.safetensors.index.json` gives metadata.total_size. */
#ifndef TIERPERF_MODEL_SIZE_H
#define TIERPERF_MODEL_SIZE_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/status.h"

struct model_preset {
    const char *name;          /* e.g. "llama-70b-bf16" */
    double params;             /* nominal parameter count */
    double bytes_per_param;    /* 2 for bf16/fp16, 1 for fp8/int8 */
    const char *note;          /* what it stands for */
};

/* NULL-terminated-by-name table of presets. */
const struct model_preset *model_presets(size_t *n_p);
tp_status_t model_preset_bytes(const char *name, uint64_t *bytes_p, struct tp_error *err);

/* Header-only read; never loads tensor data. */
tp_status_t model_file_bytes(const char *path, uint64_t *bytes_p, struct tp_error *err);

#endif
