/* instructeval runs: the runs kept in the store, newest first, one table
 * row each with the scores of its tasks. The table fits 100 columns: a
 * run's scores wrap under their own column rather than widen it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define WIDTH 100
#define MODEL_COLS 28
/* Where the last column starts: id, status, started, model and the gaps. */
#define LAST_COL (5 + 2 + 8 + 2 + 16 + 2 + MODEL_COLS + 2)

static const struct cli_opt runs_opts[] = {
	{ "json", 'j', NULL, "print the list as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group runs_groups[] = {
	{ "Options", runs_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec runs_spec = {
	.name = "runs",
	.usage = "runs [--store FILE] [--json]",
	.about = "Lists the runs kept in the store, newest first: id, status, when it started\n"
		 "(UTC), the model, and each task's score (percent, or a judge's 1-5 mean).\n"
		 "A run that has not finished shows the tasks it was given.\n",
	.groups = runs_groups,
};

/* Prints s in exactly cols columns: cut with "~" or padded. Columns are
 * counted as UTF-8 characters, so a cut never splits one. */
static void print_cell(const char *s, size_t cols)
{
	size_t used = 0, len = strlen(s), i = 0, cut;

	for (size_t j = 0; j < len; j++)
		used += ((unsigned char)s[j] & 0xC0) != 0x80;
	if (used <= cols) {
		fputs(s, stdout);
		printf("%*s", (int)(cols - used), "");
		return;
	}
	for (cut = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && cut++ == cols - 1)
			break;
	}
	fwrite(s, 1, i, stdout);
	putchar('~');
}

/* "2024-05-02T10:11:12Z" as "2024-05-02 10:11". */
static void print_time(const char *iso)
{
	char t[17];

	if (!iso || strlen(iso) < 16) {
		printf("%-16s", iso ? iso : "-");
		return;
	}
	memcpy(t, iso, 16);
	t[10] = ' ';
	t[16] = '\0';
	fputs(t, stdout);
}

static void score_text(const char *task, const json_t *s, struct strbuf *sb)
{
	const json_t *v = json_object_get(s, "score");

	strbuf_reset(sb);
	if (!json_is_number(v))
		strbuf_addf(sb, "%s -", task);
	else if (json_object_get(s, "scale")) /* a judge's mean, not a fraction */
		strbuf_addf(sb, "%s %.2f", task, json_number_value(v));
	else
		strbuf_addf(sb, "%s %.1f%%", task, 100 * json_number_value(v));
}

/* The scores, "task score" each, wrapped at WIDTH under the last column. */
static void print_scores(const json_t *scores)
{
	struct strbuf item = STRBUF_INIT;
	size_t col = LAST_COL;
	const char *task;
	json_t *s;
	int first = 1;

	json_object_foreach((json_t *)scores, task, s) {
		score_text(task, s, &item);
		if (!first && col + 2 + item.len > WIDTH) {
			printf("\n%*s", LAST_COL, "");
			col = LAST_COL;
		} else if (!first) {
			fputs("  ", stdout);
			col += 2;
		}
		fputs(item.buf, stdout);
		col += item.len;
		first = 0;
	}
	strbuf_release(&item);
}

static void print_table(const json_t *runs)
{
	size_t i;
	json_t *r;

	printf("%5s  %-8s  %-16s  %-*s  %s\n", "id", "status", "started (UTC)", MODEL_COLS,
	       "model", "scores");
	json_array_foreach(runs, i, r) {
		const json_t *scores = json_object_get(r, "scores");
		const char *status = json_string_value(json_object_get(r, "status"));
		const char *tasks = json_string_value(json_object_get(r, "tasks"));

		printf("%5lld  %-8s  ", (long long)json_integer_value(json_object_get(r, "id")),
		       status ? status : "?");
		print_time(json_string_value(json_object_get(r, "started")));
		fputs("  ", stdout);
		print_cell(cli_model_label(json_object_get(r, "model")), MODEL_COLS);
		fputs("  ", stdout);
		if (json_object_size(scores))
			print_scores(scores);
		else
			fputs(tasks ? tasks : "", stdout);
		putchar('\n');
	}
}

int cmd_runs(int argc, char **argv)
{
	const char *path = NULL;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *runs = NULL;
	int c, m, as_json = 0, ret;

	optind = 1;
	while ((c = cli_getopt(&runs_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("runs", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'j': as_json = 1; break;
		case 'h': cli_help(&runs_spec, stdout); return 0;
		default: return cli_usage_error("runs", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("runs", "unexpected argument '%s'", argv[optind]);
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if (st && store_runs_list(st, &runs, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	store_close(st);
	if (!runs)
		runs = json_array();
	if (as_json) {
		json_dumpf(runs, stdout, JSON_PRETTY_FLAGS);
		putchar('\n');
	} else if (!json_array_size(runs)) {
		printf("no runs in store '%s'\n", path ? path : store_default_path());
	} else {
		print_table(runs);
	}
	json_decref(runs);
	return 0;
}
