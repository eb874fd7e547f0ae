/* The store: opening and refusing files that are not stores, the hash
 * memo, the request cache (exact bytes, checks, grouping, visibility to
 * other connections, locks, concurrent writers) and runs (samples, results,
 * resuming). Files are made and damaged with raw SQLite connections. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static char *tmp_root;
static int tmp_seq;

/* A new path under this program's folder; the caller frees it. */
static char *tmp_path(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%d-%s", tmp_root, ++tmp_seq, name);
	return strbuf_detach(&sb, NULL);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static struct store *open_ok(const char *path, int wait_ms)
{
	struct ie_error err = { 0 };
	struct store *s = NULL;

	if (store_open(path, wait_ms, &s, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	assert_non_null(s);
	return s;
}

/* msg must name path and say what, apart from the path (which may
 * contain the word). */
static void assert_says(const char *msg, const char *path, const char *what)
{
	char rest[1024];
	const char *at;

	if (!(at = strstr(msg, path)))
		fail_msg("message '%s' does not name '%s'", msg, path);
	snprintf(rest, sizeof(rest), "%.*s%s", (int)(at - msg), msg, at + strlen(path));
	if (!strstr(rest, what))
		fail_msg("message '%s' does not say '%s'", msg, what);
}

/* Opening must fail with IE_EINPUT and a message naming the file and
 * saying what. */
static void open_refused(const char *path, const char *what)
{
	struct ie_error err = { 0 };
	struct store *s = (struct store *)&err;

	assert_int_equal(store_open(path, 200, &s, &err), IE_EINPUT);
	assert_null(s);
	assert_says(err.msg, path, what);
}

/* Frees what the store put in r (ie_request_release lives with the
 * backends, which this test does not need). */
static void release_res(struct ie_request *r)
{
	free(r->res.text);
	free(r->res.scores);
	free(r->res.error);
	memset(&r->res, 0, sizeof(r->res));
}

static void write_file(const char *path, const void *data, size_t len)
{
	struct ie_error err;

	assert_int_equal(file_write_atomic(path, data, len, &err), 0);
}

static void scores_request(struct ie_request *r, size_t n, double *scores, int n_prompt)
{
	memset(r, 0, sizeof(*r));
	r->kind = IE_REQ_NEXT_SCORES;
	r->n_candidates = n;
	r->res.scores = scores;
	r->res.n_prompt_tokens = n_prompt;
}

static void text_request(struct ie_request *r, char *text, int n_prompt, int n_new)
{
	memset(r, 0, sizeof(*r));
	r->kind = IE_REQ_GENERATE;
	r->res.text = text;
	r->res.n_prompt_tokens = n_prompt;
	r->res.n_new_tokens = n_new;
}

static void open_creates_folder_and_reopens(void **state)
{
	char *dir = tmp_path("a/b"), *path = path_join(dir, "store.db");
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	s = open_ok(path, 0);
	assert_string_equal(store_path(s), path);
	store_close(s);
	assert_true(file_exists(path));
	assert_int_equal(raw_int(path, "PRAGMA application_id"), 0x49457631);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
				       " AND name IN ('file_hashes', 'requests', 'runs', 'samples',"
				       " 'run_tasks')"),
			 5);
	/* WAL mode is a property of the file: a plain connection sees it. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* A second open of an existing store, and two at once. */
	s = open_ok(path, 0);
	store_close(open_ok(path, 0));
	store_close(s);
	store_close(NULL);
	free(path);
	free(dir);
}

static void hash_memo_keeps_digests(void **state)
{
	char *path = tmp_path("hash.db");
	const char *a = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	const char *b = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	struct ie_error err = { 0 };
	struct store *s = open_ok(path, 0);
	char sha[65];

	(void)state;
	assert_int_equal(store_hash_get(s, "/m/x.gguf", 10, 20, sha, &err), 0);
	assert_int_equal(store_hash_put(s, "/m/x.gguf", 10, 20, a, &err), 0);
	assert_int_equal(store_hash_get(s, "/m/x.gguf", 10, 20, sha, &err), 1);
	assert_string_equal(sha, a);
	/* Another size or time is another file. */
	assert_int_equal(store_hash_get(s, "/m/x.gguf", 11, 20, sha, &err), 0);
	assert_int_equal(store_hash_get(s, "/m/x.gguf", 10, 21, sha, &err), 0);
	assert_int_equal(store_hash_get(s, "/m/y.gguf", 10, 20, sha, &err), 0);
	assert_int_equal(store_hash_put(s, "/m/x.gguf", 12, 30, b, &err), 0);
	assert_int_equal(store_hash_get(s, "/m/x.gguf", 10, 20, sha, &err), 0);
	store_close(s);
	/* Committed at once: a new connection sees the replacement. */
	s = open_ok(path, 0);
	assert_int_equal(store_hash_get(s, "/m/x.gguf", 12, 30, sha, &err), 1);
	assert_string_equal(sha, b);
	store_close(s);
	free(path);
}

static void cache_round_trip_is_exact(void **state)
{
	char *path = tmp_path("cache.db");
	double scores[] = { -0.123456789012345, 1e-300, -0.0, 1.0, -42.5 };
	const size_t n = sizeof(scores) / sizeof(scores[0]);
	char text[] = "caf\xC3\xA9 \xE2\x80\x94 \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x99\x82\n\ttab";
	struct ie_error err = { 0 };
	struct ie_request r, got;
	struct store *s = open_ok(path, 0);
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	scores_request(&r, n, scores, 17);
	store_cache_put(s, "key-scores", &r);
	text_request(&r, text, 30, 7);
	store_cache_put(s, "key-text", &r);
	text_request(&r, NULL, 1, 0);
	r.res.status = IE_EMODEL; /* failures are never cached */
	store_cache_put(s, "key-failed", &r);
	assert_int_equal(store_pending(s), 2);
	assert_int_equal(store_flush(s, &err), 0);
	assert_int_equal(store_pending(s), 0);
	store_close(s);

	s = open_ok(path, 0);
	memset(&got, 0, sizeof(got));
	got.kind = IE_REQ_NEXT_SCORES;
	got.n_candidates = n;
	assert_int_equal(store_cache_get(s, "key-scores", &got, &err), 1);
	assert_non_null(got.res.scores);
	/* Bit for bit: the sign of -0.0 and the last digit of every value. */
	assert_memory_equal(got.res.scores, scores, sizeof(scores));
	assert_true(signbit(got.res.scores[2]));
	assert_null(got.res.text);
	assert_int_equal(got.res.n_prompt_tokens, 17);
	assert_int_equal(got.res.status, 0);
	release_res(&got);

	memset(&got, 0, sizeof(got));
	got.kind = IE_REQ_GENERATE;
	assert_int_equal(store_cache_get(s, "key-text", &got, &err), 1);
	assert_string_equal(got.res.text, text);
	assert_null(got.res.scores);
	assert_int_equal(got.res.n_prompt_tokens, 30);
	assert_int_equal(got.res.n_new_tokens, 7);
	release_res(&got);

	memset(&got, 0, sizeof(got));
	assert_int_equal(store_cache_get(s, "key-failed", &got, &err), 0);
	assert_int_equal(store_cache_get(s, "no-such-key", &got, &err), 0);
	assert_null(got.res.text);
	store_close(s);

	/* The blob holds the doubles little-endian, whatever this machine's
	 * byte order: 1.0 is 00 00 00 00 00 00 f0 3f. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT hex(substr(scores, 25, 8)), length(scores) "
					    "FROM requests WHERE key = 'key-scores'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "000000000000F03F");
	assert_int_equal(sqlite3_column_int(st, 1), 8 * n);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
}

static void unflushed_results_are_private(void **state)
{
	char *path = tmp_path("private.db");
	char text[] = "answer";
	struct ie_error err = { 0 };
	struct ie_request r, got;
	struct store *a = open_ok(path, 0), *b = open_ok(path, 0);

	(void)state;
	text_request(&r, text, 3, 1);
	store_cache_put(a, "k1", &r);
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_cache_get(b, "k1", &got, &err), 0);
	assert_int_equal(store_flush(a, &err), 0);
	assert_int_equal(store_cache_get(b, "k1", &got, &err), 1);
	assert_string_equal(got.res.text, "answer");
	release_res(&got);
	/* Closing flushes what is still queued. */
	store_cache_put(a, "k2", &r);
	store_close(a);
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_cache_get(b, "k2", &got, &err), 1);
	release_res(&got);
	store_close(b);
	free(path);
}

