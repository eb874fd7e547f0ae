/* HumanEval's post-processing, program assembly, temperatures and pass@k
 * over problems. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tasks/humaneval.h"
#include "testing.h"

static void check_post(const char *in, const char *want)
{
	char *got = he_postprocess(in);

	assert_string_equal(got, want);
	free(got);
}

static void postprocess_like_the_reference(void **state)
{
	(void)state;
	/* Odd indentation gets one more space. */
	check_post("   return x\n", "    return x\n");
	check_post(" x\n  y\n   z", "  x\n  y\n    z");
	/* Leading newlines go; the text is cut at the first blank line. */
	check_post("\n\n    a = 1\n    return a\n\n\nprint(1)", "    a = 1\n    return a");
	check_post("    return 1\n\ndef other():\n    pass\n", "    return 1");
	/* A line of spaces is not a blank line, and is padded too. */
	check_post("  a\n   \n  b", "  a\n    \n  b");
	check_post("", "");
	check_post("\n\n\n", "");
	/* Padding happens before the cut: the cut is on the padded text. */
	check_post(" a\n\n b", "  a");
	/* Tabs are not spaces. */
	check_post("\treturn 1", "\treturn 1");
}

static void program_is_prompt_completion_tests_check(void **state)
{
	struct he_problem p = { .task_id = "HumanEval/0", .prompt = "def f():\n",
				.entry_point = "f", .test = "def check(c):\n    assert c() == 1\n" };
	char *prog = he_program(&p, "    return 1");

	(void)state;
	assert_string_equal(prog, "def f():\n    return 1\ndef check(c):\n    assert c() == 1\n"
				  "\ncheck(f)");
	free(prog);
}

static void reference_temperatures(void **state)
{
	(void)state;
	assert_near(he_temperature(1), 0.1, 0);
	assert_near(he_temperature(10), 0.6, 0);
	assert_near(he_temperature(100), 0.8, 0);
}

static void pass_at_k_over_problems(void **state)
{
	size_t n[3] = { 10, 10, 10 }, c[3] = { 0, 5, 10 };
	json_t *pk = he_pass_at_k(n, c, 3);

	(void)state;
	assert_near(json_real_value(json_object_get(pk, "pass@1")), 0.5, 1e-12);
	assert_near(json_real_value(json_object_get(pk, "pass@10")), 2.0 / 3, 1e-12);
	assert_null(json_object_get(pk, "pass@100"));
	json_decref(pk);
	n[1] = 1; /* k may not exceed the smallest n */
	pk = he_pass_at_k(n, c, 3);
	assert_non_null(json_object_get(pk, "pass@1"));
	assert_null(json_object_get(pk, "pass@10"));
	json_decref(pk);
}

/* Samples in any order are counted by problem; packing keeps the problem
 * file's order and drops the problems without samples. */
static void counts_group_by_problem(void **state)
{
	static const size_t problem[] = { 4, 1, 4, 1, 4 };
	static const int passed[] = { 1, 0, 0, 1, 1 };
	struct he_counts hc;

	(void)state;
	he_counts_init(&hc, 6);
	for (size_t i = 0; i < 5; i++)
		he_counts_add(&hc, problem[i], passed[i]);
	assert_int_equal(he_counts_pack(&hc), 2);
	assert_int_equal(hc.problems, 2);
	assert_int_equal(hc.n[0], 2);
	assert_int_equal(hc.c[0], 1);
	assert_int_equal(hc.n[1], 3);
	assert_int_equal(hc.c[1], 2);
	he_counts_release(&hc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(postprocess_like_the_reference),
		cmocka_unit_test(program_is_prompt_completion_tests_check),
		cmocka_unit_test(reference_temperatures),
		cmocka_unit_test(pass_at_k_over_problems),
		cmocka_unit_test(counts_group_by_problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
