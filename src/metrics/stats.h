/*
 * Statistics for comparing evaluation results: exact binomial tests and
 * intervals (McNemar's test for two models scored on the same items, the
 * Clopper-Pearson interval), a seeded paired bootstrap for pooled, macro
 * (per-subtask) and clustered (per-problem) averages, and agreement
 * between two raters on an ordinal scale (a judge against humans).
 *
 * Everything is computed from the caller's arrays, which are borrowed and
 * never kept. Randomness comes only from the seed, through integer
 * arithmetic, so a seed gives the same numbers on every platform.
 */
#ifndef IE_STATS_H
#define IE_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The exact two-sided p-value of k successes in n trials with success
 * probability 1/2: min(1, 2 min(P(X <= k), P(X >= k))). With n = b + c
 * discordant pairs and k = b this is the exact McNemar test. Accurate to
 * about 1e-14 relative for n up to 1e6 and beyond; it underflows to 0
 * rather than losing precision. 1 for n = 0; NaN for k > n.
 */
double stats_binom_two_sided(size_t k, size_t n);

/*
 * The central Clopper-Pearson interval for a proportion with k successes
 * in n trials at confidence conf (0.95 for 95%) into *lo and *hi: each
 * bound leaves (1 - conf) / 2 of the binomial tail beyond it. Accurate to
 * 1e-9 or better. lo = 0 for k = 0 and hi = 1 for k = n; [0, 1] for n = 0;
 * both NaN for k > n or conf outside (0, 1).
 */
void stats_clopper_pearson(size_t k, size_t n, double conf, double *lo, double *hi);

/* Two models' accuracies on the same n items, compared by stats_mcnemar. */
struct stats_paired_binary {
	size_t n, b, c;
	double diff;	 /* accuracy of A minus accuracy of B: (b - c) / n */
	double lo, hi;	 /* 95% interval for diff */
	double p;	 /* exact McNemar p-value */
	int significant; /* p < 0.05 */
};

/*
 * McNemar's comparison of model A with model B on n paired items, b of
 * which A got right and B wrong, and c the other way round. p is
 * stats_binom_two_sided(b, b + c). The interval is conditional on the
 * m = b + c discordant items: the 95% Clopper-Pearson interval for b / m,
 * [pl, pu], mapped to [m/n (2 pl - 1), m/n (2 pu - 1)]; it excludes 0
 * exactly when p < 0.05. m = 0 gives diff 0, interval [0, 0] and p = 1.
 * n = 0 or b + c > n gives NaN for diff, lo, hi and p.
 */
void stats_mcnemar(size_t n, size_t b, size_t c, struct stats_paired_binary *out);

/* How per-item values are averaged into one statistic. */
enum stats_average {
	/* The mean over items. */
	STATS_POOLED,
	/* The mean over strata (fixed subtasks) of each stratum's item mean:
	 * a macro average. The bootstrap resamples items within each stratum
	 * and keeps its size. */
	STATS_STRATA,
	/* The mean over clusters (a problem with several samples) of each
	 * cluster's item mean. The bootstrap resamples whole clusters. */
	STATS_CLUSTERS,
};

/*
 * The statistic of v[0..n) under mode, where item i belongs to stratum or
 * cluster g[i] in 0..n_groups-1; groups without items are skipped. g and
 * n_groups are not read for STATS_POOLED (g may be NULL). NaN for n = 0,
 * a missing g, or a g[i] >= n_groups.
 */
double stats_average(const double *v, const size_t *g, size_t n, size_t n_groups,
		     enum stats_average mode);

/* Two systems' statistic on the same items, compared by stats_bootstrap. */
struct stats_paired {
	double a, b;	 /* the statistic of each system on the full data */
	double diff;	 /* a - b */
	double lo, hi;	 /* 95% percentile interval of the resampled diffs */
	double p;	 /* bootstrap p-value for diff = 0, see stats_bootstrap */
	int significant; /* the interval excludes 0: lo > 0 or hi < 0 */
	size_t n;	 /* items */
};

/*
 * The paired bootstrap of the statistic of a[i] against b[i] (the scores
 * of two systems on item i, in group g[i]) under mode, with `resamples`
 * resamples drawn from `seed`. Each resample draws the same items for both
 * systems, so their correlation is kept.
 *
 * The interval is the 2.5% and 97.5% quantiles (stats_quantile) of the
 * resampled diffs d*; p = min(1, 2 min(#(d* <= 0), #(d* >= 0)) / resamples),
 * which is 1 when every d* is 0.
 *
 * Draws, for the record and for reimplementations: one splitmix64 stream
 * started at seed; an index below m is splitmix64_next() % m, drawn again
 * while it is below 2^64 mod m. Each resample in turn draws n item indices
 * (POOLED); or, for each non-empty stratum in index order, as many indices
 * into that stratum's items (in input order) as it has items (STRATA); or
 * as many indices into the non-empty clusters (in index order) as there
 * are (CLUSTERS).
 *
 * Memory: O(n + n_groups + resamples). Returns 0, or -1 with *out
 * untouched on bad arguments: n or resamples 0, a NULL array (g may be
 * NULL for STATS_POOLED), a g[i] >= n_groups, or an unknown mode.
 */
int stats_bootstrap(const double *a, const double *b, const size_t *g, size_t n, size_t n_groups,
		    enum stats_average mode, size_t resamples, uint64_t seed,
		    struct stats_paired *out);

/*
 * The q-quantile (0 <= q <= 1) of sorted[0..n), ascending, by linear
 * interpolation at index q (n - 1): numpy's default "linear" method. NaN
 * for n = 0.
 */
double stats_quantile(const double *sorted, size_t n, double q);

/* Agreement of two raters on the same n items, from stats_agreement. */
struct stats_agreement {
	size_t n;
	double exact;	   /* fraction of items rated the same */
	double within_one; /* fraction rated at most one point apart */
	double spearman;   /* rank correlation, ties at their average rank */
	double kappa;	   /* Cohen's kappa with quadratic weights */
};

/*
 * The agreement of ratings x[i] and y[i] on the scale k_min..k_max.
 * spearman is the Pearson correlation of the two sides' ranks, with tied
 * ratings given their average rank; NaN when either side is constant.
 * kappa is 1 - sum w O / sum w E over the categories, with weights
 * w = (i - j)^2 / (K - 1)^2, O the observed joint proportions and E the
 * product of the marginals; NaN when sum w E is 0 (both sides constant,
 * or K = 1). All four are NaN for n = 0, k_max < k_min, or a rating
 * outside k_min..k_max.
 */
void stats_agreement(const int *x, const int *y, size_t n, int k_min, int k_max,
		     struct stats_agreement *out);

#endif
