/*
 * IMPACT's loader (tasks/impact.c) through task_load: the input is its
 * JSON-lines prompt file, then the samples are built and their prompts
 * made.
 */
#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("impact/data.jsonl", data, size);
	fuzz_task(&impact_task);
	return 0;
}
