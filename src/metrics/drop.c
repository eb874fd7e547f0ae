/*
 * DROP's exact match and F1 (drop.h). The script works on Python strings,
 * so spans are decoded to code points first and every step mirrors the
 * Python one it stands for: str.lower(), float() as a number test,
 * str(float()) as number formatting, the regex \b(a|an|the)\b, str.split().
 * Python's Unicode tables are not carried whole: ASCII, Latin-1 and the
 * common punctuation and symbol blocks are exact; lowercase mappings and
 * word characters elsewhere follow the broad rules of each script, which
 * English answers never reach (see lower_cp and is_word_cp).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metrics/drop.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- code points ---- */

struct cpbuf {
	uint32_t *v;
	size_t n, cap;
};

static void cp_push(struct cpbuf *b, uint32_t c)
{
	XGROW(b->v, b->cap, b->n + 1);
	b->v[b->n++] = c;
}

/* Bytes that are not valid UTF-8 become U+DC80..U+DCFF (lone surrogates,
 * which valid UTF-8 never yields), so they survive the round trip as they
 * were, as with Python's surrogateescape. */
#define ESCAPED_BYTE 0xDC00u

static void decode_utf8(const char *str, size_t len, struct cpbuf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t need, j;

		if (c < 0x80) {
			cp_push(out, c);
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			cp = c & 0x1Fu;
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			cp = c & 0x0Fu;
			need = 2;
		} else if (c >= 0xF0 && c <= 0xF4) {
			cp = c & 0x07u;
			need = 3;
		} else {
			cp_push(out, ESCAPED_BYTE + c);
			i++;
			continue;
		}
		for (j = 1; j <= need && i + j < len; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				break;
			cp = (cp << 6) | (s[i + j] & 0x3Fu);
		}
		/* truncated, overlong, a surrogate or past U+10FFFF */
		if (j <= need || (need == 2 && cp < 0x800) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF)) {
			cp_push(out, ESCAPED_BYTE + c);
			i++;
			continue;
		}
		cp_push(out, cp);
		i += need + 1;
	}
}

