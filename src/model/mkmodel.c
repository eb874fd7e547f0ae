/*
 * Writing a random-weight llama model (mkmodel.h). The tokenizer keys are
 * copied from the vocab file; the architecture keys and tensors are those
 * llama.cpp's llama architecture loads. Matrices get uniform values with
 * standard deviation 0.02 and the norms 1.0, like a freshly initialised
 * network, so outputs are arbitrary but well-defined.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ggml.h>
#include <gguf.h>

#include "instructeval/mkmodel.h"
#include "util/fileio.h"
#include "util/splitmix.h"
#include "util/strbuf.h"
#include "util/banned.h"

void ie_mkmodel_params_init(struct ie_mkmodel_params *p)
{
	memset(p, 0, sizeof(*p));
	p->layers = 2;
	p->dim = 64;
	p->heads = 4;
	p->kv_heads = 2;
	p->ff = 128;
	p->ctx = 4096;
}

/* Uniform on [-a, a] with a = 0.02 * sqrt(3), from integer arithmetic and
 * one multiplication, so no libm rounding can change the bytes. */
static float next_weight(uint64_t *s)
{
	double u = splitmix64_unit(s);

	return (float)((2.0 * u - 1.0) * 0.034641016151377546);
}

static void fill(struct ggml_tensor *t, uint64_t *rng, int ones)
{
	int64_t n = ggml_nelements(t);

	for (int64_t i = 0; i < n; i++) {
		float v = ones ? 1.0f : next_weight(rng);

		if (t->type == GGML_TYPE_F16)
			((ggml_fp16_t *)t->data)[i] = ggml_fp32_to_fp16(v);
		else
			((float *)t->data)[i] = v;
	}
}

struct builder {
	struct ggml_context *ctx;
	struct gguf_context *gguf;
	uint64_t rng;
	enum ggml_type mat_type;
};

static void add(struct builder *b, const char *name, int64_t ne0, int64_t ne1)
{
	int is_norm = ne1 == 0;
	struct ggml_tensor *t = is_norm ? ggml_new_tensor_1d(b->ctx, GGML_TYPE_F32, ne0)
					: ggml_new_tensor_2d(b->ctx, b->mat_type, ne0, ne1);

	ggml_set_name(t, name);
	fill(t, &b->rng, is_norm);
	gguf_add_tensor(b->gguf, t);
}

static void add_layer(struct builder *b, const struct ie_mkmodel_params *p, int il)
{
	int64_t head_dim = p->dim / p->heads, kv = head_dim * p->kv_heads;
	char name[64];

#define T(suffix, ne0, ne1)                                                   \
	do {                                                                  \
		snprintf(name, sizeof(name), "blk.%d." suffix ".weight", il); \
		add(b, name, ne0, ne1);                                       \
	} while (0)
	T("attn_norm", p->dim, 0);
	T("attn_q", p->dim, p->dim);
	T("attn_k", p->dim, kv);
	T("attn_v", p->dim, kv);
	T("attn_output", p->dim, p->dim);
	T("ffn_norm", p->dim, 0);
	T("ffn_gate", p->dim, p->ff);
	T("ffn_down", p->ff, p->dim);
	T("ffn_up", p->dim, p->ff);
#undef T
}

/* Keeps only the tokenizer.* keys of the vocab file. */
static int copy_tokenizer(struct gguf_context *dst, struct gguf_context *src, int64_t *n_vocab)
{
	int64_t tok = gguf_find_key(src, "tokenizer.ggml.tokens");

	if (tok < 0 || gguf_get_kv_type(src, tok) != GGUF_TYPE_ARRAY)
		return -1;
	*n_vocab = (int64_t)gguf_get_arr_n(src, tok);
	gguf_set_kv(dst, src);
	for (int64_t i = gguf_get_n_kv(dst) - 1; i >= 0; i--) {
		const char *key = gguf_get_key(dst, i);

		if (strncmp(key, "tokenizer.", 10) != 0)
			gguf_remove_key(dst, key);
	}
	return 0;
}

