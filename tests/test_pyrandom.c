/* CPython's random module: every expected value below is what CPython 3.11
 * printed for the same calls, and the MT19937 values are the published
 * reference outputs of init_by_array({0x123, 0x234, 0x345, 0x456}). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/pyrandom.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void reference_init_by_array(void **state)
{
	static const uint32_t key[] = { 0x123, 0x234, 0x345, 0x456 };
	static const uint32_t first[] = { 1067595299u, 955945823u, 477289528u, 4107218783u,
					  4228976476u };
	/* outputs 623..626 straddle the first regeneration of the state */
	static const uint32_t around_twist[] = { 144400272u, 3768408841u, 782634401u,
						 2161109003u };
	struct pyrandom r;
	uint32_t v = 0;

	(void)state;
	pyrandom_init_by_array(&r, key, ARRAY_LEN(key));
	for (size_t i = 0; i < ARRAY_LEN(first); i++)
		assert_int_equal(pyrandom_genrand32(&r), first[i]);
	for (size_t i = ARRAY_LEN(first); i < 623; i++)
		pyrandom_genrand32(&r);
	for (size_t i = 0; i < ARRAY_LEN(around_twist); i++)
		assert_int_equal(pyrandom_genrand32(&r), around_twist[i]);
	for (size_t i = 627; i < 1000; i++)
		v = pyrandom_genrand32(&r);
	assert_int_equal(v, 3460025646u); /* the 1000th output */
}

struct seed_case {
	uint64_t seed;
	double random[5];
	uint32_t bits32[5];
};

/* seed 2**32 + 5 has a two-word key */
static const struct seed_case seed_cases[] = {
	{ 0,
	  { 0.8444218515250481, 0.7579544029403025, 0.420571580830845, 0.25891675029296335,
	    0.5112747213686085 },
	  { 3626764237u, 1654615998u, 3255389356u, 3823568514u, 1806341205u } },
	{ 1,
	  { 0.13436424411240122, 0.8474337369372327, 0.763774618976614, 0.2550690257394217,
	    0.49543508709194095 },
	  { 577090037u, 2444712010u, 3639700191u, 3445702192u, 3280387012u } },
	{ 42,
	  { 0.6394267984578837, 0.025010755222666936, 0.27502931836911926, 0.22321073814882275,
	    0.7364712141640124 },
	  { 2746317213u, 478163327u, 107420369u, 3184935163u, 1181241943u } },
	{ 4294967301u,
	  { 0.15727238718789782, 0.2824866316461999, 0.6044540318498407, 0.014523449205355199,
	    0.6277755437144577 },
	  { 675479763u, 2085189291u, 1213270837u, 3822202474u, 2596110301u } },
};

static void seeds_random_and_getrandbits32(void **state)
{
	struct pyrandom r;

	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(seed_cases); c++) {
		const struct seed_case *t = &seed_cases[c];

		pyrandom_seed(&r, t->seed);
		/* the shortest repr round-trips, so == is the right test */
		for (size_t i = 0; i < 5; i++)
			assert_true(pyrandom_random(&r) == t->random[i]);
		pyrandom_seed(&r, t->seed);
		for (size_t i = 0; i < 5; i++)
			assert_int_equal(pyrandom_getrandbits(&r, 32), t->bits32[i]);
	}
}

static void expect_bits(int k, const uint64_t *want, size_t n)
{
	struct pyrandom r;

	pyrandom_seed(&r, 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pyrandom_getrandbits(&r, k), want[i]);
}

static void getrandbits_widths(void **state)
{
	static const uint64_t b1[] = { 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1 };
	static const uint64_t b7[] = { 108, 49, 97, 113, 53, 5, 33, 123 };
	static const uint64_t b33[] = { 3626764237u, 7550356652u, 1806341205u, 5407006266u };
	static const uint64_t b48[] = { 108438666086349u, 250584532339884u, 11396354577493u,
					271752282791482u };
	static const uint64_t b64[] = { 7106521602475165645u, 16422101724900707500u,
					746805015404516437u, 17809683713383489082u };
	struct pyrandom r;

	(void)state;
	expect_bits(1, b1, ARRAY_LEN(b1));
	expect_bits(7, b7, ARRAY_LEN(b7));
	expect_bits(33, b33, ARRAY_LEN(b33));
	expect_bits(48, b48, ARRAY_LEN(b48));
	expect_bits(64, b64, ARRAY_LEN(b64));
	/* getrandbits(0) draws nothing */
	pyrandom_seed(&r, 0);
	assert_int_equal(pyrandom_getrandbits(&r, 0), 0);
	assert_int_equal(pyrandom_getrandbits(&r, 32), 3626764237u);
}

