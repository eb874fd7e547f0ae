/*
 * DROP (discrete reasoning over paragraphs), 3-shot. Rows come from the
 * original dev file the way the hub copy the reference used builds them:
 * each question's answer strings are gathered from its validated answers
 * (number, else date, then spans); questions whose validated answers mix
 * kinds or give nothing are dropped, and only questions with exactly one
 * distinct answer are kept. Three exemplars are drawn with Python's
 * random.sample after random.seed(0); the test set is every kept question
 * whose passage is not an exemplar's. Scored by prefix (the leaderboard's
 * number) and, beside it, by the official DROP exact match and token F1.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics/accuracy.h"
#include "metrics/drop.h"
#include "tasks/fewshot.h"
#include "tasks/tasks.h"
#include "util/jsonfile.h"
#include "util/pyrandom.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct drop_row {
	const char *passage, *question, *query_id; /* point into the loaded JSON */
	json_t *answers; /* the answer strings, an array */
	json_t *golds;   /* every gold answer as a list of spans, for F1/EM */
};

struct drop_data {
	struct fewshot fs; /* first: the few-shot ops take t->data as one */
	json_t *golds;     /* per test item, in item order */
};

static int date_is_set(const json_t *date)
{
	const char *parts[] = { "day", "month", "year" };

	for (int i = 0; i < 3; i++) {
		const char *v = json_str(date, parts[i]);

		if (v && *v)
			return 1;
	}
	return 0;
}

/* (day + " " + month + " " + year).strip(), inner double spaces kept. */
static char *date_text(const json_t *date)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	const char *d = json_str(date, "day"), *m = json_str(date, "month");
	const char *y = json_str(date, "year");

	strbuf_addf(&sb, "%s %s %s", d ? d : "", m ? m : "", y ? y : "");
	s = text_strip(sb.buf);
	strbuf_release(&sb);
	return s;
}

/* The answer strings one validated answer contributes; -1 when it mixes
 * a number with a date or spans, or a date with spans. */
static int add_answer_strings(const json_t *ans, json_t *out)
{
	const char *number = json_str(ans, "number");
	const json_t *date = json_object_get(ans, "date"), *spans = json_object_get(ans, "spans");
	int has_number = number && *number, has_date = date_is_set(date);
	int has_spans = json_array_size(spans) > 0;
	size_t i;
	json_t *v;

	if ((has_number && (has_date || has_spans)) || (has_date && has_spans))
		return -1;
	if (has_number) {
		json_array_append_new(out, json_string(number));
	} else if (has_date) {
		char *d = date_text(date);

		json_array_append_new(out, json_string(d));
		free(d);
	}
	json_array_foreach(spans, i, v)
		if (json_is_string(v))
			json_array_append(out, v);
	return 0;
}

/* The official metric's view of an answer: [number], [date] or spans. */
static json_t *gold_spans(const json_t *ans)
{
	json_t *spans = json_array();
	const char *number = json_str(ans, "number");

	if (number && *number) {
		json_array_append_new(spans, json_string(number));
	} else if (json_array_size(json_object_get(ans, "spans"))) {
		json_array_extend(spans, json_object_get(ans, "spans"));
	} else if (date_is_set(json_object_get(ans, "date"))) {
		char *d = date_text(json_object_get(ans, "date"));

		json_array_append_new(spans, json_string(d));
		free(d);
	}
	return spans;
}

static json_t *all_golds(const json_t *qa)
{
	json_t *golds = json_array(), *va;
	size_t i;

	if (json_object_get(qa, "answer"))
		json_array_append_new(golds, gold_spans(json_object_get(qa, "answer")));
	json_array_foreach(json_object_get(qa, "validated_answers"), i, va)
		json_array_append_new(golds, gold_spans(va));
	return golds;
}

/* Exactly one distinct value among the stripped answer strings. */
static int single_answer(const json_t *answers)
{
	char *first = NULL;
	int same = 1;
	size_t i;
	json_t *v;

	json_array_foreach(answers, i, v) {
		char *s = text_strip(json_string_value(v));

		if (!first)
			first = s;
		else {
			same = same && !strcmp(first, s);
			free(s);
		}
	}
	free(first);
	return json_array_size(answers) > 0 && same;
}

static void push_row(struct drop_row **rows, size_t *n, size_t *cap, const json_t *section,
		     const json_t *qa, json_t *answers)
{
	struct drop_row *r;

	XGROW(*rows, *cap, *n + 1);
	r = &(*rows)[(*n)++];
	r->passage = json_str(section, "passage");
	r->question = json_str(qa, "question");
	r->query_id = json_str(qa, "query_id");
	r->answers = answers;
	r->golds = all_golds(qa);
}

