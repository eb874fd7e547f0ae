/*
 * The statistics module: exact binomial p-values and Clopper-Pearson
 * intervals, McNemar's paired comparison, the seeded paired bootstrap in
 * its three averaging modes, and rater agreement.
 *
 * Every expected number was computed apart from the code under test, in
 * Python 3.11 (standard library and mpmath), as each comment says:
 * binomial tails as exact big-integer sums (math.comb, fractions), the
 * Clopper-Pearson bounds by bisection on the binomial tail sums in
 * 50-digit mpmath arithmetic, the bootstrap by a separate Python
 * implementation of the procedure as stats.h documents it, and the
 * agreement statistics from the K x K table and sorted ranks with exact
 * fractions. Widths of bootstrap intervals are checked against the normal
 * approximation computed here from the data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "metrics/stats.h"
#include "util/splitmix.h"
#include "testing.h"

/* |a - b| within rel of |b|: for p-values that span many decades. */
#define assert_rel(a, b, rel) assert_near((a), (b), (rel)*fabs(b))

static void binomial_test_small_counts(void **state)
{
	(void)state;
	/* McNemar b = 10, c = 2: 2 (C(12,0) + C(12,1) + C(12,2)) / 2^12. */
	assert_near(stats_binom_two_sided(10, 12), 2.0 * (1 + 12 + 66) / 4096, 1e-15);
	assert_near(stats_binom_two_sided(2, 12), 2.0 * (1 + 12 + 66) / 4096, 1e-15);
	/* b = c: the two tails overlap at the middle, p clips to 1. */
	assert_near(stats_binom_two_sided(5, 10), 1.0, 0);
	assert_near(stats_binom_two_sided(30, 60), 1.0, 0);
	assert_near(stats_binom_two_sided(0, 0), 1.0, 0);
	/* By exact sums with math.comb: 2^-4, 1, 2^-19, 2 * 1351 / 2^20,
	 * 2 * 137980 / 2^20 (= 0.26317596435546875). */
	assert_near(stats_binom_two_sided(0, 1), 1.0, 0);
	assert_near(stats_binom_two_sided(1, 1), 1.0, 0);
	assert_near(stats_binom_two_sided(0, 5), 0.0625, 1e-16);
	assert_near(stats_binom_two_sided(2, 5), 1.0, 0);
	assert_rel(stats_binom_two_sided(0, 20), 1.9073486328125e-06, 1e-14);
	assert_rel(stats_binom_two_sided(3, 20), 0.0025768280029296875, 1e-13);
	assert_rel(stats_binom_two_sided(7, 20), 0.26317596435546875, 1e-13);
	assert_rel(stats_binom_two_sided(13, 20), 0.26317596435546875, 1e-13);
	/* 2 / 2^1000 is still a normal double; 2 / 2^2000 is not. */
	assert_rel(stats_binom_two_sided(0, 1000), ldexp(1, -999), 1e-12);
	assert_near(stats_binom_two_sided(0, 2000), 0.0, 0);
	assert_true(isnan(stats_binom_two_sided(11, 10)));
}

static void binomial_test_large_counts(void **state)
{
	(void)state;
	/* b = 5200, c = 4800: float(Fraction(2 * sum(comb(10000, j) for j
	 * <= 4800), 2**10000)). */
	assert_rel(stats_binom_two_sided(5200, 10000), 6.593515598672442e-05, 1e-12);
	assert_rel(stats_binom_two_sided(4800, 10000), 6.593515598672442e-05, 1e-12);
	/* n = 1e6: the lower tail as an exact big-integer sum of C(n, j)
	 * from k down, stopped when a term fell below 2^-90 of the sum;
	 * about 2, 3 and 6 standard deviations from the middle. */
	assert_rel(stats_binom_two_sided(499000, 1000000), 0.04560829986538208, 1e-11);
	assert_rel(stats_binom_two_sided(501000, 1000000), 0.04560829986538208, 1e-11);
	assert_rel(stats_binom_two_sided(498500, 1000000), 0.002708655306059757, 1e-11);
	assert_rel(stats_binom_two_sided(497000, 1000000), 1.9851497639230208e-09, 1e-11);
	assert_near(stats_binom_two_sided(500000, 1000000), 1.0, 0);
}