static void damaged_rows_are_errors(void **state)
{
	char *path = tmp_path("rows.db");
	double scores[] = { -1.5, -2.5 };
	char text[] = "the answer";
	struct ie_error err = { 0 };
	struct ie_request r, got;
	struct store *s = open_ok(path, 0);

	(void)state;
	text_request(&r, text, 5, 2);
	store_cache_put(s, "k-text", &r);
	scores_request(&r, 2, scores, 5);
	store_cache_put(s, "k-scores", &r);
	store_cache_put(s, "k-scores2", &r);
	assert_int_equal(store_flush(s, &err), 0);
	store_close(s);
	raw_exec(path, "UPDATE requests SET text = 'x' WHERE key = 'k-text';"
		       "UPDATE requests SET n_prompt_tokens = 6 WHERE key = 'k-scores'");

	s = open_ok(path, 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_cache_get(s, "k-text", &got, &err), IE_EINPUT);
	assert_says(err.msg, path, "damaged");
	assert_says(err.msg, path, "cached request k-text does not match its check");
	assert_null(got.res.text);
	memset(&err, 0, sizeof(err));
	got.n_candidates = 2;
	assert_int_equal(store_cache_get(s, "k-scores", &got, &err), IE_EINPUT);
	assert_says(err.msg, path, "damaged");
	assert_null(got.res.scores);
	/* An intact row whose scores do not fit the request's candidates. */
	got.n_candidates = 3;
	memset(&err, 0, sizeof(err));
	assert_int_equal(store_cache_get(s, "k-scores2", &got, &err), IE_EINPUT);
	assert_says(err.msg, path, "damaged");
	got.n_candidates = 2;
	assert_int_equal(store_cache_get(s, "k-scores2", &got, &err), 1);
	assert_true(got.res.scores[1] == -2.5);
	release_res(&got);
	store_close(s);
	free(path);
}

