/* Chat messages of a prompt (chat.h). */
#include <stdlib.h>
#include <string.h>

#include "backends/chat.h"
#include "instructeval/backend.h"
#include "util/xalloc.h"
#include "util/banned.h"

size_t chat_msgs(const char *system, const char *prompt, int turns, struct chat_msg **out)
{
	size_t n = 0, parts = 1;
	struct chat_msg *m;
	const char *p = prompt;

	for (const char *q = prompt; turns && (q = strchr(q, IE_TURN_SEPARATOR[0])); q++)
		parts++;
	m = xcalloc(parts + 1, sizeof(*m));
	if (system)
		m[n++] = (struct chat_msg){ "system", xstrdup(system) };
	for (size_t i = 0; i < parts; i++) {
		size_t len = i + 1 < parts ? strcspn(p, IE_TURN_SEPARATOR) : strlen(p);

		m[n++] = (struct chat_msg){ i % 2 ? "assistant" : "user", xstrndup(p, len) };
		p += len + 1;
	}
	*out = m;
	return n;
}

void chat_msgs_free(struct chat_msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].content);
	free(m);
}

json_t *chat_msgs_json(const char *system, const char *prompt, int turns)
{
	struct chat_msg *msgs;
	size_t n = chat_msgs(system, prompt, turns, &msgs);
	json_t *m = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(m, json_pack("{s:s, s:s}", "role", msgs[i].role, "content",
						   msgs[i].content));
	chat_msgs_free(msgs, n);
	return m;
}
