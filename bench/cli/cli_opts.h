/* cli_opts.h: what every subcommand says about a bad option: one line,
 * naming it, with a "did you mean" when a known option is close. */
#ifndef TIERPERF_CLI_OPTS_H
#define TIERPERF_CLI_OPTS_H

#include <getopt.h>

#include "../../common/status.h"

/* After getopt_long (with opterr = 0) returned '?' or ':': fill err with
 * "CMD: unknown option '--sizs' (did you mean --sizes?; see tierperf CMD
 * --help)", or "option '--size' needs a value", or "is ambiguous". */
tp_status_t cli_opt_error(const char *cmd, char **argv, const struct option *longopts,
                          struct tp_error *err);
/* The same for one argument `arg` that is no option of longopts. */
tp_status_t cli_opt_explain(const char *cmd, const char *arg, const struct option *longopts,
                            struct tp_error *err);
/* The same, printed as one line; returns exit status 2. */
int cli_opt_fail(const char *cmd, char **argv, const struct option *longopts);
/* The known option closest to `name` (without dashes), or NULL. */
const char *cli_opt_suggest(const char *name, const struct option *longopts);

#endif
