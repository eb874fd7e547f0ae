/*
 * The HTTP backend's wire formats: what each kind of server is sent for a
 * request and how its reply is read, and how a server is asked what it
 * serves and can do.
 *
 * llama-server is sent its native /completion: it returns the exact
 * log-probabilities of the top tokens and never runs its chat parser,
 * which refuses outputs that are not valid UTF-8 with HTTP 500 ("does not
 * match the expected ... format"); chat prompts are first rendered with
 * its /apply-template. Other servers get /v1/completions, or with the chat
 * API /v1/chat/completions with the prompt as the single user message.
 *
 * Next-token scores. llama-server: the top 20 raw log-probabilities; a
 * candidate not among them is found by a second request that raises the
 * missing candidates' logits by b (logit_bias) and reports probabilities
 * after sampling over the whole vocabulary at temperature 1: with q their
 * biased total and p' each one's biased probability, their true total is
 * S = q / (e^b (1 - q) + q) and each one's probability is S p' / q, which
 * is exact. Other servers: the top log-probabilities they return (20); a
 * candidate's token is the one whose text is the candidate or the
 * candidate after one space. A candidate not among them gets the lowest
 * returned log-probability, an upper bound, and its bit in res.bounds
 * says so (the record shows it).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "backends/chat.h"
#include "backends/http.h"
#include "backends/sampling.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define TOP_N 20

void http_error_text(const json_t *reply, struct strbuf *sb)
{
	const json_t *e = json_object_get(reply, "error");
	const char *msg = json_is_string(e) ? json_string_value(e) : json_str(e, "message");

	if (!msg)
		msg = json_str(reply, "message");
	if (!msg)
		msg = json_str(reply, "detail");
	if (msg)
		strbuf_addf(sb, ": %.300s", msg);
}

/* ---- request bodies ---- */

static json_t *stop_list(const struct ie_gen_params *g)
{
	json_t *a = json_array();

	for (size_t i = 0; i < g->n_stop; i++)
		if (g->stop[i][0])
			json_array_append_new(a, json_string(g->stop[i]));
	return a;
}

static int samples(const struct ie_gen_params *g)
{
	return g->temperature > 0;
}

/* llama-server's sampler set to ours: temperature and top-p alone. The
 * reply is streamed with each token's id and bytes, so that the text is
 * assembled here exactly as the in-process backend assembles it, and so
 * that the tokens before a failure are not lost (see llama_read_gen). */
static json_t *llama_generate(const struct http_be *hb, const struct ie_request *r,
			      json_t *prompt, int left)
{
	const struct ie_gen_params *g = &r->gen;
	double top_p = g->top_p > 0 && g->top_p < 1 ? g->top_p : 1.0;
	json_t *o = json_pack("{s:o, s:i, s:f, s:i, s:f, s:f, s:f, s:f, s:b, s:o, s:i, s:b}",
			      "prompt", prompt, "n_predict", left, "temperature",
			      samples(g) ? g->temperature : 0.0, "top_k", 0, "top_p", top_p,
			      "min_p", 0.0, "typical_p", 1.0, "repeat_penalty", 1.0,
			      "cache_prompt", hb->prompt_cache, "stop", stop_list(g), "n_probs",
			      r->n_candidates && !hb->chat ? TOP_N : 1, "stream", 1);

	if (samples(g)) {
		json_object_set_new(o, "seed", json_integer((json_int_t)(g->seed & 0xffffffffu)));
		json_object_set_new(o, "samplers", json_pack("[s, s]", "top_p", "temperature"));
	}
	return o;
}

/* The prompt a generation step continues: the tokens so far once a probe
 * was needed, else the (rendered) prompt text. */
static json_t *llama_base(const struct ie_request *r, const json_t *state)
{
	const json_t *tokens = json_object_get(state, "tokens");

	if (tokens) {
		json_t *all = json_deep_copy(tokens);

		json_array_extend(all, json_object_get(state, "gen"));
		return all;
	}
	return json_string(json_str(state, "prompt") ? json_str(state, "prompt") : r->prompt);
}

/* The one token llama-server cannot send (its output would not be valid
 * UTF-8): asked for as the top raw log-probability of one step whose
 * sampled token is forced to a harmless one, so nothing invalid is
 * produced. */
static json_t *llama_probe(struct http_be *hb, const struct ie_request *r, const json_t *state)
{
	return json_pack("{s:o, s:i, s:f, s:i, s:b, s:[[I, f]]}", "prompt", llama_base(r, state),
			 "n_predict", 1, "temperature", 0.0, "n_probs", 1, "cache_prompt",
			 hb->prompt_cache,
			 "logit_bias", (json_int_t)hb->safe_token, 1000.0);
}

static json_t *llama_gen_body(struct http_be *hb, const struct ie_request *r,
			      const json_t *state)
{
	int done = (int)json_array_size(json_object_get(state, "gen"));
	const char *phase = json_str(state, "phase");

	if (phase && !strcmp(phase, "probe"))
		return llama_probe(hb, r, state);
	return llama_generate(hb, r, llama_base(r, state), r->gen.max_new_tokens - done);
}

/* Next-token scores: the top log-probabilities of one raw step, the
 * sampled token forced to a harmless one (llama-server refuses a token
 * that is part of a character, and the raw probabilities do not see the
 * bias); then, for candidates not among them, a step that biases them in
 * (llama_read_biased). */
