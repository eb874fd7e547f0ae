/*
 * Python-compatible text helpers. Python's str.strip() removes Unicode
 * white space too (U+00A0, U+2000-U+200A, U+3000, ...), and model outputs
 * can start with it, so the strip here knows those UTF-8 forms as well.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

bool text_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Length of a Unicode white-space character (as Python's isspace) encoded
 * at s, or 0. Covers U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000. */
static size_t uspace_len(const unsigned char *s, size_t n)
{
	if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
		return 2;
	if (n < 3)
		return 0;
	if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x80 &&
	    (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
		return 3;
	if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
		return 3;
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/* Length of the Unicode white space that ends at s[n-1], or 0. */
static size_t uspace_len_back(const unsigned char *s, size_t n)
{
	if (n >= 2 && uspace_len(s + n - 2, 2) == 2)
		return 2;
	if (n >= 3 && uspace_len(s + n - 3, 3) == 3)
		return 3;
	return 0;
}

void text_strip_span(const char *str, size_t n, size_t *start, size_t *end)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t a = 0, b = n, k;

	for (;;) {
		if (a < b && text_is_space(s[a]))
			a++;
		else if (a < b && (k = uspace_len(s + a, b - a)))
			a += k;
		else
			break;
	}
	for (;;) {
		if (b > a && text_is_space(s[b - 1]))
			b--;
		else if (b > a && (k = uspace_len_back(s + a, b - a)))
			b -= k;
		else
			break;
	}
	*start = a;
	*end = b;
}

char *text_strip(const char *s)
{
	size_t a, b;

	text_strip_span(s, strlen(s), &a, &b);
	return xstrndup(s + a, b - a);
}

bool text_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool text_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int text_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int text_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int text_match_settled(const char *bytes, size_t n, const char *label)
{
	char *text = utf8_repair(bytes, utf8_complete_len(bytes, n));
	size_t start, end, len;
	const char *s;
	int settled;

	text_strip_span(text, strlen(text), &start, &end);
	s = text + start; /* lstrip: trailing white space stays */
	len = strlen(s);
	settled = text_starts_with(s, label) || (len > 0 && !text_starts_with(label, s));
	free(text);
	return settled;
}
