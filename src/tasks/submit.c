/* Handing a task's requests to a backend, with progress. */
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

static void tally_start(struct tally *t, struct ie_backend *b, const char *label, size_t n,
			int quiet)
{
	t->done = 0;
	progress_start(&t->bar, label, n, quiet);
	t->bar.status = backend_status;
	t->bar.status_data = b;
}

int requests_submit(struct ie_backend *b, const char *label, struct ie_request *reqs, size_t n,
		    int quiet, struct ie_error *err)
{
	struct tally t;
	int ret;

	tally_start(&t, b, label, n, quiet);
	ret = ie_backend_submit(b, reqs, n, on_done, &t, err);
	progress_finish(&t.bar);
	return ret;
}

/* Requests in one window of a task whose prompts are made again: enough
 * that the end of a window (slots finishing while no request follows)
 * costs little, few enough that its prompts take a few megabytes. */
#define WINDOW_REQUESTS 256

/* Submits the requests of samples [from, to), k of them, in one call.
 * They are copied into one array and their results copied back, because
 * each sample owns its own; prompts the task makes are freed after. */
static int submit_window(struct task *t, struct sample_set *set, size_t from, size_t to,
			 size_t k, struct ie_backend *b, struct tally *tl, struct ie_error *err)
{
	struct ie_request *all = xcalloc(k ? k : 1, sizeof(*all));
	char **made = xcalloc(k ? k : 1, sizeof(*made));
	size_t x = 0;
	int ret = 0;

	for (size_t i = from; i < to && !ret; i++)
		if (set->v[i].shots < 0 && t->ops->fit_shots)
			ret = t->ops->fit_shots(t, &set->v[i], b, err);
	for (size_t i = from; i < to; i++)
		for (size_t j = 0; j < set->v[i].n_reqs; j++, x++) {
			all[x] = set->v[i].reqs[j];
			if (!all[x].prompt && !ret)
				all[x].prompt = sample_prompt(t, &set->v[i], j, &made[x]);
		}
	if (!ret)
		ret = ie_backend_submit(b, all, k, on_done, tl, err);
	x = 0;
	for (size_t i = from; i < to; i++)
		for (size_t j = 0; j < set->v[i].n_reqs; j++, x++) {
			set->v[i].reqs[j] = all[x];
			set->v[i].reqs[j].prompt = set->v[i].prompts[j];
			free(made[x]);
		}
	free(made);
	free(all);
	return ret;
}

int sample_set_submit(struct task *t, struct sample_set *set, struct ie_backend *b,
		      const char *label, int quiet, struct ie_error *err)
{
	struct tally tl;
	size_t n = 0, i = 0;
	int ret = 0;

	for (size_t s = 0; s < set->n; s++)
		n += set->v[s].n_reqs;
	tally_start(&tl, b, label, n, quiet);
	while (i < set->n && !ret) {
		size_t end = i, k = 0;

		while (end < set->n && (!t->ops->prompt || k == 0 ||
					k + set->v[end].n_reqs <= WINDOW_REQUESTS))
			k += set->v[end++].n_reqs;
		ret = submit_window(t, set, i, end, k, b, &tl, err);
		i = end;
	}
	progress_finish(&tl.bar);
	return ret;
}
