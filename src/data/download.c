/*
 * Fetching datasets (datasets.h). Downloads go to DATA/.partial, where
 * they survive a failure (fetch.h resumes them); each dataset is staged in
 * a private folder inside the data folder: downloaded files are linked
 * there, archives unpacked with libarchive (only the members the dataset
 * maps, never a path that climbs out), every file with a pinned hash is
 * checked, and only then is each file renamed into place. A failure
 * anywhere leaves the data folder as it was. The hashes of installed files
 * are recorded in DATA/instructeval-sha256.tsv for `verify`.
 *
 * A mirror is a URL or a local folder, laid out either as the data folder
 * itself (mmlu/dev/..., as another machine's download left it) or as the
 * canonical addresses (MIRROR/host/path); which one is found per dataset.
 */
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "data/fetch.h"
#include "data/sources.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- unpacking ---- */

/* Where member goes in the stage, or NULL when the dataset does not use it. */
static char *member_dest(const struct source *s, const char *member)
{
	if (strstr(member, "..") || member[0] == '/')
		return NULL;
	for (size_t i = 0; i < SOURCE_MAPS && s->maps[i].from; i++) {
		const char *from = s->maps[i].from;
		size_t n = strlen(from);

		if (from[n - 1] == '/' && !strncmp(member, from, n) && member[n] &&
		    !strchr(member + n, '/'))
			return path_join(s->maps[i].to, member + n);
		if (!strcmp(member, from))
			return xstrdup(s->maps[i].to);
	}
	return NULL;
}

static int copy_entry(struct archive *a, const char *path, struct ie_error *err)
{
	char buf[65536];
	la_ssize_t n;
	FILE *f = fopen(path, "wb");

	if (!f)
		return ie_error_set(err, IE_EIO, "cannot create '%s': %s", path, strerror(errno));
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
			break;
	if (fclose(f) != 0 || n != 0)
		return ie_error_set(err, IE_EIO, "cannot unpack '%s': %s", path,
				    n < 0 ? archive_error_string(a) : strerror(errno));
	return 0;
}

static int unpack(const struct source *s, const char *archive_path, const char *stage,
		  struct ie_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int ret = 0, r;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, archive_path, 65536) != ARCHIVE_OK) {
		ret = ie_error_set(err, IE_EINPUT, "'%s' from %s is not a readable archive: %s",
				   archive_path, s->url, archive_error_string(a));
		goto out;
	}
	while (!ret && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *rel, *dest;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (!(rel = member_dest(s, archive_entry_pathname(e))))
			continue;
		dest = path_join(stage, rel);
		ret = file_mkdirs_parent(dest, err);
		if (!ret)
			ret = copy_entry(a, dest, err);
		free(dest);
		free(rel);
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = ie_error_set(err, IE_EINPUT, "cannot read the archive from %s: %s", s->url,
				   archive_error_string(a));
out:
	archive_read_free(a);
	return ret;
}

/* ---- staging, checking, installing ---- */

struct file_list {
	char **v;
	size_t n, cap;
};

static void list_add(struct file_list *l, const char *s)
{
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = xstrdup(s);
}

static void list_release(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Adds every regular file below stage/rel to l (paths relative to stage). */
static void list_files(const char *stage, const char *rel, struct file_list *l)
{
	char *dir = path_join(stage, rel);
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)) != NULL) {
		char *r, *full;

		if (e->d_name[0] == '.')
			continue;
		r = rel[0] ? path_join(rel, e->d_name) : xstrdup(e->d_name);
		full = path_join(stage, r);
		if (file_is_dir(full))
			list_files(stage, r, l);
		else if (file_size(full) >= 0)
			list_add(l, r);
		free(full);
		free(r);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* ---- fetching ---- */

struct job {
	const struct download_opts *o;
	const struct dataset *ds;
	const char *stage;
	char *partial;         /* DATA/.partial */
	struct file_list kept; /* its downloads of this dataset */
	json_t *mirror_hashes; /* the record of a mirror in the data-folder layout */
};

/* Bytes a file:// URL may hold as they are. */
static int url_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("/-._~", c);
}

/* The mirror as a URL without a trailing '/': a local folder becomes a
 * file:// URL of its absolute path. NULL when there is no mirror. */
static int mirror_base(const char *mirror, char **out, struct ie_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char abs[PATH_MAX];

	*out = NULL;
	if (!mirror)
		return 0;
	if (strstr(mirror, "://")) {
		strbuf_adds(&sb, mirror);
	} else {
		if (!file_is_dir(mirror) || !realpath(mirror, abs))
			return ie_error_set(err, IE_EUSAGE, "the mirror '%s' is neither a URL nor "
					    "a folder", mirror);
		strbuf_adds(&sb, "file://");
		for (const char *p = abs; *p; p++)
			if (url_safe((unsigned char)*p))
				strbuf_addc(&sb, *p);
			else
				strbuf_addf(&sb, "%%%02X", (unsigned char)*p);
	}
	while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
		strbuf_truncate(&sb, sb.len - 1);
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

/* Where a download of url waits in DATA/.partial: a hash of the address
 * (the same file from two mirrors is two downloads) and its file name. */
static char *partial_path(const struct job *j, const char *url)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[65], *out;

	sha256_hex(url, strlen(url), hex);
	strbuf_addf(&sb, "%.16s-", hex);
	for (const char *p = path_base(url); *p; p++)
		strbuf_addc(&sb, url_safe((unsigned char)*p) ? *p : '_');
	out = path_join(j->partial, sb.buf);
	strbuf_release(&sb);
	return out;
}

