/* SHA-256 (FIPS 180-4), for recording which model file a result came from. */
#ifndef IE_SHA256_H
#define IE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "instructeval/error.h"

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes the digest as 64 lowercase hex digits and a NUL into hex. */
void sha256_final_hex(struct sha256 *s, char hex[65]);
/* The digest of len bytes at data, as sha256_final_hex writes it. */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* Hashes a whole file. */
int sha256_file(const char *path, char hex[65], struct ie_error *err);

#endif
