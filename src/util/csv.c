/* The CSV reader of csv.h: a small state machine over a memory buffer. */
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/utf8.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

void csv_reader_init(struct csv_reader *r, const char *data, size_t len, const char *path,
		     char sep)
{
	r->p = data;
	r->end = data + len;
	r->path = path;
	r->line = 1;
	r->sep = sep;
	r->quoting = 1;
}

static void clear_fields(struct csv_row *row)
{
	for (size_t i = 0; i < row->n; i++)
		free(row->fields[i]);
	row->n = 0;
}

void csv_row_release(struct csv_row *row)
{
	clear_fields(row);
	free(row->fields);
	memset(row, 0, sizeof(*row));
}

static void push_field(struct csv_row *row, struct strbuf *cell)
{
	XGROW(row->fields, row->cap, row->n + 1);
	row->fields[row->n++] = strbuf_detach(cell, NULL);
}

/* At a line end (LF or CRLF) at r->p? Returns its length or 0. */
static size_t line_end(const struct csv_reader *r)
{
	if (r->p < r->end && *r->p == '\n')
		return 1;
	if (r->p + 1 < r->end && r->p[0] == '\r' && r->p[1] == '\n')
		return 2;
	if (r->p + 1 == r->end && *r->p == '\r')
		return 1;
	return 0;
}

/* Reads a quoted cell starting after its opening quote. */
static int read_quoted(struct csv_reader *r, struct strbuf *cell, long start_line,
		       struct ie_error *err)
{
	for (;;) {
		if (r->p >= r->end)
			return ie_error_set(err, IE_EINPUT,
					    "%s:%ld: unterminated quoted field", r->path,
					    start_line);
		if (*r->p == '"') {
			if (r->p + 1 < r->end && r->p[1] == '"') {
				strbuf_addc(cell, '"');
				r->p += 2;
				continue;
			}
			r->p++;
			return 0;
		}
		if (*r->p == '\n')
			r->line++;
		strbuf_addc(cell, *r->p++);
	}
}

/* The files are UTF-8, as Python reads them: a cell that is not is an
 * error there, and here, never a silently different prompt. */
static int check_utf8(const struct csv_reader *r, const struct csv_row *row,
		      struct ie_error *err)
{
	for (size_t i = 0; i < row->n; i++)
		if (!utf8_valid(row->fields[i], strlen(row->fields[i])))
			return ie_error_set(err, IE_EINPUT, "%s:%ld: column %zu is not valid UTF-8",
					    r->path, row->line, i + 1);
	return 1;
}

int csv_read_row(struct csv_reader *r, struct csv_row *row, struct ie_error *err)
{
	struct strbuf cell = STRBUF_INIT;
	size_t eol;

	clear_fields(row);
	while ((eol = line_end(r)) != 0) { /* blank lines */
		r->p += eol;
		r->line++;
	}
	if (r->p >= r->end)
		return 0;
	row->line = r->line;
	for (;;) {
		if (r->quoting && r->p < r->end && *r->p == '"') {
			r->p++;
			if (read_quoted(r, &cell, row->line, err) < 0) {
				strbuf_release(&cell);
				return IE_EINPUT;
			}
		}
		/* Text up to the separator or line end; after a closing quote
		 * Python's csv keeps such text too. */
		while (r->p < r->end && *r->p != r->sep && !line_end(r))
			strbuf_addc(&cell, *r->p++);
		push_field(row, &cell);
		if (r->p < r->end && *r->p == r->sep) {
			r->p++;
			continue;
		}
		eol = line_end(r);
		r->p += eol;
		if (eol)
			r->line++;
		return check_utf8(r, row, err);
	}
}
