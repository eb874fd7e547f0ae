/*
 * The HTTP backend: any OpenAI-compatible server (llama-server, vLLM,
 * SGLang, TGI, Ollama, hosted APIs), one or several endpoints serving the
 * same model. Requests run through one libcurl multi handle, a bounded
 * number in flight, each sent to the endpoint with the fewest outstanding;
 * they go out in prompt order, so a server that caches prompts sees shared
 * prefixes back to back. Connection errors, time-outs, cut bodies, 429 and
 * 5xx are retried with capped exponential backoff and full jitter, and a
 * Retry-After header wins; an endpoint that keeps failing is rested and
 * its work goes to the others. A request that fails for good is reported
 * in its status with the server's message, never scored as an answer.
 *
 * Wire formats (openai.c) differ by server: llama-server is spoken to in
 * its native /completion form, which returns exact log-probabilities of
 * chosen tokens and never runs the chat parser; others get /v1/completions
 * or /v1/chat/completions. The API key is read from the environment and
 * goes only into the Authorization header: never into a message, a result
 * or the store.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "backends/backends.h"
#include "backends/http.h"
#include "util/progress.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define BACKOFF_BASE_S 0.5
#define BACKOFF_CAP_S 30.0
#define REST_AFTER_FAILS 3 /* failures in a row that rest an endpoint */
#define RESPONSE_MAX (256u << 20)

static void global_init(void)
{
	static int done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = 1;
	}
}

/* ---- one exchange ---- */

struct exchange {
	CURL *easy;
	struct curl_slist *headers;
	struct strbuf body;  /* what is sent */
	struct strbuf reply; /* what came back */
	double retry_after;  /* from the reply's headers; -1: none */
	char errbuf[CURL_ERROR_SIZE];
	/* A stream whose start is all that is needed: enough(ctx, reply)
	 * says when, and the transfer is then ended (stopped). */
	int (*enough)(void *ctx, const struct strbuf *reply);
	void *enough_ctx;
	int stopped;
};

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct exchange *x = user;

	strbuf_add(&x->reply, data, size * n);
	if (x->reply.err)
		return 0;
	if (x->enough && memchr(data, '\n', size * n) && x->enough(x->enough_ctx, &x->reply)) {
		x->stopped = 1;
		return 0; /* ends the transfer; the server stops generating */
	}
	return size * n;
}

/* Retry-After in seconds (the delta form; a date is taken as 1 s). */
static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	double *retry_after = user;
	size_t len = size * n;

	if (len > 12 && !strncasecmp(data, "retry-after:", 12)) {
		char buf[64];
		size_t k = len - 12 < sizeof(buf) - 1 ? len - 12 : sizeof(buf) - 1;
		char *end;
		double v;

		memcpy(buf, data + 12, k);
		buf[k] = '\0';
		v = strtod(buf, &end);
		*retry_after = end != buf && v >= 0 ? v : 1.0;
	}
	return len;
}


static void exchange_release(struct exchange *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	strbuf_release(&x->body);
	strbuf_release(&x->reply);
	memset(x, 0, sizeof(*x));
}

/* Prepares x for url; a POST when x->body holds anything. */
static void exchange_setup(struct http_be *hb, struct exchange *x, const char *url)
{
	x->easy = curl_easy_init();
	x->retry_after = -1;
	strbuf_init(&x->reply, RESPONSE_MAX);
	x->headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* No "Expect: 100-continue": servers that do not answer it would cost
	 * a second's wait on every request with a large body. */
	x->headers = curl_slist_append(x->headers, "Expect:");
	if (hb->auth)
		x->headers = curl_slist_append(x->headers, hb->auth);
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, &x->retry_after);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)(hb->timeout_s * 1000));
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "");
	if (x->body.len) {
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->body.buf);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body.len);
	}
}

/* A stream of server-sent events as {"events": [each data line's JSON]};
 * NULL when one does not parse (a cut stream's last line, say: the
 * caller sees that the stream did not end). */