static json_t *obj(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (!v)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	return v;
}

static void runs_round_trip(void **state)
{
	char *path = tmp_path("runs.db");
	const char *mmlu = "{\"id\":0,\"pred\":\"B\",\"text\":\"\xC3\xA9t\xC3\xA9\"}\n"
			   "{\"id\":1,\"pred\":\"C\",\"x\":0.1000000000000000055511}\n";
	const char *crass = "{\"id\":\"c0\"}\n";
	const char *old = "{\"old\":1}\n{\"old\":2}\n";
	json_t *config = obj("{\"tasks\":\"crass,mmlu\",\"ntrain\":5,\"t\":0.25}");
	json_t *model = obj("{\"file\":\"tiny.gguf\",\"size\":123,\"sha256\":\"ab\"}");
	json_t *results = obj("{\"scores\":{\"crass\":{\"score\":0.5,\"n\":2},"
			      "\"mmlu\":{\"score\":0.3333333333333333,\"n\":2}},"
			      "\"counts\":{},\"model\":{\"file\":\"tiny.gguf\"}}");
	struct store_run_info info = { .key = "runkey1", .command = "run", .config = config,
				       .model = model, .tasks = "crass,mmlu",
				       .tags = "{\"nightly\":\"yes\"}" };
	struct ie_error err = { 0 };
	struct store *s = open_ok(path, 0);
	json_t *list, *run, *tags;
	char **names, **texts;
	size_t n;
	int64_t id, id2;
	int resumed = -1;

	(void)state;
	assert_int_equal(store_run_begin(s, &info, &id, &resumed, &err), 0);
	assert_true(id > 0);
	assert_int_equal(resumed, 0);
	/* crass first, then mmlu; crass again replaces its records and keeps
	 * its place. */
	assert_int_equal(store_run_samples(s, id, "crass", old, strlen(old), &err), 0);
	assert_int_equal(store_run_samples(s, id, "mmlu", mmlu, strlen(mmlu), &err), 0);
	assert_int_equal(store_run_samples(s, id, "crass", crass, strlen(crass), &err), 0);
	assert_int_equal(store_run_samples(s, id, "empty", "", 0, &err), 0);
	assert_int_equal(store_run_samples(s, 9999, "mmlu", mmlu, strlen(mmlu), &err), IE_EUSAGE);

	/* Before it ends: running, no scores, no results. */
	assert_int_equal(store_run_get(s, id, &run, &err), 0);
	assert_string_equal(json_string_value(json_object_get(run, "status")), "running");
	assert_true(json_is_null(json_object_get(run, "results")));
	assert_true(json_is_null(json_object_get(run, "scores")));
	assert_true(json_is_null(json_object_get(run, "finished")));
	json_decref(run);

	assert_int_equal(store_run_end(s, id, "finished", results, &err), 0);
	assert_int_equal(store_run_end(s, id, "done", results, &err), IE_EUSAGE);
	assert_int_equal(store_run_end(s, 9999, "failed", NULL, &err), IE_EUSAGE);
	info.key = "runkey2";
	info.tags = NULL;
	assert_int_equal(store_run_begin(s, &info, &id2, &resumed, &err), 0);
	assert_true(id2 > id);
	store_close(s);

	s = open_ok(path, 0);
	assert_int_equal(store_runs_list(s, &list, &err), 0);
	assert_int_equal(json_array_size(list), 2);
	/* Newest first. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), id2);
	run = json_array_get(list, 1);
	assert_int_equal(json_integer_value(json_object_get(run, "id")), id);
	assert_string_equal(json_string_value(json_object_get(run, "status")), "finished");
	assert_string_equal(json_string_value(json_object_get(run, "command")), "run");
	assert_string_equal(json_string_value(json_object_get(run, "tasks")), "crass,mmlu");
	assert_string_equal(json_string_value(json_object_get(json_object_get(run, "tags"),
							      "nightly")), "yes");
	assert_true(json_equal(json_object_get(run, "model"), model));
	assert_true(json_equal(json_object_get(run, "scores"), json_object_get(results, "scores")));
	assert_null(json_object_get(run, "results"));
	assert_int_equal(strlen(json_string_value(json_object_get(run, "started"))), 20);
	assert_int_equal(json_string_value(json_object_get(run, "finished"))[19], 'Z');
	assert_int_equal(json_object_size(json_object_get(json_array_get(list, 0), "tags")), 0);
	json_decref(list);

	assert_int_equal(store_run_get(s, id, &run, &err), 0);
	assert_true(json_equal(json_object_get(run, "config"), config));
	assert_true(json_equal(json_object_get(run, "results"), results));
	/* Reals come back as the same doubles, not rounded. */
	assert_true(json_real_value(json_object_get(
			    json_object_get(json_object_get(json_object_get(run, "results"),
							    "scores"),
					    "mmlu"),
			    "score")) == 0.3333333333333333);
	json_decref(run);
	assert_int_equal(store_run_get(s, 4242, &run, &err), IE_EUSAGE);
	assert_null(run);
	assert_says(err.msg, path, "no run 4242");

	/* Tags are replaced whole; an empty object clears them. */
	tags = json_pack("{s:s, s:s}", "size", "7B", "method", "lora");
	assert_int_equal(store_run_tags_set(s, id, tags, &err), 0);
	assert_int_equal(store_run_get(s, id, &run, &err), 0);
	assert_true(json_equal(json_object_get(run, "tags"), tags));
	json_decref(run);
	assert_int_equal(store_run_tags_set(s, 4242, tags, &err), IE_EUSAGE);
	assert_says(err.msg, path, "no run 4242");
	json_object_clear(tags);
	assert_int_equal(store_run_tags_set(s, id, tags, &err), 0);
	assert_int_equal(store_run_get(s, id, &run, &err), 0);
	assert_int_equal(json_object_size(json_object_get(run, "tags")), 0);
	json_decref(run);
	json_decref(tags);

	assert_int_equal(store_run_samples_get(s, id, &names, &texts, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "crass");
	assert_string_equal(texts[0], crass);
	assert_string_equal(names[1], "mmlu");
	assert_string_equal(texts[1], mmlu);
	assert_string_equal(names[2], "empty");
	assert_string_equal(texts[2], "");
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(texts[i]);
	}
	free(names);
	free(texts);
	assert_int_equal(store_run_samples_get(s, id2, &names, &texts, &n, &err), 0);
	assert_int_equal(n, 0);
	free(names);
	free(texts);
	assert_int_equal(store_run_samples_get(s, 4242, &names, &texts, &n, &err), IE_EUSAGE);
	store_close(s);
	json_decref(config);
	json_decref(model);
	json_decref(results);
	free(path);
}

