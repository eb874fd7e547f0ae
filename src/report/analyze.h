/*
 * The paper's analyses over a store's runs: grouped means by tag or model,
 * and the paired effect of shot counts per model and task.
 */
#ifndef IE_ANALYZE_H
#define IE_ANALYZE_H

#include <stdio.h>

#include <jansson.h>

#include "instructeval/error.h"
#include "report/compare.h"

struct store;

/* The entries (leaderboard_entries) with one per model and setting: the
 * entries of a judged task (one per judge) joined to the rest, the
 * newest judge's numbers kept. */
json_t *analyze_models(const json_t *entries);
/* The entries (leaderboard_entries) grouped by the value of their tag
 * (NULL: one group per model and setting): per group its models and, for
 * each task's score and the problem-solving average, n (models), mean,
 * lo and hi (95%, from the runs' standard errors) and sd (across models;
 * null for one). Entries without the tag are listed as "untagged". */
json_t *analyze_groups(const json_t *entries, const char *tag);
void analyze_groups_print(FILE *f, const json_t *a);

/* For each model, few-shot task and other settings run at two or more
 * shot counts (runs: finished runs with results, newest first): the score
 * at each count, and each count paired with the lowest item by item as
 * compare_task does. Samples come from st. */
int analyze_shots(struct store *st, const json_t *runs, const struct compare_options *o,
		  json_t **out, struct ie_error *err);
void analyze_shots_print(FILE *f, const json_t *a);

#endif
