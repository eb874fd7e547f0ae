/*
 * Python's float(str) and repr(float) (pyfloat.h), with glibc's correctly
 * rounded strtod and printf underneath.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/pyfloat.h"
#include "util/pyunicode.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* Moves *i past the ASCII digits at s + *i; returns how many. */
static size_t skip_digits(const char *s, size_t *i)
{
	size_t n = 0;

	while (s[*i + n] >= '0' && s[*i + n] <= '9')
		n++;
	*i += n;
	return n;
}

/*
 * float(text) for the code points t[0..n): true and *out when Python would
 * accept it. Python maps Unicode white space to ' ' and Unicode decimal
 * digits to ASCII, checks underscores (only between digits), strips white
 * space and then reads a decimal number or inf/infinity/nan with an
 * optional sign, nothing else (no hexadecimal, unlike strtod).
 */
bool pyfloat_parse(const uint32_t *t, size_t n, double *out)
{
	char stack[64], *s = n < sizeof(stack) ? stack : xmalloc(n + 1);
	size_t len = 0, b = 0, e, i;
	char prev = '\0';
	bool ok = false;

	for (i = 0; i < n; i++) {
		char c;
		int d;

		if (py_isspace(t[i]))
			c = ' ';
		else if ((d = py_decimal(t[i])) >= 0)
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
		size_t digits = skip_digits(s, &i);

		if (s[i] == '.') {
			i++;
			digits += skip_digits(s, &i);
		}
		if (!digits)
			goto out;
		if (s[i] == 'e' || s[i] == 'E') {
			i++;
			if (s[i] == '+' || s[i] == '-')
				i++;
			if (!skip_digits(s, &i))
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
void pyfloat_repr(double x, char *buf, size_t size)
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
