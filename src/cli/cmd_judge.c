/* instructeval judge: rate stored IMPACT answers again with a judge. */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "instructeval/eval.h"
#include "report/report.h"
#include "store/store.h"
#include "util/banned.h"

static const struct cli_opt judge_opts[] = {
	{ "judge", 'J', "FILE", "the judge model (its model options as for 'run')" },
	{ "quiet", 'q', NULL, "no progress display" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group judge_groups[] = {
	{ "Options", judge_opts },
	{ "Model options (for the judge; --model is not taken)", cli_model_opts },
	{ "Served judges (--judge http(s)://host:port[/v1][,URL...])", cli_served_opts },
	{ "Store", cli_store_opts },
	{ NULL, NULL },
};

static const struct cli_spec judge_spec = {
	.name = "judge",
	.usage = "judge RUN_DIR --judge FILE.gguf [options]",
	.about = "Rates the IMPACT answers stored in RUN_DIR (the --out folder of a run that\n"
		 "included impact) with the judge, without generating them again, and rewrites\n"
		 "RUN_DIR/samples/impact.jsonl and the IMPACT scores of RUN_DIR/results.json.\n",
	.groups = judge_groups,
};

/* Whether run_dir holds a run's IMPACT answers. */
static int have_answers(const char *run_dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/samples/impact.jsonl", run_dir);
	return access(path, F_OK) == 0;
}

int cmd_judge(int argc, char **argv)
{
	struct ie_backend_config jc;
	struct ie_backend *judge = NULL;
	struct store *st = NULL;
	const char *store_path = NULL;
	int no_store = 0;
	struct ie_error err = { 0 };
	json_t *results = NULL;
	int c, quiet = 0, ret;

	ie_backend_config_init(&jc);
	optind = 1;
	while ((c = cli_getopt(&judge_spec, argc, argv)) != -1) {
		/* --model stays in the table: without it getopt_long would take
		 * it as an abbreviation of --model-name. */
		int m = c == OPT_MODEL ? 0 : cli_model_option("judge", c, optarg, &jc);

		if (!m)
			m = cli_store_option("judge", c, optarg, &store_path, &no_store);
		if (m < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'J': jc.model = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': cli_help(&judge_spec, stdout); return 0;
		default: return cli_usage_error("judge", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("judge", "give exactly one run folder");
	if (!jc.model)
		return cli_usage_error("judge", "--judge is required");
	if (!no_store && (ret = cli_store_open(store_path, &st)) != 0)
		return ret;
	if ((ret = ie_backend_open(&jc, &judge, &err)) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	ret = ie_rejudge(argv[optind], judge, st, quiet, &results, &err);
	ie_backend_free(judge);
	store_close(st);
	if (ret < 0) {
		int status = cli_fail(&err);

		if (!have_answers(argv[optind]))
			fprintf(stderr, "(run 'instructeval run --tasks impact --out %s' first)\n",
				argv[optind]);
		return status;
	}
	report_print_scores(stdout, results);
	report_print_boards(stdout, results);
	json_decref(results);
	return 0;
}
