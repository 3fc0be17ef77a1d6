/* report_loss.h: retransmission lines of the text report. */
#ifndef TIERPERF_REPORT_LOSS_H
#define TIERPERF_REPORT_LOSS_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* Nothing when no row measured loss. */
void report_print_loss(const cJSON *run, FILE *out);

#endif
