/* Token choice for the backends that see logits (see sampling.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/sampling.h"
#include "util/splitmix.h"
#include "util/xalloc.h"
#include "util/banned.h"

void sampler_init(struct sampler *s, double temperature, double top_p, uint64_t seed)
{
	s->temperature = temperature;
	s->top_p = top_p;
	s->state = seed;
	s->probs = NULL;
	s->idx = NULL;
	s->cap = 0;
}

void sampler_release(struct sampler *s)
{
	free(s->probs);
	free(s->idx);
	s->probs = NULL;
	s->idx = NULL;
}

double sampler_uniform(struct sampler *s)
{
	return splitmix64_unit(&s->state);
}

int sampler_argmax(const float *logits, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++)
		if (logits[i] > logits[best])
			best = i;
	return best;
}

double sampler_logsumexp(const float *logits, int n)
{
	double max = logits[sampler_argmax(logits, n)], sum = 0;

	for (int i = 0; i < n; i++)
		sum += exp((double)logits[i] - max);
	return max + log(sum);
}

static const double *sort_probs;

static int cmp_prob_desc(const void *a, const void *b)
{
	double x = sort_probs[*(const int *)a], y = sort_probs[*(const int *)b];

	if (x != y)
		return x > y ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

/* Keeps the smallest set of most likely tokens whose mass reaches top_p;
 * returns how many of s->idx (sorted) are kept and their mass. */
static int nucleus(struct sampler *s, int n, double *mass)
{
	double acc = 0;
	int k = 0;

	for (int i = 0; i < n; i++)
		s->idx[i] = i;
	sort_probs = s->probs;
	qsort(s->idx, (size_t)n, sizeof(int), cmp_prob_desc);
	while (k < n) {
		acc += s->probs[s->idx[k++]];
		if (acc >= s->top_p)
			break;
	}
	*mass = acc;
	return k;
}

int sampler_pick(struct sampler *s, const float *logits, int n)
{
	double max, sum = 0, mass, r;
	int k;

	if (s->temperature <= 0)
		return sampler_argmax(logits, n);
	if (s->cap < n) {
		s->probs = xrealloc(s->probs, (size_t)n * sizeof(double));
		s->idx = xrealloc(s->idx, (size_t)n * sizeof(int));
		s->cap = n;
	}
	max = logits[sampler_argmax(logits, n)];
	for (int i = 0; i < n; i++) {
		s->probs[i] = exp(((double)logits[i] - max) / s->temperature);
		sum += s->probs[i];
	}
	for (int i = 0; i < n; i++)
		s->probs[i] /= sum;
	if (s->top_p > 0 && s->top_p < 1) {
		k = nucleus(s, n, &mass);
	} else {
		for (int i = 0; i < n; i++)
			s->idx[i] = i;
		k = n;
		mass = 1.0;
	}
	r = sampler_uniform(s) * mass;
	for (int i = 0; i < k; i++) {
		r -= s->probs[s->idx[i]];
		if (r < 0)
			return s->idx[i];
	}
	return s->idx[k - 1];
}

int gen_cut_at_stop(char *text, const struct ie_gen_params *g)
{
	char *first = NULL;

	for (size_t i = 0; i < g->n_stop; i++) {
		char *s = g->stop[i][0] ? strstr(text, g->stop[i]) : NULL;

		if (s && (!first || s < first))
			first = s;
	}
	if (first)
		*first = '\0';
	return first != NULL;
}
