/*
 * The CSV reader (util/csv.c) on any bytes: the first byte picks the
 * separator and whether quotes quote (as MMLU and CRASS are read), the rest
 * is the file, in a block of its exact size so a read past its end shows.
 * Each row must consume input, and line numbers must never go back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "util/csv.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char seps[] = { ',', ';', '\t', '|' };
	struct csv_reader r;
	struct csv_row row = { 0 };
	struct ie_error err = { 0 };
	char *text;
	int ret;

	if (!size)
		return 0;
	text = fuzz_exact(data + 1, size - 1);
	csv_reader_init(&r, text, size - 1, "fuzz.csv", seps[data[0] & 3]);
	r.quoting = !(data[0] & 4);
	for (;;) {
		const char *before = r.p;
		long line = r.line;

		ret = csv_read_row(&r, &row, &err);
		if (ret <= 0)
			break;
		if (r.p <= before || row.n == 0 || row.line < line || r.line < row.line ||
		    r.p > r.end) {
			fprintf(stderr, "csv: a row that read nothing or went back\n");
			abort();
		}
	}
	if (ret < 0 && (ret != IE_EINPUT || !err.msg[0])) {
		fprintf(stderr, "csv: error %d without its message\n", ret);
		abort();
	}
	csv_row_release(&row);
	free(text);
	return 0;
}
