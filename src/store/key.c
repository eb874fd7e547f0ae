/* Request keys (key.h): a length-prefixed serialisation of the request's
 * spec and the backend's identity, hashed with sha256. Each field is
 * written with its length, so no two different requests serialise alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/key.h"
#include "util/sha256.h"
#include "util/banned.h"

/* Bumped whenever the serialisation changes, so old keys stop matching. */
#define KEY_VERSION "instructeval-request-1"

char *key_identity_text(const json_t *identity)
{
	return json_dumps(identity, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
}

static void put_bytes(struct sha256 *h, const char *tag, const void *p, size_t n)
{
	char head[64];
	int len = snprintf(head, sizeof(head), "%s:%zu:", tag, n);

	sha256_update(h, head, (size_t)len);
	sha256_update(h, p, n);
}

static void put_str(struct sha256 *h, const char *tag, const char *s)
{
	put_bytes(h, tag, s ? s : "", s ? strlen(s) : 0);
}

/* Doubles with 17 significant digits: enough to read back the same bits. */
static void put_num(struct sha256 *h, const char *tag, double v)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "%.17g", v);

	put_bytes(h, tag, buf, (size_t)len);
}

static void put_u64(struct sha256 *h, const char *tag, unsigned long long v)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%llu", v);

	put_bytes(h, tag, buf, (size_t)len);
}

/* Generation settings. The seed counts only when the request samples:
 * greedy answers are the same for every seed, and should be found in the
 * cache whatever seed a run was given. */
static void put_gen(struct sha256 *h, const struct ie_gen_params *g)
{
	int samples = g->temperature > 0;

	put_u64(h, "max_new_tokens", (unsigned long long)(g->max_new_tokens > 0 ? g->max_new_tokens : 0));
	put_num(h, "temperature", samples ? g->temperature : 0.0);
	put_num(h, "top_p", samples && g->top_p > 0 && g->top_p < 1 ? g->top_p : 1.0);
	put_u64(h, "seed", samples ? (unsigned long long)g->seed : 0);
	put_u64(h, "stop_at_blank_line", g->stop_at_blank_line != 0);
	put_u64(h, "n_stop", g->n_stop);
	for (size_t i = 0; i < g->n_stop; i++)
		put_str(h, "stop", g->stop[i]);
	/* Only when set, so that the keys of other requests stay as they were. */
	if (g->decide_label)
		put_str(h, "decide_label", g->decide_label);
}

void key_request(const struct ie_request *r, const char *identity, char key[65])
{
	struct sha256 h;

	sha256_init(&h);
	put_str(&h, "version", KEY_VERSION);
	put_str(&h, "identity", identity);
	put_u64(&h, "kind", (unsigned long long)r->kind);
	put_str(&h, "prompt", r->prompt);
	put_u64(&h, "shared_len", r->shared_len);
	if (r->kind == IE_REQ_GENERATE)
		put_gen(&h, &r->gen);
	put_u64(&h, "n_candidates", r->n_candidates);
	for (size_t i = 0; i < r->n_candidates; i++)
		put_str(&h, "candidate", r->candidates[i]);
	sha256_final_hex(&h, key);
}

void key_json(const json_t *v, char key[65])
{
	char *text = key_identity_text(v);
	struct sha256 h;

	sha256_init(&h);
	put_str(&h, "json", text);
	sha256_final_hex(&h, key);
	free(text);
}
