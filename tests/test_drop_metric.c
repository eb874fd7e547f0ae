/* DROP's official EM and F1: each expected value is what the official
 * evaluation script's get_metrics / _normalize_answer return for the same
 * input (numbers as str(float), articles, punctuation, hyphens, span
 * alignment, the number rule, numpy's rounding). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/drop.h"

#define MAX_SPANS 8

struct metric_case {
	const char *pred[MAX_SPANS];
	size_t n_pred;
	const char *gold[MAX_SPANS];
	size_t n_gold;
	double em, f1;
};

static const struct metric_case metric_cases[] = {
	/* numbers compare as str(float(token)) */
	{ { "2.0" }, 1, { "2" }, 1, 1, 1 },
	{ { "12.50" }, 1, { "12.5" }, 1, 1, 1 },
	{ { "1e3" }, 1, { "1000" }, 1, 1, 1 },
	{ { "1,000" }, 1, { "1000" }, 1, 1, 1 },
	{ { "2" }, 1, { "two" }, 1, 0, 0 },
	/* a comma and a point in one token: not a number, so both go */
	{ { "1,000.5" }, 1, { "1000.5" }, 1, 0, 0 },
	/* spans in another order, articles, punctuation, case, hyphens */
	{ { "Bears", "Eagles" }, 2, { "Eagles", "the Bears" }, 2, 1, 1 },
	{ { "the Eagles" }, 1, { "Eagles" }, 1, 1, 1 },
	{ { "Tom Brady." }, 1, { "tom brady" }, 1, 1, 1 },
	{ { "Tom's" }, 1, { "Toms" }, 1, 1, 1 },
	{ { "42-yard" }, 1, { "42 yard" }, 1, 1, 1 },
	{ { "well-known" }, 1, { "well known" }, 1, 1, 1 },
	{ { "\xc3\x89" }, 1, { "\xc3\xa9" }, 1, 1, 1 },
	/* a curly apostrophe is not in string.punctuation */
	{ { "Tom\xe2\x80\x99s" }, 1, { "Tom's" }, 1, 0, 0 },
	/* partial overlap: bags of words, order within a span ignored */
	{ { "Tom Brady threw" }, 1, { "Brady" }, 1, 0, 0.5 },
	{ { "a touchdown pass" }, 1, { "touchdown" }, 1, 0, 0.67 },
	{ { "yards 5" }, 1, { "5 yards" }, 1, 0, 1 },
	{ { "Denver Broncos 24" }, 1, { "24" }, 1, 0, 0.5 },
	{ { "3 and 4" }, 1, { "3", "4" }, 2, 0, 0.25 },
	/* gold has a number the prediction lacks: the pair scores 0 */
	{ { "5 yards" }, 1, { "6 yards" }, 1, 0, 0 },
	/* empty prediction: one span with no words; no span at all */
	{ { "" }, 1, { "Eagles" }, 1, 0, 0 },
	{ { NULL }, 0, { "Eagles" }, 1, 0, 0 },
	{ { "" }, 1, { "" }, 1, 1, 1 },
	/* several spans: best one-to-one pairing, mean over the longer list */
	{ { "Eagles", "Jets" }, 2, { "Eagles", "Bears", "Giants" }, 3, 0, 0.33 },
	{ { "John Kasay", "Adam Vinatieri", "Tom Brady" },
	  3,
	  { "Adam Vinatieri", "John Kasay" },
	  2,
	  0,
	  0.67 },
	/* EM compares sets of spans plus their count */
	{ { "x", "x", "y" }, 3, { "x", "y", "y" }, 3, 1, 0.67 },
	{ { "x", "x" }, 2, { "x" }, 1, 0, 0.5 },
	/* numpy rounds half to even: 0.125 -> 0.12, 0.0625 -> 0.06 */
	{ { "x" }, 1, { "x", "y", "z", "w", "v", "u", "t", "s" }, 8, 0, 0.12 },
	{ { "x y z" }, 1, { "x", "y", "z", "w", "v", "u", "t", "s" }, 8, 0, 0.06 },
};

static void metrics_match_official(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(metric_cases) / sizeof(metric_cases[0]); c++) {
		const struct metric_case *t = &metric_cases[c];
		double em = -1, f1 = -1;

		drop_metrics(t->pred, t->n_pred, t->gold, t->n_gold, &em, &f1);
		if (em != t->em || f1 != t->f1)
			fail_msg("case %zu (\"%s\" vs \"%s\"): em %g f1 %g, want %g %g", c,
				 t->n_pred ? t->pred[0] : "", t->gold[0], em, f1, t->em, t->f1);
	}
}

