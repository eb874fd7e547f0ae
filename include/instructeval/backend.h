/*
 * Model backends. Every backend (llama.cpp in process; later an HTTP
 * client for OpenAI-compatible servers) implements struct ie_backend_ops,
 * and the evaluator talks to models only through the functions below.
 *
 * Work is handed over as an array of requests in one call, never one
 * prompt at a time, so that a backend may reorder them, batch them and
 * reuse the computation of prefixes that prompts share. Results are
 * written into each request; their order in the array never changes.
 *
 * Ownership: prompts, stop strings and candidates are borrowed and must
 * stay valid for the call. Results (res.text, res.scores, res.error)
 * belong to the request and are freed with ie_request_release.
 */
#ifndef INSTRUCTEVAL_BACKEND_H
#define INSTRUCTEVAL_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "instructeval/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ie_backend;

enum ie_request_kind {
	/* Continue the prompt and return the new text. */
	IE_REQ_GENERATE = 1,
	/* Log-probabilities of candidate next tokens right after the prompt. */
	IE_REQ_NEXT_SCORES = 2,
};

struct ie_gen_params {
	int max_new_tokens;
	double temperature; /* 0: greedy (argmax, the first on ties) */
	double top_p;       /* 1.0 or 0: off */
	uint64_t seed;      /* per request, so a rerun draws the same */
	const char *const *stop; /* generation ends before any of these */
	size_t n_stop;
	/* End generation once the text, leading newlines removed, holds a
	 * blank line ("\n\n"): HumanEval's post-processing cuts there, so
	 * nothing after it can matter. The text is returned uncut. */
	int stop_at_blank_line;
	/* When set: end generation once a prefix match of the stripped text
	 * with this label is settled either way (backends/sampling.h,
	 * gen_settled); the text is what was generated up to then. */
	const char *decide_label;
};

/* What a request gave back. */
struct ie_result {
	char *text;          /* generated text, valid UTF-8, specials removed */
	double *scores;      /* n_candidates log-probabilities */
	int n_prompt_tokens; /* with BOS when the model adds one */
	int n_new_tokens;
	int status;          /* 0, or a negative IE_E* code */
	char *error;         /* message when status < 0 */
	int cached;          /* answered from the store, not by the model */
	/* Bit i: scores[i] is only an upper bound, because candidate i was not
	 * among the top tokens a server returned. */
	unsigned bounds;
};

/* A request is what it asks (every field but res: all that can change the
 * answer, which is what its cache key hashes) and what it got (res). */
struct ie_request {
	enum ie_request_kind kind;
	const char *prompt;
	/* Bytes at the start of prompt that its neighbours share (a few-shot
	 * task's instruction and exemplars); 0: none. Backends that compute
	 * prompts in chunks end one chunk exactly there, whatever they have
	 * cached, so that the answer never depends on what ran before. */
	size_t shared_len;
	struct ie_gen_params gen;
	/* IE_REQ_NEXT_SCORES: each candidate is encoded alone, without special
	 * tokens, and its first token is scored. IE_REQ_GENERATE: each is a
	 * continuation of the prompt (" A"), its token the first after the
	 * prompt's own when both are tokenized together, and res.scores gets
	 * their log-probabilities at the prompt's end from the pass that gives
	 * the first generated token (stays NULL where a backend cannot). */
	const char *const *candidates;
	size_t n_candidates;

	struct ie_result res;
};

void ie_request_release(struct ie_request *req);

enum ie_chunking {
	/* Prompts are cut at the end of their shared block, then in batches. */
	IE_CHUNK_SHARED = 0,
	/* In batches from the first token, as a server decodes a prompt it
	 * has not cached. */
	IE_CHUNK_PLAIN = 1,
};

/* The separator of a prompt's turns (ie_backend_config.multiturn): the
 * ASCII record separator, which no benchmark text holds (the few-shot
 * tasks refuse one that does). */
#define IE_TURN_SEPARATOR "\x1e"

struct ie_backend_config {
	/* A .gguf path (llama.cpp in process), or one or more server URLs
	 * (http(s)://host:port[/v1], comma-separated) of an OpenAI-compatible
	 * server. */
	const char *model;
	int threads;       /* 0: all cores */
	int ctx;           /* context size in tokens; 0: 4096 or the model's if smaller */
	int batch;         /* prompt batch size; 0: default */
	int verbose;       /* pass the engine's own log through */
	int no_prefix_reuse; /* recompute every prompt from scratch */
	int parallel;      /* requests decoded together in one batch; 0: auto */
	enum ie_chunking chunking;
	/* Layers offloaded to a GPU back-end; -1: all of them when llama.cpp
	 * has one (none on a CPU-only build). */
	int gpu_layers;
	/* Each prompt as one user turn, after a system turn when system is
	 * set, in the model's chat format: in process the chat template its
	 * GGUF carries, served through the chat API. 0: the raw prompts. */
	int chat;
	const char *system;
	/* With chat: a few-shot prompt's exemplars as turns, each query the
	 * user's and its answer the assistant's, the question the last user
	 * turn (the prompt holds them joined by IE_TURN_SEPARATOR). */
	int multiturn;

	/* Served models. */
	const char *model_name;  /* NULL: the server's only model */
	const char *api;         /* "completions" (default) or "chat" */
	const char *api_key_env; /* the variable holding the key; NULL: OPENAI_API_KEY */
	int concurrency;         /* requests in flight over all endpoints; 0: 1 */
	const char *tokenizer;   /* a GGUF whose vocabulary counts prompt tokens */
	double timeout_s;        /* one attempt's limit; 0: 600 */
	int retries;             /* attempts after the first; 0: 8, -1: none */
};