static json_t *llama_scores(struct http_be *hb, const struct ie_request *r, const json_t *state)
{
	json_t *o = json_pack("{s:s, s:i, s:i, s:b}", "prompt", r->prompt, "n_predict", 1,
			      "n_probs", TOP_N, "cache_prompt", 0);
	const json_t *missing = json_object_get(state, "missing");
	double bias = json_number_value(json_object_get(state, "bias"));
	json_t *lb = json_array();
	size_t i;
	json_t *id;

	if (!state) {
		json_object_set_new(o, "temperature", json_real(0));
		if (hb->safe_token >= 0)
			json_array_append_new(lb, json_pack("[I, f]", (json_int_t)hb->safe_token,
							    1000.0));
		json_object_set_new(o, "logit_bias", lb);
		return o;
	}
	json_array_foreach(missing, i, id)
		json_array_append_new(lb, json_pack("[O, f]", id, bias));
	json_object_set_new(o, "logit_bias", lb);
	json_object_set_new(o, "temperature", json_real(1));
	json_object_set_new(o, "top_k", json_integer(0));
	json_object_set_new(o, "top_p", json_real(1));
	json_object_set_new(o, "min_p", json_real(0));
	json_object_set_new(o, "samplers", json_pack("[s]", "temperature"));
	json_object_set_new(o, "post_sampling_probs", json_true());
	json_object_set_new(o, "n_probs", json_integer((json_int_t)json_array_size(missing)));
	return o;
}

/* The chat messages of a prompt (chat.h). */
static json_t *chat_messages(const struct http_be *hb, const char *prompt)
{
	return chat_msgs_json(hb->system, prompt, hb->multiturn);
}

static json_t *openai_body(struct http_be *hb, const struct ie_request *r)
{
	const struct ie_gen_params *g = &r->gen;
	int scores = r->kind == IE_REQ_NEXT_SCORES;
	json_t *o = json_pack("{s:s}", "model", hb->model_name);

	if (hb->chat)
		json_object_set_new(o, "messages", chat_messages(hb, r->prompt));
	else
		json_object_set_new(o, "prompt", json_string(r->prompt));
	json_object_set_new(o, "max_tokens", json_integer(scores ? 1 : g->max_new_tokens));
	json_object_set_new(o, "temperature", json_real(!scores && samples(g) ? g->temperature
									       : 0.0));
	if (!scores && samples(g)) {
		json_object_set_new(o, "top_p", json_real(g->top_p > 0 && g->top_p < 1 ? g->top_p
											 : 1.0));
		json_object_set_new(o, "seed", json_integer((json_int_t)(g->seed & 0x7fffffff)));
	}
	if (!scores && g->n_stop)
		json_object_set_new(o, "stop", stop_list(g));
	if ((scores || r->n_candidates) && hb->chat) {
		json_object_set_new(o, "logprobs", json_true());
		json_object_set_new(o, "top_logprobs", json_integer(TOP_N));
	} else if (scores || r->n_candidates) {
		/* Hosted completions APIs give at most 5 with a generation. */
		json_object_set_new(o, "logprobs", json_integer(scores ? TOP_N : 5));
	}
	return o;
}

const char *http_request_body(struct http_be *hb, const struct ie_request *r, int step,
			      const json_t *state, struct strbuf *body)
{
	const char *path = "/completion";
	json_t *o;
	char *text;

	if (hb->flavour == HTTP_OPENAI) {
		o = openai_body(hb, r);
		path = hb->chat ? "/v1/chat/completions" : "/v1/completions";
	} else if (r->kind == IE_REQ_NEXT_SCORES && !hb->chat) {
		o = llama_scores(hb, r, state);
	} else if (hb->chat && step == 0) {
		o = json_pack("{s:o}", "messages", chat_messages(hb, r->prompt));
		path = "/apply-template";
	} else if (r->kind == IE_REQ_NEXT_SCORES) {
		struct ie_request templated = *r;

		templated.prompt = json_str(state, "prompt");
		o = llama_scores(hb, &templated, json_object_get(state, "scores"));
	} else {
		o = llama_gen_body(hb, r, state);
	}
	text = json_dumps(o, JSON_COMPACT);
	strbuf_reset(body);
	strbuf_adds(body, text);
	free(text);
	json_decref(o);
	return path;
}

/* ---- replies ---- */

static int bad_reply(char **msg, const char *what)
{
	*msg = xstrdup(what);
	return -1;
}

static int read_text(struct ie_request *r, const char *text, json_int_t n_prompt,
		     json_int_t n_new)
{
	r->res.text = xstrdup(text ? text : "");
	r->res.n_prompt_tokens = (int)n_prompt;
	r->res.n_new_tokens = (int)n_new;
	r->res.status = 0;
	return 0;
}

static double *new_scores(struct ie_request *r)
{
	free(r->res.scores);
	r->res.scores = xcalloc(r->n_candidates ? r->n_candidates : 1, sizeof(double));
	for (size_t i = 0; i < r->n_candidates; i++)
		r->res.scores[i] = NAN;
	return r->res.scores;
}

/* The member key (top_logprobs, top_probs) of the probabilities that
 * llama-server gives for the first generated token. */
static const json_t *first_probs(const json_t *reply, const char *key)
{
	const json_t *cps = json_object_get(reply, "completion_probabilities");

	return json_object_get(json_array_get(cps, 0), key);
}

/* llama-server, step 0: the raw top log-probabilities by token id. Sets
 * *state for step 1 when some candidate was not among them. */
