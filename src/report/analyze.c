/*
 * The paper's questions asked of a store: how scores go with a tag (the
 * foundation model, the instruction data, the training method, the size)
 * or with the model, and what exemplars do to each task.
 *
 * Grouped means average the models of a group, each model's number from
 * the leaderboard's entries. Their 95% interval is the items' sampling
 * error only (the runs' standard errors combined): it says how sure the
 * mean of these models is, not how the next model of the group would
 * score, which the spread across models ("sd") hints at.
 *
 * Shot effects pair each model's runs at two counts item by item (the
 * test items never change with the count), as compare does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/analyze.h"
#include "report/compare.h"
#include "report/leaderboard.h"
#include "report/report.h"
#include "store/store.h"
#include "tasks/task.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_SHOTS 100

/* The group an entry falls in: its tag's value (NULL when it has none),
 * or for the model analysis its label; with its settings when they are
 * not the reference's, so that no group mixes settings. */
static const char *group_of(const json_t *e, const char *tag, struct strbuf *sb)
{
	const char *settings = json_string_value(json_object_get(e, "settings"));
	const char *v = tag ? json_string_value(json_object_get(json_object_get(e, "tags"), tag))
			    : json_string_value(json_object_get(e, "model"));

	if (!v)
		return NULL;
	strbuf_reset(sb);
	if (tag)
		strbuf_addf(sb, "%s=", tag);
	strbuf_adds(sb, v);
	if (settings && *settings)
		strbuf_addf(sb, " (%s)", settings);
	return sb->buf;
}

/* What is averaged: each task's score, and each board's average where the
 * board reads more than one task (problem solving). */
static void add_value(json_t *group, const char *name, const char *model, double score,
		      double se, int judged)
{
	json_t *vals = json_object_get(group, "values"), *v = json_object_get(vals, name);

	if (!v) {
		v = json_pack("{s:[], s:[], s:[], s:b}", "models", "scores", "stderrs", "judged",
			      judged);
		json_object_set_new(vals, name, v);
	}
	json_array_append_new(json_object_get(v, "models"), json_string(model));
	json_array_append_new(json_object_get(v, "scores"), json_real(score));
	json_array_append_new(json_object_get(v, "stderrs"), json_real(se));
}

/* The problem-solving board's average, for a model that ran all its tasks. */
static void add_board_averages(json_t *group, const json_t *e, const char *model)
{
	const json_t *scores = json_object_get(e, "scores");

	for (size_t b = 0; b < report_boards_n(); b++) {
		size_t n = report_board_columns(b), have = 0;
		double sum = 0, var = 0;
		char name[96];

		if (n < 2 || !report_board_task(b, 0) ||
		    !strcmp(report_board_task(b, 0), report_board_task(b, 1)))
			continue;
		for (size_t c = 0; c < n; c++) {
			const json_t *s = json_object_get(scores, report_board_task(b, c));

			if (!json_is_number(json_object_get(s, "score")))
				break;
			sum += json_number_value(json_object_get(s, "score"));
			var += pow(json_number_value(json_object_get(s, "stderr")), 2);
			have++;
		}
		if (have < n)
			continue;
		snprintf(name, sizeof(name), "%s average", report_board_title(b));
		add_value(group, name, model, sum / (double)n, sqrt(var) / (double)n, 0);
	}
}

static void add_entry(json_t *group, const json_t *e)
{
	const char *model = json_string_value(json_object_get(e, "model"));
	const struct task_ops *const *all = task_all();

	json_array_append_new(json_object_get(group, "models"), json_string(model));
	for (size_t i = 0; all[i]; i++) {
		const json_t *s = json_object_get(json_object_get(e, "scores"), all[i]->name);

		if (json_is_number(json_object_get(s, "score")))
			add_value(group, all[i]->name, model,
				  json_number_value(json_object_get(s, "score")),
				  json_number_value(json_object_get(s, "stderr")),
				  all[i]->continuous);
	}
	add_board_averages(group, e, model);
}

