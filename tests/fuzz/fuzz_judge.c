/*
 * The judge's review parsers (metrics/judge.c) on any text: the reference
 * rule always gives 1-5, the strict rule 0-5, and a strict score is a
 * digit the review holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "metrics/judge.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *review = fuzz_cstr(data, size);
	int ref = judge_parse_reference(review), strict = judge_parse_strict(review);

	if (ref < 1 || ref > 5 || strict < 0 || strict > 5 ||
	    (strict && !strchr(review, '0' + strict))) {
		fprintf(stderr, "judge: scores %d (reference) and %d (strict)\n", ref, strict);
		abort();
	}
	free(review);
	return 0;
}
