/* instructeval show: one stored run's scores, as 'run' printed them when it
 * finished; for a run that did not finish, what it had stored so far. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"
#include "util/jsonl.h"
#include "util/banned.h"

static const struct cli_opt show_opts[] = {
	{ "json", 'j', NULL,
	  "print the run's results document (as 'run --json' did); for a run that did not "
	  "finish, the stored run instead" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group show_groups[] = {
	{ "Options", show_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec show_spec = {
	.name = "show",
	.usage = "show RUN [--store FILE] [--json]",
	.about = "Prints the scores of a stored run (RUN is its id, as 'instructeval runs'\n"
		 "lists them, or 'latest') as 'instructeval run' printed them. For a run that\n"
		 "did not finish, prints the tasks whose samples it stored.\n",
	.groups = show_groups,
};

/* "2024-05-02T10:11:12Z" as "2024-05-02 10:11:12". */
static const char *readable_time(const char *iso, char buf[32])
{
	if (!iso)
		return "-";
	snprintf(buf, 32, "%s", iso);
	if (strlen(buf) == 20 && buf[10] == 'T' && buf[19] == 'Z') {
		buf[10] = ' ';
		buf[19] = '\0';
	}
	return buf;
}

/* The tasks a run stored samples of, with their record counts. */
static int print_stored_tasks(struct store *st, int64_t id)
{
	struct ie_error err = { 0 };
	char **names, **texts;
	size_t n;

	if (store_run_samples_get(st, id, &names, &texts, &n, &err) < 0)
		return cli_fail(&err);
	if (!n)
		printf("no task finished\n");
	for (size_t i = 0; i < n; i++) {
		size_t records = 0;

		for (const char *p = texts[i]; *p; p++)
			records += *p == '\n';
		printf("%-40s %zu records stored\n", names[i], records);
		free(names[i]);
		free(texts[i]);
	}
	free(names);
	free(texts);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	const char *path = NULL, *status;
	struct store *st = NULL;
	json_t *run = NULL, *results;
	char t0[32], t1[32];
	int c, m, as_json = 0, ret;
	int64_t id;

	optind = 1;
	while ((c = cli_getopt(&show_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("show", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'j': as_json = 1; break;
		case 'h': cli_help(&show_spec, stdout); return 0;
		default: return cli_usage_error("show", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("show", "give exactly one run (an id or 'latest')");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if ((ret = cli_run_load("show", st, path, argv[optind], &run)) != 0)
		goto out;
	id = (int64_t)json_integer_value(json_object_get(run, "id"));
	status = json_string_value(json_object_get(run, "status"));
	results = json_object_get(run, "results");
	if (as_json) {
		json_dumpf(json_is_object(results) ? results : run, stdout, JSON_PRETTY_FLAGS);
		putchar('\n');
		goto out;
	}
	printf("run %lld: %s, %s, %s", (long long)id, status ? status : "?",
	       cli_model_label(json_object_get(run, "model")),
	       readable_time(json_string_value(json_object_get(run, "started")), t0));
	if (json_is_string(json_object_get(run, "finished")))
		printf(" to %s", readable_time(json_string_value(json_object_get(run, "finished")),
					      t1));
	printf(" UTC\n\n");
	if (json_is_object(results)) {
		report_print_scores(stdout, results);
		report_print_boards(stdout, results);
		goto out;
	}
	if ((ret = print_stored_tasks(st, id)) != 0)
		goto out;
	if (status && !strcmp(status, "failed"))
		printf("\nrun %lld failed before it finished: it has no scores\n", (long long)id);
	else
		printf("\nrun %lld has not finished (it is still running, or was stopped): it has "
		       "no scores yet\n",
		       (long long)id);
out:
	json_decref(run);
	store_close(st);
	return ret;
}
