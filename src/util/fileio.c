/* Whole-file reads and atomic writes (see fileio.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

static struct read_ledger *ledger; /* the open one, or NULL */

void read_ledger_open(struct read_ledger *l)
{
	memset(l, 0, sizeof(*l));
	ledger = l;
}

void read_ledger_close(void)
{
	ledger = NULL;
}

void read_ledger_release(struct read_ledger *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Notes path in the open ledger: its hash from data when given, else from
 * the file. */
static void ledger_note(const char *path, const char *data, size_t len)
{
	struct read_ledger_entry *e;

	if (!ledger)
		return;
	for (size_t i = 0; i < ledger->n; i++)
		if (!strcmp(ledger->v[i].path, path))
			return;
	XGROW(ledger->v, ledger->cap, ledger->n + 1);
	e = &ledger->v[ledger->n];
	if (data)
		sha256_hex(data, len, e->sha256);
	else if (sha256_file(path, e->sha256, NULL) < 0)
		return;
	e->path = xstrdup(path);
	ledger->n++;
}

int file_read(const char *path, char **data, size_t *len, struct ie_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ie_error_set(err, errno == ENOENT ? IE_EINPUT : IE_EIO,
				    "cannot open '%s': %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ie_error_set(err, IE_EIO, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			strbuf_release(&sb);
			return IE_EIO;
		}
		strbuf_add(&sb, chunk, (size_t)n);
	}
	close(fd);
	*data = strbuf_detach(&sb, len);
	ledger_note(path, *data, *len);
	return 0;
}

int file_read_gz(const char *path, char **data, size_t *len, struct ie_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	int n, ret = 0;
	gzFile gz;

	if (!file_exists(path))
		return ie_error_set(err, IE_EINPUT, "cannot open '%s': no such file", path);
	gz = gzopen(path, "rb");
	if (!gz)
		return ie_error_set(err, IE_EIO, "cannot open '%s'", path);
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		strbuf_add(&sb, chunk, (size_t)n);
	if (n < 0) {
		int zerr;

		ret = ie_error_set(err, IE_EINPUT, "'%s' is not valid gzip data: %s", path,
				   gzerror(gz, &zerr));
		strbuf_release(&sb);
	} else {
		*data = strbuf_detach(&sb, len);
		ledger_note(path, NULL, 0);
	}
	gzclose(gz);
	return ret;
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int atomic_file_open(struct atomic_file *f, const char *path, struct ie_error *err)
{
	struct strbuf tmp = STRBUF_INIT;

	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	f->fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (f->fd < 0) {
		int ret = ie_error_set(err, IE_EIO, "cannot create '%s': %s", tmp.buf,
				       strerror(errno));

		strbuf_release(&tmp);
		return ret;
	}
	f->path = xstrdup(path);
	f->tmp = strbuf_detach(&tmp, NULL);
	return 0;
}

static void atomic_file_free(struct atomic_file *f)
{
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
	f->fd = -1;
}

void atomic_file_abort(struct atomic_file *f)
{
	if (!f->tmp)
		return;
	close(f->fd);
	unlink(f->tmp);
	atomic_file_free(f);
}

int atomic_file_write(struct atomic_file *f, const void *data, size_t len, struct ie_error *err)
{
	int ret;

	if (fd_write_all(f->fd, data, len) == 0)
		return 0;
	ret = ie_error_set(err, IE_EIO, "cannot write '%s': %s", f->tmp, strerror(errno));
	atomic_file_abort(f);
	return ret;
}

int atomic_file_commit(struct atomic_file *f, struct ie_error *err)
{
	int ret = 0;

	if (fsync(f->fd) < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot write '%s': %s", f->tmp, strerror(errno));
		atomic_file_abort(f);
		return ret;
	}
	if (close(f->fd) < 0 || rename(f->tmp, f->path) < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot write '%s': %s", f->path, strerror(errno));
		unlink(f->tmp);
	}
	atomic_file_free(f);
	return ret;
}

int file_write_atomic(const char *path, const void *data, size_t len, struct ie_error *err)
{
	struct atomic_file f;
	int ret;

	if ((ret = atomic_file_open(&f, path, err)) < 0 ||
	    (ret = atomic_file_write(&f, data, len, err)) < 0)
		return ret;
	return atomic_file_commit(&f, err);
}

int file_mkdirs(const char *dir, struct ie_error *err)
{
	char *p = xstrdup(dir), *s;
	int ret = 0;

	for (s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			ret = ie_error_set(err, IE_EIO, "cannot create folder '%s': %s", p,
					   strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!ret && !file_is_dir(dir))
		ret = ie_error_set(err, IE_EIO, "'%s' exists and is not a folder", dir);
	return ret;
}

/*
 * Removes a folder tree the program may have made hostile: deep, with
 * unreadable folders. Iterative with one open folder at a time, so depth
 * costs neither stack nor descriptors; ".." is safe since nothing else
 * writes in the tree any more.
 */
void file_remove_tree(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	long depth = 0;

	if (fd < 0) {
		(void)unlink(path);
		return;
	}
	while (fd >= 0) {
		int dup_fd = dup(fd), descended = 0, empty = 1, changed = 0;
		DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
		struct dirent *de;

		if (!d) {
			if (dup_fd >= 0)
				close(dup_fd);
			break;
		}
		while ((de = readdir(d))) {
			int sub;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (unlinkat(fd, de->d_name, 0) == 0 ||
			    unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0) {
				changed = 1;
				continue;
			}
			(void)fchmodat(fd, de->d_name, 0700, 0);
			sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				empty = 0; /* cannot be removed: leave it */
				continue;
			}
			close(fd);
			fd = sub;
			depth++;
			descended = 1;
			break;
		}
		closedir(d);
		/* Removing entries while reading may skip some: read again. */
		if (descended || (changed && empty))
			continue;
		if (depth == 0 || !empty) {
			close(fd);
			break;
		}
		{
			int up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			close(fd);
			fd = up;
			depth--;
		}
	}
	(void)rmdir(path);
}

int file_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int64_t file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (int64_t)st.st_size;
}

char *path_join(const char *a, const char *b)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, a);
	if (sb.len && sb.buf[sb.len - 1] != '/')
		strbuf_addc(&sb, '/');
	strbuf_adds(&sb, b);
	return strbuf_detach(&sb, NULL);
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int file_mkdirs_parent(const char *path, struct ie_error *err)
{
	char *dir = xstrndup(path, (size_t)(path_base(path) - path));
	int ret = *dir ? file_mkdirs(dir, err) : 0;

	free(dir);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_list_suffix(const char *dir, const char *suffix, int skip_hidden, char ***names,
		    size_t *n_out)
{
	size_t n = 0, cap = 0, slen = strlen(suffix);
	struct dirent *e;
	char **v = NULL;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len <= slen || !text_ends_with(e->d_name, suffix) ||
		    (skip_hidden && e->d_name[0] == '.'))
			continue;
		XGROW(v, cap, n + 1);
		v[n++] = xstrndup(e->d_name, len - slen);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*n_out = n;
	return 0;
}