struct below_case {
	uint64_t n;
	uint64_t want[6];
};

/* random.seed(0); [random.randrange(n) for _ in range(6)] */
static const struct below_case below_cases[] = {
	{ 1, { 0, 0, 0, 0, 0, 0 } },
	{ 2, { 1, 1, 0, 1, 1, 1 } },
	{ 3, { 1, 1, 0, 1, 2, 1 } },
	{ 10, { 6, 6, 0, 4, 8, 7 } },
	{ 100, { 49, 97, 53, 5, 33, 65 } },
	{ 1000003, { 885440, 403958, 794772, 933488, 441001, 42450 } },
	{ 4294967296u,
	  { 3626764237u, 1806341205u, 2195908194u, 2046968324u, 3900315155u, 2167613558u } },
	{ 4294967297u,
	  { 3626764237u, 1806341205u, 2195908194u, 2046968324u, 3900315155u, 2167613558u } },
	{ 9223372036854775808u,
	  { 7106521602475165645u, 746805015404516437u, 8963783824838420066u,
	    6604845167042249220u, 4029557120079369747u, 2569146471088859254u } },
	{ 18446744073709551615u,
	  { 7106521602475165645u, 16422101724900707500u, 746805015404516437u,
	    17809683713383489082u, 8963783824838420066u, 16938433693753131896u } },
};

static void randbelow_matches_randrange(void **state)
{
	struct pyrandom r;

	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(below_cases); c++) {
		pyrandom_seed(&r, 0);
		for (size_t i = 0; i < 6; i++)
			assert_int_equal(pyrandom_randbelow(&r, below_cases[c].n),
					 below_cases[c].want[i]);
	}
}

static void iota(size_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = i;
}

static void shuffles(void **state)
{
	static const size_t want10[] = { 7, 8, 1, 5, 3, 4, 2, 0, 9, 6 };
	/* three shuffles of range(4) in a row after one seed(0) */
	static const size_t want4[3][4] = { { 2, 0, 1, 3 }, { 0, 1, 3, 2 }, { 0, 2, 1, 3 } };
	static const size_t want1000_head[] = { 439, 621, 160, 549, 237, 389, 658, 507, 124, 290 };
	static const size_t want1000_tail[] = { 430, 911, 776, 394, 864 };
	static char items[10];
	void *ptrs[10];
	size_t v[1000];
	struct pyrandom r;

	(void)state;
	pyrandom_seed(&r, 0);
	iota(v, 10);
	pyrandom_shuffle_indices(&r, v, 10);
	assert_memory_equal(v, want10, sizeof(want10));

	pyrandom_seed(&r, 0);
	for (size_t i = 0; i < 10; i++)
		ptrs[i] = &items[i];
	pyrandom_shuffle_ptrs(&r, ptrs, 10);
	for (size_t i = 0; i < 10; i++)
		assert_ptr_equal(ptrs[i], &items[want10[i]]);

	pyrandom_seed(&r, 0);
	for (size_t s = 0; s < 3; s++) {
		iota(v, 4);
		pyrandom_shuffle_indices(&r, v, 4);
		assert_memory_equal(v, want4[s], sizeof(want4[s]));
	}

	pyrandom_seed(&r, 0);
	iota(v, 1000);
	pyrandom_shuffle_indices(&r, v, 1000);
	assert_memory_equal(v, want1000_head, sizeof(want1000_head));
	assert_memory_equal(v + 995, want1000_tail, sizeof(want1000_tail));
}

struct sample_case {
	uint64_t seed;
	size_t n, k;
	size_t want[22];
};

/* random.seed(seed); random.sample(range(n), k). The pairs at n = setsize
 * and n = setsize + 1 (21 for k <= 5, 85 for 6 <= k <= 21, 277 for
 * 22 <= k <= 85) tell the pool method from the selection-set method. */
