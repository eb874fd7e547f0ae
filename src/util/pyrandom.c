/*
 * CPython's random module (pyrandom.h): MT19937 as in _randommodule.c and
 * the pure-Python layers of random.py (_randbelow, shuffle, sample) on top
 * of it. Every draw must consume exactly the generator outputs CPython
 * consumes, or all later draws differ, so the order of calls here follows
 * CPython's and nothing is drawn ahead.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/pyrandom.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MT_M 397
#define MATRIX_A 0x9908b0dfu
#define UPPER_MASK 0x80000000u
#define LOWER_MASK 0x7fffffffu

static void init_genrand(struct pyrandom *r, uint32_t s)
{
	r->mt[0] = s;
	for (int i = 1; i < PYRANDOM_N; i++) {
		uint32_t prev = r->mt[i - 1];

		r->mt[i] = 1812433253u * (prev ^ (prev >> 30)) + (uint32_t)i;
	}
	r->index = PYRANDOM_N;
}

void pyrandom_init_by_array(struct pyrandom *r, const uint32_t *key, size_t len)
{
	static const uint32_t zero_key[1] = { 0 };
	size_t i = 1, j = 0, k;

	if (len == 0) {
		key = zero_key;
		len = 1;
	}
	init_genrand(r, 19650218u);
	for (k = PYRANDOM_N > len ? PYRANDOM_N : len; k; k--) {
		uint32_t prev = r->mt[i - 1];

		r->mt[i] = (r->mt[i] ^ ((prev ^ (prev >> 30)) * 1664525u)) + key[j] +
			   (uint32_t)j;
		i++;
		j++;
		if (i >= PYRANDOM_N) {
			r->mt[0] = r->mt[PYRANDOM_N - 1];
			i = 1;
		}
		if (j >= len)
			j = 0;
	}
	for (k = PYRANDOM_N - 1; k; k--) {
		uint32_t prev = r->mt[i - 1];

		r->mt[i] = (r->mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941u)) - (uint32_t)i;
		i++;
		if (i >= PYRANDOM_N) {
			r->mt[0] = r->mt[PYRANDOM_N - 1];
			i = 1;
		}
	}
	r->mt[0] = 0x80000000u; /* a non-zero initial state is assured */
	r->index = PYRANDOM_N;
}

void pyrandom_seed(struct pyrandom *r, uint64_t seed)
{
	uint32_t key[2];
	size_t len = 0;

	/* CPython passes abs(n) as its 32-bit words, least significant first,
	 * with as many words as n has bits (at least one). */
	do {
		key[len++] = (uint32_t)(seed & 0xffffffffu);
		seed >>= 32;
	} while (seed);
	pyrandom_init_by_array(r, key, len);
}

static uint32_t twist(uint32_t a, uint32_t b, uint32_t m)
{
	uint32_t y = (a & UPPER_MASK) | (b & LOWER_MASK);

	return m ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
}

static void regenerate(struct pyrandom *r)
{
	int k;

	for (k = 0; k < PYRANDOM_N - MT_M; k++)
		r->mt[k] = twist(r->mt[k], r->mt[k + 1], r->mt[k + MT_M]);
	for (; k < PYRANDOM_N - 1; k++)
		r->mt[k] = twist(r->mt[k], r->mt[k + 1], r->mt[k + MT_M - PYRANDOM_N]);
	r->mt[PYRANDOM_N - 1] = twist(r->mt[PYRANDOM_N - 1], r->mt[0], r->mt[MT_M - 1]);
	r->index = 0;
}

