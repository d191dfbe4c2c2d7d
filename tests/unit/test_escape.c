/*
 * test_escape.c - hs_escape(): each mode's output for hostile device
 * strings (quotes, backslashes, control and high bytes, "../", option-like
 * and empty names), cuts that never split an escape or lose the closing
 * quote, and the errors for no room.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/handshake.h"

static void test_json(void **state)
{
	char out[64];
	(void)state;

	assert_int_equal(hs_escape(out, sizeof(out), "a\"b\\c\n\x01\xff", HS_ESCAPE_JSON), 27);
	assert_string_equal(out, "\"a\\\"b\\\\c\\u000a\\u0001\\u00ff\"");
	assert_int_equal(hs_escape(out, sizeof(out), NULL, HS_ESCAPE_JSON), 2);
	assert_string_equal(out, "\"\"");
	/* cut: whole escapes only, and the closing quote kept */
	assert_int_equal(hs_escape(out, 9, "ab\ncd", HS_ESCAPE_JSON), HS_ERR_OVERFLOW);
	assert_string_equal(out, "\"ab\"");
	assert_int_equal(hs_escape(out, 2, "x", HS_ESCAPE_JSON), HS_ERR_ARG);
}

static void test_name(void **state)
{
	char out[32];
	(void)state;

	assert_int_equal(hs_escape(out, sizeof(out), "LaserJet 9", HS_ESCAPE_NAME), 10);
	assert_string_equal(out, "LaserJet_9");
	/* no leading dot, dash or underscore; runs become one '_'; no
	 * trailing '_'; '/' and '=' never pass */
	hs_escape(out, sizeof(out), "../..//etc=x", HS_ESCAPE_NAME);
	assert_string_equal(out, "etc_x");
	hs_escape(out, sizeof(out), "--rf \"$(id)\"\n", HS_ESCAPE_NAME);
	assert_string_equal(out, "rf_id");
	assert_int_equal(hs_escape(out, sizeof(out), "\x01\x02", HS_ESCAPE_NAME), 0);
	assert_string_equal(out, "");
	assert_int_equal(hs_escape(out, 6, "abcdefgh", HS_ESCAPE_NAME), HS_ERR_OVERFLOW);
	assert_string_equal(out, "abcde");
}

static void test_text_and_c(void **state)
{
	char out[64];
	(void)state;

	assert_int_equal(hs_escape(out, sizeof(out), "ok\r\n\x7f\xc3\xa9", HS_ESCAPE_TEXT), 7);
	assert_string_equal(out, "ok?????");
	/* the lab's transcript spelling: \r \n \t \\ \" and \xHH */
	assert_int_equal(hs_escape(out, sizeof(out), "AT\r\n\t\\\"\x1b", HS_ESCAPE_C), 18);
	assert_string_equal(out, "\"AT\\r\\n\\t\\\\\\\"\\x1B\"");
	assert_int_equal(hs_escape(out, 7, "\x1b\x1b", HS_ESCAPE_C), HS_ERR_OVERFLOW);
	assert_string_equal(out, "\"\\x1B\"");
	assert_int_equal(hs_escape(out, 0, "x", HS_ESCAPE_TEXT), HS_ERR_ARG);
	assert_int_equal(hs_escape(out, sizeof(out), "x", (enum hs_escape_mode)9), HS_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_text_and_c),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
