/*
 * The evaluator: expands the task list, builds every task's samples, sends
 * all of a task's requests to the backend in one call, scores them, and
 * writes the samples files and the results document. Files are written
 * only after a task has finished, each atomically, results.json last, so
 * an interrupted run leaves no half-written file behind.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "instructeval/eval.h"
#include "exec/exec.h"
#include "report/report.h"
#include "tasks/impact.h"
#include "tasks/task.h"
#include "tasks/tasks.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/jsonl.h"
#include "util/progress.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void ie_eval_config_init(struct ie_eval_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

static const struct {
	const char *name;
	const char *members;
} task_groups[] = {
	{ "problem-solving", "mmlu,bbh,drop,crass,humaneval" },
	{ "alignment", "hhh" },
	{ "writing", "impact" },
	{ "all", "mmlu,bbh,drop,crass,humaneval,hhh,impact" },
};

static void add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return;
	XGROW(*names, *cap, *n + 1);
	(*names)[(*n)++] = xstrdup(name);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int expand_one(const char *word, char ***names, size_t *n, size_t *cap,
		      struct ie_error *err)
{
	for (size_t g = 0; g < sizeof(task_groups) / sizeof(task_groups[0]); g++) {
		if (strcmp(word, task_groups[g].name))
			continue;
		char *copy = xstrdup(task_groups[g].members), *save = NULL;

		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
			add_name(names, n, cap, w);
		free(copy);
		return 0;
	}
	if (!task_find(word)) {
		struct strbuf known = STRBUF_INIT;
		const struct task_ops *const *all = task_all();

		for (size_t i = 0; all[i]; i++)
			strbuf_addf(&known, "%s%s", i ? ", " : "", all[i]->name);
		for (size_t g = 0; g < sizeof(task_groups) / sizeof(task_groups[0]); g++)
			strbuf_addf(&known, ", %s", task_groups[g].name);
		ie_error_set(err, IE_EUSAGE, "unknown task '%s' (known: %s)", word, known.buf);
		strbuf_release(&known);
		return IE_EUSAGE;
	}
	add_name(names, n, cap, word);
	return 0;
}

int ie_tasks_expand(const char *spec, char ***names_out, size_t *n_out, struct ie_error *err)
{
	char *copy = xstrdup(spec ? spec : ""), *save = NULL, **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	for (char *w = strtok_r(copy, ",", &save); w && !ret; w = strtok_r(NULL, ",", &save))
		ret = expand_one(w, &names, &n, &cap, err);
	free(copy);
	if (!ret && !n)
		ret = ie_error_set(err, IE_EUSAGE, "no task given (use --tasks mmlu)");
	if (ret) {
		free_names(names, n);
		return ret;
	}
	*names_out = names;
	*n_out = n;
	return 0;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *task_counts(const struct sample_set *set)
{
	json_int_t reqs = 0, errors = 0, dropped = 0, ptok = 0, ntok = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct sample *s = &set->v[i];

		dropped += s->shots < s->max_shots;
		for (size_t j = 0; j < s->n_reqs; j++) {
			reqs++;
			errors += s->reqs[j].status < 0;
			ptok += s->reqs[j].n_prompt_tokens;
			ntok += s->reqs[j].n_new_tokens;
		}
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "samples", (json_int_t)set->n,
			 "requests", reqs, "errors", errors, "shots_dropped", dropped,
			 "prompt_tokens", ptok, "new_tokens", ntok);
}

static int write_samples(const char *out_dir, struct task *t, const struct sample_set *set,
			 struct ie_error *err)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/samples", out_dir);
	if ((ret = file_mkdirs(path.buf, err)) < 0)
		goto out;
	strbuf_addf(&path, "/%s.jsonl", t->ops->name);
	report_samples(t, set, &sb);
	if (sb.err)
		ret = ie_error_set(err, IE_EEVAL, "cannot serialise the samples of '%s'",
				   t->ops->name);
	else
		ret = file_write_atomic(path.buf, sb.buf, sb.len, err);
out:
	strbuf_release(&sb);
	strbuf_release(&path);
	return ret;
}

static int eval_task(const struct ie_eval_config *cfg, struct ie_backend *b, const char *name,
		     json_t *scores, json_t *counts, struct ie_error *err)
{
	struct task t = { 0 };
	struct sample_set set = { 0 };
	struct task_opts o = {
		.fit = b, .limit = cfg->limit, .seed = cfg->seed, .judge = cfg->judge,
		.quiet = cfg->quiet, .samples = cfg->samples, .greedy = cfg->greedy,
	};
	struct exec_config exec;
	int ret;

	exec_config_init(&exec);
	if (cfg->exec_timeout > 0)
		exec.timeout_s = cfg->exec_timeout;
	exec.workers = (unsigned)cfg->exec_workers;
	exec.require_isolation = cfg->require_isolation;
	o.exec = &exec;

	if ((ret = task_load(&t, task_find(name), cfg->data_dir, err)) < 0)
		goto out;
	if ((ret = t.ops->build(&t, &o, &set, err)) < 0)
		goto out;
	if ((ret = sample_set_submit(&set, b, name, cfg->quiet, err)) < 0)
		goto out;
	if (t.ops->score_batch)
		ret = t.ops->score_batch(&t, &set, &o, err);
	else
		for (size_t i = 0; i < set.n; i++)
			t.ops->score(&t, &set.v[i]);
	if (ret < 0)
		goto out;
	json_object_set_new(scores, name, t.ops->aggregate(&t, &set));
	json_object_set_new(counts, name, task_counts(&set));
	if (cfg->out_dir)
		ret = write_samples(cfg->out_dir, &t, &set, err);
out:
	sample_set_release(&set);
	task_release(&t);
	return ret;
}

/* What results record about a model: file, size, sha256, shape, engine. */
static int model_json(struct ie_backend *b, json_t **out, struct ie_error *err)
{
	struct ie_backend_info info;
	char sha[65];
	int ret;

	ie_backend_get_info(b, &info);
	if ((ret = sha256_file(info.model_path, sha, err)) < 0)
		return ret;
	*out = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:i, s:i, s:b, s:s, s:s}",
			 "file", path_base(info.model_path), "path", info.model_path, "name",
			 info.model_name, "size", (json_int_t)info.model_size, "sha256", sha,
			 "n_params", (json_int_t)info.n_params, "n_ctx", info.n_ctx,
			 "n_ctx_train", info.n_ctx_train, "add_bos", info.add_bos, "backend",
			 info.backend, "engine_version", info.engine_version);
	return 0;
}

