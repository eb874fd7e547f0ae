/* Helpers shared by the unit tests, on top of cmocka. */
#ifndef IE_TESTING_H
#define IE_TESTING_H

#include <math.h>

/* cmocka 1.1's assert_float_equal compares floats; scores need doubles. */
#define assert_near(a, b, eps)                                                       \
	do {                                                                         \
		double a_ = (a), b_ = (b);                                           \
		if (!(fabs(a_ - b_) <= (eps)))                                       \
			fail_msg("%s = %.17g, expected %.17g (within %g)", #a, a_, b_, \
				 (double)(eps));                                     \
	} while (0)

#endif
