/* The two review parsers of judge.h. Digits are ASCII: the judge models
 * this suite talks to write their scores in ASCII. */
#include <ctype.h>

#include "metrics/judge.h"
#include "util/banned.h"

int judge_parse_reference(const char *review)
{
	int last = -1;

	for (const char *p = review; *p; p++)
		if (*p >= '0' && *p <= '9')
			last = *p - '0';
	return last >= 1 && last <= 5 ? last : 1;
}

static int is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

int judge_parse_strict(const char *review)
{
	for (const char *p = review; *p; p++) {
		if (*p < '1' || *p > '5')
			continue;
		if (p > review && (is_word_char(p[-1]) || p[-1] == '.'))
			continue; /* "10", "x3", "2.5" */
		if (is_word_char(p[1]))
			continue;
		if (p[1] == '.' && isdigit((unsigned char)p[2]))
			continue; /* "4.5" */
		return *p - '0';
	}
	return 0;
}
