/*
 * Request keys. A request's key is the sha256 of everything that can
 * change its answer and nothing that cannot, as ccache hashes a
 * compilation: what the request asks (kind, prompt, its shared block, and
 * for generation the token budget, the stop strings, the blank-line stop,
 * the temperature and top-p, and the seed when it samples; for next-token
 * scores the candidates) and who answers (the backend's identity object:
 * model bytes, engine version, and the settings that change answers).
 * Equal keys name equal answers, so a cached answer can stand in for one
 * the model would give.
 */
#ifndef IE_KEY_H
#define IE_KEY_H

#include <jansson.h>

#include "instructeval/backend.h"

/* The canonical text of an identity object (compact, keys sorted); the
 * caller frees it. */
char *key_identity_text(const json_t *identity);

/* Writes r's key under identity (key_identity_text's output) as 64 hex
 * digits and a NUL. */
void key_request(const struct ie_request *r, const char *identity, char key[65]);

/* The sha256 hex of a JSON value's canonical text (for run keys). */
void key_json(const json_t *v, char key[65]);

#endif
