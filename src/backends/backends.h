/* Constructors of the backends, for the registry in backend.c alone. Each
 * backend has a claims() that says whether a model string is its kind. */
#ifndef IE_BACKENDS_H
#define IE_BACKENDS_H

#include "instructeval/backend.h"

/* The sha256 of a model file, through memo (may be NULL) by path, size
 * and modification time. */
int backend_file_sha256(const char *path, const struct ie_hash_memo *memo, char sha[65],
			struct ie_error *err);

int llama_backend_claims(const char *model);
int llama_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		       struct ie_error *err);

int http_backend_claims(const char *model);
int http_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		      struct ie_error *err);

/* A tokenizer from a GGUF file's vocabulary alone (llama.c), for counting
 * the tokens of a served model's prompts. */
int llama_tokenizer_open(const char *path, void **out, struct ie_error *err);
int llama_tokenizer_count(void *tok, const char *text, int *n, struct ie_error *err);
void llama_tokenizer_close(void *tok);

#endif
