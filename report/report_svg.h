/* report_svg.h: the report's charts as inline SVG, drawn here so the page
 * needs no script or external resource.  All text is XML-escaped. */
#ifndef TIERPERF_REPORT_SVG_H
#define TIERPERF_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "report_data.h"

struct svg_series {
    const char *name;
    size_t n;
    const double *x, *y;           /* NAN y: point skipped */
};

/* Lines over message size: log2 x axis (bytes, labelled 4 KiB...), linear
 * y axis from 0, a legend with one entry per series. */
void svg_line_chart(FILE *out, const struct svg_series *s, size_t ns, const char *x_label,
                    const char *y_label);

/* Grouped bars: ng groups of nb bars, values[g * nb + b] (NAN: no bar). */
void svg_bar_chart(FILE *out, const char *const *groups, size_t ng, const char *const *bars,
                   size_t nb, const double *values, const char *y_label);

/* Row = sender, column = receiver; red (slowest) to green (fastest),
 * grey = not measured; a <title> tooltip per cell. */
void svg_heatmap(FILE *out, const struct report_heat *h);

#endif
