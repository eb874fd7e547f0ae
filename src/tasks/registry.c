/*
 * The task table: every benchmark, in board order. Each task_ops (in its
 * own file) carries what the rest of the program knows of the task, its
 * name, title, group, data and help line, so the groups that --tasks
 * takes, the help texts and the known-task lists are all derived from
 * this one list.
 */
#include <string.h>

#include "tasks/task.h"
#include "tasks/tasks.h"
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

/* Whether task i is the first of its group in the table. */
static int first_of_group(size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(all_tasks[j]->group, all_tasks[i]->group))
			return 0;
	return 1;
}

const char *task_group(size_t i)
{
	size_t seen = 0, t;

	for (t = 0; all_tasks[t]; t++)
		if (first_of_group(t) && seen++ == i)
			return all_tasks[t]->group;
	return seen == i ? "all" : NULL;
}

int task_in_group(const struct task_ops *ops, const char *group)
{
	return !strcmp(group, "all") || !strcmp(ops->group, group);
}

int task_load(struct task *t, const struct task_ops *ops, const char *data_dir,
	      struct ie_error *err)
{
	int ret;

	t->ops = ops;
	t->data = NULL;
	memset(&t->files, 0, sizeof(t->files));
	if ((ret = task_data_check(ops, data_dir, err)) < 0)
		return ret;
	read_ledger_open(&t->files);
	ret = ops->load(t, data_dir, err);
	read_ledger_close();
	return ret;
}

void task_release(struct task *t)
{
	if (t->ops && t->ops->release)
		t->ops->release(t);
	t->data = NULL;
	read_ledger_release(&t->files);
}
