/*
 * The HTTP backend's insides, shared by its transport (http.c: the multi
 * loop, retries, endpoints) and its wire formats (openai.c: request bodies,
 * replies, discovery of what a server is and can do).
 */
#ifndef IE_HTTP_H
#define IE_HTTP_H

#include <stdint.h>

#include <jansson.h>

#include "instructeval/backend.h"
#include "util/strbuf.h"

enum http_flavour {
	HTTP_OPENAI = 0, /* /v1/completions or /v1/chat/completions */
	HTTP_LLAMA = 1,  /* llama-server: its native /completion */
};

enum http_counter {
	HTTP_COUNT_SERVER = 0, /* llama-server's /tokenize */
	HTTP_COUNT_VLLM,       /* vLLM's /tokenize */
	HTTP_COUNT_GGUF,       /* a local tokenizer GGUF */
	HTTP_COUNT_ESTIMATE,   /* bytes / 4: flagged in the identity */
};

struct http_endpoint {
	char *base; /* scheme://host:port[/prefix], without /v1 */
	size_t outstanding;
	int fails;          /* failures in a row */
	double rest_until;  /* resting until then (progress_now's clock) */
	const char *last_prompt; /* the last one sent, during a submit */
};

struct http_be {
	struct ie_backend base;
	struct http_endpoint *ep;
	int n_ep;
	size_t cap_ep;
	char *spec;        /* as given */
	char *system;      /* the system turn of chat requests, or NULL */
	char *model_name;  /* the served model */
	char *auth;        /* "Authorization: Bearer ..." or NULL; never printed */
	int chat;
	int multiturn;     /* few-shot prompts as turns (chat.h) */
	enum http_flavour flavour;
	enum http_counter counter;
	unsigned caps;
	int concurrency, retries;
	size_t in_flight_now; /* during a submit */
	int opening; /* discovery: fewer retries */
	int prompt_cache; /* llama-server: reuse the prefix it holds (cache_prompt) */
	double timeout_s;
	int n_ctx, n_ctx_train;
	int64_t n_params;
	json_t *fingerprint; /* what the server says about its model */
	json_t *cand_ids;    /* llama-server: candidate string -> token id */
	/* llama-server: a generation's continuation tokens (its prompt's last
	 * line, U+001F, the candidate -> token id, or null when none) */
	json_t *cont_ids;
	json_int_t safe_token; /* llama-server: a token whose text is plain ASCII; -1 unknown */
	void *tokenizer;     /* HTTP_COUNT_GGUF */
	unsigned long long retries_total;
};

/* One synchronous exchange with endpoint ep: GET path, or POST body when
 * body is not NULL. *reply is the JSON object of a 200 reply. */
int http_call(struct http_be *hb, int ep, const char *path, const json_t *body, json_t **reply,
	      struct ie_error *err);
int http_submit(struct ie_backend *be, struct ie_request *reqs, size_t n, ie_done_fn done,
		void *done_data, struct ie_error *err);

/* openai.c */
/* Writes the body of step `step` of request r into body; returns its path.
 * state is what earlier steps of r left (NULL at step 0). */
const char *http_request_body(struct http_be *hb, const struct ie_request *r, int step,
			      const json_t *state, struct strbuf *body);
/* Reads the reply of step `step` into r's results: 0 done, 1 another step
 * is needed (*state then holds what it needs; owned by the caller), -1
 * the reply is not what was asked for (*msg says why). */
int http_read_reply(struct http_be *hb, struct ie_request *r, int step, const json_t *reply,
		    json_t **state, char **msg);
/* A stream of server-sent events as {"events": [each data line's JSON]},
 * up to the first line that does not parse (a cut stream's last). */
json_t *http_sse_events(const char *text, json_error_t *jerr);
/* Whether step `step` of r is a llama-server generation stream that may
 * be ended once the score is settled (ie_gen_params.decide_label), and
 * whether the stream so far (reply) settles it. */
int http_stream_may_settle(const struct http_be *hb, const struct ie_request *r, int step,
			   const json_t *state);
int http_stream_settled(const struct ie_request *r, const json_t *state,
			const struct strbuf *reply);
/* Appends ": <the server's error message>" found in an error reply. */
void http_error_text(const json_t *reply, struct strbuf *sb);
/* Asks the endpoints what they serve and what they can do. */
int http_discover(struct http_be *hb, const struct ie_backend_config *cfg, struct ie_error *err);
/* Looks up the token ids of every scores request's candidates. */
int http_prepare(struct http_be *hb, const struct ie_request *reqs, size_t n,
		 struct ie_error *err);
unsigned http_caps(struct ie_backend *be);
int http_count_tokens(struct ie_backend *be, const char *text, int *n, struct ie_error *err);
int http_identity(struct ie_backend *be, const struct ie_hash_memo *memo, json_t **out,
		  struct ie_error *err);
void http_info(struct ie_backend *be, struct ie_backend_info *info);
void http_tokenizer_close(struct http_be *hb);

#endif
