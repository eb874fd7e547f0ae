/*
 * Writing a random-weight model (mkmodel.h). The tokenizer keys are
 * copied from the vocab file; the architecture keys and tensors are those
 * llama.cpp loads for the architecture (llama, gpt-neox, t5, bloom,
 * stablelm, mpt, falcon).
 * Matrices get uniform values with standard deviation 0.02 and the norms
 * 1.0, like a freshly initialised network, so outputs are arbitrary but
 * well-defined.
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

static void fill(struct ggml_tensor *t, uint64_t *rng)
{
	int64_t n = ggml_nelements(t);

	for (int64_t i = 0; i < n; i++) {
		float v = next_weight(rng);

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
	size_t n_tensors;
};

enum fill_kind { RANDOM, ONES, ZEROS };

static void add_tensor(struct builder *b, const char *name, int64_t ne0, int64_t ne1,
		       enum ggml_type type, enum fill_kind kind)
{
	struct ggml_tensor *t = ne1 ? ggml_new_tensor_2d(b->ctx, type, ne0, ne1)
				    : ggml_new_tensor_1d(b->ctx, GGML_TYPE_F32, ne0);
	int64_t n = ggml_nelements(t);

	ggml_set_name(t, name);
	if (kind == RANDOM)
		fill(t, &b->rng);
	else
		for (int64_t i = 0; i < n; i++)
			((float *)t->data)[i] = kind == ONES ? 1.0f : 0.0f;
	gguf_add_tensor(b->gguf, t);
	b->n_tensors++;
}

/* A matrix (ne1 > 0) of random weights, or a norm's weights (ones). */
static void add(struct builder *b, const char *name, int64_t ne0, int64_t ne1)
{
	add_tensor(b, name, ne0, ne1, b->mat_type, ne1 ? RANDOM : ONES);
}

/* A bias: zeros, as a fresh network starts. */
static void add_bias(struct builder *b, const char *name, int64_t ne0)
{
	add_tensor(b, name, ne0, 0, GGML_TYPE_F32, ZEROS);
}

#define NAME(fmt, ...) (snprintf(name, sizeof(name), fmt, __VA_ARGS__), name)

static void llama_layer(struct builder *b, const struct ie_mkmodel_params *p, int il)
{
	int64_t head_dim = p->dim / p->heads, kv = head_dim * p->kv_heads;
	char name[64];

	add(b, NAME("blk.%d.attn_norm.weight", il), p->dim, 0);
	add(b, NAME("blk.%d.attn_q.weight", il), p->dim, p->dim);
	add(b, NAME("blk.%d.attn_k.weight", il), p->dim, kv);
	add(b, NAME("blk.%d.attn_v.weight", il), p->dim, kv);
	add(b, NAME("blk.%d.attn_output.weight", il), p->dim, p->dim);
	add(b, NAME("blk.%d.ffn_norm.weight", il), p->dim, 0);
	add(b, NAME("blk.%d.ffn_gate.weight", il), p->dim, p->ff);
	add(b, NAME("blk.%d.ffn_down.weight", il), p->ff, p->dim);
	add(b, NAME("blk.%d.ffn_up.weight", il), p->dim, p->ff);
}

static void llama_tensors(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++)
		llama_layer(b, p, il);
	add(b, "output_norm.weight", p->dim, 0);
	add(b, "output.weight", p->dim, n_vocab);
}

/* GPT-NeoX (Pythia, Dolly, RedPajama, StableLM's first models): layer
 * norms with biases, one fused QKV matrix, biased linear layers. */
