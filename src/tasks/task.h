/*
 * The task interface. A benchmark (src/tasks/<name>.c) loads its data,
 * turns it into samples (each with one or more model requests), scores a
 * sample once its requests have run, and sums the scores up. The evaluator
 * (eval.c) does the rest: it sends the requests of all samples to the
 * backend in one call, writes the per-sample records and the results.
 */
#ifndef IE_TASK_H
#define IE_TASK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "instructeval/backend.h"
#include "instructeval/error.h"
#include "util/fileio.h"

struct exec_config;

/* Options that shape the samples of any task. */
struct task_opts {
	/* Counts prompt tokens for fitting the context; NULL: prompts are
	 * built with all their shots and never counted. */
	struct ie_backend *fit;
	size_t limit;   /* 0: all; else the first N test items per subtask
			 * (struct item_limit; HumanEval: the first N problems) */
	uint64_t seed;  /* base of per-request sampling seeds */
	struct ie_backend *judge; /* the judge model of judged tasks */
	int quiet;      /* no progress display */
	int samples;    /* HumanEval: completions per problem (0: 1) */
	int greedy;     /* HumanEval: greedy instead of the reference sampling */
	int full_outputs; /* generate the whole budget even once a score is settled */
	/* Few-shot tasks: shots exemplars instead of the reference's count
	 * (at most that), when set_shots. */
	int set_shots, shots;
	/* Few-shot tasks: each exemplar a user turn and the assistant's
	 * answer (ie_backend_config.multiturn). */
	int multiturn;
	const struct exec_config *exec; /* HumanEval's sandbox; NULL: defaults */
};

/* One evaluated item. The sample owns its strings and requests; the
 * requests' prompts point to prompts[]. */
struct sample {
	char *id;
	char *subtask;
	char *label;
	int shots;       /* exemplars in the prompt, after fitting; -1 before */
	int max_shots;   /* exemplars the protocol asks for */
	char **prompts;
	struct ie_request *reqs;
	size_t n_reqs;
	/* Scores, set by the task's score(). */
	int correct;     /* 1 or 0; -1 before scoring */
	/* Lettered multiple choice: 1 or 0 by the letters' likelihood at the
	 * prompt's end; -1 where there is none. */
	int letter_correct;
	double value;    /* a task's numeric score where it has one */
	/* Task-specific data and record fields (owned; may be NULL). */
	json_t *extra;
	/* Where the task made it from (the task's own indexes), for tasks
	 * that make prompts again (task_ops.prompt). */
	size_t from[2];
};

struct sample_set {
	struct sample *v;
	size_t n, cap;
};

struct sample *sample_set_add(struct sample_set *set);
void sample_set_release(struct sample_set *set);
/* Gives a sample n requests of kind, each with its own prompt (taken over:
 * the sample frees them). prompts NULL: the task makes them when they are
 * needed (task_ops.prompt). */
void sample_set_requests(struct sample *s, enum ie_request_kind kind, char **prompts, size_t n);

struct task;

/* Request j's prompt: s->prompts[j], or the task's prompt op makes it
 * again, and then *made holds it for the caller to free (else NULL). */
const char *sample_prompt(struct task *t, const struct sample *s, size_t j, char **made);

/* Sends every request of the set to b, with a progress display labelled
 * label unless quiet: in one call, or, for a task that makes its prompts
 * again, in windows whose prompts are made and freed in turn, so that
 * memory does not grow with the number of samples. */
int sample_set_submit(struct task *t, struct sample_set *set, struct ie_backend *b,
		      const char *label, int quiet, struct ie_error *err);
/* Sends reqs[0..n) to b in one call, with a progress display. */
int requests_submit(struct ie_backend *b, const char *label, struct ie_request *reqs, size_t n,
		    int quiet, struct ie_error *err);

/* The --limit rule, "the first N test items of each subtask", for items
 * met one by one in data order, their subtasks in any order. */
struct item_limit {
	size_t limit; /* 0: every item */
	char **names; /* the subtasks seen so far */
	size_t *taken;
	size_t n, cap;
};

void item_limit_init(struct item_limit *l, size_t limit);
/* 1 when the next item of subtask is among its first limit, else 0. */
int item_limit_take(struct item_limit *l, const char *subtask);
void item_limit_release(struct item_limit *l);

/* The per-sample record fields that tasks write alike, for their record
 * ops to place among their own. "id" and "subtask" come first. */
void record_ids(const struct sample *s, json_t *rec);
/* "output": the text request j generated, null when it has none. */
void record_output(const struct sample *s, size_t j, json_t *rec);
/* "error": why a request failed, when one did (the last such). */
void record_error(const struct sample *s, json_t *rec);

/* One item of a stored run as paired analyses (compare, analyze) see it:
 * what pairs it with the same item of another run, the subtask it counts
 * in, and its part of the score. */
struct task_item {
	char key[256];
	const char *group; /* borrowed from the record */
	double value;      /* 1 or 0 for right or wrong, else a number */
};

