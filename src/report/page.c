/*
 * The report: one self-contained HTML page over a set of stored runs. It
 * holds the boards, charts drawn as inline SVG (scores by task with 95%
 * error bars, by category, by shot count and by model size when the runs
 * say so), and a browser of the samples, whose records travel inside the
 * page as JSON and are shown by its own script. Nothing is fetched: the
 * page's policy forbids it.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/agreement.h"
#include "report/analyze.h"
#include "report/html.h"
#include "report/leaderboard.h"
#include "report/page.h"
#include "report/report.h"
#include "report/svg.h"
#include "store/store.h"
#include "tasks/task.h"
#include "util/jsonfile.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *str_or(const char *s)
{
	return s ? s : "";
}

static const char *series_name(const json_t *e, struct strbuf *sb)
{
	const char *settings = json_string_value(json_object_get(e, "settings"));

	strbuf_reset(sb);
	strbuf_adds(sb, json_string_value(json_object_get(e, "model")));
	if (settings && *settings)
		strbuf_addf(sb, " (%s)", settings);
	return sb->buf;
}

/* Each model's series names, kept for the charts' lifetime. */
static char **names_of(const json_t *models)
{
	struct strbuf sb = STRBUF_INIT;
	char **names = xcalloc(json_array_size(models) + 1, sizeof(char *));
	size_t i;
	json_t *e;

	json_array_foreach(models, i, e)
		names[i] = xstrdup(series_name(e, &sb));
	strbuf_release(&sb);
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A chart of bars: per category the number at a path under a model's
 * scores ("*" stands for the category), and its 95% error bar where the
 * path ends at an object with a stderr. Categories no model has are left
 * out; nothing is drawn when none is left. */
struct bar_spec {
	const char *title, *unit;
	double scale, ymax;
	const char *const *cats;
	const char *const *labels; /* as shown; NULL: the categories */
	size_t n_cats;
	const char *path[6];
};

static const json_t *at_path(const json_t *v, const char *const *path, const char *cat)
{
	for (int i = 0; i < 6 && path[i] && v; i++)
		v = json_object_get(v, strcmp(path[i], "*") ? path[i] : cat);
	return v;
}

static void bar_values(const struct bar_spec *b, const json_t *models, size_t c, double *y,
		       double *err)
{
	size_t i;
	json_t *e;

	json_array_foreach(models, i, e) {
		const json_t *v = at_path(json_object_get(e, "scores"), b->path, b->cats[c]);
		const json_t *score = json_is_object(v) ? json_object_get(v, "score") : v;
		const json_t *se = json_is_object(v) ? json_object_get(v, "stderr") : NULL;

		y[i] = json_is_number(score) ? b->scale * json_number_value(score) : NAN;
		err[i] = json_is_number(se) ? 1.96 * b->scale * json_number_value(se) : NAN;
	}
}

static void bar_chart(struct strbuf *out, const struct bar_spec *b, const json_t *models,
		      char **names)
{
	size_t n = json_array_size(models), kept = 0, nc = b->n_cats;
	struct svg_series *s = xcalloc(n + 1, sizeof(*s));
	double *y = xcalloc(n * nc + 1, sizeof(double)), *err = xcalloc(n * nc + 1, sizeof(double));
	double *cy = xcalloc(n + 1, sizeof(double)), *ce = xcalloc(n + 1, sizeof(double));
	const char **cats = xcalloc(nc + 1, sizeof(char *));

	for (size_t c = 0; c < nc; c++) {
		int any = 0;

		bar_values(b, models, c, cy, ce);
		for (size_t i = 0; i < n; i++) {
			y[i * nc + kept] = cy[i];
			err[i * nc + kept] = ce[i];
			any |= !isnan(cy[i]);
		}
		if (any)
			cats[kept++] = b->labels ? b->labels[c] : b->cats[c];
	}
	for (size_t i = 0; i < n; i++) {
		s[i].name = names[i];
		s[i].y = y + i * nc;
		s[i].err = err + i * nc;
	}
	if (kept)
		svg_bars(out, b->title, cats, kept, s, n, b->ymax, b->unit);
	free(cats);
	free(ce);
	free(cy);
	free(err);
	free(y);
	free(s);
}

/* The subtasks or categories a task's scores name, in the order met. */
static const char **keys_of(const json_t *models, const char *task, const char *member,
			    size_t *n)
{
	const char **keys = NULL, *k;
	size_t cap = 0, i;
	json_t *e, *v;

	*n = 0;
	json_array_foreach(models, i, e) {
		json_object_foreach(json_object_get(json_object_get(json_object_get(e, "scores"),
								    task), member), k, v) {
			size_t j = 0;

			while (j < *n && strcmp(keys[j], k))
				j++;
			if (j < *n)
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 32;
				keys = xrealloc(keys, cap * sizeof(*keys));
			}
			keys[(*n)++] = k;
		}
	}
	return keys;
}

