/*
 * The request cache as a backend: it wraps another backend (as an SQLite
 * VFS shim wraps a VFS), answers from the store every request whose key
 * it holds, sends the rest to the wrapped backend in one call, and queues
 * each answer for the store as it arrives, committing about once a second.
 * Tasks cannot tell it from the backend it wraps; res.cached says which
 * requests it answered.
 */
#ifndef IE_CACHE_H
#define IE_CACHE_H

#include <jansson.h>

#include "instructeval/backend.h"
#include "store/store.h"

/* A backend over inner (borrowed, must outlive it) that caches in st
 * (borrowed) under inner's identity (copied). Free it with
 * ie_backend_free, which leaves inner open. */
struct ie_backend *cache_backend_new(struct ie_backend *inner, struct store *st,
				     const json_t *identity);

/* A hash memo backed by the store, for ie_backend_identity. */
void cache_hash_memo(struct store *st, struct ie_hash_memo *memo);

#endif
