/*
 * UTF-8: the one decoder of the tree, and repair. A model cut off after a
 * few tokens can end in half a character, and JSON output must be valid
 * UTF-8, so generated text is repaired the way Python's
 * bytes.decode(errors="replace") does: each invalid sequence becomes
 * U+FFFD. Valid means well-formed as the Unicode standard's table 3-7
 * has it: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
#ifndef IE_UTF8_H
#define IE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The character that starts s[0..n), n > 0: its length (1 to 4) with its
 * code point in *cp, or 0 when no valid sequence starts there (*cp is
 * then left alone). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Writes code point cp (below 0x110000) into out as 1 to 4 bytes, no NUL,
 * and returns how many. Surrogates are written as their three bytes,
 * which utf8_decode does not accept back. */
size_t utf8_encode(uint32_t cp, char *out);

bool utf8_valid(const char *s, size_t n);
/* A new NUL-terminated string: s[0..n) with invalid sequences replaced. */
char *utf8_repair(const char *s, size_t n);
/* The length of s[0..n) without a trailing incomplete character: the
 * start of a valid sequence that further bytes could complete. */
size_t utf8_complete_len(const char *s, size_t n);

#endif
