/*
 * The in-process llama.cpp backend. Requests are sorted by prompt so that
 * neighbours share long prefixes (a few-shot task's exemplars), and the KV
 * cache of one sequence is kept between requests: each prompt decodes only
 * the tokens after the prefix it shares with what the cache already holds.
 * Greedy decoding is an argmax over the logits, so a run is deterministic
 * for a given model, thread count and request set.
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
	struct tokens cache; /* tokens whose KV sits in sequence 0 */
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

/* Decodes toks[from..n) at positions from.., asking for logits of the last
 * token only. */
static int decode_range(struct llama_be *lb, const llama_token *toks, size_t from, size_t n)
{
	while (from < n) {
		size_t chunk = n - from;

		if (chunk > (size_t)lb->n_batch)
			chunk = (size_t)lb->n_batch;
		lb->batch.n_tokens = (int32_t)chunk;
		for (size_t i = 0; i < chunk; i++) {
			lb->batch.token[i] = toks[from + i];
			lb->batch.pos[i] = (llama_pos)(from + i);
			lb->batch.n_seq_id[i] = 1;
			lb->batch.seq_id[i][0] = 0;
			lb->batch.logits[i] = (from + i + 1 == n);
		}
		if (llama_decode(lb->ctx, lb->batch) != 0)
			return -1;
		XGROW(lb->cache.v, lb->cache.cap, from + chunk);
		memcpy(lb->cache.v + from, toks + from, chunk * sizeof(*toks));
		lb->cache.n = from + chunk;
		from += chunk;
	}
	return 0;
}

/* Brings the KV cache to exactly the prompt's tokens, reusing the prefix it
 * shares with what is there; the prompt's last logits are then ready. */
static int feed_prompt(struct llama_be *lb, const struct tokens *p)
{
	size_t common = 0;

	if (lb->reuse)
		while (common < lb->cache.n && common < p->n && lb->cache.v[common] == p->v[common])
			common++;
	if (common == p->n) /* the last token's logits are needed again */
		common = p->n - 1;
	if (common < lb->cache.n) {
		if (!llama_memory_seq_rm(llama_get_memory(lb->ctx), 0, (llama_pos)common, -1)) {
			cache_reset(lb);
			common = 0;
		}
		lb->cache.n = common;
	}
	if (decode_range(lb, p->v, common, p->n) < 0) {
		cache_reset(lb);
		return -1;
	}
	return 0;
}

static int append_token(struct llama_be *lb, llama_token tok)
{
	size_t n = lb->cache.n;

	XGROW(lb->cache.v, lb->cache.cap, n + 1);
	lb->cache.v[n] = tok;
	if (decode_range(lb, lb->cache.v, n, n + 1) < 0) {
		cache_reset(lb);
		return -1;
	}
	return 0;
}

static char *detokenize(struct llama_be *lb, const struct tokens *t)
{
	int32_t cap = (int32_t)(t->n * 16 + 16), n;
	char *buf = xmalloc((size_t)cap), *out;

	n = llama_detokenize(lb->vocab, t->v, (int32_t)t->n, buf, cap, false, false);
	if (n < 0) {
		cap = -n + 1;
		buf = xrealloc(buf, (size_t)cap);
		n = llama_detokenize(lb->vocab, t->v, (int32_t)t->n, buf, cap, false, false);
	}
	out = utf8_repair(buf, n > 0 ? (size_t)n : 0);
	free(buf);
	return out;
}

/* Cuts text at the first stop string it contains; returns whether it did. */
static int cut_at_stop(char *text, const struct ie_gen_params *gp)
{
	char *first = NULL;

	for (size_t i = 0; i < gp->n_stop; i++) {
		char *s = gp->stop[i][0] ? strstr(text, gp->stop[i]) : NULL;

		if (s && (!first || s < first))
			first = s;
	}
	if (first)
		*first = '\0';
	return first != NULL;
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
	r->status = code;
	r->error = strbuf_detach(&sb, NULL);
}

static int generate(struct llama_be *lb, struct ie_request *r)
{
	const struct ie_gen_params *gp = &r->gen;
	int n_vocab = llama_vocab_n_tokens(lb->vocab);
	struct sampler smp;
	struct tokens out = { 0 };

	sampler_init(&smp, gp->temperature, gp->top_p, gp->seed);
	for (int i = 0; i < gp->max_new_tokens; i++) {
		const float *logits = llama_get_logits_ith(lb->ctx, -1);
		llama_token tok = (llama_token)sampler_pick(&smp, logits, n_vocab);

		if (llama_vocab_is_eog(lb->vocab, tok))
			break;
		XGROW(out.v, out.cap, out.n + 1);
		out.v[out.n++] = tok;
		if (gp->n_stop || gp->stop_at_blank_line) {
			char *text = detokenize(lb, &out);
			int stop = cut_at_stop(text, gp) || (gp->stop_at_blank_line &&
							     has_blank_line_after_text(text));

			free(text);
			if (stop)
				break;
		}
		if (i + 1 == gp->max_new_tokens)
			break;
		if (lb->cache.n + 1 > (size_t)lb->n_ctx)
			break; /* the context is full: keep what was generated */
		if (append_token(lb, tok) < 0) {
			free(out.v);
			sampler_release(&smp);
			return -1;
		}
	}
	r->text = detokenize(lb, &out);
	cut_at_stop(r->text, gp);
	r->n_new_tokens = (int)out.n;
	free(out.v);
	sampler_release(&smp);
	return 0;
}

