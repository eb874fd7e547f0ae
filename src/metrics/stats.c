/*
 * Exact binomial tests and intervals, the seeded paired bootstrap and
 * rater agreement (stats.h). Binomial probabilities are computed in log
 * space with Loader's saddle-point form, so that n in the millions keeps
 * full precision where log-gamma differences would lose nine digits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/stats.h"
#include "util/splitmix.h"
#include "util/xalloc.h"
#include "util/banned.h"

/*
 * log(m!) - log(sqrt(2 pi m) (m/e)^m), the error of Stirling's formula.
 * Small m go through lgamma, whose result is small enough there for the
 * difference to keep its precision; larger m use the asymptotic series,
 * whose first omitted term is below 1e-17 from m = 16.
 */
static double stirlerr(double m)
{
	const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
		     s4 = 1.0 / 1188;
	double mm = m * m;

	if (m <= 15)
		return lgamma(m + 1) - (m + 0.5) * log(m) + m - 0.5 * log(2 * M_PI);
	return (s0 - (s1 - (s2 - (s3 - s4 / mm) / mm) / mm) / mm) / m;
}

/*
 * x log(x / mu) + mu - x, the deviance term. Near x = mu the direct form
 * cancels to nothing, so there it is summed as the series in
 * v = (x - mu) / (x + mu): (x - mu) v + 2 x (v^3/3 + v^5/5 + ...).
 */
static double bd0(double x, double mu)
{
	double v, vv, term, sum, next;

	if (fabs(x - mu) >= 0.1 * (x + mu))
		return x * log(x / mu) + mu - x;
	v = (x - mu) / (x + mu);
	vv = v * v;
	sum = (x - mu) * v;
	term = 2 * x * v;
	for (int j = 1; j < 1000; j++) {
		term *= vv;
		next = sum + term / (2 * j + 1);
		if (next == sum)
			break;
		sum = next;
	}
	return sum;
}

/* log P(X = k) for X ~ Binomial(n, 1/2), 0 < k < n (Loader 2000). */
static double log_binom_half(size_t k, size_t n)
{
	double dk = (double)k, dn = (double)n, dr = (double)(n - k);

	return stirlerr(dn) - stirlerr(dk) - stirlerr(dr) - bd0(dk, dn / 2) - bd0(dr, dn / 2) +
	       0.5 * log(dn / (2 * M_PI * dk * dr));
}

double stats_binom_two_sided(size_t k, size_t n)
{
	double sum = 1, term = 1, tail;
	size_t j0;

	if (k > n)
		return NAN;
	if (n == 0)
		return 1.0;
	j0 = k < n - k ? k : n - k;
	/* By symmetry the smaller tail is the one from min(k, n - k) down. */
	if (j0 == 0) {
		tail = exp(-(double)n * M_LN2);
	} else {
		/*
		 * Sum P(X = j) / P(X = j0) downwards with the exact ratio
		 * P(j - 1) / P(j) = j / (n - j + 1) < 1: the terms only
		 * shrink, so the sum stops when they no longer count.
		 */
		for (size_t j = j0; j > 0; j--) {
			term *= (double)j / (double)(n - j + 1);
			sum += term;
			if (term < sum * 1e-17)
				break;
		}
		tail = exp(log_binom_half(j0, n) + log(sum));
	}
	return 2 * tail < 1 ? 2 * tail : 1.0;
}

/*
 * The continued fraction 1 + d1 / (1 + d2 / (1 + ...)) of the incomplete
 * beta function (DLMF 8.17.22), by the modified Lentz method. It
 * converges fast for x below the mean, (a + 1) / (a + b + 2); in about
 * sqrt(max(a, b)) steps for large parameters.
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double f = 1, c = 1, d = 0, num, delta;

	for (int j = 1; j < 200000; j++) {
		double m = (double)(j / 2);

		if (j % 2)
			num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
		else
			num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		delta = c * d;
		f *= delta;
		if (fabs(delta - 1) < 1e-15)
			break;
	}
	return f;
}

/* The regularized incomplete beta function I_x(a, b), a, b > 0. */
static double incbeta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b)));
	if (x < (a + 1) / (a + b + 2))
		return front / (a * beta_cf(a, b, x));
	return 1 - front / (b * beta_cf(b, a, 1 - x));
}

