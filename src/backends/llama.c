/*
 * The in-process llama.cpp backend. Requests are sorted by prompt so that
 * neighbours share long prefixes (a few-shot task's exemplars), and the KV
 * cache of one sequence is kept between requests: each prompt decodes only
 * the tokens after the prefix it shares with what the cache already holds.
 *
 * The answer must not depend on what ran before or beside it: a resumed
 * run computes each prompt after other neighbours than the first run did,
 * and batched requests share decode calls. On the CPU, llama.cpp's flash
 * attention picks its algorithm by the number of query rows, the length
 * of the cache and the thread count, and each gives other last bits. So
 * attention runs without it ("exact" attention): a product, a softmax and
 * a product, where a position's terms meet in the same order however the
 * prompt was cut into decode calls, and masked cells add exact zeros.
 * Each sequence has a KV stream of its own (not a unified cache), so its
 * cells sit where they would sit if it ran alone. Then greedy outputs are
 * the same bits for every thread count, batch size and prefix reuse
 * (tested), and a request's answer is a function of the request, the
 * model and the context size. Requests decoded together (--parallel) gave
 * the same bits over a few dozen tokens, but long generations were seen
 * to part after a few hundred, so --parallel above 1 is part of the
 * identity.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llama.h>

#include "backends/backends.h"
#include "backends/sampling.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct tokens {
	llama_token *v;
	size_t n, cap;
};

struct llama_be {
	struct ie_backend base;
	struct llama_model *model;
	struct llama_context *ctx;
	const struct llama_vocab *vocab;
	struct llama_batch batch;
	int n_ctx, n_batch;
	int reuse;
	int parallel; /* requests decoded together */
	int threads;
	int64_t decoded; /* prompt tokens put through llama_decode */
	int gpu_layers;  /* 0 on the CPU */
	enum ie_chunking chunking;
	struct tokens cache; /* tokens whose KV sits in sequence 0 */
	struct tokens scratch; /* the tokens of scratch_head alone */
	char *scratch_head;
	char *path;
	char name[256];
	int64_t size;
};

static int verbose_log;

static void log_cb(enum ggml_log_level level, const char *text, void *data)
{
	(void)data;
	if (verbose_log || level == GGML_LOG_LEVEL_ERROR)
		fputs(text, stderr);
}

static void engine_init(int verbose)
{
	static int done;

	verbose_log = verbose;
	if (done)
		return;
	llama_log_set(log_cb, NULL);
	llama_backend_init();
	done = 1;
}

/* Tokenizes text into t (replacing its contents). */
static int tokenize(struct llama_be *lb, const char *text, int add_special, struct tokens *t)
{
	size_t len = strlen(text);
	int32_t n;

	if (len > INT32_MAX / 2)
		return -1;
	XGROW(t->v, t->cap, len + 2);
	n = llama_tokenize(lb->vocab, text, (int32_t)len, t->v, (int32_t)t->cap,
			   add_special, false);
	if (n < 0) {
		XGROW(t->v, t->cap, (size_t)-n);
		n = llama_tokenize(lb->vocab, text, (int32_t)len, t->v, (int32_t)t->cap,
				   add_special, false);
	}
	if (n < 0)
		return -1;
	t->n = (size_t)n;
	return 0;
}

static int lb_count_tokens(struct ie_backend *b, const char *text, int *n, struct ie_error *err)
{
	struct llama_be *lb = (struct llama_be *)b;
	struct tokens t = { 0 };
	int ret = 0;

	if (tokenize(lb, text, 1, &t) < 0)
		ret = ie_error_set(err, IE_EMODEL, "cannot tokenize a text of %zu bytes",
				   strlen(text));
	else
		*n = (int)t.n;
	free(t.v);
	return ret;
}

static void cache_reset(struct llama_be *lb)
{
	llama_memory_clear(llama_get_memory(lb->ctx), true);
	lb->cache.n = 0;
}

static void cache_truncate(struct llama_be *lb, size_t n)
{
	lb->cache.n = n;
}

/* Decodes toks[from..to) at positions from.. in one call, asking for the
 * logits of its last token when logits is set. */
