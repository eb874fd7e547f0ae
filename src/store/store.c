/*
 * The store on SQLite (see store.h). One connection per struct store, in
 * WAL mode so that readers never wait for the writer and a commit costs
 * one fsync of the log at most. Every write is an explicit BEGIN IMMEDIATE
 * transaction: taking the write lock up front means a writer waits in
 * SQLite's busy handler instead of failing halfway when it upgrades a read
 * lock. Before SQLite sees an existing file, its header is checked here,
 * because SQLite reports a foreign or truncated file only as "file is not
 * a database" or "malformed" at some later read, which tells the user
 * nothing about what to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* "IEv1" in PRAGMA application_id marks a file as ours, so that a store is
 * never mistaken for another program's database or the other way round. */
#define STORE_APP_ID 0x49457631
/* PRAGMA user_version: the schema below. A change that an older program
 * could not read raises it. */
#define STORE_SCHEMA_VERSION 1
#define DEFAULT_WAIT_MS 10000

/* People's ratings of a run's IMPACT answers. Added after schema version 1
 * without raising it (older programs never read the table), so store_open
 * also creates it in stores made before it existed. */
#define RATINGS_SQL                                                               \
	"CREATE TABLE IF NOT EXISTS ratings ("                                    \
	" run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"        \
	" item TEXT NOT NULL,"                                                    \
	" rater TEXT NOT NULL,"                                                   \
	" relevance INTEGER CHECK (relevance BETWEEN 1 AND 5),"                   \
	" coherence INTEGER CHECK (coherence BETWEEN 1 AND 5),"                   \
	" rated TEXT NOT NULL,"                                                   \
	" PRIMARY KEY (run_id, item, rater));"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS file_hashes ("
	" path TEXT PRIMARY KEY NOT NULL,"
	" size INTEGER NOT NULL,"
	" mtime_ns INTEGER NOT NULL,"
	" sha256 TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS requests ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" text TEXT,"
	" scores BLOB,"
	" n_prompt_tokens INTEGER NOT NULL,"
	" n_new_tokens INTEGER NOT NULL,"
	" bounds INTEGER NOT NULL DEFAULT 0,"
	" created TEXT NOT NULL,"
	" checksum TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" key TEXT NOT NULL,"
	" command TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed')),"
	" tasks TEXT NOT NULL,"
	" tags TEXT,"
	" config TEXT NOT NULL,"
	" model TEXT NOT NULL,"
	" results TEXT,"
	" pid INTEGER,"
	" host TEXT,"
	" started TEXT NOT NULL,"
	" finished TEXT,"
	" requests_sent INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS runs_by_key ON runs (key, id);"
	"CREATE TABLE IF NOT EXISTS run_tasks ("
	" run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" task TEXT NOT NULL,"
	" pos INTEGER NOT NULL,"
	" PRIMARY KEY (run_id, task));"
	"CREATE TABLE IF NOT EXISTS samples ("
	" run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" task TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" record TEXT NOT NULL,"
	" PRIMARY KEY (run_id, task, seq));"
	RATINGS_SQL;

/* A result waiting for the next flush: a copy, so that the request may be
 * released before then. */
struct pending {
	char *key;
	char *text;            /* NULL: the request had none */
	unsigned char *scores; /* little-endian doubles; NULL: none */
	size_t scores_len;
	int n_prompt_tokens;
	int n_new_tokens;
	unsigned bounds;
};

struct store {
	char *path;
	sqlite3 *db;
	int wait_ms;
	sqlite3_stmt *get_stmt; /* the hot paths, prepared once */
	sqlite3_stmt *put_stmt;
	struct pending *q;
	size_t nq, q_cap;
	int64_t run; /* the run begun last: flushed answers are counted as its sends */
};

const char *store_default_path(void)
{
	static char path[4096];
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (path[0])
		return path;
	/* The XDG spec says a relative $XDG_DATA_HOME is invalid: ignore it. */
	if (xdg && xdg[0] == '/') {
		snprintf(path, sizeof(path), "%s/instructeval/store.db", xdg);
		return path;
	}
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw && pw->pw_dir ? pw->pw_dir : ".";
	}
	snprintf(path, sizeof(path), "%s/.local/share/instructeval/store.db", home);
	return path;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

/*
 * Turns an SQLite failure into one of ours. Damage is the user's input
 * (IE_EINPUT: they must move the file away); a lock, a full disk or any
 * other failure is the machine's state (IE_EIO). Call it before anything
 * else touches the connection, which would replace sqlite3_errmsg.
 */
static int db_error(const struct store *s, int rc, const char *what, struct ie_error *err)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return ie_error_set(err, IE_EINPUT,
				    "store '%s' is damaged: %s (move it away to start a new one)",
				    s->path, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ie_error_set(err, IE_EIO,
				    "store '%s' is locked by another process (waited %g s)",
				    s->path, s->wait_ms / 1000.0);
	case SQLITE_FULL:
		return ie_error_set(err, IE_EIO,
				    "store '%s': the disk is full (%s: %s); free some space and "
				    "run again",
				    s->path, what, msg);
	case SQLITE_NOMEM:
		return ie_error_set(err, IE_ENOMEM, "store '%s': %s: out of memory", s->path,
				    what);
	default:
		return ie_error_set(err, IE_EIO, "store '%s': %s: %s", s->path, what, msg);
	}
}

static int exec_sql(struct store *s, const char *sql, const char *what, struct ie_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(s, rc, what, err);
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, const char *what,
		   struct ie_error *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : db_error(s, rc, what, err);
}

/* Ends a failed write transaction, if SQLite has not ended it already. */
static void rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int commit(struct store *s, const char *what, struct ie_error *err)
{
	int ret = exec_sql(s, "COMMIT", what, err);

	if (ret < 0)
		rollback(s);
	return ret;
}