static void encode_utf8(const uint32_t *v, size_t n, char **out)
{
	char *s = xmalloc(4 * n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = v[i];

		if (c >= ESCAPED_BYTE + 0x80 && c <= ESCAPED_BYTE + 0xFF) {
			s[o++] = (char)(c - ESCAPED_BYTE);
		} else if (c < 0x80) {
			s[o++] = (char)c;
		} else if (c < 0x800) {
			s[o++] = (char)(0xC0 | (c >> 6));
			s[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			s[o++] = (char)(0xE0 | (c >> 12));
			s[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			s[o++] = (char)(0xF0 | (c >> 18));
			s[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			s[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	s[o] = '\0';
	*out = s;
}

/* Python's str.isspace(), all of it. */
static bool is_space_cp(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
	       c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Python's string.punctuation: ASCII only. */
static bool is_punct_cp(uint32_t c)
{
	return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
	       (c >= 0x7B && c <= 0x7E);
}

/* Where each run of decimal digits (Unicode category Nd, Unicode 14 as in
 * Python 3.11) starts: float() reads all of them. */
static const uint32_t digit_zeros[] = {
	0x30,	 0x660,	  0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,
	0xbe6,	 0xc66,	  0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,
	0x1090,	 0x17e0,  0x1810,  0x1946,  0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,
	0x1c40,	 0x1c50,  0xa620,  0xa8d0,  0xa900,  0xa9d0,  0xa9f0,  0xaa50,  0xabf0,
	0xff10,	 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450,
	0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0,
	0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140,
	0x1e2f0, 0x1e950, 0x1fbf0,
};

/* The decimal value of c, or -1. */
static int digit_value(uint32_t c)
{
	size_t lo = 0, hi = sizeof(digit_zeros) / sizeof(digit_zeros[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (digit_zeros[mid] + 10 <= c)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof(digit_zeros) / sizeof(digit_zeros[0]) && c >= digit_zeros[lo])
		return (int)(c - digit_zeros[lo]);
	return -1;
}

/*
 * Python's \w for str patterns: alphanumeric in Python's sense (letters,
 * and characters with a decimal, digit or numeric value) or '_'. Exact
 * below U+0100 and for the punctuation and symbol blocks listed; any
 * other non-ASCII code point counts as a word character, which is right
 * for letters of every script but wrong for their combining marks and
 * punctuation. It only matters next to a bare a/an/the.
 */
static bool is_word_cp(uint32_t c)
{
	static const uint32_t nonword[][2] = {
		{ 0x80, 0xA9 },	    { 0xAB, 0xB1 },	{ 0xB4, 0xB4 },	    { 0xB6, 0xB8 },
		{ 0xBB, 0xBB },	    { 0xBF, 0xBF },	{ 0xD7, 0xD7 },	    { 0xF7, 0xF7 },
		{ 0x2C2, 0x2C5 },   { 0x2D2, 0x2DF },	{ 0x2E5, 0x2EB },   { 0x2ED, 0x2ED },
		{ 0x2EF, 0x36F },   { 0x375, 0x375 },	{ 0x37E, 0x37E },   { 0x384, 0x385 },
		{ 0x387, 0x387 },   { 0x3F6, 0x3F6 },	{ 0x482, 0x489 },   { 0x2000, 0x206F },
		{ 0x207A, 0x207E }, { 0x208A, 0x208E }, { 0x20A0, 0x20FF }, { 0x2100, 0x2101 },
		{ 0x2103, 0x2106 }, { 0x2108, 0x2109 }, { 0x2114, 0x2114 }, { 0x2116, 0x2118 },
		{ 0x211E, 0x2123 }, { 0x2125, 0x2125 }, { 0x2127, 0x2127 }, { 0x2129, 0x2129 },
		{ 0x212E, 0x212E }, { 0x213A, 0x213B }, { 0x2140, 0x2144 }, { 0x214A, 0x214D },
		{ 0x214F, 0x214F }, { 0x218A, 0x218B }, { 0x2190, 0x245F },
		{ 0x249C, 0x24E9 }, { 0x2500, 0x2775 }, { 0x2794, 0x2BFF }, { 0x2E00, 0x2E7F },
		{ 0x3000, 0x3004 }, { 0x3008, 0x3020 }, { 0x3030, 0x3030 }, { 0xFE00, 0xFE6F },
		{ 0xFF01, 0xFF0F }, { 0xFF1A, 0xFF20 }, { 0xFF3B, 0xFF40 }, { 0xFF5B, 0xFF65 },
		{ 0xFFE0, 0xFFFF }, { 0x1F000, 0x1F0FF }, { 0x1F10D, 0x1FAFF },
		/* private use, and planes 3 to 16 past the last CJK letters of
		 * Unicode 14 (unassigned, tags, variation selectors) */
		{ 0xE000, 0xF8FF }, { 0x2FA1E, 0x2FFFF }, { 0x3134B, 0x10FFFF },
	};

	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       c == '_';
	if (c >= ESCAPED_BYTE + 0x80 && c <= ESCAPED_BYTE + 0xFF)
		return false;
	if (is_space_cp(c))
		return false;
	for (size_t i = 0; i < sizeof(nonword) / sizeof(nonword[0]); i++)
		if (c >= nonword[i][0] && c <= nonword[i][1])
			return false;
	return true;
}

/*
 * Python's str.lower() for one code point, into out (1 or 2 code points;
 * the count is returned). Exact for Latin (U+0000-U+024F and U+1E00-
 * U+1EFF), basic Greek, Cyrillic, Armenian, Georgian, the letterlike
 * symbols, Roman numerals, circled letters and the fullwidth forms;
 * other scripts pass through unchanged. Greek final sigma is not
 * contextual here: capital sigma always becomes U+03C3.
 */
static size_t lower_cp(uint32_t c, uint32_t *out)
{
	uint32_t l = c;

	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			l = c + 32;
	} else if (c < 0x100) {
		if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
			l = c + 32;
	} else if (c == 0x130) {
		/* capital I with dot above: 'i' + combining dot above */
		out[0] = 'i';
		out[1] = 0x307;
		return 2;
	} else if (c < 0x180) {
		if (c == 0x178)
			l = 0xFF;
		else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			l = (c & 1u) ? c + 1 : c;
		else if (c != 0x138 && c != 0x149 && c != 0x17F)
			l = (c & 1u) ? c : c + 1;
	} else if (c < 0x250) {
		static const uint16_t latin_b[][2] = {
			{ 0x181, 0x253 }, { 0x182, 0x183 }, { 0x184, 0x185 }, { 0x186, 0x254 },
			{ 0x187, 0x188 }, { 0x189, 0x256 }, { 0x18A, 0x257 }, { 0x18B, 0x18C },
			{ 0x18E, 0x1DD }, { 0x18F, 0x259 }, { 0x190, 0x25B }, { 0x191, 0x192 },
			{ 0x193, 0x260 }, { 0x194, 0x263 }, { 0x196, 0x269 }, { 0x197, 0x268 },
			{ 0x198, 0x199 }, { 0x19C, 0x26F }, { 0x19D, 0x272 }, { 0x19F, 0x275 },
			{ 0x1A0, 0x1A1 }, { 0x1A2, 0x1A3 }, { 0x1A4, 0x1A5 }, { 0x1A6, 0x280 },
			{ 0x1A7, 0x1A8 }, { 0x1A9, 0x283 }, { 0x1AC, 0x1AD }, { 0x1AE, 0x288 },
			{ 0x1AF, 0x1B0 }, { 0x1B1, 0x28A }, { 0x1B2, 0x28B }, { 0x1B3, 0x1B4 },
			{ 0x1B5, 0x1B6 }, { 0x1B7, 0x292 }, { 0x1B8, 0x1B9 }, { 0x1BC, 0x1BD },
			{ 0x1C4, 0x1C6 }, { 0x1C5, 0x1C6 }, { 0x1C7, 0x1C9 }, { 0x1C8, 0x1C9 },
			{ 0x1CA, 0x1CC }, { 0x1CB, 0x1CC }, { 0x1F1, 0x1F3 }, { 0x1F2, 0x1F3 },
			{ 0x1F4, 0x1F5 }, { 0x1F6, 0x195 }, { 0x1F7, 0x1BF }, { 0x220, 0x19E },
			{ 0x23A, 0x2C65 }, { 0x23B, 0x23C }, { 0x23D, 0x19A }, { 0x23E, 0x2C66 },
			{ 0x241, 0x242 }, { 0x243, 0x180 }, { 0x244, 0x289 }, { 0x245, 0x28C },
		};

		for (size_t i = 0; i < sizeof(latin_b) / sizeof(latin_b[0]); i++)
			if (latin_b[i][0] == c)
				l = latin_b[i][1];
		/* the runs of case pairs, capital first on the odd or even side */
		if ((c >= 0x1CD && c <= 0x1DC) && (c & 1u))
			l = c + 1;
		if (((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) ||
		     (c >= 0x222 && c <= 0x233) || (c >= 0x246 && c <= 0x24F)) &&
		    !(c & 1u))
			l = c + 1;
	} else if (c >= 0x370 && c < 0x400) {
		if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
			l = c + 32;
		else if (c == 0x386)
			l = 0x3AC;
		else if (c >= 0x388 && c <= 0x38A)
			l = c + 37;
		else if (c == 0x38C)
			l = 0x3CC;
		else if (c == 0x38E || c == 0x38F)
			l = c + 63;
		else if (c == 0x37F)
			l = 0x3F3;
		else if (c == 0x370 || c == 0x372 || c == 0x376)
			l = c + 1;
		else if (c == 0x3CF)
			l = 0x3D7;
		else if (c >= 0x3D8 && c <= 0x3EF && !(c & 1u))
			l = c + 1;
		else if (c == 0x3F4)
			l = 0x3B8;
		else if (c == 0x3F7 || c == 0x3FA)
			l = c + 1;
		else if (c == 0x3F9)
			l = 0x3F2;
		else if (c >= 0x3FD && c <= 0x3FF)
			l = c - 130;
	} else if (c >= 0x400 && c < 0x530) {
		if (c <= 0x40F)
			l = c + 80;
		else if (c <= 0x42F)
			l = c + 32;
		else if (c >= 0x460 && c <= 0x481 && !(c & 1u))
			l = c + 1;
		else if (c >= 0x48A && c <= 0x4BF && !(c & 1u))
			l = c + 1;
		else if (c == 0x4C0)
			l = 0x4CF;
		else if (c >= 0x4C1 && c <= 0x4CE && (c & 1u))
			l = c + 1;
		else if (c >= 0x4D0 && !(c & 1u))
			l = c + 1;
	} else if (c >= 0x531 && c <= 0x556) {
		l = c + 48;
	} else if ((c >= 0x10A0 && c <= 0x10C5) || c == 0x10C7 || c == 0x10CD) {
		l = c + 7264;
	} else if (c >= 0x1E00 && c <= 0x1EFF) {
		if (c == 0x1E9E)
			l = 0xDF;
		else if ((c <= 0x1E95 || c >= 0x1EA0) && !(c & 1u))
			l = c + 1;
	} else if (c >= 0x2126 && c <= 0x2183) {
		if (c == 0x2126)
			l = 0x3C9; /* ohm sign */
		else if (c == 0x212A)
			l = 'k'; /* kelvin sign */
		else if (c == 0x212B)
			l = 0xE5; /* angstrom sign */
		else if (c == 0x2132)
			l = 0x214E;
		else if (c >= 0x2160 && c <= 0x216F)
			l = c + 16; /* Roman numerals */
		else if (c == 0x2183)
			l = 0x2184;
	} else if (c >= 0x24B6 && c <= 0x24CF) {
		l = c + 26; /* circled letters */
	} else if (c >= 0xFF21 && c <= 0xFF3A) {
		l = c + 32;
	}
	out[0] = l;
	return 1;
}

/* ---- numbers, as Python's float() and str(float) ---- */

/*
 * float(text) for the code points t[0..n): true and *out when Python would
 * accept it. Python maps Unicode white space to ' ' and Unicode decimal
 * digits to ASCII, checks underscores (only between digits), strips white
 * space and then reads a decimal number or inf/infinity/nan with an
 * optional sign, nothing else (no hexadecimal, unlike strtod).
 */
static bool parse_number(const uint32_t *t, size_t n, double *out)
{
	char stack[64], *s = n < sizeof(stack) ? stack : xmalloc(n + 1);
	size_t len = 0, b = 0, e, i;
	char prev = '\0';
	bool ok = false;

	for (i = 0; i < n; i++) {
		char c;
		int d;

		if (is_space_cp(t[i]))
			c = ' ';
		else if ((d = digit_value(t[i])) >= 0)
			c = (char)('0' + d);
		else if (t[i] < 0x80 && t[i] != 0)
			c = (char)t[i];
		else
			goto out;
		if (c == '_') {
			if (!(prev >= '0' && prev <= '9'))
				goto out;
		} else {
			if (prev == '_' && !(c >= '0' && c <= '9'))
				goto out;
			s[len++] = c;
		}
		prev = c;
	}
	if (prev == '_')
		goto out;
	s[len] = '\0';
	while (b < len && s[b] == ' ')
		b++;
	e = len;
	while (e > b && s[e - 1] == ' ')
		e--;
	s[e] = '\0';

	i = b;
	if (s[i] == '+' || s[i] == '-')
		i++;
	{
		double sign = s[b] == '-' ? -1.0 : 1.0;

		if (!strcasecmp(s + i, "inf") || !strcasecmp(s + i, "infinity")) {
			*out = sign * HUGE_VAL;
			ok = true;
			goto out;
		}
		if (!strcasecmp(s + i, "nan")) {
			*out = copysign(NAN, sign);
			ok = true;
			goto out;
		}
	}
	{
		size_t digits = 0;

		while (s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
		if (s[i] == '.') {
			i++;
			while (s[i] >= '0' && s[i] <= '9') {
				i++;
				digits++;
			}
		}
		if (!digits)
			goto out;
		if (s[i] == 'e' || s[i] == 'E') {
			size_t exp_digits = 0;

			i++;
			if (s[i] == '+' || s[i] == '-')
				i++;
			while (s[i] >= '0' && s[i] <= '9') {
				i++;
				exp_digits++;
			}
			if (!exp_digits)
				goto out;
		}
		if (i != e)
			goto out;
	}
	/* glibc's strtod rounds correctly, as Python's own does; overflow
	 * gives +-inf and underflow 0 in both */
	*out = strtod(s + b, NULL);
	ok = true;
out:
	if (s != stack)
		free(s);
	return ok;
}

/*
 * The p-digit decimal next to d.ddd * 10^exp10 (digits[0..p)), one unit
 * in the last place up (step 1) or down (step -1), written as %e would be.
 */
static void step_digits(const char *digits, int p, int exp10, int step, char *out,
			size_t size)
{
	char d[20];
	int i;

	memcpy(d, digits, (size_t)p);
	for (i = p - 1; i >= 0; i--) {
		if (step > 0 && d[i] == '9') {
			d[i] = '0';
		} else if (step < 0 && d[i] == '0') {
			d[i] = '9';
		} else {
			d[i] = (char)(d[i] + step);
			break;
		}
	}
	if (step > 0 && i < 0) {
		d[0] = '1'; /* 9.99 -> 10.0: the rest are zeros already */
		exp10++;
	} else if (step < 0 && d[0] == '0') {
		for (i = 0; i < p; i++)
			d[i] = '9'; /* 1.00 -> 0.999: one more digit of 9s */
		exp10--;
	}
	snprintf(out, size, "%c%s%.*se%d", d[0], p > 1 ? "." : "", p - 1, d + 1, exp10);
}

/*
 * Python's repr(float), which str(float) is: the shortest digit string
 * that reads back as x (the nearest such one when there are several), in
 * positional notation when the decimal exponent is in [-4, 16), else as
 * d.ddde+XX. The correctly rounded p-digit string is the nearest, but it
 * can miss when x is a power of two, whose rounding interval is narrower
 * below than above; a neighbour can still read back then.
 */
static void float_repr(double x, char *buf, size_t size)
{
	char tmp[48], digits[20];
	size_t nd = 0, o = 0;
	int exp10, decpt, p;
	double ax = fabs(x);
	const char *q;

	if (isnan(x)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(x)) {
		snprintf(buf, size, "%s", x < 0 ? "-inf" : "inf");
		return;
	}
	if (x == 0) {
		snprintf(buf, size, "%s", signbit(x) ? "-0.0" : "0.0");
		return;
	}
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, ax);
		if (strtod(tmp, NULL) == ax)
			break;
		if (p < 17) {
			char near[20], alt[48];
			size_t n = 0;
			int e;

			for (q = tmp; *q != 'e'; q++)
				if (*q != '.')
					near[n++] = *q;
			e = (int)strtol(q + 1, NULL, 10);
			step_digits(near, p, e, strtod(tmp, NULL) < ax ? 1 : -1, alt, sizeof(alt));
			if (strtod(alt, NULL) == ax) {
				memcpy(tmp, alt, sizeof(tmp));
				break;
			}
		}
	}
	if (x < 0)
		buf[o++] = '-';
	for (q = tmp; *q != 'e'; q++)
		if (*q != '.')
			digits[nd++] = *q;
	exp10 = (int)strtol(q + 1, NULL, 10);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	decpt = exp10 + 1;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			buf[o++] = '0';
			buf[o++] = '.';
			for (int z = decpt; z < 0; z++)
				buf[o++] = '0';
			for (size_t i = 0; i < nd; i++)
				buf[o++] = digits[i];
		} else {
			for (int i = 0; i < decpt; i++)
				buf[o++] = (size_t)i < nd ? digits[i] : '0';
			buf[o++] = '.';
			if ((size_t)decpt >= nd)
				buf[o++] = '0';
			for (size_t i = (size_t)decpt; i < nd; i++)
				buf[o++] = digits[i];
		}
		buf[o] = '\0';
	} else {
		buf[o++] = digits[0];
		if (nd > 1) {
			buf[o++] = '.';
			for (size_t i = 1; i < nd; i++)
				buf[o++] = digits[i];
		}
		snprintf(buf + o, size - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	}
}

/* ---- normalisation ---- */

struct word {
	char *s;
	bool number; /* float(s) would succeed */
};

struct span {
	struct word *w; /* in order, repeats kept */
	size_t n, cap;
	char *norm;	   /* the words joined by ' ' */
	struct word **bag; /* the distinct words, sorted */
	size_t nbag;
};

static void add_word(struct span *sp, const uint32_t *v, size_t n)
{
	double ignored;

	XGROW(sp->w, sp->cap, sp->n + 1);
	encode_utf8(v, n, &sp->w[sp->n].s);
	sp->w[sp->n].number = parse_number(v, n, &ignored);
	sp->n++;
}

static bool run_is_article(const uint32_t *v, size_t n)
{
	static const char *const articles[] = { "a", "an", "the" };

	for (size_t a = 0; a < 3; a++) {
		size_t len = strlen(articles[a]);
		size_t i;

		if (len != n)
			continue;
		for (i = 0; i < n && v[i] == (uint32_t)articles[a][i]; i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

/* One token of _tokenize(): white_space_fix(remove_articles(
 * normalize_number(remove_punc(lower(token))))), its words added to sp. */
static void normalize_token(const uint32_t *t, size_t n, struct span *sp)
{
	struct cpbuf tok = { NULL, 0, 0 }, fixed = { NULL, 0, 0 };
	double x;
	size_t i, start;

	for (i = 0; i < n; i++) {
		uint32_t low[2];
		size_t m = lower_cp(t[i], low);

		for (size_t j = 0; j < m; j++)
			cp_push(&tok, low[j]);
	}
	if (!parse_number(tok.v, tok.n, &x)) {
		size_t o = 0;

		for (i = 0; i < tok.n; i++)
			if (!is_punct_cp(tok.v[i]))
				tok.v[o++] = tok.v[i];
		tok.n = o;
	}
	if (parse_number(tok.v, tok.n, &x)) {
		char repr[40];

		float_repr(x, repr, sizeof(repr));
		tok.n = 0;
		for (i = 0; repr[i]; i++)
			cp_push(&tok, (unsigned char)repr[i]);
	}
	/* \b(a|an|the)\b matches exactly a maximal run of word characters
	 * that spells an article; it becomes one space */
	for (i = 0; i < tok.n;) {
		if (!is_word_cp(tok.v[i])) {
			cp_push(&fixed, tok.v[i++]);
			continue;
		}
		start = i;
		while (i < tok.n && is_word_cp(tok.v[i]))
			i++;
		if (run_is_article(tok.v + start, i - start)) {
			cp_push(&fixed, ' ');
		} else {
			for (size_t j = start; j < i; j++)
				cp_push(&fixed, tok.v[j]);
		}
	}
	for (i = 0; i < fixed.n;) {
		if (is_space_cp(fixed.v[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < fixed.n && !is_space_cp(fixed.v[i]))
			i++;
		add_word(sp, fixed.v + start, i - start);
	}
	free(tok.v);
	free(fixed.v);
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp((*(struct word *const *)a)->s, (*(struct word *const *)b)->s);
}

/* _answer_to_bags for one span: the normalised string and the set of its
 * words. The span is split into tokens at every ' ' and '-'. */
static void span_init(struct span *sp, const char *text)
{
	struct cpbuf all = { NULL, 0, 0 };
	size_t start = 0, len = 0;

	memset(sp, 0, sizeof(*sp));
	decode_utf8(text, strlen(text), &all);
	for (size_t i = 0; i <= all.n; i++) {
		if (i == all.n || all.v[i] == ' ' || all.v[i] == '-') {
			normalize_token(all.v + start, i - start, sp);
			start = i + 1;
		}
	}
	free(all.v);

	for (size_t i = 0; i < sp->n; i++)
		len += strlen(sp->w[i].s) + 1;
	sp->norm = xmalloc(len + 1);
	len = 0;
	for (size_t i = 0; i < sp->n; i++) {
		size_t l = strlen(sp->w[i].s);

		if (i)
			sp->norm[len++] = ' ';
		memcpy(sp->norm + len, sp->w[i].s, l);
		len += l;
	}
	sp->norm[len] = '\0';

	sp->bag = xmalloc((sp->n ? sp->n : 1) * sizeof(*sp->bag));
	for (size_t i = 0; i < sp->n; i++)
		sp->bag[i] = &sp->w[i];
	if (sp->n)
		qsort(sp->bag, sp->n, sizeof(*sp->bag), cmp_word);
	for (size_t i = 0; i < sp->n; i++)
		if (!sp->nbag || strcmp(sp->bag[sp->nbag - 1]->s, sp->bag[i]->s))
			sp->bag[sp->nbag++] = sp->bag[i];
}

static void span_release(struct span *sp)
{
	for (size_t i = 0; i < sp->n; i++)
		free(sp->w[i].s);
	free(sp->w);
	free(sp->norm);
	free(sp->bag);
}

char *drop_normalize(const char *text)
{
	struct span sp;
	char *norm;

	span_init(&sp, text);
	norm = sp.norm;
	sp.norm = NULL;
	span_release(&sp);
	return norm;
}

/* ---- scoring ---- */

static size_t bag_intersection(const struct span *a, const struct span *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->nbag && j < b->nbag) {
		int c = strcmp(a->bag[i]->s, b->bag[j]->s);

		if (c == 0) {
			n++;
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

/* _compute_f1, with the script's float operations in its order. */
static double bag_f1(const struct span *pred, const struct span *gold)
{
	double inter = (double)bag_intersection(pred, gold);
	double precision = pred->nbag ? inter / (double)pred->nbag : 1.0;
	double recall = gold->nbag ? inter / (double)gold->nbag : 1.0;

	if (precision == 0.0 && recall == 0.0)
		return 0.0;
	return (2 * precision * recall) / (precision + recall);
}

/* _match_numbers_if_present: false only when the gold bag has numbers and
 * the predicted bag has none of the same words. */
static bool numbers_match(const struct span *gold, const struct span *pred)
{
	bool gold_has = false;

	for (size_t i = 0; i < gold->nbag; i++) {
		if (!gold->bag[i]->number)
			continue;
		gold_has = true;
		for (size_t j = 0; j < pred->nbag; j++)
			if (pred->bag[j]->number && !strcmp(pred->bag[j]->s, gold->bag[i]->s))
				return true;
	}
	return !gold_has;
}

/*
 * Hungarian method on a rows x cols cost matrix with rows <= cols,
 * minimising: rows are added one at a time, each by a shortest augmenting
 * path under the potentials u, v (all 1-based, column 0 is the virtual
 * start). row_of_col[c] is the row given column c, 0 for none.
 */
static void hungarian(const double *cost, size_t rows, size_t cols, size_t *row_of_col)
{
	double *u = xcalloc(rows + 1, sizeof(*u));
	double *v = xcalloc(cols + 1, sizeof(*v));
	double *minv = xmalloc((cols + 1) * sizeof(*minv));
	size_t *way = xcalloc(cols + 1, sizeof(*way));
	bool *used = xmalloc((cols + 1) * sizeof(*used));

	memset(row_of_col, 0, (cols + 1) * sizeof(*row_of_col));
	for (size_t r = 1; r <= rows; r++) {
		size_t c0 = 0;

		row_of_col[0] = r;
		for (size_t c = 0; c <= cols; c++) {
			minv[c] = INFINITY;
			used[c] = false;
		}
		do {
			size_t r0 = row_of_col[c0], c1 = 0;
			double delta = INFINITY;

			used[c0] = true;
			for (size_t c = 1; c <= cols; c++) {
				double cur;

				if (used[c])
					continue;
				cur = cost[(r0 - 1) * cols + (c - 1)] - u[r0] - v[c];
				if (cur < minv[c]) {
					minv[c] = cur;
					way[c] = c0;
				}
				if (minv[c] < delta) {
					delta = minv[c];
					c1 = c;
				}
			}
			for (size_t c = 0; c <= cols; c++) {
				if (used[c]) {
					u[row_of_col[c]] += delta;
					v[c] -= delta;
				} else {
					minv[c] -= delta;
				}
			}
			c0 = c1;
		} while (row_of_col[c0] != 0);
		do {
			size_t c1 = way[c0];

			row_of_col[c0] = row_of_col[c1];
			c0 = c1;
		} while (c0);
	}
	free(u);
	free(v);
	free(minv);
	free(way);
	free(used);
}

double drop_max_assignment(const double *w, size_t rows, size_t cols, size_t *col_of_row)
{
	bool transpose = rows > cols;
	size_t a = transpose ? cols : rows, b = transpose ? rows : cols;
	double *cost, total = 0;
	size_t *row_of_col;

	for (size_t r = 0; r < rows; r++)
		col_of_row[r] = (size_t)-1;
	if (!rows || !cols)
		return 0;
	cost = xmalloc(a * b * sizeof(*cost));
	row_of_col = xmalloc((b + 1) * sizeof(*row_of_col));
	for (size_t i = 0; i < a; i++)
		for (size_t j = 0; j < b; j++)
			cost[i * b + j] = -(transpose ? w[j * cols + i] : w[i * cols + j]);
	hungarian(cost, a, b, row_of_col);
	for (size_t j = 1; j <= b; j++) {
		size_t i;

		if (!row_of_col[j])
			continue;
		i = row_of_col[j] - 1;
		if (transpose)
			col_of_row[j - 1] = i;
		else
			col_of_row[i] = j - 1;
	}
	for (size_t r = 0; r < rows; r++)
		if (col_of_row[r] != (size_t)-1)
			total += w[r * cols + col_of_row[r]];
	free(cost);
	free(row_of_col);
	return total;
}

/* numpy's pairwise summation (np.add.reduce on a contiguous float64
 * array, starting from 0), so that np.mean rounds the same way. */
static double numpy_sum(const double *a, size_t n)
{
	double res = 0.0;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8];

		for (i = 0; i < 8; i++)
			r[i] = a[i];
		for (i = 8; i < n - (n % 8); i += 8)
			for (size_t j = 0; j < 8; j++)
				r[j] += a[i + j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	{
		size_t n2 = n / 2;

		n2 -= n2 % 8;
		return numpy_sum(a, n2) + numpy_sum(a + n2, n - n2);
	}
}

static bool same_span_sets(const struct span *p, size_t np_, const struct span *g, size_t ng)
{
	/* set(pred) == set(gold) and equal lengths: every string of each list
	 * is somewhere in the other */
	if (np_ != ng)
		return false;
	for (size_t i = 0; i < np_; i++) {
		size_t j;

		for (j = 0; j < ng && strcmp(p[i].norm, g[j].norm); j++)
			;
		if (j == ng)
			return false;
	}
	for (size_t j = 0; j < ng; j++) {
		size_t i;

		for (i = 0; i < np_ && strcmp(p[i].norm, g[j].norm); i++)
			;
		if (i == np_)
			return false;
	}
	return true;
}

void drop_metrics(const char *const *pred, size_t n_pred, const char *const *gold,
		  size_t n_gold, double *em, double *f1)
{
	struct span *ps = xcalloc(n_pred ? n_pred : 1, sizeof(*ps));
	struct span *gs = xcalloc(n_gold ? n_gold : 1, sizeof(*gs));
	size_t nmax = n_pred > n_gold ? n_pred : n_gold;
	double *scores = xcalloc(n_gold * n_pred + 1, sizeof(*scores));
	double *per_row = xcalloc(nmax + 1, sizeof(*per_row));
	size_t *col_of_row = xmalloc((n_gold + 1) * sizeof(*col_of_row));

	for (size_t i = 0; i < n_pred; i++)
		span_init(&ps[i], pred[i]);
	for (size_t i = 0; i < n_gold; i++)
		span_init(&gs[i], gold[i]);
	*em = same_span_sets(ps, n_pred, gs, n_gold) ? 1.0 : 0.0;

	for (size_t g = 0; g < n_gold; g++)
		for (size_t p = 0; p < n_pred; p++)
			if (numbers_match(&gs[g], &ps[p]))
				scores[g * n_pred + p] = bag_f1(&ps[p], &gs[g]);
	drop_max_assignment(scores, n_gold, n_pred, col_of_row);
	/* the script keeps each gold row's assigned score at the row's index
	 * in an array of max(n_gold, n_pred) zeros and takes its mean */
	for (size_t g = 0; g < n_gold; g++)
		if (col_of_row[g] != (size_t)-1)
			per_row[g] = scores[g * n_pred + col_of_row[g]];
	if (nmax == 0)
		*f1 = NAN;
	else
		*f1 = nearbyint(numpy_sum(per_row, nmax) / (double)nmax * 100.0) / 100.0;

	for (size_t i = 0; i < n_pred; i++)
		span_release(&ps[i]);
	for (size_t i = 0; i < n_gold; i++)
		span_release(&gs[i]);
	free(ps);
	free(gs);
	free(scores);
	free(per_row);
	free(col_of_row);
}

/* str.strip() of s is empty */
static bool blank(const char *s)
{
	struct cpbuf b = { NULL, 0, 0 };
	bool all_space = true;

	decode_utf8(s, strlen(s), &b);
	for (size_t i = 0; i < b.n && all_space; i++)
		all_space = is_space_cp(b.v[i]);
	free(b.v);
	return all_space;
}

void drop_metrics_max(const char *const *pred, size_t n_pred, const char *const *const *golds,
		      const size_t *n_golds, size_t n_answers, double *em, double *f1)
{
	*em = 0.0;
	*f1 = 0.0;
	for (size_t a = 0; a < n_answers; a++) {
		double e, f;

		if (!n_golds[a] || blank(golds[a][0]))
			continue;
		drop_metrics(pred, n_pred, golds[a], n_golds[a], &e, &f);
		if (e > *em)
			*em = e;
		if (f > *f1)
			*f1 = f;
	}
}
