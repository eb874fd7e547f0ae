/*
 * The maximum-weight assignment (assign.h): the Hungarian method with
 * shortest augmenting paths on the negated weights.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/assign.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * Hungarian method on a rows x cols cost matrix with rows <= cols,
 * minimising: rows are added one at a time, each by a shortest augmenting
 * path under the potentials u, v (all 1-based, column 0 is the virtual
 * start). row_of_col[c] is the row given column c, 0 for none.
 */
static void hungarian(const double *cost, size_t rows, size_t cols, size_t *row_of_col)
{
	double *u = xcalloc(rows + 1, sizeof(*u));
	double *v = xcalloc(cols + 1, sizeof(*v));
	double *minv = xmalloc((cols + 1) * sizeof(*minv));
	size_t *way = xcalloc(cols + 1, sizeof(*way));
	bool *used = xmalloc((cols + 1) * sizeof(*used));

	memset(row_of_col, 0, (cols + 1) * sizeof(*row_of_col));
	for (size_t r = 1; r <= rows; r++) {
		size_t c0 = 0;

		row_of_col[0] = r;
		for (size_t c = 0; c <= cols; c++) {
			minv[c] = INFINITY;
			used[c] = false;
		}
		do {
			size_t r0 = row_of_col[c0], c1 = 0;
			double delta = INFINITY;

			used[c0] = true;
			for (size_t c = 1; c <= cols; c++) {
				double cur;

				if (used[c])
					continue;
				cur = cost[(r0 - 1) * cols + (c - 1)] - u[r0] - v[c];
				if (cur < minv[c]) {
					minv[c] = cur;
					way[c] = c0;
				}
				if (minv[c] < delta) {
					delta = minv[c];
					c1 = c;
				}
			}
			for (size_t c = 0; c <= cols; c++) {
				if (used[c]) {
					u[row_of_col[c]] += delta;
					v[c] -= delta;
				} else {
					minv[c] -= delta;
				}
			}
			c0 = c1;
		} while (row_of_col[c0] != 0);
		do {
			size_t c1 = way[c0];

			row_of_col[c0] = row_of_col[c1];
			c0 = c1;
		} while (c0);
	}
	free(u);
	free(v);
	free(minv);
	free(way);
	free(used);
}

double assign_max_weight(const double *w, size_t rows, size_t cols, size_t *col_of_row)
{
	bool transpose = rows > cols;
	size_t a = transpose ? cols : rows, b = transpose ? rows : cols;
	double *cost, total = 0;
	size_t *row_of_col;

	for (size_t r = 0; r < rows; r++)
		col_of_row[r] = (size_t)-1;
	if (!rows || !cols)
		return 0;
	cost = xmalloc(a * b * sizeof(*cost));
	row_of_col = xmalloc((b + 1) * sizeof(*row_of_col));
	for (size_t i = 0; i < a; i++)
		for (size_t j = 0; j < b; j++)
			cost[i * b + j] = -(transpose ? w[j * cols + i] : w[i * cols + j]);
	hungarian(cost, a, b, row_of_col);
	for (size_t j = 1; j <= b; j++) {
		size_t i;

		if (!row_of_col[j])
			continue;
		i = row_of_col[j] - 1;
		if (transpose)
			col_of_row[j - 1] = i;
		else
			col_of_row[i] = j - 1;
	}
	for (size_t r = 0; r < rows; r++)
		if (col_of_row[r] != (size_t)-1)
			total += w[r * cols + col_of_row[r]];
	free(cost);
	free(row_of_col);
	return total;
}