/* How a task's score averages its items' values. */
enum task_average {
	TASK_POOLED,   /* the mean over all items */
	TASK_MACRO,    /* the mean of the subtasks' means (each counts once) */
	TASK_CLUSTERS, /* the mean of the groups' means, groups drawn at random
			* as units (HumanEval: problems, each with its samples) */
};

/* The item of a record with "id", "subtask" and the boolean "correct",
 * as most tasks write them: 0, or -1 when rec lacks one. */
int task_item_default(const json_t *rec, struct task_item *out);

/* A benchmark: what the task table knows of it, and its operations.
 * Adding one takes its file in src/tasks/ (declared in tasks.h, built by
 * CMakeLists.txt) and its row in registry.c's table; groups, help texts
 * and known-task lists follow from these fields. */
struct task_ops {
	const char *name;    /* as on the command line: "mmlu" */
	const char *title;   /* as on the board: "MMLU" */
	const char *group;   /* its board and group: "problem-solving" */
	const char *summary; /* one line for help texts */
	/* What it reads from the data folder, a folder with a trailing '/',
	 * unused entries NULL; task_load checks that each is there before
	 * load runs, so a load meets missing data only below a folder. */
	const char *data[3];
	int needs_judge;     /* scoring asks a judge model */
	int shots;           /* the reference's exemplars per prompt (0: none) */
	unsigned needs;      /* what the model must do (IE_CAP_*); 0: generate */
	int (*load)(struct task *t, const char *data_dir, struct ie_error *err);
	int (*build)(struct task *t, const struct task_opts *o, struct sample_set *out,
		     struct ie_error *err);
	/* Scores s from its requests' results. */
	void (*score)(struct task *t, struct sample *s);
	/* Scores the whole set at once, where scoring needs more work (running
	 * code, asking a judge); used instead of score when set. */
	int (*score_batch)(struct task *t, struct sample_set *set, const struct task_opts *o,
			   struct ie_error *err);
	/* The task's scores as a JSON object (a new reference): it holds at
	 * least "score" (the board's number, 0..1), "stderr" and "n". */
	json_t *(*aggregate)(struct task *t, const struct sample_set *set);
	/* Adds the per-sample record's fields to rec. */
	void (*record)(struct task *t, const struct sample *s, json_t *rec);
	/* Request j's prompt made again (caller frees). Tasks with many long
	 * prompts give it and build samples without them (prompts NULL): then
	 * only a window of prompts is held at a time. */
	char *(*prompt)(struct task *t, const struct sample *s, size_t j);
	/* Decides s's shots by the prompt's token count on fit, where build
	 * left that for later (s->shots < 0): the evaluator does it just
	 * before the prompt runs, so the backend can reuse the count's
	 * tokens. */
	int (*fit_shots)(struct task *t, struct sample *s, struct ie_backend *fit,
			 struct ie_error *err);
	/* The label of request j as `prompts` shows it; NULL: s->label. */
	const char *(*request_label)(struct task *t, const struct sample *s, size_t j);
	void (*release)(struct task *t);
	/* Paired analyses: how the score averages items, whether every value
	 * is 1 or 0 (then accuracies are compared with McNemar's test), and
	 * the record's item (NULL: task_item_default). */
	enum task_average average;
	int continuous;
	int (*item)(const json_t *rec, struct task_item *out);
};

struct task {
	const struct task_ops *ops;
	void *data; /* the task's loaded data */
	struct read_ledger files; /* every file its load read, with its sha256 */
};

/* Looks a task up by name; NULL when there is none. */
const struct task_ops *task_find(const char *name);
/* The NULL-terminated list of all tasks, in board order. */
const struct task_ops *const *task_all(void);
/* The i-th group: the tasks' groups in board order, each once, then
 * "all"; NULL past the last. */
const char *task_group(size_t i);
/* Whether ops is one of group's tasks ("all" has every task). */
int task_in_group(const struct task_ops *ops, const char *group);

/* Checks the task's data (IE_ENODATA names what is missing), then loads
 * it from data_dir. */
int task_load(struct task *t, const struct task_ops *ops, const char *data_dir,
	      struct ie_error *err);
void task_release(struct task *t);

/* data_dir joined with ops->data[i], a folder's '/' left off (caller
 * frees). */
char *task_data_path(const struct task_ops *ops, const char *data_dir, size_t i);
/* Sets err to "<title> data not found: no <what> '<path>' (get it with
 * 'instructeval download <name>')" and returns IE_ENODATA. what is "file",
 * "folder", or what a folder lacks ("*.json in"). */
int task_data_missing(const struct task_ops *ops, const char *what, const char *path,
		      struct ie_error *err);
/* Checks that every path of ops->data is in data_dir, as a folder or a
 * file as it is written; IE_ENODATA names the first that is not. */
int task_data_check(const struct task_ops *ops, const char *data_dir, struct ie_error *err);

#endif