static void task_charts(struct strbuf *out, const json_t *models, char **names)
{
	static const char *const tasks[] = { "mmlu", "bbh", "drop", "crass", "humaneval", "hhh" };
	static const char *const titles[] = { "MMLU", "BBH", "DROP", "CRASS", "HumanEval",
					      "HHH" };
	static const char *const cats[] = { "Informative", "Professional", "Argumentative",
					    "Creative" };
	static const struct { const char *task, *member, *title; } per[] = {
		{ "mmlu", "categories", "MMLU by category (95% intervals)" },
		{ "bbh", "subtasks", "BBH by task (95% intervals)" },
		{ "hhh", "subtasks", "HHH by subset (95% intervals)" },
	};
	struct bar_spec all = { "Scores by task (95% intervals)", "%", 100, 100, tasks, titles, 6,
				{ "*" } };

	bar_chart(out, &all, models, names);
	for (size_t p = 0; p < sizeof(per) / sizeof(per[0]); p++) {
		size_t n;
		const char **keys = keys_of(models, per[p].task, per[p].member, &n);
		struct bar_spec b = { per[p].title, "%", 100, 100, keys, NULL, n,
				      { per[p].task, per[p].member, "*" } };

		if (n > 1)
			bar_chart(out, &b, models, names);
		free(keys);
	}
	for (int m = 0; m < 2; m++) {
		struct bar_spec b = { m ? "IMPACT coherence by category (judge, 1-5)"
					: "IMPACT relevance by category (judge, 1-5)",
				      "1-5", 1, 5, cats, NULL, 4,
				      { "impact", "reference", m ? "coherence" : "relevance",
					"categories", "*", "mean" } };

		bar_chart(out, &b, models, names);
	}
}

/* Score against shot count: a chart per few-shot task, a line per model
 * (from analyze_shots' series). */
static void shot_charts(struct strbuf *out, const json_t *shots)
{
	const struct task_ops *const *all = task_all();

	for (size_t t = 0; all[t]; t++) {
		struct svg_series s[16];
		double xs[16][8], ys[16][8];
		char title[96];
		size_t n = 0, i;
		json_t *se;

		json_array_foreach(json_object_get(shots, "series"), i, se) {
			const char *k;
			json_t *c;

			if (n == 16 || strcmp(json_string_value(json_object_get(se, "task")),
					      all[t]->name))
				continue;
			s[n] = (struct svg_series){ .name = json_string_value(json_object_get(se,
											    "model")),
						    .x = xs[n], .y = ys[n] };
			json_object_foreach(json_object_get(se, "counts"), k, c) {
				if (s[n].n == 8)
					break;
				xs[n][s[n].n] = atof(k);
				ys[n][s[n].n++] = 100 * json_number_value(json_object_get(c, "score"));
			}
			n++;
		}
		if (!n)
			continue;
		snprintf(title, sizeof(title), "%s by number of shots", all[t]->title);
		svg_xy(out, title, "shots", "%", s, n, 1, 0);
	}
}

/* A size tag in billions of parameters: "7B", "13b", "350M", "1.3B"; a
 * bare number is taken as billions. NAN when it is not one. */
static double size_billions(const char *tag)
{
	char *end;
	double v;

	if (!tag)
		return NAN;
	v = strtod(tag, &end);
	if (end == tag || v <= 0)
		return NAN;
	switch (tolower((unsigned char)*end)) {
	case '\0': case 'b': return v;
	case 'm': return v / 1e3;
	case 'k': return v / 1e6;
	case 't': return v * 1e3;
	default: return NAN;
	}
}

