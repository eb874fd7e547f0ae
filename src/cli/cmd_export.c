/* instructeval export: writes a stored run out as the files 'run --out'
 * writes, byte for byte: DIR/samples/<task>.jsonl and DIR/results.json.
 * The results document goes last, so a folder with one is complete. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const struct cli_opt export_opts[] = {
	{ "out", 'o', "DIR", "the folder to write (created when missing)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group export_groups[] = {
	{ "Options", export_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec export_spec = {
	.name = "export",
	.usage = "export RUN --out DIR [--store FILE]",
	.about = "Writes a finished run kept in the store (RUN is its id, or 'latest') as the\n"
		 "files 'instructeval run --out DIR' writes: DIR/samples/<task>.jsonl for each\n"
		 "task and DIR/results.json, the same bytes. Files of the same names in DIR\n"
		 "are replaced.\n",
	.groups = export_groups,
};

/* A task name from the store becomes a file name: it must stay one. */
static int file_name_ok(const char *name)
{
	return *name && name[0] != '.' && !strchr(name, '/');
}

static int write_run(struct store *st, const json_t *run, const char *dir, struct ie_error *err)
{
	int64_t id = (int64_t)json_integer_value(json_object_get(run, "id"));
	char **names = NULL, **texts = NULL, *samples = path_join(dir, "samples"), *path = NULL;
	size_t n = 0;
	int ret;

	if ((ret = store_run_samples_get(st, id, &names, &texts, &n, err)) < 0)
		goto out;
	if ((ret = file_mkdirs(samples, err)) < 0)
		goto out;
	for (size_t i = 0; i < n && !ret; i++) {
		struct strbuf file = STRBUF_INIT;

		if (!file_name_ok(names[i])) {
			ret = ie_error_set(err, IE_EINPUT,
					   "run %lld in store '%s' has a task named '%s', which "
					   "cannot be a file name",
					   (long long)id, store_path(st), names[i]);
			break;
		}
		strbuf_addf(&file, "%s/%s.jsonl", samples, names[i]);
		ret = file_write_atomic(file.buf, texts[i], strlen(texts[i]), err);
		strbuf_release(&file);
	}
	if (ret < 0)
		goto out;
	path = path_join(dir, "results.json");
	ret = report_write_json(path, json_object_get(run, "results"), err);
out:
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(texts[i]);
	}
	free(names);
	free(texts);
	free(samples);
	free(path);
	return ret;
}

int cmd_export(int argc, char **argv)
{
	const char *path = NULL, *out_dir = NULL;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *run = NULL;
	int c, m, ret;

	optind = 1;
	while ((c = cli_getopt(&export_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("export", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'o': out_dir = optarg; break;
		case 'h': cli_help(&export_spec, stdout); return 0;
		default: return cli_usage_error("export", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("export", "give exactly one run (an id or 'latest')");
	if (!out_dir || !*out_dir)
		return cli_usage_error("export", "--out is required");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if ((ret = cli_run_load("export", st, path, argv[optind], &run)) != 0)
		goto out;
	if (!json_is_object(json_object_get(run, "results"))) {
		fprintf(stderr, "instructeval: run %lld did not finish: nothing to export\n",
			(long long)json_integer_value(json_object_get(run, "id")));
		ret = 2;
		goto out;
	}
	if (write_run(st, run, out_dir, &err) < 0)
		ret = cli_fail(&err);
out:
	json_decref(run);
	store_close(st);
	return ret;
}
