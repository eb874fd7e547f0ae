/* The items of stored runs (items.h). */
#include <stdlib.h>
#include <string.h>

#include "report/items.h"
#include "util/jsonfile.h"
#include "util/xalloc.h"
#include "util/banned.h"

static size_t group_index(struct item_set *s, const char *name, size_t *cap)
{
	/* Groups are few and met in runs, so the last one is usually it. */
	for (size_t i = s->n_groups; i-- > 0;)
		if (!strcmp(s->groups[i], name))
			return i;
	if (s->n_groups == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		s->groups = xrealloc(s->groups, *cap * sizeof(*s->groups));
	}
	s->groups[s->n_groups] = name;
	return s->n_groups++;
}

static const struct task_item *sort_base;

static int by_key(const void *x, const void *y)
{
	return strcmp(sort_base[*(const size_t *)x].key, sort_base[*(const size_t *)y].key);
}

int items_load(const struct task_ops *ops, const char *jsonl, const char *where,
	       struct item_set *out, struct ie_error *err)
{
	int (*item)(const json_t *, struct task_item *) = ops->item ? ops->item
								    : task_item_default;
	size_t i, cap = 0;
	json_t *rec;
	int ret;

	memset(out, 0, sizeof(*out));
	out->ops = ops;
	/* A line that is JSON but no object is not a record: item() says so. */
	if ((ret = json_lines_parse(jsonl, strlen(jsonl), where, &out->records, err)) < 0)
		return ret;
	out->v = xcalloc(json_array_size(out->records) + 1, sizeof(*out->v));
	out->g = xcalloc(json_array_size(out->records) + 1, sizeof(*out->g));
	json_array_foreach(out->records, i, rec) {
		if (item(rec, &out->v[i]) < 0)
			return ie_error_set(err, IE_EINPUT, "%s: record %zu is not a scored %s "
					    "record", where, i + 1, ops->title);
		out->g[i] = group_index(out, out->v[i].group, &cap);
	}
	out->n = json_array_size(out->records);
	out->order = xcalloc(out->n + 1, sizeof(size_t));
	for (i = 0; i < out->n; i++)
		out->order[i] = i;
	sort_base = out->v;
	qsort(out->order, out->n, sizeof(size_t), by_key);
	for (i = 1; i < out->n; i++)
		if (!strcmp(out->v[out->order[i]].key, out->v[out->order[i - 1]].key))
			return ie_error_set(err, IE_EINPUT, "%s: two records of item '%s'", where,
					    out->v[out->order[i]].key);
	return 0;
}

void items_release(struct item_set *s)
{
	json_decref(s->records);
	free(s->v);
	free(s->g);
	free(s->order);
	free(s->groups);
	memset(s, 0, sizeof(*s));
}

/* B's item with key, by binary search of B's items sorted by key. */
static const struct task_item *find(const struct item_set *b, const char *key)
{
	const size_t *order = b->order;
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->v[order[mid]].key, key);

		if (!c)
			return &b->v[order[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void items_pair(const struct item_set *a, const struct item_set *b, struct item_pairs *out)
{
	memset(out, 0, sizeof(*out));
	out->a = xcalloc(a->n + 1, sizeof(double));
	out->b = xcalloc(a->n + 1, sizeof(double));
	out->g = xcalloc(a->n + 1, sizeof(size_t));
	out->groups = a->groups;
	out->n_groups = a->n_groups;
	for (size_t i = 0; i < a->n; i++) {
		const struct task_item *m = find(b, a->v[i].key);

		if (!m) {
			out->only_a++;
			continue;
		}
		out->a[out->n] = a->v[i].value;
		out->b[out->n] = m->value;
		out->g[out->n++] = a->g[i];
	}
	out->only_b = b->n - out->n;
}

void item_pairs_release(struct item_pairs *p)
{
	free(p->a);
	free(p->b);
	free(p->g);
	memset(p, 0, sizeof(*p));
}