/* Mean, interval and spread of one value over a group's models. */
static void summarise(json_t *v)
{
	const json_t *scores = json_object_get(v, "scores"), *ses = json_object_get(v, "stderrs");
	size_t k = json_array_size(scores);
	double sum = 0, var = 0, sq = 0, mean;

	for (size_t i = 0; i < k; i++) {
		sum += json_real_value(json_array_get(scores, i));
		var += pow(json_real_value(json_array_get(ses, i)), 2);
	}
	mean = sum / (double)k;
	for (size_t i = 0; i < k; i++)
		sq += pow(json_real_value(json_array_get(scores, i)) - mean, 2);
	json_object_set_new(v, "n", json_integer((json_int_t)k));
	json_object_set_new(v, "mean", json_real(mean));
	json_object_set_new(v, "lo", json_real(mean - 1.96 * sqrt(var) / (double)k));
	json_object_set_new(v, "hi", json_real(mean + 1.96 * sqrt(var) / (double)k));
	json_object_set_new(v, "sd", k > 1 ? json_real(sqrt(sq / (double)(k - 1))) : json_null());
}

static void add_once(json_t *list, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), s))
			return;
	json_array_append_new(list, json_string(s));
}

/* The entries of one model at one setting made one: a judged task's
 * entries (one per judge) join the rest, the newest judge's numbers kept. */
json_t *analyze_models(const json_t *entries)
{
	json_t *by = json_object(), *out = json_array(), *e, *m, *v;
	struct strbuf key = STRBUF_INIT;
	const char *k;
	size_t i;

	json_array_foreach(entries, i, e) {
		strbuf_reset(&key);
		strbuf_addf(&key, "%s\x1f%s", json_string_value(json_object_get(e, "model_key")),
			    json_string_value(json_object_get(e, "settings")));
		if (!(m = json_object_get(by, key.buf))) {
			m = json_deep_copy(e);
			json_object_set_new(by, key.buf, m);
			json_array_append(out, m);
			continue;
		}
		json_object_foreach(json_object_get(e, "scores"), k, v)
			if (!json_object_get(json_object_get(m, "scores"), k))
				json_object_set(json_object_get(m, "scores"), k, v);
	}
	strbuf_release(&key);
	json_decref(by);
	return out;
}

json_t *analyze_groups(const json_t *all, const char *tag)
{
	json_t *groups = json_object(), *untagged = json_array(), *e, *g;
	json_t *entries = analyze_models(all);
	struct strbuf sb = STRBUF_INIT;
	const char *name;
	size_t i;

	json_array_foreach(entries, i, e) {
		const char *value = group_of(e, tag, &sb);

		if (!value) {
			add_once(untagged, json_string_value(json_object_get(e, "model")));
			continue;
		}
		if (!(g = json_object_get(groups, value))) {
			g = json_pack("{s:[], s:{}}", "models", "values");
			json_object_set_new(groups, value, g);
		}
		add_entry(g, e);
	}
	json_object_foreach(groups, name, g) {
		const char *vn;
		json_t *v;

		json_object_foreach(json_object_get(g, "values"), vn, v)
			summarise(v);
	}
	strbuf_release(&sb);
	json_decref(entries);
	return json_pack("{s:s, s:o, s:o}", "by", tag ? tag : "model", "groups", groups,
			 "untagged", untagged);
}

static void print_value(FILE *f, const char *name, const json_t *v)
{
	int judged = json_is_true(json_object_get(v, "judged"));
	double m = judged ? 1 : 100;
	const json_t *sd = json_object_get(v, "sd");
	char ci[48];

	snprintf(ci, sizeof(ci), "[%.2f, %.2f]", m * json_real_value(json_object_get(v, "lo")),
		 m * json_real_value(json_object_get(v, "hi")));
	fprintf(f, "  %-32.32s %8.2f  %-18s %6lld", name,
		m * json_real_value(json_object_get(v, "mean")), ci,
		(long long)json_integer_value(json_object_get(v, "n")));
	if (json_is_number(sd))
		fprintf(f, "  %8.2f", m * json_real_value(sd));
	fputc('\n', f);
}

