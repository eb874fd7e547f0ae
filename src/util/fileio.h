/*
 * Whole-file reads and all-or-nothing writes. A file written with
 * file_write_atomic either appears complete under its name or not at all:
 * the data goes to a temporary file beside it, is synced, and is renamed.
 */
#ifndef IE_FILEIO_H
#define IE_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "instructeval/error.h"

/* Files read by file_read and file_read_gz while a ledger is open are
 * listed in it, each once, with the sha256 of its bytes as stored, so that
 * a run can say which data it read and check it. One ledger is open at a
 * time. */
struct read_ledger_entry {
	char *path;
	char sha256[65];
};
struct read_ledger {
	struct read_ledger_entry *v;
	size_t n, cap;
};
void read_ledger_open(struct read_ledger *l);
void read_ledger_close(void);
void read_ledger_release(struct read_ledger *l);

/* Reads a whole file into *data (NUL-terminated, caller frees). A missing
 * file is IE_EINPUT, other failures IE_EIO. */
int file_read(const char *path, char **data, size_t *len, struct ie_error *err);
/* Reads a gzip-compressed file, inflated, like file_read. */
int file_read_gz(const char *path, char **data, size_t *len, struct ie_error *err);
int file_write_atomic(const char *path, const void *data, size_t len, struct ie_error *err);
/* The same in pieces: open, write any number of times, then commit (the
 * file appears) or abort (nothing does). A failed write or commit has
 * already aborted. */
struct atomic_file {
	char *path, *tmp;
	int fd;
};
int atomic_file_open(struct atomic_file *f, const char *path, struct ie_error *err);
int atomic_file_write(struct atomic_file *f, const void *data, size_t len, struct ie_error *err);
int atomic_file_commit(struct atomic_file *f, struct ie_error *err);
void atomic_file_abort(struct atomic_file *f);
/* Writes all of data to fd, retrying short writes and EINTR; 0 or -1
 * (errno set). Async-signal-safe: forked children may use it. */
int fd_write_all(int fd, const void *data, size_t len);
/* Removes a folder tree, also one a sandboxed program made hostile (deep,
 * with unreadable folders); a plain file at path is unlinked. */
void file_remove_tree(const char *path);
/* Creates the folder path is in, and its parents. */
int file_mkdirs_parent(const char *path, struct ie_error *err);
/* The names in dir that end in suffix (with something before it), the
 * suffix cut off, sorted bytewise; names starting with '.' are left out
 * when skip_hidden. The caller frees each name and the array. Returns -1
 * when dir cannot be opened. */
int dir_list_suffix(const char *dir, const char *suffix, int skip_hidden, char ***names,
		    size_t *n);
/* Creates dir and its parents (mode 0777 less umask). */
int file_mkdirs(const char *dir, struct ie_error *err);
int file_is_dir(const char *path);
int file_exists(const char *path);
/* Size in bytes of a regular file, or -1. */
int64_t file_size(const char *path);
/* path joined: a + "/" + b, newly allocated. */
char *path_join(const char *a, const char *b);
/* The last component of path (points into path). */
const char *path_base(const char *path);

#endif