static void utc_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int wal_has_data(const char *path)
{
	struct strbuf wal = STRBUF_INIT;
	struct stat st;
	int has;

	strbuf_addf(&wal, "%s-wal", path);
	has = stat(wal.buf, &st) == 0 && st.st_size > 0;
	strbuf_release(&wal);
	return has;
}

/*
 * One look at an existing file's header: 0 when it may be a store, 1 when
 * it looks truncated (*have and *want set), or an error. The page count in
 * the header is trusted only when bytes 24..27 equal 92..95, which SQLite
 * guarantees for every version that keeps it up to date.
 */
static int read_header(const char *path, int64_t *have, int64_t *want, struct ie_error *err)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[100];
	struct stat st;
	ssize_t n;
	uint32_t page_size;
	int fd, ret = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return ie_error_set(err, IE_EIO, "cannot read store '%s': %s", path,
				    strerror(errno));
	}
	n = read_full(fd, h, sizeof(h));
	if (n < 0 || fstat(fd, &st) < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot read store '%s': %s", path,
				   strerror(errno));
		goto out;
	}
	if (n == 0)
		goto out; /* empty: SQLite makes a new database of it */
	if ((size_t)n < sizeof(magic) || memcmp(h, magic, sizeof(magic))) {
		ret = ie_error_set(err, IE_EINPUT,
				   "store '%s' is not an SQLite database (it does not start with "
				   "the SQLite header)",
				   path);
		goto out;
	}
	if ((size_t)n < sizeof(h)) {
		ret = ie_error_set(err, IE_EINPUT,
				   "store '%s' is truncated (%zd of at least 100 bytes)", path, n);
		goto out;
	}
	page_size = (uint32_t)h[16] << 8 | h[17];
	if (page_size == 1)
		page_size = 65536;
	if (page_size < 512 || (page_size & (page_size - 1))) {
		ret = ie_error_set(err, IE_EINPUT,
				   "store '%s' is damaged: its header gives page size %u (move "
				   "it away to start a new one)",
				   path, page_size);
		goto out;
	}
	if (!memcmp(h + 24, h + 92, 4)) {
		*want = (int64_t)be32(h + 28) * page_size;
		*have = (int64_t)st.st_size;
		ret = *want > *have;
	}
out:
	close(fd);
	return ret;
}

/*
 * Checks an existing file before SQLite opens it. A file shorter than its
 * header says is legitimate while pages are still in the -wal file (a
 * checkpoint writes page 1 first, then the rest, and a crash can stop it
 * there): then SQLite's recovery decides. Without a -wal file the check
 * is repeated once, since a checkpoint that ended between our reads of the
 * header and of the -wal file leaves no trace but a complete file.
 */
static int check_file(const char *path, struct ie_error *err)
{
	struct stat st;
	int64_t have = 0, want = 0;
	int ret = 0;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : ie_error_set(err, IE_EIO, "cannot read store '%s': %s",
						      path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ie_error_set(err, IE_EINPUT, "store '%s' is a folder, not a file", path);
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((ret = read_header(path, &have, &want, err)) <= 0 || wal_has_data(path))
			return ret < 0 ? ret : 0;
	}
	return ie_error_set(err, IE_EINPUT, "store '%s' is truncated (%lld of %lld bytes)", path,
			    (long long)have, (long long)want);
}

/* Refuses a database that is not ours or is newer than this program.
 * One statement, so that the three values come from one snapshot even
 * while another process creates the schema. */
static int check_identity(struct store *s, int *fresh, struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;
	int64_t n_tables, app_id, version;

	ret = prepare(s,
		      "SELECT (SELECT count(*) FROM sqlite_schema), a.application_id,"
		      " u.user_version FROM pragma_application_id a, pragma_user_version u",
		      &st, "cannot read the schema", err);
	if (ret < 0)
		goto out;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		ret = db_error(s, rc, "cannot read the schema", err);
		goto out;
	}
	n_tables = sqlite3_column_int64(st, 0);
	app_id = sqlite3_column_int64(st, 1);
	version = sqlite3_column_int64(st, 2);
	if ((app_id != 0 && app_id != STORE_APP_ID) || (app_id == 0 && n_tables > 0)) {
		ret = ie_error_set(err, IE_EINPUT,
				   "'%s' is an SQLite database of another program, not an "
				   "instructeval store",
				   s->path);
		goto out;
	}
	if (version > STORE_SCHEMA_VERSION) {
		ret = ie_error_set(err, IE_EINPUT,
				   "store '%s' has schema version %lld, newer than version %d "
				   "that this instructeval reads (use a newer instructeval)",
				   s->path, (long long)version, STORE_SCHEMA_VERSION);
		goto out;
	}
	*fresh = app_id == 0;
out:
	sqlite3_finalize(st);
	return ret;
}

static int set_wal(struct store *s, struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc, ret;

	if ((ret = prepare(s, "PRAGMA journal_mode=WAL", &st, "cannot set WAL mode", err)) < 0)
		goto out;
	/* Two processes making a new store at once both ask for WAL mode;
	 * SQLite answers the second SQLITE_BUSY without waiting (it holds a
	 * read lock while it asks for the write lock, which waiting could
	 * deadlock), so the wait is done here, between whole attempts. */
	for (int waited = 0;; waited += 10) {
		rc = sqlite3_step(st);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= s->wait_ms)
			break;
		sqlite3_reset(st);
		sqlite3_sleep(10);
	}
	if (rc != SQLITE_ROW) {
		ret = db_error(s, rc, "cannot set WAL mode", err);
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	/* Without WAL, readers would block the writer; SQLite refuses WAL on
	 * file systems without shared memory (network mounts). */
	if (!mode || strcmp(mode, "wal"))
		ret = ie_error_set(err, IE_EIO,
				   "store '%s' cannot use a write-ahead log (journal mode stays "
				   "'%s'); keep the store on a local file system",
				   s->path, mode ? mode : "?");
out:
	sqlite3_finalize(st);
	return ret;
}

