/* report_svg_heat.c: the node x node heatmap and the compact per-tier view
 * as SVG.  Both colour a measurement by its bandwidth relative to its tier's
 * median, so a top tier that is slow by design is not painted as a fault. */
#include "report_svg.h"

#include <math.h>
#include <string.h>

#include "../answers/ans_escape.h"
#include "../answers/ans_units.h"

#define REL_RED 0.5                /* at or below: red */
#define REL_GREEN 1.0              /* at or above: green */

/* Red (slow for its tier) through yellow to green; light: pastel, for
 * cells that carry dark text. */
static void rel_color(double rel, int light, char *buf, size_t len)
{
    double t = isnan(rel) ? 0 : (rel - REL_RED) / (REL_GREEN - REL_RED);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    if (light)
        snprintf(buf, len, "hsl(%.0f,70%%,72%%)", 120 * t);
    else
        snprintf(buf, len, "hsl(%.0f,75%%,%.0f%%)", 120 * t, 42 + 8 * (1 - fabs(2 * t - 1)));
}

/* Labels are cut to this many characters (the tooltip has the full name). */
#define LABEL_MAX 26

static size_t label_len(const char *s)
{
    size_t n = strlen(s);
    return n > LABEL_MAX ? LABEL_MAX : n;
}

static void short_label(FILE *out, const char *s)
{
    char buf[LABEL_MAX + 2];
    size_t n = strlen(s);
    if (n <= LABEL_MAX) {
        ans_xml_puts(out, s);
        return;
    }
    snprintf(buf, sizeof(buf), "%.12s..%s", s, s + n - 12);
    ans_xml_puts(out, buf);
}

/* The colour scale and what it means, from (x, y); returns its height. */
static double scale_legend(FILE *out, double x, double y, int light, const char *id,
                           const char *extra)
{
    char color[48];
    fprintf(out, "<defs><linearGradient id='%s'>", id);
    for (int k = 0; k <= 4; k++) {
        rel_color(REL_RED + (REL_GREEN - REL_RED) * k / 4.0, light, color, sizeof(color));
        fprintf(out, "<stop offset='%d%%' stop-color='%s'/>", k * 25, color);
    }
    fprintf(out, "</linearGradient></defs>\n<rect x='%.1f' y='%.1f' width='200' height='12' "
                 "fill='url(#%s)'/>", x, y, id);
    fprintf(out, "<text x='%.1f' y='%.1f' font-size='11'>50 %% or less</text>"
                 "<text x='%.1f' y='%.1f' font-size='11' text-anchor='end'>100 %%</text>\n",
            x, y + 26, x + 200, y + 26);
    fprintf(out, "<text x='%.1f' y='%.1f' font-size='11'>colour: bandwidth as %% of its "
                 "tier's median (each tier against itself)</text>\n", x + 214, y + 10);
    fprintf(out, "<text x='%.1f' y='%.1f' font-size='11'>", x, y + 44);
    ans_xml_puts(out, extra);
    fputs("</text>\n", out);
    return 52;
}

static void svg_begin(FILE *out, double width, double height, const char *what)
{
    fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' "
                 "viewBox='0 0 %.0f %.0f' role='img' aria-label='%s' font-family='sans-serif' "
                 "class='heatmap'>\n<rect width='100%%' height='100%%' fill='#fff'/>\n",
            width, height, width, height, what);
}

static void cell_title(FILE *out, const struct report_heat *h, size_t i, size_t j)
{
    size_t c = i * h->n + j;
    char a[32];
    ans_xml_puts(out, h->labels[i]);
    fputs(" \xe2\x86\x92 ", out);
    ans_xml_puts(out, h->labels[j]);
    if (isnan(h->bw[c])) {
        fputs(": not measured", out);
        return;
    }
    fprintf(out, ": %s (%zu pair%s)", ans_fmt_gbit(h->bw[c], a, sizeof(a)), h->count[c],
            h->count[c] == 1 ? "" : "s");
    if (isnan(h->rel[c]))
        return;
    if (h->tier[c] == REPORT_TIER_MIXED)
        fprintf(out, ", %.0f %% of their tiers' medians", 100 * h->rel[c]);
    else if (h->tier[c] >= 0)
        fprintf(out, ", %.0f %% of the tier %d median", 100 * h->rel[c], h->tier[c]);
    else
        fprintf(out, ", %.0f %% of the median", 100 * h->rel[c]);
}

