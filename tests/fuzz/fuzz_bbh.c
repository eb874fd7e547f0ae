/*
 * BBH's loader (tasks/bbh.c) through task_load: the input is up to three
 * task files joined by FUZZ_SEP, laid out as bbh/<task>.json, then the
 * samples are built and their prompts made.
 */
#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "bbh/boolean_expressions.json",
					     "bbh/date_understanding.json",
					     "bbh/word_sorting.json" };
	struct fuzz_part part[3];
	size_t n = fuzz_split(data, size, part, 3);

	for (size_t i = 0; i < 3; i++)
		if (i < n)
			fuzz_write(files[i], part[i].p, part[i].n);
		else
			fuzz_unlink(files[i]);
	fuzz_task(&bbh_task);
	return 0;
}
