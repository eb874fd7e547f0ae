/*
 * What the libFuzzer targets of tests/fuzz share: copies of the input as
 * C strings, the input cut into parts (for loaders that read several
 * files), a data folder of this process's own to lay inputs out in as a
 * task expects them, and a task's whole load-build-prompt path. Each
 * target is one fuzz_<name>.c with LLVMFuzzerTestOneInput; none of them
 * prints or keeps anything between inputs but the data folder.
 */
#ifndef IE_FUZZ_COMMON_H
#define IE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "tasks/task.h"

/* Separates the parts of an input meant as several files (ASCII record
 * separator: no benchmark file holds it, so a seed is its files joined). */
#define FUZZ_SEP '\x1e'

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_part {
	const uint8_t *p;
	size_t n;
};

/* data[0..size) as a NUL-terminated string (caller frees); a NUL inside
 * it ends the string early, as it would for a reader of the file. */
char *fuzz_cstr(const uint8_t *data, size_t size);
/* data[0..size) exactly, in a heap block of its own size, so that ASan
 * sees a read one byte past the end (caller frees; never NULL). */
char *fuzz_exact(const uint8_t *data, size_t size);

/* Cuts data at each FUZZ_SEP into at most max parts (the last takes the
 * rest, separators included); returns how many (at least 1). */
size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts, size_t max);

/* This process's folder for task data (created at the first call,
 * removed at exit): "$TMPDIR/ie-fuzz-XXXXXX". Aborts when it cannot be
 * made: a target cannot run without it. */
const char *fuzz_dir(void);
/* Writes data to fuzz_dir()/rel, making its folders; aborts on failure. */
void fuzz_write(const char *rel, const void *data, size_t size);
/* Removes fuzz_dir()/rel if it is there. */
void fuzz_unlink(const char *rel);

/* Loads ops's data from fuzz_dir() with task_load and, when that works,
 * builds its samples (no model: every prompt whole) and makes each
 * request's prompt, as `instructeval prompts` does; then releases all. */
void fuzz_task(const struct task_ops *ops);

#endif
