/*
 * Two runs compared item by item: per task and subtask, the difference of
 * their scores on the items both ran, with a 95% interval and a p-value
 * from a paired test. Accuracies over items get McNemar's exact test;
 * macro averages, pass@k over problems, F1 and judge scores a seeded
 * paired bootstrap that resamples items as the score averages them.
 */
#ifndef IE_COMPARE_H
#define IE_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "instructeval/error.h"

struct compare_options {
	uint64_t seed;    /* the bootstrap's */
	size_t resamples; /* 0: 10000 */
	int subtasks;     /* also a row per subtask */
};

/* One run's side: the run (as store_run_get gives it) and its stored
 * samples (store_run_samples_get's names and texts). */
struct compare_side {
	const json_t *run;
	char **names, **texts;
	size_t n;
};

/* The comparison of a with b (a minus b) over the tasks both ran: a
 * document with each side's run id and model, and rows of task, subtask
 * (null for the task's own score), n (paired items), a, b, diff, lo, hi,
 * p, significant, test ("mcnemar" or "bootstrap"), and for McNemar the
 * discordant counts. IE_EINPUT for stored records that are not a task's. */
int compare_runs(const struct compare_side *a, const struct compare_side *b,
		 const struct compare_options *o, json_t **out, struct ie_error *err);
/* Frees a side's names and texts (not its run). */
void compare_side_release(struct compare_side *s);

struct task_ops;
/* The rows of one task (none when a side lacks its samples) appended to
 * rows, as compare_runs makes them. */
int compare_task(const struct task_ops *ops, const struct compare_side *a,
		 const struct compare_side *b, const struct compare_options *o, json_t *rows,
		 struct ie_error *err);
/* A row's interval as text, in unit (100: percent): "[lo, hi]", or a
 * note that it has none. */
void compare_interval(const json_t *row, double unit, char *buf, size_t size);
/* The comparison as a table. */
void compare_print(FILE *f, const json_t *cmp);

#endif
