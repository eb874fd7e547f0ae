/* instructeval: the command table and dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "instructeval/eval.h"
#include "util/banned.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "evaluate a model on benchmarks and write scores and samples" },
	{ "prompts", cmd_prompts, "write a task's prompts as JSON lines, in protocol order" },
	{ "download", cmd_download, "download the benchmark data and check it" },
	{ "verify", cmd_verify, "check the benchmark data folder against known hashes" },
	{ "data-status", cmd_data_status, "each dataset: present, missing, incomplete or modified" },
	{ "exec-samples", cmd_exec_samples, "run HumanEval completions in the sandbox; print pass@k" },
	{ "judge", cmd_judge, "rate the stored IMPACT answers of a run again with a judge" },
	{ "runs", cmd_runs, "list the runs kept in the store, newest first, with scores" },
	{ "show", cmd_show, "print the scores of a stored run" },
	{ "leaderboard", cmd_leaderboard, "the three boards over the store's runs, one row per model" },
	{ "compare", cmd_compare, "two stored runs item by item, with intervals and paired tests" },
	{ "rate", cmd_rate, "rate a run's IMPACT answers yourself, to check the judge" },
	{ "analyze", cmd_analyze, "grouped means by tag or model, and the effect of shots" },
	{ "report", cmd_report, "one self-contained HTML page: boards, charts, samples" },
	{ "tag", cmd_tag, "set or print the tags of a stored run" },
	{ "export", cmd_export, "write a stored run's samples and results.json to a folder" },
	{ "mkmodel", cmd_mkmodel, "write a random-weight GGUF model for tests and benchmarks" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: instructeval <command> [options]\n\n"
		   "InstructEval benchmarks (Chia et al., 2023) for local GGUF models.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'instructeval <command> --help' describes a command.\n"
		   "'instructeval --version' prints the version.\n%s",
		cli_exit_help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("instructeval %s (llama.cpp %s)\n", ie_version(), IE_LLAMA_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "instructeval: unknown command '%s' (see 'instructeval --help')\n",
		argv[1]);
	return 2;
}
