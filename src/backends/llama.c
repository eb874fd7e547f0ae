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
 * cells sit where they would sit if it ran alone, and no matrix product
 * is ever a single row, which takes another kernel (see chunk_to and
 * add_step). Then greedy outputs are the same bits for every thread
 * count, batch size, prefix reuse and --parallel setting
 * (tests/e2e_same_answers.sh), and a request's answer is a function of
 * the request, the model and the context size.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llama.h>

#include "backends/backends.h"
#include "backends/chat.h"
#include "backends/sampling.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct tokens {
	llama_token *v;
	size_t n, cap;
};

/* Prompts counted for fitting the context are remembered, by their text's
 * sha256, until they run: the evaluator counts a window of up to 256
 * prompts just before it submits them, and a prompt is then not tokenized
 * twice (on full MMLU the tokenizer took 23 s a pass). A ring: the oldest
 * goes first. */
#define MEMO_SIZE 512

struct memo_entry {
	char sha[65];
	struct tokens t;
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
	int encoder;  /* an encoder-decoder model (T5): each prompt is encoded */
	const char *chat;   /* the GGUF's chat template, when prompts go in one */
	char *system;       /* the system turn before them, or NULL */
	int multiturn;      /* few-shot prompts as turns (chat.h) */
	int threads;
	int64_t decoded; /* prompt tokens put through llama_decode */
	int gpu_layers;  /* 0 on the CPU */
	enum ie_chunking chunking;
	struct tokens cache; /* tokens whose KV sits in sequence 0 */
	struct tokens scratch; /* the tokens of scratch_head alone */
	struct tokens counting; /* a counted text's tokens before the memo keeps them */
	char *scratch_head;
	struct memo_entry *memo; /* MEMO_SIZE of them */
	size_t memo_next;
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

/* Tokenizes text into t (replacing its contents); parse_special reads
 * special tokens' texts ("<|user|>") as those tokens. */
static int tokenize_text(struct llama_be *lb, const char *text, int add_special,
			 int parse_special, struct tokens *t)
{
	size_t len = strlen(text);
	int32_t n;

	if (len > INT32_MAX / 2)
		return -1;
	XGROW(t->v, t->cap, len + 2);
	n = llama_tokenize(lb->vocab, text, (int32_t)len, t->v, (int32_t)t->cap,
			   add_special, parse_special);
	if (n < 0) {
		XGROW(t->v, t->cap, (size_t)-n);
		n = llama_tokenize(lb->vocab, text, (int32_t)len, t->v, (int32_t)t->cap,
				   add_special, parse_special);
	}
	if (n < 0)
		return -1;
	t->n = (size_t)n;
	return 0;
}

/* Raw text: the benchmark's prompts hold no special tokens, and a text
 * that looks like one ("<s>") is only text. */
static int tokenize(struct llama_be *lb, const char *text, int add_special, struct tokens *t)
{
	return tokenize_text(lb, text, add_special, 0, t);
}

/* The prompt's messages (chat.h) in the model's chat template, ready for
 * the assistant's answer. */
static int render_chat(struct llama_be *lb, const char *prompt, char **out)
{
	struct chat_msg *m;
	size_t n = chat_msgs(lb->system, prompt, lb->multiturn, &m);
	struct llama_chat_message *msgs = xcalloc(n, sizeof(*msgs));
	int32_t len, cap = (int32_t)(2 * strlen(prompt) + 1024);
	char *buf;

	for (size_t i = 0; i < n; i++)
		msgs[i] = (struct llama_chat_message){ m[i].role, m[i].content };
	buf = xmalloc((size_t)cap);
	len = llama_chat_apply_template(lb->chat, msgs, n, true, buf, cap);
	if (len >= cap) {
		cap = len + 1;
		buf = xrealloc(buf, (size_t)cap);
		len = llama_chat_apply_template(lb->chat, msgs, n, true, buf, cap);
	}
	free(msgs);
	chat_msgs_free(m, n);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* A whole prompt's tokens as the model reads them: with BOS as it adds
 * one; in a chat template, whose special tokens are read as such and
 * which may begin with BOS itself (never two, then). */
static int tokenize_whole(struct llama_be *lb, const char *text, struct tokens *t)
{
	llama_token bos = llama_vocab_bos(lb->vocab);
	char *chat = NULL;
	int ret;

	if (!lb->chat)
		return tokenize(lb, text, 1, t);
	if (render_chat(lb, text, &chat) < 0)
		return -1;
	ret = tokenize_text(lb, chat, 1, 1, t);
	free(chat);
	if (!ret && t->n >= 2 && bos != LLAMA_TOKEN_NULL && t->v[0] == bos && t->v[1] == bos) {
		memmove(t->v, t->v + 1, (t->n - 1) * sizeof(*t->v));
		t->n--;
	}
	return ret;
}

static void text_sha(const char *text, char sha[65])
{
	sha256_hex(text, strlen(text), sha);
}

static struct memo_entry *memo_find(struct llama_be *lb, const char sha[65])
{
	for (size_t i = 0; lb->memo && i < MEMO_SIZE; i++)
		if (lb->memo[i].t.v && !strcmp(lb->memo[i].sha, sha))
			return &lb->memo[i];
	return NULL;
}

/* A prompt's tokens (with BOS as the model adds it): remembered ones when
 * it was counted, else tokenized now. */
static int tokenize_prompt(struct llama_be *lb, const char *text, struct tokens *t)
{
	char sha[65];
	const struct memo_entry *e;

	text_sha(text, sha);
	if (!(e = memo_find(lb, sha)))
		return tokenize_whole(lb, text, t);
	XGROW(t->v, t->cap, e->t.n + 1);
	memcpy(t->v, e->t.v, e->t.n * sizeof(*t->v));
	t->n = e->t.n;
	return 0;
}

static int lb_count_tokens(struct ie_backend *b, const char *text, int *n, struct ie_error *err)
{
	struct llama_be *lb = (struct llama_be *)b;
	struct memo_entry *e;
	char sha[65];

	text_sha(text, sha);
	if ((e = memo_find(lb, sha))) {
		*n = (int)e->t.n;
		return 0;
	}
	if (!lb->memo)
		lb->memo = xcalloc(MEMO_SIZE, sizeof(*lb->memo));
	/* Tokenized into a buffer kept for it, then copied at its size:
	 * tokenize sizes for the worst case, a token a byte, and shrinking
	 * each entry in place left the heap in pieces as entries turned. */
	if (tokenize_whole(lb, text, &lb->counting) < 0)
		return ie_error_set(err, IE_EMODEL, "cannot tokenize a text of %zu bytes",
				    strlen(text));
	e = &lb->memo[lb->memo_next];
	lb->memo_next = (lb->memo_next + 1) % MEMO_SIZE;
	free(e->t.v);
	e->t.n = e->t.cap = lb->counting.n;
	e->t.v = xmalloc((e->t.n ? e->t.n : 1) * sizeof(*e->t.v));
	memcpy(e->t.v, lb->counting.v, e->t.n * sizeof(*e->t.v));
	memcpy(e->sha, sha, sizeof(e->sha));
	*n = (int)e->t.n;
	return 0;
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


static void kv_append(struct tokens *kv, const llama_token *v, size_t n)
{
	if (n == 0) /* v may be NULL then */
		return;
	XGROW(kv->v, kv->cap, kv->n + n);
	memcpy(kv->v + kv->n, v, n * sizeof(*v));
	kv->n += n;
}

/* Decodes toks[from..to) at positions from.. of sequence seq in one call,
 * asking for the logits of its last token when logits is set, and puts
 * them after the first from tokens of kv, the tokens seq holds. */
static int decode_chunk(struct llama_be *lb, int seq, struct tokens *kv, const llama_token *toks,
			size_t from, size_t to, int logits)
{
	size_t chunk = to - from;
	int rc;

	lb->batch.n_tokens = (int32_t)chunk;
	for (size_t i = 0; i < chunk; i++) {
		lb->batch.token[i] = toks[from + i];
		lb->batch.pos[i] = (llama_pos)(from + i);
		lb->batch.n_seq_id[i] = 1;
		lb->batch.seq_id[i][0] = seq;
		lb->batch.logits[i] = logits && i + 1 == chunk;
	}
	rc = llama_decode(lb->ctx, lb->batch);
	lb->batch.n_tokens = 0; /* the batch is empty between calls */
	if (rc != 0)
		return -1;
	kv->n = from;
	kv_append(kv, toks + from, chunk);
	return 0;
}

/* The end of the chunk of a prompt of n tokens, shared block of s, that
 * starts at from: a batch on, but not past the end of the shared block.
 * Where a prompt is cut changes no bits (see the top of this file), only
 * the number of calls: counted from from, the suffix after a reused
 * prefix is one call, not one for each batch boundary it crosses. */
static size_t chunk_end(const struct llama_be *lb, size_t from, size_t s, size_t n)
{
	size_t limit = from < s ? s : n, end = from + (size_t)lb->n_batch;

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


/* How much of the cache kv a prompt p may reuse: what they share, leaving
 * two tokens at least to decode (see chunk_to). */
static size_t reusable(const struct llama_be *lb, const struct tokens *kv, const struct tokens *p)
{
	size_t n = 0;

	if (!lb->reuse)
		return 0;
	while (n < kv->n && n < p->n && kv->v[n] == p->v[n])
		n++;
	return p->n >= 2 && n + 2 > p->n ? p->n - 2 : p->n < 2 ? 0 : n;
}

/* Decodes p[from..) into sequence seq, whose tokens are kv, in calls cut
 * as chunk_to cuts, leaving the logits of its last token ready. */
static int decode_prompt(struct llama_be *lb, int seq, struct tokens *kv, const struct tokens *p,
			 size_t from, size_t s)
{
	while (from < p->n) {
		size_t to = chunk_to(lb, from, s, p->n);

		if (decode_chunk(lb, seq, kv, p->v, from, to, to == p->n) < 0)
			return -1;
		lb->decoded += (int64_t)(to - from);
		from = to;
	}
	return 0;
}

/* Brings sequence 0 to exactly the prompt p (shared block of s tokens)
 * and leaves the logits of its last token ready. */
static int sync_seq0(struct llama_be *lb, const struct tokens *p, size_t s)
{
	size_t from = reusable(lb, &lb->cache, p);

	if (from < lb->cache.n) {
		if (!llama_memory_seq_rm(llama_get_memory(lb->ctx), 0, (llama_pos)from, -1)) {
			cache_reset(lb);
			from = 0;
		}
		cache_truncate(lb, from);
	}
	if (decode_prompt(lb, 0, &lb->cache, p, from, s) < 0) {
		cache_reset(lb);
		return -1;
	}
	return 0;
}

/* Tokens of the prompt's shared block: the tokens the prompt and its
 * first shared_len bytes, tokenized alone, begin with. */
static size_t shared_tokens(struct llama_be *lb, const struct ie_request *r,
			    const struct tokens *p)
{
	size_t n = 0;

	/* In a chat turn the block is not where the prompt's tokens begin. */
	if (!r->shared_len || r->shared_len >= strlen(r->prompt) || lb->chat)
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

	return sync_seq0(lb, p, s);
}

/* Puts a generated token into the batch as a generation step does: the
 * token at pos and a throwaway copy of it at pos + 1. A lone row takes
 * another matrix kernel than two or more (see chunk_to), so every step,
 * alone or beside other requests, is two rows per sequence, and two logit
 * rows at least (alone: the copy's too, copy_logits); the token cannot see
 * the copy (it comes later), which is dropped after the step. So a
 * request's bits are the same whatever runs beside it. */
static void add_step(struct llama_batch *b, llama_token tok, size_t pos, int seq,
		     int copy_logits)
{
	for (int i = 0; i < 2; i++) {
		int32_t j = b->n_tokens++;

		b->token[j] = tok;
		b->pos[j] = (llama_pos)(pos + (size_t)i);
		b->n_seq_id[j] = 1;
		b->seq_id[j][0] = seq;
		b->logits[j] = i == 0 || copy_logits;
	}
}

/* Decodes the generated token tok at the end of sequence 0; its logits
 * are then those of row 0. */
static int append_token(struct llama_be *lb, llama_token tok)
{
	size_t n = lb->cache.n;
	int rc;

	XGROW(lb->cache.v, lb->cache.cap, n + 1);
	lb->cache.v[n] = tok;
	lb->batch.n_tokens = 0;
	add_step(&lb->batch, tok, n, 0, 1);
	rc = llama_decode(lb->ctx, lb->batch);
	lb->batch.n_tokens = 0;
	if (rc != 0 || !llama_memory_seq_rm(llama_get_memory(lb->ctx), 0, (llama_pos)n + 1, -1)) {
		cache_reset(lb);
		return -1;
	}
	lb->cache.n = n + 1;
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

static void continuation_scores(struct llama_be *lb, struct ie_request *r, const float *logits);

static int generate(struct llama_be *lb, struct ie_request *r)
{
	const struct ie_gen_params *gp = &r->gen;
	int n_vocab = llama_vocab_n_tokens(lb->vocab), ret = 0;
	struct sampler smp;
	struct tokens out = { 0 };

	sampler_init(&smp, gp->temperature, gp->top_p, gp->seed);
	while (gp->max_new_tokens > 0) {
		/* The prompt's last token, then row 0 of each step. */
		const float *logits = llama_get_logits_ith(lb->ctx, out.n ? 0 : -1);
		llama_token tok = (llama_token)sampler_pick(&smp, logits, n_vocab);

		if (!out.n && r->n_candidates)
			continuation_scores(lb, r, logits);
		if (!accept_token(lb, gp, &out, tok))
			break;
		if (lb->cache.n + 2 > (size_t)lb->n_ctx)
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

/* The token of continuation cont after tail (a text's last line, whose
 * own tokens are t): the first after them when tail + cont is tokenized.
 * The tokenizers split at line ends, so the lines before do not move where
 * the continuation's token starts (tests/test_fewshot.c checks the scores
 * against next-token scores of the letters). -1 when the tokens do not
 * extend tail's. */
static llama_token continuation_token(struct llama_be *lb, const char *tail,
				      const struct tokens *t, const char *cont)
{
	struct tokens b = { 0 };
	struct strbuf joined = STRBUF_INIT;
	llama_token tok = -1;

	strbuf_addf(&joined, "%s%s", tail, cont);
	if (tokenize_text(lb, joined.buf, 0, lb->chat != NULL, &b) == 0 && b.n > t->n &&
	    !memcmp(t->v, b.v, t->n * sizeof(*t->v)))
		tok = b.v[t->n];
	strbuf_release(&joined);
	free(b.v);
	return tok;
}

/* A generation's continuation scores, from the logits at the prompt's end
 * (see ie_request.candidates); none when a token cannot be found. */
static void continuation_scores(struct llama_be *lb, struct ie_request *r, const float *logits)
{
	int n_vocab = llama_vocab_n_tokens(lb->vocab);
	double lse = sampler_logsumexp(logits, n_vocab);
	double *scores = xcalloc(r->n_candidates + 1, sizeof(double));
	struct tokens t = { 0 };
	char *chat = NULL;
	const char *text = r->prompt, *nl, *tail;

	if (lb->chat && render_chat(lb, r->prompt, &chat) == 0)
		text = chat;
	nl = strrchr(text, '\n');
	tail = nl ? nl + 1 : text;
	if (tokenize_text(lb, tail, 0, lb->chat != NULL, &t) < 0) {
		free(scores);
		scores = NULL;
	}
	for (size_t i = 0; scores && i < r->n_candidates; i++) {
		llama_token tok = continuation_token(lb, tail, &t, r->candidates[i]);

		if (tok < 0 || tok >= n_vocab) {
			free(scores);
			scores = NULL;
			break;
		}
		scores[i] = (double)logits[tok] - lse;
	}
	free(t.v);
	free(chat);
	free(r->res.scores);
	r->res.scores = scores;
}

/* Tokenizes r's prompt into p; fails r and returns -1 when it cannot run. */
static int take_prompt(struct llama_be *lb, struct ie_request *r, struct tokens *p)
{
	r->res.status = 0;
	if (tokenize_prompt(lb, r->prompt, p) < 0 || p->n == 0) {
		fail_request(r, IE_EMODEL, "prompt cannot be tokenized");
		return -1;
	}
	r->res.n_prompt_tokens = (int)p->n;
	if (p->n > (size_t)lb->n_ctx) {
		fail_request(r, IE_EMODEL,
			     "prompt of %d tokens does not fit the context of %d tokens "
			     "(a larger context size would take it)",
			     (int)p->n, lb->n_ctx);
		return -1;
	}
	return 0;
}

/* An encoder-decoder model reads the whole prompt at once, each token
 * seeing all others, so no prefix of one prompt's states serves another:
 * the prompt is encoded, and the decoder starts afresh from its start
 * token, whose logits give the first output token. */
static int encode_prompt(struct llama_be *lb, const struct tokens *p)
{
	llama_token start = llama_model_decoder_start_token(lb->model);
	struct llama_batch b = llama_batch_get_one(p->v, (int32_t)p->n);
	int rc;

	cache_reset(lb);
	if (start == LLAMA_TOKEN_NULL)
		start = llama_vocab_bos(lb->vocab);
	if ((rc = llama_encode(lb->ctx, b)) != 0)
		return -1;
	lb->decoded += (int64_t)p->n;
	lb->batch.token[0] = start;
	lb->batch.pos[0] = 0;
	lb->batch.n_seq_id[0] = 1;
	lb->batch.seq_id[0][0] = 0;
	lb->batch.logits[0] = 1;
	lb->batch.n_tokens = 1;
	rc = llama_decode(lb->ctx, lb->batch);
	lb->batch.n_tokens = 0;
	if (rc != 0)
		return -1;
	XGROW(lb->cache.v, lb->cache.cap, 1);
	lb->cache.v[0] = start;
	lb->cache.n = 1;
	return 0;
}

static void run_one(struct llama_be *lb, struct ie_request *r, struct tokens *p)
{
	if (take_prompt(lb, r, p) < 0)
		return;
	if (lb->encoder ? encode_prompt(lb, p) < 0 : feed_prompt(lb, r, p) < 0) {
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
 * With --parallel N, N slots each run a request in a sequence (and KV
 * stream) of its own, and every generation step decodes one token of each
 * generating request in one llama_decode: where a lone request leaves the
 * hardware idle, N of them use it. A slot keeps its KV after its request,
 * and a new request goes to the free slot whose cache shares most of its
 * prompt, or gets a copy of a longer shared prefix from another slot. Each
 * prompt is decoded in calls of its own, cut as chunk_to cuts (a call that
 * mixed sequences would be split by llama.cpp into equal shares, which can
 * leave one token alone), and each step is two rows a request (add_step),
 * so a request's bits are those it gets alone. */

struct slot {
	struct ie_request *r; /* NULL: free */
	struct tokens kv;     /* the tokens its stream holds */
	struct tokens prompt, out;
	struct sampler smp;
	llama_token pending; /* sampled, decoded in the next step */
	int generating;
};

/* A copy costs a whole stream: worth it only for a longer prefix. */
#define COPY_MIN_TOKENS 64


/* Handles the logits of slot s's last decoded token: a score, or the
 * next token of its generation (s->generating says whether it goes on). */
static void take_logits(struct llama_be *lb, struct slot *s, const float *logits)
{
	int n_vocab = llama_vocab_n_tokens(lb->vocab);
	llama_token tok;

	s->generating = 0;
	if (s->r->kind == IE_REQ_NEXT_SCORES) {
		next_scores(lb, s->r, logits);
		return;
	}
	if (!s->out.n && s->r->n_candidates)
		continuation_scores(lb, s->r, logits);
	if (s->r->gen.max_new_tokens <= 0)
		return;
	tok = (llama_token)sampler_pick(&s->smp, logits, n_vocab);
	if (!accept_token(lb, &s->r->gen, &s->out, tok))
		return;
	if (s->kv.n + 2 > (size_t)lb->n_ctx)
		return; /* the context is full, as in generate() */
	s->pending = tok;
	s->generating = 1;
}

/* Points slot k's stream at the longest prefix of its prompt any slot
 * holds; returns where decoding starts. */
static size_t place_prefix(struct llama_be *lb, struct slot *sl, int k)
{
	llama_memory_t mem = llama_get_memory(lb->ctx);
	struct slot *s = &sl[k];
	size_t own = reusable(lb, &s->kv, &s->prompt), best = own;
	int from = k;

	for (int j = 0; j < lb->parallel; j++) {
		size_t n = reusable(lb, &sl[j].kv, &s->prompt);

		if (j != k && n > best + COPY_MIN_TOKENS)
			best = n, from = j;
	}
	if (from != k) { /* across streams llama.cpp copies whole ones */
		llama_memory_seq_rm(mem, k, -1, -1);
		llama_memory_seq_cp(mem, from, k, -1, -1);
		s->kv.n = 0;
		XGROW(s->kv.v, s->kv.cap, best);
		memcpy(s->kv.v, sl[from].kv.v, best * sizeof(*s->kv.v));
	}
	llama_memory_seq_rm(mem, k, (llama_pos)best, -1);
	s->kv.n = best;
	return best;
}


/* Starts request r in free slot k: decodes its prompt after what can be
 * reused, and takes the logits of its last token. */
static int slot_start(struct llama_be *lb, struct slot *sl, int k, struct ie_request *r)
{
	struct slot *s = &sl[k];
	size_t from = place_prefix(lb, sl, k);

	s->r = r;
	s->out.n = 0;
	sampler_init(&s->smp, r->gen.temperature, r->gen.top_p, r->gen.seed);
	if (decode_prompt(lb, k, &s->kv, &s->prompt, from, 0) < 0)
		return -1;
	take_logits(lb, s, llama_get_logits_ith(lb->ctx, -1));
	return 0;
}

/* One generation step of every generating slot. */
static int slots_step(struct llama_be *lb, struct slot *sl, struct slot **owner)
{
	llama_memory_t mem = llama_get_memory(lb->ctx);
	int g = 0;

	for (int k = 0; k < lb->parallel; k++)
		g += sl[k].r && sl[k].generating;
	lb->batch.n_tokens = 0;
	for (int k = 0; k < lb->parallel; k++) {
		if (!sl[k].r || !sl[k].generating)
			continue;
		owner[lb->batch.n_tokens] = &sl[k];
		add_step(&lb->batch, sl[k].pending, sl[k].kv.n, k, g == 1);
	}
	if (lb->batch.n_tokens && llama_decode(lb->ctx, lb->batch) != 0)
		return -1;
	for (int32_t i = 0; i < lb->batch.n_tokens; i += 2) {
		struct slot *s = owner[i];
		int k = (int)(s - sl);

		kv_append(&s->kv, &s->pending, 1);
		llama_memory_seq_rm(mem, k, (llama_pos)s->kv.n, -1); /* the copy goes */
		take_logits(lb, s, llama_get_logits_ith(lb->ctx, i));
	}
	lb->batch.n_tokens = 0;
	return 0;
}

/* Ends slot s's request: its text, its sampler; the slot is free again. */
static void slot_finish(struct llama_be *lb, struct slot *s, int failed)
{
	if (failed)
		fail_request(s->r, IE_EMODEL, "llama_decode failed");
	else if (s->r->kind == IE_REQ_GENERATE)
		finish_text(lb, s->r, &s->out);
	sampler_release(&s->smp);
	s->r = NULL;
}

/* The free slot whose cache shares most of prompt p; -1 when none is free. */
static int free_slot(const struct llama_be *lb, const struct slot *sl, const struct tokens *p)
{
	int best = -1;
	size_t most = 0;

	for (int k = 0; k < lb->parallel; k++) {
		size_t n;

		if (sl[k].r)
			continue;
		n = reusable(lb, &sl[k].kv, p);
		if (best < 0 || n > most)
			best = k, most = n;
	}
	return best;
}

static int report_done(ie_done_fn done, void *data, struct ie_request *reqs,
		       struct ie_request *r)
{
	return done ? done(data, (size_t)(r - reqs), r) : 0;
}

/* Runs order[0..n) in lb->parallel slots; reports each as it ends. */
static int run_slots(struct llama_be *lb, struct ie_request **order, size_t n, ie_done_fn done,
		     void *done_data, struct ie_request *reqs)
{
	struct slot *sl = xcalloc((size_t)lb->parallel, sizeof(*sl));
	struct slot **owner = xcalloc((size_t)lb->n_batch, sizeof(*owner));
	struct tokens p = { 0 };
	size_t next = 0;
	int ret = 0, busy = 0, have = 0; /* have: p holds order[next]'s tokens */

	/* Slot 0 is sequence 0, whose cache the one-at-a-time path keeps. */
	kv_append(&sl[0].kv, lb->cache.v, lb->cache.n);
	for (int k = 1; k < lb->parallel; k++)
		llama_memory_seq_rm(llama_get_memory(lb->ctx), k, -1, -1);
	while (!ret && (next < n || busy)) {
		int k, failed = 0;

		if (next < n && !have) {
			if (take_prompt(lb, order[next], &p) < 0) {
				ret = report_done(done, done_data, reqs, order[next++]);
				continue;
			}
			have = 1;
		}
		if (have && (k = free_slot(lb, sl, &p)) >= 0) {
			struct tokens t = sl[k].prompt;

			sl[k].prompt = p, p = t; /* the slot takes the tokens */
			busy++;
			have = 0;
			failed = slot_start(lb, sl, k, order[next++]) < 0;
		} else {
			failed = slots_step(lb, sl, owner) < 0;
		}
		for (k = 0; k < lb->parallel && !ret; k++) {
			if (!sl[k].r || (sl[k].generating && !failed))
				continue;
			struct ie_request *r = sl[k].r;

			slot_finish(lb, &sl[k], failed);
			busy--;
			ret = report_done(done, done_data, reqs, r);
		}
		if (failed) { /* the streams may be half written: start afresh */
			llama_memory_clear(llama_get_memory(lb->ctx), true);
			for (k = 0; k < lb->parallel; k++)
				sl[k].kv.n = 0;
		}
	}
	lb->cache.n = 0;
	kv_append(&lb->cache, sl[0].kv.v, sl[0].kv.n);
	for (int k = 0; k < lb->parallel; k++) {
		if (sl[k].r)
			sampler_release(&sl[k].smp);
		free(sl[k].kv.v);
		free(sl[k].prompt.v);
		free(sl[k].out.v);
	}
	free(p.v);
	free(owner);
	free(sl);
	return ret;
}

static int cmp_prompt(const void *a, const void *b)
{
	const struct ie_request *x = *(struct ie_request *const *)a;
	const struct ie_request *y = *(struct ie_request *const *)b;
	int c = strcmp(x->prompt, y->prompt);

	return c ? c : (x < y ? -1 : x > y);
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
	 * side, which is what the prefix caches need. */
	if (lb->reuse)
		qsort(order, n, sizeof(*order), cmp_prompt);
	if (lb->parallel > 1) {
		ret = run_slots(lb, order, n, done, done_data, reqs);
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

/* What can change an answer: the model's bytes, the engine, the attention
 * and the context size (prompts that do not fit fail, generation stops
 * when it is full). Threads, batch size, prefix reuse, chunking and
 * --parallel are left out: with exact attention and steps of two rows they
 * change no bit. */
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
	/* A GPU's kernels are chosen by batch shape: nothing there is known to
	 * give the CPU's bits, or the same bits for every batch size. */
	/* A chat template changes every prompt: which one, and the system turn. */
	if (lb->chat) {
		text_sha(lb->chat, sha);
		json_object_set_new(*out, "chat", json_pack("{s:s, s:s?}", "template_sha256", sha,
							    "system", lb->system));
		if (lb->multiturn)
			json_object_set_new(json_object_get(*out, "chat"), "turns", json_true());
	}
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
	info->add_eos = llama_vocab_get_add_eos(lb->vocab);
	info->encoder_decoder = lb->encoder;
	info->tokens_decoded = lb->decoded;
	info->parallel = lb->parallel;
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
	free(lb->counting.v);
	free(lb->scratch_head);
	for (size_t i = 0; lb->memo && i < MEMO_SIZE; i++)
		free(lb->memo[i].t.v);
	free(lb->memo);
	free(lb->path);
	free(lb->system);
	free(lb);
}

static int lb_render(struct ie_backend *b, const char *prompt, char **out, struct ie_error *err)
{
	struct llama_be *lb = (struct llama_be *)b;

	*out = NULL;
	if (lb->chat && render_chat(lb, prompt, out) < 0)
		return ie_error_set(err, IE_EMODEL, "the chat template of '%s' cannot render a "
				    "prompt", lb->path);
	return 0;
}

static const struct ie_backend_ops llama_ops = {
	.name = "llama.cpp",
	.caps = lb_caps,
	.count_tokens = lb_count_tokens,
	.submit = lb_submit,
	.identity = lb_identity,
	.render = lb_render,
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

/* --parallel auto: 8 slots, fewer when their KV streams (one each, the
 * context long, F16 K and V) would take over a quarter of the memory.
 * Generation steps of 8 requests together gave 2.4x over one at a time on
 * 16 HumanEval problems on 2 cores (bench/parallel.sh), and outputs are
 * the same bits. */
static int auto_parallel(const struct llama_be *lb)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	int heads = llama_model_n_head(lb->model), kv_heads = llama_model_n_head_kv(lb->model);
	double kv_dim = heads > 0 ? (double)llama_model_n_embd(lb->model) / heads * kv_heads : 0;
	double stream = 2.0 * 2.0 * kv_dim * llama_model_n_layer(lb->model) * lb->n_ctx;
	double budget = pages > 0 && page > 0 ? (double)pages * (double)page / 4 : 0;
	int n = 8;

	while (n > 1 && stream * n > budget)
		n--;
	return n;
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
	 * chunk_to). The default is 128 on the CPU: exact attention's score
	 * matrices grow with the batch, and 128 was both the fastest there
	 * (MMLU at 2 a subject, 4 layers, dim 1024, Q8_0, 2 cores: 26.8 s,
	 * against 28.2 s at 256, 28.6 s at 512 and 30.2 s at 64) and 66 MB
	 * smaller than 512. A GPU wants large batches. */
	lb->n_batch = cfg->batch > 3 ? cfg->batch : cfg->batch > 0 ? 4 : lb->gpu_layers ? 512 : 128;
	cp.n_ctx = (uint32_t)lb->n_ctx;
	cp.n_batch = (uint32_t)lb->n_batch;
	cp.n_ubatch = (uint32_t)lb->n_batch;
	lb->parallel = lb->encoder ? 1 : cfg->parallel > 0 ? cfg->parallel : auto_parallel(lb);
	/* The encoder takes a whole prompt in one batch. */
	if (lb->encoder)
		lb->n_batch = lb->n_ctx;
	if (lb->n_batch < 2 * lb->parallel) /* a step is two rows a request */
		lb->n_batch = 2 * lb->parallel;
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
	lb->encoder = llama_model_has_encoder(lb->model);
	/* Nothing of a prompt's states is shared with another's (see
	 * encode_prompt): no reuse, one request at a time. */
	if (lb->encoder)
		lb->reuse = 0;
	if (cfg->chat && !(lb->chat = llama_model_chat_template(lb->model, NULL))) {
		ret = ie_error_set(err, IE_EUSAGE, "'%s' carries no chat template "
				   "(tokenizer.chat_template)", cfg->model);
		goto fail;
	}
	if (cfg->system)
		lb->system = xstrdup(cfg->system);
	lb->multiturn = cfg->multiturn;
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