static json_t *config_json(const struct ie_eval_config *cfg, char **names, size_t n)
{
	const struct ie_backend_config *bc = cfg->backend_cfg;
	json_t *tasks = json_array(), *c;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(tasks, json_string(names[i]));
	c = json_pack("{s:o, s:s, s:I, s:I, s:i, s:i, s:i, s:b, s:i, s:n, s:s}", "tasks", tasks,
		      "data", cfg->data_dir, "limit", (json_int_t)cfg->limit, "seed",
		      (json_int_t)cfg->seed, "threads", bc ? bc->threads : 0, "ctx",
		      bc ? bc->ctx : 0, "batch", bc ? bc->batch : 0, "prefix_reuse",
		      bc ? !bc->no_prefix_reuse : 1, "parallel",
		      bc && bc->parallel > 1 ? bc->parallel : 1, "chat_template", "protocol",
		      "reference");
	json_object_set_new(c, "humaneval",
			    json_pack("{s:i, s:b, s:f, s:i, s:b}", "samples",
				      cfg->samples > 0 ? cfg->samples : 1, "greedy", cfg->greedy,
				      "timeout_s", cfg->exec_timeout > 0 ? cfg->exec_timeout : 3.0,
				      "workers", cfg->exec_workers, "require_isolation",
				      cfg->require_isolation));
	return c;
}

int ie_eval_run(const struct ie_eval_config *cfg, struct ie_backend *b, json_t **results,
		struct ie_error *err)
{
	char **names = NULL, started[32], finished[32];
	size_t n = 0;
	json_t *res = NULL, *scores, *counts, *model = NULL, *judge = NULL;
	double t0 = progress_now();
	int ret;

	*results = NULL;
	if ((ret = ie_tasks_expand(cfg->tasks, &names, &n, err)) < 0)
		return ret;
	if (cfg->out_dir && (ret = file_mkdirs(cfg->out_dir, err)) < 0)
		goto out;
	if ((ret = model_json(b, &model, err)) < 0)
		goto out;
	if (cfg->judge && (ret = model_json(cfg->judge, &judge, err)) < 0)
		goto out;
	now_iso(started, sizeof(started));
	scores = json_object();
	counts = json_object();
	res = json_pack("{s:{s:s, s:s}, s:o, s:o}", "instructeval", "version", ie_version(),
			"llama_cpp", IE_LLAMA_VERSION, "model", model, "config",
			config_json(cfg, names, n));
	model = NULL;
	if (judge)
		json_object_set_new(res, "judge", judge);
	judge = NULL;
	for (size_t i = 0; i < n && !ret; i++)
		ret = eval_task(cfg, b, names[i], scores, counts, err);
	now_iso(finished, sizeof(finished));
	json_object_set_new(res, "started", json_string(started));
	json_object_set_new(res, "finished", json_string(finished));
	json_object_set_new(res, "duration_s", json_real(progress_now() - t0));
	json_object_set_new(res, "counts", counts);
	json_object_set_new(res, "scores", scores);
	if (!ret && cfg->out_dir) {
		char *path = path_join(cfg->out_dir, "results.json");

		ret = report_write_json(path, res, err);
		free(path);
	}
out:
	free_names(names, n);
	json_decref(model);
	json_decref(judge);
	if (ret < 0) {
		json_decref(res);
		return ret;
	}
	*results = res;
	return 0;
}

