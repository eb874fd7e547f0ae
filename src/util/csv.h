/*
 * A CSV reader with the dialect of Python's csv module (and of the
 * benchmark files): fields separated by one character, double-quote
 * quoting with "" for a literal quote, quoted fields that hold separators
 * and line breaks, rows ended by LF or CRLF. Blank lines are skipped.
 * Cells are returned as their text; nothing is converted.
 */
#ifndef IE_CSV_H
#define IE_CSV_H

#include <stddef.h>

#include "instructeval/error.h"

struct csv_reader {
	const char *p, *end;
	const char *path; /* for messages */
	long line;        /* line number of the next character, from 1 */
	char sep;
	int quoting;      /* 0: quotes are plain text (CRASS is read this way) */
};

struct csv_row {
	char **fields;
	size_t n, cap;
	long line; /* line on which the row starts */
};

/* Starts reading data[0..len) (borrowed; it must outlive the reader). */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len, const char *path,
		     char sep);
/* Reads the next row into row (its old fields are freed). Returns 1 for a
 * row, 0 at the end, IE_EINPUT for an unterminated quote or a cell that is
 * not valid UTF-8 (with file:line). */
int csv_read_row(struct csv_reader *r, struct csv_row *row, struct ie_error *err);
void csv_row_release(struct csv_row *row);

#endif