static int create_schema(struct store *s, struct ie_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;

	if ((ret = exec_sql(s, "BEGIN IMMEDIATE", "cannot create the schema", err)) < 0)
		goto out;
	strbuf_adds(&sql, schema_sql);
	strbuf_addf(&sql, "PRAGMA application_id=%d;PRAGMA user_version=%d;", STORE_APP_ID,
		    STORE_SCHEMA_VERSION);
	if ((ret = exec_sql(s, sql.buf, "cannot create the schema", err)) < 0) {
		rollback(s);
		goto out;
	}
	ret = commit(s, "cannot create the schema", err);
out:
	strbuf_release(&sql);
	return ret;
}

/* Gives a store made before the ratings table existed the table. The
 * look comes first so that opening a current store takes no write lock. */
static int add_ratings_table(struct store *s, struct ie_error *err)
{
	const char *what = "cannot add the ratings table";
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if ((ret = prepare(s, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND"
			   " name = 'ratings'", &st, what, err)) < 0)
		return ret;
	rc = sqlite3_step(st);
	ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(s, rc, what, err);
	sqlite3_finalize(st);
	if (ret < 0 || rc == SQLITE_ROW)
		return ret;
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE", what, err)) < 0)
		return ret;
	if ((ret = exec_sql(s, RATINGS_SQL, what, err)) < 0) {
		rollback(s);
		return ret;
	}
	return commit(s, what, err);
}

int store_open(const char *path, int wait_ms, struct store **out, struct ie_error *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int rc, ret, fresh = 0;

	*out = NULL;
	s->path = xstrdup(path);
	s->wait_ms = wait_ms > 0 ? wait_ms : DEFAULT_WAIT_MS;
	if ((ret = check_file(path, err)) < 0 || (ret = file_mkdirs_parent(path, err)) < 0)
		goto out;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		ret = db_error(s, rc, "cannot open", err);
		goto out;
	}
	sqlite3_busy_timeout(s->db, s->wait_ms);
	if ((ret = check_identity(s, &fresh, err)) < 0)
		goto out;
	if ((ret = set_wal(s, err)) < 0 ||
	    (ret = exec_sql(s, "PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON",
			    "cannot configure the connection", err)) < 0)
		goto out;
	/* A store made by this version needs no schema transaction, and so
	 * opens without waiting for another process's write lock. */
	if (fresh && (ret = create_schema(s, err)) < 0)
		goto out;
	if (!fresh && (ret = add_ratings_table(s, err)) < 0)
		goto out;
	if ((ret = prepare(s,
			   "SELECT text, scores, n_prompt_tokens, n_new_tokens, created,"
			   " checksum, bounds FROM requests WHERE key = ?1",
			   &s->get_stmt, "cannot read cached requests", err)) < 0 ||
	    (ret = prepare(s,
			   "INSERT OR IGNORE INTO requests (key, text, scores, n_prompt_tokens,"
			   " n_new_tokens, created, checksum, bounds) VALUES (?1, ?2, ?3, ?4, ?5,"
			   " ?6, ?7, ?8)",
			   &s->put_stmt, "cannot write cached requests", err)) < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	store_close(s);
	return ret;
}

static void pending_release(struct pending *p)
{
	free(p->key);
	free(p->text);
	free(p->scores);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->db && s->put_stmt)
		store_flush(s, NULL);
	sqlite3_finalize(s->get_stmt);
	sqlite3_finalize(s->put_stmt);
	/* The last connection to close checkpoints the log into the file and
	 * removes it. */
	sqlite3_close(s->db);
	for (size_t i = 0; i < s->nq; i++)
		pending_release(&s->q[i]);
	free(s->q);
	free(s->path);
	free(s);
}

/* ---- file hashes ---- */

int store_hash_get(struct store *s, const char *path, int64_t size, int64_t mtime_ns,
		   char sha[65], struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *what = "cannot read file hashes";
	int rc, ret;

	if ((ret = prepare(s,
			   "SELECT sha256 FROM file_hashes WHERE path = ?1 AND size = ?2 AND"
			   " mtime_ns = ?3",
			   &st, what, err)) < 0)
		goto out;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime_ns);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (!v || strlen(v) != 64 || strspn(v, "0123456789abcdef") != 64) {
			ret = ie_error_set(err, IE_EINPUT,
					   "store '%s' is damaged: the hash of '%s' is not a "
					   "sha256 (move it away to start a new one)",
					   s->path, path);
			goto out;
		}
		memcpy(sha, v, 65);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = db_error(s, rc, what, err);
	}
out:
	sqlite3_finalize(st);
	return ret;
}

int store_hash_put(struct store *s, const char *path, int64_t size, int64_t mtime_ns,
		   const char *sha, struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *what = "cannot write file hashes";
	int rc, ret;

	if ((ret = prepare(s,
			   "INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, sha256)"
			   " VALUES (?1, ?2, ?3, ?4)",
			   &st, what, err)) < 0)
		goto out;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime_ns);
	sqlite3_bind_text(st, 4, sha, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		ret = db_error(s, rc, what, err);
out:
	sqlite3_finalize(st);
	return ret;
}

/* ---- the request cache ---- */

/*
 * The check of a cached row: sha256 over the key and every stored field,
 * each as a tag, its length (8 bytes little-endian) and its bytes, so that
 * no two rows encode alike (NULL text differs from empty text). A row
 * changed by anything but this file no longer matches.
 */
static void hash_field(struct sha256 *h, char tag, const void *data, size_t len)
{
	unsigned char n[8];

	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)((uint64_t)len >> (8 * i));
	sha256_update(h, &tag, 1);
	sha256_update(h, n, sizeof(n));
	if (len)
		sha256_update(h, data, len);
}