static void neox_layer(struct builder *b, const struct ie_mkmodel_params *p, int il)
{
	int64_t qkv = p->dim + 2 * (p->dim / p->heads) * p->kv_heads;
	char name[64];

	add(b, NAME("blk.%d.attn_norm.weight", il), p->dim, 0);
	add_bias(b, NAME("blk.%d.attn_norm.bias", il), p->dim);
	add(b, NAME("blk.%d.attn_qkv.weight", il), p->dim, qkv);
	add_bias(b, NAME("blk.%d.attn_qkv.bias", il), qkv);
	add(b, NAME("blk.%d.attn_output.weight", il), p->dim, p->dim);
	add_bias(b, NAME("blk.%d.attn_output.bias", il), p->dim);
	add(b, NAME("blk.%d.ffn_norm.weight", il), p->dim, 0);
	add_bias(b, NAME("blk.%d.ffn_norm.bias", il), p->dim);
	add(b, NAME("blk.%d.ffn_down.weight", il), p->ff, p->dim);
	add_bias(b, NAME("blk.%d.ffn_down.bias", il), p->dim);
	add(b, NAME("blk.%d.ffn_up.weight", il), p->dim, p->ff);
	add_bias(b, NAME("blk.%d.ffn_up.bias", il), p->ff);
}

static void neox_tensors(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++)
		neox_layer(b, p, il);
	add(b, "output_norm.weight", p->dim, 0);
	add_bias(b, "output_norm.bias", p->dim);
	add(b, "output.weight", p->dim, n_vocab);
}

/* BLOOM (BLOOMZ, mT0's decoder-only kin): GPT-NeoX's layers behind a
 * layer norm of the embeddings, ALiBi instead of rotary positions, and the
 * output matrix tied to the embeddings. */
static void bloom_tensors(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	add(b, "token_embd_norm.weight", p->dim, 0);
	add_bias(b, "token_embd_norm.bias", p->dim);
	for (int il = 0; il < p->layers; il++)
		neox_layer(b, p, il);
	add(b, "output_norm.weight", p->dim, 0);
	add_bias(b, "output_norm.bias", p->dim);
}

/* StableLM (StableLM-3B-4E1T, StableLM 2, StableLM-Zephyr; the alpha
 * models are GPT-NeoX): LLaMA's separate attention matrices and gated
 * SiLU feed-forward, but layer norms with biases. */
static void stablelm_layer(struct builder *b, const struct ie_mkmodel_params *p, int il)
{
	int64_t kv = (p->dim / p->heads) * p->kv_heads;
	char name[64];

	add(b, NAME("blk.%d.attn_norm.weight", il), p->dim, 0);
	add_bias(b, NAME("blk.%d.attn_norm.bias", il), p->dim);
	add(b, NAME("blk.%d.attn_q.weight", il), p->dim, p->dim);
	add(b, NAME("blk.%d.attn_k.weight", il), p->dim, kv);
	add(b, NAME("blk.%d.attn_v.weight", il), p->dim, kv);
	add(b, NAME("blk.%d.attn_output.weight", il), p->dim, p->dim);
	add(b, NAME("blk.%d.ffn_norm.weight", il), p->dim, 0);
	add_bias(b, NAME("blk.%d.ffn_norm.bias", il), p->dim);
	add(b, NAME("blk.%d.ffn_gate.weight", il), p->dim, p->ff);
	add(b, NAME("blk.%d.ffn_down.weight", il), p->ff, p->dim);
	add(b, NAME("blk.%d.ffn_up.weight", il), p->dim, p->ff);
}

static void stablelm_tensors(struct builder *b, const struct ie_mkmodel_params *p,
			     int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++)
		stablelm_layer(b, p, il);
	add(b, "output_norm.weight", p->dim, 0);
	add_bias(b, "output_norm.bias", p->dim);
	add(b, "output.weight", p->dim, n_vocab);
}

/* MPT (MPT-7B-Instruct, MPT-7B-Chat): one fused QKV matrix, ALiBi, and no
 * biases anywhere, layer norms included (MPT's no_bias); the output
 * matrix is the embeddings'. */
static void mpt_layer(struct builder *b, const struct ie_mkmodel_params *p, int il)
{
	int64_t qkv = p->dim + 2 * (p->dim / p->heads) * p->kv_heads;
	char name[64];

	add(b, NAME("blk.%d.attn_norm.weight", il), p->dim, 0);
	add(b, NAME("blk.%d.attn_qkv.weight", il), p->dim, qkv);
	add(b, NAME("blk.%d.attn_output.weight", il), p->dim, p->dim);
	add(b, NAME("blk.%d.ffn_norm.weight", il), p->dim, 0);
	add(b, NAME("blk.%d.ffn_down.weight", il), p->ff, p->dim);
	add(b, NAME("blk.%d.ffn_up.weight", il), p->dim, p->ff);
}

