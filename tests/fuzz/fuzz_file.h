/* fuzz_file.h: libFuzzer hands bytes; tierperf's parsers read files.  Write
 * the input to a private temp file and hand its path to the parser. */
#ifndef TIERPERF_FUZZ_FILE_H
#define TIERPERF_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int fuzz_write_temp(const uint8_t *data, size_t size,
                                  const char *suffix, char *path, size_t len)
{
    snprintf(path, len, "/tmp/tierperf-fuzz-%d%s", (int)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    if (size > 0 && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

#endif