static int decode_chunk(struct llama_be *lb, const llama_token *toks, size_t from, size_t to,
			int logits)
{
	size_t chunk = to - from;
	int rc;

	lb->batch.n_tokens = (int32_t)chunk;
	for (size_t i = 0; i < chunk; i++) {
		lb->batch.token[i] = toks[from + i];
		lb->batch.pos[i] = (llama_pos)(from + i);
		lb->batch.n_seq_id[i] = 1;
		lb->batch.seq_id[i][0] = 0;
		lb->batch.logits[i] = logits && i + 1 == chunk;
	}
	rc = llama_decode(lb->ctx, lb->batch);
	lb->batch.n_tokens = 0; /* the batch is empty between calls */
	if (rc != 0)
		return -1;
	XGROW(lb->cache.v, lb->cache.cap, to);
	memcpy(lb->cache.v + from, toks + from, chunk * sizeof(*toks));
	lb->cache.n = to;
	return 0;
}

/* The end of the chunk of a prompt of n tokens, shared block of s, that
 * starts at from: the next multiple of the batch size counted from 0 in
 * the shared block, from s after it. */
static size_t chunk_end(const struct llama_be *lb, size_t from, size_t s, size_t n)
{
	size_t base = from < s ? 0 : s, limit = from < s ? s : n;
	size_t end = base + ((from - base) / (size_t)lb->n_batch + 1) * (size_t)lb->n_batch;

	return end < limit ? end : limit;
}

/* The end of the chunk of v[0..n) from from: chunk_end's, moved so that
 * neither it nor what is left is a single token. A matrix product of one
 * row takes another kernel than one of two or more (llamafile's sgemm
 * declines it) and gives other last bits, so no prompt token is ever
 * decoded alone: then how a prompt is cut changes nothing. */
static size_t chunk_to(const struct llama_be *lb, size_t from, size_t s, size_t n)
{
	size_t to = chunk_end(lb, from, s, n);

	if (to - from == 1)
		to = from + 2 < n ? from + 2 : n;
	if (n - to == 1)
		to = to - from > 2 ? to - 1 : n;
	return to;
}

/* Brings sequence 0 to exactly v[0..n) (shared block of s tokens) and
 * leaves the logits of its last token ready. */
static int sync_seq0(struct llama_be *lb, const llama_token *v, size_t n, size_t s)
{
	size_t common = 0, from;

	if (lb->reuse)
		while (common < lb->cache.n && common < n && lb->cache.v[common] == v[common])
			common++;
	if (common == n) /* the last token's logits are needed again */
		common = n - 1;
	if (n - common == 1 && common > 0) /* never one token alone: see chunk_to */
		common--;
	from = common;
	if (from < lb->cache.n) {
		if (!llama_memory_seq_rm(llama_get_memory(lb->ctx), 0, (llama_pos)from, -1)) {
			cache_reset(lb);
			from = 0;
		}
		cache_truncate(lb, from);
	}
	while (from < n) {
		size_t to = chunk_to(lb, from, s, n);

		if (decode_chunk(lb, v, from, to, to == n) < 0) {
			cache_reset(lb);
			return -1;
		}
		lb->decoded += (int64_t)(to - from);
		from = to;
	}
	return 0;
}

/* Tokens of the prompt's shared block: the tokens the prompt and its
 * first shared_len bytes, tokenized alone, begin with. */
static size_t shared_tokens(struct llama_be *lb, const struct ie_request *r,
			    const struct tokens *p)
{
	size_t n = 0;

	if (!r->shared_len || r->shared_len >= strlen(r->prompt))
		return 0;
	/* Sorted neighbours share their block: tokenize it once for them. */
	if (!lb->scratch_head || strlen(lb->scratch_head) != r->shared_len ||
	    strncmp(lb->scratch_head, r->prompt, r->shared_len)) {
		free(lb->scratch_head);
		lb->scratch_head = xstrndup(r->prompt, r->shared_len);
		if (tokenize(lb, lb->scratch_head, 1, &lb->scratch) < 0)
			lb->scratch.n = 0;
	}
	while (n < lb->scratch.n && n < p->n && lb->scratch.v[n] == p->v[n])
		n++;
	return n < p->n ? n : 0;
}

