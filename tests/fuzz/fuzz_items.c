/*
 * The store's sample records as `compare` and `analyze` read them
 * (report/items.c): the input is a task's records, JSON lines, read as the
 * records of every task in turn. Read ones must be in key order with each
 * key once, each item's group among the groups, and the set paired with
 * itself must pair every item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "report/items.h"
#include "util/banned.h"

static void fail(const struct task_ops *ops, const char *what)
{
	fprintf(stderr, "items of %s: %s\n", ops->name, what);
	abort();
}

static void check(const struct task_ops *ops, const struct item_set *s)
{
	struct item_pairs p;

	if (s->n != json_array_size(s->records))
		fail(ops, "not one item per record");
	for (size_t i = 0; i < s->n; i++) {
		if (s->g[i] >= s->n_groups || strcmp(s->groups[s->g[i]], s->v[i].group))
			fail(ops, "an item outside its group");
		if (i && strcmp(s->v[s->order[i - 1]].key, s->v[s->order[i]].key) >= 0)
			fail(ops, "items out of key order");
	}
	items_pair(s, s, &p);
	if (p.n != s->n || p.only_a || p.only_b)
		fail(ops, "a set that does not pair with itself");
	for (size_t i = 0; i < p.n; i++)
		if (p.a[i] != p.b[i] && !(p.a[i] != p.a[i] && p.b[i] != p.b[i]))
			fail(ops, "an item paired with another");
	item_pairs_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *jsonl = fuzz_cstr(data, size);
	const struct task_ops *const *all = task_all();

	for (size_t t = 0; all[t]; t++) {
		struct item_set s;
		struct ie_error err = { 0 };
		int ret = items_load(all[t], jsonl, "run 1", &s, &err);

		if (!ret)
			check(all[t], &s);
		else if (ret != IE_EINPUT || !err.msg[0])
			fail(all[t], "an error without its message");
		items_release(&s);
	}
	free(jsonl);
	return 0;
}
