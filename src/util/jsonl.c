/* JSON serialisation in the project's output style (jsonl.h). */
#include <stdlib.h>

#include "util/jsonl.h"
#include "util/banned.h"

static void append(struct strbuf *sb, const json_t *obj, size_t flags)
{
	char *s = json_dumps(obj, flags);

	if (!s) { /* only on out-of-memory or invalid UTF-8, which outputs never hold */
		sb->err = 1;
		return;
	}
	strbuf_adds(sb, s);
	strbuf_addc(sb, '\n');
	free(s);
}

void jsonl_append(struct strbuf *sb, const json_t *obj)
{
	append(sb, obj, JSONL_FLAGS);
}

void json_append_pretty(struct strbuf *sb, const json_t *obj)
{
	append(sb, obj, JSON_PRETTY_FLAGS);
}
