/* report_svg.c: line chart, bar chart and heatmap as SVG elements. */
#include "report_svg.h"

#include <math.h>

#include "../answers/ans_escape.h"
#include "../answers/ans_units.h"

#define CHART_W 760.0
#define CHART_H 360.0
#define M_LEFT 72.0
#define M_RIGHT 170.0
#define M_TOP 16.0
#define M_BOTTOM 56.0

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};
#define PALETTE_N (sizeof(palette) / sizeof(palette[0]))

/* A round axis top and step: 1, 2 or 5 x 10^k, about five ticks. */
static double nice_step(double top)
{
    if (!(top > 0) || !isfinite(top))
        return 1;
    double raw = top / 5, mag = pow(10, floor(log10(raw))), norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

static void y_axis(FILE *out, double top, double step, const char *label)
{
    double plot_h = CHART_H - M_TOP - M_BOTTOM;
    for (int k = 0; k * step <= top * (1 + 1e-9) && k <= 20; k++) {
        double y = M_TOP + plot_h * (1 - k * step / top);
        fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>", M_LEFT, y,
                CHART_W - M_RIGHT, y);
        char num[64];
        fprintf(out, "<text x='%.1f' y='%.1f' text-anchor='end' font-size='11'>%s</text>\n",
                M_LEFT - 6, y + 4, units_fmt_num(k * step, 4, num, sizeof(num)));
    }
    fprintf(out, "<text transform='translate(16 %.1f) rotate(-90)' text-anchor='middle' "
                 "font-size='12'>", M_TOP + plot_h / 2);
    ans_xml_puts(out, label);
    fprintf(out, "</text>\n");
}

static void svg_open(FILE *out, const char *what)
{
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
                 "viewBox='0 0 %.0f %.0f' role='img' aria-label='", CHART_W, CHART_H, CHART_W,
            CHART_H);
    ans_xml_puts(out, what);
    fprintf(out, "' font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='#fff'/>\n");
}

static void legend(FILE *out, size_t i, const char *name, int line)
{
    double y = M_TOP + 8 + 18.0 * (double)i, x = CHART_W - M_RIGHT + 14;
    if (line)
        fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s' "
                     "stroke-width='2.5'/>", x, y, x + 18, y, palette[i % PALETTE_N]);
    else
        fprintf(out, "<rect x='%.1f' y='%.1f' width='14' height='10' fill='%s'/>", x, y - 5,
                palette[i % PALETTE_N]);
    fprintf(out, "<text x='%.1f' y='%.1f' font-size='12'>", x + 24, y + 4);
    ans_xml_puts(out, name);
    fprintf(out, "</text>\n");
}

/* One series of a line chart: lines between neighbouring measured sizes,
 * a point (with its value as a tooltip) per size, its legend entry. */
static void line_series(FILE *out, const struct svg_series *s, size_t i, double xmin,
                        double xmax, double top)
{
    double plot_w = CHART_W - M_LEFT - M_RIGHT, plot_h = CHART_H - M_TOP - M_BOTTOM;
    char buf[32];
    const char *color = palette[i % PALETTE_N];
    /* A line only between neighbouring measured sizes (at most 2x apart):
     * no straight line across sizes that were never measured. */
    double px = NAN;
    int open = 0;
    for (size_t k = 0; k < s->n; k++) {
        double x = s->x[k];
        if (!(x > 0) || !isfinite(s->y[k])) {
            px = NAN;
            continue;
        }
        int joins = isfinite(px) && x <= 2 * px;
        if (open && !joins) {
            fprintf(out, "'/>\n");
            open = 0;
        }
        if (!open && k + 1 < s->n && s->x[k + 1] <= 2 * x && isfinite(s->y[k + 1])) {
            fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='2' points='", color);
            open = 1;
        }
        if (open)
            fprintf(out, "%.1f,%.1f ", M_LEFT + plot_w * (log2(x) - xmin) / (xmax - xmin),
                    M_TOP + plot_h * (1 - s->y[k] / top));
        px = x;
    }
    if (open)
        fprintf(out, "'/>\n");
    for (size_t k = 0; k < s->n; k++) {
        if (!(s->x[k] > 0) || !isfinite(s->y[k]))
            continue;
        fprintf(out, "<circle cx='%.1f' cy='%.1f' r='3.5' fill='%s'><title>",
                M_LEFT + plot_w * (log2(s->x[k]) - xmin) / (xmax - xmin),
                M_TOP + plot_h * (1 - s->y[k] / top), color);
        ans_xml_puts(out, s->name);
        char num[64];
        fprintf(out, ", %s: %s</title></circle>\n",
                ans_fmt_msgsize((long long)s->x[k], buf, sizeof(buf)),
                units_fmt_num(s->y[k], 4, num, sizeof(num)));
    }
    legend(out, i, s->name, 1);
}