static int feed_prompt(struct llama_be *lb, const struct ie_request *r, const struct tokens *p)
{
	size_t s = lb->chunking == IE_CHUNK_PLAIN ? 0 : shared_tokens(lb, r, p);

	return sync_seq0(lb, p->v, p->n, s);
}

static int append_token(struct llama_be *lb, llama_token tok)
{
	size_t n = lb->cache.n;

	XGROW(lb->cache.v, lb->cache.cap, n + 1);
	lb->cache.v[n] = tok;
	if (decode_chunk(lb, lb->cache.v, n, n + 1, 1) < 0) {
		cache_reset(lb);
		return -1;
	}
	return 0;
}

/* The bytes of t's text, as the tokens give them (possibly not valid
 * UTF-8), NUL-terminated; *len gets their number. */
static char *detokenize_raw(struct llama_be *lb, const struct tokens *t, size_t *len)
{
	int32_t cap = (int32_t)(t->n * 16 + 16), n;
	char *buf = xmalloc((size_t)cap + 1); /* one more for the NUL */

	n = llama_detokenize(lb->vocab, t->v, (int32_t)t->n, buf, cap, false, false);
	if (n < 0) {
		cap = -n;
		buf = xrealloc(buf, (size_t)cap + 1);
		n = llama_detokenize(lb->vocab, t->v, (int32_t)t->n, buf, cap, false, false);
	}
	*len = n > 0 ? (size_t)n : 0;
	buf[*len] = '\0';
	return buf;
}

static char *detokenize(struct llama_be *lb, const struct tokens *t)
{
	size_t len;
	char *buf = detokenize_raw(lb, t, &len), *out = utf8_repair(buf, len);

	free(buf);
	return out;
}

static int has_blank_line_after_text(const char *text)
{
	return strstr(text + strspn(text, "\n"), "\n\n") != NULL;
}

