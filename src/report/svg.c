/* Charts as inline SVG (svg.h). */
#include <math.h>
#include <string.h>

#include "report/html.h"
#include "report/svg.h"
#include "util/banned.h"

/* Tableau's ten: distinct in print and for the common colour blindnesses. */
static const char *const palette[] = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
				       "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
				       "#9c755f", "#bab0ac" };

#define N_COLORS (sizeof(palette) / sizeof(palette[0]))

const char *svg_color(size_t i)
{
	return palette[i % N_COLORS];
}

#define LEFT 56.0
#define TOP 34.0
#define PLOT_H 220.0
#define BOTTOM 120.0 /* room for slanted category labels */
#define LABEL_CHARS 22

static void begin(struct strbuf *out, double w, double h, const char *title)
{
	strbuf_addf(out, "<figure class=\"chart\"><svg "
			 "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
			 "font-family=\"sans-serif\" font-size=\"11\"><title>",
		    w, h, w, h);
	html_escape(out, title);
	strbuf_addf(out, "</title><text x=\"%.0f\" y=\"18\" font-size=\"13\" "
			 "font-weight=\"bold\">",
		    LEFT);
	html_escape(out, title);
	strbuf_adds(out, "</text>");
}

static void legend(struct strbuf *out, const struct svg_series *s, size_t n, double x, double y)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" "
				 "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
			    x, y + 14.0 * (double)i, svg_color(i), x + 14, y + 14.0 * (double)i + 9);
		html_escape(out, s[i].name);
		strbuf_adds(out, "</text>");
	}
}

/* A tidy step for about five ticks over span. */
static double tick_step(double span)
{
	double raw = span / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;

	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void y_axis(struct strbuf *out, double lo, double hi, double plot_w, const char *label)
{
	double step = tick_step(hi - lo), first = ceil(lo / step - 1e-9);

	/* Ticks counted, not summed: no 5.55e-17 where 0 belongs. */
	for (double k = first; k * step <= hi + step * 1e-9; k++) {
		double v = k * step + 0.0, y = TOP + PLOT_H * (1 - (v - lo) / (hi - lo));

		strbuf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
				 "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" "
				 "text-anchor=\"end\">%g</text>",
			    LEFT, LEFT + plot_w, y, y, LEFT - 6, y + 4, v);
	}
	strbuf_addf(out, "<text x=\"12\" y=\"%.1f\" transform=\"rotate(-90 12 %.1f)\" "
			 "text-anchor=\"middle\">",
		    TOP + PLOT_H / 2, TOP + PLOT_H / 2);
	html_escape(out, label);
	strbuf_adds(out, "</text>");
}

/* A category's name, cut to fit under the axis (whole in its tooltip). */
static void label(struct strbuf *out, const char *name)
{
	size_t chars = 0, i = 0;

	for (; name[i]; i++)
		if (((unsigned char)name[i] & 0xC0) != 0x80 && ++chars > LABEL_CHARS)
			break;
	if (!name[i]) {
		html_escape(out, name);
		return;
	}
	strbuf_adds(out, "<title>");
	html_escape(out, name);
	strbuf_adds(out, "</title>");
	{
		struct strbuf cut = STRBUF_INIT;

		strbuf_add(&cut, name, i);
		html_escape(out, cut.buf);
		strbuf_release(&cut);
	}
	strbuf_adds(out, "&#8230;");
}

void svg_bars(struct strbuf *out, const char *title, const char *const *cats, size_t n_cats,
	      const struct svg_series *s, size_t n_series, double ymax, const char *unit)
{
	double bar = n_series > 6 ? 6 : 12, group = bar * (double)n_series + 10;
	double plot_w = group * (double)n_cats, w = LEFT + plot_w + 170;
	double h = TOP + PLOT_H + BOTTOM + (n_series > 6 ? 14.0 * (double)(n_series - 6) : 0);

	begin(out, w < 360 ? 360 : w, h, title);
	y_axis(out, 0, ymax, plot_w, unit);
	for (size_t c = 0; c < n_cats; c++) {
		double gx = LEFT + group * (double)c + 5;

		for (size_t i = 0; i < n_series; i++) {
			double v = s[i].y[c], x = gx + bar * (double)i;
			double top = TOP + PLOT_H * (1 - (v > ymax ? ymax : v) / ymax);

			if (isnan(v))
				continue;
			strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
					 "fill=\"%s\"><title>",
				    x, top, bar - 1, TOP + PLOT_H - top, svg_color(i));
			html_escape(out, s[i].name);
			strbuf_addf(out, ": %.2f</title></rect>", v);
			if (s[i].err && !isnan(s[i].err[c]) && s[i].err[c] > 0) {
				double e = PLOT_H * s[i].err[c] / ymax, mid = x + (bar - 1) / 2;

				strbuf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
						 "y2=\"%.1f\" stroke=\"#333\"/>",
					    mid, mid, top - e < TOP ? TOP : top - e,
					    top + e > TOP + PLOT_H ? TOP + PLOT_H : top + e);
			}
		}
		strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
				 "transform=\"rotate(-40 %.1f %.1f)\">",
			    gx + group / 2, TOP + PLOT_H + 14, gx + group / 2, TOP + PLOT_H + 14);
		label(out, cats[c]);
		strbuf_adds(out, "</text>");
	}
	legend(out, s, n_series, LEFT + plot_w + 16, TOP);
	strbuf_adds(out, "</svg></figure>\n");
}

