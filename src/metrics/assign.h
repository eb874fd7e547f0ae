/*
 * The maximum-weight assignment problem, solved exactly; DROP pairs
 * predicted with gold spans by it, in place of scipy's
 * linear_sum_assignment.
 */
#ifndef IE_ASSIGN_H
#define IE_ASSIGN_H

#include <stddef.h>

/*
 * Pairs min(rows, cols) rows and columns of the rows x cols matrix w
 * (row-major, weights >= 0) one to one so that the total weight is
 * largest. col_of_row[r] (room for rows) is the column given to row r, or
 * (size_t)-1 for a row left out (when rows > cols). Returns the total.
 * The Hungarian method with shortest augmenting paths; nothing is kept.
 */
double assign_max_weight(const double *w, size_t rows, size_t cols, size_t *col_of_row);

#endif