static void fail_request(struct ie_request *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_request(struct ie_request *r, int code, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->res.status = code;
	r->res.error = strbuf_detach(&sb, NULL);
}

/* Takes tok as the next generated token of out. Returns 1 when generation
 * goes on (tok must then be decoded), 0 when it has ended: an end-of-
 * generation token (not kept), a stop condition, or the token budget. */
static int accept_token(struct llama_be *lb, const struct ie_gen_params *gp, struct tokens *out,
			llama_token tok)
{
	if (llama_vocab_is_eog(lb->vocab, tok))
		return 0;
	XGROW(out->v, out->cap, out->n + 1);
	out->v[out->n++] = tok;
	if (gp->n_stop || gp->stop_at_blank_line) {
		char *text = detokenize(lb, out);
		int stop = gen_cut_at_stop(text, gp) ||
			   (gp->stop_at_blank_line && has_blank_line_after_text(text));

		free(text);
		if (stop)
			return 0;
	}
	if (gp->decide_label) {
		size_t len;
		char *bytes = detokenize_raw(lb, out, &len);
		int settled = text_match_settled(bytes, len, gp->decide_label);

		free(bytes);
		if (settled)
			return 0;
	}
	return out->n < (size_t)gp->max_new_tokens;
}

static void finish_text(struct llama_be *lb, struct ie_request *r, const struct tokens *out)
{
	r->res.text = detokenize(lb, out);
	gen_cut_at_stop(r->res.text, &r->gen);
	r->res.n_new_tokens = (int)out->n;
}

static int generate(struct llama_be *lb, struct ie_request *r)
{
	const struct ie_gen_params *gp = &r->gen;
	int n_vocab = llama_vocab_n_tokens(lb->vocab), ret = 0;
	struct sampler smp;
	struct tokens out = { 0 };

	sampler_init(&smp, gp->temperature, gp->top_p, gp->seed);
	while (gp->max_new_tokens > 0) {
		const float *logits = llama_get_logits_ith(lb->ctx, -1);
		llama_token tok = (llama_token)sampler_pick(&smp, logits, n_vocab);

		if (!accept_token(lb, gp, &out, tok))
			break;
		if (lb->cache.n + 1 > (size_t)lb->n_ctx)
			break; /* the context is full: keep what was generated */
		if ((ret = append_token(lb, tok)) < 0)
			break;
	}
	if (!ret)
		finish_text(lb, r, &out);
	free(out.v);
	sampler_release(&smp);
	return ret;
}

static void next_scores(struct llama_be *lb, struct ie_request *r, const float *logits)
{
	int n_vocab = llama_vocab_n_tokens(lb->vocab);
	double lse = sampler_logsumexp(logits, n_vocab);
	struct tokens t = { 0 };

	r->res.scores = xcalloc(r->n_candidates ? r->n_candidates : 1, sizeof(double));
	for (size_t i = 0; i < r->n_candidates; i++) {
		if (tokenize(lb, r->candidates[i], 0, &t) < 0 || t.n == 0) {
			fail_request(r, IE_EMODEL, "candidate '%s' encodes to no token",
				     r->candidates[i]);
			break;
		}
		r->res.scores[i] = (double)logits[t.v[0]] - lse;
	}
	free(t.v);
}

static void run_one(struct llama_be *lb, struct ie_request *r, struct tokens *p)
{
	r->res.status = 0;
	if (tokenize(lb, r->prompt, 1, p) < 0 || p->n == 0) {
		fail_request(r, IE_EMODEL, "prompt cannot be tokenized");
		return;
	}
	r->res.n_prompt_tokens = (int)p->n;
	if (p->n > (size_t)lb->n_ctx) {
		fail_request(r, IE_EMODEL,
			     "prompt of %d tokens does not fit the context of %d tokens "
			     "(a larger context size would take it)",
			     (int)p->n, lb->n_ctx);
		return;
	}
	if (feed_prompt(lb, r, p) < 0) {
		fail_request(r, IE_EMODEL, "llama_decode failed on a prompt of %d tokens",
			     (int)p->n);
		return;
	}
	if (r->kind == IE_REQ_NEXT_SCORES)
		next_scores(lb, r, llama_get_logits_ith(lb->ctx, -1));
	else if (generate(lb, r) < 0)
		fail_request(r, IE_EMODEL, "llama_decode failed while generating");
}

/* ---- several requests at once ----
 *
 * With --parallel N, up to N neighbouring requests (sorted, so they share
 * a prefix) run together: the shared prefix is decoded once in sequence 0
 * and shared with sequences 1..N-1 (the KV cache is unified, so sharing
 * copies no data), all suffixes go through llama_decode in one batch, and
 * each generation step decodes one token of every unfinished request in
 * one batch, which is where a lone request wastes most of the machine. */

struct member {
	struct ie_request *r;
	struct tokens prompt, out;
	struct sampler smp;
	llama_token pending; /* sampled, decoded in the next step */
	size_t pos;          /* its next position */
	int active;
};

/* Handles the logits of member m's last decoded token. */
static void take_logits(struct llama_be *lb, struct member *m, const float *logits)
{
	int n_vocab = llama_vocab_n_tokens(lb->vocab);
	llama_token tok;

	m->active = 0;
	if (m->r->kind == IE_REQ_NEXT_SCORES) {
		next_scores(lb, m->r, logits);
		return;
	}
	if (m->r->gen.max_new_tokens <= 0)
		return;
	tok = (llama_token)sampler_pick(&m->smp, logits, n_vocab);
	if (accept_token(lb, &m->r->gen, &m->out, tok)) {
		m->pending = tok;
		m->active = 1;
	}
}

static void batch_add(struct llama_be *lb, struct member **owner, llama_token tok, size_t pos,
		      int seq, struct member *logits_for)
{
	int32_t i = lb->batch.n_tokens++;

	lb->batch.token[i] = tok;
	lb->batch.pos[i] = (llama_pos)pos;
	lb->batch.n_seq_id[i] = 1;
	lb->batch.seq_id[i][0] = seq;
	lb->batch.logits[i] = logits_for != NULL;
	owner[i] = logits_for;
}

static int batch_flush(struct llama_be *lb, struct member **owner)
{
	int32_t n = lb->batch.n_tokens;
	int rc;

	if (n == 0)
		return 0;
	rc = llama_decode(lb->ctx, lb->batch);
	lb->batch.n_tokens = 0;
	if (rc != 0)
		return -1;
	for (int32_t i = 0; i < n; i++)
		if (owner[i])
			take_logits(lb, owner[i], llama_get_logits_ith(lb->ctx, i));
	return 0;
}

/* Decodes every member's prompt after the shared prefix. */
static int prefill(struct llama_be *lb, struct member *m, size_t g, size_t prefix,
		   struct member **owner)
{
	for (size_t k = 0; k < g; k++) {
		for (size_t t = prefix; t < m[k].prompt.n; t++) {
			int last = t + 1 == m[k].prompt.n;

			batch_add(lb, owner, m[k].prompt.v[t], t, (int)k, last ? &m[k] : NULL);
			lb->decoded++;
			if (lb->batch.n_tokens == lb->n_batch && batch_flush(lb, owner) < 0)
				return -1;
		}
		m[k].pos = m[k].prompt.n;
	}
	return batch_flush(lb, owner);
}

/* One token of every unfinished member per step, until all are done. */
static int generate_all(struct llama_be *lb, struct member *m, size_t g, struct member **owner)
{
	for (;;) {
		for (size_t k = 0; k < g; k++) {
			if (!m[k].active)
				continue;
			batch_add(lb, owner, m[k].pending, m[k].pos++, (int)k, &m[k]);
		}
		if (lb->batch.n_tokens == 0)
			return 0;
		if (batch_flush(lb, owner) < 0)
			return -1;
	}
}

static int run_members(struct llama_be *lb, struct member *m, size_t g, size_t prefix)
{
	llama_memory_t mem = llama_get_memory(lb->ctx);
	struct member **owner = xcalloc((size_t)lb->n_batch, sizeof(*owner));
	int ret;

	ret = sync_seq0(lb, m[0].prompt.v, prefix, 0);
	for (size_t k = 1; !ret && k < g; k++) {
		/* Across KV streams llama.cpp copies whole streams: the prefix
		 * and what follows it, which is then dropped. */
		llama_memory_seq_rm(mem, (llama_seq_id)k, -1, -1);
		llama_memory_seq_cp(mem, 0, (llama_seq_id)k, -1, -1);
		llama_memory_seq_rm(mem, (llama_seq_id)k, (llama_pos)prefix, -1);
	}
	if (!ret)
		ret = prefill(lb, m, g, prefix, owner);
	if (!ret)
		ret = generate_all(lb, m, g, owner);
	free(owner);
	/* Keep only the shared prefix, in sequence 0, for the next group. */
	for (size_t k = 1; k < g; k++)
		llama_memory_seq_rm(mem, (llama_seq_id)k, -1, -1);
	if (ret < 0 || !llama_memory_seq_rm(mem, 0, (llama_pos)prefix, -1))
		cache_reset(lb);
	else
		cache_truncate(lb, prefix);
	return ret;
}

static size_t common_prefix(const struct tokens *a, const struct tokens *b, size_t limit)
{
	size_t n = 0;

	while (n < limit && n < a->n && n < b->n && a->v[n] == b->v[n])
		n++;
	return n;
}

/* Tokenizes up to lb->parallel requests from order[0..n) into m and picks
 * how many run together: as many as share the context (prefix once, then
 * each one's suffix and new tokens). Sets *prefix; returns the count. */
static size_t form_group(struct llama_be *lb, struct ie_request **order, size_t n,
			 struct member *m, size_t *prefix)
{
	size_t g = 0, p = 0, need = 0;

	while (g < n && g < (size_t)lb->parallel) {
		struct member *c = &m[g];
		size_t np, gen, need_all;

		if (tokenize(lb, order[g]->prompt, 1, &c->prompt) < 0 || c->prompt.n == 0 ||
		    c->prompt.n > (size_t)lb->n_ctx)
			break; /* run_one reports it */
		np = g ? common_prefix(&m[0].prompt, &c->prompt, p) : c->prompt.n - 1;
		if (np >= c->prompt.n)
			np = c->prompt.n - 1;
		gen = order[g]->kind == IE_REQ_GENERATE && order[g]->gen.max_new_tokens > 0
			      ? (size_t)order[g]->gen.max_new_tokens : 0;
		/* Lowering the prefix moves the old members' lost part into their suffixes. */
		need_all = need + g * (p - np) + (c->prompt.n - np) + gen;
		if (g && np + need_all > (size_t)lb->n_ctx)
			break;
		need = need_all;
		p = np;
		g++;
	}
	*prefix = p;
	return g;
}

static void run_group(struct llama_be *lb, struct ie_request **order, size_t g, struct member *m,
		      size_t prefix)
{
	for (size_t k = 0; k < g; k++) {
		m[k].r = order[k];
		m[k].r->res.status = 0;
		m[k].r->res.n_prompt_tokens = (int)m[k].prompt.n;
		m[k].out.n = 0;
		m[k].active = 0;
		sampler_init(&m[k].smp, order[k]->gen.temperature, order[k]->gen.top_p,
			     order[k]->gen.seed);
	}
	if (run_members(lb, m, g, prefix) < 0) {
		for (size_t k = 0; k < g; k++)
			fail_request(m[k].r, IE_EMODEL, "llama_decode failed on a batch of %zu "
				     "requests", g);
	} else {
		for (size_t k = 0; k < g; k++)
			if (m[k].r->kind == IE_REQ_GENERATE)
				finish_text(lb, m[k].r, &m[k].out);
	}
	for (size_t k = 0; k < g; k++)
		sampler_release(&m[k].smp);
}

static int cmp_prompt(const void *a, const void *b)
{
	const struct ie_request *x = *(struct ie_request *const *)a;
	const struct ie_request *y = *(struct ie_request *const *)b;
	int c = strcmp(x->prompt, y->prompt);

	return c ? c : (x < y ? -1 : x > y);
}

static int report_done(ie_done_fn done, void *data, struct ie_request *reqs,
		       struct ie_request *r)
{
	return done ? done(data, (size_t)(r - reqs), r) : 0;
}

static int lb_submit(struct ie_backend *b, struct ie_request *reqs, size_t n, ie_done_fn done,
		     void *done_data, struct ie_error *err)
{
	struct llama_be *lb = (struct llama_be *)b;
	struct ie_request **order = xmalloc((n ? n : 1) * sizeof(*order));
	struct tokens p = { 0 };
	int ret = 0;

	(void)err;
	for (size_t i = 0; i < n; i++)
		order[i] = &reqs[i];
	/* Sorted prompts put those that share the longest prefixes side by
	 * side, which is what the one-sequence prefix cache needs. */
	if (lb->reuse)
		qsort(order, n, sizeof(*order), cmp_prompt);
	if (lb->parallel > 1) {
		struct member *m = xcalloc((size_t)lb->parallel, sizeof(*m));

		for (size_t i = 0; i < n && !ret;) {
			size_t prefix, g = form_group(lb, order + i, n - i, m, &prefix);

			if (g > 1)
				run_group(lb, order + i, g, m, prefix);
			else
				run_one(lb, order[i], &p);
			g = g > 1 ? g : 1;
			for (size_t k = 0; k < g && !ret; k++)
				ret = report_done(done, done_data, reqs, order[i + k]);
			i += g;
		}
		for (int k = 0; k < lb->parallel; k++) {
			free(m[k].prompt.v);
			free(m[k].out.v);
		}
		free(m);
	} else {
		for (size_t i = 0; i < n && !ret; i++) {
			run_one(lb, order[i], &p);
			ret = report_done(done, done_data, reqs, order[i]);
		}
	}
	free(p.v);
	free(order);
	return ret;
}

/* What can change an answer: the model's bytes, the engine, the attention,
 * the context size (prompts that do not fit fail, generation stops when
 * it is full) and batching requests together. Threads, batch size, prefix
 * reuse and chunking are left out: with exact attention they change no
 * bit. */
static int lb_identity(struct ie_backend *b, const struct ie_hash_memo *memo, json_t **out,
		       struct ie_error *err)
{
	struct llama_be *lb = (struct llama_be *)b;
	char sha[65];
	int ret;

	if ((ret = backend_file_sha256(lb->path, memo, sha, err)) < 0)
		return ret;
	*out = json_pack("{s:s, s:s, s:I, s:s, s:i, s:s}", "backend", "llama.cpp",
			 "engine_version", IE_LLAMA_VERSION, "size", (json_int_t)lb->size,
			 "sha256", sha, "ctx", lb->n_ctx, "attention", "exact");
	if (lb->parallel > 1)
		json_object_set_new(*out, "parallel", json_integer(lb->parallel));
	/* A GPU's kernels are chosen by batch shape: nothing there is known to
	 * give the CPU's bits, or the same bits for every batch size. */
	if (lb->gpu_layers) {
		json_object_set_new(*out, "gpu_layers", json_integer(lb->gpu_layers));
		json_object_set_new(*out, "batch", json_integer(lb->n_batch));
	}
	return 0;
}

static unsigned lb_caps(struct ie_backend *b)
{
	(void)b;
	return IE_CAP_GENERATE | IE_CAP_NEXT_SCORES | IE_CAP_TOKENIZE;
}

static void lb_info(struct ie_backend *b, struct ie_backend_info *info)
{
	struct llama_be *lb = (struct llama_be *)b;

	info->backend = "llama.cpp";
	info->engine_version = IE_LLAMA_VERSION;
	info->model_path = lb->path;
	info->model_name = lb->name;
	info->model_size = lb->size;
	info->n_ctx = lb->n_ctx;
	info->n_ctx_train = llama_model_n_ctx_train(lb->model);
	info->n_params = (int64_t)llama_model_n_params(lb->model);
	info->add_bos = llama_vocab_get_add_bos(lb->vocab);
	info->tokens_decoded = lb->decoded;
}

static void lb_destroy(struct ie_backend *b)
{
	struct llama_be *lb = (struct llama_be *)b;

	if (lb->batch.token)
		llama_batch_free(lb->batch);
	if (lb->ctx)
		llama_free(lb->ctx);
	if (lb->model)
		llama_model_free(lb->model);
	free(lb->cache.v);
	free(lb->scratch.v);
	free(lb->scratch_head);
	free(lb->path);
	free(lb);
}

static const struct ie_backend_ops llama_ops = {
	.name = "llama.cpp",
	.caps = lb_caps,
	.count_tokens = lb_count_tokens,
	.submit = lb_submit,
	.identity = lb_identity,
	.info = lb_info,
	.destroy = lb_destroy,
};

static int check_gguf(const char *path, struct ie_error *err)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	size_t got;

	if (!f)
		return ie_error_set(err, IE_EINPUT, "cannot open model '%s': no such file", path);
	got = fread(magic, 1, 4, f);
	fclose(f);
	if (got != 4 || memcmp(magic, "GGUF", 4) != 0)
		return ie_error_set(err, IE_EINPUT, "'%s' is not a GGUF model file", path);
	return 0;
}

