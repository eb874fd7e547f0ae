/*
 * Charts as inline SVG, for pages that must draw without scripts or
 * fonts from elsewhere: grouped bars with error bars, and points on x-y
 * axes (optionally joined, optionally on a log x axis). Series take
 * colours from one fixed palette, in order, so a model keeps its colour
 * across the charts of a page when it is the same series index.
 */
#ifndef IE_SVG_H
#define IE_SVG_H

#include <stddef.h>

#include "util/strbuf.h"

/* The palette's colour of series i, "#rrggbb". */
const char *svg_color(size_t i);

struct svg_series {
	const char *name;
	const double *y;   /* one per category or point; NaN: none */
	const double *err; /* half-widths of error bars, or NULL */
	const double *x;   /* x-y charts: the points' x; NaN: none */
	size_t n;          /* x-y charts: points */
};

/* Grouped bars: for each of n_cats categories a bar per series, from 0 to
 * y on a 0..ymax axis labelled unit ("%", "1-5"). */
void svg_bars(struct strbuf *out, const char *title, const char *const *cats, size_t n_cats,
	      const struct svg_series *s, size_t n_series, double ymax, const char *unit);

/* Points (x, y) of each series, joined by lines when lines; log_x draws x
 * on a log10 axis (x must then be positive). */
void svg_xy(struct strbuf *out, const char *title, const char *xlabel, const char *ylabel,
	    const struct svg_series *s, size_t n_series, int lines, int log_x);

#endif