static int llama_read_top(struct http_be *hb, struct ie_request *r, const json_t *reply,
			  json_t **state, char **msg)
{
	const json_t *top = first_probs(reply, "top_logprobs");
	double *sc = new_scores(r), lowest = 0;
	json_t *missing = json_array();
	size_t i;
	json_t *t;

	if (!json_is_array(top) || !json_array_size(top))
		return json_decref(missing), bad_reply(msg, "no top_logprobs in the reply");
	json_array_foreach(top, i, t) {
		json_int_t id = json_integer_value(json_object_get(t, "id"));
		double lp = json_number_value(json_object_get(t, "logprob"));

		lowest = i == 0 || lp < lowest ? lp : lowest;
		for (size_t c = 0; c < r->n_candidates; c++)
			if (json_integer_value(json_object_get(hb->cand_ids, r->candidates[c])) == id)
				sc[c] = lp;
	}
	for (size_t c = 0; c < r->n_candidates; c++)
		if (isnan(sc[c]))
			json_array_append(missing,
					  json_object_get(hb->cand_ids, r->candidates[c]));
	r->res.n_prompt_tokens = (int)json_integer_value(json_object_get(reply,
									  "tokens_evaluated"));
	r->res.status = 0;
	if (!json_array_size(missing)) {
		json_decref(missing);
		return 0;
	}
	/* Raise the missing ones to about the lowest shown, so their biased
	 * total is well inside (0, 1) and loses no precision. */
	*state = json_pack("{s:o, s:f}", "missing", missing, "bias", -lowest);
	return 1;
}

/* llama-server, step 1: the biased probabilities of the missing ones. */
static int llama_read_biased(struct http_be *hb, struct ie_request *r, const json_t *reply,
			     const json_t *state, char **msg)
{
	const json_t *top = first_probs(reply, "top_probs");
	double b = json_number_value(json_object_get(state, "bias")), q = 0, s;
	double p[64] = { 0 };
	size_t i;
	json_t *t;

	if (!json_is_array(top))
		return bad_reply(msg, "no top_probs in the reply");
	for (size_t c = 0; c < r->n_candidates && c < 64; c++) {
		json_int_t id = json_integer_value(json_object_get(hb->cand_ids, r->candidates[c]));

		if (!isnan(r->res.scores[c]))
			continue;
		json_array_foreach(top, i, t)
			if (json_integer_value(json_object_get(t, "id")) == id)
				p[c] = json_number_value(json_object_get(t, "prob"));
		if (p[c] <= 0)
			return bad_reply(msg, "a biased candidate is missing from top_probs");
		q += p[c];
	}
	s = q / (exp(b) * (1 - q) + q);
	for (size_t c = 0; c < r->n_candidates && c < 64; c++)
		if (isnan(r->res.scores[c]))
			r->res.scores[c] = log(s * p[c] / q);
	return 0;
}

/* The top log-probabilities of an OpenAI-style reply's first token as
 * (text, logprob) pairs: llama-server's "content" form, the chat form, or
 * the legacy completions form. */
static int openai_top(const json_t *choice, const char ***texts, double **lps, size_t *n)
{
	const json_t *lp = json_object_get(choice, "logprobs");
	const json_t *content = json_array_get(json_object_get(lp, "content"), 0);
	const json_t *legacy = json_array_get(json_object_get(lp, "top_logprobs"), 0);
	size_t i = 0;

	*n = 0;
	if (content) {
		const json_t *top = json_object_get(content, "top_logprobs");
		json_t *t;

		*texts = xcalloc(json_array_size(top) + 1, sizeof(**texts));
		*lps = xcalloc(json_array_size(top) + 1, sizeof(**lps));
		json_array_foreach(top, i, t) {
			(*texts)[*n] = json_str(t, "token");
			(*lps)[(*n)++] = json_number_value(json_object_get(t, "logprob"));
		}
	} else if (json_is_object(legacy)) {
		const char *k;
		json_t *v;

		*texts = xcalloc(json_object_size(legacy) + 1, sizeof(**texts));
		*lps = xcalloc(json_object_size(legacy) + 1, sizeof(**lps));
		json_object_foreach((json_t *)legacy, k, v) {
			(*texts)[*n] = k;
			(*lps)[(*n)++] = json_number_value(v);
		}
	}
	return *n ? 0 : -1;
}

/* The candidates' log-probabilities from a reply's first token's top ones
 * (see the head of this file); -1 when the reply has none. */
static int top_scores(struct ie_request *r, const json_t *choice)
{
	const char **texts = NULL;
	double *lps = NULL, *sc, lowest = 0;

	if (openai_top(choice, &texts, &lps, &(size_t){ 0 }) < 0) {
		free(texts);
		free(lps);
		return -1;
	}
	sc = new_scores(r);
	r->res.bounds = 0;
	for (size_t i = 0; texts[i]; i++) {
		lowest = i == 0 || lps[i] < lowest ? lps[i] : lowest;
		for (size_t c = 0; c < r->n_candidates; c++) {
			const char *t = texts[i], *cand = r->candidates[c];
			int same = !strcmp(t, cand) || (t[0] == ' ' && !strcmp(t + 1, cand));

			if (same && (isnan(sc[c]) || lps[i] > sc[c]))
				sc[c] = lps[i];
		}
	}
	for (size_t c = 0; c < r->n_candidates; c++)
		if (isnan(sc[c])) {
			sc[c] = lowest;
			r->res.bounds |= 1u << (c < 31 ? c : 31);
		}
	free(texts);
	free(lps);
	return 0;
}

