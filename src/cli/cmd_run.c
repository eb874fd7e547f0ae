/* instructeval run: evaluate a model and report scores. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "instructeval/eval.h"
#include "report/report.h"
#include "store/store.h"
#include "util/jsonl.h"
#include "util/banned.h"

static const struct cli_opt run_opts[] = {
	{ "tasks", 't', "LIST", "tasks or groups, comma-separated (see Tasks and Groups)" },
	{ "judge", 'J', "MODEL",
	  "the judge model of IMPACT: a GGUF file or a server URL, as --model (it takes the "
	  "model options given for --model)" },
	{ "judge-model-name", 'N', "NAME", "--model-name for a served judge" },
	{ "judge-api", 'A', "completions|chat", "--api for a served judge" },
	{ "judge-api-key-env", 'K', "VAR", "--api-key-env for a served judge (e.g. a hosted API)" },
	{ "samples", 'n', "N",
	  "HumanEval completions per problem (default 1; pass@k is reported for k in 1, 10, "
	  "100 up to N)" },
	{ "greedy", 'g', NULL,
	  "HumanEval: greedy decoding instead of the reference's sampling (temperature 0.1 "
	  "for N=1, 0.6 to 10, 0.8 above)" },
	{ "shots", 'S', "N[,N...]",
	  "few-shot tasks (MMLU, BBH, DROP, CRASS): the first N of the reference's exemplars "
	  "(0 up to its count); several counts run one after another, one stored run each "
	  "(--out DIR gets DIR/shots-N), the same test items in all" },
	{ "full-outputs", 'F', NULL,
	  "MMLU, BBH, CRASS: generate the whole token budget; by default generation ends "
	  "once the score is settled" },
	{ "data", 'd', "DIR",
	  "benchmark data (default: $INSTRUCTEVAL_DATA, else ~/.local/share/instructeval)" },
	{ "limit", 'l', "N", "only the first N test items of each subtask" },
	{ "allow-modified-data", 'M', NULL,
	  "run on data files whose sha256 is not the published (or downloaded) one; recorded "
	  "in the results" },
	{ "out", 'o', "DIR", "write DIR/results.json and DIR/samples/<task>.jsonl" },
	{ "seed", 's', "N", "seed for sampled decoding (default 0)" },
	{ "json", 'j', NULL, "print the results document instead of the table" },
	{ "tag", 'T', "KEY=VALUE",
	  "a label kept with the run in the store, for boards and analyses (repeatable), "
	  "e.g. --tag foundation=llama" },
	{ "quiet", 'q', NULL, "no progress display" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group run_groups[] = {
	{ "Options", run_opts },
	{ "Model options", cli_model_opts },
	{ "Served models (--model http(s)://host:port[/v1][,URL...])", cli_served_opts },
	{ "HumanEval sandbox", cli_exec_opts },
	{ "Store", cli_store_opts },
	{ NULL, NULL },
};

static const struct cli_spec run_spec = {
	.name = "run",
	.usage = "run --model FILE.gguf --tasks LIST [options]",
	.about = "Evaluates the model on the tasks as the InstructEval protocol defines them\n"
		 "and prints a table of scores.\n",
	.groups = run_groups,
	.middle = cli_print_tasks_groups,
	.after = "Every answer is kept in the store as it arrives. Running the same command\n"
		 "again after a crash or a kill continues the run: finished requests are\n"
		 "answered from the store, and the results are the same as an uninterrupted\n"
		 "run's. A finished command run again is answered from the store.\n",
};

/* The title of the first of names that needs a judge; NULL when none. */
static const char *judged_task(char **names, size_t n)
{
	struct ie_task_info t;

	for (size_t i = 0; ie_task_get(i, &t) == 0; i++)
		for (size_t k = 0; t.needs_judge && k < n; k++)
			if (!strcmp(names[k], t.name))
				return t.title;
	return NULL;
}

/* Unknown tasks, and a judged task without a judge, are usage errors
 * found before any model is loaded. Returns an exit status, 0 to go on. */
static int check_tasks(const char *tasks, int have_judge)
{
	struct ie_error err = { 0 };
	const char *judged;
	char **names;
	size_t n;

	if (ie_tasks_expand(tasks, &names, &n, &err) < 0)
		return cli_fail(&err);
	judged = judged_task(names, n);
	ie_tasks_free(names, n);
	if (judged && !have_judge)
		return cli_usage_error("run", "%s needs a judge model: add --judge FILE.gguf",
				       judged);
	return 0;
}

