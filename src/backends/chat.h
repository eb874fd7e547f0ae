/*
 * The messages a prompt makes in a chat: a system turn when one is set,
 * then the prompt as the user's turn, or, for a few-shot prompt sent as
 * turns, its IE_TURN_SEPARATOR-separated parts as user, assistant, ...,
 * user turns. The in-process template and the chat API take the same.
 */
#ifndef IE_BACKENDS_CHAT_H
#define IE_BACKENDS_CHAT_H

#include <stddef.h>

#include <jansson.h>

struct chat_msg {
	const char *role; /* "system", "user" or "assistant" */
	char *content;
};

/* The messages of prompt; turns: split it at IE_TURN_SEPARATOR. The
 * caller frees them with chat_msgs_free. */
size_t chat_msgs(const char *system, const char *prompt, int turns, struct chat_msg **out);
void chat_msgs_free(struct chat_msg *m, size_t n);
/* The messages of prompt as JSON, [{"role": ..., "content": ...}, ...]. */
json_t *chat_msgs_json(const char *system, const char *prompt, int turns);

#endif