static int openai_read_scores(struct ie_request *r, const json_t *choice, char **msg)
{
	if (top_scores(r, choice) < 0)
		return bad_reply(msg, "no top log-probabilities in the reply");
	r->res.status = 0;
	return 0;
}

static int openai_read(struct http_be *hb, struct ie_request *r, const json_t *reply,
		       char **msg)
{
	const json_t *choice = json_array_get(json_object_get(reply, "choices"), 0);
	const json_t *usage = json_object_get(reply, "usage");
	const char *text;

	if (!choice)
		return bad_reply(msg, "no choices in the reply");
	if (r->kind == IE_REQ_NEXT_SCORES) {
		r->res.n_prompt_tokens =
			(int)json_integer_value(json_object_get(usage, "prompt_tokens"));
		return openai_read_scores(r, choice, msg);
	}
	text = hb->chat ? json_str(json_object_get(choice, "message"), "content")
			: json_str(choice, "text");
	if (!text && !(hb->chat && json_is_null(json_object_get(json_object_get(choice, "message"),
								 "content"))))
		return bad_reply(msg, "no text in the reply");
	/* A generation's continuation scores come with it where the server
	 * gives log-probabilities; none where it does not. */
	if (r->n_candidates && top_scores(r, choice) < 0) {
		free(r->res.scores);
		r->res.scores = NULL;
	}
	return read_text(r, text, json_integer_value(json_object_get(usage, "prompt_tokens")),
			 json_integer_value(json_object_get(usage, "completion_tokens")));
}

/* The generated tokens' bytes so far. */
static void state_bytes(const json_t *state, struct strbuf *sb)
{
	const json_t *bytes = json_object_get(state, "bytes");
	size_t i;
	json_t *b;

	json_array_foreach(bytes, i, b)
		strbuf_addc(sb, (char)json_integer_value(b));
}

/* How many of the generated tokens the in-process backend keeps when
 * generation ends once the score is settled: up to the first token after
 * which it is (the server generated on, which costs time, not bits).
 * *settled says whether one is. */
static size_t settled_tokens(const struct ie_request *r, const json_t *state,
			     const struct strbuf *sb, int *settled)
{
	const json_t *ends = json_object_get(state, "ends");
	size_t n = json_array_size(ends);

	*settled = 0;
	for (size_t k = 0; r->gen.decide_label && k < n; k++) {
		size_t end = (size_t)json_integer_value(json_array_get(ends, k));

		if (end <= sb->len && text_match_settled(strbuf_str(sb), end, r->gen.decide_label)) {
			*settled = 1;
			return k + 1;
		}
	}
	return n;
}

/* Whether the tokens so far settle the score, so generation is over. */
static int is_settled(const struct ie_request *r, const json_t *state)
{
	struct strbuf sb = STRBUF_INIT;
	int settled;

	state_bytes(state, &sb);
	settled_tokens(r, state, &sb, &settled);
	strbuf_release(&sb);
	return settled;
}

/* The text of the generated tokens' bytes, as the in-process backend
 * makes it: invalid UTF-8 replaced as Python's errors="replace" does, then
 * cut at the first stop string. */