static int open_context(struct llama_be *lb, const struct ie_backend_config *cfg,
			struct ie_error *err)
{
	struct llama_context_params cp = llama_context_default_params();
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = cfg->threads > 0 ? cfg->threads : (int)(cores > 0 ? cores : 1);
	int train = llama_model_n_ctx_train(lb->model);

	lb->n_ctx = cfg->ctx > 0 ? cfg->ctx : (train > 0 && train < 4096 ? train : 4096);
	/* At least 4, so that a chunk can always take two more tokens (see
	 * chunk_to). */
	lb->n_batch = cfg->batch > 3 ? cfg->batch : cfg->batch > 0 ? 4 : 512;
	cp.n_ctx = (uint32_t)lb->n_ctx;
	cp.n_batch = (uint32_t)lb->n_batch;
	cp.n_ubatch = (uint32_t)lb->n_batch;
	lb->parallel = cfg->parallel > 1 ? cfg->parallel : 1;
	if (lb->n_batch < lb->parallel)
		lb->n_batch = lb->parallel;
	cp.n_batch = (uint32_t)lb->n_batch;
	cp.n_ubatch = (uint32_t)lb->n_batch;
	cp.n_seq_max = (uint32_t)lb->parallel;
	/* Exact attention (see the top of this file): a stream per sequence,
	 * each the full context long, and no flash attention. */
	cp.kv_unified = false;
	cp.n_ctx = (uint32_t)lb->n_ctx * (uint32_t)lb->parallel;
	cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
	lb->threads = threads;
	cp.n_threads = threads;
	cp.n_threads_batch = threads;
	cp.no_perf = true;
	lb->ctx = llama_init_from_model(lb->model, cp);
	if (!lb->ctx)
		return ie_error_set(err, IE_EMODEL,
				    "cannot create a llama.cpp context of %d tokens for '%s'",
				    lb->n_ctx, lb->path);
	lb->batch = llama_batch_init(lb->n_batch, 0, 1);
	lb->batch.n_tokens = 0;
	return 0;
}