static void clopper_pearson_known_bounds(void **state)
{
	double lo, hi;

	(void)state;
	/* Each bound solved by 120 bisection steps on the exact binomial
	 * tail polynomial in 50-digit mpmath: P(X >= k; lo) = 0.025 and
	 * P(X <= k; hi) = 0.025. */
	stats_clopper_pearson(3, 10, 0.95, &lo, &hi);
	assert_near(lo, 0.066739511177734467, 1e-10);
	assert_near(hi, 0.6524528500599973, 1e-10);
	stats_clopper_pearson(3, 10, 0.99, &lo, &hi);
	assert_near(lo, 0.037007221096232087, 1e-10);
	assert_near(hi, 0.73511398528713077, 1e-10);
	stats_clopper_pearson(5, 20, 0.95, &lo, &hi);
	assert_near(lo, 0.086571469101434539, 1e-10);
	assert_near(hi, 0.49104587170795754, 1e-10);
	stats_clopper_pearson(50, 100, 0.95, &lo, &hi);
	assert_near(lo, 0.39832112950330098, 1e-10);
	assert_near(hi, 0.60167887049669902, 1e-10);
	stats_clopper_pearson(1, 1000, 0.95, &lo, &hi);
	assert_rel(lo, 2.5317487491294043e-5, 1e-9);
	assert_near(hi, 0.0055589242798266729, 1e-10);
	/* Same method, 60 bisection steps (to 1e-18). */
	stats_clopper_pearson(5200, 10000, 0.95, &lo, &hi);
	assert_near(lo, 0.51015339471986463, 1e-10);
	assert_near(hi, 0.52983495148605672, 1e-10);
	/* n = 1e6 near the edge; for k = 1 the lower bound is also the
	 * closed form 1 - 0.975^(1/n). */
	stats_clopper_pearson(1, 1000000, 0.95, &lo, &hi);
	assert_rel(lo, 2.5317807663794178e-8, 1e-9);
	assert_rel(hi, 5.5716306551722443e-6, 1e-9);
	stats_clopper_pearson(10, 1000000, 0.95, &lo, &hi);
	assert_rel(lo, 4.795398777545602e-6, 1e-9);
	assert_rel(hi, 1.8390278891238535e-5, 1e-9);
}

