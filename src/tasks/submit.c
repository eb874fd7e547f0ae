/* Handing a task's requests to a backend in one call, with progress. */
#include <stdio.h>
#include <stdlib.h>

#include "tasks/task.h"
#include "util/progress.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct tally {
	struct progress bar;
	size_t done;
};

static int on_done(void *data, size_t index, struct ie_request *r)
{
	struct tally *t = data;

	(void)index;
	progress_update(&t->bar, r ? ++t->done : t->done); /* no r: a tick */
	return 0;
}

/* A served model's requests in flight and retries, beside the counts. */
static void backend_status(void *data, char *buf, size_t n)
{
	struct ie_backend_info info;

	ie_backend_get_info(data, &info);
	if (info.in_flight >= 0)
		snprintf(buf, n, ", %lld in flight, %lld retried", (long long)info.in_flight,
			 (long long)info.retries);
}

int requests_submit(struct ie_backend *b, const char *label, struct ie_request *reqs, size_t n,
		    int quiet, struct ie_error *err)
{
	struct tally t = { .done = 0 };
	int ret;

	progress_start(&t.bar, label, n, quiet);
	t.bar.status = backend_status;
	t.bar.status_data = b;
	ret = ie_backend_submit(b, reqs, n, on_done, &t, err);
	progress_finish(&t.bar);
	return ret;
}

/* The requests are copied into one array and their results copied back,
 * because each sample owns its own. */
int sample_set_submit(struct sample_set *set, struct ie_backend *b, const char *label, int quiet,
		      struct ie_error *err)
{
	struct ie_request *all;
	size_t n = 0, k = 0;
	int ret;

	for (size_t i = 0; i < set->n; i++)
		n += set->v[i].n_reqs;
	all = xcalloc(n ? n : 1, sizeof(*all));
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].n_reqs; j++)
			all[k++] = set->v[i].reqs[j];
	ret = requests_submit(b, label, all, n, quiet, err);
	k = 0;
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = 0; j < set->v[i].n_reqs; j++)
			set->v[i].reqs[j] = all[k++];
	free(all);
	return ret;
}
