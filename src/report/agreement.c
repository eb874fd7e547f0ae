/*
 * The judge's IMPACT ratings against people's (see agreement.h). Records
 * and ratings are turned into pairs of 1-5 values, collected per
 * comparison, mode and category (index 0 is all categories), and each
 * collection goes through stats_agreement.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/stats.h"
#include "report/agreement.h"
#include "util/jsonfile.h"
#include "store/store.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define N_MODES 2
#define MAX_CATEGORIES 64

static const char *const modes[N_MODES] = { "relevance", "coherence" };

enum { JUDGE_HUMAN, HUMAN_HUMAN, N_KINDS };
static const char *const kinds[N_KINDS] = { "judge_human", "human_human" };

/* One answer: its id and category (borrowed from the records) and the
 * judge's score per mode, 0 where it has none. */
struct item {
	const char *id;
	size_t cat; /* 1.. into the category list; 0 is "all" */
	int judge[N_MODES];
};

/* One person's rating of an item; 0 for a value not given. */
struct rated {
	size_t item;
	const char *rater;
	int v[N_MODES];
};

struct pairs {
	int *x, *y;
	size_t n, cap, ycap;
};

struct agreement {
	json_t *records;
	struct item *items;
	size_t n_items;
	const char *cats[MAX_CATEGORIES + 1];
	size_t n_cats; /* with "all" */
	struct rated *rated;
	size_t n_rated;
	struct pairs *pairs; /* [kind][mode][category] */
};

int agreement_impact_samples(struct store *st, int64_t run, char **jsonl, struct ie_error *err)
{
	char **names = NULL, **texts = NULL;
	size_t n = 0;
	int ret;

	*jsonl = NULL;
	if ((ret = store_run_samples_get(st, run, &names, &texts, &n, err)) < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (!*jsonl && !strcmp(names[i], "impact") && texts[i] && *texts[i]) {
			*jsonl = texts[i];
			texts[i] = NULL;
		}
		free(names[i]);
		free(texts[i]);
	}
	free(names);
	free(texts);
	if (!*jsonl)
		return ie_error_set(err, IE_EINPUT,
				    "run %lld has no IMPACT answers (it did not run the impact "
				    "task)",
				    (long long)run);
	return 0;
}

static const char *str_or(const json_t *v, const char *dflt)
{
	return json_is_string(v) ? json_string_value(v) : dflt;
}

static int judge_score(const json_t *rec, const char *mode)
{
	json_int_t v = json_integer_value(
		json_object_get(json_object_get(json_object_get(rec, "scores"), mode), "reference"));

	return v >= 1 && v <= 5 ? (int)v : 0;
}

static size_t category(struct agreement *a, const char *name)
{
	for (size_t i = 1; i < a->n_cats; i++)
		if (!strcmp(a->cats[i], name))
			return i;
	if (a->n_cats > MAX_CATEGORIES)
		return 0; /* counted in "all" only; IMPACT has four */
	a->cats[a->n_cats] = name;
	return a->n_cats++;
}

static int item_cmp(const void *x, const void *y)
{
	return strcmp(((const struct item *)x)->id, ((const struct item *)y)->id);
}

/* The records' items, sorted by id for lookups. */
static int read_items(struct agreement *a, const char *jsonl, struct ie_error *err)
{
	size_t cap = 0, i;
	json_t *rec;
	int ret;

	a->cats[0] = "all";
	a->n_cats = 1;
	if ((ret = json_lines_parse(jsonl, strlen(jsonl), "IMPACT records", &a->records, err)) < 0)
		return ret;
	json_array_foreach(a->records, i, rec) {
		struct item *it;

		if (!json_string_value(json_object_get(rec, "id")))
			continue;
		XGROW(a->items, cap, a->n_items + 1);
		it = &a->items[a->n_items++];
		it->id = json_string_value(json_object_get(rec, "id"));
		it->cat = category(a, str_or(json_object_get(rec, "subtask"), "?"));
		for (int m = 0; m < N_MODES; m++)
			it->judge[m] = judge_score(rec, modes[m]);
	}
	if (a->n_items)
		qsort(a->items, a->n_items, sizeof(*a->items), item_cmp);
	return 0;
}

