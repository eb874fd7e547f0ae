/*
 * splitmix64: the small seeded generator behind sampled decoding and
 * random model weights. Integer arithmetic only, so a seed gives the same
 * numbers on every platform.
 */
#ifndef IE_SPLITMIX_H
#define IE_SPLITMIX_H

#include <stdint.h>

static inline uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A uniform double in [0, 1), from the top 53 bits. */
static inline double splitmix64_unit(uint64_t *state)
{
	return (double)(splitmix64_next(state) >> 11) * 0x1.0p-53;
}

#endif
