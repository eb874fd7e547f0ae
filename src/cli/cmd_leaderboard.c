/* instructeval leaderboard: the reference's three boards over the store. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/leaderboard.h"
#include "store/store.h"
#include "util/fileio.h"
#include "util/banned.h"

static const struct cli_opt leaderboard_opts[] = {
	{ "format", 'f', "F",
	  "md (default), csv, json or html (one self-contained page whose headings sort the "
	  "table)" },
	{ "sort", 's', "COLUMN",
	  "order rows by a column (a heading such as MMLU, Average or Model); default: each "
	  "board's average" },
	{ "all-settings", 'a', NULL,
	  "also rows of runs at other settings (--limit, --shots, --greedy, ...), labelled "
	  "with them" },
	{ "out", 'o', "FILE", "write to FILE (whole or not at all), not stdout" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group leaderboard_groups[] = {
	{ "Options", leaderboard_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec leaderboard_spec = {
	.name = "leaderboard",
	.usage = "leaderboard [--format md|csv|json|html] [options]",
	.about = "Prints the InstructEval boards (problem solving, alignment, writing) over\n"
		 "the runs in the store, in the reference's columns and rounding: one row\n"
		 "per model, each number from the model's newest finished run of that task\n"
		 "at the reference settings (all items, the reference's shot counts and\n"
		 "decoding, the published data). '-' marks a task not run; an average of\n"
		 "only some of its columns is marked '*' (CSV: '-'). A row is named by the\n"
		 "run's 'model' tag, else the model's name.\n",
	.groups = leaderboard_groups,
};

static int parse_format(const char *s, enum leaderboard_format *out)
{
	static const char *const names[] = { "md", "csv", "json", "html" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum leaderboard_format)i;
			return 0;
		}
	cli_usage_error("leaderboard", "--format takes md, csv, json or html, not '%s'", s);
	return -1;
}

static int emit(const char *out_path, const struct strbuf *text)
{
	struct ie_error err = { 0 };

	if (!out_path) {
		fwrite(strbuf_str(text), 1, text->len, stdout);
		return 0;
	}
	if (file_write_atomic(out_path, strbuf_str(text), text->len, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_leaderboard(int argc, char **argv)
{
	enum leaderboard_format fmt = LEADERBOARD_MD;
	const char *path = NULL, *sort = NULL, *out_path = NULL;
	struct strbuf text = STRBUF_INIT;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *runs = NULL, *lb = NULL;
	int c, m, all = 0, ret;

	optind = 1;
	while ((c = cli_getopt(&leaderboard_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("leaderboard", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'f':
			if (parse_format(optarg, &fmt) < 0)
				return 2;
			break;
		case 's': sort = optarg; break;
		case 'a': all = 1; break;
		case 'o': out_path = optarg; break;
		case 'h': cli_help(&leaderboard_spec, stdout); return 0;
		default: return cli_usage_error("leaderboard", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("leaderboard", "unexpected argument '%s'", argv[optind]);
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	ret = store_runs_finished(st, &runs, &err);
	store_close(st);
	if (ret < 0) {
		json_decref(runs);
		return cli_fail(&err);
	}
	lb = leaderboard_build(runs, all);
	json_decref(runs);
	if (leaderboard_sort(lb, sort, &err) < 0) {
		json_decref(lb);
		return cli_fail(&err);
	}
	if (leaderboard_empty(lb))
		fprintf(stderr, "instructeval leaderboard: no finished run%s in the store%s\n",
			all ? "" : " at the reference settings",
			all ? "" : " ('--all-settings' shows runs at others, e.g. with --limit)");
	leaderboard_render(lb, fmt, &text);
	json_decref(lb);
	ret = emit(out_path, &text);
	strbuf_release(&text);
	return ret;
}
