/* Utilities: strbuf limits, Python-compatible strip, UTF-8 repair, SHA-256,
 * atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/utf8.h"

static void strbuf_grows_and_formats(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_true(strncmp(sb.buf, "0,1,2,", 6) == 0);
	assert_true(strcmp(sb.buf + sb.len - 4, "999,") == 0);
	assert_int_equal(sb.err, 0);
	strbuf_release(&sb);
}

static void strbuf_max_sets_sticky_error(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8);
	strbuf_adds(&sb, "12345");
	strbuf_adds(&sb, "6789");
	assert_int_equal(sb.err, 1);
	assert_string_equal(sb.buf, "12345");
	strbuf_adds(&sb, "a");
	assert_string_equal(sb.buf, "12345");
	strbuf_release(&sb);
}

static void strip_like_python(void **state)
{
	char *s;

	(void)state;
	s = text_strip(" \t\n B. foo \r\n\v\f");
	assert_string_equal(s, "B. foo");
	free(s);
	s = text_strip("\xC2\xA0" "A\xE3\x80\x80");
	assert_string_equal(s, "A");
	free(s);
	s = text_strip("\x1c x \x1f");
	assert_string_equal(s, "x");
	free(s);
	s = text_strip("   ");
	assert_string_equal(s, "");
	free(s);
	/* U+00E9 is not white space: its bytes must stay. */
	s = text_strip("\xC3\xA9 ");
	assert_string_equal(s, "\xC3\xA9");
	free(s);
}