/* A question's fields, and its query id not seen before in the file: the
 * id names the question's sample, and two would be taken for one. seen
 * maps the ids so far to their sections. */
static int check_qa(const char *path, const char *sid, const json_t *section, const json_t *qa,
		    json_t *seen, struct ie_error *err)
{
	const char *id = json_str(qa, "query_id");
	const json_t *before;

	if (!json_str(section, "passage") || !json_str(qa, "question") || !id ||
	    !json_is_array(json_object_get(qa, "validated_answers")))
		return ie_error_set(err, IE_EINPUT, "%s: section '%s': a question lacks "
				    "\"question\", \"query_id\", \"validated_answers\" or the "
				    "section its \"passage\"", path, sid);
	if ((before = json_object_get(seen, id)))
		return ie_error_set(err, IE_EINPUT, "%s: section '%s': query_id '%s' repeats "
				    "one of section '%s'", path, sid, id,
				    json_string_value(before));
	json_object_set_new(seen, id, json_string(sid));
	return 0;
}

/* Walks sections and questions in file order and keeps the rows that pass
 * the protocol's drop and filter rules. */
static int collect_rows(const char *path, const json_t *root, struct drop_row **rows,
			size_t *n, struct ie_error *err)
{
	size_t cap = 0, i, j;
	const char *sid;
	json_t *section, *qa, *va;
	json_t *seen = json_object();
	int ret = 0;

	*rows = NULL;
	*n = 0;
	json_object_foreach((json_t *)root, sid, section) {
		json_array_foreach(json_object_get(section, "qa_pairs"), i, qa) {
			json_t *answers;
			int ok = 1;

			if ((ret = check_qa(path, sid, section, qa, seen, err)) < 0)
				goto out;
			answers = json_array();
			json_array_foreach(json_object_get(qa, "validated_answers"), j, va)
				if (ok && add_answer_strings(va, answers) < 0)
					ok = 0;
			if (ok && single_answer(answers))
				push_row(rows, n, &cap, section, qa, answers);
			else
				json_decref(answers);
		}
	}
out:
	json_decref(seen);
	return ret;
}

static char *drop_query(const struct drop_row *r)
{
	struct strbuf sb = STRBUF_INIT;
	char *p = text_strip(r->passage), *q = text_strip(r->question);

	strbuf_addf(&sb, "%s %s\nAnswer:", p, q);
	free(p);
	free(q);
	return strbuf_detach(&sb, NULL);
}

static char *first_answer(const struct drop_row *r)
{
	return text_strip(json_string_value(json_array_get(r->answers, 0)));
}

static int split_rows(struct drop_data *dd, struct drop_row *rows, size_t n, const char *path,
		      struct ie_error *err)
{
	struct fewshot_group *g = fewshot_add_group(&dd->fs, "drop", "");
	struct pyrandom rng;
	size_t pick[3];

	if (n < 3)
		return ie_error_set(err, IE_EINPUT, "%s: only %zu usable questions; DROP needs "
				    "at least 3", path, n);
	pyrandom_seed(&rng, 0);
	pyrandom_sample(&rng, n, 3, pick);
	g->shots = xcalloc(3, sizeof(*g->shots));
	for (size_t k = 0; k < 3; k++) {
		g->shots[k].query = drop_query(&rows[pick[k]]);
		g->shots[k].answer = first_answer(&rows[pick[k]]);
	}
	g->n_shots = 3;
	for (size_t i = 0; i < n; i++) {
		char *query, *label;

		if (!strcmp(rows[i].passage, rows[pick[0]].passage) ||
		    !strcmp(rows[i].passage, rows[pick[1]].passage) ||
		    !strcmp(rows[i].passage, rows[pick[2]].passage))
			continue;
		query = drop_query(&rows[i]);
		label = first_answer(&rows[i]);
		fewshot_add_item(g, rows[i].query_id, query, label);
		json_array_append(dd->golds, rows[i].golds);
		free(query);
		free(label);
	}
	return 0;
}

static int drop_load(struct task *t, const char *data_dir, struct ie_error *err)
{
	struct drop_data *dd = xcalloc(1, sizeof(*dd));
	char *path = task_data_path(t->ops, data_dir, 0);
	struct drop_row *rows = NULL;
	json_t *root = NULL;
	size_t n = 0;
	int ret;

	t->data = dd;
	dd->fs.k = 3;
	dd->fs.input_limit = 2048;
	dd->fs.max_new_tokens = 8;
	/* Not stopped when decided: the recorded EM and F1 read the whole
	 * first line of the output, not only whether it starts with the label. */
	dd->fs.decide = 0;
	dd->golds = json_array();
	ret = json_file_load(path, NULL, &root, err);
	if (!ret && !json_is_object(root))
		ret = ie_error_set(err, IE_EINPUT, "%s: expected an object of sections", path);
	if (!ret)
		ret = collect_rows(path, root, &rows, &n, err);
	if (!ret)
		ret = split_rows(dd, rows, n, path, err);
	for (size_t i = 0; i < n; i++) {
		json_decref(rows[i].answers);
		json_decref(rows[i].golds);
	}
	free(rows);
	json_decref(root);
	free(path);
	return ret;
}

