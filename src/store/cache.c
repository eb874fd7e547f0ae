/* The caching backend (cache.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/cache.h"
#include "store/key.h"
#include "util/progress.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Commit about this often while answers arrive: a kill loses at most
 * this much work, and a commit per answer would cost more than it saves. */
#define FLUSH_EVERY_S 1.0

struct cache_be {
	struct ie_backend base;
	struct ie_backend *inner;
	struct store *st;
	json_t *identity;
	char *identity_text;
};

/* One submit: the misses sent on, and where their answers go. */
struct pass {
	struct cache_be *cb;
	struct ie_request *reqs; /* the caller's */
	char (*keys)[65];
	size_t *from; /* misses[i] is reqs[from[i]] */
	/* Requests asked twice in one submit (greedy samples of one prompt)
	 * are sent once: twin[i] is the next request with reqs[i]'s key that
	 * waits for its answer, or SIZE_MAX. */
	size_t *twin;
	ie_done_fn done;
	void *done_data;
	double last_flush;
	struct ie_error err;
};

static void copy_result(struct ie_request *to, const struct ie_request *from)
{
	to->res = from->res;
	to->res.text = from->res.text ? xstrdup(from->res.text) : NULL;
	to->res.error = from->res.error ? xstrdup(from->res.error) : NULL;
	to->res.scores = NULL;
	if (from->res.scores) {
		to->res.scores = xcalloc(to->n_candidates ? to->n_candidates : 1, sizeof(double));
		memcpy(to->res.scores, from->res.scores, to->n_candidates * sizeof(double));
	}
}

static int on_answer(void *data, size_t i, struct ie_request *miss)
{
	struct pass *p = data;
	size_t at;
	struct ie_request *r;
	double now;
	int ret = 0;

	if (!miss) /* a tick: nothing answered */
		return p->done ? p->done(p->done_data, SIZE_MAX, NULL) : 0;
	at = p->from[i];
	r = &p->reqs[at];
	r->res = miss->res;
	memset(&miss->res, 0, sizeof(miss->res));
	store_cache_put(p->cb->st, p->keys[at], r);
	now = progress_now();
	if (now - p->last_flush >= FLUSH_EVERY_S) {
		if ((ret = store_flush(p->cb->st, &p->err)) < 0)
			return ret;
		p->last_flush = now;
	}
	for (size_t k = at; !ret && k != SIZE_MAX; k = p->twin[k]) {
		if (k != at) { /* answered without the model: counted as cached */
			copy_result(&p->reqs[k], r);
			p->reqs[k].res.cached = 1;
		}
		if (p->done)
			ret = p->done(p->done_data, k, &p->reqs[k]);
	}
	return ret;
}

/* Keys are sorted through pointers to them, so that the order needs no
 * context: a pointer's place in the keys array is its request's index. */
static int cmp_key(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = strcmp(x, y);

	return c ? c : (x > y) - (x < y);
}

/* Links requests with equal keys: twin[] chains each to the next, and
 * lead[i] says whether reqs[i] is the first of its key. */
static void link_twins(struct pass *p, size_t n, unsigned char *lead)
{
	const char **order = xcalloc(n ? n : 1, sizeof(*order));

	for (size_t i = 0; i < n; i++) {
		order[i] = p->keys[i];
		p->twin[i] = SIZE_MAX;
		lead[i] = 1;
	}
	qsort(order, n, sizeof(*order), cmp_key);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(order[i - 1], order[i])) {
			size_t prev = (size_t)(order[i - 1] - p->keys[0]) / sizeof(p->keys[0]);
			size_t cur = (size_t)(order[i] - p->keys[0]) / sizeof(p->keys[0]);

			p->twin[prev] = cur;
			lead[cur] = 0;
		}
	free(order);
}