static void mpt_tensors(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++)
		mpt_layer(b, p, il);
	add(b, "output_norm.weight", p->dim, 0);
}

/* Falcon-7B (Falcon-7B-Instruct): attention and feed-forward side by side
 * behind one biased layer norm, unbiased linear layers, the output matrix
 * tied to the embeddings. */
static void falcon_layer(struct builder *b, const struct ie_mkmodel_params *p, int il)
{
	int64_t qkv = p->dim + 2 * (p->dim / p->heads) * p->kv_heads;
	char name[64];

	add(b, NAME("blk.%d.attn_norm.weight", il), p->dim, 0);
	add_bias(b, NAME("blk.%d.attn_norm.bias", il), p->dim);
	add(b, NAME("blk.%d.attn_qkv.weight", il), p->dim, qkv);
	add(b, NAME("blk.%d.attn_output.weight", il), p->dim, p->dim);
	add(b, NAME("blk.%d.ffn_down.weight", il), p->ff, p->dim);
	add(b, NAME("blk.%d.ffn_up.weight", il), p->dim, p->ff);
}

static void falcon_tensors(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++)
		falcon_layer(b, p, il);
	add(b, "output_norm.weight", p->dim, 0);
	add_bias(b, "output_norm.bias", p->dim);
}

#define T5_BUCKETS 32

/* One T5 attention block ("enc" or "dec", self or cross): its norm, its
 * four matrices, and for self-attention the relative position biases. */
static void t5_attention(struct builder *b, const struct ie_mkmodel_params *p, const char *part,
			 const char *kind, int il, int rel)
{
	int64_t kv = (p->dim / p->heads) * p->kv_heads;
	char name[64];

	add(b, NAME("%s.blk.%d.%sattn_norm.weight", part, il, kind), p->dim, 0);
	add(b, NAME("%s.blk.%d.%sattn_q.weight", part, il, kind), p->dim, kv);
	add(b, NAME("%s.blk.%d.%sattn_k.weight", part, il, kind), p->dim, kv);
	add(b, NAME("%s.blk.%d.%sattn_v.weight", part, il, kind), p->dim, kv);
	add(b, NAME("%s.blk.%d.%sattn_o.weight", part, il, kind), kv, p->dim);
	if (rel)
		add_tensor(b, NAME("%s.blk.%d.attn_rel_b.weight", part, il), p->heads, T5_BUCKETS,
			   GGML_TYPE_F32, RANDOM);
}

/* Flan-T5's gated-GELU feed-forward. */
static void t5_ffn(struct builder *b, const struct ie_mkmodel_params *p, const char *part, int il)
{
	char name[64];

	add(b, NAME("%s.blk.%d.ffn_norm.weight", part, il), p->dim, 0);
	add(b, NAME("%s.blk.%d.ffn_gate.weight", part, il), p->dim, p->ff);
	add(b, NAME("%s.blk.%d.ffn_down.weight", part, il), p->ff, p->dim);
	add(b, NAME("%s.blk.%d.ffn_up.weight", part, il), p->dim, p->ff);
}

/* T5 (Flan-T5, mT0, UL2, T0, Tk-Instruct): an encoder and a decoder of
 * p->layers blocks each; as in T5, only the first block of each has the
 * relative position biases, which the others share. */
static void t5_tensors(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	add(b, "token_embd.weight", p->dim, n_vocab);
	for (int il = 0; il < p->layers; il++) {
		t5_attention(b, p, "enc", "", il, il == 0);
		t5_ffn(b, p, "enc", il);
	}
	add(b, "enc.output_norm.weight", p->dim, 0);
	for (int il = 0; il < p->layers; il++) {
		t5_attention(b, p, "dec", "", il, il == 0);
		t5_attention(b, p, "dec", "cross_", il, 0);
		t5_ffn(b, p, "dec", il);
	}
	add(b, "dec.output_norm.weight", p->dim, 0);
	add(b, "output.weight", p->dim, n_vocab);
}

