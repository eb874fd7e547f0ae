/* Option parsing and error printing shared by the commands. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "instructeval/eval.h"
#include "store/store.h"
#include "util/fileio.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/banned.h"

const char cli_exit_help[] =
	"\nExit status: 0 success, 1 evaluation error (model or engine failure),\n"
	"2 usage or input error (bad option, missing or malformed data or model).\n";

int cli_fail(const struct ie_error *err)
{
	fprintf(stderr, "instructeval: %s\n", err->msg);
	return ie_error_exit_status(err->code);
}

int cli_fail_data(const struct ie_error *err)
{
	int status = cli_fail(err);

	/* The library says how to download the data; where it is looked for
	 * is this layer's option. */
	if (err->code == IE_ENODATA)
		fprintf(stderr, "(or give the folder that holds it with --data DIR)\n");
	if (err->code == IE_EMODIFIED)
		fprintf(stderr, "(--allow-modified-data runs on it anyway, and the results say "
				"so)\n");
	return status;
}

/* The names of group's tasks, comma-separated, in board order. */
static void print_members(FILE *f, const char *group)
{
	struct ie_task_info t;
	int first = 1;

	if (!strcmp(group, "all")) {
		fprintf(f, "every task\n");
		return;
	}
	for (size_t i = 0; ie_task_get(i, &t) == 0; i++) {
		if (strcmp(t.group, group))
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", t.name);
		first = 0;
	}
	fputc('\n', f);
}

void cli_print_tasks(FILE *f, int with_groups)
{
	struct ie_task_info t;
	const char *g;

	fprintf(f, "\nTasks:\n");
	for (size_t i = 0; ie_task_get(i, &t) == 0; i++)
		fprintf(f, "  %-15s %s\n", t.name, t.summary);
	if (!with_groups)
		return;
	fprintf(f, "\nGroups:\n");
	for (size_t i = 0; (g = ie_task_group(i)); i++) {
		fprintf(f, "  %-15s ", g);
		print_members(f, g);
	}
}

void cli_print_tasks_groups(FILE *f)
{
	cli_print_tasks(f, 1);
}

void cli_print_tasks_only(FILE *f)
{
	cli_print_tasks(f, 0);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "instructeval %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'instructeval %s --help')\n", cmd);
	return 2;
}

int cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out)
{
	if (text_parse_long(s, min, max, out) < 0) {
		cli_usage_error(cmd, "%s takes a whole number from %ld to %ld, not '%s'", opt, min,
				max, s);
		return -1;
	}
	return 0;
}

int cli_seconds(const char *cmd, const char *opt, const char *s, double *out)
{
	if (text_parse_double(s, out) < 0 || *out <= 0 || *out > 86400) {
		cli_usage_error(cmd, "%s takes a number of seconds above 0, not '%s'", opt, s);
		return -1;
	}
	return 0;
}

