/* UTF-8 decoding, encoding, validation and repair (see utf8.h). */
#include <string.h>

#include "util/utf8.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Length of the valid sequence at s (1-4) with its code point in *cp, or
 * 0 when it is invalid. The ranges are those of the Unicode standard,
 * table 3-7. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	uint32_t v;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0Fu;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07u;
	} else {
		return 0;
	}
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	for (size_t i = 1; i < len; i++)
		v = (v << 6) | (s[i] & 0x3Fu);
	*cp = v;
	return len;
}

static size_t seq_len(const unsigned char *s, size_t n)
{
	uint32_t ignored;

	return decode(s, n, &ignored);
}

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	return decode((const unsigned char *)s, n, cp);
}

size_t utf8_encode(uint32_t c, char *s)
{
	if (c < 0x80) {
		s[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		s[0] = (char)(0xC0 | (c >> 6));
		s[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		s[0] = (char)(0xE0 | (c >> 12));
		s[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		s[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	s[0] = (char)(0xF0 | (c >> 18));
	s[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	s[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	s[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		size_t k = seq_len(s + i, n - i);

		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* How many bytes Python's decoder drops as one bad sequence: the maximal
 * prefix of a valid sequence, at least one byte. */
static size_t bad_len(const unsigned char *s, size_t n)
{
	size_t k = 1;

	while (k < n && k < 4) {
		/* s[0..k] is a valid prefix when padding it with continuation
		 * bytes gives a valid sequence. */
		unsigned char tmp[4] = { 0x80, 0x80, 0x80, 0x80 };

		for (size_t i = 0; i <= k; i++)
			tmp[i] = s[i];
		if (seq_len(tmp, 4) == 0)
			break;
		k++;
	}
	return k;
}

char *utf8_repair(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n;) {
		size_t k = seq_len(s + i, n - i);

		if (k) {
			strbuf_add(&sb, s + i, k);
			i += k;
		} else {
			strbuf_adds(&sb, "\xEF\xBF\xBD");
			i += bad_len(s + i, n - i);
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* Whether s[0..n), n < 4, is the start of a valid sequence longer than n. */
static bool starts_char(const unsigned char *s, size_t n)
{
	unsigned char tmp[4] = { 0x80, 0x80, 0x80, 0x80 };

	memcpy(tmp, s, n);
	return seq_len(tmp, 4) > n;
}

size_t utf8_complete_len(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		size_t k = seq_len(s + i, n - i);

		if (k) {
			i += k;
			continue;
		}
		if (n - i < 4 && starts_char(s + i, n - i))
			return i;
		i += bad_len(s + i, n - i);
	}
	return n;
}