void analyze_groups_print(FILE *f, const json_t *a)
{
	const char *by = json_string_value(json_object_get(a, "by")), *name;
	const json_t *untagged = json_object_get(a, "untagged");
	json_t *g;
	size_t i;

	json_object_foreach(json_object_get(a, "groups"), name, g) {
		const char *vn;
		json_t *v, *m;

		fputs(name, f);
		if (strcmp(by, "model")) {
			fputs(":", f);
			json_array_foreach(json_object_get(g, "models"), i, m)
				fprintf(f, "%s %s", i ? "," : "", json_string_value(m));
		}
		fprintf(f, "\n  %-32s %8s  %-18s %6s  %8s\n", "task", "mean", "95% interval",
			"models", "sd");
		json_object_foreach(json_object_get(g, "values"), vn, v)
			print_value(f, vn, v);
		fputc('\n', f);
	}
	if (json_array_size(untagged)) {
		fprintf(f, "without a '%s' tag:", by);
		json_array_foreach(untagged, i, g)
			fprintf(f, "%s %s", i ? "," : "", json_string_value(g));
		fputc('\n', f);
	}
	fprintf(f, "Scores in percent (IMPACT: the judge's 1-5 scale). The interval is the\n"
		   "items' sampling error of the group's mean; sd is the spread across its\n"
		   "models.\n");
}

/* ---- shot counts ---- */

/* A model's runs of one task at one setting, by shot count. */
struct shot_series {
	char *key, *settings;
	const char *task, *model;
	const json_t *runs[MAX_SHOTS + 1]; /* the newest run at each count */
};

struct series_list {
	struct shot_series *v;
	size_t n, cap;
};

static struct shot_series *series_get(struct series_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key))
			return &l->v[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	l->v[l->n].key = xstrdup(key);
	return &l->v[l->n++];
}

/* Files each few-shot task of run under its model and other settings. */
static void add_series(struct series_list *l, const json_t *runs, const json_t *run,
		       struct strbuf *sb)
{
	const json_t *scores = json_object_get(json_object_get(run, "results"), "scores");
	const char *task, *sha = json_string_value(json_object_get(json_object_get(run, "model"),
								    "sha256"));
	json_t *s;

	json_object_foreach((json_t *)scores, task, s) {
		const struct task_ops *ops = task_find(task);
		int n = leaderboard_shots(run, task);
		struct strbuf key = STRBUF_INIT;
		struct shot_series *ss;

		if (!ops || !ops->shots || n < 0 || n > MAX_SHOTS)
			continue;
		leaderboard_settings(run, task, 0, sb);
		strbuf_addf(&key, "%s\x1f%s\x1f%s", sha ? sha : leaderboard_model_label(run), task,
			    strbuf_str(sb));
		ss = series_get(l, key.buf);
		strbuf_release(&key);
		if (!ss->task) {
			ss->task = ops->name;
			ss->model = leaderboard_model_name(runs, run);
			ss->settings = xstrdup(strbuf_str(sb));
		}
		if (!ss->runs[n])
			ss->runs[n] = run;
	}
}

/* Stored samples of runs, each loaded once. */
struct sides {
	struct compare_side *v;
	size_t n, cap;
};

static int side_of(struct store *st, struct sides *ss, const json_t *run,
		   const struct compare_side **out, struct ie_error *err)
{
	struct compare_side *s;
	int ret;

	for (size_t i = 0; i < ss->n; i++)
		if (ss->v[i].run == run) {
			*out = &ss->v[i];
			return 0;
		}
	if (ss->n == ss->cap) {
		ss->cap = ss->cap ? 2 * ss->cap : 8;
		ss->v = xrealloc(ss->v, ss->cap * sizeof(*ss->v));
	}
	s = &ss->v[ss->n];
	memset(s, 0, sizeof(*s));
	s->run = run;
	if ((ret = store_run_samples_get(st, json_integer_value(json_object_get(run, "id")),
					 &s->names, &s->texts, &s->n, err)) < 0)
		return ret;
	*out = &ss->v[ss->n++];
	return 0;
}

static void sides_release(struct sides *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		compare_side_release(&ss->v[i]);
	free(ss->v);
}

