/*
 * The samples every task builds: their containers, the --limit rule that
 * decides which test items become samples, and the record fields that all
 * tasks write alike, so that each task's record op adds only its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/task.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct sample *sample_set_add(struct sample_set *set)
{
	struct sample *s;

	XGROW(set->v, set->cap, set->n + 1);
	s = &set->v[set->n++];
	memset(s, 0, sizeof(*s));
	s->correct = -1;
	s->letter_correct = -1;
	return s;
}

void sample_set_requests(struct sample *s, enum ie_request_kind kind, char **prompts, size_t n)
{
	s->prompts = xcalloc(n, sizeof(char *));
	s->reqs = xcalloc(n, sizeof(struct ie_request));
	s->n_reqs = n;
	for (size_t i = 0; i < n; i++) {
		s->prompts[i] = prompts ? prompts[i] : NULL;
		s->reqs[i].kind = kind;
		s->reqs[i].prompt = s->prompts[i];
	}
}

const char *sample_prompt(struct task *t, const struct sample *s, size_t j, char **made)
{
	*made = NULL;
	if (s->prompts[j] || !t->ops->prompt)
		return s->prompts[j];
	return *made = t->ops->prompt(t, s, j);
}

static void sample_release(struct sample *s)
{
	free(s->id);
	free(s->subtask);
	free(s->label);
	for (size_t i = 0; i < s->n_reqs; i++) {
		ie_request_release(&s->reqs[i]);
		free(s->prompts[i]);
	}
	free(s->prompts);
	free(s->reqs);
	json_decref(s->extra);
}

void sample_set_release(struct sample_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		sample_release(&set->v[i]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

void item_limit_init(struct item_limit *l, size_t limit)
{
	memset(l, 0, sizeof(*l));
	l->limit = limit;
}

int item_limit_take(struct item_limit *l, const char *subtask)
{
	size_t i;

	if (!l->limit)
		return 1;
	for (i = 0; i < l->n && strcmp(l->names[i], subtask); i++)
		;
	if (i == l->n) {
		XGROW(l->names, l->cap, l->n + 1);
		l->taken = xrealloc(l->taken, l->cap * sizeof(*l->taken));
		l->names[l->n] = xstrdup(subtask);
		l->taken[l->n++] = 0;
	}
	return l->taken[i]++ < l->limit;
}

void item_limit_release(struct item_limit *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->taken);
	memset(l, 0, sizeof(*l));
}

void record_ids(const struct sample *s, json_t *rec)
{
	json_object_set_new(rec, "id", json_string(s->id));
	json_object_set_new(rec, "subtask", json_string(s->subtask));
}

void record_output(const struct sample *s, size_t j, json_t *rec)
{
	const char *text = s->reqs[j].res.text;

	json_object_set_new(rec, "output", text ? json_string(text) : json_null());
}

void record_error(const struct sample *s, json_t *rec)
{
	for (size_t j = 0; j < s->n_reqs; j++) {
		const struct ie_result *r = &s->reqs[j].res;

		if (r->status < 0)
			json_object_set_new(rec, "error",
					    json_string(r->error ? r->error : "failed"));
	}
}

int task_item_default(const json_t *rec, struct task_item *out)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	const json_t *correct = json_object_get(rec, "correct");

	out->group = json_string_value(json_object_get(rec, "subtask"));
	if (!id || !out->group || !json_is_boolean(correct))
		return -1;
	snprintf(out->key, sizeof(out->key), "%s", id);
	out->value = json_is_true(correct);
	return 0;
}

