/* Constructors of the backends, for backend.c alone. */
#ifndef IE_BACKENDS_H
#define IE_BACKENDS_H

#include "instructeval/backend.h"

int llama_backend_open(const struct ie_backend_config *cfg, struct ie_backend **out,
		       struct ie_error *err);

#endif