static void row_check(const char *key, const char *text, size_t text_len,
		      const unsigned char *scores, size_t scores_len, int64_t n_prompt,
		      int64_t n_new, int64_t bounds, const char *created, char hex[65])
{
	struct sha256 h;
	char num[3][24];

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)n_prompt);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)n_new);
	sha256_init(&h);
	sha256_update(&h, "instructeval request v1", 23);
	hash_field(&h, 'k', key, strlen(key));
	if (text)
		hash_field(&h, 't', text, text_len);
	else
		hash_field(&h, 'T', NULL, 0);
	if (scores)
		hash_field(&h, 's', scores, scores_len);
	else
		hash_field(&h, 'S', NULL, 0);
	hash_field(&h, 'p', num[0], strlen(num[0]));
	hash_field(&h, 'n', num[1], strlen(num[1]));
	hash_field(&h, 'c', created, strlen(created));
	/* Only when set, so that rows without bounds keep the check they had. */
	if (bounds) {
		snprintf(num[2], sizeof(num[2]), "%lld", (long long)bounds);
		hash_field(&h, 'b', num[2], strlen(num[2]));
	}
	sha256_final_hex(&h, hex);
}

static int damaged_row(const struct store *s, const char *key, const char *why,
		       struct ie_error *err)
{
	return ie_error_set(err, IE_EINPUT,
			    "store '%s' is damaged: cached request %s %s (move it away to start "
			    "a new one)",
			    s->path, key, why);
}

int store_cache_get(struct store *s, const char *key, struct ie_request *r,
		    struct ie_error *err)
{
	sqlite3_stmt *st = s->get_stmt;
	const char *what = "cannot read cached requests";
	const char *text = NULL, *created, *check;
	const unsigned char *blob = NULL;
	size_t text_len = 0, blob_len = 0;
	int64_t n_prompt, n_new, bounds;
	char want[65];
	int rc, ret = 0;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW) {
		ret = db_error(s, rc, what, err);
		goto out;
	}
	/* The pointers are valid until the statement is reset, at out. */
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		text = (const char *)sqlite3_column_text(st, 0);
		text_len = (size_t)sqlite3_column_bytes(st, 0);
	}
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		blob = sqlite3_column_blob(st, 1);
		blob_len = (size_t)sqlite3_column_bytes(st, 1);
		if (!blob)
			blob = (const unsigned char *)""; /* an empty blob, not NULL */
	}
	n_prompt = sqlite3_column_int64(st, 2);
	n_new = sqlite3_column_int64(st, 3);
	created = (const char *)sqlite3_column_text(st, 4);
	check = (const char *)sqlite3_column_text(st, 5);
	bounds = sqlite3_column_int64(st, 6);
	row_check(key, text, text_len, blob, blob_len, n_prompt, n_new, bounds,
		  created ? created : "", want);
	if (!check || strcmp(check, want)) {
		ret = damaged_row(s, key, "does not match its check", err);
		goto out;
	}
	/* A generation's continuation scores may be missing (a server that
	 * gave none): then none, and not a damaged row. */
	if (!(r->kind == IE_REQ_GENERATE && !blob) &&
	    ((blob ? blob_len : 0) != 8 * r->n_candidates || (r->n_candidates && !blob))) {
		ret = damaged_row(s, key, "has a different number of scores than candidates", err);
		goto out;
	}
	if (n_prompt < 0 || n_prompt > INT_MAX || n_new < 0 || n_new > INT_MAX) {
		ret = damaged_row(s, key, "has an impossible token count", err);
		goto out;
	}
	free(r->res.text);
	free(r->res.scores);
	free(r->res.error);
	memset(&r->res, 0, sizeof(r->res));
	r->res.text = text ? xstrndup(text, text_len) : NULL;
	if (r->n_candidates && blob) {
		r->res.scores = xcalloc(r->n_candidates, sizeof(double));
		for (size_t i = 0; i < r->n_candidates; i++) {
			uint64_t bits = 0;
			double d;

			for (int b = 7; b >= 0; b--)
				bits = bits << 8 | blob[8 * i + (size_t)b];
			memcpy(&d, &bits, sizeof(d));
			r->res.scores[i] = d;
		}
	}
	r->res.n_prompt_tokens = (int)n_prompt;
	r->res.n_new_tokens = (int)n_new;
	r->res.bounds = (unsigned)bounds;
	r->res.cached = 1;
	ret = 1;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

void store_cache_put(struct store *s, const char *key, const struct ie_request *r)
{
	struct pending *p;

	if (r->res.status != 0)
		return;
	XGROW(s->q, s->q_cap, s->nq + 1);
	p = &s->q[s->nq++];
	memset(p, 0, sizeof(*p));
	p->key = xstrdup(key);
	p->text = r->res.text ? xstrdup(r->res.text) : NULL;
	if (r->res.scores && r->n_candidates) {
		p->scores_len = 8 * r->n_candidates;
		p->scores = xmalloc(p->scores_len);
		/* Byte by byte, so that a store moves between machines of either
		 * byte order. */
		for (size_t i = 0; i < r->n_candidates; i++) {
			uint64_t bits;

			memcpy(&bits, &r->res.scores[i], sizeof(bits));
			for (int b = 0; b < 8; b++)
				p->scores[8 * i + (size_t)b] = (unsigned char)(bits >> (8 * b));
		}
	}
	p->n_prompt_tokens = r->res.n_prompt_tokens;
	p->n_new_tokens = r->res.n_new_tokens;
	p->bounds = r->res.bounds;
}

size_t store_pending(const struct store *s)
{
	return s->nq;
}

static int count_sent(struct store *s, const char *what, struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if ((ret = prepare(s, "UPDATE runs SET requests_sent = requests_sent + ?1 WHERE id = ?2",
			   &st, what, err)) < 0)
		return ret;
	sqlite3_bind_int64(st, 1, (int64_t)s->nq);
	sqlite3_bind_int64(st, 2, s->run);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		ret = db_error(s, rc, what, err);
	sqlite3_finalize(st);
	return ret;
}

