/* The CSV reader: quoting, embedded line breaks, CRLF, blank lines and
 * errors with file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/csv.h"

struct rows {
	struct csv_row row;
	struct csv_reader r;
	struct ie_error err;
};

static void start(struct rows *t, const char *text)
{
	memset(t, 0, sizeof(*t));
	csv_reader_init(&t->r, text, strlen(text), "f.csv", ',');
}

static void expect_row(struct rows *t, long line, size_t n, ...)
{
	va_list ap;

	assert_int_equal(csv_read_row(&t->r, &t->row, &t->err), 1);
	assert_int_equal(t->row.line, line);
	assert_int_equal(t->row.n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(t->row.fields[i], va_arg(ap, const char *));
	va_end(ap);
}

static void expect_end(struct rows *t)
{
	assert_int_equal(csv_read_row(&t->r, &t->row, &t->err), 0);
	csv_row_release(&t->row);
}

static void plain_rows(void **state)
{
	struct rows t;

	(void)state;
	start(&t, "a,b,c\nd,,f\n");
	expect_row(&t, 1, 3, "a", "b", "c");
	expect_row(&t, 2, 3, "d", "", "f");
	expect_end(&t);
}

static void quotes_and_embedded_newlines(void **state)
{
	struct rows t;

	(void)state;
	start(&t, "\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,row\n");
	expect_row(&t, 1, 3, "x, y", "say \"hi\"", "two\nlines");
	expect_row(&t, 3, 2, "next", "row");
	expect_end(&t);
}

static void crlf_rows_keep_inner_crlf(void **state)
{
	struct rows t;

	(void)state;
	start(&t, "a,\"b\r\nc\"\r\nd,e\r\n");
	expect_row(&t, 1, 2, "a", "b\r\nc");
	expect_row(&t, 3, 2, "d", "e");
	expect_end(&t);
}

static void last_row_without_newline_and_blank_lines(void **state)
{
	struct rows t;

	(void)state;
	start(&t, "\n\na,b\n\n\nc,d");
	expect_row(&t, 3, 2, "a", "b");
	expect_row(&t, 6, 2, "c", "d");
	expect_end(&t);
}

static void quote_inside_unquoted_field_is_text(void **state)
{
	struct rows t;

	(void)state;
	start(&t, "5\" pipe,\"q\"tail\n");
	expect_row(&t, 1, 2, "5\" pipe", "qtail");
	expect_end(&t);
}

static void unterminated_quote_names_file_and_line(void **state)
{
	struct rows t;

	(void)state;
	start(&t, "a,b\nc,\"open\nstill open\n");
	expect_row(&t, 1, 2, "a", "b");
	assert_int_equal(csv_read_row(&t.r, &t.row, &t.err), IE_EINPUT);
	assert_non_null(strstr(t.err.msg, "f.csv:2"));
	csv_row_release(&t.row);
}

static void other_separator_and_no_quoting(void **state)
{
	struct rows t;

	(void)state;
	memset(&t, 0, sizeof(t));
	csv_reader_init(&t.r, "a;\"b;c\r\n", 8, "g.csv", ';');
	t.r.quoting = 0;
	expect_row(&t, 1, 3, "a", "\"b", "c");
	expect_end(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_rows),
		cmocka_unit_test(quotes_and_embedded_newlines),
		cmocka_unit_test(crlf_rows_keep_inner_crlf),
		cmocka_unit_test(last_row_without_newline_and_blank_lines),
		cmocka_unit_test(quote_inside_unquoted_field_is_text),
		cmocka_unit_test(unterminated_quote_names_file_and_line),
		cmocka_unit_test(other_separator_and_no_quoting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
