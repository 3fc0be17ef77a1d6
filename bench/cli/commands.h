/* commands.h: the subcommands of the tierperf binary.  Each returns the
 * process exit status: 0 success, 1 a check failed / measurement failed,
 * 2 bad usage or input. */
#ifndef TIERPERF_COMMANDS_H
#define TIERPERF_COMMANDS_H

int cmd_run(int argc, char **argv);        /* bench/cli/cmd_run.c */
int cmd_report(int argc, char **argv);     /* bench/cli/cmd_report.c */
int cmd_topo(int argc, char **argv);       /* bench/cli/cmd_topo.c */
int cmd_check(int argc, char **argv);      /* bench/cli/cmd_check.c */
int cmd_recommend(int argc, char **argv);  /* bench/cli/cmd_recommend.c */
int cmd_estimate(int argc, char **argv);   /* bench/cli/cmd_estimate.c */
int cmd_infer(int argc, char **argv);      /* bench/cli/cmd_infer.c */
int cmd_compare(int argc, char **argv);    /* bench/cli/cmd_compare.c */

#endif
