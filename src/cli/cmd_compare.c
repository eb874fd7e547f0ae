/* instructeval compare: two stored runs, item by item. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/compare.h"
#include "store/store.h"
#include "util/jsonl.h"
#include "util/banned.h"

static const struct cli_opt compare_opts[] = {
	{ "tasks-only", 't', NULL, "one row per task, no subtask rows" },
	{ "resamples", 'r', "N", "bootstrap resamples (default 10000)" },
	{ "seed", 's', "N", "the bootstrap's seed (default 0)" },
	{ "json", 'j', NULL, "print the comparison as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group compare_groups[] = {
	{ "Options", compare_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec compare_spec = {
	.name = "compare",
	.usage = "compare RUN_A RUN_B [options]",
	.about = "Compares two stored runs (ids, as 'instructeval runs' lists them, or\n"
		 "'latest') on the items both ran: per task and subtask, A's and B's score,\n"
		 "their difference A-B with a 95% interval, a p-value, and whether the\n"
		 "difference is significant. Accuracies over items (MMLU, CRASS, DROP,\n"
		 "greedy HumanEval, each subtask) use McNemar's exact test; macro averages\n"
		 "(BBH, HHH), pass@1 over several samples and judge scores (IMPACT) a\n"
		 "seeded paired bootstrap that resamples items as the score averages them.\n",
	.groups = compare_groups,
};

static void side_release(struct compare_side *s)
{
	compare_side_release(s);
	json_decref((json_t *)s->run);
}

static int load_side(struct store *st, const char *path, const char *arg,
		     struct compare_side *s)
{
	struct ie_error err = { 0 };
	json_t *run = NULL;
	int ret;

	memset(s, 0, sizeof(*s));
	if ((ret = cli_run_load("compare", st, path, arg, &run)) != 0)
		return ret;
	s->run = run;
	if (store_run_samples_get(st, json_integer_value(json_object_get(run, "id")), &s->names,
				  &s->texts, &s->n, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_options o = { .subtasks = 1 };
	struct compare_side a = { 0 }, b = { 0 };
	const char *path = NULL;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *cmp = NULL;
	int c, m, as_json = 0, ret;
	long v;

	optind = 1;
	while ((c = cli_getopt(&compare_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("compare", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 't': o.subtasks = 0; break;
		case 'j': as_json = 1; break;
		case 'r':
			if (cli_int("compare", "--resamples", optarg, 100, 10000000, &v) < 0)
				return 2;
			o.resamples = (size_t)v;
			break;
		case 's':
			if (cli_u64("compare", "--seed", optarg, &o.seed) < 0)
				return 2;
			break;
		case 'h': cli_help(&compare_spec, stdout); return 0;
		default: return cli_usage_error("compare", "unknown option");
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("compare", "give two runs (ids or 'latest')");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if ((ret = load_side(st, path, argv[optind], &a)) == 0 &&
	    (ret = load_side(st, path, argv[optind + 1], &b)) == 0 &&
	    compare_runs(&a, &b, &o, &cmp, &err) < 0)
		ret = cli_fail(&err);
	store_close(st);
	if (!ret && !json_array_size(json_object_get(cmp, "rows"))) {
		fprintf(stderr, "instructeval compare: the runs have no task with stored "
				"samples in common\n");
		ret = 1;
	} else if (!ret && as_json) {
		json_dumpf(cmp, stdout, JSON_PRETTY_FLAGS);
		putchar('\n');
	} else if (!ret) {
		compare_print(stdout, cmp);
	}
	json_decref(cmp);
	side_release(&a);
	side_release(&b);
	return ret;
}