/* A pid that was a process of ours and is no longer one. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void set_holder(const char *path, int64_t id, long pid, const char *host)
{
	struct strbuf sql = STRBUF_INIT;

	strbuf_addf(&sql, "UPDATE runs SET pid = %ld", pid);
	if (host)
		strbuf_addf(&sql, ", host = '%s'", host);
	strbuf_addf(&sql, " WHERE id = %lld", (long long)id);
	raw_exec(path, sql.buf);
	strbuf_release(&sql);
}

static void unfinished_runs_resume(void **state)
{
	char *path = tmp_path("resume.db");
	json_t *config = obj("{}"), *model = obj("{\"name\":\"m\"}");
	struct store_run_info info = { .key = "K", .command = "run", .config = config,
				       .model = model, .tasks = "mmlu" };
	struct ie_error err = { 0 };
	struct store *s = open_ok(path, 0);
	int64_t id1, id2, id3, got;
	int resumed;

	(void)state;
	assert_int_equal(store_run_begin(s, &info, &id1, &resumed, &err), 0);
	assert_int_equal(resumed, 0);
	/* Held by this live process: a second begin is a new run. */
	assert_int_equal(store_run_begin(s, &info, &id2, &resumed, &err), 0);
	assert_int_equal(resumed, 0);
	assert_true(id2 > id1);
	/* Both holders died: the newest is continued, with its samples. */
	assert_int_equal(store_run_samples(s, id2, "mmlu", "{}\n", 3, &err), 0);
	set_holder(path, id1, dead_pid(), NULL);
	set_holder(path, id2, dead_pid(), NULL);
	assert_int_equal(store_run_begin(s, &info, &got, &resumed, &err), 0);
	assert_int_equal(resumed, 1);
	assert_int_equal(got, id2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM samples"), 1);
	assert_int_equal(raw_int(path, "SELECT pid FROM runs ORDER BY id DESC LIMIT 1"), getpid());
	/* Another key is another command. */
	info.key = "K2";
	assert_int_equal(store_run_begin(s, &info, &id3, &resumed, &err), 0);
	assert_int_equal(resumed, 0);
	info.key = "K";

	/* A finished run is never continued, nor a failed one older than it. */
	assert_int_equal(store_run_end(s, id1, "failed", NULL, &err), 0);
	assert_int_equal(store_run_end(s, id2, "finished", NULL, &err), 0);
	assert_int_equal(store_run_begin(s, &info, &id3, &resumed, &err), 0);
	assert_int_equal(resumed, 0);
	assert_true(id3 > id2);
	/* A failed one is. */
	assert_int_equal(store_run_end(s, id3, "failed", NULL, &err), 0);
	assert_int_equal(store_run_begin(s, &info, &got, &resumed, &err), 0);
	assert_int_equal(resumed, 1);
	assert_int_equal(got, id3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM runs WHERE status = 'running' AND"
				       " finished IS NULL AND key = 'K'"),
			 1);
	/* A holder on another host cannot be asked, and counts as gone. */
	set_holder(path, id3, (long)getpid(), "some-other-host");
	assert_int_equal(store_run_begin(s, &info, &got, &resumed, &err), 0);
	assert_int_equal(resumed, 1);
	assert_int_equal(got, id3);
	store_close(s);
	json_decref(config);
	json_decref(model);
	free(path);
}

