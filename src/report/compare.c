/* Two runs compared item by item (compare.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/stats.h"
#include "report/compare.h"
#include "report/items.h"
#include "report/leaderboard.h"
#include "tasks/task.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define DEFAULT_RESAMPLES 10000

static enum stats_average stats_mode(enum task_average a)
{
	return a == TASK_MACRO ? STATS_STRATA : a == TASK_CLUSTERS ? STATS_CLUSTERS
								   : STATS_POOLED;
}

/* Whether the statistic is the plain mean of 0/1 values, where McNemar's
 * test is exact: pooled, or clusters of one item each (greedy HumanEval). */
static int mcnemar_fits(int binary, enum stats_average mode, const size_t *g, size_t n,
			size_t n_groups)
{
	size_t *count;
	int fits = 1;

	if (!binary || mode == STATS_STRATA)
		return 0;
	if (mode == STATS_POOLED)
		return 1;
	count = xcalloc(n_groups + 1, sizeof(size_t));
	for (size_t i = 0; i < n && fits; i++)
		fits = ++count[g[i]] == 1;
	free(count);
	return fits;
}

/* Items being compared: the task's or one subtask's. */
struct paired {
	const double *a, *b;
	const size_t *g;
	size_t n, n_groups;
	enum stats_average mode;
	int binary;
};

static json_t *mcnemar_row(const struct paired *p)
{
	struct stats_paired_binary m;
	size_t b = 0, c = 0;
	double sa = 0, sb = 0;

	for (size_t i = 0; i < p->n; i++) {
		b += p->a[i] > p->b[i];
		c += p->a[i] < p->b[i];
		sa += p->a[i];
		sb += p->b[i];
	}
	stats_mcnemar(p->n, b, c, &m);
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:s, s:I, s:I}", "n",
			 (json_int_t)p->n, "a", sa / (double)p->n, "b", sb / (double)p->n, "diff",
			 m.diff, "lo", m.lo, "hi", m.hi, "p", m.p, "significant", m.significant,
			 "test", "mcnemar", "a_only", (json_int_t)b, "b_only", (json_int_t)c);
}

/* Below this many items (or groups of them) a bootstrap's interval says
 * more about the resampling than about the models: none is given. */
#define MIN_BOOTSTRAP 10

static size_t units(const struct paired *p)
{
	size_t *seen, k = 0;

	if (p->mode == STATS_POOLED)
		return p->n;
	seen = xcalloc(p->n_groups + 1, sizeof(size_t));
	for (size_t i = 0; i < p->n; i++)
		k += !seen[p->g[i]]++;
	free(seen);
	/* Strata are fixed: the items within them are what is drawn. */
	return p->mode == STATS_STRATA ? p->n : k;
}

/* Identical values leave no doubt about a difference of 0, however few. */
static int same_values(const struct paired *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->a[i] != p->b[i])
			return 0;
	return 1;
}

static json_t *too_few_row(const struct paired *p)
{
	double a = stats_average(p->a, p->g, p->n, p->n_groups, p->mode);
	double b = stats_average(p->b, p->g, p->n, p->n_groups, p->mode);

	return json_pack("{s:I, s:f, s:f, s:f, s:n, s:n, s:n, s:b, s:s}", "n", (json_int_t)p->n,
			 "a", a, "b", b, "diff", a - b, "lo", "hi", "p", "significant", 0, "test",
			 "none");
}

static json_t *bootstrap_row(const struct paired *p, const struct compare_options *o)
{
	struct stats_paired s;

	if (units(p) < MIN_BOOTSTRAP && !same_values(p))
		return too_few_row(p);
	if (stats_bootstrap(p->a, p->b, p->g, p->n, p->n_groups, p->mode,
			    o->resamples ? o->resamples : DEFAULT_RESAMPLES, o->seed, &s) < 0)
		return NULL;
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:s}", "n", (json_int_t)s.n,
			 "a", s.a, "b", s.b, "diff", s.diff, "lo", s.lo, "hi", s.hi, "p", s.p,
			 "significant", s.significant, "test", "bootstrap");
}

