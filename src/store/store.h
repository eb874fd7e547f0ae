/*
 * The store: one SQLite file (WAL mode) that keeps every run, every
 * sample's record and the request cache, so that a killed run loses
 * nothing it had finished and a rerun answers finished requests without
 * the model. Cached results are addressed by their request key (a sha256
 * hex string, see store/key.h) and never rewritten: a key always names the
 * same answer, so INSERT OR IGNORE is the only write they get.
 *
 * Writes are grouped: store_cache_put() queues a result in memory and
 * store_flush() commits everything queued in one transaction. The caller
 * flushes about once a second, so a kill loses at most that much work.
 * Several processes may use one store at once; a writer waits for the
 * lock up to the wait given at open.
 *
 * Every function returns 0 or a negative IE_E* code with a message naming
 * the store file. A file that is not a store (not SQLite, another program's
 * database, truncated, damaged, from a newer schema) is IE_EINPUT; a lock
 * held past the wait, a full disk or another I/O failure is IE_EIO.
 * Strings passed in are borrowed; strings and JSON handed out belong to
 * the caller.
 */
#ifndef IE_STORE_H
#define IE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "instructeval/backend.h"
#include "instructeval/error.h"

struct store;

/* The store used when none is named: $XDG_DATA_HOME/instructeval/store.db,
 * else ~/.local/share/instructeval/store.db. The string is static. */
const char *store_default_path(void);

/* Opens path, creating it (and its folder) when missing. wait_ms: how long
 * a writer waits for another process's lock (0: 10 s). */
int store_open(const char *path, int wait_ms, struct store **out, struct ie_error *err);
/* Commits what is queued (errors are dropped: flush first to see them)
 * and closes. NULL is allowed. */
void store_close(struct store *s);
const char *store_path(const struct store *s);

/* ---- file hashes: a file's sha256 remembered by path, size and mtime ---- */

/* 1 and the hex digest in sha when path was hashed at this size and
 * modification time (nanoseconds), 0 when not, or an error. */
int store_hash_get(struct store *s, const char *path, int64_t size, int64_t mtime_ns,
		   char sha[65], struct ie_error *err);
/* Remembers a digest (replacing what path had); committed at once. */
int store_hash_put(struct store *s, const char *path, int64_t size, int64_t mtime_ns,
		   const char *sha, struct ie_error *err);

/* ---- the request cache ---- */

/* 1 when key is cached: r's results (text, scores, n_prompt_tokens,
 * n_new_tokens; status 0) are filled from it, r->scores with
 * r->n_candidates values; 0 when it is not. A row whose check does not
 * match its contents is IE_EINPUT (the store is damaged), never a hit. */
int store_cache_get(struct store *s, const char *key, struct ie_request *r,
		    struct ie_error *err);
/* Queues r's results under key for the next flush. Only successful
 * results (status 0) are cached; others are ignored. */
void store_cache_put(struct store *s, const char *key, const struct ie_request *r);
/* Results queued and not yet committed. */
size_t store_pending(const struct store *s);
/* Commits everything queued, in one transaction. On failure nothing of it
 * is in the store and the queue is kept. */
int store_flush(struct store *s, struct ie_error *err);

/* ---- runs ---- */

struct store_run_info {
	const char *key;     /* what makes two runs the same command (hex) */
	const char *command; /* "run", "judge" */
	const json_t *config;
	const json_t *model; /* the model's identity */
	const char *tasks;   /* as given, e.g. "mmlu,crass" */
	const char *tags;    /* a JSON object of key=value tags, may be NULL */
};

/* Starts a run, or continues the newest run with the same key that did
 * not finish (its status is "running" and no live process holds it, or
 * "failed"): *resumed tells which. The run is then "running", held by
 * this process. */
int store_run_begin(struct store *s, const struct store_run_info *info, int64_t *id,
		    int *resumed, struct ie_error *err);
/* Replaces the sample records of task in run id with the JSON lines in
 * jsonl (each line one record, with its newline), in one transaction. */
int store_run_samples(struct store *s, int64_t id, const char *task, const char *jsonl,
		      size_t len, struct ie_error *err);
/* The same, a record at a time: begin clears task's records and opens the
 * transaction, put adds one line (without its newline), commit ends it,
 * abort (any time after begin, NULL allowed) undoes it all. Nothing else
 * may use the store in between. */
struct store_samples;
int store_samples_begin(struct store *s, int64_t id, const char *task,
			struct store_samples **out, struct ie_error *err);
int store_samples_put(struct store_samples *w, const char *line, size_t len,
		      struct ie_error *err);
int store_samples_commit(struct store_samples *w, struct ie_error *err);
void store_samples_abort(struct store_samples *w);
/* Ends run id: status "finished" or "failed", and its results document
 * (may be NULL for a failed run). */
int store_run_end(struct store *s, int64_t id, const char *status, const json_t *results,
		  struct ie_error *err);

/* Replaces the tags of run id with tags (a JSON object of strings; empty:
 * none). IE_EUSAGE when there is no such run. */
int store_run_tags_set(struct store *s, int64_t id, const json_t *tags, struct ie_error *err);
/* All runs, newest first: an array of objects with id, command, status,
 * tasks, tags (an object, {} for none), model (its identity object),
 * started, finished and scores (the results' "scores" object, or null). */
int store_runs_list(struct store *s, json_t **runs, struct ie_error *err);
/* One run by its id: an object as in the list plus "config" and "results"
 * (null until it finished). IE_EUSAGE when there is no such run. */
int store_run_get(struct store *s, int64_t id, json_t **run, struct ie_error *err);
/* Every finished run, newest first, each as store_run_get gives it (with
 * config and results). st NULL (no store yet): an empty array. */
int store_runs_finished(struct store *st, json_t **out, struct ie_error *err);
/* The tasks of run id that have samples, in the order they were stored,
 * and for each the records as JSONL text, exactly as stored. *names and
 * *texts are arrays of *n strings (free each and the arrays). */
int store_run_samples_get(struct store *s, int64_t id, char ***names, char ***texts, size_t *n,
			  struct ie_error *err);

/* ---- human ratings ---- */

/* A person's 1-5 ratings of one IMPACT answer (item: the sample's "id"),
 * as the judge rates it; 0 for a value not given. */
struct store_rating {
	const char *item;
	const char *rater;
	int relevance, coherence;
};

/* Stores rater's rating of item in run, replacing their earlier one;
 * committed at once. IE_EUSAGE when there is no such run, IE_EINPUT for a
 * value outside 1-5 (0 stores none). */
int store_rating_put(struct store *s, int64_t run, const char *item, const char *rater,
		     int relevance, int coherence, struct ie_error *err);
/* The same for v[0..n) in one transaction: all of them or, on any error,
 * none. */
int store_ratings_put_many(struct store *s, int64_t run, const struct store_rating *v, size_t n,
			   struct ie_error *err);
/* The ratings of run, ordered by rater then item (bytewise): an array of
 * objects with item, rater, relevance and coherence (null for none) and
 * rated (UTC time). IE_EUSAGE when there is no such run. */
int store_ratings_get(struct store *s, int64_t run, json_t **out, struct ie_error *err);

#endif