int cli_u64(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || errno) {
		cli_usage_error(cmd, "%s takes a non-negative whole number, not '%s'", opt, s);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

const struct cli_opt cli_model_opts[] = {
	{ "model", OPT_MODEL, "FILE.gguf", "the model, run in process by llama.cpp" },
	{ "threads", OPT_THREADS, "N", "CPU threads (default: all cores)" },
	{ "ctx", OPT_CTX, "N",
	  "context size in tokens (default: 4096, or the model's training context when "
	  "smaller)" },
	{ "batch", OPT_BATCH, "N",
	  "prompt tokens per decode call (default 128 on the CPU, 512 on a GPU)" },
	{ "no-prefix-reuse", OPT_NO_PREFIX_REUSE, NULL,
	  "decode every prompt from scratch instead of reusing the cached prefix it shares "
	  "with the previous one" },
	{ "parallel", OPT_PARALLEL, "N|auto",
	  "requests decoded together, each generation step one batch for all; the same "
	  "outputs for every N (auto, the default: 8, fewer where their KV would not fit)" },
	{ "chunking", OPT_CHUNKING, "shared|plain",
	  "where prompts are cut into decode calls: at the end of their shared block, then "
	  "in batches (shared, the default), or in batches from the first token, as a server "
	  "cuts a prompt it has not cached (plain)" },
	{ "gpu-layers", OPT_GPU_LAYERS, "N",
	  "layers on the GPU, when llama.cpp was built with a GPU back-end (./setup.sh "
	  "cuda|vulkan); default: all" },
	{ "verbose", OPT_VERBOSE, NULL, "show llama.cpp's own log" },
	{ "chat-template", OPT_CHAT_TEMPLATE, NULL,
	  "each prompt as one user turn in the model's chat format (the template its GGUF "
	  "carries; served: the chat API); default: the reference's raw prompts. Recorded." },
	{ "system", OPT_SYSTEM, "TEXT", "with --chat-template, a system turn before each prompt" },
	{ "fewshot-as-multiturn", OPT_MULTITURN, NULL,
	  "with --chat-template, the few-shot tasks' exemplars (MMLU, BBH, DROP, CRASS) as "
	  "turns: each exemplar's question a user turn (the first with the instruction) and "
	  "its answer the assistant's, the test question the last user turn. Recorded." },
	{ NULL, 0, NULL, NULL },
};

const struct cli_opt cli_served_opts[] = {
	{ "model-name", OPT_MODEL_NAME, "NAME", "the served model (default: the server's only one)" },
	{ "api", OPT_API, "completions|chat",
	  "the endpoint (default completions; chat sends the prompt as the single user "
	  "message)" },
	{ "api-key-env", OPT_API_KEY_ENV, "VAR",
	  "the variable holding the API key (default OPENAI_API_KEY); the key is never "
	  "printed or stored" },
	{ "concurrency", OPT_CONCURRENCY, "N", "requests in flight over all servers (default 1)" },
	{ "tokenizer", OPT_TOKENIZER, "FILE",
	  "a GGUF whose vocabulary counts prompt tokens, for servers without /tokenize (else "
	  "an estimate, flagged)" },
	{ "timeout", OPT_TIMEOUT, "S", "seconds for one attempt of a request (default 600)" },
	{ "retries", OPT_RETRIES, "N", "attempts after the first on faults (default 8)" },
	{ NULL, 0, NULL, NULL },
};

int cli_model_option(const char *cmd, int c, const char *arg, struct ie_backend_config *cfg)
{
	long v;

	switch (c) {
	case OPT_MODEL:
		cfg->model = arg;
		return 1;
	case OPT_THREADS:
		if (cli_int(cmd, "--threads", arg, 1, 1024, &v) < 0)
			return -1;
		cfg->threads = (int)v;
		return 1;
	case OPT_CTX:
		if (cli_int(cmd, "--ctx", arg, 16, 1 << 24, &v) < 0)
			return -1;
		cfg->ctx = (int)v;
		return 1;
	case OPT_BATCH:
		if (cli_int(cmd, "--batch", arg, 1, 1 << 20, &v) < 0)
			return -1;
		cfg->batch = (int)v;
		return 1;
	case OPT_VERBOSE:
		cfg->verbose = 1;
		return 1;
	case OPT_NO_PREFIX_REUSE:
		cfg->no_prefix_reuse = 1;
		return 1;
	case OPT_PARALLEL:
		if (!strcmp(arg, "auto")) {
			cfg->parallel = 0;
			return 1;
		}
		if (cli_int(cmd, "--parallel", arg, 1, 256, &v) < 0)
			return -1;
		cfg->parallel = (int)v;
		return 1;
	case OPT_GPU_LAYERS:
		if (cli_int(cmd, "--gpu-layers", arg, 0, 100000, &v) < 0)
			return -1;
		cfg->gpu_layers = (int)v;
		return 1;
	case OPT_CHUNKING:
		if (strcmp(arg, "shared") && strcmp(arg, "plain")) {
			cli_usage_error(cmd, "--chunking takes shared or plain, not '%s'", arg);
			return -1;
		}
		cfg->chunking = !strcmp(arg, "plain") ? IE_CHUNK_PLAIN : IE_CHUNK_SHARED;
		return 1;
	case OPT_MODEL_NAME:
		cfg->model_name = arg;
		return 1;
	case OPT_CHAT_TEMPLATE:
		cfg->chat = 1;
		return 1;
	case OPT_SYSTEM:
		cfg->system = arg;
		return 1;
	case OPT_MULTITURN:
		cfg->multiturn = 1;
		return 1;
	case OPT_API:
		if (strcmp(arg, "completions") && strcmp(arg, "chat")) {
			cli_usage_error(cmd, "--api takes completions or chat, not '%s'", arg);
			return -1;
		}
		cfg->api = arg;
		return 1;
	case OPT_API_KEY_ENV:
		cfg->api_key_env = arg;
		return 1;
	case OPT_CONCURRENCY:
		if (cli_int(cmd, "--concurrency", arg, 1, 4096, &v) < 0)
			return -1;
		cfg->concurrency = (int)v;
		return 1;
	case OPT_TOKENIZER:
		cfg->tokenizer = arg;
		return 1;
	case OPT_TIMEOUT:
		return cli_seconds(cmd, "--timeout", arg, &cfg->timeout_s) < 0 ? -1 : 1;
	case OPT_RETRIES:
		if (cli_int(cmd, "--retries", arg, 0, 1000, &v) < 0)
			return -1;
		cfg->retries = v ? (int)v : -1;
		return 1;
	}
	return 0;
}

const struct cli_opt cli_exec_opts[] = {
	{ "exec-timeout", OPT_EXEC_TIMEOUT, "S", "HumanEval: seconds per program (default 3)" },
	{ "exec-workers", OPT_EXEC_WORKERS, "N",
	  "HumanEval: programs run at once (default: one per core)" },
	{ "require-isolation", OPT_REQUIRE_ISOLATION, NULL,
	  "HumanEval: refuse to run programs where the kernel refuses namespaces (no "
	  "rlimits+seccomp fallback)" },
	{ NULL, 0, NULL, NULL },
};

int cli_exec_option(const char *cmd, int c, const char *arg, double *timeout, int *workers,
		    int *require_isolation)
{
	long v;

	switch (c) {
	case OPT_EXEC_TIMEOUT:
		return cli_seconds(cmd, "--exec-timeout", arg, timeout) < 0 ? -1 : 1;
	case OPT_EXEC_WORKERS:
		if (cli_int(cmd, "--exec-workers", arg, 1, 1024, &v) < 0)
			return -1;
		*workers = (int)v;
		return 1;
	case OPT_REQUIRE_ISOLATION:
		*require_isolation = 1;
		return 1;
	}
	return 0;
}

#define STORE_PATH_OPTION                                                       \
	{ "store", OPT_STORE, "FILE",                                           \
	  "the store of runs and cached requests (default: "                   \
	  "$XDG_DATA_HOME/instructeval/store.db, else "                        \
	  "~/.local/share/instructeval/store.db)" }

const struct cli_opt cli_store_path_opts[] = {
	STORE_PATH_OPTION,
	{ NULL, 0, NULL, NULL },
};

const struct cli_opt cli_store_opts[] = {
	STORE_PATH_OPTION,
	{ "store-wait", OPT_STORE_WAIT, "S",
	  "seconds to wait for another process's lock on the store (default 10)" },
	{ "no-store", OPT_NO_STORE, NULL, "neither use nor update the store" },
	{ NULL, 0, NULL, NULL },
};

/* One command runs per process, so --store-wait can live here until the
 * store is opened. */
static int store_wait_ms;

int cli_store_option(const char *cmd, int c, const char *arg, const char **path, int *no_store)
{
	double s;

	switch (c) {
	case OPT_STORE_WAIT:
		if (cli_seconds(cmd, "--store-wait", arg, &s) < 0)
			return -1;
		store_wait_ms = (int)(s * 1000);
		return 1;
	case OPT_STORE:
		if (!*arg) {
			cli_usage_error(cmd, "--store takes a file name");
			return -1;
		}
		*path = arg;
		break;
	case OPT_NO_STORE:
		if (!no_store)
			return 0;
		*no_store = 1;
		break;
	default:
		return 0;
	}
	if (*path && no_store && *no_store) {
		cli_usage_error(cmd, "--store and --no-store exclude each other");
		return -1;
	}
	return 1;
}

int cli_store_open(const char *path, struct store **out)
{
	struct ie_error err = { 0 };

	if (store_open(path ? path : store_default_path(), store_wait_ms, out, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cli_store_open_existing(const char *path, struct store **out)
{
	if (!path)
		path = store_default_path();
	*out = NULL;
	/* An empty store would only be created to say it holds nothing, and
	 * a mistyped --store would leave one behind. */
	if (!file_exists(path))
		return 0;
	return cli_store_open(path, out);
}

static int no_such_run(const char *what, const char *path)
{
	fprintf(stderr, "instructeval: no %s in store '%s' (see 'instructeval runs')\n", what,
		path);
	return 2;
}

int cli_run_load(const char *cmd, struct store *st, const char *path, const char *arg,
		 json_t **run)
{
	struct ie_error err = { 0 };
	char what[64];
	long id = 0;

	*run = NULL;
	if (!path)
		path = store_default_path();
	if (strcmp(arg, "latest") && text_parse_long(arg, 1, LONG_MAX, &id) < 0)
		return cli_usage_error(cmd, "RUN is a run id or 'latest', not '%s'", arg);
	if (!id) {
		json_t *runs = NULL;

		if (st && store_runs_list(st, &runs, &err) < 0)
			return cli_fail(&err);
		id = (long)json_integer_value(json_object_get(json_array_get(runs, 0), "id"));
		json_decref(runs);
		if (!id)
			return no_such_run("runs", path);
	}
	snprintf(what, sizeof(what), "run %ld", id);
	if (!st)
		return no_such_run(what, path);
	if (store_run_get(st, id, run, &err) < 0)
		return err.code == IE_EUSAGE ? no_such_run(what, path) : cli_fail(&err);
	return 0;
}

const char *cli_model_label(const json_t *model)
{
	static const char *const members[] = { "file", "name", "url" };

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const char *v = json_string_value(json_object_get(model, members[i]));

		if (v && *v)
			return v;
	}
	return "?";
}

/* A tag's key names a column of analyses: short, and plain enough to type
 * in a --by option. */
static int tag_key_ok(const char *k, size_t n)
{
	if (!n || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)k[i]) && !strchr("_.-", k[i]))
			return 0;
	return 1;
}

static int tag_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tag_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_usage_error(cmd, "%s", msg);
	return -1;
}

int cli_tag_parse(const char *cmd, const char *arg, json_t *tags, int allow_empty)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0, vlen = eq ? strlen(eq + 1) : 0;
	char key[65];

	if (!eq || !tag_key_ok(arg, klen))
		return tag_error(cmd, "a tag is KEY=VALUE, KEY of letters, digits, '_', "
				 "'.' or '-' (at most 64), not '%s'", arg);
	if (!vlen && !allow_empty)
		return tag_error(cmd, "tag '%.*s' has no value", (int)klen, arg);
	if (vlen > 256 || !utf8_valid(eq + 1, vlen))
		return tag_error(cmd, "tag '%.*s': the value must be UTF-8, at most 256 "
				 "bytes", (int)klen, arg);
	for (size_t i = 0; i < vlen; i++)
		if ((unsigned char)eq[1 + i] < 0x20)
			return tag_error(cmd, "tag '%.*s': the value has a control character",
					 (int)klen, arg);
	memcpy(key, arg, klen);
	key[klen] = '\0';
	json_object_set_new(tags, key, json_string(eq + 1));
	return 0;
}