/* Every model that is not a URL is a file for llama.cpp to read. */
int llama_backend_claims(const char *model)
{
	return strstr(model, "://") == NULL;
}

int llama_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		       struct ie_error *err)
{
	struct llama_model_params mp;
	struct llama_be *lb;
	int ret;

	if ((ret = check_gguf(cfg->model, err)) < 0)
		return ret;
	engine_init(cfg->verbose);
	lb = xcalloc(1, sizeof(*lb));
	lb->base.ops = &llama_ops;
	lb->path = xstrdup(cfg->model);
	lb->size = file_size(cfg->model);
	lb->reuse = !cfg->no_prefix_reuse;
	lb->chunking = cfg->chunking;
	mp = llama_model_default_params();
	/* Negative: llama.cpp offloads every layer. */
	lb->gpu_layers = llama_supports_gpu_offload() ? cfg->gpu_layers : 0;
	mp.n_gpu_layers = lb->gpu_layers;
	lb->model = llama_model_load_from_file(cfg->model, mp);
	if (!lb->model) {
		ret = ie_error_set(err, IE_EINPUT, "cannot load model '%s' (the engine's own "
				   "log says why)", cfg->model);
		goto fail;
	}
	lb->vocab = llama_model_get_vocab(lb->model);
	if (llama_model_meta_val_str(lb->model, "general.name", lb->name, sizeof(lb->name)) < 0)
		snprintf(lb->name, sizeof(lb->name), "%s", path_base(cfg->model));
	if ((ret = open_context(lb, cfg, err)) < 0)
		goto fail;
	*out = &lb->base;
	return 0;
fail:
	lb_destroy(&lb->base);
	return ret;
}

/* ---- a tokenizer alone, for served models ---- */

struct tokenizer {
	struct llama_be lb; /* only model and vocab are set */
};

int llama_tokenizer_open(const char *path, void **out, struct ie_error *err)
{
	struct llama_model_params mp = llama_model_default_params();
	struct tokenizer *t;
	int ret;

	*out = NULL;
	if ((ret = check_gguf(path, err)) < 0)
		return ret;
	engine_init(0);
	mp.vocab_only = true;
	t = xcalloc(1, sizeof(*t));
	t->lb.model = llama_model_load_from_file(path, mp);
	if (!t->lb.model) {
		free(t);
		return ie_error_set(err, IE_EINPUT, "cannot read the tokenizer of '%s'", path);
	}
	t->lb.vocab = llama_model_get_vocab(t->lb.model);
	*out = t;
	return 0;
}

int llama_tokenizer_count(void *tok, const char *text, int *n, struct ie_error *err)
{
	struct tokenizer *t = tok;

	return lb_count_tokens(&t->lb.base, text, n, err);
}

void llama_tokenizer_close(void *tok)
{
	struct tokenizer *t = tok;

	if (!t)
		return;
	llama_model_free(t->lb.model);
	free(t);
}
