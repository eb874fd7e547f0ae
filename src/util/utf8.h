/*
 * UTF-8 repair. A model cut off after a few tokens can end in half a
 * character, and JSON output must be valid UTF-8, so generated text is
 * repaired the way Python's bytes.decode(errors="replace") does: each
 * invalid sequence becomes U+FFFD.
 */
#ifndef IE_UTF8_H
#define IE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);
/* A new NUL-terminated string: s[0..n) with invalid sequences replaced. */
char *utf8_repair(const char *s, size_t n);
/* The length of s[0..n) without a trailing incomplete character: the
 * start of a valid sequence that further bytes could complete. */
size_t utf8_complete_len(const char *s, size_t n);

#endif