static void no_spans_at_all_is_nan(void **state)
{
	double em, f1;

	(void)state;
	drop_metrics(NULL, 0, NULL, 0, &em, &f1);
	assert_true(em == 1.0);
	assert_true(isnan(f1));
}

static void max_over_gold_answers(void **state)
{
	static const char *const pred[] = { "Eagles team" };
	static const char *const a0[] = { "Eagles" };
	static const char *const a1[] = { "the Eagles team" };
	static const char *const a2[] = { "  " };
	static const char *const *const golds[] = { a0, a1, a2 };
	static const size_t n_golds[] = { 1, 1, 1 };
	static const char *const blank_pred[] = { "" };
	double em, f1;

	(void)state;
	drop_metrics_max(pred, 1, golds, n_golds, 1, &em, &f1);
	assert_true(em == 0.0);
	assert_true(f1 == 0.67);
	drop_metrics_max(pred, 1, golds, n_golds, 3, &em, &f1);
	assert_true(em == 1.0);
	assert_true(f1 == 1.0);
	/* a gold answer that is white space is skipped, even when it would
	 * match the prediction */
	drop_metrics_max(blank_pred, 1, golds + 2, n_golds + 2, 1, &em, &f1);
	assert_true(em == 0.0);
	assert_true(f1 == 0.0);
}

static void normalize_like_the_script(void **state)
{
	static const char *const cases[][2] = {
		{ "The Eagles' 2nd-half touchdown, 12.50 yards",
		  "eagles 2nd half touchdown 12.5 yards" },
		{ "An apple a day", "apple day" },
		{ "the", "" },
		{ "  a\tb  ", "b" },
		{ "1e16", "1e+16" },
		{ "0.00001", "1e-05" },
		{ "0.0001", "0.0001" },
		{ "1_000", "1000.0" },
		{ "Infinity", "inf" },
		{ "nan", "nan" },
		{ "-5", "5.0" },
		{ "$1,000", "1000.0" },
		{ "5%", "5.0" },
		{ "(3)", "3.0" },
		{ "2.", "2.0" },
		{ "  7 \n", "7.0" },
		/* 2**89: the nearest 16 digits do not read back, the next do */
		{ "618970019642690137449562112", "6.189700196426902e+26" },
		{ "\xc3\x9cnited", "\xc3\xbcnited" },
		{ "Tom\xe2\x80\x99s", "tom\xe2\x80\x99s" },
		/* U+2019 is not a word character, so "an" stands alone */
		{ "l\xe2\x80\x99"
		  "an",
		  "l\xe2\x80\x99" },
		/* capital I with dot above lowers to two code points */
		{ "\xc4\xb0stanbul", "i\xcc\x87stanbul" },
		/* Arabic-Indic three is a digit to float() */
		{ "\xd9\xa3", "3.0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *norm = drop_normalize(cases[i][0]);

		assert_string_equal(norm, cases[i][1]);
		free(norm);
	}
}

static void assignment_is_optimal(void **state)
{
	/* greedy would take 0.9 first and end with 1.4 */
	static const double w[] = {
		0.9, 0.8, 0.0, /* */
		0.8, 0.0, 0.0, /* */
		0.0, 0.0, 0.5,
	};
	/* more rows than columns: one row is left out */
	static const double tall[] = {
		0.2, 0.1, /* */
		1.0, 0.9, /* */
		0.9, 0.1,
	};
	size_t col[3];

	(void)state;
	assert_true(fabs(drop_max_assignment(w, 3, 3, col) - 2.1) < 1e-12);
	assert_int_equal(col[0], 1);
	assert_int_equal(col[1], 0);
	assert_int_equal(col[2], 2);
	assert_true(fabs(drop_max_assignment(tall, 3, 2, col) - 1.8) < 1e-12);
	assert_int_equal(col[0], (size_t)-1);
	assert_int_equal(col[1], 1);
	assert_int_equal(col[2], 0);
	assert_true(drop_max_assignment(w, 0, 3, col) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_match_official),
		cmocka_unit_test(no_spans_at_all_is_nan),
		cmocka_unit_test(max_over_gold_answers),
		cmocka_unit_test(normalize_like_the_script),
		cmocka_unit_test(assignment_is_optimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