int ie_prompts_write(const char *name, const char *data_dir, size_t limit,
		     struct ie_backend *fit, FILE *out, struct ie_error *err)
{
	const struct task_ops *ops = task_find(name);
	struct task t = { 0 };
	struct sample_set set = { 0 };
	struct task_opts o = { .fit = fit, .limit = limit };
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (!ops)
		return ie_error_set(err, IE_EUSAGE, "unknown task '%s'", name);
	if ((ret = task_load(&t, ops, data_dir, err)) < 0)
		goto out;
	if ((ret = ops->build(&t, &o, &set, err)) < 0)
		goto out;
	for (size_t i = 0; i < set.n; i++) {
		const struct sample *s = &set.v[i];

		for (size_t j = 0; j < s->n_reqs; j++) {
			const char *label = ops->request_label ? ops->request_label(&t, s, j)
							       : s->label;
			json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "task", name,
						"subtask", s->subtask, "id", s->id, "prompt",
						s->prompts[j], "label", label, "shots", s->shots);

			strbuf_reset(&sb);
			jsonl_append(&sb, rec);
			json_decref(rec);
			if (fwrite(sb.buf, 1, sb.len, out) != sb.len) {
				ret = ie_error_set(err, IE_EIO, "cannot write the prompts");
				goto out;
			}
		}
	}
	if (fflush(out) != 0)
		ret = ie_error_set(err, IE_EIO, "cannot write the prompts");
out:
	strbuf_release(&sb);
	sample_set_release(&set);
	task_release(&t);
	return ret;
}

/* The records of RUN/samples/impact.jsonl as IMPACT samples. */
static int load_impact_answers(const char *run_dir, struct sample_set *set, struct ie_error *err)
{
	struct strbuf path = STRBUF_INIT;
	json_t *records = NULL;
	char *text = NULL;
	size_t len;
	int ret;

	strbuf_addf(&path, "%s/samples/impact.jsonl", run_dir);
	ret = file_read(path.buf, &text, &len, err);
	if (ret == IE_EINPUT)
		ie_error_set(err, IE_EINPUT, "no stored IMPACT answers: '%s' is missing (run "
			     "'instructeval run --tasks impact --out %s' first)", path.buf, run_dir);
	if (!ret)
		ret = json_lines_parse(text, len, path.buf, &records, err);
	if (!ret)
		ret = impact_samples_from_records(records, path.buf, set, err);
	json_decref(records);
	free(text);
	strbuf_release(&path);
	return ret;
}

int ie_rejudge(const char *run_dir, struct ie_backend *judge, int quiet, json_t **results,
	       struct ie_error *err)
{
	struct task t = { .ops = &impact_task };
	struct sample_set set = { 0 };
	struct task_opts o = { .judge = judge, .quiet = quiet };
	char *res_path = path_join(run_dir, "results.json"), judged[32];
	json_t *res = NULL, *jm = NULL;
	int ret;

	*results = NULL;
	if ((ret = json_file_load(res_path, "(not a results folder of 'instructeval run')", &res,
				  err)) < 0)
		goto out;
	if ((ret = load_impact_answers(run_dir, &set, err)) < 0)
		goto out;
	if ((ret = model_json(judge, &jm, err)) < 0)
		goto out;
	if ((ret = impact_task.score_batch(&t, &set, &o, err)) < 0)
		goto out;
	now_iso(judged, sizeof(judged));
	json_object_set_new(jm, "judged", json_string(judged));
	json_object_set_new(res, "judge", jm);
	jm = NULL;
	if (!json_is_object(json_object_get(res, "scores")))
		json_object_set_new(res, "scores", json_object());
	json_object_set_new(json_object_get(res, "scores"), "impact",
			    impact_task.aggregate(&t, &set));
	if ((ret = write_samples(run_dir, &t, &set, err)) < 0)
		goto out;
	ret = report_write_json(res_path, res, err);
out:
	json_decref(jm);
	sample_set_release(&set);
	free(res_path);
	if (ret < 0) {
		json_decref(res);
		return ret;
	}
	*results = res;
	return 0;
}
