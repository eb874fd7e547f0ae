/*
 * HumanEval's loader (tasks/humaneval.c) through task_load. The problem
 * file is gzipped JSON lines: an input that starts with gzip's magic bytes
 * is written as it is (damaged streams reach the inflater), any other is
 * the JSON lines themselves and is gzipped first, so that mutations work
 * on the records rather than on compressed bytes. Then the samples are
 * built and their prompts made.
 */
#include <stdlib.h>

#include <zlib.h>

#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char file[] = "humaneval/HumanEval.jsonl.gz";

/* data gzipped at the fastest level. */
static void write_gzipped(const uint8_t *data, size_t size)
{
	z_stream z = { 0 };
	uLong cap;
	unsigned char *out;

	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	cap = deflateBound(&z, (uLong)size);
	out = xmalloc(cap);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	fuzz_write(file, out, z.total_out);
	deflateEnd(&z);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		fuzz_write(file, data, size);
	else
		write_gzipped(data, size);
	fuzz_task(&humaneval_task);
	return 0;
}
