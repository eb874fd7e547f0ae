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
#include "backends/chat.h"
#include "data/datasets.h"
#include "exec/exec.h"
#include "report/report.h"
#include "store/cache.h"
#include "store/key.h"
#include "store/store.h"
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

int ie_task_get(size_t i, struct ie_task_info *info)
{
	const struct task_ops *const *all = task_all();

	for (size_t k = 0; k <= i; k++)
		if (!all[k])
			return -1;
	info->name = all[i]->name;
	info->title = all[i]->title;
	info->group = all[i]->group;
	info->summary = all[i]->summary;
	info->needs_judge = all[i]->needs_judge;
	info->shots = all[i]->shots;
	return 0;
}

const char *ie_task_group(size_t i)
{
	return task_group(i);
}

static void add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return;
	XGROW(*names, *cap, *n + 1);
	(*names)[(*n)++] = xstrdup(name);
}

static int is_group(const char *word)
{
	const char *g;

	for (size_t i = 0; (g = task_group(i)); i++)
		if (!strcmp(g, word))
			return 1;
	return 0;
}

/* "mmlu, bbh, ...", and the groups after the tasks when with_groups. */
static void known_names(struct strbuf *sb, int with_groups)
{
	const struct task_ops *const *all = task_all();
	const char *g;

	for (size_t i = 0; all[i]; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", all[i]->name);
	for (size_t i = 0; with_groups && (g = task_group(i)); i++)
		strbuf_addf(sb, ", %s", g);
}

static int unknown_task(const char *word, int with_groups, struct ie_error *err)
{
	struct strbuf known = STRBUF_INIT;

	known_names(&known, with_groups);
	ie_error_set(err, IE_EUSAGE, "unknown task '%s' (known: %s)", word, known.buf);
	strbuf_release(&known);
	return IE_EUSAGE;
}

static int expand_one(const char *word, char ***names, size_t *n, size_t *cap,
		      struct ie_error *err)
{
	const struct task_ops *const *all = task_all();

	if (is_group(word)) {
		for (size_t i = 0; all[i]; i++)
			if (task_in_group(all[i], word))
				add_name(names, n, cap, all[i]->name);
		return 0;
	}
	if (!task_find(word))
		return unknown_task(word, 1, err);
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
		ret = ie_error_set(err, IE_EUSAGE, "no task given");
	if (ret) {
		ie_tasks_free(names, n);
		return ret;
	}
	*names_out = names;
	*n_out = n;
	return 0;
}

void ie_tasks_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
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
	json_int_t reqs = 0, errors = 0, dropped = 0, ptok = 0, ntok = 0, cached = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct sample *s = &set->v[i];

		dropped += s->shots < s->max_shots;
		for (size_t j = 0; j < s->n_reqs; j++) {
			reqs++;
			errors += s->reqs[j].res.status < 0;
			cached += s->reqs[j].res.cached != 0;
			ptok += s->reqs[j].res.n_prompt_tokens;
			ntok += s->reqs[j].res.n_new_tokens;
		}
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "samples",
			 (json_int_t)set->n, "requests", reqs, "requests_cached", cached,
			 "requests_sent", reqs - cached, "errors", errors, "shots_dropped",
			 dropped, "prompt_tokens", ptok, "new_tokens", ntok);
}

/* Opens out_dir/samples/<task>.jsonl for writing whole or not at all. */
static int samples_file_open(const char *out_dir, const char *task, struct atomic_file *f,
			     struct ie_error *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/samples", out_dir);
	if ((ret = file_mkdirs(path.buf, err)) == 0) {
		strbuf_addf(&path, "/%s.jsonl", task);
		ret = atomic_file_open(f, path.buf, err);
	}
	strbuf_release(&path);
	return ret;
}

/* Where a finished task's records go: the samples file (open while
 * file.tmp is set) and the store's run, each whole or not at all. */
struct samples_out {
	struct atomic_file file;
	struct store_samples *st;
};

static int samples_put(struct samples_out *so, const struct strbuf *line, struct ie_error *err)
{
	int ret = 0;

	if (so->st)
		ret = store_samples_put(so->st, line->buf, line->len - 1, err);
	if (!ret && so->file.tmp) /* a failed write has closed the file */
		ret = atomic_file_write(&so->file, line->buf, line->len, err);
	return ret;
}