static void utf8_repair_like_python_replace(void **state)
{
	char *s;

	(void)state;
	assert_true(utf8_valid("h\xC3\xA9llo", 6));
	assert_false(utf8_valid("\xE2\x82", 2));
	/* A cut-off 3-byte character is one replacement character. */
	s = utf8_repair("ab\xE2\x82", 4);
	assert_string_equal(s, "ab\xEF\xBF\xBD");
	free(s);
	/* Lone continuation bytes are one replacement each. */
	s = utf8_repair("\x80\x80x", 3);
	assert_string_equal(s, "\xEF\xBF\xBD\xEF\xBF\xBDx");
	free(s);
	/* E0 80 is never valid: E0 alone is replaced, then 80. */
	s = utf8_repair("\xE0\x80", 2);
	assert_string_equal(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
	free(s);
}

static void complete_len_cuts_a_started_character(void **state)
{
	(void)state;
	assert_int_equal(utf8_complete_len("ab", 2), 2);
	assert_int_equal(utf8_complete_len("a\xC3", 2), 1);
	assert_int_equal(utf8_complete_len("a\xE2\x82", 3), 1);
	assert_int_equal(utf8_complete_len("a\xE2\x82\xAC", 4), 4);
	/* Bytes no further byte can make valid are not a started character. */
	assert_int_equal(utf8_complete_len("a\xFF", 2), 2);
	assert_int_equal(utf8_complete_len("\xE0\x80", 2), 2);
	assert_int_equal(utf8_complete_len("\x80\xC3", 2), 1);
}

/* The decoder takes well-formed sequences only (table 3-7), and the
 * encoder writes back what it read. */
static void utf8_decode_and_encode(void **state)
{
	static const char *const good[] = { "A", "\xC3\xA9", "\xE2\x82\xAC", "\xED\x9F\xBF",
					    "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF" };
	static const uint32_t cps[] = { 0x41, 0xE9, 0x20AC, 0xD7FF, 0x1F600, 0x10FFFF };
	static const char *const bad[] = { "\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
					   "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xE2\x82" };
	char out[4];
	uint32_t cp;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t n = strlen(good[i]);

		assert_int_equal(utf8_decode(good[i], n, &cp), n);
		assert_int_equal(cp, cps[i]);
		assert_int_equal(utf8_encode(cp, out), n);
		assert_memory_equal(out, good[i], n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(utf8_decode(bad[i], strlen(bad[i]), &cp), 0);
	/* the length bounds the sequence, not the NUL */
	assert_int_equal(utf8_decode("\xE2\x82\xAC", 2, &cp), 0);
}

/* settled(text, label): the verdict of "starts with label" can no longer
 * change, whatever follows the text. */
static int settled(const char *text, const char *label)
{
	return text_match_settled(text, strlen(text), label);
}

static void match_settles_like_the_protocol(void **state)
{
	(void)state;
	assert_false(settled("", "A"));
	assert_false(settled(" \n", "A"));      /* white space only: not yet */
	assert_true(settled(" A", "A"));         /* starts with it: correct */
	assert_true(settled("A is right", "A")); /* what follows cannot matter */
	assert_true(settled(" B", "A"));         /* wrong */
	assert_false(settled("A", "AB"));        /* a prefix of the label: open */
	assert_false(settled("A ", "A B"));
	assert_true(settled("AC", "AB"));
	assert_true(settled("A\n", "AB"));     /* strip() cannot make it "AB..." */
	assert_false(settled("\xC3", "\xC3\xA9")); /* half a character */
	assert_false(settled("\xC3", "x"));
	assert_true(settled("\xC3\xA9", "\xC3\xA9"));
	assert_false(settled("\xC3\xA9", "\xC3\xA9t\xC3\xA9"));
	assert_true(settled("\xFF", "x"));     /* replaced by U+FFFD: wrong */
	assert_true(settled("\xC2\xA0" "A", "A")); /* U+00A0 is stripped */
	assert_true(settled("x", ""));
}

static void sha256_known_digests(void **state)
{
	struct sha256 s;
	char hex[65];
	char *million = malloc(1000000);

	(void)state;
	sha256_init(&s);
	sha256_final_hex(&s, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_init(&s);
	sha256_update(&s, "abc", 3);
	sha256_final_hex(&s, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_init(&s);
	sha256_update(&s, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56);
	sha256_final_hex(&s, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, million + i * 1000, 1000);
	sha256_final_hex(&s, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_hex(million, 1000000, hex); /* in one piece */
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(million);
}

static void atomic_write_replaces_whole_file(void **state)
{
	char dir[] = "/tmp/ie-test-XXXXXX", *path, *data;
	struct ie_error err = { 0 };
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = path_join(dir, "f.json");
	assert_int_equal(file_write_atomic(path, "first", 5, &err), 0);
	assert_int_equal(file_write_atomic(path, "second", 6, &err), 0);
	assert_int_equal(file_read(path, &data, &len, &err), 0);
	assert_string_equal(data, "second");
	free(data);
	assert_int_equal(file_read("/nonexistent/x", &data, &len, &err), IE_EINPUT);
	assert_non_null(strstr(err.msg, "/nonexistent/x"));
	unlink(path);
	rmdir(dir);
	free(path);
}

static void parse_numbers_strictly(void **state)
{
	long v;
	double d;

	(void)state;
	assert_int_equal(text_parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(text_parse_long("42x", 0, 100, &v), -1);
	assert_int_equal(text_parse_long("101", 0, 100, &v), -1);
	assert_int_equal(text_parse_long("", 0, 100, &v), -1);
	assert_int_equal(text_parse_double("2.5", &d), 0);
	assert_true(d == 2.5);
	assert_int_equal(text_parse_double("inf", &d), -1);
}

/* JSON lines are read within text[0..len) alone: a blank last line once
 * made the blank test (strspn) read on past it (found by fuzz_jsonl; the
 * ASan build sees a read past this exact-size block). */
static void json_lines_stay_within_len(void **state)
{
	static const char lines[] = "{\"a\": 1}\n\n \t\r\n  \t";
	size_t len = sizeof(lines) - 1;
	char *text = malloc(len);
	struct ie_error err = { 0 };
	json_t *arr = NULL;

	(void)state;
	memcpy(text, lines, len);
	assert_int_equal(json_lines_parse(text, len, "t.jsonl", &arr, &err), 0);
	assert_int_equal(json_array_size(arr), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "a")), 1);
	json_decref(arr);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strbuf_grows_and_formats),
		cmocka_unit_test(strbuf_max_sets_sticky_error),
		cmocka_unit_test(strip_like_python),
		cmocka_unit_test(utf8_repair_like_python_replace),
		cmocka_unit_test(complete_len_cuts_a_started_character),
		cmocka_unit_test(utf8_decode_and_encode),
		cmocka_unit_test(match_settles_like_the_protocol),
		cmocka_unit_test(sha256_known_digests),
		cmocka_unit_test(atomic_write_replaces_whole_file),
		cmocka_unit_test(parse_numbers_strictly),
		cmocka_unit_test(json_lines_stay_within_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