json_t *http_sse_events(const char *text, json_error_t *jerr)
{
	json_t *events = json_array();

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");

		if (len > 6 && !strncmp(p, "data: ", 6) && strncmp(p + 6, "[DONE]", 6)) {
			json_t *e = json_loadb(p + 6, len - 6, JSON_ALLOW_NUL, jerr);

			if (!e)
				break; /* a cut line ends what can be read */
			json_array_append_new(events, e);
		}
		p += len + (p[len] == '\n');
	}
	return json_pack("{s:o}", "events", events);
}

/* Whether the request body x->body asks for a sampled step. */
static int samples_body(const struct strbuf *body)
{
	json_t *b = json_loadb(strbuf_str(body), body->len, 0, NULL);
	int samples = json_number_value(json_object_get(b, "temperature")) > 0;

	json_decref(b);
	return samples;
}

/* What became of an exchange: 0 a usable reply, 1 worth another try, -1
 * final. *msg gets a one-line reason (caller frees). */
static int exchange_outcome(struct exchange *x, CURLcode rc, json_t **reply, char **msg)
{
	long status = 0;
	json_error_t jerr;
	struct strbuf m = STRBUF_INIT;
	int ret;

	*reply = NULL;
	if (rc == CURLE_WRITE_ERROR && x->stopped)
		rc = CURLE_OK; /* ended here: what came is what was needed */
	if (rc != CURLE_OK) {
		strbuf_addf(&m, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		*msg = strbuf_detach(&m, NULL);
		return 1; /* connection refused, reset, time-out, cut body */
	}
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	*reply = json_loadb(strbuf_str(&x->reply), x->reply.len, JSON_ALLOW_NUL, &jerr);
	if (!*reply && status == 200 && !strncmp(strbuf_str(&x->reply), "data: ", 6))
		*reply = http_sse_events(strbuf_str(&x->reply), &jerr);
	if (status == 200 && *reply && json_is_object(*reply)) {
		*msg = NULL;
		return 0;
	}
	ret = status == 200 || status == 408 || status == 429 || status >= 500 ? 1 : -1;
	strbuf_addf(&m, "HTTP %ld", status);
	if (*reply)
		http_error_text(*reply, &m);
	else if (status == 200)
		strbuf_addf(&m, ": the reply is not JSON (%s)", jerr.text);
	else if (x->reply.len)
		strbuf_addf(&m, ": %.200s", strbuf_str(&x->reply));
	/* llama-server rejects an output that is not valid UTF-8 (or that its
	 * chat parser refuses): the same way every time for a greedy step,
	 * while a sampled one draws again on another try. */
	if (strstr(m.buf, "does not match the expected") && !samples_body(&x->body))
		ret = -1;
	json_decref(*reply);
	*reply = NULL;
	*msg = strbuf_detach(&m, NULL);
	return ret;
}

/* One exchange, retried like the batched ones (synchronously: these are
 * the start's questions and token counts). */
int http_call(struct http_be *hb, int ep, const char *path, const json_t *body, json_t **reply,
	      struct ie_error *err)
{
	struct strbuf url = STRBUF_INIT;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL, *msg = NULL;
	int ret = 1;

	strbuf_addf(&url, "%s%s", hb->ep[ep].base, path);
	/* At the start a server that is not there is told soon. */
	for (int attempt = 0; ret == 1 && attempt <= (hb->opening ? 3 : hb->retries); attempt++) {
		struct exchange x = { 0 };

		if (attempt) {
			double d = BACKOFF_BASE_S * pow(2.0, attempt - 1);
			struct timespec ts;

			d = d < BACKOFF_CAP_S ? d : BACKOFF_CAP_S;
			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		if (text)
			strbuf_adds(&x.body, text);
		exchange_setup(hb, &x, url.buf);
		free(msg);
		ret = exchange_outcome(&x, curl_easy_perform(x.easy), reply, &msg);
		exchange_release(&x);
	}
	if (ret != 0)
		ret = ie_error_set(err, IE_EMODEL, "%s: %s", url.buf, msg ? msg : "failed");
	free(msg);
	free(text);
	strbuf_release(&url);
	return ret;
}

/* ---- many requests at once ---- */

struct job {
	size_t req;   /* index into the submitted array */
	const char *prompt;
	int step;     /* the request's exchanges so far (scores may need two) */
	int attempts; /* failed tries of this step */
	double not_before;
	int ep;       /* where it is in flight, -1 when waiting */
	json_t *state; /* what the request's earlier steps left */
	struct exchange x;
	char *last_error;
	struct batch *b;
};

struct batch {
	struct http_be *hb;
	struct ie_request *reqs;
	struct job *jobs;
	size_t n, next; /* jobs[next..] have not been sent yet */
	size_t *waiting; /* jobs to retry, by index */
	size_t n_waiting, cap_waiting;
	size_t in_flight, finished;
	CURLM *multi;
	ie_done_fn done;
	void *done_data;
	int stop; /* what done asked for */
	uint64_t rng;
};

static double jitter(struct batch *b)
{
	b->rng = b->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(b->rng >> 11) / 9007199254740992.0;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* Where prompt goes: the endpoint that was last sent most of it (a
 * subject's header and exemplars), so that its prompt cache holds them,
 * while that endpoint has no more than its share of the requests in
 * flight; else the one with the fewest outstanding. Resting endpoints are
 * passed over; -1 when all rest. prompt NULL: any endpoint. */
static int pick_endpoint(struct http_be *hb, double now, const char *prompt)
{
	size_t share = ((size_t)hb->concurrency + (size_t)hb->n_ep - 1) / (size_t)hb->n_ep;
	size_t half = prompt ? strlen(prompt) / 2 : 0, longest = 0;
	int best = -1, near = -1;

	for (int i = 0; i < hb->n_ep; i++) {
		const struct http_endpoint *e = &hb->ep[i];
		size_t same;

		if (e->rest_until > now)
			continue;
		if (best < 0 || e->outstanding < hb->ep[best].outstanding)
			best = i;
		if (!prompt || !e->last_prompt || e->outstanding >= share)
			continue;
		same = common_prefix(e->last_prompt, prompt);
		if (same > half && same > longest) {
			longest = same;
			near = i;
		}
	}
	return near >= 0 ? near : best;
}

static int job_enough(void *ctx, const struct strbuf *reply)
{
	struct job *j = ctx;

	return http_stream_settled(&j->b->reqs[j->req], j->state, reply);
}

static void job_send(struct batch *b, struct job *j, int ep)
{
	struct http_be *hb = b->hb;
	struct strbuf url = STRBUF_INIT;
	const char *path;

	exchange_release(&j->x);
	path = http_request_body(hb, &b->reqs[j->req], j->step, j->state, &j->x.body);
	strbuf_addf(&url, "%s%s", hb->ep[ep].base, path);
	exchange_setup(hb, &j->x, url.buf);
	if (http_stream_may_settle(hb, &b->reqs[j->req], j->step, j->state)) {
		j->b = b;
		j->x.enough = job_enough;
		j->x.enough_ctx = j;
	}
	curl_easy_setopt(j->x.easy, CURLOPT_PRIVATE, (void *)j);
	curl_multi_add_handle(b->multi, j->x.easy);
	j->ep = ep;
	hb->ep[ep].outstanding++;
	hb->ep[ep].last_prompt = j->prompt;
	b->in_flight++;
	strbuf_release(&url);
}

/* Sends what may go now; returns the seconds until a waiting job may. */
static double fill(struct batch *b)
{
	struct http_be *hb = b->hb;
	double now = progress_now(), wait = 1.0;

	while (b->in_flight < (size_t)hb->concurrency && !b->stop) {
		struct job *j = NULL;
		size_t pick = SIZE_MAX;

		if (pick_endpoint(hb, now, NULL) < 0)
			break;
		for (size_t i = 0; i < b->n_waiting; i++)
			if (b->jobs[b->waiting[i]].not_before <= now) {
				pick = i;
				break;
			}
		if (pick != SIZE_MAX) {
			j = &b->jobs[b->waiting[pick]];
			b->waiting[pick] = b->waiting[--b->n_waiting];
		} else if (b->next < b->n) {
			j = &b->jobs[b->next++];
		} else {
			break;
		}
		job_send(b, j, pick_endpoint(hb, now, j->prompt));
	}
	for (size_t i = 0; i < b->n_waiting; i++) {
		double d = b->jobs[b->waiting[i]].not_before - now;

		if (d < wait)
			wait = d > 0 ? d : 0;
	}
	for (int i = 0; i < hb->n_ep; i++)
		if (hb->ep[i].rest_until > now && hb->ep[i].rest_until - now < wait)
			wait = hb->ep[i].rest_until - now;
	return wait;
}

static void job_finish(struct batch *b, struct job *j)
{
	struct ie_request *r = &b->reqs[j->req];

	b->finished++;
	free(j->last_error);
	j->last_error = NULL;
	json_decref(j->state);
	j->state = NULL;
	exchange_release(&j->x);
	if (b->done && !b->stop)
		b->stop = b->done(b->done_data, j->req, r);
}

static void job_fail(struct batch *b, struct job *j, const char *why)
{
	struct ie_request *r = &b->reqs[j->req];
	struct strbuf m = STRBUF_INIT;

	strbuf_addf(&m, "%s (after %d attempts)", why, j->attempts);
	ie_request_release(r);
	r->res.status = IE_EMODEL;
	r->res.error = strbuf_detach(&m, NULL);
	job_finish(b, j);
}

static void wait_push(struct batch *b, struct job *j)
{
	XGROW(b->waiting, b->cap_waiting, b->n_waiting + 1);
	b->waiting[b->n_waiting++] = (size_t)(j - b->jobs);
}

/* Schedules another try of j: Retry-After when the server sent one, else
 * a full-jitter exponential backoff. */
static void job_retry(struct batch *b, struct job *j, const char *why)
{
	struct http_be *hb = b->hb;
	double delay = BACKOFF_BASE_S * pow(2.0, j->attempts - 1);

	if (delay > BACKOFF_CAP_S)
		delay = BACKOFF_CAP_S;
	delay *= jitter(b);
	if (j->x.retry_after >= 0)
		delay = j->x.retry_after < BACKOFF_CAP_S * 4 ? j->x.retry_after : BACKOFF_CAP_S * 4;
	free(j->last_error);
	j->last_error = xstrdup(why);
	j->not_before = progress_now() + delay;
	hb->retries_total++;
	wait_push(b, j);
}

static void endpoint_result(struct http_be *hb, int ep, int ok)
{
	struct http_endpoint *e = &hb->ep[ep];

	e->outstanding--;
	if (ok) {
		e->fails = 0;
		return;
	}
	if (++e->fails >= REST_AFTER_FAILS) {
		double rest = pow(2.0, e->fails - REST_AFTER_FAILS);

		e->rest_until = progress_now() + (rest < BACKOFF_CAP_S ? rest : BACKOFF_CAP_S);
	}
}

static void on_complete(struct batch *b, CURL *easy, CURLcode rc)
{
	struct job *j = NULL;
	json_t *reply = NULL;
	char *msg = NULL;
	int outcome, ep;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&j);
	curl_multi_remove_handle(b->multi, easy);
	b->in_flight--;
	ep = j->ep;
	j->ep = -1;
	outcome = exchange_outcome(&j->x, rc, &reply, &msg);
	if (outcome == 0) {
		/* A reply in the wrong shape is a cut or garbled body: try again. */
		int more = http_read_reply(b->hb, &b->reqs[j->req], j->step, reply, &j->state,
					   &msg);

		outcome = more < 0 ? 1 : 0;
		if (more == 1) { /* the request needs another exchange */
			endpoint_result(b->hb, ep, 1);
			j->step++;
			j->attempts = 0;
			j->not_before = 0;
			wait_push(b, j);
			json_decref(reply);
			return;
		}
	}
	json_decref(reply);
	endpoint_result(b->hb, ep, outcome == 0);
	if (outcome == 0) {
		job_finish(b, j);
	} else {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "%s: %s", b->hb->ep[ep].base, msg ? msg : "failed");
		j->attempts++;
		if (outcome < 0 || j->attempts > b->hb->retries)
			job_fail(b, j, why.buf);
		else
			job_retry(b, j, why.buf);
		strbuf_release(&why);
	}
	free(msg);
}

static int cmp_prompt(const void *x, const void *y)
{
	const struct job *a = x, *c = y;
	int d = strcmp(a->prompt, c->prompt);

	return d ? d : (a->req > c->req) - (a->req < c->req);
}

/* Tells the caller how things stand while nothing finishes (retries, a
 * slow server), at most five times a second. */
static void tick(struct batch *b, double *last)
{
	double now = progress_now();

	b->hb->in_flight_now = b->in_flight;
	if (!b->done || now - *last < 0.2)
		return;
	*last = now;
	if (!b->stop)
		b->stop = b->done(b->done_data, SIZE_MAX, NULL);
}

int http_submit(struct ie_backend *be, struct ie_request *reqs, size_t n, ie_done_fn done,
		void *done_data, struct ie_error *err)
{
	struct http_be *hb = (struct http_be *)be;
	struct batch b = { .hb = hb, .reqs = reqs, .n = n, .done = done,
			   .done_data = done_data, .rng = (uint64_t)time(NULL) | 1 };
	double last = progress_now();
	int ret;

	if ((ret = http_prepare(hb, reqs, n, err)) < 0)
		return ret;
	b.jobs = xcalloc(n ? n : 1, sizeof(*b.jobs));
	for (size_t i = 0; i < n; i++) {
		b.jobs[i].req = i;
		b.jobs[i].prompt = reqs[i].prompt;
		b.jobs[i].ep = -1;
		ie_request_release(&reqs[i]);
	}
	/* Shared prefixes back to back, for servers that cache prompts. */
	qsort(b.jobs, n, sizeof(*b.jobs), cmp_prompt);
	b.multi = curl_multi_init();
	while (b.finished < n && !(b.stop && b.in_flight == 0)) {
		double wait = fill(&b);
		int running, left, ended = 0;
		CURLMsg *m;

		curl_multi_perform(b.multi, &running);
		while ((m = curl_multi_info_read(b.multi, &left)))
			if (m->msg == CURLMSG_DONE) {
				on_complete(&b, m->easy_handle, m->data.result);
				ended = 1;
			}
		/* A finished transfer frees a place: fill it before waiting. */
		if (!ended && b.finished < n && !b.stop)
			curl_multi_poll(b.multi, NULL, 0, (int)(wait * 1000) + 1, NULL);
		tick(&b, &last);
	}
	for (size_t i = 0; i < n; i++) {
		if (b.jobs[i].x.easy)
			curl_multi_remove_handle(b.multi, b.jobs[i].x.easy);
		exchange_release(&b.jobs[i].x);
		free(b.jobs[i].last_error);
		json_decref(b.jobs[i].state);
	}
	curl_multi_cleanup(b.multi);
	hb->in_flight_now = 0;
	for (int i = 0; i < hb->n_ep; i++)
		hb->ep[i].last_prompt = NULL; /* the prompts were the caller's */
	free(b.waiting);
	free(b.jobs);
	return b.stop;
}

/* ---- opening ---- */

/* "http://h:p/v1/" -> "http://h:p": paths are added with their /v1. */
static char *endpoint_base(const char *url, size_t len)
{
	char *base = xstrndup(url, len);
	size_t n = strlen(base);

	while (n && base[n - 1] == '/')
		base[--n] = '\0';
	if (n >= 3 && !strcmp(base + n - 3, "/v1"))
		base[n - 3] = '\0';
	return base;
}

static int parse_endpoints(struct http_be *hb, const char *spec, struct ie_error *err)
{
	const char *p = spec;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len && (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8))) {
			XGROW(hb->ep, hb->cap_ep, (size_t)hb->n_ep + 1);
			memset(&hb->ep[hb->n_ep], 0, sizeof(hb->ep[0]));
			hb->ep[hb->n_ep++].base = endpoint_base(p, len);
		} else if (len) {
			return ie_error_set(err, IE_EUSAGE,
					    "'%.*s' is not an http:// or https:// address", (int)len,
					    p);
		}
		p += len + (p[len] == ',');
	}
	if (!hb->n_ep)
		return ie_error_set(err, IE_EUSAGE, "no server address in '%s'", spec);
	return 0;
}