static json_t *paired_row(const struct task_ops *ops, const char *subtask,
			  const struct paired *p, const struct compare_options *o)
{
	json_t *r;

	if (!p->n)
		return NULL;
	if (mcnemar_fits(p->binary, p->mode, p->g, p->n, p->n_groups))
		r = mcnemar_row(p);
	else
		r = bootstrap_row(p, o);
	if (!r)
		return NULL;
	json_object_set_new(r, "task", json_string(ops->name));
	json_object_set_new(r, "subtask", subtask ? json_string(subtask) : json_null());
	if (ops->continuous)
		json_object_set_new(r, "scale", json_string("1-5"));
	return r;
}

/* A row per subtask: the pooled mean of its items. */
static void subtask_rows(const struct task_ops *ops, const struct item_pairs *ip,
			 const struct compare_options *o, json_t *rows)
{
	double *a = xcalloc(ip->n + 1, sizeof(double)), *b = xcalloc(ip->n + 1, sizeof(double));

	for (size_t k = 0; k < ip->n_groups; k++) {
		struct paired p = { a, b, NULL, 0, 0, STATS_POOLED, !ops->continuous };
		json_t *r;

		for (size_t i = 0; i < ip->n; i++)
			if (ip->g[i] == k) {
				a[p.n] = ip->a[i];
				b[p.n++] = ip->b[i];
			}
		if ((r = paired_row(ops, ip->groups[k], &p, o)))
			json_array_append_new(rows, r);
	}
	free(a);
	free(b);
}

void compare_side_release(struct compare_side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->names[i]);
		free(s->texts[i]);
	}
	free(s->names);
	free(s->texts);
	s->names = s->texts = NULL;
	s->n = 0;
}

static const char *stored_text(const struct compare_side *s, const char *task)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], task))
			return s->texts[i];
	return NULL;
}

int compare_task(const struct task_ops *ops, const struct compare_side *sa,
		 const struct compare_side *sb, const struct compare_options *o, json_t *rows,
		 struct ie_error *err)
{
	const char *ta = stored_text(sa, ops->name), *tb = stored_text(sb, ops->name);
	struct item_set a, b;
	struct item_pairs ip;
	char wa[96], wb[96];
	json_t *r;
	int ret;

	if (!ta || !tb)
		return 0;
	snprintf(wa, sizeof(wa), "run %lld, %s",
		 (long long)json_integer_value(json_object_get(sa->run, "id")), ops->name);
	snprintf(wb, sizeof(wb), "run %lld, %s",
		 (long long)json_integer_value(json_object_get(sb->run, "id")), ops->name);
	if ((ret = items_load(ops, ta, wa, &a, err)) < 0 ||
	    (ret = items_load(ops, tb, wb, &b, err)) < 0) {
		items_release(&a);
		return ret;
	}
	items_pair(&a, &b, &ip);
	{
		struct paired p = { ip.a, ip.b, ip.g, ip.n, ip.n_groups, stats_mode(ops->average),
				    !ops->continuous };

		if ((r = paired_row(ops, NULL, &p, o))) {
			json_object_set_new(r, "only_a", json_integer((json_int_t)ip.only_a));
			json_object_set_new(r, "only_b", json_integer((json_int_t)ip.only_b));
			json_array_append_new(rows, r);
		}
	}
	/* HumanEval's groups are its problems: one row each says little. */
	if (o->subtasks && ops->average != TASK_CLUSTERS && ip.n_groups > 1)
		subtask_rows(ops, &ip, o, rows);
	item_pairs_release(&ip);
	items_release(&a);
	items_release(&b);
	return 0;
}

static json_t *side_json(const json_t *run)
{
	return json_pack("{s:O, s:s}", "id", json_object_get(run, "id"), "model",
			 leaderboard_model_label(run));
}