static int cb_submit(struct ie_backend *b, struct ie_request *reqs, size_t n, ie_done_fn done,
		     void *done_data, struct ie_error *err)
{
	struct cache_be *cb = (struct cache_be *)b;
	struct pass p = { .cb = cb, .reqs = reqs, .done = done, .done_data = done_data };
	struct ie_request *misses = xcalloc(n ? n : 1, sizeof(*misses));
	size_t n_miss = 0;
	int ret = 0;

	unsigned char *lead = xcalloc(n ? n : 1, 1);

	p.keys = xcalloc(n ? n : 1, sizeof(*p.keys));
	p.from = xcalloc(n ? n : 1, sizeof(*p.from));
	p.twin = xcalloc(n ? n : 1, sizeof(*p.twin));
	for (size_t i = 0; i < n; i++)
		key_request(&reqs[i], cb->identity_text, p.keys[i]);
	link_twins(&p, n, lead);
	for (size_t i = 0; i < n && !ret; i++) {
		int hit;

		if (!lead[i])
			continue; /* answered with the first of its key */
		if ((hit = store_cache_get(cb->st, p.keys[i], &reqs[i], err)) < 0) {
			ret = hit;
		} else if (hit) {
			for (size_t k = i; !ret && k != SIZE_MAX; k = p.twin[k]) {
				if (k != i)
					copy_result(&reqs[k], &reqs[i]);
				reqs[k].res.cached = 1;
				if (done && (ret = done(done_data, k, &reqs[k])) < 0)
					ie_error_set(err, ret, "stopped");
			}
		} else {
			misses[n_miss] = reqs[i];
			memset(&misses[n_miss].res, 0, sizeof(misses[n_miss].res));
			p.from[n_miss++] = i;
		}
	}
	if (!ret && n_miss) {
		p.last_flush = progress_now();
		ret = ie_backend_submit(cb->inner, misses, n_miss, on_answer, &p, err);
		if (p.err.code < 0)
			*err = p.err;
	}
	/* What was answered is kept even when the pass failed. */
	if (store_pending(cb->st)) {
		struct ie_error ferr = { 0 };
		int fret = store_flush(cb->st, &ferr);

		if (fret < 0 && !ret) {
			*err = ferr;
			ret = fret;
		}
	}
	for (size_t i = 0; i < n_miss; i++)
		ie_request_release(&misses[i]);
	free(misses);
	free(p.keys);
	free(p.from);
	free(p.twin);
	free(lead);
	return ret;
}

static int cb_count_tokens(struct ie_backend *b, const char *text, int *n,
			   struct ie_error *err)
{
	return ie_backend_count_tokens(((struct cache_be *)b)->inner, text, n, err);
}

static int cb_identity(struct ie_backend *b, const struct ie_hash_memo *memo, json_t **out,
		       struct ie_error *err)
{
	(void)memo;
	(void)err;
	*out = json_deep_copy(((struct cache_be *)b)->identity);
	return 0;
}

static unsigned cb_caps(struct ie_backend *b)
{
	return ie_backend_caps(((struct cache_be *)b)->inner);
}

static void cb_info(struct ie_backend *b, struct ie_backend_info *info)
{
	struct ie_backend *inner = ((struct cache_be *)b)->inner;

	inner->ops->info(inner, info);
}

static void cb_destroy(struct ie_backend *b)
{
	struct cache_be *cb = (struct cache_be *)b;

	json_decref(cb->identity);
	free(cb->identity_text);
	free(cb);
}

static int cb_render(struct ie_backend *b, const char *prompt, char **out,
		     struct ie_error *err)
{
	return ie_backend_render(((struct cache_be *)b)->inner, prompt, out, err);
}

static const struct ie_backend_ops cache_ops = {
	.name = "cache",
	.caps = cb_caps,
	.count_tokens = cb_count_tokens,
	.submit = cb_submit,
	.identity = cb_identity,
	.info = cb_info,
	.destroy = cb_destroy,
	.render = cb_render,
};

struct ie_backend *cache_backend_new(struct ie_backend *inner, struct store *st,
				     const json_t *identity)
{
	struct cache_be *cb = xcalloc(1, sizeof(*cb));

	cb->base.ops = &cache_ops;
	cb->inner = inner;
	cb->st = st;
	cb->identity = json_deep_copy(identity);
	cb->identity_text = key_identity_text(identity);
	return &cb->base;
}

static int memo_get(void *data, const char *path, int64_t size, int64_t mtime_ns, char sha[65])
{
	return store_hash_get(data, path, size, mtime_ns, sha, NULL) == 1;
}

static void memo_put(void *data, const char *path, int64_t size, int64_t mtime_ns,
		     const char *sha)
{
	/* Only a speed-up: a store that cannot remember costs a rehash. */
	store_hash_put(data, path, size, mtime_ns, sha, NULL);
}

void cache_hash_memo(struct store *st, struct ie_hash_memo *memo)
{
	memo->get = memo_get;
	memo->put = memo_put;
	memo->data = st;
}
