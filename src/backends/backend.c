/* Choosing a backend for a model and dispatching through its ops table. */
#include <stdlib.h>
#include <string.h>

#include "instructeval/backend.h"
#include "backends/backends.h"
#include "util/banned.h"

void ie_request_release(struct ie_request *req)
{
	free(req->text);
	free(req->scores);
	free(req->error);
	req->text = NULL;
	req->scores = NULL;
	req->error = NULL;
}

void ie_backend_config_init(struct ie_backend_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

int ie_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		    struct ie_error *err)
{
	*out = NULL;
	if (!cfg->model || !*cfg->model)
		return ie_error_set(err, IE_EUSAGE, "no model given (use --model FILE.gguf)");
	return llama_backend_open(cfg, out, err);
}

void ie_backend_free(struct ie_backend *b)
{
	if (b)
		b->ops->destroy(b);
}

int ie_backend_count_tokens(struct ie_backend *b, const char *text, int *n,
			    struct ie_error *err)
{
	return b->ops->count_tokens(b, text, n, err);
}

int ie_backend_submit(struct ie_backend *b, struct ie_request *reqs, size_t n,
		      ie_progress_fn progress, void *progress_data, struct ie_error *err)
{
	return b->ops->submit(b, reqs, n, progress, progress_data, err);
}

void ie_backend_get_info(struct ie_backend *b, struct ie_backend_info *info)
{
	memset(info, 0, sizeof(*info));
	info->model_size = -1;
	b->ops->info(b, info);
}
