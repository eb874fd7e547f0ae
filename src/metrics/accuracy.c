/* Accuracy, its standard error, and per-group tallies (accuracy.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/accuracy.h"
#include "util/xalloc.h"
#include "util/banned.h"

void acc_add(struct acc *a, bool correct)
{
	a->n++;
	a->correct += correct;
}

double acc_value(const struct acc *a)
{
	return a->n ? (double)a->correct / (double)a->n : 0.0;
}

double acc_stderr(const struct acc *a)
{
	double p = acc_value(a);

	return a->n ? sqrt(p * (1 - p) / (double)a->n) : 0.0;
}

json_t *acc_json(const struct acc *a)
{
	return json_pack("{s:f, s:f, s:I, s:I}", "score", acc_value(a), "stderr", acc_stderr(a),
			 "n", (json_int_t)a->n, "correct", (json_int_t)a->correct);
}

double mean_stderr(const double *se, size_t m)
{
	double sum = 0;

	if (!m)
		return 0.0;
	for (size_t i = 0; i < m; i++)
		sum += se[i] * se[i];
	return sqrt(sum) / (double)m;
}

void acc_macro(const struct acc *g, size_t m, double *score, double *se)
{
	double *errs = xcalloc(m + 1, sizeof(double)), sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < m; i++) {
		if (!g[i].n)
			continue;
		sum += acc_value(&g[i]);
		errs[k++] = acc_stderr(&g[i]);
	}
	*score = k ? sum / (double)k : 0.0;
	*se = mean_stderr(errs, k);
	free(errs);
}

double sample_mean_stderr(const double *v, size_t n, double *mean)
{
	double sum = 0, dev = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	*mean = n ? sum / (double)n : 0.0;
	if (n < 2)
		return 0.0;
	for (size_t i = 0; i < n; i++)
		dev += (v[i] - *mean) * (v[i] - *mean);
	return sqrt(dev / (double)(n - 1) / (double)n);
}

void acc_groups_init(struct acc_groups *g)
{
	memset(g, 0, sizeof(*g));
}

struct acc *acc_groups_get(struct acc_groups *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->names[i], name))
			return &g->accs[i];
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 8;
		g->names = xrealloc(g->names, g->cap * sizeof(*g->names));
		g->accs = xrealloc(g->accs, g->cap * sizeof(*g->accs));
	}
	g->names[g->n] = xstrdup(name);
	memset(&g->accs[g->n], 0, sizeof(struct acc));
	return &g->accs[g->n++];
}

void acc_groups_release(struct acc_groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->accs);
	memset(g, 0, sizeof(*g));
}