static void open_refuses_what_is_not_a_store(void **state)
{
	char *path;
	unsigned char junk[4096];
	struct stat st;
	struct store *s;
	struct ie_error err = { 0 };
	char text[600];
	struct ie_request r;
	int64_t size;

	(void)state;
	srand(7);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(rand() >> 7);
	path = tmp_path("random.bin");
	write_file(path, junk, sizeof(junk));
	open_refused(path, "not an SQLite database");
	/* Refused before SQLite could touch it. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, sizeof(junk));
	free(path);

	path = tmp_path("notes.txt");
	write_file(path, "these are my notes\nnot a database\n", 34);
	open_refused(path, "not an SQLite database");
	free(path);

	path = tmp_path("short.db");
	write_file(path, "SQLite format 3\0abc", 19);
	open_refused(path, "truncated");
	free(path);

	path = tmp_path("folder.db");
	assert_int_equal(mkdir(path, 0700), 0);
	open_refused(path, "folder");
	free(path);

	/* A store with pages enough to lose half of. */
	path = tmp_path("truncated.db");
	s = open_ok(path, 0);
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 2000; i++) {
		char key[32];

		snprintf(key, sizeof(key), "key-%d", i);
		text_request(&r, text, i, 1);
		store_cache_put(s, key, &r);
	}
	assert_int_equal(store_flush(s, &err), 0);
	store_close(s);
	{
		/* Closed properly, the log was checkpointed and removed: the
		 * file alone holds the data. */
		char *wal = xmalloc(strlen(path) + 5);

		memcpy(wal, path, strlen(path));
		memcpy(wal + strlen(path), "-wal", 5);
		assert_false(file_exists(wal));
		free(wal);
	}
	size = file_size(path);
	assert_true(size > 1000 * 1000);
	assert_int_equal(truncate(path, size / 2), 0);
	open_refused(path, "truncated");
	free(path);

	path = tmp_path("other.db");
	raw_exec(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)");
	open_refused(path, "another program");
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
	free(path);

	path = tmp_path("otherid.db");
	raw_exec(path, "PRAGMA application_id = 1234");
	open_refused(path, "another program");
	free(path);

	path = tmp_path("newer.db");
	store_close(open_ok(path, 0));
	raw_exec(path, "PRAGMA user_version = 2");
	open_refused(path, "version 2");
	free(path);
}

