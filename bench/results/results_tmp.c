/* results_tmp.c: stale temp files of a killed save removed (see
 * results_tmp.h). */
#define _GNU_SOURCE 1   /* unlinkat */
#include "results_tmp.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/log.h"

/* name is base + ".tmp." + six letters or digits */
static int is_tmp_of(const char *name, const char *base)
{
    size_t n = strlen(base);

    if (strncmp(name, base, n) != 0 || strncmp(name + n, ".tmp.", 5) != 0)
        return 0;
    name += n + 5;
    for (int i = 0; i < 6; i++)
        if (!isalnum((unsigned char)name[i]))
            return 0;
    return name[6] == '\0';
}

int results_tmp_sweep(const char *path)
{
    char *dir_copy = strdup(path), *base_copy = strdup(path);
    DIR *d = dir_copy != NULL && base_copy != NULL ? opendir(dirname(dir_copy)) : NULL;
    const char *base = base_copy != NULL ? basename(base_copy) : NULL;
    const struct dirent *de;
    int removed = 0;

    while (d != NULL && (de = readdir(d)) != NULL) {
        if ((de->d_type == DT_REG || de->d_type == DT_UNKNOWN) && is_tmp_of(de->d_name, base) &&
            unlinkat(dirfd(d), de->d_name, 0) == 0) {
            tp_log_info("%s: removed %s, the temp file of a run killed while saving it",
                        path, de->d_name);
            removed++;
        }
    }
    if (d != NULL)
        closedir(d);
    free(dir_copy);
    free(base_copy);
    return removed;
}