void svg_line_chart(FILE *out, const struct svg_series *s, size_t ns, const char *x_label,
                    const char *y_label)
{
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    double plot_w = CHART_W - M_LEFT - M_RIGHT, plot_h = CHART_H - M_TOP - M_BOTTOM;
    char buf[32];

    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < s[i].n; k++) {
            if (!(s[i].x[k] > 0) || !isfinite(s[i].y[k]))
                continue;
            xmin = fmin(xmin, log2(s[i].x[k]));
            xmax = fmax(xmax, log2(s[i].x[k]));
            ymax = fmax(ymax, s[i].y[k]);
        }
    if (xmin > xmax)
        xmin = xmax = 0;
    xmin = floor(xmin);
    xmax = ceil(xmax);
    if (xmax - xmin < 2) {
        xmin -= 1;
        xmax += 1;
    }
    double step = nice_step(ymax > 0 ? ymax * 1.05 : 1);
    double top = ceil((ymax > 0 ? ymax * 1.05 : 1) / step) * step;
    svg_open(out, y_label);
    y_axis(out, top, step, y_label);
    int every = (int)ceil((xmax - xmin) / 12);
    for (int k = (int)xmin; k <= (int)xmax; k++) {
        if ((k - (int)xmin) % every != 0 || k < 0 || k > 62)
            continue;
        double x = M_LEFT + plot_w * (k - xmin) / (xmax - xmin);
        fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#eee'/>", x, M_TOP, x,
                M_TOP + plot_h);
        fprintf(out, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='11'>%s</text>\n", x,
                M_TOP + plot_h + 16, ans_fmt_msgsize(1LL << k, buf, sizeof(buf)));
    }
    fprintf(out, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='12'>",
            M_LEFT + plot_w / 2, CHART_H - 12);
    ans_xml_puts(out, x_label);
    fprintf(out, "</text>\n<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' "
                 "stroke='#888'/>\n", M_LEFT, M_TOP, plot_w, plot_h);
    for (size_t i = 0; i < ns; i++)
        line_series(out, &s[i], i, xmin, xmax, top);
    fprintf(out, "</svg>\n");
}

void svg_bar_chart(FILE *out, const char *const *groups, size_t ng, const char *const *bars,
                   size_t nb, const double *values, const char *y_label)
{
    double ymax = 0, plot_w = CHART_W - M_LEFT - M_RIGHT, plot_h = CHART_H - M_TOP - M_BOTTOM;

    for (size_t i = 0; i < ng * nb; i++)
        if (isfinite(values[i]))
            ymax = fmax(ymax, values[i]);
    double step = nice_step(ymax > 0 ? ymax * 1.05 : 1);
    double top = ceil((ymax > 0 ? ymax * 1.05 : 1) / step) * step;
    svg_open(out, y_label);
    y_axis(out, top, step, y_label);
    double gw = plot_w / (double)(ng ? ng : 1), bw = gw * 0.8 / (double)(nb ? nb : 1);
    for (size_t g = 0; g < ng; g++) {
        double gx = M_LEFT + gw * (double)g + gw * 0.1;
        for (size_t b = 0; b < nb; b++) {
            double v = values[g * nb + b];
            if (!isfinite(v) || v < 0)
                continue;
            double h = plot_h * v / top;
            fprintf(out, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>",
                    gx + bw * (double)b, M_TOP + plot_h - h, bw * 0.9, h, palette[b % PALETTE_N]);
            ans_xml_puts(out, groups[g]);
            fputs(" ", out);
            ans_xml_puts(out, bars[b]);
            char num[64];
            fprintf(out, ": %s</title></rect>\n", units_fmt_num(v, 4, num, sizeof(num)));
        }
        fprintf(out, "<text x='%.1f' y='%.1f' text-anchor='middle' font-size='11'>",
                M_LEFT + gw * ((double)g + 0.5), M_TOP + plot_h + 16);
        ans_xml_puts(out, groups[g]);
        fprintf(out, "</text>\n");
    }
    fprintf(out, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='none' stroke='#888'/>\n",
            M_LEFT, M_TOP, plot_w, plot_h);
    for (size_t b = 0; b < nb; b++)
        legend(out, b, bars[b], 0);
    fprintf(out, "</svg>\n");
}
