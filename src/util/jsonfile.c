/* JSON and JSON-lines loading with file:line errors (jsonfile.h). */
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/banned.h"

int json_file_load(const char *path, const char *hint, json_t **out, struct ie_error *err)
{
	json_error_t je;
	char *text;
	size_t len;
	int ret;

	if (!file_exists(path))
		return ie_error_set(err, IE_EINPUT, "cannot open '%s': no such file%s%s", path,
				    hint ? " " : "", hint ? hint : "");
	/* Through file_read, so that the file is in the read ledger. */
	if ((ret = file_read(path, &text, &len, err)) < 0)
		return ret;
	*out = json_loadb(text, len, 0, &je);
	free(text);
	if (!*out)
		return ie_error_set(err, IE_EINPUT, "%s:%d:%d: invalid JSON: %s", path, je.line,
				    je.column, je.text);
	return 0;
}

int json_lines_parse(const char *text, size_t len, const char *path, json_t **out,
		     struct ie_error *err)
{
	json_t *arr = json_array();
	const char *p = text, *end = text + len;
	int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t blank = 0;
		json_error_t je;
		json_t *v;

		line++;
		/* Not strspn: text need not end in a NUL at len. */
		while (blank < n && (p[blank] == ' ' || p[blank] == '\t' || p[blank] == '\r'))
			blank++;
		if (blank < n) {
			v = json_loadb(p, n, 0, &je);
			if (!v) {
				json_decref(arr);
				return ie_error_set(err, IE_EINPUT, "%s:%d: invalid JSON: %s", path,
						    line, je.text);
			}
			json_array_append_new(arr, v);
		}
		p += n + (nl != NULL);
	}
	*out = arr;
	return 0;
}

const char *json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}