/* The address to fetch: the canonical URL, or MIRROR/host/path. */
static char *effective_url(const char *url, const char *base)
{
	struct strbuf sb = STRBUF_INIT;
	const char *rest = strstr(url, "://");

	if (!base)
		return xstrdup(url);
	strbuf_addf(&sb, "%s/%s", base, rest ? rest + 3 : url);
	return strbuf_detach(&sb, NULL);
}

/* Downloads url into DATA/.partial (a complete earlier download of the
 * same address is used as it is); *path gets its file. */
static int get(struct job *j, const char *url, const char *label, char **path,
	       struct ie_error *err)
{
	struct fetch_opts fo = { label, j->o->progress, j->o->retries };
	int ret = 0;

	*path = partial_path(j, url);
	if (!j->o->quiet)
		fprintf(stderr, "download: %s%s\n", url,
			file_exists(*path) ? " (downloaded before)" : "");
	if (!file_exists(*path))
		ret = fetch_file(url, *path, &fo, err);
	list_add(&j->kept, *path);
	return ret;
}

static int copy_file(const char *from, const char *to, struct ie_error *err)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	size_t n = 0;
	int bad = !out;

	while (!bad && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad = fwrite(buf, 1, n, out) != n;
	bad |= in && ferror(in);
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		bad = 1;
	if (bad)
		return ie_error_set(err, IE_EIO, "cannot copy '%s' to '%s': %s", from, to,
				    strerror(errno));
	return 0;
}

/* A download into the stage as stage/rel; it stays in DATA/.partial until
 * the dataset is installed. */
static int place(const char *stage, const char *from, const char *rel, struct ie_error *err)
{
	char *dest = path_join(stage, rel);
	int ret = file_mkdirs_parent(dest, err);

	if (!ret && link(from, dest) != 0)
		ret = copy_file(from, dest, err);
	free(dest);
	return ret;
}

static int fetch_source(struct job *j, const struct source *s, const char *base,
			struct ie_error *err)
{
	char *url = effective_url(s->url, base), *got = NULL;
	int ret = get(j, url, s->kind == FETCH_FILE ? s->dest : path_base(s->url), &got, err);

	if (!ret && s->kind == FETCH_FILE)
		ret = place(j->stage, got, s->dest, err);
	else if (!ret)
		ret = unpack(s, got, j->stage, err);
	free(got);
	free(url);
	return ret;
}

/* A data-folder mirror's own record, where it has one, vouches for the
 * files no hash is pinned for. */
static void fetch_mirror_record(struct job *j, const char *base)
{
	char *url = path_join(base, DATASET_RECORD_FILE), *path;
	struct fetch_opts fo = { NULL, 0, j->o->retries };

	path = path_join(j->stage, ".mirror-record");
	if (fetch_exists(url) && fetch_file(url, path, &fo, NULL) == 0)
		j->mirror_hashes = dataset_record_read(path);
	free(path);
	free(url);
}

/* Whether the mirror holds the dataset in the data-folder layout: its
 * first file is at MIRROR/<path>. */
static int data_layout(const char *base, char **files)
{
	char *url = path_join(base, files[0]);
	int yes = fetch_exists(url);

	free(url);
	return yes;
}

static int fetch_all(struct job *j, struct ie_error *err)
{
	char *base = NULL, **files = dataset_files(j->ds), *url, *got;
	int ret = mirror_base(j->o->mirror, &base, err);

	if (!ret && base && files[0] && data_layout(base, files)) {
		for (char **f = files; *f && !ret; f++) {
			url = path_join(base, *f);
			if (!(ret = get(j, url, *f, &got, err)))
				ret = place(j->stage, got, *f, err);
			free(got);
			free(url);
		}
		if (!ret)
			fetch_mirror_record(j, base);
	} else {
		for (size_t i = 0; !ret && i < j->ds->n; i++)
			ret = fetch_source(j, &j->ds->sources[i], base, err);
	}
	dataset_files_free(files);
	free(base);
	return ret;
}

/* A staged file against its pinned hash, else the one a data-folder
 * mirror's record gives; its hash is kept in hashes for the record. */
static int check_file(const struct job *j, const char *rel, json_t *hashes,
		      struct ie_error *err)
{
	const struct dataset_checksum *c = dataset_pinned(rel);
	const char *want = c ? c->sha256
			     : json_string_value(json_object_get(j->mirror_hashes, rel));
	char *full = path_join(j->stage, rel), hex[65];
	int ret = sha256_file(full, hex, err);

