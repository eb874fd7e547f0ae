/*
 * BIG-Bench Hard: 27 tasks, each scored on all but its first three
 * examples, which are the exemplars. No header; 32 new tokens; the BBH
 * score is the plain mean of the task accuracies (macro average).
 */
#include <stdlib.h>
#include <string.h>

#include "metrics/accuracy.h"
#include "tasks/fewshot.h"
#include "tasks/tasks.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define BBH_SHOTS 3

static char *bbh_query(const char *input)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, input);
	strbuf_adds(&sb, "\nAnswer:");
	return strbuf_detach(&sb, NULL);
}

static int example_fields(const char *path, json_t *ex, size_t i, const char **input,
			  const char **target, struct ie_error *err)
{
	*input = json_str(ex, "input");
	*target = json_str(ex, "target");
	if (!*input || !*target)
		return ie_error_set(err, IE_EINPUT,
				    "%s: example %zu has no string \"input\" and \"target\"", path,
				    i);
	return 0;
}

static int load_task_file(struct fewshot *fs, const char *path, const char *name,
			  struct ie_error *err)
{
	json_t *root, *examples;
	struct fewshot_group *g;
	int ret;

	if ((ret = json_file_load(path, NULL, &root, err)) < 0)
		return ret;
	examples = json_object_get(root, "examples");
	if (!json_is_array(examples) || json_array_size(examples) <= BBH_SHOTS) {
		json_decref(root);
		return ie_error_set(err, IE_EINPUT, "%s: expected \"examples\", an array of more "
				    "than %d examples", path, BBH_SHOTS);
	}
	g = fewshot_add_group(fs, name, "");
	g->shots = xcalloc(BBH_SHOTS, sizeof(*g->shots));
	for (size_t i = 0; i < json_array_size(examples) && !ret; i++) {
		const char *input, *target;
		struct strbuf id = STRBUF_INIT;
		char *query;

		ret = example_fields(path, json_array_get(examples, i), i, &input, &target, err);
		if (ret)
			break;
		query = bbh_query(input);
		if (i < BBH_SHOTS) {
			g->shots[i].query = query;
			g->shots[i].answer = xstrdup(target);
			g->n_shots++;
			continue;
		}
		strbuf_addf(&id, "%s/%zu", name, i - BBH_SHOTS);
		fewshot_add_item(g, id.buf, query, target);
		strbuf_release(&id);
		free(query);
	}
	json_decref(root);
	return ret;
}

static int bbh_load(struct task *t, const char *data_dir, struct ie_error *err)
{
	struct fewshot *fs = fewshot_task_init(t, BBH_SHOTS, 2048, 32);
	char *dir = task_data_path(t->ops, data_dir, 0), **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (dir_list_suffix(dir, ".json", 1, &names, &n) < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot list the folder '%s'", dir);
		goto out;
	}
	if (!n)
		ret = task_data_missing(t->ops, "*.json in", dir, err);
	for (size_t i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT;

		strbuf_addf(&path, "%s/%s.json", dir, names[i]);
		if (!ret)
			ret = load_task_file(fs, path.buf, names[i], err);
		strbuf_release(&path);
		free(names[i]);
	}
out:
	free(names);
	free(dir);
	return ret;
}

/* The macro average: each task's accuracy counts once, whatever its size.
 * Its standard error combines the tasks' independent errors. */
static json_t *bbh_aggregate(struct task *t, const struct sample_set *set)
{
	json_t *res = fewshot_aggregate(set);
	struct acc_groups by_task;
	double score, se;

	(void)t;
	acc_groups_init(&by_task);
	for (size_t i = 0; i < set->n; i++)
		acc_add(acc_groups_get(&by_task, set->v[i].subtask), set->v[i].correct == 1);
	acc_macro(by_task.accs, by_task.n, &score, &se);
	acc_groups_release(&by_task);
	json_object_set_new(res, "pooled", json_pack("{s:O, s:O}", "score",
						     json_object_get(res, "score"), "stderr",
						     json_object_get(res, "stderr")));
	json_object_set_new(res, "score", json_real(score));
	json_object_set_new(res, "stderr", json_real(se));
	json_object_set_new(res, "metric", json_string("accuracy (prefix match), macro "
						       "average over tasks"));
	return res;
}

const struct task_ops bbh_task = {
	.name = "bbh",
	.title = "BBH",
	.group = "problem-solving",
	.summary = "BIG-Bench Hard: 27 reasoning tasks, 3-shot",
	.data = { "bbh/" },
	.shots = 3,
	.average = TASK_MACRO,
	.load = bbh_load,
	.build = fewshot_task_build,
	.score = fewshot_task_score,
	.aggregate = bbh_aggregate,
	.record = fewshot_task_record,
	.prompt = fewshot_task_prompt,
	.fit_shots = fewshot_task_fit_shots,
	.release = fewshot_task_release,
};
