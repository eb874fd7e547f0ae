/*
 * Python's str semantics on code points (pyunicode.h). Python's Unicode
 * tables are not carried whole: ASCII, Latin-1 and the common punctuation
 * and symbol blocks are exact; lowercase mappings and word characters
 * elsewhere follow the broad rules of each script, which English text
 * never reaches (see py_lower and py_isword).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/pyunicode.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

void pystr_push(struct pystr *b, uint32_t c)
{
	XGROW(b->v, b->cap, b->n + 1);
	b->v[b->n++] = c;
}

void pystr_release(struct pystr *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

void pystr_decode(struct pystr *out, const char *str, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(str + i, len - i, &cp);

		if (k) {
			pystr_push(out, cp);
			i += k;
		} else {
			pystr_push(out, PY_ESCAPED_BYTE + (unsigned char)str[i]);
			i++;
		}
	}
}

char *pystr_encode(const uint32_t *v, size_t n)
{
	char *s = xmalloc(4 * n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = v[i];

		if (c >= PY_ESCAPED_BYTE + 0x80 && c <= PY_ESCAPED_BYTE + 0xFF)
			s[o++] = (char)(c - PY_ESCAPED_BYTE);
		else
			o += utf8_encode(c, s + o);
	}
	s[o] = '\0';
	return s;
}

/* Python's str.isspace(), all of it. */
bool py_isspace(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
	       c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Python's string.punctuation: ASCII only. */
bool py_ispunct(uint32_t c)
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
int py_decimal(uint32_t c)
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
bool py_isword(uint32_t c)
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
	if (c >= PY_ESCAPED_BYTE + 0x80 && c <= PY_ESCAPED_BYTE + 0xFF)
		return false;
	if (py_isspace(c))
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
size_t py_lower(uint32_t c, uint32_t *out)
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
