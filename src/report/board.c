/*
 * The leaderboard rows as the reference publishes them: problem solving
 * (MMLU, BBH, DROP, CRASS, HumanEval pass@1) and alignment (HHH's four
 * subsets) in percent with one decimal, each with its average. A board is
 * printed when any of its columns ran; columns that did not run show "-"
 * and the average is then over those that did, marked as partial.
 */
#include <string.h>

#include "report/report.h"
#include "util/banned.h"

struct column {
	const char *title;
	const char *task;
	const char *subtask; /* NULL: the task's own score */
};

struct board {
	const char *title;
	struct column columns[8];
};

static const struct board boards[] = {
	{ "Problem solving",
	  { { "MMLU", "mmlu", NULL },
	    { "BBH", "bbh", NULL },
	    { "DROP", "drop", NULL },
	    { "CRASS", "crass", NULL },
	    { "HumanEval", "humaneval", NULL } } },
	{ "Alignment",
	  { { "Harmless", "hhh", "harmless" },
	    { "Helpful", "hhh", "helpful" },
	    { "Honest", "hhh", "honest" },
	    { "Other", "hhh", "other" } } },
};

#define N_BOARDS (sizeof(boards) / sizeof(boards[0]))

/* The scores object of a column, or NULL when it did not run. */
static const json_t *column_scores(const struct column *c, const json_t *scores)
{
	const json_t *s = json_object_get(scores, c->task);

	if (s && c->subtask)
		s = json_object_get(json_object_get(s, "subtasks"), c->subtask);
	return s;
}

static void print_board(FILE *f, const struct board *b, const json_t *scores)
{
	double sum = 0;
	int n = 0, total = 0;

	fprintf(f, "\n%s\n", b->title);
	for (const struct column *c = b->columns; c->title; c++)
		fprintf(f, "%10s", c->title);
	fprintf(f, "%10s\n", "Average");
	for (const struct column *c = b->columns; c->title; c++, total++) {
		const json_t *s = column_scores(c, scores);
		double v;

		if (!s) {
			fprintf(f, "%10s", "-");
			continue;
		}
		v = 100 * json_number_value(json_object_get(s, "score"));
		sum += v;
		n++;
		fprintf(f, "%10.1f", v);
	}
	fprintf(f, "%10.1f%s\n", n ? sum / n : 0.0, n < total ? " (partial)" : "");
}

void report_print_boards(FILE *f, const json_t *results)
{
	const json_t *scores = json_object_get(results, "scores");

	for (size_t i = 0; i < N_BOARDS; i++) {
		int any = 0;

		for (const struct column *c = boards[i].columns; c->title; c++)
			any |= column_scores(c, scores) != NULL;
		if (any)
			print_board(f, &boards[i], scores);
	}
}