uint32_t pyrandom_genrand32(struct pyrandom *r)
{
	uint32_t y;

	if (r->index >= PYRANDOM_N)
		regenerate(r);
	y = r->mt[r->index++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

double pyrandom_random(struct pyrandom *r)
{
	uint32_t a = pyrandom_genrand32(r) >> 5;
	uint32_t b = pyrandom_genrand32(r) >> 6;

	return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

uint64_t pyrandom_getrandbits(struct pyrandom *r, int k)
{
	uint64_t v = 0;

	if (k <= 0)
		return 0;
	if (k > 64)
		k = 64;
	/* Words fill from the least significant end; only the last one is
	 * short, and it keeps the top bits of its output. */
	for (int shift = 0; k > 0; shift += 32, k -= 32) {
		uint32_t w = pyrandom_genrand32(r);

		if (k < 32)
			w >>= 32 - k;
		v |= (uint64_t)w << shift;
	}
	return v;
}

static int bit_length(uint64_t n)
{
	int bits = 0;

	while (n) {
		bits++;
		n >>= 1;
	}
	return bits;
}

uint64_t pyrandom_randbelow(struct pyrandom *r, uint64_t n)
{
	int k = bit_length(n);
	uint64_t v;

	if (n == 0)
		return 0;
	do
		v = pyrandom_getrandbits(r, k);
	while (v >= n);
	return v;
}

void pyrandom_shuffle_indices(struct pyrandom *r, size_t *v, size_t n)
{
	for (size_t i = n; i-- > 1;) {
		size_t j = (size_t)pyrandom_randbelow(r, (uint64_t)i + 1);
		size_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

void pyrandom_shuffle_ptrs(struct pyrandom *r, void **v, size_t n)
{
	for (size_t i = n; i-- > 1;) {
		size_t j = (size_t)pyrandom_randbelow(r, (uint64_t)i + 1);
		void *t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/*
 * sample()'s set-size threshold: 21, plus 4 ** ceil(log(3k, 4)) when k > 5.
 * CPython computes the exponent with floating-point logarithms
 * (math.log(k * 3, 4), i.e. log(3k) / log(4) on a double) and so does this,
 * with the same libm, so that even the far boundary cases agree. 3k is never
 * a power of 4, and up to k ~ 10^13 the float exponent equals the exact
 * smallest e with 4^e >= 3k. Saturates at SIZE_MAX.
 */
static size_t sample_setsize(size_t k)
{
	double e;

	if (k <= 5)
		return 21;
	if (k > SIZE_MAX / 3)
		return SIZE_MAX;
	e = ceil(log((double)(k * 3)) / log(4.0));
	if (e >= (double)(sizeof(size_t) * 4))
		return SIZE_MAX; /* 4^e would not fit */
	return 21 + ((size_t)1 << (2 * (unsigned)e));
}

/* An open-addressing set of indices for the selection-set method; slots
 * hold index + 1 so that 0 marks an empty slot. */
struct index_set {
	size_t *slot;
	size_t mask;
};

static void index_set_init(struct index_set *s, size_t k)
{
	size_t cap = 8;

	while (cap < 2 * k + 2)
		cap *= 2;
	s->slot = xcalloc(cap, sizeof(*s->slot));
	s->mask = cap - 1;
}

/* Adds j; returns 1 when j was already there. */
static int index_set_add(struct index_set *s, size_t j)
{
	size_t h = (j * (size_t)0x9e3779b97f4a7c15ull) & s->mask;

	while (s->slot[h]) {
		if (s->slot[h] == j + 1)
			return 1;
		h = (h + 1) & s->mask;
	}
	s->slot[h] = j + 1;
	return 0;
}

int pyrandom_sample(struct pyrandom *r, size_t n, size_t k, size_t *out)
{
	if (k > n)
		return -1;
	if (k == 0)
		return 0;
	if (n <= sample_setsize(k)) {
		size_t *pool = xmalloc(n * sizeof(*pool));

		for (size_t i = 0; i < n; i++)
			pool[i] = i;
		for (size_t i = 0; i < k; i++) {
			size_t j = (size_t)pyrandom_randbelow(r, (uint64_t)(n - i));

			out[i] = pool[j];
			pool[j] = pool[n - i - 1];
		}
		free(pool);
	} else {
		struct index_set seen;

		index_set_init(&seen, k);
		for (size_t i = 0; i < k; i++) {
			size_t j;

			do
				j = (size_t)pyrandom_randbelow(r, (uint64_t)n);
			while (index_set_add(&seen, j));
			out[i] = j;
		}
		free(seen.slot);
	}
	return 0;
}
