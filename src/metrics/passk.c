/* The unbiased pass@k estimator (passk.h). */
#include "metrics/passk.h"
#include "util/banned.h"

double passk_estimate(size_t n, size_t c, size_t k)
{
	double fail = 1.0;

	if (n - c < k)
		return 1.0;
	/* C(n-c, k) / C(n, k) = prod over i in (n-c, n] of (1 - k / i). */
	for (size_t i = n - c + 1; i <= n; i++)
		fail *= 1.0 - (double)k / (double)i;
	return 1.0 - fail;
}
