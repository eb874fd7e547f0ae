/*
 * CRASS's loader (tasks/crass.c) through task_load: the input is the
 * ';'-separated data file, then the samples are built and their prompts
 * made.
 */
#include "fuzz_common.h"
#include "tasks/tasks.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("crass/CRASS_FTM_main_data_set.csv", data, size);
	fuzz_task(&crass_task);
	return 0;
}
