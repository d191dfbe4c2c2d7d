/*
 * test_ieee1284.c - device-ID parsing: long and short keys, trimming, CMD
 * lists, CUPS-style make and model, the serial fallback, bounds and bad
 * IDs, and driver matching scores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/error.h"
#include "handshake/ieee1284.h"

static void parse_ok(const char *s, const char *serial, struct hs_1284_id *id)
{
	if (hs_1284_parse(s, strlen(s), serial, id) != 0)
		fail_msg("'%s': %s", s, hs_last_error());
}

static void test_fields(void **state)
{
	struct hs_1284_id id;
	(void)state;

	parse_ok("MFG:ACME;MDL:LaserJet 9;CMD:PJL, PCL ,POSTSCRIPT;CLS:PRINTER;"
		 "DES:ACME LaserJet 9;SN:X123;", NULL, &id);
	assert_string_equal(id.mfg, "ACME");
	assert_string_equal(id.mdl, "LaserJet 9");
	assert_string_equal(id.cls, "PRINTER");
	assert_string_equal(id.sn, "X123");
	assert_int_equal(id.ncmds, 3);
	assert_string_equal(id.cmds[1], "PCL");
	assert_true(hs_1284_has_cmd(&id, "postscript"));
	assert_false(hs_1284_has_cmd(&id, "ZPL"));
	assert_string_equal(id.make_model, "ACME LaserJet 9");

	/* Long key names, any case, blanks around keys and values. */
	parse_ok(" manufacturer : Zebra Technologies ; Model: ZTC GK420d ;"
		 "COMMAND SET:ZPL;", "ZBR77", &id);
	assert_string_equal(id.mfg, "Zebra Technologies");
	assert_string_equal(id.mdl, "ZTC GK420d");
	assert_string_equal(id.make_model, "Zebra ZTC GK420d");
	assert_string_equal(id.sn, "ZBR77"); /* from USB when SN is missing */
	assert_int_equal(id.ncmds, 1);

	/* The first of a repeated key wins; unknown keys are ignored. */
	parse_ok("MFG:EPSON;MDL:TM-T88V;MDL:other;XYZ:1;CMD:ESC/POS", NULL, &id);
	assert_string_equal(id.mdl, "TM-T88V");
	assert_string_equal(id.make_model, "Epson TM-T88V");
}

static void test_make_model_like_cups(void **state)
{
	static const struct {
		const char *id, *want;
	} t[] = {
		{ "MFG:Hewlett-Packard;MDL:HP LaserJet 4;", "HP LaserJet 4" },
		{ "MFG:HP;MDL:HP LaserJet 4;", "HP LaserJet 4" },
		{ "MFG:HP;MDL:LaserJet 4;", "HP LaserJet 4" },
		{ "MDL:DeskJet 500;", "DeskJet 500" },
		{ "MFG:ACME;DES:ACME Label Printer;", "ACME Label Printer" },
		{ "MFG:ACME;DES:PRINTER;", "ACME Unknown" },
		{ "DES:12345678 90;", "Unknown" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hs_1284_id id;
		parse_ok(t[i].id, NULL, &id);
		if (strcmp(id.make_model, t[i].want) != 0)
			fail_msg("'%s': '%s', wanted '%s'", t[i].id, id.make_model, t[i].want);
	}
}

static void test_bad_ids(void **state)
{
	static const char *const bad[] = {
		"", "MFG ACME;", "CLS:PRINTER;", "MFG:AC\x01ME;", "MFG:ACME;\n",
		"MFG:ACME;garbage;",
	};
	struct hs_1284_id id;
	char huge[HS_1284_MAX + 2];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hs_1284_parse(bad[i], strlen(bad[i]), NULL, &id) != HS_ERR_PROTOCOL)
			fail_msg("'%s' was accepted", bad[i]);
	memset(huge, 'A', sizeof(huge));
	memcpy(huge, "MFG:", 4);
	assert_int_equal(hs_1284_parse(huge, sizeof(huge), NULL, &id), HS_ERR_PROTOCOL);
	assert_non_null(strstr(hs_last_error(), "over 1024"));
	/* An embedded NUL is a control character too. */
	assert_int_equal(hs_1284_parse("MFG:A\0B;", 8, NULL, &id), HS_ERR_PROTOCOL);
}

static void test_long_values_are_cut(void **state)
{
	char s[HS_1284_MAX];
	struct hs_1284_id id;
	(void)state;

	memset(s, 'M', sizeof(s));
	memcpy(s, "MDL:", 4);
	assert_int_equal(hs_1284_parse(s, sizeof(s), NULL, &id), 0);
	assert_int_equal(strlen(id.mdl), HS_1284_FIELD - 1);
}

static void test_match(void **state)
{
	struct hs_1284_id id;
	(void)state;

	parse_ok("MFG:HP;MDL:LaserJet 4000;CMD:PJL,PCL;", NULL, &id);
	assert_int_equal(hs_1284_match(&id, NULL, NULL, NULL), 1);
	assert_true(hs_1284_match(&id, NULL, NULL, "PJL") > 1);
	assert_int_equal(hs_1284_match(&id, NULL, NULL, "ZPL"), 0);
	assert_int_equal(hs_1284_match(&id, "Zebra", NULL, NULL), 0);
	assert_true(hs_1284_match(&id, "hp", "laserjet", "PJL") >
		    hs_1284_match(&id, "hp", NULL, "PJL"));
	assert_int_equal(hs_1284_match(&id, "HP", "DeskJet", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_make_model_like_cups),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_long_values_are_cut),
		cmocka_unit_test(test_match),
	};
	return cmocka_run_group_tests_name("ieee1284", tests, NULL, NULL);
}