static const struct item *find_item(const struct agreement *a, const char *id)
{
	struct item key = { .id = id };

	if (!a->n_items)
		return NULL;
	return bsearch(&key, a->items, a->n_items, sizeof(*a->items), item_cmp);
}

static int rating_value(const json_t *r, const char *mode)
{
	json_int_t v = json_integer_value(json_object_get(r, mode));

	return v >= 1 && v <= 5 ? (int)v : 0;
}

static int rated_cmp(const void *x, const void *y)
{
	const struct rated *a = x, *b = y;

	if (a->item != b->item)
		return a->item < b->item ? -1 : 1;
	return strcmp(a->rater, b->rater);
}

/* The ratings of known items, grouped by item, raters in order within. */
static void read_ratings(struct agreement *a, const json_t *ratings)
{
	size_t i, cap = 0;
	json_t *r;

	json_array_foreach(ratings, i, r) {
		const char *rater = json_string_value(json_object_get(r, "rater"));
		const struct item *it = find_item(a, str_or(json_object_get(r, "item"), ""));
		struct rated *d;

		if (!it || !rater)
			continue;
		XGROW(a->rated, cap, a->n_rated + 1);
		d = &a->rated[a->n_rated++];
		d->item = (size_t)(it - a->items);
		d->rater = rater;
		for (int m = 0; m < N_MODES; m++)
			d->v[m] = rating_value(r, modes[m]);
	}
	if (a->n_rated)
		qsort(a->rated, a->n_rated, sizeof(*a->rated), rated_cmp);
}

static struct pairs *pairs_at(struct agreement *a, int kind, int mode, size_t cat)
{
	return &a->pairs[((size_t)kind * N_MODES + (size_t)mode) * a->n_cats + cat];
}

/* Adds the pair (x, y) of mode to category cat and to "all". */
static void add_pair(struct agreement *a, int kind, int mode, size_t cat, int x, int y)
{
	size_t cs[2] = { 0, cat };

	if (!x || !y)
		return;
	for (int k = 0; k < (cat ? 2 : 1); k++) {
		struct pairs *p = pairs_at(a, kind, mode, cs[k]);

		XGROW(p->x, p->cap, p->n + 1);
		XGROW(p->y, p->ycap, p->n + 1);
		p->x[p->n] = x;
		p->y[p->n++] = y;
	}
}

static void collect_pairs(struct agreement *a)
{
	a->pairs = xcalloc(N_KINDS * N_MODES * a->n_cats, sizeof(*a->pairs));
	for (size_t i = 0; i < a->n_rated; i++) {
		const struct rated *r = &a->rated[i];
		const struct item *it = &a->items[r->item];

		for (int m = 0; m < N_MODES; m++)
			add_pair(a, JUDGE_HUMAN, m, it->cat, it->judge[m], r->v[m]);
		/* Every later rating of the same item is another rater's. */
		for (size_t j = i + 1; j < a->n_rated && a->rated[j].item == r->item; j++)
			for (int m = 0; m < N_MODES; m++)
				add_pair(a, HUMAN_HUMAN, m, it->cat, r->v[m], a->rated[j].v[m]);
	}
}