static void set_arch(struct gguf_context *g, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	gguf_set_val_str(g, "general.architecture", "llama");
	gguf_set_val_str(g, "general.name", "instructeval-random");
	gguf_set_val_u32(g, "llama.context_length", (uint32_t)p->ctx);
	gguf_set_val_u32(g, "llama.embedding_length", (uint32_t)p->dim);
	gguf_set_val_u32(g, "llama.block_count", (uint32_t)p->layers);
	gguf_set_val_u32(g, "llama.feed_forward_length", (uint32_t)p->ff);
	gguf_set_val_u32(g, "llama.attention.head_count", (uint32_t)p->heads);
	gguf_set_val_u32(g, "llama.attention.head_count_kv", (uint32_t)p->kv_heads);
	gguf_set_val_u32(g, "llama.rope.dimension_count", (uint32_t)(p->dim / p->heads));
	gguf_set_val_f32(g, "llama.rope.freq_base", 10000.0f);
	gguf_set_val_f32(g, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
	gguf_set_val_u32(g, "llama.vocab_size", (uint32_t)n_vocab);
	gguf_set_val_u32(g, "general.file_type", p->f16 ? 1 : 0);
	gguf_set_val_u64(g, "general.instructeval.seed", p->seed);
}

static int check_shape(const struct ie_mkmodel_params *p, struct ie_error *err)
{
	if (p->layers < 1 || p->dim < 2 || p->heads < 1 || p->kv_heads < 1 || p->ff < 1 ||
	    p->ctx < 8)
		return ie_error_set(err, IE_EUSAGE, "model sizes must be positive (ctx at least 8)");
	if (p->dim % p->heads || p->heads % p->kv_heads || (p->dim / p->heads) % 2)
		return ie_error_set(err, IE_EUSAGE,
				    "the embedding size must be a multiple of the head count with an "
				    "even head size, and the head count a multiple of the KV head "
				    "count");
	return 0;
}

static size_t data_size(const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	size_t head_dim = (size_t)(p->dim / p->heads), kv = head_dim * (size_t)p->kv_heads;
	size_t d = (size_t)p->dim, f = (size_t)p->ff;
	size_t per_layer = d * d * 2 + d * kv * 2 + d * f * 3;

	return (per_layer * (size_t)p->layers + d * (size_t)n_vocab * 2) * 4 +
	       d * (size_t)(2 * p->layers + 1) * 4;
}

int ie_mkmodel(const struct ie_mkmodel_params *p, struct ie_error *err)
{
	struct gguf_init_params gp = { .no_alloc = true, .ctx = NULL };
	struct gguf_context *vocab = NULL;
	struct builder b = { 0 };
	struct strbuf tmp = STRBUF_INIT;
	int64_t n_vocab = 0;
	int ret;

	if ((ret = check_shape(p, err)) < 0)
		return ret;
	if (!file_exists(p->vocab))
		return ie_error_set(err, IE_EINPUT, "cannot open vocab '%s': no such file", p->vocab);
	vocab = gguf_init_from_file(p->vocab, gp);
	if (!vocab)
		return ie_error_set(err, IE_EINPUT, "'%s' is not a GGUF file", p->vocab);
	b.gguf = gguf_init_empty();
	if (copy_tokenizer(b.gguf, vocab, &n_vocab) < 0) {
		ret = ie_error_set(err, IE_EINPUT, "'%s' has no tokenizer (tokenizer.ggml.tokens)",
				   p->vocab);
		goto out;
	}
	set_arch(b.gguf, p, n_vocab);
	b.rng = p->seed;
	b.mat_type = p->f16 ? GGML_TYPE_F16 : GGML_TYPE_F32;
	b.ctx = ggml_init((struct ggml_init_params){
		.mem_size = data_size(p, n_vocab) + (size_t)(12 * p->layers + 8) * ggml_tensor_overhead(),
		.mem_buffer = NULL,
		.no_alloc = false,
	});
	if (!b.ctx) {
		ret = ie_error_set(err, IE_ENOMEM, "cannot allocate the model's tensors");
		goto out;
	}
	add(&b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++)
		add_layer(&b, p, il);
	add(&b, "output_norm.weight", p->dim, 0);
	add(&b, "output.weight", p->dim, n_vocab);
	strbuf_addf(&tmp, "%s.tmp.%ld", p->out, (long)getpid());
	if (!gguf_write_to_file(b.gguf, tmp.buf, false) || rename(tmp.buf, p->out) != 0) {
		unlink(tmp.buf);
		ret = ie_error_set(err, IE_EIO, "cannot write '%s'", p->out);
	}
out:
	strbuf_release(&tmp);
	if (b.ctx)
		ggml_free(b.ctx);
	gguf_free(b.gguf);
	gguf_free(vocab);
	return ret;
}