static int drop_build(struct task *t, const struct task_opts *o, struct sample_set *out,
		      struct ie_error *err)
{
	struct drop_data *dd = t->data;
	size_t first = out->n;
	int ret = fewshot_build(&dd->fs, o, out, err);

	for (size_t i = first; !ret && i < out->n; i++)
		out->v[i].extra = json_pack("{s:O}", "golds", json_array_get(dd->golds, i - first));
	return ret;
}

/* The prediction the official metric sees: the first line of the stripped
 * output, as one span. */
static char *prediction(const struct sample *s)
{
	char *out = text_strip(s->reqs[0].res.text ? s->reqs[0].res.text : "");
	char *nl = strchr(out, '\n');

	if (nl)
		*nl = '\0';
	return out;
}

static void drop_score(struct task *t, struct sample *s)
{
	json_t *golds = json_object_get(s->extra, "golds"), *g;
	size_t n = json_array_size(golds), i;
	const char ***spans = xcalloc(n ? n : 1, sizeof(*spans));
	size_t *n_spans = xcalloc(n ? n : 1, sizeof(*n_spans));
	char *pred = prediction(s);
	const char *pred_spans[1] = { pred };
	double em, f1;

	(void)t;
	fewshot_score(s);
	json_array_foreach(golds, i, g) {
		n_spans[i] = json_array_size(g);
		spans[i] = xcalloc(n_spans[i] + 1, sizeof(char *));
		for (size_t k = 0; k < n_spans[i]; k++)
			spans[i][k] = json_string_value(json_array_get(g, k));
	}
	drop_metrics_max(pred_spans, 1, (const char *const *const *)spans, n_spans, n, &em, &f1);
	json_object_set_new(s->extra, "em", json_real(em));
	json_object_set_new(s->extra, "f1", json_real(f1));
	for (i = 0; i < n; i++)
		free(spans[i]);
	free(spans);
	free(n_spans);
	free(pred);
}

static json_t *mean_json(const struct sample_set *set, const char *key)
{
	double *v = xcalloc(set->n + 1, sizeof(double)), mean, se;

	for (size_t i = 0; i < set->n; i++)
		v[i] = json_real_value(json_object_get(set->v[i].extra, key));
	se = sample_mean_stderr(v, set->n, &mean);
	free(v);
	return json_pack("{s:f, s:f, s:I}", "score", mean, "stderr", se, "n",
			 (json_int_t)set->n);
}

static json_t *drop_aggregate(struct task *t, const struct sample_set *set)
{
	json_t *res = fewshot_aggregate(set);

	(void)t;
	json_object_del(res, "subtasks");
	json_object_set_new(res, "metric", json_string("accuracy (prefix match); the "
						       "leaderboard's number"));
	json_object_set_new(res, "official_em", mean_json(set, "em"));
	json_object_set_new(res, "official_f1", mean_json(set, "f1"));
	json_object_set_new(res, "official_note",
			    json_string("DROP's exact match and token F1 (max over gold "
					"answers) of the first line of each output; not used by "
					"the leaderboard"));
	return res;
}

static void drop_record(struct task *t, const struct sample *s, json_t *rec)
{
	fewshot_record(t, s, rec);
	json_object_set(rec, "em", json_object_get(s->extra, "em"));
	json_object_set(rec, "f1", json_object_get(s->extra, "f1"));
	json_object_set(rec, "golds", json_object_get(s->extra, "golds"));
}

static void drop_release(struct task *t)
{
	struct drop_data *dd = t->data;

	if (!dd)
		return;
	fewshot_release(&dd->fs);
	json_decref(dd->golds);
	free(dd);
	t->data = NULL;
}

const struct task_ops drop_task = {
	.name = "drop",
	.title = "DROP",
	.group = "problem-solving",
	.summary = "paragraph questions that take counting or arithmetic, 3-shot",
	.data = { "drop/drop_dataset_dev.json" },
	.shots = 3,
	.load = drop_load,
	.build = drop_build,
	.score = drop_score,
	.aggregate = drop_aggregate,
	.record = drop_record,
	.prompt = fewshot_task_prompt,
	.fit_shots = fewshot_task_fit_shots,
	.release = drop_release,
};
