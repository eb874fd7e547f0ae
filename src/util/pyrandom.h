/*
 * CPython's random module, bit for bit. DROP's exemplar split and CRASS's
 * option order come from Python's random.seed(0) followed by sample() or
 * shuffle(), so reproducing the reference needs the same MT19937 generator,
 * the same seeding from an integer and the same ways of turning 32-bit
 * outputs into floats, bounded integers, shuffles and samples as CPython
 * 3.8 to 3.11 (those versions differ only in argument checks, which are
 * not reproduced here).
 *
 * The generator state is a plain struct the caller owns; no function here
 * allocates memory that outlives the call.
 */
#ifndef IE_PYRANDOM_H
#define IE_PYRANDOM_H

#include <stddef.h>
#include <stdint.h>

#define PYRANDOM_N 624

struct pyrandom {
	uint32_t mt[PYRANDOM_N];
	int index; /* next word of mt to temper; PYRANDOM_N: regenerate first */
};

/* random.seed(n) for a non-negative integer n: init_by_array over the
 * 32-bit words of n, least significant first (seed 0 uses the key [0]). */
void pyrandom_seed(struct pyrandom *r, uint64_t seed);

/* MT19937's init_by_array with key[0..len) (the reference initialisation
 * of Matsumoto and Nishimura); len 0 is treated as the key [0], as CPython
 * never passes an empty key. */
void pyrandom_init_by_array(struct pyrandom *r, const uint32_t *key, size_t len);

/* The next 32-bit output of the generator (genrand_uint32). */
uint32_t pyrandom_genrand32(struct pyrandom *r);

/* random.random(): a double in [0, 1) with 53 random bits, from two
 * outputs. */
double pyrandom_random(struct pyrandom *r);

/* random.getrandbits(k) for 0 <= k <= 64 (k outside that range is
 * clamped to it). k = 0 returns 0 and draws nothing (Python 3.9+). Above 32
 * bits the value is filled 32 bits at a time from the low word up, the last
 * word keeping only its top bits, as CPython does. */
uint64_t pyrandom_getrandbits(struct pyrandom *r, int k);

/* random._randbelow(n): getrandbits(n.bit_length()) drawn again until it
 * is below n, so a value uniform in [0, n). n = 0 returns 0 and draws
 * nothing. */
uint64_t pyrandom_randbelow(struct pyrandom *r, uint64_t n);

/* random.shuffle(v) on v[0..n): for i from n-1 down to 1, swap v[i] with
 * v[_randbelow(i + 1)]. The elements are moved, never dereferenced. */
void pyrandom_shuffle_indices(struct pyrandom *r, size_t *v, size_t n);
void pyrandom_shuffle_ptrs(struct pyrandom *r, void **v, size_t n);

/*
 * random.sample(range(n), k): writes the k chosen indices to out[0..k) in
 * the order drawn. As CPython 3.8-3.11: setsize = 21, plus
 * 4 ** ceil(log(3k, 4)) when k > 5; if n <= setsize a pool of all indices
 * is drawn from without replacement (j = _randbelow(n - i), the last
 * live entry moves into the hole); otherwise each index is _randbelow(n)
 * redrawn while already chosen. To sample a sequence, index it with out.
 * Returns 0, or -1 (drawing nothing) when k > n.
 */
int pyrandom_sample(struct pyrandom *r, size_t n, size_t k, size_t *out);

#endif
