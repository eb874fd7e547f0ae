/*
 * The leaderboard rows as the reference publishes them, one board per
 * group of the task table, each column naming the task it reads: problem
 * solving (MMLU, BBH, DROP, CRASS, HumanEval pass@1) and alignment (HHH's
 * four subsets) in percent with one decimal, each with its average;
 * writing (IMPACT's four categories for relevance and coherence, reference
 * parser) on the 1-5 scale with two decimals, with the averages of
 * relevance and of coherence. A board is printed when any of its columns
 * ran; columns that did not run show "-" and averages are then marked as
 * partial.
 */
#include <string.h>

#include "report/report.h"
#include "tasks/task.h"
#include "util/banned.h"

/* A column is the number at a path of keys under a task's scores. */
struct column {
	const char *title;
	const char *task;    /* by its name in the task table */
	const char *path[6];
};

/* A board shows one group of the task table. */
struct board {
	const char *title;
	const char *group;
	int percent;            /* a fraction shown in percent, else a 1-5 score */
	const char *avg_titles[2];
	int avg_of[2][8];       /* column indices (+1) averaged into each average */
	struct column columns[9];
};

#define REL(cat) "reference", "relevance", "categories", cat, "mean"
#define COH(cat) "reference", "coherence", "categories", cat, "mean"

static const struct board boards[] = {
	{ "Problem solving", "problem-solving", 1, { "Average" }, { { 1, 2, 3, 4, 5 } },
	  { { "MMLU", "mmlu", { "score" } },
	    { "BBH", "bbh", { "score" } },
	    { "DROP", "drop", { "score" } },
	    { "CRASS", "crass", { "score" } },
	    { "HumanEval", "humaneval", { "score" } } } },
	{ "Alignment", "alignment", 1, { "Average" }, { { 1, 2, 3, 4 } },
	  { { "Harmless", "hhh", { "subtasks", "harmless", "score" } },
	    { "Helpful", "hhh", { "subtasks", "helpful", "score" } },
	    { "Honest", "hhh", { "subtasks", "honest", "score" } },
	    { "Other", "hhh", { "subtasks", "other", "score" } } } },
	{ "Writing (relevance | coherence)", "writing", 0, { "Rel.", "Coh." },
	  { { 1, 3, 5, 7 }, { 2, 4, 6, 8 } },
	  { { "Inf.Rel", "impact", { REL("Informative") } },
	    { "Inf.Coh", "impact", { COH("Informative") } },
	    { "Pro.Rel", "impact", { REL("Professional") } },
	    { "Pro.Coh", "impact", { COH("Professional") } },
	    { "Arg.Rel", "impact", { REL("Argumentative") } },
	    { "Arg.Coh", "impact", { COH("Argumentative") } },
	    { "Cre.Rel", "impact", { REL("Creative") } },
	    { "Cre.Coh", "impact", { COH("Creative") } } } },
};

#define N_BOARDS (sizeof(boards) / sizeof(boards[0]))

int report_boards_check(struct ie_error *err)
{
	for (size_t i = 0; i < N_BOARDS; i++) {
		const struct board *b = &boards[i];

		for (const struct column *c = b->columns; c->title; c++) {
			const struct task_ops *ops = task_find(c->task);

			if (!ops)
				return ie_error_set(err, IE_EEVAL, "board '%s', column '%s': no "
						    "task '%s' in the task table", b->title,
						    c->title, c->task);
			if (!task_in_group(ops, b->group))
				return ie_error_set(err, IE_EEVAL, "board '%s', column '%s': task "
						    "'%s' is not in group '%s'", b->title,
						    c->title, c->task, b->group);
		}
	}
	return 0;
}

size_t report_boards_n(void)
{
	return N_BOARDS;
}

const char *report_board_title(size_t b)
{
	return boards[b].title;
}

const char *report_board_group(size_t b)
{
	return boards[b].group;
}

int report_board_decimals(size_t b)
{
	return boards[b].percent ? 1 : 2;
}