	free(full);
	if (ret == 0)
		json_object_set_new(hashes, rel, json_string(hex));
	if (ret < 0 || !want || !strcmp(want, hex))
		return ret;
	if (!c)
		return ie_error_set(err, IE_EINPUT, "%s: sha256 %s, but the mirror's %s says %s",
				    rel, hex, DATASET_RECORD_FILE, want);
	if (!j->ds->warn_only)
		return ie_error_set(err, IE_EINPUT, "%s: sha256 %s, expected %s; the download "
				    "is corrupt or not the published file", rel, hex, want);
	fprintf(stderr, "warning: %s: sha256 %s differs from %s, the copy this tool knows; "
		"keeping it\n", rel, hex, want);
	return 0;
}

/* Every staged file checked, and every pinned file of the dataset there. */
static int check_stage(const struct job *j, const struct file_list *l, json_t *hashes,
		       struct ie_error *err)
{
	const struct dataset *ds = j->ds;

	for (size_t i = 0; i < l->n; i++)
		if (check_file(j, l->v[i], hashes, err) < 0)
			return -1;
	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++) {
		int found = 0;

		if (strncmp(c->path, ds->prefix, strlen(ds->prefix)))
			continue;
		for (size_t i = 0; i < l->n && !found; i++)
			found = !strcmp(l->v[i], c->path);
		if (!found)
			return ie_error_set(err, IE_EINPUT, "the %s download lacks %s", ds->name,
					    c->path);
	}
	return 0;
}

/* The record file: one "sha256  path" line per installed file, the new
 * ones' hashes those their check computed. */
static int update_record(const char *data_dir, json_t *hashes, struct ie_error *err)
{
	char *path = path_join(data_dir, DATASET_RECORD_FILE);
	json_t *rec = dataset_record_read(path), *sha;
	struct strbuf out = STRBUF_INIT;
	const char *rel;
	int ret;

	json_object_update(rec, hashes);
	json_object_foreach(rec, rel, sha)
		strbuf_addf(&out, "%s  %s\n", json_string_value(sha), rel);
	ret = file_write_atomic(path, strbuf_str(&out), out.len, err);
	strbuf_release(&out);
	json_decref(rec);
	free(path);
	return ret;
}

static int install(const char *data_dir, const char *stage, const struct file_list *l,
		   json_t *hashes, struct ie_error *err)
{
	int ret = update_record(data_dir, hashes, err);

	for (size_t i = 0; i < l->n && !ret; i++) {
		char *from = path_join(stage, l->v[i]), *to = path_join(data_dir, l->v[i]);

		ret = file_mkdirs_parent(to, err);
		if (!ret && rename(from, to) != 0)
			ret = ie_error_set(err, IE_EIO, "cannot install '%s': %s", to,
					   strerror(errno));
		free(from);
		free(to);
	}
	return ret;
}

/* One download into a data folder at a time: they share DATA/.partial.
 * Returns the lock's descriptor. */
static int lock_partial(const char *partial, struct ie_error *err)
{
	char *path = path_join(partial, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		ie_error_set(err, IE_EIO, "cannot create '%s': %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ie_error_set(err, IE_EIO, "another download is running into '%s' (it holds "
			     "'%s')", partial, path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* Downloads that were installed, or refused by a check, are done with;
 * those of a failed transfer stay to be resumed. */
static void drop_downloads(struct job *j)
{
	for (size_t i = 0; i < j->kept.n; i++)
		unlink(j->kept.v[i]);
}

static int download(struct job *j, struct ie_error *err)
{
	struct file_list files = { 0 };
	json_t *hashes = json_object();
	int ret = fetch_all(j, err);

	if (!ret)
		list_files(j->stage, "", &files);
	if (!ret && (ret = check_stage(j, &files, hashes, err)) < 0)
		drop_downloads(j);
	if (!ret && (ret = install(j->o->data_dir, j->stage, &files, hashes, err)) == 0)
		drop_downloads(j);
	json_decref(hashes);
	list_release(&files);
	return ret;
}

int dataset_download(const char *name, const struct download_opts *o, struct ie_error *err)
{
	struct job j = { .o = o, .ds = dataset_find(name) };
	struct strbuf stage = STRBUF_INIT;
	int ret, lock = -1;

	if (!j.ds)
		return ie_error_set(err, IE_EUSAGE, "unknown dataset '%s'", name);
	j.partial = path_join(o->data_dir, ".partial");
	if ((ret = file_mkdirs(j.partial, err)) < 0 || (lock = lock_partial(j.partial, err)) < 0) {
		free(j.partial);
		return -1;
	}
	strbuf_addf(&stage, "%s/.download-%s-%ld", o->data_dir, name, (long)getpid());
	j.stage = stage.buf;
	file_remove_tree(stage.buf);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((ret = file_mkdirs(stage.buf, err)) == 0)
		ret = download(&j, err);
	file_remove_tree(stage.buf);
	strbuf_release(&stage);
	list_release(&j.kept);
	json_decref(j.mirror_hashes);
	close(lock);
	free(j.partial);
	return ret;
}
