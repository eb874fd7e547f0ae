/* pass@k with the unbiased estimator of Chen et al. (2021). */
#ifndef IE_PASSK_H
#define IE_PASSK_H

#include <stddef.h>

/* 1 - C(n - c, k) / C(n, k) for one problem with n samples of which c
 * passed; 1 when n - c < k. Computed as a product, without binomials, so
 * it is exact to double precision for any n. k must be in 1..n. */
double passk_estimate(size_t n, size_t c, size_t k);

#endif
