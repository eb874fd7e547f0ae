/*
 * The backend registry and dispatch. A model string is offered to each
 * registered backend in turn and the first that claims it opens it, so the
 * evaluator never names a concrete backend; adding one (an HTTP client)
 * is a row in the table below.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "instructeval/backend.h"
#include "backends/backends.h"
#include "util/sha256.h"
#include "util/banned.h"

static const struct backend_entry {
	const char *name;
	int (*claims)(const char *model);
	int (*open)(const struct ie_backend_config *cfg, struct ie_backend **out,
		    struct ie_error *err);
} registry[] = {
	{ "http", http_backend_claims, http_backend_open },
	{ "llama.cpp", llama_backend_claims, llama_backend_open },
};

#define N_BACKENDS (sizeof(registry) / sizeof(registry[0]))

void ie_request_release(struct ie_request *req)
{
	free(req->res.text);
	free(req->res.scores);
	free(req->res.error);
	memset(&req->res, 0, sizeof(req->res));
}

void ie_backend_config_init(struct ie_backend_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->gpu_layers = -1;
}

static const struct backend_entry *find_entry(const char *model)
{
	for (size_t i = 0; i < N_BACKENDS; i++)
		if (registry[i].claims(model))
			return &registry[i];
	return NULL;
}

const char *ie_backend_find(const char *model)
{
	const struct backend_entry *e = model ? find_entry(model) : NULL;

	return e ? e->name : NULL;
}

int ie_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		    struct ie_error *err)
{
	const struct backend_entry *e;

	*out = NULL;
	if (!cfg->model || !*cfg->model)
		return ie_error_set(err, IE_EUSAGE, "no model given");
	if (cfg->multiturn && !cfg->chat)
		return ie_error_set(err, IE_EUSAGE, "few-shot exemplars as turns need the chat "
				    "template");
	if (!(e = find_entry(cfg->model)))
		return ie_error_set(err, IE_EUSAGE,
				    "no backend can open model '%s' (expected a .gguf file or an "
				    "http(s):// address)",
				    cfg->model);
	return e->open(cfg, out, err);
}

void ie_backend_free(struct ie_backend *b)
{
	if (b)
		b->ops->destroy(b);
}

int ie_backend_render(struct ie_backend *b, const char *prompt, char **out,
		      struct ie_error *err)
{
	*out = NULL;
	return b->ops->render ? b->ops->render(b, prompt, out, err) : 0;
}

int ie_backend_count_tokens(struct ie_backend *b, const char *text, int *n,
			    struct ie_error *err)
{
	return b->ops->count_tokens(b, text, n, err);
}

int ie_backend_submit(struct ie_backend *b, struct ie_request *reqs, size_t n, ie_done_fn done,
		      void *done_data, struct ie_error *err)
{
	return b->ops->submit(b, reqs, n, done, done_data, err);
}

int ie_backend_identity(struct ie_backend *b, const struct ie_hash_memo *memo, json_t **out,
			struct ie_error *err)
{
	*out = NULL;
	return b->ops->identity(b, memo, out, err);
}

unsigned ie_backend_caps(struct ie_backend *b)
{
	return b->ops->caps(b);
}

void ie_backend_get_info(struct ie_backend *b, struct ie_backend_info *info)
{
	memset(info, 0, sizeof(*info));
	info->model_size = -1;
	info->tokens_decoded = -1;
	info->in_flight = -1;
	info->retries = -1;
	b->ops->info(b, info);
}

int backend_file_sha256(const char *path, const struct ie_hash_memo *memo, char sha[65],
			struct ie_error *err)
{
	struct stat st;
	int64_t mtime;
	int ret;

	char *abs;

	if (stat(path, &st) != 0 || !(abs = realpath(path, NULL)))
		return ie_error_set(err, IE_EINPUT, "cannot read model '%s'", path);
	/* Remembered by the absolute path: the same file named from another
	 * folder is the same file. */
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	ret = memo && memo->get(memo->data, abs, (int64_t)st.st_size, mtime, sha) == 1;
	if (!ret && (ret = sha256_file(path, sha, err)) == 0 && memo)
		memo->put(memo->data, abs, (int64_t)st.st_size, mtime, sha);
	free(abs);
	return ret < 0 ? ret : 0;
}