/* The model's size: its "size" tag, else the parameters its file has. */
static double model_size(const json_t *e)
{
	double v = size_billions(json_string_value(json_object_get(json_object_get(e, "tags"),
								   "size")));

	if (isnan(v) && json_integer_value(json_object_get(e, "n_params")) > 0)
		v = (double)json_integer_value(json_object_get(e, "n_params")) / 1e9;
	return v;
}

/* Score against size: a point per model and task, when two or more
 * models of different sizes ran it. */
static void size_chart(struct strbuf *out, const json_t *models)
{
	static const char *const tasks[] = { "mmlu", "bbh", "drop", "crass", "humaneval", "hhh" };
	size_t n = json_array_size(models), used = 0;
	double *x = xcalloc(n + 1, sizeof(double)), *y = xcalloc(6 * n + 1, sizeof(double));
	struct svg_series s[6];
	int differ = 0;

	for (size_t i = 0; i < n; i++) {
		x[i] = model_size(json_array_get(models, i));
		differ |= i && !isnan(x[i]) && x[i] != x[0];
	}
	for (size_t t = 0; t < 6 && differ; t++) {
		size_t have = 0;

		for (size_t i = 0; i < n; i++) {
			const json_t *v = json_object_get(json_object_get(json_object_get(
				json_array_get(models, i), "scores"), tasks[t]), "score");

			y[used * n + i] = json_is_number(v) && !isnan(x[i])
				? 100 * json_number_value(v) : NAN;
			have += !isnan(y[used * n + i]);
		}
		if (have >= 2) {
			s[used] = (struct svg_series){ .name = task_find(tasks[t])->title, .x = x,
						       .y = y + used * n, .n = n };
			used++;
		}
	}
	if (used)
		svg_xy(out, "Score against model size", "parameters (billions, log scale)", "%", s,
		       used, 0, 1);
	free(x);
	free(y);
}

static void runs_table(struct strbuf *out, const json_t *runs)
{
	size_t i;
	json_t *r;

	strbuf_adds(out, "<h2>Runs</h2>\n<table class=\"sortable\"><thead><tr><th>Run</th>"
			 "<th>Model</th><th>Tags</th><th>Tasks</th><th>Items per subtask</th>"
			 "<th>Finished (UTC)</th></tr></thead><tbody>\n");
	json_array_foreach(runs, i, r) {
		const json_t *config = json_object_get(json_object_get(r, "results"), "config");
		json_int_t limit = json_integer_value(json_object_get(config, "limit"));
		const char *k;
		json_t *v;
		int first = 1;

		strbuf_addf(out, "<tr><td class=\"num\" data-v=\"%lld\">%lld</td><td>",
			    (long long)json_integer_value(json_object_get(r, "id")),
			    (long long)json_integer_value(json_object_get(r, "id")));
		html_escape(out, leaderboard_model_name(runs, r));
		strbuf_adds(out, "</td><td>");
		json_object_foreach(json_object_get(r, "tags"), k, v) {
			strbuf_adds(out, first ? "" : ", ");
			html_escape(out, k);
			strbuf_addc(out, '=');
			html_escape(out, json_string_value(v) ? json_string_value(v) : "");
			first = 0;
		}
		strbuf_adds(out, "</td><td>");
		html_escape(out, str_or(json_string_value(json_object_get(r, "tasks"))));
		if (limit > 0)
			strbuf_addf(out, "</td><td>%lld", (long long)limit);
		else
			strbuf_adds(out, "</td><td>all");
		strbuf_adds(out, "</td><td>");
		html_escape(out, str_or(json_string_value(json_object_get(r, "finished"))));
		strbuf_adds(out, "</td></tr>\n");
	}
	strbuf_adds(out, "</tbody></table>\n");
}

/* ---- judge and human agreement ---- */

static void stat_cell(struct strbuf *out, const json_t *v, int integer)
{
	if (!json_is_number(v))
		strbuf_adds(out, "<td class=\"num\">-</td>");
	else if (integer)
		strbuf_addf(out, "<td class=\"num\">%lld</td>", (long long)json_integer_value(v));
	else
		strbuf_addf(out, "<td class=\"num\">%.2f</td>", json_number_value(v));
}

