/*
 * The items of stored runs, for paired analyses: each record of a task's
 * samples read as one item (its key, subtask and value, task_item), and
 * two runs' items paired by key. The same test items in two runs make
 * their difference far more certain than two independent scores would:
 * what one model gets right the other often does too.
 */
#ifndef IE_ITEMS_H
#define IE_ITEMS_H

#include <stddef.h>

#include "instructeval/error.h"
#include "tasks/task.h"

struct item_set {
	const struct task_ops *ops;
	json_t *records;    /* the parsed records, which items borrow from */
	struct task_item *v;
	size_t *g;          /* each item's group: an index into groups */
	size_t *order;      /* the items' indexes in key order */
	size_t n;
	const char **groups; /* the subtasks, in the order first met */
	size_t n_groups;
};

/* Reads the items of ops's records in jsonl (one record per line, as the
 * store and samples files hold them); where names them in errors
 * ("run 3, mmlu"). IE_EINPUT for a line that is not a record of the task,
 * or two records of one item. */
int items_load(const struct task_ops *ops, const char *jsonl, const char *where,
	       struct item_set *out, struct ie_error *err);
void items_release(struct item_set *s);

/* Two runs' items with the same key, side by side: a[i] and b[i] are the
 * values of one item, g[i] its group (an index into groups, A's). */
struct item_pairs {
	double *a, *b;
	size_t *g;
	size_t n;
	const char **groups;
	size_t n_groups;
	size_t only_a, only_b; /* items of one run the other lacks */
};

void items_pair(const struct item_set *a, const struct item_set *b, struct item_pairs *out);
void item_pairs_release(struct item_pairs *p);

#endif