void svg_heatmap(FILE *out, const struct report_heat *h)
{
    double cell = h->n ? 640.0 / (double)h->n : 10;
    cell = cell > 28 ? 28 : cell < 6 ? 6 : cell;
    double fs = cell > 14 ? 11.0 : cell - 2;
    size_t longest = 1;
    for (size_t i = 0; i < h->n; i++)
        longest = label_len(h->labels[i]) > longest ? label_len(h->labels[i]) : longest;
    /* margins as wide as the labels need: no empty band above or beside */
    int labels = cell >= 9;
    double left = labels ? 12 + 0.62 * fs * (double)longest : 20;
    double top = labels ? 12 + 0.62 * fs * (double)longest * 0.87 + fs : 20;
    double side = cell * (double)h->n, width = left + side + 20;
    char color[48];

    if (width < 640)
        width = 640;   /* room for the colour scale's caption */
    svg_begin(out, width, top + side + 18 + 56, "bandwidth heatmap");
    for (size_t i = 0; labels && i < h->n; i++) {
        fprintf(out, "<text x='%.1f' y='%.1f' text-anchor='end' font-size='%.0f'>", left - 4,
                top + cell * ((double)i + 0.5) + fs / 3, fs);
        short_label(out, h->labels[i]);
        fprintf(out, "</text><text transform='translate(%.1f %.1f) rotate(-60)' "
                     "font-size='%.0f'>", left + cell * ((double)i + 0.5) + 3, top - 4, fs);
        short_label(out, h->labels[i]);
        fprintf(out, "</text>\n");
    }
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < h->n; j++) {
            size_t c = i * h->n + j;
            if (isnan(h->bw[c]))
                snprintf(color, sizeof(color), "#e8e8e8");
            else
                rel_color(h->rel[c], 0, color, sizeof(color));
            fprintf(out, "<rect x='%.1f' y='%.1f' width='%.2f' height='%.2f' fill='%s'><title>",
                    left + cell * (double)j, top + cell * (double)i, cell, cell, color);
            cell_title(out, h, i, j);
            fputs("</title></rect>\n", out);
        }
    /* a culprit's evidence: outlined cells */
    for (size_t i = 0; h->mark != NULL && i < h->n; i++)
        for (size_t j = 0; j < h->n; j++)
            if (h->mark[i * h->n + j])
                fprintf(out, "<rect x='%.1f' y='%.1f' width='%.2f' height='%.2f' fill='none' "
                             "stroke='#000' stroke-width='2' class='culprit'/>\n",
                        left + cell * (double)j + 1, top + cell * (double)i + 1, cell - 2,
                        cell - 2);
    scale_legend(out, 10, top + side + 18, 0, "tpheatscale",
                 h->mark != NULL ? "rows send, columns receive; grey: not measured; outlined: "
                                   "slow pairs a suspect explains"
                                 : "rows send, columns receive; grey: not measured");
    fputs("</svg>\n", out);
}

#define TV_LABEL_W 170.0
#define TV_CELL_W 104.0
#define TV_CELL_H 36.0
#define TV_GAP 4.0
#define TV_PER_LINE 6

/* "src→dst" in a cell: the tails of long names (nodes differ at the end). */
static void pair_text(FILE *out, const char *src, const char *dst)
{
    size_t a = strlen(src), b = strlen(dst);
    if (a + b <= 15) {
        ans_xml_puts(out, src);
        fputs("\xe2\x86\x92", out);
        ans_xml_puts(out, dst);
        return;
    }
    fputs("..", out);
    ans_xml_puts(out, a > 6 ? src + a - 6 : src);
    fputs("\xe2\x86\x92..", out);
    ans_xml_puts(out, b > 6 ? dst + b - 6 : dst);
}