/* One comparison's table: a row per mode and category. */
static void agreement_table(struct strbuf *out, const char *title, const json_t *cmp)
{
	static const char *const modes[] = { "relevance", "coherence" };

	strbuf_adds(out, "<h3>");
	html_escape(out, title);
	strbuf_adds(out, "</h3>\n<table><thead><tr><th>Mode</th><th>Category</th>"
			 "<th class=\"num\">pairs</th><th class=\"num\">exact</th>"
			 "<th class=\"num\">within 1</th><th class=\"num\">Spearman</th>"
			 "<th class=\"num\">kappa (quadratic)</th></tr></thead><tbody>\n");
	for (int m = 0; m < 2; m++) {
		const char *cat;
		json_t *st;

		json_object_foreach(json_object_get(cmp, modes[m]), cat, st) {
			strbuf_addf(out, "<tr><td>%s</td><td>", modes[m]);
			html_escape(out, cat);
			strbuf_adds(out, "</td>");
			stat_cell(out, json_object_get(st, "n"), 1);
			stat_cell(out, json_object_get(st, "exact"), 0);
			stat_cell(out, json_object_get(st, "within_one"), 0);
			stat_cell(out, json_object_get(st, "spearman"), 0);
			stat_cell(out, json_object_get(st, "kappa"), 0);
			strbuf_adds(out, "</tr>\n");
		}
	}
	strbuf_adds(out, "</tbody></table>\n");
}

/* For each run whose IMPACT answers people rated (instructeval rate): how
 * the judge agrees with them, and they with each other. */
static int agreement_section(struct store *st, const json_t *runs, struct strbuf *out,
			     struct ie_error *err)
{
	int shown = 0, ret = 0;
	size_t i;
	json_t *r;