static size_t n_columns(const struct board *b)
{
	size_t n = 0;

	while (n < 9 && b->columns[n].title)
		n++;
	return n;
}

static size_t n_averages(const struct board *b)
{
	return b->avg_titles[1] ? 2 : 1;
}

size_t report_board_columns(size_t b)
{
	return n_columns(&boards[b]);
}

size_t report_board_width(size_t b)
{
	return n_columns(&boards[b]) + n_averages(&boards[b]);
}

const char *report_board_heading(size_t b, size_t c)
{
	size_t n = n_columns(&boards[b]);

	return c < n ? boards[b].columns[c].title : boards[b].avg_titles[c - n];
}

const char *report_board_task(size_t b, size_t c)
{
	return c < n_columns(&boards[b]) ? boards[b].columns[c].task : NULL;
}

/* The number of a column, or NULL when it did not run. */
static const json_t *column_value(const struct column *c, const json_t *scores)
{
	const json_t *v = json_object_get(scores, c->task);

	for (int i = 0; i < 6 && c->path[i] && v; i++)
		v = json_object_get(v, c->path[i]);
	return json_is_number(v) ? v : NULL;
}

/* An average of the columns that ran; *partial when some did not. */
static int average_cell(const struct board *b, const int *of, const json_t *scores, double *v,
			int *partial)
{
	double sum = 0;
	int n = 0, total = 0;

	for (int i = 0; i < 8 && of[i]; i++, total++) {
		const json_t *x = column_value(&b->columns[of[i] - 1], scores);

		if (x) {
			sum += json_number_value(x);
			n++;
		}
	}
	*partial = n < total;
	*v = n ? sum / n : 0;
	return n > 0;
}

int report_board_cell(size_t bi, size_t c, const json_t *scores, double *v, int *partial)
{
	const struct board *b = &boards[bi];
	size_t n = n_columns(b);
	const json_t *x;
	int got;

	*partial = 0;
	if (c < n) {
		x = column_value(&b->columns[c], scores);
		got = x != NULL;
		*v = x ? json_number_value(x) : 0;
	} else {
		got = average_cell(b, b->avg_of[c - n], scores, v, partial);
	}
	if (b->percent)
		*v *= 100;
	return got;
}

static void print_board(FILE *f, size_t b, const json_t *scores)
{
	size_t w = report_board_width(b);

	fprintf(f, "\n%s\n", boards[b].title);
	for (size_t c = 0; c < w; c++)
		fprintf(f, "%10s", report_board_heading(b, c));
	fputc('\n', f);
	for (size_t c = 0; c < w; c++) {
		int partial;
		double v;

		if (report_board_cell(b, c, scores, &v, &partial))
			fprintf(f, "%10.*f%s", report_board_decimals(b), v,
				partial ? " (partial)" : "");
		else
			fprintf(f, "%10s", "-");
	}
	fputc('\n', f);
}

size_t report_modified_files(const json_t *results)
{
	const char *path;
	const json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)json_object_get(results, "data_files"), path, v) {
		const char *check = json_string_value(json_object_get(v, "check"));

		n += check && !strcmp(check, "modified");
	}
	return n;
}

void report_print_boards(FILE *f, const json_t *results)
{
	const json_t *scores = json_object_get(results, "scores");
	size_t modified = report_modified_files(results);
	int shown = 0;

	for (size_t i = 0; i < N_BOARDS; i++) {
		int any = 0;

		for (const struct column *c = boards[i].columns; c->title; c++)
			any |= column_value(c, scores) != NULL;
		if (any)
			print_board(f, i, scores);
		shown |= any;
	}
	/* Numbers from altered data are not the benchmark's: said under them. */
	if (shown && modified)
		fprintf(f, "\nmodified data: %zu file%s differ%s from the published ones "
			   "(data_files in the results)\n", modified, modified == 1 ? "" : "s",
			modified == 1 ? "s" : "");
}