static void set_auth(struct http_be *hb, const char *var)
{
	const char *key = getenv(var ? var : "OPENAI_API_KEY");
	struct strbuf sb = STRBUF_INIT;

	if (!key || !*key)
		return;
	strbuf_addf(&sb, "Authorization: Bearer %s", key);
	hb->auth = strbuf_detach(&sb, NULL);
}

static void http_destroy(struct ie_backend *be)
{
	struct http_be *hb = (struct http_be *)be;

	for (int i = 0; i < hb->n_ep; i++)
		free(hb->ep[i].base);
	free(hb->ep);
	if (hb->auth) { /* the key is not left behind in freed memory */
		memset(hb->auth, 0, strlen(hb->auth));
		free(hb->auth);
	}
	free(hb->model_name);
	free(hb->spec);
	free(hb->system);
	json_decref(hb->fingerprint);
	json_decref(hb->cand_ids);
	json_decref(hb->cont_ids);
	http_tokenizer_close(hb);
	free(hb);
}

int http_backend_claims(const char *model)
{
	return !strncmp(model, "http://", 7) || !strncmp(model, "https://", 8);
}

static const struct ie_backend_ops http_ops = {
	.name = "http",
	.caps = http_caps,
	.count_tokens = http_count_tokens,
	.submit = http_submit,
	.identity = http_identity,
	.info = http_info,
	.destroy = http_destroy,
};

