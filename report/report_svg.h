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

/* report_svg_heat.c.  Row = sender, column = receiver; each cell coloured
 * by its bandwidth relative to its tier's median (red at 50 % or less,
 * green at 100 % or more), grey = not measured; a <title> tooltip per cell;
 * label margins as wide as the longest label. */
void svg_heatmap(FILE *out, const struct report_heat *h);

/* The compact per-tier view: a row per tier (its label, median and pair
 * count), a cell per pair with its name and rate, coloured as above. */
void svg_tierview(FILE *out, const struct report_tierview *tv);

#endif
