/* instructeval prompts: a task's prompts as JSON lines. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "instructeval/eval.h"
#include "util/banned.h"

static const struct cli_opt prompts_opts[] = {
	{ "task", 't', "NAME", "one of the tasks below" },
	{ "data", 'd', "DIR",
	  "benchmark data (default: $INSTRUCTEVAL_DATA, else ~/.local/share/instructeval)" },
	{ "limit", 'l', "N", "only the first N test items of each subtask" },
	{ "shots", 'S', "N",
	  "few-shot tasks: the first N of the reference's exemplars (0 up to the task's "
	  "count) instead of all of them" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group prompts_groups[] = {
	{ "Options", prompts_opts },
	{ "Model options", cli_model_opts },
	{ "Served models (--model http(s)://host:port[/v1][,URL...])", cli_served_opts },
	{ NULL, NULL },
};

static const struct cli_spec prompts_spec = {
	.name = "prompts",
	.usage = "prompts --task NAME [--data DIR] [--limit N] [--model M]",
	.about = "Writes one JSON object per line on stdout, with task, subtask, id, prompt,\n"
		 "label and shots, in protocol order. Without --model every prompt keeps all\n"
		 "its shots; with it, shots are dropped as the protocol's context fitting does\n"
		 "with that model's tokenizer.\n",
	.groups = prompts_groups,
	.middle = cli_print_tasks_only,
};

int cmd_prompts(int argc, char **argv)
{
	struct ie_backend_config bc;
	struct ie_backend *b = NULL;
	struct ie_error err = { 0 };
	const char *task = NULL, *data = NULL;
	size_t limit = 0;
	int shots = -1;
	int c, ret;
	long v;

	ie_backend_config_init(&bc);
	optind = 1;
	while ((c = cli_getopt(&prompts_spec, argc, argv)) != -1) {
		int m = cli_model_option("prompts", c, optarg, &bc);

		if (m < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 't': task = optarg; break;
		case 'd': data = optarg; break;
		case 'h': cli_help(&prompts_spec, stdout); return 0;
		case 'S':
			if (cli_int("prompts", "--shots", optarg, 0, 100, &v) < 0)
				return 2;
			shots = (int)v;
			break;
		case 'l':
			if (cli_int("prompts", "--limit", optarg, 1, 1L << 40, &v) < 0)
				return 2;
			limit = (size_t)v;
			break;
		default:
			return cli_usage_error("prompts", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("prompts", "unexpected argument '%s'", argv[optind]);
	if (!task)
		return cli_usage_error("prompts", "--task is required (e.g. --task mmlu)");
	if (bc.multiturn && !bc.chat)
		return cli_usage_error("prompts", "--fewshot-as-multiturn needs --chat-template");
	if (bc.model && (ret = ie_backend_open(&bc, &b, &err)) < 0)
		return cli_fail(&err);
	ret = ie_prompts_write(task, data ? data : ie_default_data_dir(), limit, shots,
			       bc.multiturn, b, stdout, &err);
	ie_backend_free(b);
	return ret < 0 ? cli_fail_data(&err) : 0;
}