/* Requests that failed for good (after a server's retries, or a prompt
 * too long for the context) are in the samples with their messages; the
 * run says how many and exits 1, so that no script takes it for a
 * complete one. A rerun with a store sends only those again. */
static int report_failed_requests(const json_t *results)
{
	const json_t *counts = json_object_get(results, "counts"), *c;
	const char *task;
	json_int_t total = 0;

	json_object_foreach((json_t *)counts, task, c)
		total += json_integer_value(json_object_get(c, "errors"));
	if (!total)
		return 0;
	fprintf(stderr, "instructeval run: %lld requests failed:", (long long)total);
	json_object_foreach((json_t *)counts, task, c)
		if (json_integer_value(json_object_get(c, "errors")))
			fprintf(stderr, " %s %lld", task,
				(long long)json_integer_value(json_object_get(c, "errors")));
	fprintf(stderr, " (each sample's \"error\" says why; run again to retry them)\n");
	return 1;
}

/* One run, printed: its table, or its results document as JSON. Returns
 * the exit status. */
static int run_once(struct ie_eval_config *ec, struct ie_backend *b, int as_json)
{
	struct ie_error err = { 0 };
	json_t *results = NULL;
	int ret;

	if (ie_eval_run(ec, b, &results, &err) < 0)
		return cli_fail_data(&err);
	if (as_json) {
		json_dumpf(results, stdout, JSON_PRETTY_FLAGS);
		putchar('\n');
	} else {
		report_print_scores(stdout, results);
		report_print_boards(stdout, results);
	}
	ret = report_failed_requests(results);
	json_decref(results);
	return ret;
}

/* The run at each shot count in turn (none given: the reference's), each
 * its own stored run and, with several, its own DIR/shots-N. The model
 * stays loaded, and what the counts share (zero-shot tasks' answers) is
 * answered from the store. */
static int run_counts(struct ie_eval_config *ec, struct ie_backend *b, const int *shots,
		      int n, int as_json)
{
	const char *out_dir = ec->out_dir;
	int worst = 0;

	if (!n)
		return run_once(ec, b, as_json);
	for (int i = 0; i < n; i++) {
		char dir[4096];
		int ret;

		ec->set_shots = 1;
		ec->shots = shots[i];
		if (out_dir && n > 1) {
			snprintf(dir, sizeof(dir), "%s/shots-%d", out_dir, shots[i]);
			ec->out_dir = dir;
		}
		if (n > 1 && !as_json)
			printf("%s== shots %d ==\n", i ? "\n" : "", shots[i]);
		if (n > 1 && as_json)
			fputs(i ? "," : "[", stdout);
		ret = run_once(ec, b, as_json);
		ec->out_dir = out_dir;
		if (ret == 2 || ret < 0)
			return ret;
		worst = ret > worst ? ret : worst;
	}
	if (n > 1 && as_json)
		puts("]");
	return worst;
}

#define MAX_TAGS 32
#define MAX_SHOT_COUNTS 16

/* "0,3,5": distinct counts, each 0 to 100. Returns how many, or 0 after
 * printing a usage error. */
static int parse_shots(const char *arg, int *out)
{
	const char *p = arg;
	int n = 0;

	for (;;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 0 || v > 100 || (*end && *end != ',')) {
			cli_usage_error("run", "--shots takes counts 0 to 100 separated by "
					"commas, not '%s'", arg);
			return 0;
		}
		for (int i = 0; i < n; i++)
			if (out[i] == v) {
				cli_usage_error("run", "--shots lists %ld twice", v);
				return 0;
			}
		if (n == MAX_SHOT_COUNTS) {
			cli_usage_error("run", "--shots takes at most %d counts", MAX_SHOT_COUNTS);
			return 0;
		}
		out[n++] = (int)v;
		if (!*end)
			return n;
		p = end + 1;
	}
}

/* The --tag options as the store keeps them: a JSON object, keys sorted
 * (NULL when there are none). */