/*
 * The p with P(X >= k) = tail for X ~ Binomial(n, p), 0 < k <= n: the
 * root of I_p(k, n - k + 1) = tail. I is increasing in p, so bisection
 * cannot miss; it runs until the bracket is two adjacent doubles.
 */
static double binom_lower_bound(size_t k, size_t n, double tail)
{
	double a = (double)k, b = (double)(n - k + 1);
	double lo = 0, hi = 1, mid;

	for (int i = 0; i < 1100; i++) {
		mid = 0.5 * (lo + hi);
		if (mid <= lo || mid >= hi)
			break;
		if (incbeta(a, b, mid) < tail)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

void stats_clopper_pearson(size_t k, size_t n, double conf, double *lo, double *hi)
{
	double tail = (1 - conf) / 2;

	if (k > n || !(conf > 0 && conf < 1)) {
		*lo = *hi = NAN;
		return;
	}
	*lo = k == 0 ? 0 : binom_lower_bound(k, n, tail);
	/* The upper bound for k is one minus the lower bound for n - k
	 * failures: the same root-finding on the other tail. */
	*hi = k == n ? 1 : 1 - binom_lower_bound(n - k, n, tail);
}

void stats_mcnemar(size_t n, size_t b, size_t c, struct stats_paired_binary *out)
{
	size_t m = b + c;
	double pl, pu, scale;

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->b = b;
	out->c = c;
	if (n == 0 || b > n || c > n - b) {
		out->diff = out->lo = out->hi = out->p = NAN;
		return;
	}
	out->diff = ((double)b - (double)c) / (double)n;
	out->p = stats_binom_two_sided(b, m);
	if (m == 0)
		return;
	/*
	 * Given m discordant items, b ~ Binomial(m, pi) and the difference
	 * of accuracies is m/n (2 pi - 1). The central Clopper-Pearson
	 * bound pl exceeds 1/2 exactly when P(X >= b | pi = 1/2) < 0.025,
	 * that is when the doubled one-sided exact p is below 0.05 (and
	 * likewise for pu), so the interval excludes 0 exactly when the
	 * test is significant.
	 */
	stats_clopper_pearson(b, m, 0.95, &pl, &pu);
	scale = (double)m / (double)n;
	out->lo = scale * (2 * pl - 1);
	out->hi = scale * (2 * pu - 1);
	out->significant = out->p < 0.05;
}

/* Whether g[0..n) is present when mode needs it and within n_groups. */
static int groups_valid(const size_t *g, size_t n, size_t n_groups, enum stats_average mode)
{
	if (mode == STATS_POOLED)
		return 1;
	if (mode != STATS_STRATA && mode != STATS_CLUSTERS)
		return 0;
	if (!g)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (g[i] >= n_groups)
			return 0;
	return 1;
}

double stats_average(const double *v, const size_t *g, size_t n, size_t n_groups,
		     enum stats_average mode)
{
	double *sum, total = 0;
	size_t *count, used = 0;

	if (!v || n == 0 || !groups_valid(g, n, n_groups, mode))
		return NAN;
	if (mode == STATS_POOLED) {
		for (size_t i = 0; i < n; i++)
			total += v[i];
		return total / (double)n;
	}
	/* Strata and clusters differ only in how they are resampled. */
	sum = xcalloc(n_groups, sizeof(*sum));
	count = xcalloc(n_groups, sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		sum[g[i]] += v[i];
		count[g[i]]++;
	}
	for (size_t s = 0; s < n_groups; s++) {
		if (!count[s])
			continue;
		total += sum[s] / (double)count[s];
		used++;
	}
	free(sum);
	free(count);
	return total / (double)used;
}

/*
 * A uniform index below m. Plain x % m would favour the first 2^64 mod m
 * residues; rejecting x below that count leaves a multiple of m values.
 */
static size_t draw_index(uint64_t *state, size_t m)
{
	uint64_t mm = m, skip = (0 - mm) % mm, x;

	do
		x = splitmix64_next(state);
	while (x < skip);
	return (size_t)(x % mm);
}

/*
 * The data of one bootstrap, reduced to what a resample needs. Every
 * statistic here is linear in the items, with the same weights for both
 * systems, so a resample's a* - b* is the statistic of the differences
 * d = a - b and only d is kept. For STRATA, d is in stratum order with
 * start[s]..start[s + 1] the items of stratum s; for CLUSTERS, d holds the
 * mean difference of each non-empty cluster.
 */
struct boot {
	enum stats_average mode;
	double *d;
	size_t nd;
	size_t *start;
	size_t n_groups;
};

static void boot_prepare(struct boot *bt, const double *a, const double *b, const size_t *g,
			 size_t n, size_t n_groups)
{
	size_t *fill;

	bt->d = xcalloc(n, sizeof(*bt->d));
	bt->nd = n;
	bt->n_groups = n_groups;
	if (bt->mode == STATS_POOLED) {
		for (size_t i = 0; i < n; i++)
			bt->d[i] = a[i] - b[i];
		return;
	}
	/* A stable counting sort by group. */
	bt->start = xcalloc(n_groups + 1, sizeof(*bt->start));
	for (size_t i = 0; i < n; i++)
		bt->start[g[i] + 1]++;
	for (size_t s = 0; s < n_groups; s++)
		bt->start[s + 1] += bt->start[s];
	fill = xcalloc(n_groups, sizeof(*fill));
	memcpy(fill, bt->start, n_groups * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		bt->d[fill[g[i]]++] = a[i] - b[i];
	free(fill);
	if (bt->mode == STATS_CLUSTERS) {
		/* Clusters are drawn whole, so only their means matter. */
		bt->nd = 0;
		for (size_t s = 0; s < n_groups; s++) {
			size_t len = bt->start[s + 1] - bt->start[s];
			double sum = 0;

			if (!len)
				continue;
			for (size_t j = bt->start[s]; j < bt->start[s + 1]; j++)
				sum += bt->d[j];
			bt->d[bt->nd++] = sum / (double)len;
		}
	}
}

/* One resample's difference of statistics. */
static double boot_resample(const struct boot *bt, uint64_t *state)
{
	double total = 0;
	size_t used = 0;

	if (bt->mode != STATS_STRATA) {
		for (size_t i = 0; i < bt->nd; i++)
			total += bt->d[draw_index(state, bt->nd)];
		return total / (double)bt->nd;
	}
	for (size_t s = 0; s < bt->n_groups; s++) {
		size_t first = bt->start[s], len = bt->start[s + 1] - first;
		double sum = 0;

		if (!len)
			continue;
		for (size_t j = 0; j < len; j++)
			sum += bt->d[first + draw_index(state, len)];
		total += sum / (double)len;
		used++;
	}
	return total / (double)used;
}

static int cmp_double(const void *x, const void *y)
{
	double u = *(const double *)x, v = *(const double *)y;

	return (u > v) - (u < v);
}

int stats_bootstrap(const double *a, const double *b, const size_t *g, size_t n, size_t n_groups,
		    enum stats_average mode, size_t resamples, uint64_t seed,
		    struct stats_paired *out)
{
	struct boot bt = {.mode = mode};
	uint64_t state = seed;
	size_t below = 0, above = 0;
	double *diffs, frac;

	if (!a || !b || !out || n == 0 || resamples == 0 || !groups_valid(g, n, n_groups, mode))
		return -1;
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->a = stats_average(a, g, n, n_groups, mode);
	out->b = stats_average(b, g, n, n_groups, mode);
	out->diff = out->a - out->b;

	boot_prepare(&bt, a, b, g, n, n_groups);
	diffs = xcalloc(resamples, sizeof(*diffs));
	for (size_t r = 0; r < resamples; r++) {
		diffs[r] = boot_resample(&bt, &state);
		below += diffs[r] <= 0;
		above += diffs[r] >= 0;
	}
	qsort(diffs, resamples, sizeof(*diffs), cmp_double);
	out->lo = stats_quantile(diffs, resamples, 0.025);
	out->hi = stats_quantile(diffs, resamples, 0.975);
	frac = (double)(below < above ? below : above) / (double)resamples;
	out->p = 2 * frac < 1 ? 2 * frac : 1.0;
	out->significant = out->lo > 0 || out->hi < 0;
	free(diffs);
	free(bt.d);
	free(bt.start);
	return 0;
}

double stats_quantile(const double *sorted, size_t n, double q)
{
	double h, frac;
	size_t i;

	if (n == 0)
		return NAN;
	h = q * (double)(n - 1);
	i = (size_t)h;
	if (i >= n - 1)
		return sorted[n - 1];
	frac = h - (double)i;
	return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

/*
 * The average rank (1-based) of each rating of v[0..n) on a scale of k
 * values from k_min, into rank[0..k): a rating preceded by `less` smaller
 * ones and tied with `count` takes the mean of ranks less+1..less+count.
 */
static void rating_ranks(const int *v, size_t n, int k_min, size_t k, double *rank)
{
	size_t *count = xcalloc(k, sizeof(*count)), less = 0;

	for (size_t i = 0; i < n; i++)
		count[v[i] - k_min]++;
	for (size_t c = 0; c < k; c++) {
		rank[c] = (double)less + ((double)count[c] + 1) / 2;
		less += count[c];
	}
	free(count);
}

/* The Pearson correlation of the ranks of x and y; NaN if one is constant. */
static double spearman(const int *x, const int *y, size_t n, int k_min, size_t k)
{
	double *rx = xcalloc(k, sizeof(*rx)), *ry = xcalloc(k, sizeof(*ry));
	double mean = ((double)n + 1) / 2, sxy = 0, sxx = 0, syy = 0;

	/* Average ranks always have mean (n + 1) / 2. */
	rating_ranks(x, n, k_min, k, rx);
	rating_ranks(y, n, k_min, k, ry);
	for (size_t i = 0; i < n; i++) {
		double u = rx[x[i] - k_min] - mean, v = ry[y[i] - k_min] - mean;

		sxy += u * v;
		sxx += u * u;
		syy += v * v;
	}
	free(rx);
	free(ry);
	if (sxx == 0 || syy == 0)
		return NAN;
	return sxy / sqrt(sxx * syy);
}

/*
 * Quadratic-weighted kappa without the K x K table: with weights
 * (i - j)^2, sum w O is the mean of (x - y)^2, and sum w E, the same for
 * independent draws from the two marginals, is var x + var y +
 * (mean x - mean y)^2. The (K - 1)^2 normalisation cancels in the ratio.
 */
static double quadratic_kappa(const int *x, const int *y, size_t n)
{
	double mx = 0, my = 0, vx = 0, vy = 0, obs = 0, expect;

	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double dx = x[i] - mx, dy = y[i] - my, dd = (double)x[i] - y[i];

		vx += dx * dx;
		vy += dy * dy;
		obs += dd * dd;
	}
	expect = vx / (double)n + vy / (double)n + (mx - my) * (mx - my);
	if (expect == 0)
		return NAN;
	return 1 - obs / (double)n / expect;
}

void stats_agreement(const int *x, const int *y, size_t n, int k_min, int k_max,
		     struct stats_agreement *out)
{
	size_t same = 0, near = 0;

	out->n = n;
	out->exact = out->within_one = out->spearman = out->kappa = NAN;
	if (n == 0 || k_max < k_min)
		return;
	for (size_t i = 0; i < n; i++) {
		if (x[i] < k_min || x[i] > k_max || y[i] < k_min || y[i] > k_max)
			return;
		same += x[i] == y[i];
		near += labs((long)x[i] - y[i]) <= 1;
	}
	out->exact = (double)same / (double)n;
	out->within_one = (double)near / (double)n;
	out->spearman = spearman(x, y, n, k_min, (size_t)((long)k_max - k_min + 1));
	out->kappa = quadratic_kappa(x, y, n);
}
