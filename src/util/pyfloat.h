/*
 * Python's float(str) and repr(float), bit for bit, for code that must
 * treat numbers in text the way a Python script does (DROP's evaluation
 * script tests tokens with float() and writes them back with str()).
 */
#ifndef IE_PYFLOAT_H
#define IE_PYFLOAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * float() of the code points t[0..n) (see util/pyunicode.h): true, with
 * the value in *out, when Python accepts the text: Unicode white space
 * around it and Unicode decimal digits allowed, underscores only between
 * digits, a decimal number or inf/infinity/nan with an optional sign, and
 * nothing else (no hexadecimal, unlike strtod). Nothing is kept.
 */
bool pyfloat_parse(const uint32_t *t, size_t n, double *out);

/*
 * repr(x), which str(x) is, into buf (NUL-terminated; size must be 32 at
 * least, which holds any value): the shortest digits that read back as x, positional when the
 * decimal exponent is in [-4, 16), else d.ddde+XX; "nan", "inf", "-inf".
 */
void pyfloat_repr(double x, char *buf, size_t size);

#endif
