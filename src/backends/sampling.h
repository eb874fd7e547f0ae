/*
 * Picking the next token from logits: argmax for greedy decoding, or a
 * seeded draw with temperature and top-p. The generator is our own
 * (splitmix64) so that a seed gives the same draws on every platform.
 */
#ifndef IE_SAMPLING_H
#define IE_SAMPLING_H

#include <stdint.h>

#include "instructeval/backend.h"

struct sampler {
	double temperature, top_p;
	uint64_t state;
	double *probs; /* scratch, n_vocab entries */
	int *idx;
	int cap;
};

void sampler_init(struct sampler *s, double temperature, double top_p, uint64_t seed);
void sampler_release(struct sampler *s);
int sampler_pick(struct sampler *s, const float *logits, int n_vocab);
/* The first index of the largest value. */
int sampler_argmax(const float *logits, int n);
double sampler_logsumexp(const float *logits, int n);
/* A uniform double in [0, 1) from the generator. */
double sampler_uniform(struct sampler *s);

/* Cuts text at the first stop string of g it contains; returns whether it
 * did. Every backend ends generated text this way. */
int gen_cut_at_stop(char *text, const struct ie_gen_params *g);

#endif