#undef NAME

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

/* The shape keys every architecture has, under its prefix. */
static void shape_keys(struct gguf_context *g, const char *arch, const struct ie_mkmodel_params *p)
{
	char key[96];

#define KEY(suffix) (snprintf(key, sizeof(key), "%s." suffix, arch), key)
	gguf_set_val_str(g, "general.architecture", arch);
	gguf_set_val_str(g, "general.name", "instructeval-random");
	gguf_set_val_u32(g, KEY("context_length"), (uint32_t)p->ctx);
	gguf_set_val_u32(g, KEY("embedding_length"), (uint32_t)p->dim);
	gguf_set_val_u32(g, KEY("block_count"), (uint32_t)p->layers);
	gguf_set_val_u32(g, KEY("feed_forward_length"), (uint32_t)p->ff);
	gguf_set_val_u32(g, KEY("attention.head_count"), (uint32_t)p->heads);
	gguf_set_val_u32(g, KEY("attention.head_count_kv"), (uint32_t)p->kv_heads);
#undef KEY
}

static void llama_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "llama", p);
	gguf_set_val_u32(g, "llama.rope.dimension_count", (uint32_t)(p->dim / p->heads));
	gguf_set_val_f32(g, "llama.rope.freq_base", 10000.0f);
	gguf_set_val_f32(g, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
}

static void neox_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "gptneox", p);
	gguf_set_val_u32(g, "gptneox.rope.dimension_count", (uint32_t)(p->dim / p->heads));
	gguf_set_val_f32(g, "gptneox.attention.layer_norm_epsilon", 1e-5f);
	gguf_set_val_bool(g, "gptneox.use_parallel_residual", true);
}

static void bloom_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "bloom", p);
	gguf_set_val_f32(g, "bloom.attention.layer_norm_epsilon", 1e-5f);
}

/* StableLM rotates a quarter of each head; here the whole head turns, as a
 * quarter of an even head size mkmodel accepts can be odd, which RoPE
 * cannot take, and random weights gain nothing from the quarter. */
static void stablelm_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "stablelm", p);
	gguf_set_val_u32(g, "stablelm.rope.dimension_count", (uint32_t)(p->dim / p->heads));
	gguf_set_val_f32(g, "stablelm.attention.layer_norm_epsilon", 1e-5f);
}

/* ALiBi with MPT-7B's alibi_bias_max; without the key llama.cpp would
 * give MPT no positions at all, having no position embeddings. */
static void mpt_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "mpt", p);
	gguf_set_val_f32(g, "mpt.attention.layer_norm_epsilon", 1e-5f);
	gguf_set_val_f32(g, "mpt.attention.max_alibi_bias", 8.0f);
}

/* No rope.dimension_count: llama.cpp requires Falcon to rotate whole heads,
 * its default. */
static void falcon_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "falcon", p);
	gguf_set_val_f32(g, "falcon.attention.layer_norm_epsilon", 1e-5f);
}

/* T5's tokenizer adds no BOS and ends every input with EOS; the decoder
 * starts from the padding token, which T5 numbers 0. */
static void t5_keys(struct gguf_context *g, const struct ie_mkmodel_params *p)
{
	shape_keys(g, "t5", p);
	gguf_set_val_u32(g, "t5.attention.key_length", (uint32_t)(p->dim / p->heads));
	gguf_set_val_u32(g, "t5.attention.value_length", (uint32_t)(p->dim / p->heads));
	gguf_set_val_f32(g, "t5.attention.layer_norm_rms_epsilon", 1e-6f);
	gguf_set_val_u32(g, "t5.attention.relative_buckets_count", T5_BUCKETS);
	gguf_set_val_u32(g, "t5.decoder_start_token_id", 0);
	gguf_set_val_bool(g, "tokenizer.ggml.add_bos_token", false);
	gguf_set_val_bool(g, "tokenizer.ggml.add_eos_token", true);
}

