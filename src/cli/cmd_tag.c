/* instructeval tag: change or print the tags of a stored run. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/banned.h"

static const struct cli_opt_group tag_groups[] = {
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec tag_spec = {
	.name = "tag",
	.usage = "tag RUN [KEY=VALUE...] [--store FILE]",
	.about = "Sets tags of a stored run (RUN is its id, as 'instructeval runs' lists\n"
		 "them, or 'latest'): each KEY=VALUE sets a tag, KEY= removes one. With no\n"
		 "tags given, prints the run's tags. Tags group runs in 'leaderboard' and\n"
		 "'analyze --by tag:KEY', e.g. foundation=llama data=alpaca method=lora\n"
		 "size=7B.\n",
	.groups = tag_groups,
};

static void print_tags(const json_t *tags)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)tags, k, v)
		printf("%s=%s\n", k, json_string_value(v) ? json_string_value(v) : "");
}

/* The run's tags with each KEY=VALUE of args applied; an empty value
 * removes its key. */
static int apply(const json_t *old, char **args, int n, json_t **out)
{
	json_t *tags = json_is_object(old) ? json_deep_copy(old) : json_object();
	json_t *set = json_object();
	const char *k;
	json_t *v;

	for (int i = 0; i < n; i++)
		if (cli_tag_parse("tag", args[i], set, 1) < 0) {
			json_decref(set);
			json_decref(tags);
			return -1;
		}
	json_object_foreach(set, k, v) {
		if (*json_string_value(v))
			json_object_set(tags, k, v);
		else
			json_object_del(tags, k);
	}
	json_decref(set);
	*out = tags;
	return 0;
}

int cmd_tag(int argc, char **argv)
{
	const char *path = NULL;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *run = NULL, *tags = NULL;
	int c, m, ret;

	optind = 1;
	while ((c = cli_getopt(&tag_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("tag", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		if (c == 'h') {
			cli_help(&tag_spec, stdout);
			return 0;
		}
		return cli_usage_error("tag", "unknown option");
	}
	if (optind == argc)
		return cli_usage_error("tag", "which run? (a run id or 'latest')");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if ((ret = cli_run_load("tag", st, path, argv[optind], &run)) != 0)
		goto out;
	if (optind + 1 == argc) {
		print_tags(json_object_get(run, "tags"));
		goto out;
	}
	if (apply(json_object_get(run, "tags"), argv + optind + 1, argc - optind - 1, &tags) < 0)
		ret = 2;
	else if (store_run_tags_set(st, json_integer_value(json_object_get(run, "id")), tags,
				    &err) < 0)
		ret = cli_fail(&err);
	else
		print_tags(tags);
out:
	json_decref(tags);
	json_decref(run);
	store_close(st);
	return ret;
}