/* Pages of a table overwritten with garbage: the header is intact and
 * the file whole, so only SQLite's own checks can tell. */
static void damaged_pages_are_input_errors(void **state)
{
	char *path = tmp_path("pages.db");
	char text[300];
	struct ie_error err = { 0 };
	struct ie_request r, got;
	struct store *s = open_ok(path, 0);
	unsigned char junk[8192];
	int64_t page, size;
	int fd, ret;

	(void)state;
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 300; i++) {
		char key[32];

		snprintf(key, sizeof(key), "key-%d", i);
		text_request(&r, text, i, 1);
		store_cache_put(s, key, &r);
	}
	assert_int_equal(store_flush(s, &err), 0);
	store_close(s);
	page = raw_int(path, "PRAGMA page_size");
	size = file_size(path);
	memset(junk, 0xA5, sizeof(junk));
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	/* Every page but the first (the schema). */
	for (int64_t off = page; off < size; off += (int64_t)sizeof(junk)) {
		size_t n = size - off < (int64_t)sizeof(junk) ? (size_t)(size - off) : sizeof(junk);

		assert_int_equal(pwrite(fd, junk, n, (off_t)off), n);
	}
	close(fd);
	assert_int_equal(file_size(path), size);

	ret = store_open(path, 0, &s, &err);
	if (ret == 0) {
		memset(&got, 0, sizeof(got));
		ret = store_cache_get(s, "key-150", &got, &err);
		store_close(s);
	}
	assert_int_equal(ret, IE_EINPUT);
	assert_says(err.msg, path, "damaged");
	free(path);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void flush_waits_for_a_lock_then_keeps_the_queue(void **state)
{
	char *path = tmp_path("lock.db");
	char text[] = "t";
	struct ie_error err = { 0 };
	struct ie_request r, got;
	struct store *s = open_ok(path, 200);
	sqlite3 *other = NULL;
	double t0;

	(void)state;
	text_request(&r, text, 1, 1);
	for (int i = 0; i < 10; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		store_cache_put(s, key, &r);
	}
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other,
				      "BEGIN IMMEDIATE; INSERT INTO file_hashes VALUES"
				      " ('/x', 1, 2, 'abc')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	t0 = now_s();
	assert_int_equal(store_flush(s, &err), IE_EIO);
	assert_true(now_s() - t0 >= 0.15); /* it waited */
	assert_says(err.msg, path, "locked by another process");
	assert_int_equal(store_pending(s), 10);
	/* Readers are not blocked by the writer. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(store_cache_get(s, "k1", &got, &err), 0);
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(store_flush(s, &err), 0);
	assert_int_equal(store_pending(s), 0);
	store_close(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM requests"), 10);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM file_hashes"), 1);
	free(path);
}

#define N_KEYS 3000

struct writer {
	const char *path;
	int id;
	int failed;
	char msg[1024];
};

/* Writes N_KEYS distinct results in flushes of 50; 0 or -1 (msg set). */
static int write_many(struct writer *w)
{
	struct ie_error err = { 0 };
	struct store *s;
	double scores[2];
	struct ie_request r;

	if (store_open(w->path, 0, &s, &err) < 0)
		goto fail;
	for (int i = 0; i < N_KEYS; i++) {
		char key[48];

		snprintf(key, sizeof(key), "w%d-%d", w->id, i);
		scores[0] = -(double)i;
		scores[1] = (double)w->id;
		scores_request(&r, 2, scores, i);
		store_cache_put(s, key, &r);
		if (i % 50 == 49 && store_flush(s, &err) < 0) {
			store_close(s);
			goto fail;
		}
	}
	if (store_flush(s, &err) < 0) {
		store_close(s);
		goto fail;
	}
	store_close(s);
	return 0;
fail:
	snprintf(w->msg, sizeof(w->msg), "%s", err.msg);
	w->failed = 1;
	return -1;
}

static void *writer_thread(void *arg)
{
	write_many(arg);
	return NULL;
}

static void check_all_keys(const char *path, int n_writers, int first)
{
	struct ie_error err = { 0 };
	struct store *s = open_ok(path, 0);
	struct ie_request got;

	assert_int_equal(raw_int(path, "SELECT count(*) FROM requests"), n_writers * N_KEYS);
	for (int w = first; w < first + n_writers; w++) {
		for (int i = 0; i < N_KEYS; i += 499) {
			char key[48];

			snprintf(key, sizeof(key), "w%d-%d", w, i);
			memset(&got, 0, sizeof(got));
			got.n_candidates = 2;
			assert_int_equal(store_cache_get(s, key, &got, &err), 1);
			assert_true(got.res.scores[0] == -(double)i);
			assert_true(got.res.scores[1] == (double)w);
			assert_int_equal(got.res.n_prompt_tokens, i);
			release_res(&got);
		}
	}
	store_close(s);
}

static void concurrent_writers_threads(void **state)
{
	char *path = tmp_path("threads.db");
	struct writer w[2] = { { .path = path, .id = 0 }, { .path = path, .id = 1 } };
	pthread_t t[2];

	(void)state;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &w[i]), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		if (w[i].failed)
			fail_msg("writer %d: %s", i, w[i].msg);
	}
	check_all_keys(path, 2, 0);
	free(path);
}