/* The architectures mkmodel writes: llama.cpp's name and tensor layout. */
static const struct arch {
	const char *name; /* as --arch takes it */
	void (*keys)(struct gguf_context *g, const struct ie_mkmodel_params *p);
	void (*tensors)(struct builder *b, const struct ie_mkmodel_params *p, int64_t n_vocab);
	int tensors_per_layer;
	int matrices_per_layer; /* of dim x max(dim, ff) at most, for sizing */
} archs[] = {
	{ "llama", llama_keys, llama_tensors, 9, 7 },
	{ "gpt-neox", neox_keys, neox_tensors, 12, 6 },
	{ "t5", t5_keys, t5_tensors, 28, 18 },
	{ "bloom", bloom_keys, bloom_tensors, 12, 6 },
	{ "stablelm", stablelm_keys, stablelm_tensors, 11, 7 },
	{ "mpt", mpt_keys, mpt_tensors, 6, 6 },
	{ "falcon", falcon_keys, falcon_tensors, 6, 6 },
};

#define N_ARCHS (sizeof(archs) / sizeof(archs[0]))

static const struct arch *find_arch(const char *name)
{
	for (size_t i = 0; i < N_ARCHS; i++)
		if (!strcmp(archs[i].name, name ? name : "llama"))
			return &archs[i];
	return NULL;
}

/* The error names every architecture, from the table so it stays whole. */
static int unknown_arch(const char *name, struct ie_error *err)
{
	struct strbuf list = STRBUF_INIT;
	int ret;

	for (size_t i = 0; i < N_ARCHS; i++)
		strbuf_addf(&list, "%s%s", i == 0 ? "" : i + 1 < N_ARCHS ? ", " : " or ",
			    archs[i].name);
	ret = ie_error_set(err, IE_EUSAGE, "no architecture '%s' (%s)", name,
			   strbuf_str(&list));
	strbuf_release(&list);
	return ret;
}

static void set_arch(struct gguf_context *g, const struct arch *arch,
		     const struct ie_mkmodel_params *p, int64_t n_vocab)
{
	char key[96];

	arch->keys(g, p);
	snprintf(key, sizeof(key), "%s.vocab_size",
		 gguf_get_val_str(g, gguf_find_key(g, "general.architecture")));
	gguf_set_val_u32(g, key, (uint32_t)n_vocab);
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

/* An upper bound of the tensors' bytes, as F32. */
static size_t data_size(const struct arch *arch, const struct ie_mkmodel_params *p,
			int64_t n_vocab)
{
	size_t d = (size_t)p->dim, f = (size_t)(p->ff > p->dim ? p->ff : p->dim);
	size_t per_layer = (size_t)arch->matrices_per_layer * d * f +
			   (size_t)arch->tensors_per_layer * f + (size_t)p->heads * T5_BUCKETS * 2;

	return (per_layer * (size_t)p->layers + d * (size_t)n_vocab * 2 + 4 * d) * 4;
}

int ie_mkmodel(const struct ie_mkmodel_params *p, struct ie_error *err)
{
	const struct arch *arch = find_arch(p->arch);
	struct gguf_init_params gp = { .no_alloc = true, .ctx = NULL };
	struct gguf_context *vocab = NULL;
	struct builder b = { 0 };
	struct strbuf tmp = STRBUF_INIT;
	int64_t n_vocab = 0;
	int ret;

	if (!arch)
		return unknown_arch(p->arch, err);
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
	set_arch(b.gguf, arch, p, n_vocab);
	b.rng = p->seed;
	b.mat_type = p->f16 ? GGML_TYPE_F16 : GGML_TYPE_F32;
	b.ctx = ggml_init((struct ggml_init_params){
		.mem_size = data_size(arch, p, n_vocab) +
			    (size_t)(arch->tensors_per_layer * p->layers + 8) * ggml_tensor_overhead(),
		.mem_buffer = NULL,
		.no_alloc = false,
	});
	if (!b.ctx) {
		ret = ie_error_set(err, IE_ENOMEM, "cannot allocate the model's tensors");
		goto out;
	}
	arch->tensors(&b, p, n_vocab);
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
