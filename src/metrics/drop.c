/*
 * DROP's exact match and F1 (drop.h). The script works on Python strings,
 * so spans are decoded to code points first and every step mirrors the
 * Python one it stands for: str.lower(), float() as a number test,
 * str(float()) as number formatting, the regex \b(a|an|the)\b, str.split().
 * The Python pieces live in util/pyunicode.c (str methods on code points)
 * and util/pyfloat.c (float() and str(float)), the assignment of spans in
 * metrics/assign.c; what is left here is the script's own logic.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/assign.h"
#include "metrics/drop.h"
#include "util/pyfloat.h"
#include "util/pyunicode.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- normalisation ---- */

struct word {
	char *s;
	bool number; /* float(s) would succeed */
};

struct span {
	struct word *w; /* in order, repeats kept */
	size_t n, cap;
	char *norm;	   /* the words joined by ' ' */
	struct word **bag; /* the distinct words, sorted */
	size_t nbag;
};

static void add_word(struct span *sp, const uint32_t *v, size_t n)
{
	double ignored;

	XGROW(sp->w, sp->cap, sp->n + 1);
	sp->w[sp->n].s = pystr_encode(v, n);
	sp->w[sp->n].number = pyfloat_parse(v, n, &ignored);
	sp->n++;
}

static bool run_is_article(const uint32_t *v, size_t n)
{
	static const char *const articles[] = { "a", "an", "the" };

	for (size_t a = 0; a < 3; a++) {
		size_t len = strlen(articles[a]);
		size_t i;

		if (len != n)
			continue;
		for (i = 0; i < n && v[i] == (uint32_t)articles[a][i]; i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

/* One token of _tokenize(): white_space_fix(remove_articles(
 * normalize_number(remove_punc(lower(token))))), its words added to sp. */
static void normalize_token(const uint32_t *t, size_t n, struct span *sp)
{
	struct pystr tok = PYSTR_INIT, fixed = PYSTR_INIT;
	double x;
	size_t i, start;

	for (i = 0; i < n; i++) {
		uint32_t low[2];
		size_t m = py_lower(t[i], low);

		for (size_t j = 0; j < m; j++)
			pystr_push(&tok, low[j]);
	}
	if (!pyfloat_parse(tok.v, tok.n, &x)) {
		size_t o = 0;

		for (i = 0; i < tok.n; i++)
			if (!py_ispunct(tok.v[i]))
				tok.v[o++] = tok.v[i];
		tok.n = o;
	}
	if (pyfloat_parse(tok.v, tok.n, &x)) {
		char repr[40];

		pyfloat_repr(x, repr, sizeof(repr));
		tok.n = 0;
		for (i = 0; repr[i]; i++)
			pystr_push(&tok, (unsigned char)repr[i]);
	}
	/* \b(a|an|the)\b matches exactly a maximal run of word characters
	 * that spells an article; it becomes one space */
	for (i = 0; i < tok.n;) {
		if (!py_isword(tok.v[i])) {
			pystr_push(&fixed, tok.v[i++]);
			continue;
		}
		start = i;
		while (i < tok.n && py_isword(tok.v[i]))
			i++;
		if (run_is_article(tok.v + start, i - start)) {
			pystr_push(&fixed, ' ');
		} else {
			for (size_t j = start; j < i; j++)
				pystr_push(&fixed, tok.v[j]);
		}
	}
	for (i = 0; i < fixed.n;) {
		if (py_isspace(fixed.v[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < fixed.n && !py_isspace(fixed.v[i]))
			i++;
		add_word(sp, fixed.v + start, i - start);
	}
	pystr_release(&tok);
	pystr_release(&fixed);
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp((*(struct word *const *)a)->s, (*(struct word *const *)b)->s);
}

/* _answer_to_bags for one span: the normalised string and the set of its
 * words. The span is split into tokens at every ' ' and '-'. */
static void span_init(struct span *sp, const char *text)
{
	struct pystr all = PYSTR_INIT;
	size_t start = 0, len = 0;

	memset(sp, 0, sizeof(*sp));
	pystr_decode(&all, text, strlen(text));
	for (size_t i = 0; i <= all.n; i++) {
		if (i == all.n || all.v[i] == ' ' || all.v[i] == '-') {
			/* An empty span has no buffer: NULL + 0 is undefined. */
			normalize_token(all.n ? all.v + start : NULL, i - start, sp);
			start = i + 1;
		}
	}
	pystr_release(&all);

	for (size_t i = 0; i < sp->n; i++)
		len += strlen(sp->w[i].s) + 1;
	sp->norm = xmalloc(len + 1);
	len = 0;
	for (size_t i = 0; i < sp->n; i++) {
		size_t l = strlen(sp->w[i].s);

		if (i)
			sp->norm[len++] = ' ';
		memcpy(sp->norm + len, sp->w[i].s, l);
		len += l;
	}
	sp->norm[len] = '\0';

	sp->bag = xmalloc((sp->n ? sp->n : 1) * sizeof(*sp->bag));
	for (size_t i = 0; i < sp->n; i++)
		sp->bag[i] = &sp->w[i];
	if (sp->n)
		qsort(sp->bag, sp->n, sizeof(*sp->bag), cmp_word);
	for (size_t i = 0; i < sp->n; i++)
		if (!sp->nbag || strcmp(sp->bag[sp->nbag - 1]->s, sp->bag[i]->s))
			sp->bag[sp->nbag++] = sp->bag[i];
}

static void span_release(struct span *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		free(sp->w[i].s);
	free(sp->w);
	free(sp->norm);
	free(sp->bag);
}

char *drop_normalize(const char *text)
{
	struct span sp;
	char *norm;

	span_init(&sp, text);
	norm = sp.norm;
	sp.norm = NULL;
	span_release(&sp);
	return norm;
}

/* ---- scoring ---- */

static size_t bag_intersection(const struct span *a, const struct span *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->nbag && j < b->nbag) {
		int c = strcmp(a->bag[i]->s, b->bag[j]->s);

		if (c == 0) {
			n++;
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

/* _compute_f1, with the script's float operations in its order. */
static double bag_f1(const struct span *pred, const struct span *gold)
{
	double inter = (double)bag_intersection(pred, gold);
	double precision = pred->nbag ? inter / (double)pred->nbag : 1.0;
	double recall = gold->nbag ? inter / (double)gold->nbag : 1.0;

	if (precision == 0.0 && recall == 0.0)
		return 0.0;
	return (2 * precision * recall) / (precision + recall);
}

/* _match_numbers_if_present: false only when the gold bag has numbers and
 * the predicted bag has none of the same words. */
static bool numbers_match(const struct span *gold, const struct span *pred)
{
	bool gold_has = false;

	for (size_t i = 0; i < gold->nbag; i++) {
		if (!gold->bag[i]->number)
			continue;
		gold_has = true;
		for (size_t j = 0; j < pred->nbag; j++)
			if (pred->bag[j]->number && !strcmp(pred->bag[j]->s, gold->bag[i]->s))
				return true;
	}
	return !gold_has;
}
double drop_max_assignment(const double *w, size_t rows, size_t cols, size_t *col_of_row)
{
	return assign_max_weight(w, rows, cols, col_of_row);
}

/* numpy's pairwise summation (np.add.reduce on a contiguous float64
 * array, starting from 0), so that np.mean rounds the same way. */
static double numpy_sum(const double *a, size_t n)
{
	double res = 0.0;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8];

		for (i = 0; i < 8; i++)
			r[i] = a[i];
		for (i = 8; i < n - (n % 8); i += 8)
			for (size_t j = 0; j < 8; j++)
				r[j] += a[i + j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	{
		size_t n2 = n / 2;

		n2 -= n2 % 8;
		return numpy_sum(a, n2) + numpy_sum(a + n2, n - n2);
	}
}

static bool same_span_sets(const struct span *p, size_t np_, const struct span *g, size_t ng)
{
	/* set(pred) == set(gold) and equal lengths: every string of each list
	 * is somewhere in the other */
	if (np_ != ng)
		return false;
	for (size_t i = 0; i < np_; i++) {
		size_t j;

		for (j = 0; j < ng && strcmp(p[i].norm, g[j].norm); j++)
			;
		if (j == ng)
			return false;
	}
	for (size_t j = 0; j < ng; j++) {
		size_t i;

		for (i = 0; i < np_ && strcmp(p[i].norm, g[j].norm); i++)
			;
		if (i == np_)
			return false;
	}
	return true;
}

void drop_metrics(const char *const *pred, size_t n_pred, const char *const *gold,
		  size_t n_gold, double *em, double *f1)
{
	struct span *ps = xcalloc(n_pred ? n_pred : 1, sizeof(*ps));
	struct span *gs = xcalloc(n_gold ? n_gold : 1, sizeof(*gs));
	size_t nmax = n_pred > n_gold ? n_pred : n_gold;
	double *scores = xcalloc(n_gold * n_pred + 1, sizeof(*scores));
	double *per_row = xcalloc(nmax + 1, sizeof(*per_row));
	size_t *col_of_row = xmalloc((n_gold + 1) * sizeof(*col_of_row));

	for (size_t i = 0; i < n_pred; i++)
		span_init(&ps[i], pred[i]);
	for (size_t i = 0; i < n_gold; i++)
		span_init(&gs[i], gold[i]);
	*em = same_span_sets(ps, n_pred, gs, n_gold) ? 1.0 : 0.0;

	for (size_t g = 0; g < n_gold; g++)
		for (size_t p = 0; p < n_pred; p++)
			if (numbers_match(&gs[g], &ps[p]))
				scores[g * n_pred + p] = bag_f1(&ps[p], &gs[g]);
	assign_max_weight(scores, n_gold, n_pred, col_of_row);
	/* the script keeps each gold row's assigned score at the row's index
	 * in an array of max(n_gold, n_pred) zeros and takes its mean */
	for (size_t g = 0; g < n_gold; g++)
		if (col_of_row[g] != (size_t)-1)
			per_row[g] = scores[g * n_pred + col_of_row[g]];
	if (nmax == 0)
		*f1 = NAN;
	else
		*f1 = nearbyint(numpy_sum(per_row, nmax) / (double)nmax * 100.0) / 100.0;

	for (size_t i = 0; i < n_pred; i++)
		span_release(&ps[i]);
	for (size_t i = 0; i < n_gold; i++)
		span_release(&gs[i]);
	free(ps);
	free(gs);
	free(scores);
	free(per_row);
	free(col_of_row);
}

/* str.strip() of s is empty */
static bool blank(const char *s)
{
	struct pystr b = PYSTR_INIT;
	bool all_space = true;

	pystr_decode(&b, s, strlen(s));
	for (size_t i = 0; i < b.n && all_space; i++)
		all_space = py_isspace(b.v[i]);
	pystr_release(&b);
	return all_space;
}

void drop_metrics_max(const char *const *pred, size_t n_pred, const char *const *const *golds,
		      const size_t *n_golds, size_t n_answers, double *em, double *f1)
{
	*em = 0.0;
	*f1 = 0.0;
	for (size_t a = 0; a < n_answers; a++) {
		double e, f;

		if (!n_golds[a] || blank(golds[a][0]))
			continue;
		drop_metrics(pred, n_pred, golds[a], n_golds[a], &e, &f);
		if (e > *em)
			*em = e;
		if (f > *f1)
			*f1 = f;
	}
}
