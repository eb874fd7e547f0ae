/*
 * DROP's official answer metrics: exact match and the bag-of-words F1 of
 * the DROP evaluation script (drop_eval.py, as shipped with AllenNLP). An
 * answer is a list of spans; each span is normalised token by token
 * (lowercase, punctuation dropped unless the token is a number, numbers
 * written as Python's str(float(token)), articles removed), the spans of
 * prediction and gold are paired by a maximum-weight assignment of their
 * F1 scores, and a pair whose gold has numbers none of which the
 * prediction has scores 0. Everything here is computed the way the script
 * computes it, float operations and rounding included, so scores can be
 * compared with published ones.
 *
 * Strings are UTF-8 and borrowed; nothing returned is kept by this module.
 */
#ifndef IE_DROP_H
#define IE_DROP_H

#include <stddef.h>

/*
 * EM and F1 of one predicted answer (spans pred[0..n_pred)) against one
 * gold answer (gold[0..n_gold)), as the script's get_metrics(): em is 1.0
 * when the two lists of normalised spans hold the same set of strings and
 * have the same length, else 0.0; f1 is the total F1 of the best
 * assignment of predicted to gold spans divided by max(n_pred, n_gold),
 * rounded to 2 decimals as numpy does (round half to even on x * 100). A
 * prediction that is one empty string is one span with no words, as in
 * the script; n_pred = 0 is no span at all and scores f1 0 against any
 * gold. With n_pred = n_gold = 0 the script's mean is NaN, and so is f1.
 */
void drop_metrics(const char *const *pred, size_t n_pred, const char *const *gold,
		  size_t n_gold, double *em, double *f1);

/*
 * The score of a prediction on a question with several gold answers (the
 * answer and its validated answers), as the script's evaluate_json():
 * golds[a][0..n_golds[a]) is gold answer a; a gold answer whose first span
 * is white space only (or that has no span) is skipped; em and f1 are the
 * maxima over the rest, each on its own, starting from 0.
 */
void drop_metrics_max(const char *const *pred, size_t n_pred, const char *const *const *golds,
		      const size_t *n_golds, size_t n_answers, double *em, double *f1);

/* The script's _normalize_answer(span): the normalised words joined by
 * single spaces. Returns a new string that the caller frees. */
char *drop_normalize(const char *span);

/*
 * A maximum-weight assignment on the rows x cols matrix w (row-major,
 * weights >= 0): pairs min(rows, cols) rows and columns one to one so that
 * the total weight is largest. col_of_row[r] is the column given to row r,
 * or (size_t)-1 for a row left out (when rows > cols). Returns the total.
 * Exact: assign_max_weight (metrics/assign.h), which drop_metrics uses in
 * place of scipy's linear_sum_assignment.
 */
double drop_max_assignment(const double *w, size_t rows, size_t cols, size_t *col_of_row);

#endif