/* Two processes that also make the store at once: the second one's
 * switch to WAL mode meets the first one's, which SQLite does not wait
 * for by itself. */
static void concurrent_writers_processes(void **state)
{
	char *path = tmp_path("procs.db");
	pid_t pids[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct writer w = { .path = path, .id = 10 + i };

			if (write_many(&w) < 0)
				fprintf(stderr, "writer %d: %s\n", w.id, w.msg);
			_exit(w.failed ? 1 : 0);
		}
	}
	for (int i = 0; i < 2; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	check_all_keys(path, 2, 10);
	free(path);
}

static void default_path_follows_xdg(void **state)
{
	(void)state;
	/* Computed once per process: only the first call's environment
	 * counts, so the test sets it before anything asks. */
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	assert_string_equal(store_default_path(), "/xdg/data/instructeval/store.db");
}

/* One rating as store_ratings_get gives it. */
static void assert_rating(const json_t *list, size_t i, const char *item, const char *rater,
			  int relevance, int coherence)
{
	const json_t *r = json_array_get(list, i);
	const json_t *rel = json_object_get(r, "relevance"), *coh = json_object_get(r, "coherence");

	assert_string_equal(json_string_value(json_object_get(r, "item")), item);
	assert_string_equal(json_string_value(json_object_get(r, "rater")), rater);
	assert_true(relevance ? json_integer_value(rel) == relevance : json_is_null(rel));
	assert_true(coherence ? json_integer_value(coh) == coherence : json_is_null(coh));
	assert_int_equal(strlen(json_string_value(json_object_get(r, "rated"))), 20);
}

/* Ratings are replaced per (run, item, rater), come back ordered by rater
 * then item, and a value outside 1-5 is an input error that stores
 * nothing, also inside a batch. A store made before the table existed
 * gets it on open. */
