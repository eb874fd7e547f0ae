/*
 * MMLU's loader (tasks/mmlu.c) through task_load: the input is one
 * subject's dev file and test file joined by FUZZ_SEP (one part: the same
 * text for both), laid out as mmlu/dev/ and mmlu/test/ of a data folder,
 * then its samples are built and their prompts made.
 */
#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part part[2];
	size_t n = fuzz_split(data, size, part, 2);

	fuzz_write("mmlu/dev/abstract_algebra_dev.csv", part[0].p, part[0].n);
	fuzz_write("mmlu/test/abstract_algebra_test.csv", part[n - 1].p, part[n - 1].n);
	fuzz_task(&mmlu_task);
	return 0;
}
