/* The helpers the fuzz targets share (fuzz_common.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

char *fuzz_exact(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size ? size : 1);

	if (size)
		memcpy(s, data, size);
	return s;
}

size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max)
{
	size_t n = 0;
	const uint8_t *p = data, *end = data + size;

	while (n + 1 < max) {
		const uint8_t *sep = p < end ? memchr(p, FUZZ_SEP, (size_t)(end - p)) : NULL;

		if (!sep)
			break;
		parts[n].p = p;
		parts[n++].n = (size_t)(sep - p);
		p = sep + 1;
	}
	parts[n].p = p;
	parts[n++].n = (size_t)(end - p);
	return n;
}

static char *dir;

static void remove_dir(void)
{
	file_remove_tree(dir);
	free(dir);
	dir = NULL;
}

const char *fuzz_dir(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *tmp = getenv("TMPDIR");

	if (dir)
		return dir;
	strbuf_addf(&sb, "%s/ie-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = strbuf_detach(&sb, NULL);
	if (!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	atexit(remove_dir);
	return dir;
}

void fuzz_write(const char *rel, const void *data, size_t size)
{
	char *path = path_join(fuzz_dir(), rel);
	struct ie_error err = { 0 };
	int fd;

	if (file_mkdirs_parent(path, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	/* A new file, not a truncated one: ext4 writes a file truncated and
	 * rewritten out to disk at close, which would be most of the time. */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fd_write_all(fd, data, size) < 0 || close(fd) < 0) {
		perror(path);
		abort();
	}
	free(path);
}

void fuzz_unlink(const char *rel)
{
	char *path = path_join(fuzz_dir(), rel);

	unlink(path);
	free(path);
}

void fuzz_task(const struct task_ops *ops)
{
	struct task t = { 0 };
	struct task_opts o = { 0 };
	struct sample_set set = { 0 };
	struct ie_error err = { 0 };

	int ret = task_load(&t, ops, fuzz_dir(), &err);

	if (!ret)
		ret = ops->build(&t, &o, &set, &err);
	/* Every failure says what failed: the command layer prints only this. */
	if (ret < 0 && !err.msg[0]) {
		fprintf(stderr, "%s: error %d without a message\n", ops->name, ret);
		abort();
	}
	if (!ret) {
		for (size_t i = 0; i < set.n; i++)
			for (size_t j = 0; j < set.v[i].n_reqs; j++) {
				char *made;

				(void)sample_prompt(&t, &set.v[i], j, &made);
				free(made);
			}
	}
	sample_set_release(&set);
	task_release(&t);
}
