/* instructeval analyze: the paper's questions asked of the store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/agreement.h"
#include "report/analyze.h"
#include "report/leaderboard.h"
#include "store/store.h"
#include "util/jsonl.h"
#include "util/banned.h"

static const struct cli_opt analyze_modes[] = {
	{ "by", 'b', "tag:KEY|model|shots",
	  "tag:KEY: mean score per task (and the problem-solving average) of the models "
	  "grouped by their tag KEY, e.g. tag:foundation, tag:data, tag:method, tag:size "
	  "('instructeval tag' sets them), with a 95% interval from the items' sampling error "
	  "and the spread across the group's models;\n"
	  "model: the same, one group per model;\n"
	  "shots: for each model and few-shot task run at several shot counts (run --shots "
	  "0,3), each count against the lowest, paired item by item as 'compare' does" },
	{ "agreement", 'g', "RUN",
	  "the judge's IMPACT ratings of run RUN against people's ('instructeval rate'), and "
	  "people's against each other's: exact, within one, Spearman and quadratic-weighted "
	  "kappa per category, for relevance and coherence" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt analyze_opts[] = {
	{ "all-settings", 'a', NULL,
	  "tag and model groups also take runs at other settings (--limit, ...), as "
	  "leaderboard does" },
	{ "resamples", 'r', "N", "the paired bootstrap's resamples (see 'compare')" },
	{ "seed", 's', "N", "the paired bootstrap's seed (see 'compare')" },
	{ "json", 'j', NULL, "print the analysis as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group analyze_opt_groups[] = {
	{ "Analyses", analyze_modes },
	{ "Options", analyze_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec analyze_spec = {
	.name = "analyze",
	.usage = "analyze --by tag:KEY|model|shots [options]\n"
		 "       instructeval analyze --agreement RUN [--json] [--store FILE]",
	.about = "Answers the InstructEval paper's questions for the runs in the store.\n",
	.groups = analyze_opt_groups,
};

static int analyze(struct store *st, const json_t *runs, const char *by, int all,
		   const struct compare_options *o, json_t **out, struct ie_error *err)
{
	json_t *entries;

	if (!strcmp(by, "shots"))
		return analyze_shots(st, runs, o, out, err);
	entries = leaderboard_entries(runs, all);
	*out = analyze_groups(entries, strcmp(by, "model") ? by + 4 : NULL);
	json_decref(entries);
	return 0;
}

/* --agreement: one run's IMPACT answers as the judge and people rated
 * them. Returns the exit status. */
static int agreement(const char *path, const char *arg, int as_json)
{
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *run = NULL, *ratings = NULL, *a = NULL;
	char *jsonl = NULL;
	int64_t id;
	int ret;

	if ((ret = cli_store_open_existing(path, &st)) != 0 ||
	    (ret = cli_run_load("analyze", st, path, arg, &run)) != 0)
		goto out;
	id = json_integer_value(json_object_get(run, "id"));
	if (agreement_impact_samples(st, id, &jsonl, &err) < 0 ||
	    store_ratings_get(st, id, &ratings, &err) < 0 ||
	    agreement_json(jsonl, ratings, &a, &err) < 0) {
		ret = cli_fail(&err);
		goto out;
	}
	if (!json_array_size(ratings)) {
		fprintf(stderr, "instructeval analyze: no one has rated the answers of run %lld "
				"yet (see 'instructeval rate')\n", (long long)id);
		ret = 2;
	} else if (as_json) {
		json_dumpf(a, stdout, JSON_PRETTY_FLAGS);
		putchar('\n');
	} else {
		agreement_print(stdout, a);
	}
out:
	json_decref(a);
	json_decref(ratings);
	json_decref(run);
	free(jsonl);
	store_close(st);
	return ret;
}

int cmd_analyze(int argc, char **argv)
{
	struct compare_options o = { 0 };
	const char *path = NULL, *by = NULL, *agree = NULL;
	struct ie_error err = { 0 };
	struct store *st = NULL;
	json_t *runs = NULL, *a = NULL;
	int c, m, all = 0, as_json = 0, ret;
	long v;

	optind = 1;
	while ((c = cli_getopt(&analyze_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("analyze", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'b': by = optarg; break;
		case 'g': agree = optarg; break;
		case 'a': all = 1; break;
		case 'j': as_json = 1; break;
		case 'r':
			if (cli_int("analyze", "--resamples", optarg, 100, 10000000, &v) < 0)
				return 2;
			o.resamples = (size_t)v;
			break;
		case 's':
			if (cli_u64("analyze", "--seed", optarg, &o.seed) < 0)
				return 2;
			break;
		case 'h': cli_help(&analyze_spec, stdout); return 0;
		default: return cli_usage_error("analyze", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("analyze", "unexpected argument '%s'", argv[optind]);
	if (agree && by)
		return cli_usage_error("analyze", "--agreement and --by exclude each other");
	if (agree)
		return agreement(path, agree, as_json);
	if (!by || (strcmp(by, "model") && strcmp(by, "shots") &&
		    (strncmp(by, "tag:", 4) || !by[4])))
		return cli_usage_error("analyze", "--by takes tag:KEY, model or shots");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if ((ret = store_runs_finished(st, &runs, &err)) == 0)
		ret = analyze(st, runs, by, all, &o, &a, &err);
	store_close(st);
	json_decref(runs);
	if (ret < 0)
		return cli_fail(&err);
	if (as_json) {
		json_dumpf(a, stdout, JSON_PRETTY_FLAGS);
		putchar('\n');
	} else if (!strcmp(by, "shots")) {
		analyze_shots_print(stdout, a);
	} else {
		analyze_groups_print(stdout, a);
	}
	json_decref(a);
	return 0;
}
