/* Whole-file reads and atomic writes (see fileio.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

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

int file_write_atomic(const char *path, const void *data, size_t len, struct ie_error *err)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd, ret = 0;

	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot create '%s': %s", tmp.buf, strerror(errno));
		goto out;
	}
	if (fd_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot write '%s': %s", tmp.buf, strerror(errno));
		close(fd);
		unlink(tmp.buf);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp.buf, path) < 0) {
		ret = ie_error_set(err, IE_EIO, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.buf);
	}
out:
	strbuf_release(&tmp);
	return ret;
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
