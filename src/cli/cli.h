/*
 * The command-line front end: one cmd_<verb>() per file, dispatched from
 * the table in main.c. Commands print messages and pick the exit status:
 * 0 success, 1 evaluation error, 2 usage or input error.
 */
#ifndef IE_CLI_H
#define IE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "instructeval/backend.h"
#include "instructeval/error.h"

int cmd_run(int argc, char **argv);
int cmd_prompts(int argc, char **argv);
int cmd_mkmodel(int argc, char **argv);
int cmd_judge(int argc, char **argv);
int cmd_exec_samples(int argc, char **argv);
int cmd_download(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_data_status(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_leaderboard(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_rate(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "instructeval: <msg>" for err and returns its exit status. */
int cli_fail(const struct ie_error *err);
/* cli_fail for the commands that take --data: data that is not there
 * gets a second line saying --data can name another folder. */
int cli_fail_data(const struct ie_error *err);
/* The "Tasks:" section of a help text, from the task table: each task's
 * name and summary, and with_groups the groups and their tasks. */
void cli_print_tasks(FILE *f, int with_groups);
/* Prints a usage error with a pointer to --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses an option's number, range-checked; on error prints and returns -1. */
int cli_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out);
int cli_u64(const char *cmd, const char *opt, const char *s, uint64_t *out);
/* A positive number of seconds, at most a day. */
int cli_seconds(const char *cmd, const char *opt, const char *s, double *out);

/* One option: its long name, the code getopt_long returns for it, its
 * argument's placeholder (NULL: it takes none) and its help, which the help
 * text wraps (a '\n' breaks a line). A table ends with a NULL name. */
struct cli_opt {
	const char *name;
	int code;
	const char *arg;
	const char *help;
};

struct cli_opt_group {
	const char *title;
	const struct cli_opt *opts;
};

/* A command's options and help: usage (after "usage: instructeval "),
 * about (the paragraphs before the options), groups (ended by one with
 * NULL opts), middle (optional: prints a section such as the task list
 * after the options) and after (paragraphs before the exit status). */
struct cli_spec {
	const char *name;
	const char *usage;
	const char *about;
	const struct cli_opt_group *groups;
	void (*middle)(FILE *f);
	const char *after;
};

/* getopt_long over every option of s's groups and --help ('h'); returns
 * as getopt_long does. Set optind to 1 before the first call. */
int cli_getopt(const struct cli_spec *s, int argc, char **argv);
/* The help text of s. */
void cli_help(const struct cli_spec *s, FILE *f);
/* cli_print_tasks(f, 1) and (0), as a cli_spec's middle. */
void cli_print_tasks_groups(FILE *f);
void cli_print_tasks_only(FILE *f);

/* The text printed after every command's own help. */
extern const char cli_exit_help[];

/* Options every command that opens a model takes. */
enum {
	OPT_MODEL = 1000,
	OPT_THREADS,
	OPT_CTX,
	OPT_BATCH,
	OPT_VERBOSE,
	OPT_NO_PREFIX_REUSE,
	OPT_PARALLEL,
	OPT_CHUNKING,
	OPT_GPU_LAYERS,
	OPT_MODEL_NAME,
	OPT_API,
	OPT_API_KEY_ENV,
	OPT_CONCURRENCY,
	OPT_TOKENIZER,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_CHAT_TEMPLATE,
	OPT_SYSTEM,
	OPT_MULTITURN,
	OPT_EXEC_TIMEOUT,
	OPT_EXEC_WORKERS,
	OPT_REQUIRE_ISOLATION,
	OPT_STORE,
	OPT_NO_STORE,
	OPT_STORE_WAIT,
};

/* The option groups several commands share, for their cli_spec's groups:
 * the model's, a served model's, the HumanEval sandbox's, the store's
 * (for commands that read and write it) and the store's path alone (for
 * those that only read: there is nothing to read without a store). */
extern const struct cli_opt cli_model_opts[];
extern const struct cli_opt cli_served_opts[];
extern const struct cli_opt cli_exec_opts[];
extern const struct cli_opt cli_store_opts[];
extern const struct cli_opt cli_store_path_opts[];

/* Handles option c if it is a sandbox option, like cli_model_option. */
int cli_exec_option(const char *cmd, int c, const char *arg, double *timeout, int *workers,
		    int *require_isolation);

/* Handles option c if it is a model option: 1 handled, 0 not one, -1 bad
 * value (already reported). */
int cli_model_option(const char *cmd, int c, const char *arg, struct ie_backend_config *cfg);

/* Handles option c if it is a store option, like cli_model_option: *path
 * gets --store's file, *no_store 1 for --no-store (no_store may be NULL
 * where the command has no such option). Giving both is a usage error. */
int cli_store_option(const char *cmd, int c, const char *arg, const char **path, int *no_store);

struct store;

/* Opens the store at path (NULL: store_default_path()). Returns 0, or
 * prints the error and returns the exit status. */
int cli_store_open(const char *path, struct store **out);
/* As cli_store_open for commands that only read: a store that does not
 * exist yet is not created; *out is then NULL and 0 is returned. */
int cli_store_open_existing(const char *path, struct store **out);

/* Loads the run that arg names ("latest", or a run id) from st (NULL: a
 * store that does not exist; path names it in messages), as
 * store_run_get gives it. Returns 0, or prints the error and returns the
 * exit status. */
int cli_run_load(const char *cmd, struct store *st, const char *path, const char *arg,
		 json_t **run);
/* Adds the tag KEY=VALUE of arg to tags (a JSON object). An empty value
 * is refused unless allow_empty (where it removes the tag). On error
 * prints a usage error and returns -1. */
int cli_tag_parse(const char *cmd, const char *arg, json_t *tags, int allow_empty);
/* What names a model in a table: its identity's "file", "name" or "url"
 * member, whichever it has, else "?". */
const char *cli_model_label(const json_t *model);

#endif