int compare_runs(const struct compare_side *a, const struct compare_side *b,
		 const struct compare_options *o, json_t **out, struct ie_error *err)
{
	const struct task_ops *const *all = task_all();
	json_t *rows = json_array();
	int ret = 0;

	for (size_t i = 0; all[i] && !ret; i++)
		ret = compare_task(all[i], a, b, o, rows, err);
	if (ret < 0) {
		json_decref(rows);
		return ret;
	}
	*out = json_pack("{s:o, s:o, s:f, s:I, s:I, s:o}", "a", side_json(a->run), "b",
			 side_json(b->run), "confidence", 0.95, "resamples",
			 (json_int_t)(o->resamples ? o->resamples : DEFAULT_RESAMPLES), "seed",
			 (json_int_t)o->seed, "rows", rows);
	return 0;
}

void compare_interval(const json_t *row, double unit, char *buf, size_t size)
{
	const json_t *lo = json_object_get(row, "lo"), *hi = json_object_get(row, "hi");

	if (!json_is_number(lo) || !json_is_number(hi))
		snprintf(buf, size, "- (too few items)");
	else
		snprintf(buf, size, "[%+.2f, %+.2f]", unit * json_number_value(lo),
			 unit * json_number_value(hi));
}

/* A score in its unit: percent of a fraction, or the judge's 1-5. */
static double shown(const json_t *row, const char *member, int judged)
{
	double v = json_number_value(json_object_get(row, member));

	return judged ? v : 100 * v;
}

static void print_p(FILE *f, const json_t *pv)
{
	double p = json_number_value(pv);

	if (!json_is_number(pv))
		fprintf(f, "%7s", "-");
	else if (p < 0.001)
		fprintf(f, "%7s", "<0.001");
	else
		fprintf(f, "%7.3f", p);
}

void compare_print(FILE *f, const json_t *cmp)
{
	const json_t *a = json_object_get(cmp, "a"), *b = json_object_get(cmp, "b");
	size_t i;
	json_t *r;

	fprintf(f, "A: run %lld (%s)\nB: run %lld (%s)\n\n",
		(long long)json_integer_value(json_object_get(a, "id")),
		json_string_value(json_object_get(a, "model")),
		(long long)json_integer_value(json_object_get(b, "id")),
		json_string_value(json_object_get(b, "model")));
	fprintf(f, "%-34s %6s %8s %8s %8s  %-18s %7s   %s\n", "task", "n", "A", "B", "A-B",
		"95% interval", "p", "test");
	json_array_foreach(json_object_get(cmp, "rows"), i, r) {
		const char *sub = json_string_value(json_object_get(r, "subtask"));
		int judged = json_object_get(r, "scale") != NULL;
		char name[64], ci[48];

		snprintf(name, sizeof(name), "%s%s", sub ? "  " : "",
			 sub ? sub : json_string_value(json_object_get(r, "task")));
		compare_interval(r, judged ? 1 : 100, ci, sizeof(ci));
		fprintf(f, "%-34.34s %6lld %8.2f %8.2f %+8.2f  %-18s ", name,
			(long long)json_integer_value(json_object_get(r, "n")), shown(r, "a", judged),
			shown(r, "b", judged), shown(r, "diff", judged), ci);
		print_p(f, json_object_get(r, "p"));
		fprintf(f, " %s %s\n", json_is_true(json_object_get(r, "significant")) ? "*" : " ",
			json_string_value(json_object_get(r, "test")));
	}
	fprintf(f, "\nA and B in percent (IMPACT: the judge's 1-5 scale) on the items both ran;\n"
		   "* the 95%% interval excludes 0 (McNemar: exact p < 0.05). Intervals are per\n"
		   "row, not corrected for the number of rows; a bootstrap needs 10 items (or\n"
		   "problems) to give one.\n");
}