static int samples_end(struct samples_out *so, int ret, struct ie_error *err)
{
	if (!ret && so->st) {
		ret = store_samples_commit(so->st, err);
		so->st = NULL;
	}
	if (!ret && so->file.tmp)
		ret = atomic_file_commit(&so->file, err);
	store_samples_abort(so->st);
	atomic_file_abort(&so->file); /* nothing when committed */
	return ret;
}

/* Keeps the records of a finished task, written a record at a time so
 * that memory does not grow with them (a full MMLU's are 44 MB). */
static int save_samples(const char *out_dir, struct store *st, int64_t run, struct task *t,
			const struct sample_set *set, struct ie_error *err)
{
	struct samples_out so = { .file = { .tmp = NULL }, .st = NULL };
	struct strbuf line = STRBUF_INIT;
	int ret = 0;

	if (out_dir)
		ret = samples_file_open(out_dir, t->ops->name, &so.file, err);
	if (!ret && st)
		ret = store_samples_begin(st, run, t->ops->name, &so.st, err);
	for (size_t i = 0; i < set->n && !ret; i++) {
		strbuf_reset(&line);
		report_sample(t, &set->v[i], &line);
		if (line.err)
			ret = ie_error_set(err, IE_EEVAL, "cannot serialise the samples of '%s'",
					   t->ops->name);
		else
			ret = samples_put(&so, &line, err);
	}
	strbuf_release(&line);
	return samples_end(&so, ret, err);
}

/* The backends one run talks to: the model and the judge, each behind the
 * request cache when there is a store. */
struct run_backends {
	struct ie_backend *model, *judge;
	int64_t run;
};

static int64_t tokens_decoded(struct ie_backend *b)
{
	struct ie_backend_info info;

	ie_backend_get_info(b, &info);
	return info.tokens_decoded;
}

static int eval_task(const struct ie_eval_config *cfg, const struct run_backends *rb,
		     const char *name, json_t *scores, json_t *counts, struct ie_error *err)
{
	struct ie_backend *b = rb->model;
	struct task t = { 0 };
	struct sample_set set = { 0 };
	struct task_opts o = {
		.fit = b, .limit = cfg->limit, .seed = cfg->seed, .judge = rb->judge,
		.quiet = cfg->quiet, .samples = cfg->samples, .greedy = cfg->greedy,
		.full_outputs = cfg->full_outputs, .set_shots = cfg->set_shots,
		.shots = cfg->shots, .multiturn = cfg->backend_cfg && cfg->backend_cfg->multiturn,
	};
	struct exec_config exec;
	int64_t decoded;
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
	decoded = tokens_decoded(b);
	if ((ret = sample_set_submit(&t, &set, b, name, cfg->quiet, err)) < 0)
		goto out;
	decoded = decoded < 0 ? -1 : tokens_decoded(b) - decoded;
	if (t.ops->score_batch)
		ret = t.ops->score_batch(&t, &set, &o, err);
	else
		for (size_t i = 0; i < set.n; i++)
			t.ops->score(&t, &set.v[i]);
	if (ret < 0)
		goto out;
	json_object_set_new(scores, name, t.ops->aggregate(&t, &set));
	json_object_set_new(counts, name, task_counts(&set));
	if (decoded >= 0)
		json_object_set_new(json_object_get(counts, name), "prompt_tokens_decoded",
				    json_integer((json_int_t)decoded));
	ret = save_samples(cfg->out_dir, cfg->store, rb->run, &t, &set, err);
out:
	sample_set_release(&set);
	task_release(&t);
	return ret;
}

/* A model's identity (what the request keys hold: the model's bytes, the
 * engine, the settings that change answers) and what results record about
 * it: the identity plus its file, name and shape. */
static int model_json(struct ie_backend *b, const struct ie_hash_memo *memo, json_t **identity,
		      json_t **out, struct ie_error *err)
{
	struct ie_backend_info info;
	int ret;

	if ((ret = ie_backend_identity(b, memo, identity, err)) < 0)
		return ret;
	ie_backend_get_info(b, &info);
	if (strstr(info.model_path, "://")) /* a served model: where, and its name */
		*out = json_pack("{s:s, s:s}", "url", info.model_path, "name", info.model_name);
	else
		*out = json_pack("{s:s, s:s, s:s}", "file", path_base(info.model_path), "path",
				 info.model_path, "name", info.model_name);
	json_object_update(*out, *identity);
	json_object_set_new(*out, "n_params", json_integer((json_int_t)info.n_params));
	json_object_set_new(*out, "n_ctx", json_integer(info.n_ctx));
	json_object_set_new(*out, "n_ctx_train", json_integer(info.n_ctx_train));
	if (info.parallel > 0)
		json_object_set_new(*out, "parallel", json_integer(info.parallel));
	json_object_set_new(*out, "add_bos", json_boolean(info.add_bos));
	json_object_set_new(*out, "add_eos", json_boolean(info.add_eos));
	if (info.encoder_decoder)
		json_object_set_new(*out, "encoder_decoder",
				    json_string("each prompt is encoded whole: prefix reuse does "
						"not apply to a bidirectional encoder"));
	return 0;
}

