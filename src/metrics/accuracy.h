/*
 * Accuracy with its binomial standard error, and accuracies kept by group
 * name (subtask, subcategory, category) in first-seen order.
 */
#ifndef IE_ACCURACY_H
#define IE_ACCURACY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct acc {
	size_t n, correct;
};

void acc_add(struct acc *a, bool correct);
double acc_value(const struct acc *a);
/* sqrt(p (1 - p) / n); 0 for n = 0. */
double acc_stderr(const struct acc *a);
/* {"score", "stderr", "n", "correct"} (a new reference). */
json_t *acc_json(const struct acc *a);
/* The standard error of the plain mean of m independent estimates with
 * errors se[i]: sqrt(sum se[i]^2) / m. */
double mean_stderr(const double *se, size_t m);
/* The macro average of the groups g[0..m) that have items: the plain mean
 * of their accuracies, each counting once whatever its size, into *score,
 * and its standard error, their errors combined as independent ones
 * (mean_stderr), into *se. Both are 0 when no group has items. */
void acc_macro(const struct acc *g, size_t m, double *score, double *se);
/* The mean of v[0..n) into *mean, and its standard error: the sample
 * standard deviation (n - 1) over sqrt(n); 0 for n < 2. */
double sample_mean_stderr(const double *v, size_t n, double *mean);

struct acc_groups {
	char **names;
	struct acc *accs;
	size_t n, cap;
};

void acc_groups_init(struct acc_groups *g);
/* The group called name, added empty when new. */
struct acc *acc_groups_get(struct acc_groups *g, const char *name);
void acc_groups_release(struct acc_groups *g);

#endif