int http_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		      struct ie_error *err)
{
	struct http_be *hb = xcalloc(1, sizeof(*hb));
	int ret;

	global_init();
	hb->base.ops = &http_ops;
	hb->safe_token = -1;
	hb->spec = xstrdup(cfg->model);
	hb->chat = cfg->chat || (cfg->api && !strcmp(cfg->api, "chat"));
	hb->system = cfg->system ? xstrdup(cfg->system) : NULL;
	hb->multiturn = cfg->multiturn;
	if (cfg->api && strcmp(cfg->api, "chat") && strcmp(cfg->api, "completions")) {
		ret = ie_error_set(err, IE_EUSAGE, "unknown API '%s' (completions or chat)",
				   cfg->api);
		goto fail;
	}
	hb->concurrency = cfg->concurrency > 0 ? cfg->concurrency : 1;
	hb->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 600;
	hb->retries = cfg->retries < 0 ? 0 : cfg->retries > 0 ? cfg->retries : 8;
	hb->prompt_cache = !cfg->no_prefix_reuse;
	set_auth(hb, cfg->api_key_env);
	hb->opening = 1;
	if ((ret = parse_endpoints(hb, cfg->model, err)) < 0 ||
	    (ret = http_discover(hb, cfg, err)) < 0)
		goto fail;
	hb->opening = 0;
	*out = &hb->base;
	return 0;
fail:
	http_destroy(&hb->base);
	return ret;
}
