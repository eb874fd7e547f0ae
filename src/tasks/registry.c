/* The table of tasks, and the sample containers every task fills. */
#include <stdlib.h>
#include <string.h>

#include "tasks/task.h"
#include "tasks/tasks.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const struct task_ops *const all_tasks[] = {
	&mmlu_task,
	&bbh_task,
	&drop_task,
	&crass_task,
	&humaneval_task,
	&hhh_task,
	&impact_task,
	NULL,
};

const struct task_ops *const *task_all(void)
{
	return all_tasks;
}

const struct task_ops *task_find(const char *name)
{
	for (size_t i = 0; all_tasks[i]; i++)
		if (!strcmp(all_tasks[i]->name, name))
			return all_tasks[i];
	return NULL;
}

int task_load(struct task *t, const struct task_ops *ops, const char *data_dir,
	      struct ie_error *err)
{
	t->ops = ops;
	t->data = NULL;
	return ops->load(t, data_dir, err);
}

void task_release(struct task *t)
{
	if (t->ops && t->ops->release)
		t->ops->release(t);
	t->data = NULL;
}

struct sample *sample_set_add(struct sample_set *set)
{
	struct sample *s;

	XGROW(set->v, set->cap, set->n + 1);
	s = &set->v[set->n++];
	memset(s, 0, sizeof(*s));
	s->correct = -1;
	return s;
}

void sample_set_requests(struct sample *s, enum ie_request_kind kind, char **prompts, size_t n)
{
	s->prompts = xcalloc(n, sizeof(char *));
	s->reqs = xcalloc(n, sizeof(struct ie_request));
	s->n_reqs = n;
	for (size_t i = 0; i < n; i++) {
		s->prompts[i] = prompts[i];
		s->reqs[i].kind = kind;
		s->reqs[i].prompt = prompts[i];
	}
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
