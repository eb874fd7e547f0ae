/* Loading JSON and JSON-lines files with errors that name file and line. */
#ifndef IE_JSONFILE_H
#define IE_JSONFILE_H

#include <jansson.h>

#include "instructeval/error.h"

/* Parses a whole JSON file. A missing file is IE_EINPUT naming hint (how
 * to get the data) when hint is not NULL. */
int json_file_load(const char *path, const char *hint, json_t **out, struct ie_error *err);
/* Parses JSON lines (one value per non-blank line) from text into a new
 * array; path names the source in messages. */
int json_lines_parse(const char *text, size_t len, const char *path, json_t **out,
		     struct ie_error *err);
/* The string member key of obj, or NULL when missing or not a string. */
const char *json_str(const json_t *obj, const char *key);

#endif
