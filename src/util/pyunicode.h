/*
 * Python's str on code points, for code that must do what a Python script
 * does to text (DROP's evaluation script): strings decoded the way
 * bytes.decode("utf-8", "surrogateescape") does, so that any bytes
 * survive the round trip, and the str methods and regex classes such
 * scripts use. Tables are exact for ASCII, Latin-1 and the common
 * punctuation and symbol blocks, and broad elsewhere (see py_isword and
 * py_lower).
 */
#ifndef IE_PYUNICODE_H
#define IE_PYUNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes that are not valid UTF-8 decode to U+DC80..U+DCFF (lone
 * surrogates, which valid UTF-8 never yields): PY_ESCAPED_BYTE + byte. */
#define PY_ESCAPED_BYTE 0xDC00u

/* A growable array of code points; v is NULL until the first push. */
struct pystr {
	uint32_t *v;
	size_t n, cap;
};

#define PYSTR_INIT { NULL, 0, 0 }

void pystr_push(struct pystr *s, uint32_t c);
/* Frees s->v and empties s. */
void pystr_release(struct pystr *s);
/* Appends str[0..len) decoded as UTF-8, each byte of an invalid sequence
 * as PY_ESCAPED_BYTE + byte. */
void pystr_decode(struct pystr *s, const char *str, size_t len);
/* v[0..n) as a new NUL-terminated UTF-8 string (caller frees), escaped
 * bytes written back as the bytes they stand for. */
char *pystr_encode(const uint32_t *v, size_t n);

/* str.isspace(), all of it. */
bool py_isspace(uint32_t c);
/* c is in string.punctuation (ASCII only). */
bool py_ispunct(uint32_t c);
/* The decimal value of c (Unicode category Nd, Unicode 14 as in Python
 * 3.11), or -1. */
int py_decimal(uint32_t c);
/* c matches \w in a str pattern: exact below U+0100 and for the
 * punctuation and symbol blocks; any other code point but white space
 * and escaped bytes counts as a word character. */
bool py_isword(uint32_t c);
/* str.lower() of c into out (room for 2), returning how many code points
 * it wrote (1, or 2 for U+0130). Exact for Latin, basic Greek, Cyrillic,
 * Armenian, Georgian and a few symbol blocks; other scripts pass through;
 * capital sigma always becomes U+03C3. */
size_t py_lower(uint32_t c, uint32_t *out);

#endif