int store_flush(struct store *s, struct ie_error *err)
{
	sqlite3_stmt *st = s->put_stmt;
	const char *what = "cannot commit cached requests";
	char created[32], check[65];
	int rc, ret;

	if (!s->nq)
		return 0;
	utc_now(created);
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE", what, err)) < 0)
		return ret;
	for (size_t i = 0; i < s->nq; i++) {
		const struct pending *p = &s->q[i];
		size_t text_len = p->text ? strlen(p->text) : 0;

		row_check(p->key, p->text, text_len, p->scores, p->scores_len, p->n_prompt_tokens,
			  p->n_new_tokens, p->bounds, created, check);
		sqlite3_bind_text(st, 1, p->key, -1, SQLITE_STATIC);
		if (p->text)
			sqlite3_bind_text64(st, 2, p->text, text_len, SQLITE_STATIC, SQLITE_UTF8);
		else
			sqlite3_bind_null(st, 2);
		if (p->scores)
			sqlite3_bind_blob64(st, 3, p->scores, p->scores_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_int(st, 4, p->n_prompt_tokens);
		sqlite3_bind_int(st, 5, p->n_new_tokens);
		sqlite3_bind_text(st, 6, created, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, check, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, (int64_t)p->bounds);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			ret = db_error(s, rc, what, err);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (ret < 0) {
			rollback(s);
			return ret;
		}
	}
	/* Counted in the same transaction as the answers: summed over a run's
	 * attempts, it says how many requests the model answered for it. */
	if (s->run > 0 && (ret = count_sent(s, what, err)) < 0) {
		rollback(s);
		return ret;
	}
	if ((ret = commit(s, what, err)) < 0)
		return ret;
	for (size_t i = 0; i < s->nq; i++)
		pending_release(&s->q[i]);
	s->nq = 0;
	return 0;
}

/* ---- runs ---- */

static char *dump_json(const json_t *v)
{
	/* Full precision: what is stored is what was given, and printing it
	 * again with fewer digits gives the same text as printing the
	 * original would. */
	size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
	char *text = v ? json_dumps(v, flags) : NULL;

	return text ? text : xstrdup("null");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Whether the process that holds a running run is still alive. Only a
 * process on this host can be asked; one elsewhere counts as gone (a
 * store on a shared file system is not what SQLite's locking is for). */
static int holder_alive(sqlite3_stmt *st, int pid_col, int host_col, const char *host)
{
	const char *h = (const char *)sqlite3_column_text(st, host_col);
	int64_t pid = sqlite3_column_int64(st, pid_col);

	if (!h || strcmp(h, host) || pid <= 0 || pid > INT_MAX)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* This machine's name, as runs record their holder's. */
static const char *this_host(void)
{
	static char host[256];

	if (!host[0] && gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	return host;
}

int store_run_begin(struct store *s, const struct store_run_info *info, int64_t *id,
		    int *resumed, struct ie_error *err)
{
	const char *what = "cannot start a run";
	sqlite3_stmt *st = NULL;
	const char *host = this_host();
	char now[32];
	char *config = dump_json(info->config), *model = dump_json(info->model);
	int64_t found = 0;
	int rc, ret, resume = 0;

	*resumed = 0;
	utc_now(now);
	/* One write transaction from the search to the claim, so that two
	 * processes started at once cannot both take the same run. */
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE", what, err)) < 0)
		goto out;
	/* A run that finished later than a failed one with the same key made
	 * the failed one history: only what came after the newest finished
	 * run is continued. */
	if ((ret = prepare(s,
			   "SELECT id, status, pid, host FROM runs WHERE key = ?1 AND status IN"
			   " ('running', 'failed') AND id > coalesce((SELECT max(id) FROM runs"
			   " WHERE key = ?1 AND status = 'finished'), 0) ORDER BY id DESC",
			   &st, what, err)) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, info->key, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 1);

		if ((status && !strcmp(status, "failed")) || !holder_alive(st, 2, 3, host)) {
			found = sqlite3_column_int64(st, 0);
			resume = 1;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = db_error(s, rc, what, err);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (resume)
		ret = prepare(s,
			      "UPDATE runs SET status = 'running', command = ?2, tasks = ?3,"
			      " tags = ?4, config = ?5, model = ?6, results = NULL, pid = ?7,"
			      " host = ?8, finished = NULL WHERE id = ?1",
			      &st, what, err);
	else
		ret = prepare(s,
			      "INSERT INTO runs (key, command, status, tasks, tags, config, model,"
			      " pid, host, started) VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7,"
			      " ?8, ?9)",
			      &st, what, err);
	if (ret < 0)
		goto fail;
	if (resume)
		sqlite3_bind_int64(st, 1, found);
	else
		sqlite3_bind_text(st, 1, info->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, info->command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, info->tasks ? info->tasks : "", -1, SQLITE_STATIC);
	bind_text_or_null(st, 4, info->tags);
	sqlite3_bind_text(st, 5, config, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, model, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (int64_t)getpid());
	sqlite3_bind_text(st, 8, host, -1, SQLITE_STATIC);
	if (!resume)
		sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		ret = db_error(s, rc, what, err);
		goto fail;
	}
	if (!resume)
		found = sqlite3_last_insert_rowid(s->db);
	s->run = found;
	sqlite3_finalize(st);
	st = NULL;
	if ((ret = commit(s, what, err)) < 0)
		goto out;
	*id = found;
	*resumed = resume;
	goto out;
fail:
	rollback(s);
out:
	sqlite3_finalize(st);
	free(config);
	free(model);
	return ret;
}

static int no_run(const struct store *s, int64_t id, struct ie_error *err)
{
	return ie_error_set(err, IE_EUSAGE, "no run %lld in store '%s'", (long long)id, s->path);
}

/* 1 when run id exists, 0 when not, or an error. */
static int run_exists(struct store *s, int64_t id, const char *what, struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret;

	if ((ret = prepare(s, "SELECT 1 FROM runs WHERE id = ?1", &st, what, err)) < 0)
		return ret;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_error(s, rc, what, err);
	sqlite3_finalize(st);
	return ret;
}

struct store_samples {
	struct store *s;
	sqlite3_stmt *ins;
	char *task;
	int64_t seq;
};

static const char samples_what[] = "cannot store samples";

/* Clears task's records of run id and registers the task, inside the
 * transaction the writer holds. */
static int samples_clear(struct store *s, int64_t id, const char *task, struct ie_error *err)
{
	sqlite3_stmt *del = NULL, *pos = NULL;
	int rc, ret;

	if ((ret = prepare(s, "DELETE FROM samples WHERE run_id = ?1 AND task = ?2", &del,
			   samples_what, err)) < 0 ||
	    (ret = prepare(s,
			   "INSERT OR IGNORE INTO run_tasks (run_id, task, pos) VALUES (?1, ?2,"
			   " (SELECT coalesce(max(pos), 0) + 1 FROM run_tasks WHERE run_id = ?1))",
			   &pos, samples_what, err)) < 0)
		goto out;
	sqlite3_bind_int64(del, 1, id);
	sqlite3_bind_text(del, 2, task, -1, SQLITE_STATIC);
	sqlite3_bind_int64(pos, 1, id);
	sqlite3_bind_text(pos, 2, task, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(del)) != SQLITE_DONE || (rc = sqlite3_step(pos)) != SQLITE_DONE)
		ret = db_error(s, rc, samples_what, err);
out:
	sqlite3_finalize(del);
	sqlite3_finalize(pos);
	return ret;
}

int store_samples_begin(struct store *s, int64_t id, const char *task,
			struct store_samples **out, struct ie_error *err)
{
	struct store_samples *w;
	int ret;

	*out = NULL;
	if ((ret = exec_sql(s, "BEGIN IMMEDIATE", samples_what, err)) < 0)
		return ret;
	if ((ret = run_exists(s, id, samples_what, err)) <= 0) {
		if (ret == 0)
			ret = no_run(s, id, err);
		rollback(s);
		return ret;
	}
	w = xcalloc(1, sizeof(*w));
	w->s = s;
	w->task = xstrdup(task);
	if ((ret = samples_clear(s, id, task, err)) < 0 ||
	    (ret = prepare(s, "INSERT INTO samples (run_id, task, seq, record) VALUES (?1, ?2, ?3,"
			      " ?4)", &w->ins, samples_what, err)) < 0) {
		store_samples_abort(w);
		return ret;
	}
	sqlite3_bind_int64(w->ins, 1, id);
	sqlite3_bind_text(w->ins, 2, w->task, -1, SQLITE_STATIC);
	*out = w;
	return 0;
}

int store_samples_put(struct store_samples *w, const char *line, size_t len,
		      struct ie_error *err)
{
	int rc;

	if (len > INT_MAX)
		return ie_error_set(err, IE_EEVAL, "store '%s': a sample of %s is too long",
				    w->s->path, w->task);
	sqlite3_bind_int64(w->ins, 3, w->seq++);
	sqlite3_bind_text(w->ins, 4, line, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(w->ins);
	sqlite3_reset(w->ins);
	return rc == SQLITE_DONE ? 0 : db_error(w->s, rc, samples_what, err);
}

static void samples_free(struct store_samples *w)
{
	sqlite3_finalize(w->ins);
	free(w->task);
	free(w);
}

int store_samples_commit(struct store_samples *w, struct ie_error *err)
{
	struct store *s = w->s;

	samples_free(w);
	return commit(s, samples_what, err);
}

void store_samples_abort(struct store_samples *w)
{
	if (!w)
		return;
	rollback(w->s);
	samples_free(w);
}

int store_run_samples(struct store *s, int64_t id, const char *task, const char *jsonl,
		      size_t len, struct ie_error *err)
{
	const char *p = jsonl, *end = jsonl + len;
	struct store_samples *w;
	int ret;

	if ((ret = store_samples_begin(s, id, task, &w, err)) < 0)
		return ret;
	/* One row per line, without its newline; store_run_samples_get puts
	 * the newlines back, so a text of whole lines comes back as given. */
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		ret = store_samples_put(w, p, n, err);
		p += n + (nl != NULL);
	}
	if (ret < 0) {
		store_samples_abort(w);
		return ret;
	}
	return store_samples_commit(w, err);
}

/* Runs st, an UPDATE of run id's row: IE_EUSAGE when there is no such run. */
static int step_run_update(struct store *s, sqlite3_stmt *st, int64_t id, const char *what,
			   struct ie_error *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return db_error(s, rc, what, err);
	return sqlite3_changes(s->db) == 0 ? no_run(s, id, err) : 0;
}

int store_run_end(struct store *s, int64_t id, const char *status, const json_t *results,
		  struct ie_error *err)
{
	const char *what = "cannot end the run";
	sqlite3_stmt *st = NULL;
	char *text = NULL, now[32];
	int ret;

	if (strcmp(status, "finished") && strcmp(status, "failed"))
		return ie_error_set(err, IE_EUSAGE, "a run ends 'finished' or 'failed', not '%s'",
				    status);
	if (results)
		text = dump_json(results);
	utc_now(now);
	if ((ret = prepare(s,
			   "UPDATE runs SET status = ?2, results = ?3, finished = ?4 WHERE"
			   " id = ?1",
			   &st, what, err)) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, text);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	ret = step_run_update(s, st, id, what, err);
out:
	sqlite3_finalize(st);
	free(text);
	return ret;
}

int store_run_tags_set(struct store *s, int64_t id, const json_t *tags, struct ie_error *err)
{
	const char *what = "cannot change the run's tags";
	sqlite3_stmt *st = NULL;
	char *text = json_object_size(tags) ? dump_json(tags) : NULL;
	int ret;

	if ((ret = prepare(s, "UPDATE runs SET tags = ?2 WHERE id = ?1", &st, what, err)) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	bind_text_or_null(st, 2, text);
	ret = step_run_update(s, st, id, what, err);
out:
	sqlite3_finalize(st);
	free(text);
	return ret;
}

/* A text column as a JSON string (null for NULL). Text that is not UTF-8
 * (a tag given in another encoding) is repaired rather than dropped. */
static json_t *col_string(sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	size_t n = (size_t)sqlite3_column_bytes(st, col);
	json_t *j;
	char *fixed;

	if (sqlite3_column_type(st, col) == SQLITE_NULL || !v)
		return json_null();
	if ((j = json_stringn(v, n)))
		return j;
	fixed = utf8_repair(v, n);
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_null();
}

/* A JSON column parsed (null for NULL); text that does not parse is
 * damage. */
static int col_json(const struct store *s, sqlite3_stmt *st, int col, int64_t id,
		    const char *name, json_t **out, struct ie_error *err)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	json_error_t jerr;

	*out = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL || !v) {
		*out = json_null();
		return 0;
	}
	*out = json_loadb(v, (size_t)sqlite3_column_bytes(st, col), JSON_DECODE_ANY, &jerr);
	if (*out)
		return 0;
	return ie_error_set(err, IE_EINPUT,
			    "store '%s' is damaged: the %s of run %lld is not JSON (%s) (move it "
			    "away to start a new one)",
			    s->path, name, (long long)id, jerr.text);
}

/* The tags column: a JSON object of key=value tags. Anything else there
 * (a store written before tags were pairs) is kept as one "tags" value
 * rather than lost. */
static json_t *col_tags(sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	json_t *j, *text;

	if (sqlite3_column_type(st, col) == SQLITE_NULL || !v)
		return json_object();
	j = json_loadb(v, (size_t)sqlite3_column_bytes(st, col), 0, NULL);
	if (json_is_object(j))
		return j;
	json_decref(j);
	text = col_string(st, col);
	j = json_object();
	json_object_set_new(j, "tags", text);
	return j;
}

#define RUN_COLUMNS                                                                   \
	"id, key, command, status, tasks, tags, model, started, finished, results, config," \
	" requests_sent, pid, host"

/* The object of one runs row selected with RUN_COLUMNS; full adds config
 * and the whole results document. */
static int run_object(const struct store *s, sqlite3_stmt *st, int full, json_t **out,
		      struct ie_error *err)
{
	int64_t id = sqlite3_column_int64(st, 0);
	json_t *o = json_object(), *model = NULL, *results = NULL, *config = NULL;
	int ret;

	*out = NULL;
	if ((ret = col_json(s, st, 6, id, "model", &model, err)) < 0 ||
	    (ret = col_json(s, st, 9, id, "results", &results, err)) < 0 ||
	    (full && (ret = col_json(s, st, 10, id, "config", &config, err)) < 0))
		goto out;
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "key", col_string(st, 1));
	json_object_set_new(o, "command", col_string(st, 2));
	json_object_set_new(o, "status", col_string(st, 3));
	json_object_set_new(o, "tasks", col_string(st, 4));
	json_object_set_new(o, "tags", col_tags(st, 5));
	json_object_set(o, "model", model);
	json_object_set_new(o, "started", col_string(st, 7));
	json_object_set_new(o, "finished", col_string(st, 8));
	json_object_set_new(o, "requests_sent", json_integer(sqlite3_column_int64(st, 11)));
	/* A run still "running" whose process is gone was killed: say so. */
	if (!strcmp(json_string_value(json_object_get(o, "status")), "running") &&
	    !holder_alive(st, 12, 13, this_host()))
		json_object_set_new(o, "status", json_string("stopped"));
	if (json_is_object(json_object_get(results, "scores")))
		json_object_set(o, "scores", json_object_get(results, "scores"));
	else
		json_object_set_new(o, "scores", json_null());
	if (full) {
		json_object_set(o, "config", config);
		json_object_set(o, "results", results);
	}
	*out = o;
	o = NULL;
out:
	json_decref(o);
	json_decref(model);
	json_decref(results);
	json_decref(config);
	return ret;
}

int store_runs_list(struct store *s, json_t **runs, struct ie_error *err)
{
	const char *what = "cannot list runs";
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int rc, ret;

	*runs = NULL;
	if ((ret = prepare(s, "SELECT " RUN_COLUMNS " FROM runs ORDER BY id DESC", &st, what,
			   err)) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o;

		if ((ret = run_object(s, st, 0, &o, err)) < 0)
			goto out;
		json_array_append_new(list, o);
	}
	if (rc != SQLITE_DONE) {
		ret = db_error(s, rc, what, err);
		goto out;
	}
	*runs = list;
	list = NULL;
out:
	sqlite3_finalize(st);
	json_decref(list);
	return ret;
}

int store_run_get(struct store *s, int64_t id, json_t **run, struct ie_error *err)
{
	const char *what = "cannot read the run";
	sqlite3_stmt *st = NULL;
	int rc, ret;

	*run = NULL;
	if ((ret = prepare(s, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", &st, what,
			   err)) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = run_object(s, st, 1, run, err);
	else if (rc == SQLITE_DONE)
		ret = no_run(s, id, err);
	else
		ret = db_error(s, rc, what, err);
out:
	sqlite3_finalize(st);
	return ret;
}

int store_run_samples_get(struct store *s, int64_t id, char ***names, char ***texts, size_t *n,
			  struct ie_error *err)
{
	const char *what = "cannot read samples";
	sqlite3_stmt *st = NULL;
	char **nv = NULL, **tv = NULL;
	size_t count = 0, cap = 0, tcap = 0;
	struct strbuf sb = STRBUF_INIT;
	int rc, ret;

	*names = *texts = NULL;
	*n = 0;
	/* One statement, so that all tasks come from one snapshot even while
	 * the run goes on in another process. */
	if ((ret = prepare(s,
			   "SELECT t.task, s.record, t.run_id FROM runs r"
			   " LEFT JOIN run_tasks t ON t.run_id = r.id"
			   " LEFT JOIN samples s ON s.run_id = t.run_id AND s.task = t.task"
			   " WHERE r.id = ?1 ORDER BY t.pos, s.seq",
			   &st, what, err)) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		ret = no_run(s, id, err);
		goto out;
	}
	for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		const char *task = (const char *)sqlite3_column_text(st, 0);

		if (sqlite3_column_type(st, 2) == SQLITE_NULL || !task)
			continue; /* the run has no tasks yet */
		if (!count || strcmp(nv[count - 1], task)) {
			if (count)
				tv[count - 1] = strbuf_detach(&sb, NULL);
			XGROW(nv, cap, count + 1);
			XGROW(tv, tcap, count + 1);
			nv[count] = xstrdup(task);
			tv[count++] = NULL;
			strbuf_reset(&sb);
		}
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			strbuf_add(&sb, sqlite3_column_text(st, 1),
				   (size_t)sqlite3_column_bytes(st, 1));
			strbuf_addc(&sb, '\n');
		}
	}
	if (rc != SQLITE_DONE) {
		ret = db_error(s, rc, what, err);
		goto out;
	}
	if (count)
		tv[count - 1] = strbuf_detach(&sb, NULL);
	*names = nv;
	*texts = tv;
	*n = count;
	nv = tv = NULL;
	count = 0;
out:
	for (size_t i = 0; i < count; i++) {
		free(nv[i]);
		free(tv[i]);
	}
	free(nv);
	free(tv);
	strbuf_release(&sb);
	sqlite3_finalize(st);
	return ret;
}

int store_runs_finished(struct store *s, json_t **out, struct ie_error *err)
{
	json_t *list = NULL, *runs = json_array(), *r, *full;
	size_t i;
	int ret = 0;

	*out = runs;
	if (!s)
		return 0;
	if ((ret = store_runs_list(s, &list, err)) < 0)
		return ret;
	json_array_foreach(list, i, r) {
		const char *status = json_string_value(json_object_get(r, "status"));

		if (!status || strcmp(status, "finished"))
			continue;
		if ((ret = store_run_get(s, json_integer_value(json_object_get(r, "id")), &full,
					 err)) < 0)
			break;
		json_array_append_new(runs, full);
	}
	json_decref(list);
	return ret;
}

/* ---- human ratings ---- */

static void bind_rating(sqlite3_stmt *st, int i, int v)
{
	if (v)
		sqlite3_bind_int(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* A rating the table's CHECK refused is the caller's input, not damage. */
static int rating_refused(const struct store *s, const struct store_rating *r, int rc,
			  struct ie_error *err)
{
	if ((rc & 0xff) != SQLITE_CONSTRAINT)
		return db_error(s, rc, "cannot store ratings", err);
	return ie_error_set(err, IE_EINPUT,
			    "store '%s': the rating of '%s' by '%s' is refused (relevance %d,"
			    " coherence %d; each is 1 to 5, or none): %s",
			    s->path, r->item, r->rater, r->relevance, r->coherence,
			    sqlite3_errmsg(s->db));
}

/* Writes v inside the transaction the caller holds. */
static int ratings_insert(struct store *s, int64_t run, const struct store_rating *v, size_t n,
			  struct ie_error *err)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc, ret;

	utc_now(now);
	if ((ret = prepare(s,
			   "INSERT OR REPLACE INTO ratings (run_id, item, rater, relevance,"
			   " coherence, rated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			   &st, "cannot store ratings", err)) < 0)
		return ret;
	for (size_t i = 0; i < n && !ret; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_text(st, 2, v[i].item, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v[i].rater, -1, SQLITE_STATIC);
		bind_rating(st, 4, v[i].relevance);
		bind_rating(st, 5, v[i].coherence);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			ret = rating_refused(s, &v[i], rc, err);
	}
	sqlite3_finalize(st);
	return ret;
}

int store_ratings_put_many(struct store *s, int64_t run, const struct store_rating *v, size_t n,
			   struct ie_error *err)
{
	const char *what = "cannot store ratings";
	int ret;

	if ((ret = exec_sql(s, "BEGIN IMMEDIATE", what, err)) < 0)
		return ret;
	if ((ret = run_exists(s, run, what, err)) == 0)
		ret = no_run(s, run, err);
	if (ret < 0 || (ret = ratings_insert(s, run, v, n, err)) < 0) {
		rollback(s);
		return ret;
	}
	return commit(s, what, err);
}

int store_rating_put(struct store *s, int64_t run, const char *item, const char *rater,
		     int relevance, int coherence, struct ie_error *err)
{
	const struct store_rating r = { item, rater, relevance, coherence };

	return store_ratings_put_many(s, run, &r, 1, err);
}

static json_t *col_rating(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, col));
}

int store_ratings_get(struct store *s, int64_t run, json_t **out, struct ie_error *err)
{
	const char *what = "cannot read ratings";
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int rc, ret, any_run = 0;

	*out = NULL;
	/* The join tells a run without ratings from no run, in one snapshot. */
	if ((ret = prepare(s,
			   "SELECT g.item, g.rater, g.relevance, g.coherence, g.rated,"
			   " g.run_id FROM runs r LEFT JOIN ratings g ON g.run_id = r.id"
			   " WHERE r.id = ?1 ORDER BY g.rater, g.item",
			   &st, what, err)) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		any_run = 1;
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			continue;
		json_array_append_new(list, json_pack("{s:o,s:o,s:o,s:o,s:o}", "item",
						      col_string(st, 0), "rater", col_string(st, 1),
						      "relevance", col_rating(st, 2), "coherence",
						      col_rating(st, 3), "rated", col_string(st, 4)));
	}
	if (rc != SQLITE_DONE)
		ret = db_error(s, rc, what, err);
	else if (!any_run)
		ret = no_run(s, run, err);
out:
	sqlite3_finalize(st);
	if (ret < 0)
		json_decref(list);
	else
		*out = list;
	return ret;
}
