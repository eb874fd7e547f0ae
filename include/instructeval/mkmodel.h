/*
 * Random-weight models for tests and benchmarks: a GGUF file of one of
 * llama.cpp's architectures (llama, GPT-NeoX, BLOOM, StableLM, MPT, Falcon,
 * or the T5 encoder-decoder) whose tokenizer is taken from a tokenizer-only
 * GGUF (the ggml-vocab-*.gguf files of llama.cpp). The weights are drawn from a
 * seeded generator of our own, so the same parameters give the same bytes.
 */
#ifndef INSTRUCTEVAL_MKMODEL_H
#define INSTRUCTEVAL_MKMODEL_H

#include <stdint.h>

#include "instructeval/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ie_mkmodel_params {
	const char *arch;  /* "llama" (NULL too), "gpt-neox", "t5", "bloom", "stablelm",
			    * "mpt" or "falcon" */
	const char *vocab; /* tokenizer-only GGUF */
	const char *out;
	int layers, dim, heads, kv_heads, ff, ctx;
	uint64_t seed;
	int f16; /* store matrices as F16 instead of F32 */
};

/* Defaults: 2 layers, dim 64, 4 heads, 2 KV heads, ff 128, ctx 4096, seed 0. */
void ie_mkmodel_params_init(struct ie_mkmodel_params *p);
/* Writes the model (atomically). IE_EINPUT: the vocab file is missing or
 * not a GGUF with a tokenizer; IE_EUSAGE: an unknown architecture or an
 * inconsistent shape. */
int ie_mkmodel(const struct ie_mkmodel_params *p, struct ie_error *err);

#ifdef __cplusplus
}
#endif
#endif