static void tv_cell(FILE *out, const struct report_tv_cell *c, double x, double y)
{
    char color[48], a[32];
    if (c->failure != NULL)
        snprintf(color, sizeof(color), "#9e9e9e");
    else
        rel_color(c->rel, 1, color, sizeof(color));
    fprintf(out, "<g><rect x='%.1f' y='%.1f' width='%.0f' height='%.0f' fill='%s' rx='3'/>", x, y,
            TV_CELL_W, TV_CELL_H, color);
    if (c->mark)   /* a culprit's evidence: outlined */
        fprintf(out, "<rect x='%.1f' y='%.1f' width='%.0f' height='%.0f' fill='none' "
                     "stroke='#000' stroke-width='2' rx='3' class='culprit'/>", x + 1, y + 1,
                TV_CELL_W - 2, TV_CELL_H - 2);
    fprintf(out, "<text x='%.1f' y='%.1f' font-size='10' text-anchor='middle'>", x + TV_CELL_W / 2,
            y + 14);
    pair_text(out, c->src, c->dst);
    fprintf(out, "</text><text x='%.1f' y='%.1f' font-size='10' text-anchor='middle'>%s</text>"
                 "<title>", x + TV_CELL_W / 2, y + 28,
            c->failure != NULL ? "failed" : ans_fmt_gbit(c->bw, a, sizeof(a)));
    ans_xml_puts(out, c->src);
    fputs(" \xe2\x86\x92 ", out);
    ans_xml_puts(out, c->dst);
    if (c->failure != NULL) {
        fputs(": failed: ", out);
        ans_xml_puts(out, c->failure);
    } else {
        fprintf(out, ": %s", ans_fmt_gbit(c->bw, a, sizeof(a)));
        if (!isnan(c->rel))
            fprintf(out, ", %.0f %% of the tier's median", 100 * c->rel);
    }
    fputs("</title></g>\n", out);
}

static double tv_row_height(const struct report_tv_row *r)
{
    size_t lines = r->n == 0 ? 1 : (r->n + TV_PER_LINE - 1) / TV_PER_LINE;
    double h = (double)lines * (TV_CELL_H + TV_GAP);
    return (h < 52 ? 52 : h) + 8;
}

static void tv_row(FILE *out, const struct report_tv_row *r, double y)
{
    char a[32];
    fprintf(out, "<text x='8' y='%.1f' font-size='12' font-weight='bold'>", y + 13);
    ans_xml_puts(out, r->label);
    fprintf(out, "</text><text x='8' y='%.1f' font-size='11'>median %s</text>", y + 29,
            ans_fmt_gbit(r->median, a, sizeof(a)));
    if (r->n < r->pairs)
        fprintf(out, "<text x='8' y='%.1f' font-size='11'>slowest %zu of %zu pairs</text>\n",
                y + 44, r->n, r->pairs);
    else
        fprintf(out, "<text x='8' y='%.1f' font-size='11'>%zu pair%s</text>\n", y + 44, r->pairs,
                r->pairs == 1 ? "" : "s");
    for (size_t k = 0; k < r->n; k++) {
        size_t line = k / TV_PER_LINE, col = k % TV_PER_LINE;
        tv_cell(out, &r->cells[k], TV_LABEL_W + (TV_CELL_W + TV_GAP) * (double)col,
                y + (TV_CELL_H + TV_GAP) * (double)line);
    }
}

void svg_tierview(FILE *out, const struct report_tierview *tv)
{
    double height = 8, width = TV_LABEL_W + (TV_CELL_W + TV_GAP) * TV_PER_LINE + 8;
    int marked = 0;
    for (size_t k = 0; k < tv->nrows; k++) {
        height += tv_row_height(&tv->rows[k]);
        for (size_t c = 0; c < tv->rows[k].n; c++)
            marked |= tv->rows[k].cells[c].mark;
    }
    svg_begin(out, width, height + 60, "bandwidth per tier and pair");
    double y = 8;
    for (size_t k = 0; k < tv->nrows; k++) {
        tv_row(out, &tv->rows[k], y);
        y += tv_row_height(&tv->rows[k]);
        fprintf(out, "<line x1='8' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>\n", y - 5,
                width - 8, y - 5);
    }
    scale_legend(out, 8, y + 2, 1, "tptierscale",
                 marked ? "one cell per pair, sender \xe2\x86\x92 receiver; grey: failed; "
                          "outlined: slow pairs a suspect explains"
                        : "one cell per pair, sender \xe2\x86\x92 receiver; grey: failed");
    fputs("</svg>\n", out);
}
