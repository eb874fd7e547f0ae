/*
 * DROP's loader (tasks/drop.c) through task_load: the input is the dev
 * set's JSON file, then the samples (exemplars drawn, golds attached) are
 * built and their prompts made.
 */
#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("drop/drop_dataset_dev.json", data, size);
	fuzz_task(&drop_task);
	return 0;
}
