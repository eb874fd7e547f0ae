/*
 * DROP's answer normaliser and metrics (metrics/drop.c). The input is the
 * predicted spans, one a line, then FUZZ_SEP and each gold answer's spans
 * the same way. Every span is normalised; EM is 0 or 1 and F1 within 0-1
 * (NaN only for no spans on either side). The maximum-weight assignment
 * is checked against every matching, on a matrix of up to 5 x 5 weights
 * taken from the input's bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "metrics/drop.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_ANSWERS 4

static void fail(const char *what)
{
	fprintf(stderr, "drop: %s\n", what);
	abort();
}

/* The part's lines as spans (each a new string; the array too). */
static char **spans(const struct fuzz_part *p, size_t *n)
{
	char *text = fuzz_cstr(p->p, p->n), **v = xcalloc(p->n + 2, sizeof(char *));
	size_t m = 0;

	for (char *line = text;;) {
		char *nl = strchr(line, '\n');

		v[m++] = xstrndup(line, nl ? (size_t)(nl - line) : strlen(line));
		if (!nl)
			break;
		line = nl + 1;
	}
	free(text);
	*n = m;
	return v;
}

static void check_scores(double em, double f1, int nan_allowed)
{
	if (em != 0.0 && em != 1.0)
		fail("EM is neither 0 nor 1");
	if (isnan(f1) ? !nan_allowed : (f1 < 0.0 || f1 > 1.0))
		fail("F1 is outside 0-1");
}

/* The best total of any matching of rows to columns, by trying them all. */
static double best(const double *w, size_t rows, size_t cols, size_t r, unsigned used)
{
	double top;

	if (r == rows)
		return 0;
	top = best(w, rows, cols, r + 1, used); /* row r left out */
	for (size_t c = 0; c < cols; c++)
		if (!(used & (1u << c))) {
			double t = w[r * cols + c] + best(w, rows, cols, r + 1, used | (1u << c));

			top = t > top ? t : top;
		}
	return top;
}

static void check_assignment(const uint8_t *data, size_t size)
{
	size_t rows, cols, col_of_row[5], pairs = 0;
	double w[25], total, sum = 0;
	unsigned used = 0;

	if (size < 1)
		return;
	rows = (size_t)(data[0] % 5) + 1;
	cols = (size_t)(data[0] / 5 % 5) + 1;
	/* Sixteenths add up exactly, so the totals must agree to the bit. */
	for (size_t i = 0; i < rows * cols; i++)
		w[i] = 1 + i < size ? data[1 + i] / 16.0 : 0.0;
	total = drop_max_assignment(w, rows, cols, col_of_row);
	for (size_t r = 0; r < rows; r++) {
		size_t c = col_of_row[r];

		if (c == (size_t)-1)
			continue;
		if (c >= cols || (used & (1u << c)))
			fail("the assignment gives a column twice or one that is not there");
		used |= 1u << c;
		sum += w[r * cols + c];
		pairs++;
	}
	if (pairs != (rows < cols ? rows : cols) || sum != total ||
	    total != best(w, rows, cols, 0, 0))
		fail("the assignment is not a largest one");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part part[1 + MAX_ANSWERS];
	size_t n = fuzz_split(data, size, part, 1 + MAX_ANSWERS), n_pred, n_golds[MAX_ANSWERS];
	char **pred = spans(&part[0], &n_pred), **golds[MAX_ANSWERS];
	double em, f1;

	for (size_t i = 0; i < n_pred; i++)
		free(drop_normalize(pred[i]));
	for (size_t a = 1; a < n; a++)
		golds[a - 1] = spans(&part[a], &n_golds[a - 1]);
	if (n > 1) {
		drop_metrics((const char *const *)pred, n_pred, (const char *const *)golds[0],
			     n_golds[0], &em, &f1);
		check_scores(em, f1, 0);
		drop_metrics_max((const char *const *)pred, n_pred,
				 (const char *const *const *)golds, n_golds, n - 1, &em, &f1);
		check_scores(em, f1, 0);
	}
	/* No span at all on either side. */
	drop_metrics((const char *const *)pred, 0, (const char *const *)pred, 0, &em, &f1);
	check_scores(em, f1, 1);
	drop_metrics((const char *const *)pred, 0, (const char *const *)pred, n_pred, &em, &f1);
	check_scores(em, f1, 0);
	for (size_t a = 1; a < n; a++) {
		for (size_t i = 0; i < n_golds[a - 1]; i++)
			free(golds[a - 1][i]);
		free(golds[a - 1]);
	}
	for (size_t i = 0; i < n_pred; i++)
		free(pred[i]);
	free(pred);
	check_assignment(data, size);
	return 0;
}
