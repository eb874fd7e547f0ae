/* The task definitions, one per file in src/tasks/. */
#ifndef IE_TASKS_H
#define IE_TASKS_H

#include "tasks/task.h"

extern const struct task_ops mmlu_task;
extern const struct task_ops bbh_task;
extern const struct task_ops crass_task;
extern const struct task_ops drop_task;
extern const struct task_ops hhh_task;
extern const struct task_ops humaneval_task;
extern const struct task_ops impact_task;

#endif
