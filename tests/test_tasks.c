/* The task table and what is derived from it: the groups --tasks takes,
 * the boards' columns, the "data not found" message, the --limit rule and
 * the record fields every task shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/datasets.h"
#include "instructeval/eval.h"
#include "report/report.h"
#include "tasks/task.h"
#include "util/fileio.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static char tmpdir[] = "/tmp/ie-tasks-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	file_remove_tree(tmpdir);
	return 0;
}

/* ie_tasks_expand(spec) joined with ",", or the error message. */
static char *expand(const char *spec)
{
	struct ie_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char **names;
	size_t n;

	if (ie_tasks_expand(spec, &names, &n, &err) < 0)
		return xstrdup(err.msg);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", names[i]);
	ie_tasks_free(names, n);
	return strbuf_detach(&sb, NULL);
}

static void assert_expands(const char *spec, const char *want)
{
	char *got = expand(spec);

	assert_string_equal(got, want);
	free(got);
}

static void groups_come_from_the_table(void **state)
{
	static const char *const want[] = { "problem-solving", "alignment", "writing", "all" };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(task_group(i), want[i]);
		assert_string_equal(ie_task_group(i), want[i]);
	}
	assert_null(task_group(4));
	assert_expands("problem-solving", "mmlu,bbh,drop,crass,humaneval");
	assert_expands("alignment", "hhh");
	assert_expands("writing", "impact");
	assert_expands("all", "mmlu,bbh,drop,crass,humaneval,hhh,impact");
	assert_expands("hhh,alignment,mmlu,all", "hhh,mmlu,bbh,drop,crass,humaneval,impact");
	assert_expands("mmlu,nosuch",
		       "unknown task 'nosuch' (known: mmlu, bbh, drop, crass, humaneval, hhh, "
		       "impact, problem-solving, alignment, writing, all)");
}

/* Every row is complete, every name is one (and a dataset of the same
 * name exists, as the "data not found" message tells users to download
 * it by that name), and the public listing is the table. */
static void table_rows_are_complete(void **state)
{
	const struct task_ops *const *all = task_all();
	const char *const *datasets = dataset_names();
	struct ie_task_info info;
	size_t i;

	(void)state;
	for (i = 0; all[i]; i++) {
		const struct task_ops *t = all[i];
		int dataset = 0;

		assert_non_null(t->name);
		assert_non_null(t->title);
		assert_non_null(t->group);
		assert_non_null(t->summary);
		assert_non_null(t->data[0]);
		assert_true(t->load && t->build && t->aggregate && t->record);
		assert_true(t->score || t->score_batch);
		assert_ptr_equal(task_find(t->name), t);
		for (size_t d = 0; datasets[d]; d++)
			dataset |= !strcmp(datasets[d], t->name);
		assert_true(dataset);
		assert_int_equal(ie_task_get(i, &info), 0);
		assert_string_equal(info.name, t->name);
		assert_string_equal(info.summary, t->summary);
		assert_int_equal(info.needs_judge, t->needs_judge);
	}
	assert_int_equal(i, 7);
	assert_int_equal(ie_task_get(i, &info), -1);
	assert_true(task_find("impact")->needs_judge);
	assert_false(task_find("mmlu")->needs_judge);
}

static void boards_read_tasks_of_the_table(void **state)
{
	struct ie_error err = { 0 };

	(void)state;
	if (report_boards_check(&err) < 0)
		fail_msg("%s", err.msg);
}

/* "<Title> data not found: no <what> '<path>' (get it with ...)". */
static void assert_missing(const struct task_ops *t, const char *dir, const char *what,
			   const char *rel)
{
	struct ie_error err = { 0 };
	struct task task;
	struct strbuf want = STRBUF_INIT;

	strbuf_addf(&want, "%s data not found: no %s '%s/%s' (get it with 'instructeval "
		    "download %s')", t->title, what, dir, rel, t->name);
	assert_int_equal(task_load(&task, t, dir, &err), IE_ENODATA);
	assert_string_equal(err.msg, want.buf);
	assert_int_equal(ie_error_exit_status(err.code), 2);
	task_release(&task);
	strbuf_release(&want);
}

static void missing_data_has_one_message(void **state)
{
	const struct task_ops *const *all = task_all();
	char *dir = path_join(tmpdir, "empty"), *sub;
	struct ie_error err = { 0 };

	(void)state;
	assert_int_equal(file_mkdirs(dir, &err), 0);
	for (size_t i = 0; all[i]; i++) {
		char *rel = xstrdup(all[i]->data[0]);
		size_t n = strlen(rel);
		int folder = rel[n - 1] == '/';

		if (folder)
			rel[n - 1] = '\0';
		assert_missing(all[i], dir, folder ? "folder" : "file", rel);
		free(rel);
	}
	/* What a folder that is there lacks. */
	sub = path_join(dir, "mmlu/test");
	assert_int_equal(file_mkdirs(sub, &err), 0);
	free(sub);
	assert_missing(task_find("mmlu"), dir, "folder", "mmlu/dev");
	sub = path_join(dir, "mmlu/dev");
	assert_int_equal(file_mkdirs(sub, &err), 0);
	free(sub);
	assert_missing(task_find("mmlu"), dir, "*_test.csv in", "mmlu/test");
	sub = path_join(dir, "hhh");
	assert_int_equal(file_mkdirs(sub, &err), 0);
	free(sub);
	assert_missing(task_find("hhh"), dir, "file", "hhh/harmless/task.json");
	free(dir);
}

static void limit_takes_the_first_n_of_each_subtask(void **state)
{
	static const char *const items[] = { "a", "b", "a", "a", "c", "b", "b", "a" };
	static const int want[] = { 1, 1, 1, 0, 1, 1, 0, 0 };
	struct item_limit lim;

	(void)state;
	item_limit_init(&lim, 2);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(item_limit_take(&lim, items[i]), want[i]);
	item_limit_release(&lim);
	item_limit_init(&lim, 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(item_limit_take(&lim, items[i]), 1);
	item_limit_release(&lim);
}

/* The shared fields keep the records' key order, and the error is the
 * last failed request's. */
static void record_fields_in_order(void **state)
{
	struct sample_set set = { 0 };
	struct sample *s = sample_set_add(&set);
	char *prompts[2] = { xstrdup("p0"), xstrdup("p1") };
	struct strbuf sb = STRBUF_INIT;
	json_t *rec = json_object();

	(void)state;
	s->id = xstrdup("x/0");
	s->subtask = xstrdup("x");
	sample_set_requests(s, IE_REQ_GENERATE, prompts, 2);
	s->reqs[0].res.text = xstrdup("out");
	s->reqs[1].res.status = IE_EMODEL;
	s->reqs[1].res.error = xstrdup("prompt too long");
	record_ids(s, rec);
	record_output(s, 0, rec);
	record_error(s, rec);
	jsonl_append(&sb, rec);
	assert_string_equal(sb.buf, "{\"id\":\"x/0\",\"subtask\":\"x\",\"output\":\"out\","
				    "\"error\":\"prompt too long\"}\n");
	record_output(s, 1, rec);
	assert_true(json_is_null(json_object_get(rec, "output")));
	strbuf_release(&sb);
	json_decref(rec);
	sample_set_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(groups_come_from_the_table),
		cmocka_unit_test(table_rows_are_complete),
		cmocka_unit_test(boards_read_tasks_of_the_table),
		cmocka_unit_test(missing_data_has_one_message),
		cmocka_unit_test(limit_takes_the_first_n_of_each_subtask),
		cmocka_unit_test(record_fields_in_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