static void clopper_pearson_edges(void **state)
{
	double lo, hi;

	(void)state;
	/* k = 0: hi = 1 - 0.025^(1/10); k = n: lo = 0.025^(1/10). */
	stats_clopper_pearson(0, 10, 0.95, &lo, &hi);
	assert_near(lo, 0.0, 0);
	assert_near(hi, 0.30849710781876082, 1e-10);
	stats_clopper_pearson(10, 10, 0.95, &lo, &hi);
	assert_near(lo, 0.69150289218123918, 1e-10);
	assert_near(hi, 1.0, 0);
	stats_clopper_pearson(1, 1, 0.95, &lo, &hi);
	assert_near(lo, 0.025, 1e-12);
	assert_near(hi, 1.0, 0);
	stats_clopper_pearson(0, 0, 0.95, &lo, &hi);
	assert_near(lo, 0.0, 0);
	assert_near(hi, 1.0, 0);
	stats_clopper_pearson(4, 3, 0.95, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
	stats_clopper_pearson(1, 3, 1.0, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
	stats_clopper_pearson(1, 3, 0.0, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
}

static void mcnemar_known_comparisons(void **state)
{
	struct stats_paired_binary r;

	(void)state;
	/* n = 100, b = 10, c = 2: m = 12, the bounds of CP(10, 12),
	 * 0.51586225131403284 and 0.97913747453990762 (mpmath bisection as
	 * above), mapped by 0.12 (2 pi - 1). */
	stats_mcnemar(100, 10, 2, &r);
	assert_int_equal(r.n, 100);
	assert_int_equal(r.b, 10);
	assert_int_equal(r.c, 2);
	assert_near(r.diff, 0.08, 1e-15);
	assert_near(r.p, 0.03857421875, 1e-15);
	assert_near(r.lo, 0.0038069403153678815, 1e-10);
	assert_near(r.hi, 0.11499299388957783, 1e-10);
	assert_true(r.significant);
	/* A worse than B: the same interval mirrored. */
	stats_mcnemar(100, 2, 10, &r);
	assert_near(r.diff, -0.08, 1e-15);
	assert_near(r.lo, -0.11499299388957783, 1e-10);
	assert_near(r.hi, -0.0038069403153678815, 1e-10);
	assert_true(r.significant);

	stats_mcnemar(50, 5, 5, &r);
	assert_near(r.diff, 0.0, 0);
	assert_near(r.p, 1.0, 0);
	assert_true(r.lo < 0 && r.hi > 0);
	assert_false(r.significant);
	/* No discordant items: nothing to tell the two apart. */
	stats_mcnemar(40, 0, 0, &r);
	assert_near(r.diff, 0.0, 0);
	assert_near(r.lo, 0.0, 0);
	assert_near(r.hi, 0.0, 0);
	assert_near(r.p, 1.0, 0);
	assert_false(r.significant);

	stats_mcnemar(0, 0, 0, &r);
	assert_true(isnan(r.diff) && isnan(r.p) && isnan(r.lo) && isnan(r.hi));
	stats_mcnemar(10, 6, 5, &r);
	assert_true(isnan(r.diff) && isnan(r.p));
	assert_false(r.significant);
}

static void mcnemar_interval_agrees_with_test(void **state)
{
	struct stats_paired_binary r;
	size_t significant = 0;

	(void)state;
	for (size_t m = 0; m <= 60; m++) {
		for (size_t b = 0; b <= m; b++) {
			stats_mcnemar(100, b, m - b, &r);
			assert_int_equal(r.significant, r.lo > 0 || r.hi < 0);
			assert_true(r.lo <= r.diff && r.diff <= r.hi);
			significant += (size_t)r.significant;
		}
	}
	/* Pairs with b + c <= 60 and exact p < 0.05, counted with exact
	 * fractions; no p among them lies within 1e-4 of 0.05. */
	assert_int_equal(significant, 1222);
}

/* n values uniform in [0, 1) from seed. */
static void fill_unit(double *v, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		v[i] = splitmix64_unit(&seed);
}

/* The population standard deviation of a[i] - b[i] over i in [0, n). */
static double sd_of_diff(const double *a, const double *b, size_t n)
{
	double mean = 0, dev = 0;

	for (size_t i = 0; i < n; i++)
		mean += a[i] - b[i];
	mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		dev += (a[i] - b[i] - mean) * (a[i] - b[i] - mean);
	return sqrt(dev / (double)n);
}

static void bootstrap_identical_and_shifted(void **state)
{
	enum { N = 60 };
	const enum stats_average modes[] = {STATS_POOLED, STATS_STRATA, STATS_CLUSTERS};
	double a[N], b[N];
	size_t g[N];
	struct stats_paired r;

	(void)state;
	fill_unit(a, N, 7);
	for (size_t i = 0; i < N; i++)
		g[i] = i % 5;
	for (size_t m = 0; m < 3; m++) {
		assert_int_equal(stats_bootstrap(a, a, g, N, 5, modes[m], 500, 1, &r), 0);
		assert_int_equal(r.n, N);
		assert_near(r.diff, 0.0, 0);
		assert_near(r.lo, 0.0, 0);
		assert_near(r.hi, 0.0, 0);
		/* Every d* is 0, on both sides of 0 at once. */
		assert_near(r.p, 1.0, 0);
		assert_false(r.significant);
	}
	for (size_t i = 0; i < N; i++)
		b[i] = a[i] - 0.1;
	for (size_t m = 0; m < 3; m++) {
		assert_int_equal(stats_bootstrap(a, b, g, N, 5, modes[m], 500, 1, &r), 0);
		assert_near(r.diff, 0.1, 1e-12);
		assert_near(r.lo, 0.1, 1e-12);
		assert_near(r.hi, 0.1, 1e-12);
		assert_near(r.p, 0.0, 0);
		assert_true(r.significant);
	}
}

/* The small paired data set of the golden bootstrap values below. */
static void golden_data(double *a, double *b, size_t *gs, size_t *gc, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		a[i] = (i * 7) % 10 < 6;
		b[i] = (i * 3) % 10 < 4;
		gs[i] = i % 4;
		gc[i] = i / 3;
	}
}

static void bootstrap_is_seeded(void **state)
{
	enum { N = 30 };
	double a[N], b[N];
	size_t gs[N], gc[N];
	struct stats_paired r, s;

	(void)state;
	golden_data(a, b, gs, gc, N);
	/* 1000 resamples from seed 2024, by an independent Python version
	 * of the procedure in stats.h (splitmix64, rejection, draw order,
	 * quantile and p rules); 4 strata with an empty fifth, 10 clusters
	 * of 3 with an empty eleventh. */
	assert_int_equal(stats_bootstrap(a, b, NULL, N, 0, STATS_POOLED, 1000, 2024, &r), 0);
	assert_near(r.a, 0.6, 1e-12);
	assert_near(r.b, 0.4, 1e-12);
	assert_near(r.diff, 0.2, 1e-12);
	assert_near(r.lo, -0.1, 1e-12);
	assert_near(r.hi, 0.4666666666666667, 1e-12);
	assert_near(r.p, 0.24, 1e-12);
	assert_false(r.significant);
	assert_int_equal(stats_bootstrap(a, b, gs, N, 5, STATS_STRATA, 1000, 2024, &r), 0);
	assert_near(r.a, 0.6026785714285714, 1e-12);
	assert_near(r.b, 0.39732142857142855, 1e-12);
	assert_near(r.lo, -0.12053571428571427, 1e-12);
	assert_near(r.hi, 0.5133928571428571, 1e-12);
	assert_near(r.p, 0.2, 1e-12);
	assert_int_equal(stats_bootstrap(a, b, gc, N, 11, STATS_CLUSTERS, 1000, 2024, &r), 0);
	assert_near(r.a, 0.6, 1e-12);
	assert_near(r.b, 0.4, 1e-12);
	assert_near(r.lo, 0.1, 1e-12);
	assert_near(r.hi, 0.3, 1e-12);
	assert_near(r.p, 0.0, 0);
	assert_true(r.significant);

	/* The same seed gives the same result; another seed another one. */
	assert_int_equal(stats_bootstrap(a, b, gs, N, 5, STATS_STRATA, 1000, 99, &r), 0);
	assert_int_equal(stats_bootstrap(a, b, gs, N, 5, STATS_STRATA, 1000, 99, &s), 0);
	assert_true(r.a == s.a && r.b == s.b && r.diff == s.diff && r.lo == s.lo && r.hi == s.hi &&
		    r.p == s.p && r.significant == s.significant && r.n == s.n);
	assert_int_equal(stats_bootstrap(a, b, gs, N, 5, STATS_STRATA, 1000, 100, &s), 0);
	assert_true(r.a == s.a && r.diff == s.diff);
	assert_true(r.lo != s.lo || r.hi != s.hi);
}

static void bootstrap_pooled_width_is_normal(void **state)
{
	enum { N = 2000 };
	static double a[N], b[N];
	uint64_t seed = 11;
	struct stats_paired r;
	double half, normal;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		a[i] = splitmix64_unit(&seed) < 0.7;
		b[i] = splitmix64_unit(&seed) < 0.6;
	}
	assert_int_equal(stats_bootstrap(a, b, NULL, N, 0, STATS_POOLED, 10000, 5, &r), 0);
	half = (r.hi - r.lo) / 2;
	normal = 1.96 * sd_of_diff(a, b, N) / sqrt(N);
	assert_near(half, normal, 0.1 * normal);
	assert_true(r.lo < r.diff && r.diff < r.hi);
	assert_true(r.significant);
}

static void bootstrap_strata(void **state)
{
	/* Strata means 2/3, 0 and 1, stratum 3 empty: (2/3 + 0 + 1) / 3. */
	const double v[] = {1, 0, 1, 0, 0, 1};
	const size_t g[] = {0, 0, 0, 1, 1, 2};
	enum { N0 = 3000, N1 = 1000 };
	static double a[N0 + N1], b[N0 + N1];
	static size_t gs[N0 + N1];
	uint64_t seed = 3;
	struct stats_paired r;
	double normal;

	(void)state;
	assert_near(stats_average(v, g, 6, 4, STATS_STRATA), 5.0 / 9, 1e-15);
	assert_near(stats_average(v, g, 6, 4, STATS_POOLED), 0.5, 1e-15);
	assert_near(stats_average(v, NULL, 6, 0, STATS_POOLED), 0.5, 1e-15);

	/*
	 * Stratum 0 has a = b, so its mean difference is 0 in every
	 * resample; stratum 1's, resampled at its own size N1, has standard
	 * error sd / sqrt(N1), halved by the macro average. Drawing N0 + N1
	 * items for it instead would halve the width.
	 */
	for (size_t i = 0; i < N0 + N1; i++) {
		gs[i] = i % 4 == 0;
		a[i] = splitmix64_unit(&seed) < 0.5;
		b[i] = gs[i] ? splitmix64_unit(&seed) < 0.5 : a[i];
	}
	assert_int_equal(stats_bootstrap(a, b, gs, N0 + N1, 2, STATS_STRATA, 10000, 8, &r), 0);
	assert_near(r.diff,
		    (stats_average(a, gs, N0 + N1, 2, STATS_STRATA) -
		     stats_average(b, gs, N0 + N1, 2, STATS_STRATA)),
		    1e-15);
	{
		static double a1[N1], b1[N1];
		size_t k = 0;

		for (size_t i = 0; i < N0 + N1; i++) {
			if (!gs[i])
				continue;
			a1[k] = a[i];
			b1[k++] = b[i];
		}
		assert_int_equal(k, N1);
		normal = 0.5 * 1.96 * sd_of_diff(a1, b1, N1) / sqrt(N1);
	}
	assert_near((r.hi - r.lo) / 2, normal, 0.1 * normal);
}

static void bootstrap_clusters(void **state)
{
	const double v[] = {1, 0, 1, 0, 0, 1};
	const size_t g[] = {2, 2, 2, 0, 0, 3};
	enum { K = 500, S = 4 };
	static double a[K * S], b[K * S], cm_a[K], cm_b[K];
	static size_t gc[K * S];
	uint64_t seed = 21;
	struct stats_paired r;
	double normal;

	(void)state;
	/* Clusters 2, 0 and 3 have means 2/3, 0 and 1; 1 is empty. */
	assert_near(stats_average(v, g, 6, 4, STATS_CLUSTERS), 5.0 / 9, 1e-15);

	/* Every cluster has differences {1, 0, 1, 0}: drawn whole, each
	 * resample's mean is 1/2, where drawing items would spread it. */
	for (size_t i = 0; i < K * S; i++) {
		gc[i] = i / S;
		a[i] = i % 2 == 0;
		b[i] = 0;
	}
	assert_int_equal(stats_bootstrap(a, b, gc, K * S, K, STATS_CLUSTERS, 2000, 4, &r), 0);
	assert_near(r.diff, 0.5, 1e-15);
	assert_near(r.lo, 0.5, 1e-15);
	assert_near(r.hi, 0.5, 1e-15);

	/* Noisy clusters: the width follows the spread of cluster means,
	 * sd / sqrt(K). */
	for (size_t c = 0; c < K; c++) {
		double pa = splitmix64_unit(&seed), pb = splitmix64_unit(&seed);

		cm_a[c] = cm_b[c] = 0;
		for (size_t j = 0; j < S; j++) {
			a[c * S + j] = splitmix64_unit(&seed) < pa;
			b[c * S + j] = splitmix64_unit(&seed) < pb;
			cm_a[c] += a[c * S + j] / S;
			cm_b[c] += b[c * S + j] / S;
		}
	}
	assert_int_equal(stats_bootstrap(a, b, gc, K * S, K, STATS_CLUSTERS, 10000, 6, &r), 0);
	normal = 1.96 * sd_of_diff(cm_a, cm_b, K) / sqrt(K);
	assert_near((r.hi - r.lo) / 2, normal, 0.1 * normal);
}

static void bootstrap_rejects_bad_arguments(void **state)
{
	const double v[] = {1, 0, 1};
	const size_t g[] = {0, 1, 2};
	struct stats_paired r;

	(void)state;
	assert_int_equal(stats_bootstrap(v, v, g, 0, 3, STATS_POOLED, 10, 1, &r), -1);
	assert_int_equal(stats_bootstrap(v, v, g, 3, 3, STATS_POOLED, 0, 1, &r), -1);
	assert_int_equal(stats_bootstrap(v, v, g, 3, 2, STATS_STRATA, 10, 1, &r), -1);
	assert_int_equal(stats_bootstrap(v, v, g, 3, 2, STATS_CLUSTERS, 10, 1, &r), -1);
	assert_int_equal(stats_bootstrap(v, v, NULL, 3, 3, STATS_STRATA, 10, 1, &r), -1);
	assert_int_equal(stats_bootstrap(NULL, v, g, 3, 3, STATS_POOLED, 10, 1, &r), -1);
	assert_int_equal(stats_bootstrap(v, v, g, 3, 3, (enum stats_average)7, 10, 1, &r), -1);
	assert_int_equal(stats_bootstrap(v, v, g, 3, 3, STATS_STRATA, 10, 1, NULL), -1);
	/* Out-of-range groups do not matter where groups are not used. */
	assert_int_equal(stats_bootstrap(v, v, g, 3, 2, STATS_POOLED, 10, 1, &r), 0);
	assert_true(isnan(stats_average(v, g, 0, 3, STATS_POOLED)));
	assert_true(isnan(stats_average(v, g, 3, 2, STATS_STRATA)));
	assert_true(isnan(stats_average(v, NULL, 3, 3, STATS_CLUSTERS)));
}

static void quantile_interpolates_linearly(void **state)
{
	const double x[] = {1, 2, 3, 4};
	const double one[] = {7};

	(void)state;
	/* Index q (n - 1): 1.5 -> 2.5, 0.075 -> 1.075, 2.925 -> 3.925. */
	assert_near(stats_quantile(x, 4, 0.5), 2.5, 1e-15);
	assert_near(stats_quantile(x, 4, 0.025), 1.075, 1e-15);
	assert_near(stats_quantile(x, 4, 0.975), 3.925, 1e-15);
	assert_near(stats_quantile(x, 4, 0), 1, 0);
	assert_near(stats_quantile(x, 4, 1), 4, 0);
	assert_near(stats_quantile(one, 1, 0.3), 7, 0);
	assert_true(isnan(stats_quantile(x, 0, 0.5)));
}

static void agreement_of_ratings(void **state)
{
	const int x[] = {1, 2, 3, 4, 5}, y[] = {1, 2, 3, 5, 4};
	const int tx[] = {1, 1, 2, 3, 3, 3, 4, 5}, ty[] = {2, 1, 2, 2, 3, 4, 4, 5};
	const int zx[] = {0, 1, 2, 3, 3, 2}, zy[] = {1, 1, 3, 3, 2, 0};
	struct stats_agreement r;

	(void)state;
	/* Spearman 1 - 6 * 2 / (5 * 24) = 0.9; kappa from the 5 x 5 table
	 * with exact fractions: 9/10. */
	stats_agreement(x, y, 5, 1, 5, &r);
	assert_int_equal(r.n, 5);
	assert_near(r.exact, 0.6, 1e-15);
	assert_near(r.within_one, 1.0, 0);
	assert_near(r.spearman, 0.9, 1e-14);
	assert_near(r.kappa, 0.9, 1e-14);
	/* Ties: average ranks by sorting give Sxy = 35 and Sxx = Syy =
	 * 79/2, so rho = 70/79; kappa 47/53; 5 of 8 equal, all within 1. */
	stats_agreement(tx, ty, 8, 1, 5, &r);
	assert_near(r.exact, 5.0 / 8, 1e-15);
	assert_near(r.within_one, 1.0, 0);
	assert_near(r.spearman, 70.0 / 79, 1e-14);
	assert_near(r.kappa, 47.0 / 53, 1e-14);
	/* A scale from 0, and the same with unused categories up to 9:
	 * rho = 9 / (33/2) = 6/11, kappa 22/43 both times. */
	stats_agreement(zx, zy, 6, 0, 3, &r);
	assert_near(r.exact, 1.0 / 3, 1e-15);
	assert_near(r.within_one, 5.0 / 6, 1e-15);
	assert_near(r.spearman, 6.0 / 11, 1e-14);
	assert_near(r.kappa, 22.0 / 43, 1e-14);
	stats_agreement(zx, zy, 6, 0, 9, &r);
	assert_near(r.spearman, 6.0 / 11, 1e-14);
	assert_near(r.kappa, 22.0 / 43, 1e-14);
}

static void agreement_degenerate_cases(void **state)
{
	const int c[] = {3, 3, 3, 3}, v[] = {1, 2, 3, 4}, two[] = {2, 2, 2};
	const int bad[] = {1, 6, 3};
	struct stats_agreement r;

	(void)state;
	/* One side constant: no rank correlation; kappa is 0 by the table
	 * (chance agreement is all there is). */
	stats_agreement(c, v, 4, 1, 5, &r);
	assert_near(r.exact, 0.25, 1e-15);
	assert_near(r.within_one, 0.75, 1e-15);
	assert_true(isnan(r.spearman));
	assert_near(r.kappa, 0.0, 1e-15);
	/* Both constant and equal: sum w E = 0. */
	stats_agreement(two, two, 3, 1, 5, &r);
	assert_near(r.exact, 1.0, 0);
	assert_true(isnan(r.spearman) && isnan(r.kappa));
	/* A rating off the scale, no items, an empty scale. */
	stats_agreement(bad, v, 3, 1, 5, &r);
	assert_true(isnan(r.exact) && isnan(r.within_one) && isnan(r.spearman) && isnan(r.kappa));
	stats_agreement(v, v, 0, 1, 5, &r);
	assert_int_equal(r.n, 0);
	assert_true(isnan(r.exact));
	stats_agreement(v, v, 4, 5, 1, &r);
	assert_true(isnan(r.exact));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(binomial_test_small_counts),
	    cmocka_unit_test(binomial_test_large_counts),
	    cmocka_unit_test(clopper_pearson_known_bounds),
	    cmocka_unit_test(clopper_pearson_edges),
	    cmocka_unit_test(mcnemar_known_comparisons),
	    cmocka_unit_test(mcnemar_interval_agrees_with_test),
	    cmocka_unit_test(bootstrap_identical_and_shifted),
	    cmocka_unit_test(bootstrap_is_seeded),
	    cmocka_unit_test(bootstrap_pooled_width_is_normal),
	    cmocka_unit_test(bootstrap_strata),
	    cmocka_unit_test(bootstrap_clusters),
	    cmocka_unit_test(bootstrap_rejects_bad_arguments),
	    cmocka_unit_test(quantile_interpolates_linearly),
	    cmocka_unit_test(agreement_of_ratings),
	    cmocka_unit_test(agreement_degenerate_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
