/*
 * The leaderboard rows as the reference publishes them: problem solving
 * (MMLU, BBH, DROP, CRASS, HumanEval pass@1, average) in percent with one
 * decimal. A board is printed when any of its tasks ran; columns of tasks
 * that did not run show "-" and the average is then over those that did,
 * marked as partial.
 */
#include <string.h>

#include "report/report.h"
#include "util/banned.h"

struct board {
	const char *title;
	const char *tasks[6];   /* task names in results.json */
	const char *columns[6]; /* column titles */
};

static const struct board boards[] = {
	{ "Problem solving",
	  { "mmlu", "bbh", "drop", "crass", "humaneval" },
	  { "MMLU", "BBH", "DROP", "CRASS", "HumanEval" } },
};

static void print_board(FILE *f, const struct board *b, const json_t *scores)
{
	double sum = 0;
	int n = 0, total = 0;

	fprintf(f, "\n%s\n", b->title);
	for (int i = 0; b->tasks[i]; i++, total++)
		fprintf(f, "%10s", b->columns[i]);
	fprintf(f, "%10s\n", "Average");
	for (int i = 0; b->tasks[i]; i++) {
		const json_t *s = json_object_get(scores, b->tasks[i]);

		if (!s) {
			fprintf(f, "%10s", "-");
			continue;
		}
		sum += 100 * json_number_value(json_object_get(s, "score"));
		n++;
		fprintf(f, "%10.1f", 100 * json_number_value(json_object_get(s, "score")));
	}
	fprintf(f, "%10.1f%s\n", n ? sum / n : 0.0, n < total ? " (partial)" : "");
}

void report_print_boards(FILE *f, const json_t *results)
{
	const json_t *scores = json_object_get(results, "scores");

	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
		int any = 0;

		for (int t = 0; boards[i].tasks[t]; t++)
			any |= json_object_get(scores, boards[i].tasks[t]) != NULL;
		if (any)
			print_board(f, &boards[i], scores);
	}
}