	json_array_foreach(runs, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id"));
		json_t *ratings = NULL, *a = NULL;
		char *jsonl = NULL;

		if (!json_object_get(json_object_get(json_object_get(r, "results"), "scores"),
				     "impact"))
			continue;
		if ((ret = store_ratings_get(st, id, &ratings, err)) < 0)
			return ret;
		if (json_array_size(ratings) &&
		    (ret = agreement_impact_samples(st, id, &jsonl, err)) == 0 &&
		    (ret = agreement_json(jsonl, ratings, &a, err)) == 0) {
			if (!shown++)
				strbuf_adds(out, "<h2 class=\"section\">Judge and human "
						 "agreement</h2>\n");
			strbuf_addf(out, "<p>Run %lld (", (long long)id);
			html_escape(out, leaderboard_model_name(runs, r));
			strbuf_addf(out, "): %lld rated answers.</p>\n",
				    (long long)json_integer_value(json_object_get(a, "rated_items")));
			agreement_table(out, "Judge against people", json_object_get(a,
										 "judge_human"));
			agreement_table(out, "People against each other",
					json_object_get(a, "human_human"));
		}
		free(jsonl);
		json_decref(a);
		json_decref(ratings);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- the sample browser ---- */

/* The records of one task's JSONL kept for the page: at most max, spread
 * over the subtasks (the first records of each). */
/* The records the page shows of one task's samples: at most max, shared
 * among its subtasks. A damaged record is an error, not a gap. */
static int kept_records(const char *jsonl, const char *where, size_t max, json_t **kept,
			size_t *total, struct ie_error *err)
{
	json_t *all = NULL, *out, *subs, *r;
	size_t i, quota;

	if (json_lines_parse(jsonl, strlen(jsonl), where, &all, err) < 0)
		return -1;
	out = json_array();
	subs = json_object();
	json_array_foreach(all, i, r) {
		const char *sub = json_string_value(json_object_get(r, "subtask"));

		sub = sub ? sub : str_or(json_string_value(json_object_get(r, "task_id")));
		json_object_set_new(subs, sub, json_integer(0));
	}
	*total = json_array_size(all);
	quota = json_object_size(subs) ? (max + json_object_size(subs) - 1) / json_object_size(subs)
				       : max;
	json_array_foreach(all, i, r) {
		const char *sub = json_string_value(json_object_get(r, "subtask"));
		json_t *seen;

		sub = sub ? sub : str_or(json_string_value(json_object_get(r, "task_id")));
		seen = json_object_get(subs, sub);
		if ((size_t)json_integer_value(seen) >= quota || json_array_size(out) >= max)
			continue;
		json_integer_set(seen, json_integer_value(seen) + 1);
		json_array_append(out, r);
	}
	json_decref(subs);
	json_decref(all);
	*kept = out;
	return 0;
}

static int samples_json(struct store *st, const json_t *runs, size_t max, json_t **out,
			struct ie_error *err)
{
	json_t *samples = json_array(), *list = json_array(), *r;
	size_t i;
	int ret = 0;

	json_array_foreach(runs, i, r) {
		int64_t id = json_integer_value(json_object_get(r, "id"));
		char **names, **texts;
		size_t n;

		json_array_append_new(list, json_pack("{s:I, s:s}", "id", (json_int_t)id, "model",
						      leaderboard_model_name(runs, r)));
		if ((ret = store_run_samples_get(st, id, &names, &texts, &n, err)) < 0)
			break;
		for (size_t k = 0; k < n; k++) {
			char where[128];
			size_t total;
			json_t *recs = NULL;

			snprintf(where, sizeof(where), "run %lld's %s samples", (long long)id,
				 names[k]);
			if (!ret && kept_records(texts[k], where, max, &recs, &total, err) < 0)
				ret = -1;
			if (!ret)
				json_array_append_new(samples, json_pack("{s:I, s:s, s:I, s:o}", "run",
								 (json_int_t)id, "task", names[k],
								 "total", (json_int_t)total,
								 "records", recs));
			free(names[k]);
			free(texts[k]);
		}
		free(names);
		free(texts);
		if (ret)
			break;
	}
	*out = json_pack("{s:o, s:o}", "runs", list, "samples", samples);
	return ret;
}

/* Builds the browser from the page's JSON, with text nodes only (no markup
 * from the records ever reaches the page as markup). */
static const char browser_js[] =
	"(function(){\n"
	"var D=JSON.parse(document.getElementById('samples-data').textContent);\n"
	"function $(id){return document.getElementById(id);}\n"
	"function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;"
	"if(text!==undefined)e.textContent=text;return e;}\n"
	"function opt(sel,v,t){var o=el('option',null,t);o.value=v;sel.appendChild(o);}\n"
	"var runSel=$('f-run'),taskSel=$('f-task'),subSel=$('f-sub'),outSel=$('f-out'),"
	"txt=$('f-text');\n"
	"D.runs.forEach(function(r){opt(runSel,String(r.id),'run '+r.id+' ('+r.model+')');});\n"
	"function groups(){return D.samples.filter(function(g){"
	"return String(g.run)===runSel.value;});}\n"
	"function sub(r){return r.subtask!==undefined?r.subtask:r.task_id;}\n"
	"function outcome(r){if(r.correct!==undefined)return r.correct;"
	"if(r.passed!==undefined)return r.passed;return null;}\n"
	"function fillTasks(){taskSel.innerHTML='';groups().forEach(function(g){"
	"opt(taskSel,g.task,g.task);});fillSubs();}\n"
	"function current(){var g=groups().filter(function(x){"
	"return x.task===taskSel.value;});return g[0];}\n"
	"function fillSubs(){subSel.innerHTML='';opt(subSel,'','all');var g=current(),seen={};"
	"if(g)g.records.forEach(function(r){var s=sub(r);if(s!==undefined&&!seen[s]){"
	"seen[s]=1;opt(subSel,s,s);}});render();}\n"
	"var FIELDS=['prompt','prompt_chosen_first','prompt_chosen_last','output','completion',"
	"'label','prediction','scores_chosen_first','scores_chosen_last','result','status',"
	"'program_output','reviews','scores','golds','error'];\n"
	"function show(v){return typeof v==='string'?v:JSON.stringify(v,null,1);}\n"
	"function card(r){var c=el('div','sample'),o=outcome(r),h=el('div','head');\n"
	" h.appendChild(el('b',null,String(r.id!==undefined?r.id:r.task_id+' #'+r.sample)));\n"
	" if(sub(r)!==undefined)h.appendChild(el('span','sub',' '+sub(r)));\n"
	" if(o!==null)h.appendChild(el('span',o?'ok':'bad',o?' correct':' wrong'));\n"
	" c.appendChild(h);\n"
	" FIELDS.forEach(function(f){if(r[f]===undefined||r[f]===null)return;"
	"c.appendChild(el('div','field',f));c.appendChild(el('pre',null,show(r[f])));});\n"
	" return c;}\n"
	"function render(){var list=$('sample-list'),g=current(),q=txt.value.toLowerCase(),"
	"shown=0,match=0;list.innerHTML='';if(!g){$('f-count').textContent='';return;}\n"
	" g.records.forEach(function(r){var o=outcome(r);\n"
	"  if(subSel.value&&sub(r)!==subSel.value)return;\n"
	"  if(outSel.value==='1'&&o!==true)return;if(outSel.value==='0'&&o!==false)return;\n"
	"  if(q&&JSON.stringify(r).toLowerCase().indexOf(q)<0)return;\n"
	"  match++;if(shown<100){list.appendChild(card(r));shown++;}});\n"
	" $('f-count').textContent=match+' matching ('+shown+' shown; '+g.records.length+"
	"' of the run\\'s '+g.total+' records are in this page)';}\n"
	"runSel.onchange=fillTasks;taskSel.onchange=fillSubs;subSel.onchange=render;"
	"outSel.onchange=render;txt.oninput=render;\n"
	"fillTasks();document.body.setAttribute('data-ready','1');\n"
	"})();\n";

static const char browser_html[] =
	"<h2>Samples</h2>\n<div id=\"browser\"><label>Run <select id=\"f-run\"></select></label>\n"
	"<label>Task <select id=\"f-task\"></select></label>\n"
	"<label>Subtask <select id=\"f-sub\"></select></label>\n"
	"<label>Outcome <select id=\"f-out\"><option value=\"\">all</option>"
	"<option value=\"1\">correct</option><option value=\"0\">wrong</option></select></label>\n"
	"<input id=\"f-text\" placeholder=\"search\"> <span id=\"f-count\" class=\"note\"></span>"
	"</div>\n<div id=\"sample-list\"></div>\n";

static void add_browser(struct strbuf *out, const json_t *data)
{
	/* Escaped slashes: no record can close the script element early. */
	char *text = json_dumps(data, JSON_COMPACT | JSON_ESCAPE_SLASH);

	strbuf_adds(out, browser_html);
	strbuf_adds(out, "<script type=\"application/json\" id=\"samples-data\">");
	strbuf_adds(out, text ? text : "{\"runs\":[],\"samples\":[]}");
	strbuf_adds(out, "</script>\n<script>\n");
	strbuf_adds(out, browser_js);
	strbuf_adds(out, "</script>\n");
	free(text);
}

/* ---- the page ---- */

int report_page(struct store *st, const json_t *runs, const struct report_options *o,
		struct strbuf *out, struct ie_error *err)
{
	json_t *lb = leaderboard_build(runs, 1), *entries = leaderboard_entries(runs, 1);
	json_t *models = analyze_models(entries), *shots = NULL, *data = NULL, *b;
	struct compare_options co = { 0 };
	char **names = names_of(models), when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int ret;

	json_decref(entries);
	if ((ret = leaderboard_sort(lb, NULL, err)) < 0 ||
	    (ret = analyze_shots(st, runs, &co, &shots, err)) < 0 ||
	    (ret = samples_json(st, runs, o->max_samples ? o->max_samples : 200, &data, err)) < 0)
		goto out;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	html_page_begin(out, o->title ? o->title : "InstructEval report");
	strbuf_addf(out, "<p class=\"note\">%zu run%s, made %s.</p>\n", json_array_size(runs),
		    json_array_size(runs) == 1 ? "" : "s", when);
	strbuf_adds(out, "<h2 class=\"section\">Leaderboard</h2>\n");
	json_array_foreach(json_object_get(lb, "boards"), i, b)
		if (json_array_size(json_object_get(b, "rows")))
			leaderboard_html_table(b, out);
	strbuf_adds(out, "<p class=\"note\">* an average of only the columns that ran; - not "
			 "run. Headings sort the tables.</p>\n<h2 class=\"section\">Charts</h2>\n");
	task_charts(out, models, names);
	shot_charts(out, shots);
	size_chart(out, models);
	if ((ret = agreement_section(st, runs, out, err)) < 0)
		goto out;
	runs_table(out, runs);
	add_browser(out, data);
	html_page_end(out);
out:
	free_names(names, json_array_size(models));
	json_decref(models);
	json_decref(shots);
	json_decref(data);
	json_decref(lb);
	return ret;
}