static void ratings_round_trip(void **state)
{
	char *path = tmp_path("ratings.db");
	json_t *config = obj("{}"), *model = obj("{\"file\":\"tiny.gguf\"}");
	struct store_run_info info = { .key = "k", .command = "run", .config = config,
				       .model = model, .tasks = "impact" };
	const struct store_rating batch[] = { { "c/0", "carol", 5, 5 }, { "c/1", "carol", 3, -1 } };
	struct ie_error err = { 0 };
	struct store *s = open_ok(path, 0);
	json_t *list;
	int64_t id, other;
	int resumed;

	(void)state;
	assert_int_equal(store_run_begin(s, &info, &id, &resumed, &err), 0);
	info.key = "k2";
	assert_int_equal(store_run_begin(s, &info, &other, &resumed, &err), 0);
	assert_int_equal(store_rating_put(s, id, "b/0", "bob", 1, 2, &err), 0);
	assert_int_equal(store_rating_put(s, id, "a/0", "alice", 4, 5, &err), 0);
	assert_int_equal(store_rating_put(s, id, "b/0", "alice", 2, 0, &err), 0);
	assert_int_equal(store_rating_put(s, id, "a/0", "alice", 3, 1, &err), 0);
	assert_int_equal(store_rating_put(s, other, "a/0", "alice", 5, 5, &err), 0);

	assert_int_equal(store_rating_put(s, id, "a/0", "alice", 6, 1, &err), IE_EINPUT);
	assert_says(err.msg, path, "refused");
	assert_int_equal(store_ratings_put_many(s, id, batch, 2, &err), IE_EINPUT);
	assert_int_equal(store_rating_put(s, 9999, "a/0", "alice", 1, 1, &err), IE_EUSAGE);
	assert_int_equal(store_ratings_get(s, 9999, &list, &err), IE_EUSAGE);
	assert_null(list);

	assert_int_equal(store_ratings_get(s, id, &list, &err), 0);
	assert_int_equal(json_array_size(list), 3);
	assert_rating(list, 0, "a/0", "alice", 3, 1);
	assert_rating(list, 1, "b/0", "alice", 2, 0);
	assert_rating(list, 2, "b/0", "bob", 1, 2);
	json_decref(list);
	store_close(s);

	/* As a store of the first schema version 1 had it: no ratings table. */
	raw_exec(path, "DROP TABLE ratings");
	s = open_ok(path, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'ratings'"),
			 1);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 1);
	assert_int_equal(store_ratings_get(s, id, &list, &err), 0);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(store_ratings_put_many(s, id, batch, 1, &err), 0);
	assert_int_equal(store_ratings_get(s, id, &list, &err), 0);
	assert_rating(list, 0, "c/0", "carol", 5, 5);
	json_decref(list);
	store_close(s);
	json_decref(config);
	json_decref(model);
	free(path);
}

static int setup(void **state)
{
	const char *base = getenv("IE_TEST_TMP");
	struct strbuf sb = STRBUF_INIT;
	struct ie_error err;

	(void)state;
	if (!base || !*base)
		base = "/tmp";
	if (file_mkdirs(base, &err) < 0)
		return -1;
	strbuf_addf(&sb, "%s/store.XXXXXX", base);
	if (!mkdtemp(sb.buf)) {
		strbuf_release(&sb);
		return -1;
	}
	tmp_root = strbuf_detach(&sb, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	file_remove_tree(tmp_root);
	free(tmp_root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_path_follows_xdg),
		cmocka_unit_test(open_creates_folder_and_reopens),
		cmocka_unit_test(hash_memo_keeps_digests),
		cmocka_unit_test(cache_round_trip_is_exact),
		cmocka_unit_test(unflushed_results_are_private),
		cmocka_unit_test(damaged_rows_are_errors),
		cmocka_unit_test(runs_round_trip),
		cmocka_unit_test(unfinished_runs_resume),
		cmocka_unit_test(open_refuses_what_is_not_a_store),
		cmocka_unit_test(damaged_pages_are_input_errors),
		cmocka_unit_test(flush_waits_for_a_lock_then_keeps_the_queue),
		cmocka_unit_test(concurrent_writers_threads),
		cmocka_unit_test(concurrent_writers_processes),
		cmocka_unit_test(ratings_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
