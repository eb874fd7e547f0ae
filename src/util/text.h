/*
 * Small text helpers that reproduce Python string behaviour where the
 * protocol depends on it (str.strip, str.startswith), and plain parsing of
 * numbers without atoi.
 */
#ifndef IE_TEXT_H
#define IE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Python's str.isspace() for one ASCII byte (space, \t \n \v \f \r and the
 * separators \x1c-\x1f). */
bool text_is_space(unsigned char c);
/* The span [*start, *end) of s[0..n) left after Python's str.strip(),
 * Unicode white space included. */
void text_strip_span(const char *s, size_t n, size_t *start, size_t *end);
/* A new string: s stripped. */
char *text_strip(const char *s);
bool text_starts_with(const char *s, const char *prefix);
/* Whether the prefix match of a generated text with label is settled
 * (PROTOCOL, "Stopping when decided"), bytes[0..n) being the text's bytes
 * so far: the text, without a trailing incomplete character and
 * left-stripped, starts with label (settled correct), or is non-empty and
 * neither a prefix of label nor label a prefix of it (settled wrong). No
 * further byte can change either verdict. */
int text_match_settled(const char *bytes, size_t n, const char *label);
bool text_ends_with(const char *s, const char *suffix);
/* Parses a whole string as a decimal integer in [min, max]; 0 or -1. */
int text_parse_long(const char *s, long min, long max, long *out);
/* Parses a whole string as a finite double; 0 or -1. */
int text_parse_double(const char *s, double *out);

#endif