/* The range of the series' finite values of x (or y). */
static void range(const struct svg_series *s, size_t n, int want_x, int log_x, double *lo,
		  double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s[i].n; k++) {
			double v = want_x ? s[i].x[k] : s[i].y[k];

			if (isnan(v) || (log_x && v <= 0))
				continue;
			v = log_x ? log10(v) : v;
			*lo = v < *lo ? v : *lo;
			*hi = v > *hi ? v : *hi;
		}
	if (*lo > *hi)
		*lo = 0, *hi = 1;
	if (*hi - *lo < 1e-9) {
		*lo -= 0.5;
		*hi += 0.5;
	}
}

static void x_axis(struct strbuf *out, double lo, double hi, double plot_w, int log_x,
		   const char *label)
{
	double step = log_x ? 1 : tick_step(hi - lo), first = ceil(lo / step - 1e-9);

	for (double k = first; k * step <= hi + step * 1e-9; k++) {
		double v = k * step + 0.0, x = LEFT + plot_w * (v - lo) / (hi - lo);

		strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>", x,
			    TOP + PLOT_H + 16, log_x ? pow(10, v) : v);
	}
	strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		    LEFT + plot_w / 2, TOP + PLOT_H + 36);
	html_escape(out, label);
	strbuf_adds(out, "</text>");
}

void svg_xy(struct strbuf *out, const char *title, const char *xlabel, const char *ylabel,
	    const struct svg_series *s, size_t n_series, int lines, int log_x)
{
	double plot_w = 360, xlo, xhi, ylo, yhi, pad;

	range(s, n_series, 1, log_x, &xlo, &xhi);
	range(s, n_series, 0, 0, &ylo, &yhi);
	pad = (yhi - ylo) * 0.1;
	ylo = ylo - pad < 0 && ylo >= 0 ? 0 : ylo - pad;
	yhi += pad;
	pad = (xhi - xlo) * 0.05;
	xlo -= pad;
	xhi += pad;
	begin(out, LEFT + plot_w + 190, TOP + PLOT_H + 50 +
		   (n_series > 14 ? 14.0 * (double)(n_series - 14) : 0), title);
	y_axis(out, ylo, yhi, plot_w, ylabel);
	x_axis(out, xlo, xhi, plot_w, log_x, xlabel);
	for (size_t i = 0; i < n_series; i++) {
		struct strbuf path = STRBUF_INIT;

		for (size_t k = 0; k < s[i].n; k++) {
			double xv = s[i].x[k], yv = s[i].y[k], px, py;

			if (isnan(xv) || isnan(yv) || (log_x && xv <= 0))
				continue;
			px = LEFT + plot_w * ((log_x ? log10(xv) : xv) - xlo) / (xhi - xlo);
			py = TOP + PLOT_H * (1 - (yv - ylo) / (yhi - ylo));
			strbuf_addf(&path, "%s%.1f,%.1f", path.len ? " L" : "M", px, py);
			strbuf_addf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\">"
					 "<title>",
				    px, py, svg_color(i));
			html_escape(out, s[i].name);
			strbuf_addf(out, ": %g, %.2f</title></circle>", xv, yv);
		}
		if (lines && path.len)
			strbuf_addf(out, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" "
					 "stroke-width=\"2\"/>",
				    path.buf, svg_color(i));
		strbuf_release(&path);
	}
	legend(out, s, n_series, LEFT + plot_w + 16, TOP);
	strbuf_adds(out, "</svg></figure>\n");
}