void ie_backend_config_init(struct ie_backend_config *cfg);

/* What results record about the model and the engine. Strings point into
 * the backend and live as long as it. */
struct ie_backend_info {
	const char *backend;        /* "llama.cpp" */
	const char *engine_version;
	const char *model_path;
	const char *model_name;     /* general.name, or the file name */
	int64_t model_size;         /* bytes, -1 when unknown */
	int n_ctx;
	int n_ctx_train;
	int64_t n_params;
	int add_bos;
	int add_eos;         /* the tokenizer ends a prompt with EOS (T5) */
	int encoder_decoder; /* prompts are encoded whole: no prefix reuse */
	/* Prompt tokens decoded so far (a reused prefix is not decoded), for
	 * measuring reuse; -1 where the backend cannot know. */
	int64_t tokens_decoded;
	int parallel; /* requests decoded together (0: not applicable) */
	/* Served models, while a submit runs: requests in flight and
	 * attempts retried so far; -1 where not applicable. */
	int64_t in_flight, retries;
};

/* Called once for each request as soon as it has finished (its res is
 * set), from the thread that called submit; index is its place in the
 * array given to submit. It returns 0 to go on, or a negative IE_E* code
 * to stop: submit then returns that code soon, leaving the requests not
 * yet done untouched (the callback keeps its own message). A backend that
 * can wait long between answers (a server retrying) also calls it with
 * index SIZE_MAX and r NULL now and then: nothing finished, but progress
 * may be shown. */
typedef int (*ie_done_fn)(void *data, size_t index, struct ie_request *r);

/* What a backend can do. */
enum {
	IE_CAP_GENERATE = 1 << 0,    /* IE_REQ_GENERATE */
	IE_CAP_NEXT_SCORES = 1 << 1, /* IE_REQ_NEXT_SCORES */
	IE_CAP_TOKENIZE = 1 << 2,    /* exact token counts */
};

/* Remembers file hashes across runs (the store does), so that a large
 * model is not hashed at every start. get returns 1 and fills sha when it
 * knows path at this size and modification time. */
struct ie_hash_memo {
	int (*get)(void *data, const char *path, int64_t size, int64_t mtime_ns, char sha[65]);
	void (*put)(void *data, const char *path, int64_t size, int64_t mtime_ns,
		    const char *sha);
	void *data;
};

struct ie_backend_ops {
	const char *name;
	unsigned (*caps)(struct ie_backend *b); /* IE_CAP_* */
	int (*count_tokens)(struct ie_backend *b, const char *text, int *n,
			    struct ie_error *err);
	int (*submit)(struct ie_backend *b, struct ie_request *reqs, size_t n, ie_done_fn done,
		      void *done_data, struct ie_error *err);
	/* The model's identity and every setting of the backend that can
	 * change an answer, as a new JSON object (see ie_backend_identity). */
	int (*identity)(struct ie_backend *b, const struct ie_hash_memo *memo, json_t **out,
			struct ie_error *err);
	void (*info)(struct ie_backend *b, struct ie_backend_info *info);
	void (*destroy)(struct ie_backend *b);
	/* The text the model reads for prompt, where the backend makes it
	 * (a chat template): a new string in *out, else NULL. May be NULL. */
	int (*render)(struct ie_backend *b, const char *prompt, char **out, struct ie_error *err);
};

/* Every backend struct starts with this. */
struct ie_backend {
	const struct ie_backend_ops *ops;
};

/* Opens the backend that claims cfg->model in the registry (a .gguf file:
 * llama.cpp). Errors: IE_EUSAGE when no backend claims it, IE_EINPUT for a
 * missing or invalid model file, IE_EMODEL when the engine fails. */
int ie_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		    struct ie_error *err);
void ie_backend_free(struct ie_backend *b);

/* The text the model reads for prompt when the backend wraps prompts (a
 * chat template): *out a new string; NULL when it reads prompt as it is. */
int ie_backend_render(struct ie_backend *b, const char *prompt, char **out,
		      struct ie_error *err);
/* Token count of text as the model sees a whole prompt: with BOS when the
 * model adds one. */
int ie_backend_count_tokens(struct ie_backend *b, const char *text, int *n,
			    struct ie_error *err);
/* Runs all requests, calling done (may be NULL) as each one finishes. A
 * failure of one request is reported in its res.status; the return value
 * is negative only when the backend itself failed or done asked to stop. */
int ie_backend_submit(struct ie_backend *b, struct ie_request *reqs, size_t n, ie_done_fn done,
		      void *done_data, struct ie_error *err);
/* The identity object that goes into every request key and the results:
 * what model answers (for a file: its name, size and sha256, hashed
 * through memo when one is given) and each setting that can change an
 * answer. Two backends with equal identities give equal answers to equal
 * requests. The caller owns *out. */
int ie_backend_identity(struct ie_backend *b, const struct ie_hash_memo *memo, json_t **out,
			struct ie_error *err);
unsigned ie_backend_caps(struct ie_backend *b);
/* The name of the backend that would open model ("llama.cpp"), or NULL. */
const char *ie_backend_find(const char *model);
void ie_backend_get_info(struct ie_backend *b, struct ie_backend_info *info);

#ifdef __cplusplus
}
#endif
#endif