static const struct sample_case sample_cases[] = {
	{ 0, 20, 3, { 12, 13, 1 } },
	{ 0, 9535, 3, { 6311, 6890, 663 } },
	{ 0, 100, 7, { 49, 97, 53, 5, 33, 65, 62 } },
	{ 0, 30, 10, { 27, 12, 24, 13, 1, 8, 16, 15, 28, 9 } },
	{ 0, 5, 5, { 3, 4, 0, 1, 2 } },
	{ 0, 6, 6, { 3, 5, 0, 1, 2, 4 } },
	{ 1, 20, 3, { 4, 18, 2 } },
	{ 1, 9535, 3, { 2201, 9325, 1033 } },
	{ 1, 100, 7, { 17, 72, 97, 8, 32, 15, 63 } },
	{ 1, 30, 10, { 4, 18, 27, 25, 24, 2, 8, 3, 15, 14 } },
	{ 42, 20, 3, { 3, 0, 8 } },
	{ 42, 9535, 3, { 1824, 409, 4506 } },
	{ 42, 100, 7, { 81, 14, 3, 94, 35, 31, 28 } },
	{ 42, 30, 10, { 20, 3, 0, 23, 8, 7, 24, 4, 28, 17 } },
	{ 4294967301u, 20, 3, { 5, 15, 9 } },
	{ 4294967301u, 9535, 3, { 2576, 7954, 4628 } },
	{ 4294967301u, 100, 7, { 20, 62, 36, 77, 1, 45, 80 } },
	{ 4294967301u, 30, 10, { 5, 15, 9, 19, 0, 11, 20, 29, 21, 28 } },
	{ 2, 21, 5, { 1, 2, 19, 11, 5 } },
	{ 2, 22, 5, { 1, 2, 11, 5, 21 } },
	{ 5, 85, 6, { 79, 32, 45, 67, 3, 59 } },
	{ 2, 86, 6, { 7, 11, 10, 46, 21, 85 } },
	{ 0, 85, 16, { 49, 53, 5, 33, 65, 62, 51, 38, 61, 45, 74, 27, 64, 17, 36, 71 } },
	{ 0, 86, 16, { 49, 53, 5, 33, 65, 62, 51, 38, 61, 45, 74, 27, 64, 17, 36, 12 } },
	{ 4, 277, 22, { 120, 155, 52, 202, 245, 79, 46, 34, 10, 205, 148,
			30, 113, 184, 141, 88, 54, 134, 109, 13, 133, 139 } },
	{ 4, 278, 22, { 120, 155, 52, 202, 245, 79, 46, 34, 10, 205, 148,
			30, 113, 266, 274, 184, 141, 88, 54, 134, 109, 13 } },
};

static void samples(void **state)
{
	struct pyrandom r;
	size_t out[22];

	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(sample_cases); c++) {
		const struct sample_case *t = &sample_cases[c];

		pyrandom_seed(&r, t->seed);
		assert_int_equal(pyrandom_sample(&r, t->n, t->k, out), 0);
		for (size_t i = 0; i < t->k; i++)
			assert_int_equal(out[i], t->want[i]);
	}
}

static void sample_consumes_like_cpython(void **state)
{
	struct pyrandom r;
	size_t out[3];

	(void)state;
	/* random.seed(0); random.sample(range(9535), 3); random.getrandbits(32) */
	pyrandom_seed(&r, 0);
	assert_int_equal(pyrandom_sample(&r, 9535, 3, out), 0);
	assert_int_equal(pyrandom_getrandbits(&r, 32), 1112038970u);
	/* k = 0 draws nothing; k > n is refused and draws nothing */
	pyrandom_seed(&r, 0);
	assert_int_equal(pyrandom_sample(&r, 1000, 0, out), 0);
	assert_int_equal(pyrandom_sample(&r, 2, 3, out), -1);
	assert_int_equal(pyrandom_getrandbits(&r, 32), 3626764237u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_init_by_array),
		cmocka_unit_test(seeds_random_and_getrandbits32),
		cmocka_unit_test(getrandbits_widths),
		cmocka_unit_test(randbelow_matches_randrange),
		cmocka_unit_test(shuffles),
		cmocka_unit_test(samples),
		cmocka_unit_test(sample_consumes_like_cpython),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
