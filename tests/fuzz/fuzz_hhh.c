/*
 * HHH's loader (tasks/hhh.c) through task_load: the input is up to four
 * BIG-bench task files joined by FUZZ_SEP, for harmless, helpful, honest
 * and other (a subset without a part gets the last part), then the
 * samples are built and their prompts made.
 */
#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "hhh/harmless/task.json", "hhh/helpful/task.json",
					     "hhh/honest/task.json", "hhh/other/task.json" };
	struct fuzz_part part[4];
	size_t n = fuzz_split(data, size, part, 4);

	for (size_t i = 0; i < 4; i++) {
		const struct fuzz_part *p = &part[i < n ? i : n - 1];

		fuzz_write(files[i], p->p, p->n);
	}
	fuzz_task(&hhh_task);
	return 0;
}
