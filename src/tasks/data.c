/*
 * Where a task's data lies in the data folder, and the one message for
 * data that is not there. The message says how to get the data but names
 * no command-line option: the command layer adds that the data folder can
 * be chosen, as only it knows how.
 */
#include <stdlib.h>
#include <string.h>

#include "tasks/task.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int is_folder(const char *rel)
{
	size_t n = strlen(rel);

	return n && rel[n - 1] == '/';
}

char *task_data_path(const struct task_ops *ops, const char *data_dir, size_t i)
{
	const char *rel = ops->data[i];
	char *path = path_join(data_dir, rel);

	if (is_folder(rel))
		path[strlen(path) - 1] = '\0';
	return path;
}

int task_data_missing(const struct task_ops *ops, const char *what, const char *path,
		      struct ie_error *err)
{
	return ie_error_set(err, IE_ENODATA, "%s data not found: no %s '%s' (get it with "
			    "'instructeval download %s')", ops->title, what, path, ops->name);
}

int task_data_check(const struct task_ops *ops, const char *data_dir, struct ie_error *err)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(ops->data) / sizeof(ops->data[0]) && ops->data[i];
	     i++) {
		char *path = task_data_path(ops, data_dir, i);
		int folder = is_folder(ops->data[i]);

		if (folder ? !file_is_dir(path) : (!file_exists(path) || file_is_dir(path)))
			ret = task_data_missing(ops, folder ? "folder" : "file", path, err);
		free(path);
	}
	return ret;
}