/* The series' scores by count, and each count paired with the lowest. */
static int series_json(struct store *st, struct sides *sides, const struct shot_series *ss,
		       const struct compare_options *o, json_t **out, struct ie_error *err)
{
	const struct task_ops *ops = task_find(ss->task);
	struct compare_options one = *o;
	json_t *counts = json_object(), *diffs = json_array();
	int base = -1, ret = 0;

	one.subtasks = 0;
	for (int n = 0; n <= MAX_SHOTS && !ret; n++) {
		const json_t *score;
		const struct compare_side *a, *b;
		char c[8];

		if (!ss->runs[n])
			continue;
		score = json_object_get(json_object_get(json_object_get(json_object_get(ss->runs[n],
			"results"), "scores"), ss->task), "score");
		snprintf(c, sizeof(c), "%d", n);
		json_object_set_new(counts, c, json_pack("{s:O, s:O}", "run",
							 json_object_get(ss->runs[n], "id"),
							 "score", score));
		if (base < 0) {
			base = n;
			continue;
		}
		if ((ret = side_of(st, sides, ss->runs[n], &a, err)) < 0 ||
		    (ret = side_of(st, sides, ss->runs[base], &b, err)) < 0)
			break;
		{
			json_t *rows = json_array();

			ret = compare_task(ops, a, b, &one, rows, err);
			if (!ret && json_array_size(rows)) {
				json_t *r = json_array_get(rows, 0);

				json_object_set_new(r, "shots", json_integer(n));
				json_object_set_new(r, "baseline", json_integer(base));
				json_array_append(diffs, r);
			}
			json_decref(rows);
		}
	}
	*out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "model", ss->model, "task", ss->task,
			 "settings", ss->settings, "counts", counts, "differences", diffs);
	return ret;
}

int analyze_shots(struct store *st, const json_t *runs, const struct compare_options *o,
		  json_t **out, struct ie_error *err)
{
	struct series_list l = { 0 };
	struct sides sides = { 0 };
	struct strbuf sb = STRBUF_INIT;
	json_t *series = json_array(), *run;
	size_t i;
	int ret = 0;

	json_array_foreach(runs, i, run) {
		const char *status = json_string_value(json_object_get(run, "status"));

		if (status && !strcmp(status, "finished"))
			add_series(&l, runs, run, &sb);
	}
	for (i = 0; i < l.n && !ret; i++) {
		json_t *j = NULL;
		size_t counts = 0;

		for (int n = 0; n <= MAX_SHOTS; n++)
			counts += l.v[i].runs[n] != NULL;
		if (counts > 1 && (ret = series_json(st, &sides, &l.v[i], o, &j, err)) == 0)
			json_array_append_new(series, j);
		else
			json_decref(j);
	}
	for (i = 0; i < l.n; i++) {
		free(l.v[i].key);
		free(l.v[i].settings);
	}
	free(l.v);
	sides_release(&sides);
	strbuf_release(&sb);
	if (ret < 0) {
		json_decref(series);
		return ret;
	}
	*out = json_pack("{s:s, s:o}", "by", "shots", "series", series);
	return 0;
}

void analyze_shots_print(FILE *f, const json_t *a)
{
	size_t i, k;
	json_t *s, *d;

	fprintf(f, "%-24s %-8s %-14s %6s %8s %8s %8s  %-18s %7s\n", "model", "task", "shots",
		"n", "with", "without", "diff", "95% interval", "p");
	json_array_foreach(json_object_get(a, "series"), i, s) {
		const char *settings = json_string_value(json_object_get(s, "settings"));
		struct strbuf name = STRBUF_INIT;

		strbuf_adds(&name, json_string_value(json_object_get(s, "model")));
		if (settings && *settings)
			strbuf_addf(&name, " (%s)", settings);
		json_array_foreach(json_object_get(s, "differences"), k, d) {
			char shots[32], ci[48];

			snprintf(shots, sizeof(shots), "%lld minus %lld",
				 (long long)json_integer_value(json_object_get(d, "shots")),
				 (long long)json_integer_value(json_object_get(d, "baseline")));
			compare_interval(d, 100, ci, sizeof(ci));
			fprintf(f, "%-24.24s %-8s %-14s %6lld %8.2f %8.2f %+8.2f  %-18s %7.3f %s %s\n",
				name.buf, json_string_value(json_object_get(s, "task")), shots,
				(long long)json_integer_value(json_object_get(d, "n")),
				100 * json_real_value(json_object_get(d, "a")),
				100 * json_real_value(json_object_get(d, "b")),
				100 * json_real_value(json_object_get(d, "diff")), ci,
				json_real_value(json_object_get(d, "p")),
				json_is_true(json_object_get(d, "significant")) ? "*" : " ",
				json_string_value(json_object_get(d, "test")));
		}
		strbuf_release(&name);
	}
	fprintf(f, "\nAccuracy in percent with the higher count (with) and the lower (without),\n"
		   "paired on the same test items; * the 95%% interval excludes 0.\n");
}