static void next_scores(struct llama_be *lb, struct ie_request *r)
{
	int n_vocab = llama_vocab_n_tokens(lb->vocab);
	const float *logits = llama_get_logits_ith(lb->ctx, -1);
	double lse = sampler_logsumexp(logits, n_vocab);
	struct tokens t = { 0 };

	r->scores = xcalloc(r->n_candidates ? r->n_candidates : 1, sizeof(double));
	for (size_t i = 0; i < r->n_candidates; i++) {
		if (tokenize(lb, r->candidates[i], 0, &t) < 0 || t.n == 0) {
			fail_request(r, IE_EMODEL, "candidate '%s' encodes to no token",
				     r->candidates[i]);
			break;
		}
		r->scores[i] = (double)logits[t.v[0]] - lse;
	}
	free(t.v);
}

static void run_one(struct llama_be *lb, struct ie_request *r, struct tokens *p)
{
	r->status = 0;
	if (tokenize(lb, r->prompt, 1, p) < 0 || p->n == 0) {
		fail_request(r, IE_EMODEL, "prompt cannot be tokenized");
		return;
	}
	r->n_prompt_tokens = (int)p->n;
	if (p->n > (size_t)lb->n_ctx) {
		fail_request(r, IE_EMODEL,
			     "prompt of %d tokens does not fit the context of %d tokens "
			     "(raise --ctx)",
			     (int)p->n, lb->n_ctx);
		return;
	}
	if (feed_prompt(lb, p) < 0) {
		fail_request(r, IE_EMODEL, "llama_decode failed on a prompt of %d tokens",
			     (int)p->n);
		return;
	}
	if (r->kind == IE_REQ_NEXT_SCORES)
		next_scores(lb, r);
	else if (generate(lb, r) < 0)
		fail_request(r, IE_EMODEL, "llama_decode failed while generating");
}

static int cmp_prompt(const void *a, const void *b)
{
	const struct ie_request *x = *(struct ie_request *const *)a;
	const struct ie_request *y = *(struct ie_request *const *)b;
	int c = strcmp(x->prompt, y->prompt);

	return c ? c : (x < y ? -1 : x > y);
}

static int lb_submit(struct ie_backend *b, struct ie_request *reqs, size_t n,
		     ie_progress_fn progress, void *progress_data, struct ie_error *err)
{
	struct llama_be *lb = (struct llama_be *)b;
	struct ie_request **order = xmalloc((n ? n : 1) * sizeof(*order));
	struct tokens p = { 0 };

	(void)err;
	for (size_t i = 0; i < n; i++)
		order[i] = &reqs[i];
	/* Sorted prompts put those that share the longest prefixes side by
	 * side, which is what the one-sequence prefix cache needs. */
	if (lb->reuse)
		qsort(order, n, sizeof(*order), cmp_prompt);
	for (size_t i = 0; i < n; i++) {
		run_one(lb, order[i], &p);
		if (progress)
			progress(progress_data, i + 1, n);
	}
	free(p.v);
	free(order);
	return 0;
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
	free(lb->path);
	free(lb);
}

static const struct ie_backend_ops llama_ops = {
	.name = "llama.cpp",
	.count_tokens = lb_count_tokens,
	.submit = lb_submit,
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
	lb->n_batch = cfg->batch > 0 ? cfg->batch : 512;
	cp.n_ctx = (uint32_t)lb->n_ctx;
	cp.n_batch = (uint32_t)lb->n_batch;
	cp.n_ubatch = (uint32_t)lb->n_batch;
	cp.n_seq_max = 1;
	cp.n_threads = threads;
	cp.n_threads_batch = threads;
	cp.no_perf = true;
	lb->ctx = llama_init_from_model(lb->model, cp);
	if (!lb->ctx)
		return ie_error_set(err, IE_EMODEL,
				    "cannot create a llama.cpp context of %d tokens for '%s'",
				    lb->n_ctx, lb->path);
	lb->batch = llama_batch_init(lb->n_batch, 0, 1);
	return 0;
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
	mp = llama_model_default_params();
	lb->model = llama_model_load_from_file(cfg->model, mp);
	if (!lb->model) {
		ret = ie_error_set(err, IE_EINPUT, "cannot load model '%s' (run with --verbose "
				   "to see why)", cfg->model);
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
