/*
 * The few-shot, answer-by-prefix family that MMLU, BBH, DROP and CRASS
 * share. A group (a subtask) has a header, exemplars and test items; an
 * example's text ends in "Answer:". The prompt with k shots is
 *
 *   header + for i < k: (shot[i].query + " " + shot[i].answer + "\n\n")
 *          + item.query
 *
 * or, sent as turns, the same pieces joined by IE_TURN_SEPARATOR where a
 * turn ends: header + shot[0].query, shot[0].answer, shot[1].query, ...,
 * item.query (the header opens the first user turn);
 * and k starts at the task's shot count, dropping one at a time while the
 * prompt's token count is over the input limit (never below 0). A sample
 * is correct when the generated text, stripped, starts with the label.
 */
#ifndef IE_FEWSHOT_H
#define IE_FEWSHOT_H

#include "tasks/task.h"

struct fewshot_example {
	char *query;  /* the example text, ending in "Answer:" */
	char *answer; /* label (test items) or the answer shown (exemplars) */
	char *id;     /* test items only */
	int n_options; /* answered by a letter among the first n_options of
			* A, B, C, D; 0: not lettered */
};

struct fewshot_group {
	char *name;
	char *header;
	struct fewshot_example *shots;
	size_t n_shots;
	struct fewshot_example *items;
	size_t n_items, cap_items;
};

struct fewshot {
	struct fewshot_group *groups;
	size_t n_groups, cap_groups;
	int k;              /* shots asked for */
	int input_limit;    /* tokens */
	int max_new_tokens;
	/* Generation ends once the prefix match is settled (unless the run
	 * asks for full outputs): nothing after that changes the score. */
	int decide;
	/* The prompts as chat turns (task_opts.multiturn), set when built. */
	int multiturn;
};

struct fewshot_group *fewshot_add_group(struct fewshot *fs, const char *name,
					const char *header);
/* Adds a test item (strings copied). */
void fewshot_add_item(struct fewshot_group *g, const char *id, const char *query,
		      const char *label);
/* Adds a test item answered by one of n_options letters: its sample also
 * scores the letters' likelihood at the prompt's end (PROTOCOL.md's
 * letter likelihood), from the same pass as the first generated token. */
void fewshot_add_lettered(struct fewshot_group *g, const char *id, const char *query,
			  const char *label, int n_options);
/* The prompt of item with k shots, as turns when turns (caller frees). */
char *fewshot_prompt(const struct fewshot_group *g, const struct fewshot_example *item, int k,
		     int turns);
/* Builds one greedy generation sample per item (a group is a subtask for
 * o->limit). The samples hold no prompts, and with o->fit set their shots
 * are fitted to the input limit later: the task's ops need
 * .prompt = fewshot_task_prompt and .fit_shots = fewshot_task_fit_shots. */
int fewshot_build(struct fewshot *fs, const struct task_opts *o, struct sample_set *out,
		  struct ie_error *err);
/* Prefix check of the stripped output against the label. */
void fewshot_score(struct sample *s);
/* Accuracy overall and per subtask, as fewshot tasks report it. */
json_t *fewshot_aggregate(const struct sample_set *set);
/* id, subtask, prompt, shots, output, label, correct. */
void fewshot_record(struct task *t, const struct sample *s, json_t *rec);
void fewshot_release(struct fewshot *fs);

/* task_ops members for a task whose t->data is a struct fewshot. */
int fewshot_task_build(struct task *t, const struct task_opts *o, struct sample_set *out,
		       struct ie_error *err);
void fewshot_task_score(struct task *t, struct sample *s);
json_t *fewshot_task_aggregate(struct task *t, const struct sample_set *set);
void fewshot_task_record(struct task *t, const struct sample *s, json_t *rec);
/* The prompt of a fewshot_build sample, made again; t->data starts with a
 * struct fewshot. */
char *fewshot_task_prompt(struct task *t, const struct sample *s, size_t j);
int fewshot_task_fit_shots(struct task *t, struct sample *s, struct ie_backend *fit,
			   struct ie_error *err);
void fewshot_task_release(struct task *t);
/* A new struct fewshot in t->data with the protocol's numbers. */
struct fewshot *fewshot_task_init(struct task *t, int k, int input_limit, int max_new_tokens);

#endif
