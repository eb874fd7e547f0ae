/* Judge review parsers (reference and strict rules), pass@k, and the
 * standard errors of accuracies and of means. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>

#include <cmocka.h>

#include "metrics/accuracy.h"
#include "metrics/judge.h"
#include "metrics/passk.h"
#include "testing.h"

static void reference_rule_takes_the_last_digit(void **state)
{
	(void)state;
	assert_int_equal(judge_parse_reference("4"), 4);
	assert_int_equal(judge_parse_reference("The text is proficient (4)."), 4);
	assert_int_equal(judge_parse_reference("No digit at all."), 1);
	assert_int_equal(judge_parse_reference(""), 1);
	/* Several digits: the last wins. */
	assert_int_equal(judge_parse_reference("Between 2 and 3, I pick 5"), 5);
	assert_int_equal(judge_parse_reference("5/5"), 5);
	assert_int_equal(judge_parse_reference("4/5"), 5);
	assert_int_equal(judge_parse_reference("Score: 4."), 4);
	/* Out of range falls back to 1. */
	assert_int_equal(judge_parse_reference("I rate it 9"), 1);
	assert_int_equal(judge_parse_reference("Score 3 out of 10"), 1);
	assert_int_equal(judge_parse_reference("Rating: 0"), 1);
	assert_int_equal(judge_parse_reference("Option 2.\nThe text...\nFinal: 3\nThanks"), 3);
}

static void strict_rule_takes_the_first_standalone_digit(void **state)
{
	(void)state;
	assert_int_equal(judge_parse_strict("4"), 4);
	assert_int_equal(judge_parse_strict("Score: 4."), 4);
	assert_int_equal(judge_parse_strict("5/5"), 5);
	assert_int_equal(judge_parse_strict("4/5"), 4);
	assert_int_equal(judge_parse_strict("Between 2 and 3, I pick 5"), 2);
	assert_int_equal(judge_parse_strict("No digit at all."), 0);
	assert_int_equal(judge_parse_strict("I rate it 9"), 0);
	assert_int_equal(judge_parse_strict("Score 3 out of 10"), 3);
	assert_int_equal(judge_parse_strict("10 points"), 0);
	assert_int_equal(judge_parse_strict("2.5 is my score"), 0);
	assert_int_equal(judge_parse_strict("option4 then (3)"), 3);
	assert_int_equal(judge_parse_strict("Review:\nThe text is clear.\n\nScore: 5\n"), 5);
	assert_int_equal(judge_parse_strict("1."), 1);
}

static void passk_matches_the_binomial_form(void **state)
{
	(void)state;
	/* n = 10, c = 3: pass@1 = 0.3; pass@10 = 1; pass@5 = 1 - C(7,5)/C(10,5). */
	assert_near(passk_estimate(10, 3, 1), 0.3, 1e-12);
	assert_near(passk_estimate(10, 3, 10), 1.0, 1e-12);
	assert_near(passk_estimate(10, 3, 5), 1.0 - 21.0 / 252.0, 1e-12);
	assert_near(passk_estimate(10, 0, 1), 0.0, 1e-12);
	assert_near(passk_estimate(1, 1, 1), 1.0, 1e-12);
	assert_near(passk_estimate(100, 1, 10), 0.1, 1e-12);
	assert_near(passk_estimate(200, 50, 100), 1.0 - exp(lgamma(151) - lgamma(51) -
		lgamma(101) - (lgamma(201) - lgamma(101) - lgamma(101))), 1e-9);
}

static void standard_errors(void **state)
{
	struct acc a = { 0 };
	double se[3] = { 0.03, 0.04, 0.12 };

	(void)state;
	for (int i = 0; i < 100; i++)
		acc_add(&a, i < 25);
	assert_near(acc_value(&a), 0.25, 1e-12);
	assert_near(acc_stderr(&a), sqrt(0.25 * 0.75 / 100), 1e-12);
	assert_near(mean_stderr(se, 3), 0.13 / 3, 1e-12);
	assert_near(mean_stderr(se, 0), 0.0, 0);
}

/* Each group with items counts once, whatever its size; empty ones not
 * at all. */
static void macro_average_of_groups(void **state)
{
	struct acc g[3] = { { 0 } };
	double score, se, errs[2];

	(void)state;
	for (int i = 0; i < 10; i++)
		acc_add(&g[0], i < 5);
	for (int i = 0; i < 1000; i++)
		acc_add(&g[2], i < 100);
	acc_macro(g, 3, &score, &se);
	errs[0] = acc_stderr(&g[0]);
	errs[1] = acc_stderr(&g[2]);
	assert_near(score, (0.5 + 0.1) / 2, 1e-12);
	assert_near(se, mean_stderr(errs, 2), 1e-15);
	acc_macro(g + 1, 1, &score, &se);
	assert_near(score, 0.0, 0);
	assert_near(se, 0.0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_rule_takes_the_last_digit),
		cmocka_unit_test(strict_rule_takes_the_first_standalone_digit),
		cmocka_unit_test(passk_matches_the_binomial_form),
		cmocka_unit_test(standard_errors),
		cmocka_unit_test(macro_average_of_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