static json_t *figure(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *stat_json(const struct pairs *p)
{
	struct stats_agreement s;

	stats_agreement(p->x, p->y, p->n, 1, 5, &s);
	return json_pack("{s:I,s:o,s:o,s:o,s:o}", "n", (json_int_t)s.n, "exact",
			 figure(s.exact), "within_one", figure(s.within_one), "spearman",
			 figure(s.spearman), "kappa", figure(s.kappa));
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static json_t *raters_json(const struct agreement *a)
{
	const char **names = xcalloc(a->n_rated + 1, sizeof(*names));
	json_t *list = json_array();
	size_t n = 0;

	for (size_t i = 0; i < a->n_rated; i++) {
		size_t j = 0;

		while (j < n && strcmp(names[j], a->rated[i].rater))
			j++;
		if (j == n)
			names[n++] = a->rated[i].rater;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_string(names[i]));
	free(names);
	return list;
}

/* Items with at least one value from someone. */
static size_t rated_items(const struct agreement *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_rated;) {
		size_t item = a->rated[i].item;
		int any = 0;

		for (; i < a->n_rated && a->rated[i].item == item; i++)
			any |= a->rated[i].v[0] || a->rated[i].v[1];
		n += (size_t)any;
	}
	return n;
}

static json_t *document(struct agreement *a)
{
	json_t *doc = json_object();

	for (int k = 0; k < N_KINDS; k++) {
		json_t *kind = json_object();

		for (int m = 0; m < N_MODES; m++) {
			json_t *mode = json_object();

			for (size_t c = 0; c < a->n_cats; c++)
				json_object_set_new(mode, a->cats[c],
						    stat_json(pairs_at(a, k, m, c)));
			json_object_set_new(kind, modes[m], mode);
		}
		json_object_set_new(doc, kinds[k], kind);
	}
	json_object_set_new(doc, "raters", raters_json(a));
	json_object_set_new(doc, "rated_items", json_integer((json_int_t)rated_items(a)));
	return doc;
}

static void agreement_release(struct agreement *a)
{
	if (a->pairs)
		for (size_t i = 0; i < N_KINDS * N_MODES * a->n_cats; i++) {
			free(a->pairs[i].x);
			free(a->pairs[i].y);
		}
	free(a->pairs);
	free(a->rated);
	free(a->items);
	json_decref(a->records);
}

int agreement_json(const char *impact_jsonl, const json_t *ratings, json_t **out,
		   struct ie_error *err)
{
	struct agreement a = { 0 };
	int ret;

	*out = NULL;
	if ((ret = read_items(&a, impact_jsonl, err)) == 0) {
		read_ratings(&a, ratings);
		collect_pairs(&a);
		*out = document(&a);
	}
	agreement_release(&a);
	return ret;
}

/* ---- text ---- */

static void print_figure(FILE *f, const json_t *v, int width)
{
	if (json_is_number(v))
		fprintf(f, "%*.2f", width, json_number_value(v));
	else
		fprintf(f, "%*s", width, "-");
}

static void print_table(FILE *f, const char *title, const char *mode, const json_t *cats)
{
	const char *name;
	json_t *s;

	/* "±1" is written out: printf pads bytes, and '±' takes two. */
	fprintf(f, "%s, %s\n  %-16s %5s %6s     \xC2\xB1" "1 %9s %6s\n", title, mode, "category",
		"n", "exact", "Spearman", "kappa");
	json_object_foreach((json_t *)cats, name, s) {
		fprintf(f, "  %-16s %5lld", name,
			(long long)json_integer_value(json_object_get(s, "n")));
		print_figure(f, json_object_get(s, "exact"), 7);
		print_figure(f, json_object_get(s, "within_one"), 7);
		print_figure(f, json_object_get(s, "spearman"), 10);
		print_figure(f, json_object_get(s, "kappa"), 7);
		fputc('\n', f);
	}
	fputc('\n', f);
}

void agreement_print(FILE *f, const json_t *a)
{
	static const char *const titles[N_KINDS] = { "The judge against people",
						     "People against each other" };
	const json_t *raters = json_object_get(a, "raters");
	json_t *r;
	size_t i;

	fprintf(f, "%lld rated answers; raters:",
		(long long)json_integer_value(json_object_get(a, "rated_items")));
	json_array_foreach((json_t *)raters, i, r)
		fprintf(f, "%s %s", i ? "," : "", json_string_value(r));
	fputs("\n\n", f);
	for (int k = 0; k < N_KINDS; k++)
		for (int m = 0; m < N_MODES; m++)
			print_table(f, titles[k], modes[m],
				    json_object_get(json_object_get(a, kinds[k]), modes[m]));
	fprintf(f, "n: pairs of ratings (the judge's with each person's; each two people's\n"
		   "on an item both rated). exact: the same value; \xC2\xB1" "1: at most one "
		   "apart;\nkappa: Cohen's, quadratic weights; '-': not defined (no pairs, or "
		   "one side\nalways the same value).\n");
}