/* The shot count of each few-shot task, where the run asked for one. */
static json_t *shots_json(const struct ie_eval_config *cfg, char **names, size_t n)
{
	json_t *shots = json_object();

	for (size_t i = 0; i < n; i++)
		if (task_find(names[i])->shots)
			json_object_set_new(shots, names[i], json_integer(cfg->shots));
	return shots;
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
		      bc ? bc->parallel : 0, "chat_template", "protocol",
		      "reference");
	json_object_set_new(c, "full_outputs", json_boolean(cfg->full_outputs));
	/* The model's own template, rendered by llama.cpp (served: the chat
	 * API's rendering). */
	if (bc && bc->chat)
		json_object_set_new(c, "chat_template", json_string("model"));
	if (bc && bc->chat && bc->system)
		json_object_set_new(c, "system", json_string(bc->system));
	if (bc && bc->chat && bc->multiturn)
		json_object_set_new(c, "fewshot_as_multiturn", json_true());
	if (cfg->set_shots)
		json_object_set_new(c, "shots", shots_json(cfg, names, n));
	json_object_set_new(c, "allow_modified_data", json_boolean(cfg->allow_modified_data));
	json_object_set_new(c, "gpu_layers", json_integer(bc ? bc->gpu_layers : -1));
	json_object_set_new(c, "humaneval",
			    json_pack("{s:i, s:b, s:f, s:i, s:b}", "samples",
				      cfg->samples > 0 ? cfg->samples : 1, "greedy", cfg->greedy,
				      "timeout_s", cfg->exec_timeout > 0 ? cfg->exec_timeout : 3.0,
				      "workers", cfg->exec_workers, "require_isolation",
				      cfg->require_isolation));
	return c;
}

/* What makes two runs the same work: every input that decides what the
 * run computes, but not how fast (threads) or where it writes. */
static json_t *run_key_json(const json_t *config, const json_t *model, const json_t *judge)
{
	json_t *k = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "command", "run",
			      "tasks", json_object_get(config, "tasks"), "data",
			      json_object_get(config, "data"), "data_sha256",
			      json_object_get(config, "data_sha256"), "limit",
			      json_object_get(config, "limit"), "seed",
			      json_object_get(config, "seed"), "full_outputs",
			      json_object_get(config, "full_outputs"), "humaneval",
			      json_object_get(config, "humaneval"), "model", model);

	json_object_set_new(k, "judge", judge ? json_deep_copy(judge) : json_null());
	/* Only where given, so the keys of runs at the reference's counts
	 * stay what they were. */
	if (json_object_get(config, "shots"))
		json_object_set(k, "shots", json_object_get(config, "shots"));
	return k;
}

/* The identities of the run's two backends. */
struct run_ids {
	json_t *model, *judge;
};

/* Opens the run in the store and puts the cache in front of the model
 * and the judge. */
static int begin_stored_run(const struct ie_eval_config *cfg, const json_t *config,
			    const json_t *model, const struct run_ids *ids, struct run_backends *rb,
			    int *resumed, struct ie_error *err)
{
	json_t *kj = run_key_json(config, ids->model, ids->judge);
	char key[65];
	struct store_run_info info = { .key = key, .command = "run", .config = config,
				       .model = model, .tasks = cfg->tasks, .tags = cfg->tags };
	int ret;

	key_json(kj, key);
	json_decref(kj);
	if ((ret = store_run_begin(cfg->store, &info, &rb->run, resumed, err)) < 0)
		return ret;
	rb->model = cache_backend_new(rb->model, cfg->store, ids->model);
	if (rb->judge)
		rb->judge = cache_backend_new(rb->judge, cfg->store, ids->judge);
	return 0;
}

