/*
 * Many runs (exec_run_many): a pool of worker threads, each taking the
 * next program and running it with exec_run_one, until all have run or
 * one fails.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/sandbox.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct pool {
	const struct exec_config *cfg;
	const struct exec_job *jobs;
	struct exec_result *results;
	size_t n, next, done;
	void (*progress)(void *data, size_t done, size_t total);
	void *data;
	pthread_mutex_t mu;
	int rc;
	struct ie_error err;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct ie_error e;
		size_t i;
		int rc;

		pthread_mutex_lock(&p->mu);
		if (p->rc || p->next >= p->n) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);

		e.code = 0;
		e.msg[0] = '\0';
		rc = exec_run_one(p->cfg, &p->jobs[i], &p->results[i], &e);

		pthread_mutex_lock(&p->mu);
		if (rc && !p->rc) {
			p->rc = rc;
			p->err = e;
		}
		p->done++;
		if (!rc && p->progress) { /* the caller's code may allocate */
			pthread_rwlock_rdlock(&exec_fork_guard);
			p->progress(p->data, p->done, p->n);
			pthread_rwlock_unlock(&exec_fork_guard);
		}
		pthread_mutex_unlock(&p->mu);
	}
}

int exec_run_many(const struct exec_config *cfg, const struct exec_job *jobs, size_t n,
		  struct exec_result *results,
		  void (*progress)(void *data, size_t done, size_t total), void *data,
		  struct ie_error *err)
{
	const struct sandbox *sb;
	struct pool p;
	pthread_t *threads;
	size_t workers, started = 0;
	int rc;

	if (n)
		memset(results, 0, n * sizeof(*results));
	if ((rc = exec_config_check(cfg, err)) || (rc = sandbox_get(cfg, &sb, err)))
		return rc;
	if (!n)
		return 0;
	workers = cfg->workers;
	if (!workers) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		workers = cpus > 0 ? (size_t)cpus : 1;
	}
	if (workers > n)
		workers = n;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.jobs = jobs;
	p.results = results;
	p.n = n;
	p.progress = progress;
	p.data = data;
	pthread_mutex_init(&p.mu, NULL);
	threads = xcalloc(workers, sizeof(*threads));
	pthread_rwlock_rdlock(&exec_fork_guard); /* pthread_create allocates */
	for (size_t i = 0; i < workers; i++) {
		if (pthread_create(&threads[i], NULL, worker, &p))
			break;
		started++;
	}
	pthread_rwlock_unlock(&exec_fork_guard);
	if (!started)
		(void)worker(&p); /* no thread: run them here */
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&p.mu);
	if (p.rc) {
		if (err)
			*err = p.err;
		return p.rc;
	}
	return 0;
}
