/* JSON text in the project's one output style: compact, keys in the order
 * they were set, UTF-8 kept as is, reals with 10 significant digits. */
#ifndef IE_JSONL_H
#define IE_JSONL_H

#include <jansson.h>

#include "util/strbuf.h"

#define JSONL_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
#define JSON_PRETTY_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* Appends obj as one line (with its newline) to sb. */
void jsonl_append(struct strbuf *sb, const json_t *obj);
/* Appends obj indented, with a final newline. */
void json_append_pretty(struct strbuf *sb, const json_t *obj);

#endif