/* Closes the run in the store: finished with its results, or failed. */
static int end_stored_run(const struct ie_eval_config *cfg, struct run_backends *rb,
			  struct ie_backend *b, const json_t *res, int ret, struct ie_error *err)
{
	struct ie_error ignored = { 0 };

	if (rb->model != b) {
		ie_backend_free(rb->model);
		if (rb->judge != cfg->judge)
			ie_backend_free(rb->judge);
	}
	if (!cfg->store || rb->run <= 0)
		return ret;
	/* A failed run is reported by its own error, whatever recording it
	 * as failed gives. */
	if (ret < 0) {
		store_run_end(cfg->store, rb->run, "failed", NULL, &ignored);
		return ret;
	}
	return store_run_end(cfg->store, rb->run, "finished", res, err);
}

static json_t *new_results(const struct ie_eval_config *cfg, char **names, size_t n,
			   json_t *model, json_t *judge)
{
	json_t *res = json_pack("{s:{s:s, s:s}, s:O, s:o}", "instructeval", "version",
				ie_version(), "llama_cpp", IE_LLAMA_VERSION, "model", model,
				"config", config_json(cfg, names, n));

	if (judge)
		json_object_set(res, "judge", judge);
	return res;
}

/* The file's path in the data folder (its published layout), or the path
 * as read when it is outside. */
static const char *data_rel(const char *data_dir, const char *path)
{
	size_t n = strlen(data_dir);

	while (n > 1 && data_dir[n - 1] == '/')
		n--;
	return !strncmp(path, data_dir, n) && path[n] == '/' ? path + n + 1 : path;
}

/* Adds each file t read to files ({path: {sha256, check}}), checked
 * against the hash it should have: "verified", "modified" or "unknown"
 * (no hash known). A modified file is refused unless the run allows it. */