static int tags_text(const char *cmd, const char *const *args, size_t n, char **out)
{
	json_t *tags = json_object();

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (cli_tag_parse(cmd, args[i], tags, 0) < 0) {
			json_decref(tags);
			return -1;
		}
	if (n)
		*out = json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(tags);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct ie_backend_config bc, jc;
	struct ie_eval_config ec;
	struct ie_backend *b = NULL, *judge = NULL;
	struct store *st = NULL;
	const char *store_path = NULL;
	int no_store = 0;
	struct ie_error err = { 0 };
	const char *tag_args[MAX_TAGS];
	size_t n_tags = 0;
	char *tags = NULL;
	int shots[MAX_SHOT_COUNTS], n_shots = 0;
	int c, as_json = 0, ret;
	long v;

	ie_backend_config_init(&bc);
	ie_backend_config_init(&jc);
	ie_eval_config_init(&ec);
	ec.backend_cfg = &bc;
	optind = 1;
	while ((c = cli_getopt(&run_spec, argc, argv)) != -1) {
		int m = cli_model_option("run", c, optarg, &bc);

		if (!m)
			m = cli_exec_option("run", c, optarg, &ec.exec_timeout, &ec.exec_workers,
					    &ec.require_isolation);
		if (!m)
			m = cli_store_option("run", c, optarg, &store_path, &no_store);
		if (m < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 't': ec.tasks = optarg; break;
		case 'd': ec.data_dir = optarg; break;
		case 'o': ec.out_dir = optarg; break;
		case 'j': as_json = 1; break;
		case 'J': jc.model = optarg; break;
		case 'N': jc.model_name = optarg; break;
		case 'K': jc.api_key_env = optarg; break;
		case 'A':
			if (strcmp(optarg, "completions") && strcmp(optarg, "chat"))
				return cli_usage_error("run", "--judge-api takes completions or chat");
			jc.api = optarg;
			break;
		case 'g': ec.greedy = 1; break;
		case 'F': ec.full_outputs = 1; break;
		case 'M': ec.allow_modified_data = 1; break;
		case 'T':
			if (n_tags == MAX_TAGS)
				return cli_usage_error("run", "at most %d --tag options", MAX_TAGS);
			tag_args[n_tags++] = optarg;
			break;
		case 'n':
			if (cli_int("run", "--samples", optarg, 1, 1000, &v) < 0)
				return 2;
			ec.samples = (int)v;
			break;

		case 'S':
			if (!(n_shots = parse_shots(optarg, shots)))
				return 2;
			break;
		case 'q': ec.quiet = 1; break;
		case 'h': cli_help(&run_spec, stdout); return 0;
		case 'l':
			if (cli_int("run", "--limit", optarg, 1, 1L << 40, &v) < 0)
				return 2;
			ec.limit = (size_t)v;
			break;
		case 's':
			if (cli_u64("run", "--seed", optarg, &ec.seed) < 0)
				return 2;
			break;
		default:
			return cli_usage_error("run", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
	if (!bc.model)
		return cli_usage_error("run", "--model is required");
	if (!ec.tasks)
		return cli_usage_error("run", "--tasks is required (e.g. --tasks mmlu)");
	if (bc.multiturn && !bc.chat)
		return cli_usage_error("run", "--fewshot-as-multiturn needs --chat-template");
	if (!ec.data_dir)
		ec.data_dir = ie_default_data_dir();
	if ((ret = check_tasks(ec.tasks, jc.model != NULL)) != 0)
		return ret;
	if (tags_text("run", tag_args, n_tags, &tags) < 0)
		return 2;
	ec.tags = tags;
	if (!no_store && (ret = cli_store_open(store_path, &st)) != 0) {
		free(tags);
		return ret;
	}
	ec.store = st;
	if ((ret = ie_backend_open(&bc, &b, &err)) < 0) {
		store_close(st);
		free(tags);
		return cli_fail(&err);
	}
	if (jc.model) {
		jc.threads = bc.threads;
		jc.ctx = bc.ctx;
		jc.batch = bc.batch;
		jc.verbose = bc.verbose;
		jc.parallel = bc.parallel;
		jc.chunking = bc.chunking;
		jc.concurrency = bc.concurrency;
		jc.timeout_s = bc.timeout_s;
		jc.retries = bc.retries;
		if (!jc.api_key_env)
			jc.api_key_env = bc.api_key_env;
		if ((ret = ie_backend_open(&jc, &judge, &err)) < 0) {
			ie_backend_free(b);
			store_close(st);
			free(tags);
			return cli_fail(&err);
		}
		ec.judge = judge;
		ec.judge_cfg = &jc;
	}
	ret = run_counts(&ec, b, shots, n_shots, as_json);
	ie_backend_free(b);
	ie_backend_free(judge);
	store_close(st);
	free(tags);
	return ret;
}