static int llama_finish(struct ie_request *r, const json_t *state)
{
	const json_t *ends = json_object_get(state, "ends");
	struct strbuf sb = STRBUF_INIT;
	size_t keep;
	int settled;

	state_bytes(state, &sb);
	keep = settled_tokens(r, state, &sb, &settled);
	if (settled)
		strbuf_truncate(&sb, (size_t)json_integer_value(json_array_get(ends, keep - 1)));
	r->res.text = utf8_repair(strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
	gen_cut_at_stop(r->res.text, &r->gen);
	r->res.n_prompt_tokens = (int)json_integer_value(json_object_get(state, "n_prompt"));
	r->res.n_new_tokens = (int)keep;
	r->res.status = 0;
	return 0;
}

/* Adds one generated token (its probability entry) to state. */
static void add_token(json_t *state, const json_t *cp)
{
	json_t *gen = json_object_get(state, "gen"), *bytes = json_object_get(state, "bytes");
	json_t *ends = json_object_get(state, "ends");

	if (!gen) {
		json_object_set_new(state, "gen", gen = json_array());
		json_object_set_new(state, "bytes", bytes = json_array());
		json_object_set_new(state, "ends", ends = json_array());
	}
	json_array_append(gen, json_object_get(cp, "id"));
	json_array_extend(bytes, json_object_get(cp, "bytes"));
	json_array_append_new(ends, json_integer((json_int_t)json_array_size(bytes)));
}

/* The prompt's tokens, once a probe needs them (rare: asked here, at
 * once, rather than as a step of its own). */
static int base_tokens(struct http_be *hb, const struct ie_request *r, json_t *state, char **msg)
{
	const char *text = json_str(state, "prompt") ? json_str(state, "prompt") : r->prompt;
	json_t *b = json_pack("{s:s, s:b}", "content", text, "add_special", 1), *reply = NULL;
	struct ie_error err = { 0 };
	int ret = http_call(hb, 0, "/tokenize", b, &reply, &err);

	json_decref(b);
	if (!ret && json_is_array(json_object_get(reply, "tokens")))
		json_object_set(state, "tokens", json_object_get(reply, "tokens"));
	else
		ret = bad_reply(msg, err.msg[0] ? err.msg : "no tokens from /tokenize");
	json_decref(reply);
	return ret;
}

/* A probe's answer: the token the stream could not send, added to the
 * tokens so far; generation then goes on after it. */
static int llama_read_probe(struct ie_request *r, const json_t *reply, json_t *state,
			    char **msg)
{
	const json_t *top = json_array_get(first_probs(reply, "top_logprobs"), 0);

	if (!json_is_integer(json_object_get(top, "id")))
		return bad_reply(msg, "no top_logprobs in the reply of a probe");
	add_token(state, top);
	json_object_set_new(state, "phase", json_string("gen"));
	if ((int)json_array_size(json_object_get(state, "gen")) >= r->gen.max_new_tokens ||
	    is_settled(r, state))
		return llama_finish(r, state);
	return 1;
}

/* The tokens of a stream's events added to state. */
static void add_events(json_t *state, const json_t *events)
{
	const json_t *e, *cp;
	size_t i, k;

	json_array_foreach(events, i, e)
		json_array_foreach(json_object_get(e, "completion_probabilities"), k, cp)
			add_token(state, cp);
}

int http_stream_may_settle(const struct http_be *hb, const struct ie_request *r, int step,
			   const json_t *state)
{
	const char *phase = json_str(state, "phase");

	return hb->flavour == HTTP_LLAMA && r->kind == IE_REQ_GENERATE && r->gen.decide_label &&
	       !(hb->chat && step == 0) && !(phase && !strcmp(phase, "probe"));
}

int http_stream_settled(const struct ie_request *r, const json_t *state,
			const struct strbuf *reply)
{
	const char *text = strbuf_str(reply);
	size_t whole = reply->len; /* up to the last complete line */
	json_t *got, *next = state ? json_deep_copy(state) : json_object();
	char *lines;
	int settled;

	while (whole && text[whole - 1] != '\n')
		whole--;
	lines = xstrndup(text, whole);
	got = http_sse_events(lines, NULL);
	add_events(next, json_object_get(got, "events"));
	settled = is_settled(r, next);
	json_decref(next);
	json_decref(got);
	free(lines);
	return settled;
}

/* A generation's continuation scores from its first token's top raw
 * log-probabilities, by token id: exact for the candidates among them, the
 * lowest shown, an upper bound, for the others (res.bounds says which);
 * none when a candidate has no token. They are computed after whatever the
 * server's prompt cache held, so unlike next-token scores (asked without
 * the cache) they may move in the last digits from run to run. */
static void letters_from_top(struct http_be *hb, struct ie_request *r, const json_t *cp)
{
	const json_t *top = json_object_get(cp, "top_logprobs"), *t;
	const char *nl = strrchr(r->prompt, '\n');
	struct strbuf key = STRBUF_INIT;
	double *sc, lowest = 0;
	size_t i;

	if (!json_array_size(top))
		return;
	sc = new_scores(r);
	r->res.bounds = 0;
	json_array_foreach(top, i, t) {
		double lp = json_number_value(json_object_get(t, "logprob"));

		lowest = i == 0 || lp < lowest ? lp : lowest;
	}
	for (size_t c = 0; c < r->n_candidates && sc; c++) {
		const json_t *id;

		strbuf_reset(&key);
		strbuf_addf(&key, "%s\x1f%s", nl ? nl + 1 : r->prompt, r->candidates[c]);
		if (!json_is_integer(id = json_object_get(hb->cont_ids, key.buf))) {
			free(r->res.scores);
			r->res.scores = sc = NULL;
			break;
		}
		json_array_foreach(top, i, t)
			if (json_equal(json_object_get(t, "id"), id))
				sc[c] = json_number_value(json_object_get(t, "logprob"));
		if (isnan(sc[c])) {
			sc[c] = lowest;
			r->res.bounds |= 1u << (c < 31 ? c : 31);
		}
	}
	strbuf_release(&key);
}

/* A streamed generation step. llama-server ends a stream with an error
 * when the text so far would not be valid UTF-8 (a token that is part of
 * a character); the tokens before it have arrived, so the one it could not
 * send is asked for by a probe. */
static int llama_read_gen(struct http_be *hb, struct ie_request *r, const json_t *reply,
			  json_t *state, char **msg)
{
	const json_t *events = json_object_get(reply, "events"), *e;
	const char *phase = json_str(state, "phase");
	json_t *next = json_deep_copy(state);
	int ended = 0, broke = 0;
	size_t i;

	if (phase && !strcmp(phase, "probe")) {
		json_decref(next);
		return llama_read_probe(r, reply, state, msg);
	}
	json_array_foreach(events, i, e) {
		const json_t *cps = json_object_get(e, "completion_probabilities"), *cp;
		size_t k;

		if (json_object_get(e, "error")) {
			struct strbuf m = STRBUF_INIT;

			http_error_text(e, &m);
			broke = strstr(strbuf_str(&m), "does not match the expected") != NULL;
			strbuf_release(&m);
			if (!broke) {
				json_decref(next);
				return bad_reply(msg, "the stream ended with an error");
			}
			break;
		}
		if (!json_object_get(next, "n_prompt") && json_object_get(e, "tokens_evaluated"))
			json_object_set(next, "n_prompt", json_object_get(e, "tokens_evaluated"));
		json_array_foreach(cps, k, cp) {
			if (r->n_candidates && !json_object_get(next, "gen"))
				letters_from_top(hb, r, cp);
			add_token(next, cp);
		}
		ended |= json_is_true(json_object_get(e, "stop"));
	}
	/* A stream ended early (ours, once the score was settled, or cut
	 * after that) has all that counts: llama_finish cuts there anyway. */
	if (!events || (!ended && !broke && !is_settled(r, next))) {
		json_decref(next);
		return bad_reply(msg, "the stream was cut");
	}
	json_object_update(state, next);
	json_decref(next);
	if (!broke)
		return llama_finish(r, state);
	if (!json_object_get(state, "tokens") && base_tokens(hb, r, state, msg) < 0)
		return -1;
	json_object_set_new(state, "phase", json_string("probe"));
	return 1;
}

int http_read_reply(struct http_be *hb, struct ie_request *r, int step, const json_t *reply,
		    json_t **state, char **msg)
{
	*msg = NULL;
	if (hb->flavour == HTTP_OPENAI)
		return openai_read(hb, r, reply, msg);
	if (hb->chat && step == 0) { /* the rendered chat prompt */
		const char *prompt = json_str(reply, "prompt");

		if (!prompt)
			return bad_reply(msg, "no prompt in the reply of /apply-template");
		*state = json_pack("{s:s}", "prompt", prompt);
		return 1;
	}
	if (r->kind == IE_REQ_NEXT_SCORES) {
		int first = step == (hb->chat ? 1 : 0), ret;
		json_t *next = NULL;

		if (!first)
			return llama_read_biased(hb, r, reply,
						 hb->chat ? json_object_get(*state, "scores") : *state,
						 msg);
		ret = llama_read_top(hb, r, reply, &next, msg);
		if (ret == 1 && hb->chat) {
			json_object_set_new(*state, "scores", next);
		} else if (ret == 1) {
			json_decref(*state);
			*state = next;
		}
		return ret;
	}
	if (!*state)
		*state = json_object();
	return llama_read_gen(hb, r, reply, *state, msg);
}

/* ---- what a server is ---- */

/* The served model's name: the one asked for, or the only one. */
static int pick_model(struct http_be *hb, int ep, const json_t *models, const char *want,
		      struct ie_error *err)
{
	const json_t *data = json_object_get(models, "data");
	struct strbuf names = STRBUF_INIT;
	size_t i;
	json_t *m;
	int ret = 0;

	json_array_foreach(data, i, m) {
		const char *id = json_str(m, "id");

		if (id && want && !strcmp(id, want))
			goto out;
		strbuf_addf(&names, "%s%s", i ? ", " : "", id ? id : "?");
	}
	if (want)
		ret = ie_error_set(err, IE_EUSAGE, "%s serves no model '%s' (it serves: %s)",
				   hb->ep[ep].base, want, names.len ? names.buf : "none");
	else if (json_array_size(data) != 1)
		ret = ie_error_set(err, IE_EUSAGE,
				   "%s serves %zu models (%s): name the one to evaluate",
				   hb->ep[ep].base, json_array_size(data),
				   names.len ? names.buf : "none");
	else
		want = json_str(json_array_get(data, 0), "id");
out:
	if (!ret && !hb->model_name)
		hb->model_name = xstrdup(want ? want : "");
	strbuf_release(&names);
	return ret;
}

/* What the server says about its model, so that cached answers of one
 * model are never served for another: llama-server's model file and
 * shape, or the model list's entry. */
static json_t *fingerprint(struct http_be *hb, const json_t *models, const json_t *props)
{
	const json_t *data = json_object_get(models, "data"), *entry = NULL;
	json_t *fp = json_object();
	size_t i;
	json_t *m;

	json_array_foreach(data, i, m)
		if (!strcmp(json_str(m, "id") ? json_str(m, "id") : "", hb->model_name))
			entry = m;
	if (props) {
		const char *path = json_str(props, "model_path");

		json_object_set_new(fp, "server", json_string("llama.cpp"));
		if (path)
			json_object_set_new(fp, "model_file", json_string(path_base(path)));
		if (json_str(props, "build_info"))
			json_object_set_new(fp, "build", json_string(json_str(props, "build_info")));
	}
	if (json_object_get(entry, "meta"))
		json_object_set(fp, "meta", json_object_get(entry, "meta"));
	if (json_str(entry, "owned_by"))
		json_object_set_new(fp, "owned_by", json_string(json_str(entry, "owned_by")));
	if (json_object_get(entry, "max_model_len"))
		json_object_set(fp, "max_model_len", json_object_get(entry, "max_model_len"));
	if (json_str(entry, "root"))
		json_object_set_new(fp, "root", json_string(json_str(entry, "root")));
	return fp;
}

static void read_shape(struct http_be *hb, const json_t *fp, const json_t *props)
{
	const json_t *meta = json_object_get(fp, "meta");
	const json_t *gen = json_object_get(props, "default_generation_settings");

	hb->n_params = json_integer_value(json_object_get(meta, "n_params"));
	hb->n_ctx_train = (int)json_integer_value(json_object_get(meta, "n_ctx_train"));
	hb->n_ctx = (int)json_integer_value(json_object_get(gen, "n_ctx"));
	if (!hb->n_ctx)
		hb->n_ctx = (int)json_integer_value(json_object_get(meta, "n_ctx"));
	if (!hb->n_ctx)
		hb->n_ctx = (int)json_integer_value(json_object_get(fp, "max_model_len"));
}

static int discover_one(struct http_be *hb, int ep, const struct ie_backend_config *cfg,
			struct ie_error *err)
{
	json_t *models = NULL, *props = NULL, *fp;
	enum http_flavour fl;
	int ret;

	if ((ret = http_call(hb, ep, "/v1/models", NULL, &models, err)) < 0)
		return ret;
	if ((ret = pick_model(hb, ep, models, cfg->model_name ? cfg->model_name
							       : hb->model_name, err)) < 0)
		goto out;
	/* llama-server answers /props with its settings; others do not. */
	if (http_call(hb, ep, "/props", NULL, &props, NULL) < 0 ||
	    !json_object_get(props, "default_generation_settings")) {
		json_decref(props);
		props = NULL;
	}
	fl = props ? HTTP_LLAMA : HTTP_OPENAI;
	fp = fingerprint(hb, models, props);
	if (ep == 0) {
		hb->flavour = fl;
		hb->fingerprint = fp;
		read_shape(hb, fp, props);
	} else {
		if (fl != hb->flavour || !json_equal(fp, hb->fingerprint))
			ret = ie_error_set(err, IE_EINPUT,
					   "%s and %s do not serve the same model", hb->ep[0].base,
					   hb->ep[ep].base);
		json_decref(fp);
	}
out:
	json_decref(models);
	json_decref(props);
	return ret;
}

/* Whether a plain server returns top log-probabilities: one tiny request. */
static int probe_scores(struct http_be *hb)
{
	struct ie_request r = { .kind = IE_REQ_NEXT_SCORES, .prompt = "Hello" };
	const char *cand[] = { "A" };
	struct strbuf body = STRBUF_INIT;
	json_t *b, *reply = NULL, *state = NULL;
	char *msg = NULL;
	int ok;

	r.candidates = cand;
	r.n_candidates = 1;
	http_request_body(hb, &r, 0, NULL, &body);
	b = json_loads(strbuf_str(&body), 0, NULL);
	ok = http_call(hb, 0, hb->chat ? "/v1/chat/completions" : "/v1/completions", b, &reply,
		       NULL) == 0 &&
	     http_read_reply(hb, &r, 0, reply, &state, &msg) == 0;
	json_decref(b);
	json_decref(reply);
	json_decref(state);
	free(msg);
	strbuf_release(&body);
	ie_request_release(&r);
	return ok;
}

static void pick_counter(struct http_be *hb, const struct ie_backend_config *cfg)
{
	json_t *b, *reply = NULL;

	if (hb->flavour == HTTP_LLAMA) {
		hb->counter = HTTP_COUNT_SERVER;
		return;
	}
	b = json_pack("{s:s, s:s}", "model", hb->model_name, "prompt", "a");
	if (http_call(hb, 0, "/tokenize", b, &reply, NULL) == 0 &&
	    json_is_integer(json_object_get(reply, "count")))
		hb->counter = HTTP_COUNT_VLLM;
	else
		hb->counter = cfg->tokenizer ? HTTP_COUNT_GGUF : HTTP_COUNT_ESTIMATE;
	json_decref(b);
	json_decref(reply);
}

int http_discover(struct http_be *hb, const struct ie_backend_config *cfg, struct ie_error *err)
{
	int ret;

	for (int i = 0; i < hb->n_ep; i++)
		if ((ret = discover_one(hb, i, cfg, err)) < 0)
			return ret;
	hb->cand_ids = json_object();
	hb->cont_ids = json_object();
	hb->caps = IE_CAP_GENERATE;
	if (hb->flavour == HTTP_LLAMA || probe_scores(hb))
		hb->caps |= IE_CAP_NEXT_SCORES;
	if (cfg->tokenizer &&
	    (ret = llama_tokenizer_open(cfg->tokenizer, &hb->tokenizer, err)) < 0)
		return ret;
	pick_counter(hb, cfg);
	if (hb->counter != HTTP_COUNT_ESTIMATE)
		hb->caps |= IE_CAP_TOKENIZE;
	return 0;
}

/* Token ids of the candidates of every scores request (llama-server),
 * each encoded alone without special tokens, as the in-process backend
 * does. */
/* The id of the first token of text, encoded alone without specials. */
static int first_token(struct http_be *hb, const char *text, json_t **id, struct ie_error *err)
{
	json_t *b = json_pack("{s:s, s:b}", "content", text, "add_special", 0), *reply = NULL;
	int ret = http_call(hb, 0, "/tokenize", b, &reply, err);

	json_decref(b);
	*id = NULL;
	if (!ret && !json_is_integer(json_array_get(json_object_get(reply, "tokens"), 0)))
		ret = ie_error_set(err, IE_EMODEL, "%s/tokenize: '%s' encodes to no token",
				   hb->ep[0].base, text);
	if (!ret)
		*id = json_incref(json_array_get(json_object_get(reply, "tokens"), 0));
	json_decref(reply);
	return ret;
}

static json_t *tokens_of(struct http_be *hb, const char *text, struct ie_error *err)
{
	json_t *b = json_pack("{s:s, s:b}", "content", text, "add_special", 0), *reply = NULL;
	json_t *tokens = NULL;

	if (http_call(hb, 0, "/tokenize", b, &reply, err) == 0 &&
	    json_is_array(json_object_get(reply, "tokens")))
		tokens = json_incref(json_object_get(reply, "tokens"));
	else if (err && !err->msg[0])
		ie_error_set(err, IE_EMODEL, "%s/tokenize gave no tokens", hb->ep[0].base);
	json_decref(b);
	json_decref(reply);
	return tokens;
}

/* The token of continuation cand after prompt, as the in-process backend
 * finds it: the one after the last line's tokens when the line and cand
 * are tokenized together (tokenizers split at line ends); null when the
 * line's tokens are not a prefix. Kept by line and cand. */
static int continuation_id(struct http_be *hb, const char *prompt, const char *cand,
			   struct ie_error *err)
{
	const char *nl = strrchr(prompt, '\n'), *line = nl ? nl + 1 : prompt;
	struct strbuf key = STRBUF_INIT, joined = STRBUF_INIT;
	json_t *alone = NULL, *both = NULL, *id = json_null();
	int ret = 0;

	strbuf_addf(&key, "%s\x1f%s", line, cand);
	strbuf_addf(&joined, "%s%s", line, cand);
	if (json_object_get(hb->cont_ids, key.buf))
		goto out;
	if (!(alone = tokens_of(hb, line, err)) || !(both = tokens_of(hb, joined.buf, err))) {
		ret = -1;
		goto out;
	}
	if (json_array_size(both) > json_array_size(alone)) {
		int prefix = 1;

		for (size_t i = 0; i < json_array_size(alone) && prefix; i++)
			prefix = json_equal(json_array_get(alone, i), json_array_get(both, i));
		if (prefix)
			id = json_incref(json_array_get(both, json_array_size(alone)));
	}
	json_object_set(hb->cont_ids, key.buf, id);
out:
	json_decref(id);
	json_decref(alone);
	json_decref(both);
	strbuf_release(&key);
	strbuf_release(&joined);
	return ret;
}

int http_prepare(struct http_be *hb, const struct ie_request *reqs, size_t n,
		 struct ie_error *err)
{
	if (hb->flavour != HTTP_LLAMA)
		return 0;
	if (hb->safe_token < 0) {
		json_t *id;
		int ret = first_token(hb, "a", &id, err);

		if (ret < 0)
			return ret;
		hb->safe_token = json_integer_value(id);
		json_decref(id);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < reqs[i].n_candidates; c++) {
			const char *cand = reqs[i].candidates[c];
			json_t *id;
			int ret;

			if (reqs[i].kind == IE_REQ_GENERATE) {
				if (!hb->chat && (ret = continuation_id(hb, reqs[i].prompt, cand,
									err)) < 0)
					return ret;
				continue;
			}
			if (json_object_get(hb->cand_ids, cand))
				continue;
			if ((ret = first_token(hb, cand, &id, err)) < 0)
				return ret;
			json_object_set_new(hb->cand_ids, cand, id);
		}
	return 0;
}

unsigned http_caps(struct ie_backend *be)
{
	return ((struct http_be *)be)->caps;
}

int http_count_tokens(struct ie_backend *be, const char *text, int *n, struct ie_error *err)
{
	struct http_be *hb = (struct http_be *)be;
	json_t *b = NULL, *reply = NULL;
	int ret = 0;

	switch (hb->counter) {
	case HTTP_COUNT_GGUF:
		return llama_tokenizer_count(hb->tokenizer, text, n, err);
	case HTTP_COUNT_ESTIMATE: /* about four bytes a token in English */
		*n = (int)((strlen(text) + 3) / 4);
		return 0;
	case HTTP_COUNT_SERVER:
		b = json_pack("{s:s, s:b}", "content", text, "add_special", 1);
		break;
	case HTTP_COUNT_VLLM:
		b = json_pack("{s:s, s:s, s:b}", "model", hb->model_name, "prompt", text,
			      "add_special_tokens", 1);
		break;
	}
	if ((ret = http_call(hb, 0, "/tokenize", b, &reply, err)) == 0) {
		const json_t *count = json_object_get(reply, "count");

		*n = count ? (int)json_integer_value(count)
			   : (int)json_array_size(json_object_get(reply, "tokens"));
	}
	json_decref(b);
	json_decref(reply);
	return ret;
}

int http_identity(struct ie_backend *be, const struct ie_hash_memo *memo, json_t **out,
		  struct ie_error *err)
{
	struct http_be *hb = (struct http_be *)be;
	static const char *const counters[] = { "server", "server", "tokenizer", "estimate" };

	(void)memo;
	(void)err;
	*out = json_pack("{s:s, s:s, s:s, s:O, s:s}", "backend", "http", "api",
			 hb->chat ? "chat" : "completions", "model", hb->model_name, "server",
			 hb->fingerprint, "token_counts", counters[hb->counter]);
	if (hb->system)
		json_object_set_new(*out, "system", json_string(hb->system));
	if (hb->multiturn)
		json_object_set_new(*out, "turns", json_true());
	return 0;
}

void http_info(struct ie_backend *be, struct ie_backend_info *info)
{
	struct http_be *hb = (struct http_be *)be;

	info->backend = "http";
	info->engine_version = json_str(hb->fingerprint, "build") ? json_str(hb->fingerprint,
									     "build")
								  : "";
	info->model_path = hb->spec;
	info->model_name = hb->model_name;
	info->n_ctx = hb->n_ctx;
	info->n_ctx_train = hb->n_ctx_train;
	info->n_params = hb->n_params;
	info->in_flight = (int64_t)hb->in_flight_now;
	info->retries = (int64_t)hb->retries_total;
}

void http_tokenizer_close(struct http_be *hb)
{
	llama_tokenizer_close(hb->tokenizer);
	hb->tokenizer = NULL;
}