static int check_files(const struct ie_eval_config *cfg, const struct task *t,
		       const json_t *expected, json_t *files, struct ie_error *err)
{
	for (size_t i = 0; i < t->files.n; i++) {
		const struct read_ledger_entry *e = &t->files.v[i];
		const char *rel = data_rel(cfg->data_dir, e->path);
		const json_t *want = json_object_get(expected, rel);
		const char *sha = json_string_value(json_object_get(want, "sha256"));
		const char *check = !sha ? "unknown" : strcmp(sha, e->sha256) ? "modified"
									 : "verified";

		json_object_set_new(files, rel, json_pack("{s:s, s:s}", "sha256", e->sha256,
							  "check", check));
		if (!strcmp(check, "modified") && !cfg->allow_modified_data)
			return ie_error_set(err, IE_EMODIFIED,
					    "data file '%s' is not the %s one: sha256 %s, expected %s",
					    e->path,
					    strcmp(json_string_value(json_object_get(want, "source")),
						   "pinned")
						    ? "downloaded"
						    : "published",
					    e->sha256, sha);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One hash of every data file's path and hash, in path order: what the
 * run key holds, so that other data is other work. */
static json_t *files_digest(const json_t *files)
{
	const char **keys = xcalloc(json_object_size(files) + 1, sizeof(*keys));
	const char *k;
	json_t *v;
	size_t n = 0;
	struct sha256 h;
	char hex[65];

	json_object_foreach((json_t *)files, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	sha256_init(&h);
	for (size_t i = 0; i < n; i++) {
		const char *sha = json_string_value(json_object_get(json_object_get(files, keys[i]),
								    "sha256"));

		sha256_update(&h, keys[i], strlen(keys[i]) + 1);
		sha256_update(&h, sha, strlen(sha) + 1);
	}
	sha256_final_hex(&h, hex);
	free(keys);
	return json_string(hex);
}

/* Loads every task's data once before anything runs, so that bad or
 * altered data is refused while nothing is written; *files gets what
 * check_files records. */
static int check_data(const struct ie_eval_config *cfg, char **names, size_t n,
		      json_t **files, struct ie_error *err)
{
	json_t *expected = dataset_expected_hashes(cfg->data_dir);
	int ret = 0;

	*files = json_object();
	for (size_t i = 0; i < n && !ret; i++) {
		struct task t = { 0 };

		if ((ret = task_load(&t, task_find(names[i]), cfg->data_dir, err)) == 0)
			ret = check_files(cfg, &t, expected, *files, err);
		task_release(&t);
	}
	json_decref(expected);
	return ret;
}

/* A task the model cannot do is refused before anything runs: a server
 * that returns no log-probabilities cannot answer HHH, and its answers
 * must not be scored as wrong ones. */
static int check_capabilities(struct ie_backend *b, char **names, size_t n,
			      struct ie_error *err)
{
	unsigned caps = ie_backend_caps(b);
	struct ie_backend_info info;

	ie_backend_get_info(b, &info);
	for (size_t i = 0; i < n; i++) {
		const struct task_ops *t = task_find(names[i]);
		unsigned needs = t->needs ? t->needs : IE_CAP_GENERATE;

		if ((caps & needs) != needs)
			return ie_error_set(err, IE_EUSAGE,
					    "%s needs %s, which %s does not give: leave it out",
					    t->title, needs & IE_CAP_NEXT_SCORES
						      ? "next-token log-probabilities"
						      : "generated text",
					    info.model_path);
	}
	return 0;
}

/* Shot counts run from 0 to a task's reference count: its exemplars are
 * the first N of the reference's, so that every count pairs item by item. */
static int check_shots(const struct ie_eval_config *cfg, char **names, size_t n,
		       struct ie_error *err)
{
	for (size_t i = 0; cfg->set_shots && i < n; i++) {
		const struct task_ops *t = task_find(names[i]);

		if (cfg->shots < 0 || (t->shots && cfg->shots > t->shots))
			return ie_error_set(err, IE_EUSAGE, "%s takes 0 to %d shots, not %d",
					    t->title, t->shots, cfg->shots);
	}
	return 0;
}

int ie_eval_run(const struct ie_eval_config *cfg, struct ie_backend *b, json_t **results,
		struct ie_error *err)
{
	char **names = NULL, started[32], finished[32];
	size_t n = 0;
	json_t *res = NULL, *scores = json_object(), *counts = json_object(), *model = NULL,
	       *judge = NULL, *files = NULL;
	struct run_ids ids = { NULL, NULL };
	struct run_backends rb = { .model = b, .judge = cfg->judge };
	struct ie_hash_memo memo;
	double t0 = progress_now();
	int ret, resumed = 0;

	*results = NULL;
	if (cfg->store)
		cache_hash_memo(cfg->store, &memo);
	if ((ret = ie_tasks_expand(cfg->tasks, &names, &n, err)) < 0 ||
	    (ret = check_shots(cfg, names, n, err)) < 0 ||
	    (ret = check_capabilities(b, names, n, err)) < 0 ||
	    (ret = check_data(cfg, names, n, &files, err)) < 0)
		goto out;
	if (cfg->out_dir && (ret = file_mkdirs(cfg->out_dir, err)) < 0)
		goto out;
	if ((ret = model_json(b, cfg->store ? &memo : NULL, &ids.model, &model, err)) < 0)
		goto out;
	if (cfg->judge && (ret = model_json(cfg->judge, cfg->store ? &memo : NULL, &ids.judge,
					    &judge, err)) < 0)
		goto out;
	now_iso(started, sizeof(started));
	res = new_results(cfg, names, n, model, judge);
	json_object_set(res, "data_files", files);
	json_object_set_new(json_object_get(res, "config"), "data_sha256", files_digest(files));
	if (cfg->store && (ret = begin_stored_run(cfg, json_object_get(res, "config"), model,
						  &ids, &rb, &resumed, err)) < 0)
		goto out;
	if (cfg->store)
		json_object_set_new(res, "run",
				    json_pack("{s:I, s:s, s:b}", "id", (json_int_t)rb.run, "store",
					      store_path(cfg->store), "resumed", resumed));
	for (size_t i = 0; i < n && !ret; i++)
		ret = eval_task(cfg, &rb, names[i], scores, counts, err);
	now_iso(finished, sizeof(finished));
	json_object_set_new(res, "started", json_string(started));
	json_object_set_new(res, "finished", json_string(finished));
	json_object_set_new(res, "duration_s", json_real(progress_now() - t0));
	json_object_set(res, "counts", counts);
	json_object_set(res, "scores", scores);
	if (!ret && cfg->out_dir) {
		char *path = path_join(cfg->out_dir, "results.json");

		ret = report_write_json(path, res, err);
		free(path);
	}
	ret = end_stored_run(cfg, &rb, b, res, ret, err);
out:
	ie_tasks_free(names, n);
	json_decref(model);
	json_decref(judge);
	json_decref(files);
	json_decref(ids.model);
	json_decref(ids.judge);
	json_decref(scores);
	json_decref(counts);
	if (ret < 0) {
		json_decref(res);
		return ret;
	}
	*results = res;
	return 0;
}

int ie_prompts_write(const char *name, const char *data_dir, size_t limit, int shots,
		     int multiturn, struct ie_backend *fit, FILE *out, struct ie_error *err)
{
	const struct task_ops *ops = task_find(name);
	struct task t = { 0 };
	struct sample_set set = { 0 };
	struct task_opts o = { .fit = fit, .limit = limit, .set_shots = shots >= 0,
			       .shots = shots, .multiturn = multiturn };
	struct ie_eval_config cfg = { .set_shots = shots >= 0, .shots = shots };
	struct strbuf sb = STRBUF_INIT;
	char *names[1] = { (char *)name };
	int ret;

	if (!ops)
		return unknown_task(name, 0, err);
	if ((ret = check_shots(&cfg, names, 1, err)) < 0)
		return ret;
	if ((ret = task_load(&t, ops, data_dir, err)) < 0)
		goto out;
	if ((ret = ops->build(&t, &o, &set, err)) < 0)
		goto out;
	for (size_t i = 0; i < set.n; i++) {
		struct sample *s = &set.v[i];

		if (s->shots < 0 && ops->fit_shots && (ret = ops->fit_shots(&t, s, fit, err)) < 0)
			goto out;
		for (size_t j = 0; j < s->n_reqs; j++) {
			const char *label = ops->request_label ? ops->request_label(&t, s, j)
							       : s->label;
			char *made;
			const char *prompt = sample_prompt(&t, s, j, &made);
			json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "task", name,
						"subtask", s->subtask, "id", s->id, "prompt",
						prompt, "label", label, "shots", s->shots);
			char *rendered = NULL;

			if (fit && (ret = ie_backend_render(fit, prompt, &rendered, err)) < 0) {
				free(made);
				json_decref(rec);
				goto out;
			}
			if (multiturn)
				json_object_set_new(rec, "turns", chat_msgs_json(NULL, prompt, 1));
			if (rendered)
				json_object_set_new(rec, "model_prompt", json_string(rendered));
			free(rendered);
			free(made);
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
		ie_error_set(err, IE_EINPUT, "no stored IMPACT answers: '%s' is missing (it "
			     "needs the folder a run of IMPACT wrote its samples to)", path.buf);
	if (!ret)
		ret = json_lines_parse(text, len, path.buf, &records, err);
	if (!ret)
		ret = impact_samples_from_records(records, path.buf, set, err);
	json_decref(records);
	free(text);
	strbuf_release(&path);
	return ret;
}

int ie_rejudge(const char *run_dir, struct ie_backend *judge, struct store *st, int quiet,
	       json_t **results, struct ie_error *err)
{
	struct task t = { .ops = &impact_task };
	struct sample_set set = { 0 };
	struct task_opts o = { .judge = judge, .quiet = quiet };
	struct ie_hash_memo memo;
	json_t *jid = NULL;
	char *res_path = path_join(run_dir, "results.json"), judged[32];
	json_t *res = NULL, *jm = NULL;
	int ret;

	*results = NULL;
	if ((ret = json_file_load(res_path, "(not a results folder of 'instructeval run')", &res,
				  err)) < 0)
		goto out;
	if ((ret = load_impact_answers(run_dir, &set, err)) < 0)
		goto out;
	if (st)
		cache_hash_memo(st, &memo);
	if ((ret = model_json(judge, st ? &memo : NULL, &jid, &jm, err)) < 0)
		goto out;
	if (st)
		o.judge = cache_backend_new(judge, st, jid);
	ret = impact_task.score_batch(&t, &set, &o, err);
	if (o.judge != judge)
		ie_backend_free(o.judge);
	if (ret < 0)
		goto out;
	now_iso(judged, sizeof(judged));
	json_object_set_new(jm, "judged", json_string(judged));
	json_object_set_new(res, "judge", jm);
	jm = NULL;
	if (!json_is_object(json_object_get(res, "scores")))
		json_object_set_new(res, "scores", json_object());
	json_object_set_new(json_object_get(res, "scores"), "impact",
			    impact_task.aggregate(&t, &set));
	if ((ret = save_samples(run_dir, NULL, 0, &t, &set, err)) < 0)
		goto out;
	ret = report_write_json(res_path, res, err);
out:
	json_decref(jid);
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
