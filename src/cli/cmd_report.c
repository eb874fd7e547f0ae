/* instructeval report: one self-contained HTML page over stored runs. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/page.h"
#include "store/store.h"
#include "util/fileio.h"
#include "util/text.h"
#include "util/banned.h"

static const struct cli_opt report_opts[] = {
	{ "out", 'o', "FILE", "the page (written whole or not at all)" },
	{ "title", 't', "TEXT", "the page's title" },
	{ "max-samples", 'm', "N",
	  "records per run and task in the browser, spread over the subtasks (default 200)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group report_groups[] = {
	{ "Options", report_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec report_spec = {
	.name = "report",
	.usage = "report [RUN...] --out FILE.html [options]",
	.about = "Writes one HTML file that needs nothing else to be read (no network, no\n"
		 "scripts or fonts from elsewhere): the boards, charts of the scores by task\n"
		 "and category with 95% intervals, by shot count and against model size\n"
		 "where the runs have them, the runs, and a browser of the samples (filter\n"
		 "by run, task, subtask, correct or wrong, or text; it shows prompts,\n"
		 "outputs, labels, judge reviews and program results). RUN is a run id;\n"
		 "none: every finished run in the store.\n",
	.groups = report_groups,
};

static int by_id_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The runs named, newest first; each must have finished. */
static int named_runs(struct store *st, const char *path, char **args, int n, json_t **out)
{
	json_t **v = calloc((size_t)n + 1, sizeof(json_t *)), *runs = json_array();
	int ret = 0;

	for (int i = 0; i < n && !ret; i++) {
		const char *status;

		if ((ret = cli_run_load("report", st, path, args[i], &v[i])) != 0)
			break;
		status = json_string_value(json_object_get(v[i], "status"));
		if (!status || strcmp(status, "finished")) {
			fprintf(stderr, "instructeval report: run %s has not finished (it is %s)\n",
				args[i], status ? status : "?");
			ret = 2;
		}
	}
	if (!ret)
		qsort(v, (size_t)n, sizeof(json_t *), by_id_desc);
	for (int i = 0; i < n; i++) {
		if (!ret && v[i])
			json_array_append(runs, v[i]);
		json_decref(v[i]);
	}
	free(v);
	*out = runs;
	return ret;
}

int cmd_report(int argc, char **argv)
{
	struct report_options ro = { 0 };
	const char *path = NULL, *out_path = NULL;
	struct strbuf page = STRBUF_INIT;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *runs = NULL;
	int c, m, ret;
	long v;

	optind = 1;
	while ((c = cli_getopt(&report_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("report", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'o': out_path = optarg; break;
		case 't': ro.title = optarg; break;
		case 'm':
			if (cli_int("report", "--max-samples", optarg, 1, 1000000, &v) < 0)
				return 2;
			ro.max_samples = (size_t)v;
			break;
		case 'h': cli_help(&report_spec, stdout); return 0;
		default: return cli_usage_error("report", "unknown option");
		}
	}
	if (!out_path)
		return cli_usage_error("report", "--out FILE.html is required");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if (optind < argc)
		ret = named_runs(st, path, argv + optind, argc - optind, &runs);
	else if (store_runs_finished(st, &runs, &err) < 0)
		ret = cli_fail(&err);
	if (!ret && !json_array_size(runs)) {
		fprintf(stderr, "instructeval report: no finished run in the store\n");
		ret = 2;
	}
	if (!ret && report_page(st, runs, &ro, &page, &err) < 0)
		ret = cli_fail(&err);
	if (!ret && file_write_atomic(out_path, page.buf, page.len, &err) < 0)
		ret = cli_fail(&err);
	store_close(st);
	json_decref(runs);
	strbuf_release(&page);
	return ret;
}
