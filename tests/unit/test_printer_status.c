/*
 * test_printer_status.c - each printer driver's status parser on good,
 * malformed and truncated replies, driver matching, and what a USB
 * printer's GET_PORT_STATUS byte says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/usb.h"
#include "printer_driver.h"
#include "printer_priv.h"

static int parse(const struct hs_printer_driver *d, const char *s, size_t n,
		 struct hs_printer_status *st, size_t *used)
{
	*used = 0;
	return d->parse_status(s, n, st, used);
}

#define PARSE(d, lit, st, used) parse(d, lit, sizeof(lit) - 1, st, used)

static void test_pjl(void **state)
{
	const struct hs_printer_driver *d = &hs_printer_pjl;
	struct hs_printer_status st;
	size_t used;
	static const char ready[] =
		"@PJL INFO STATUS\r\nCODE=10001\r\nDISPLAY=\"00 READY\"\r\nONLINE=TRUE\r\n\f";
	static const char paper[] =
		"\r\n@PJL USTATUS DEVICE\r\nCODE=41000\r\nDISPLAY=\"LOAD \x07PAPER\"\r\nONLINE=FALSE\r\n\fNEXT";
	(void)state;

	assert_int_equal(PARSE(d, ready, &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.code, 10001);
	assert_int_equal(st.flags, 0);
	assert_string_equal(st.detail, "10001 00 READY");
	assert_int_equal(used, sizeof(ready) - 1);

	assert_int_equal(PARSE(d, paper, &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_PAPER_OUT | HS_PST_OFFLINE);
	assert_string_equal(st.detail, "41000 LOAD PAPER"); /* BEL dropped */
	assert_int_equal(used, sizeof(paper) - 1 - 4);       /* "NEXT" stays */

	assert_int_equal(PARSE(d, "@PJL USTATUS DEVICE\r\nCODE=40021\r\n\f", &st, &used),
			 HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_COVER_OPEN | HS_PST_OFFLINE);
	assert_int_equal(PARSE(d, "@PJL USTATUS DEVICE\r\nCODE=10002\r\n\f", &st, &used),
			 HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_OFFLINE);
	assert_int_equal(PARSE(d, "@PJL USTATUS DEVICE\r\nCODE=11200\r\n\f", &st, &used),
			 HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_PAPER_LOW);

	/* Truncated: wait for more. */
	assert_int_equal(PARSE(d, "@PJL INFO STATUS\r\nCODE=100", &st, &used), HS_STATUS_PARTIAL);
	assert_int_equal(PARSE(d, "@PJ", &st, &used), HS_STATUS_PARTIAL);
	assert_int_equal(parse(d, ready, 0, &st, &used), HS_STATUS_PARTIAL);
	/* Malformed. */
	assert_int_equal(PARSE(d, "HELLO\f", &st, &used), HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "@PJL INFO STATUS\r\nDISPLAY=\"X\"\r\n\f", &st, &used),
			 HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "@PJL INFO STATUS\r\nCODE=1x001\r\n\f", &st, &used),
			 HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "@PJL INFO ID\r\n\"LaserJet\"\r\n\f", &st, &used),
			 HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "@PJL INFO STATUS\r\nCODE=\r\n\f", &st, &used),
			 HS_STATUS_MALFORMED);
	char endless[3000];
	memset(endless, 'A', sizeof(endless));
	memcpy(endless, "@PJL USTATUS ", 13);
	assert_int_equal(parse(d, endless, sizeof(endless), &st, &used), HS_STATUS_MALFORMED);
}

static void test_escpos(void **state)
{
	const struct hs_printer_driver *d = &hs_printer_escpos;
	struct hs_printer_status st;
	size_t used;
	(void)state;

	assert_int_equal(PARSE(d, "\x12\x12\x12", &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, 0);
	assert_int_equal(used, 3);
	/* Offline, cover open, paper end stop; roll sensor: end. */
	assert_int_equal(PARSE(d, "\x1a\x36\x72", &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_OFFLINE | HS_PST_COVER_OPEN | HS_PST_PAPER_OUT);
	/* Near end only. */
	assert_int_equal(PARSE(d, "\x12\x12\x1e", &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_PAPER_LOW);
	assert_int_equal(PARSE(d, "\x12\x12\x12\x12", &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(used, 3);

	assert_int_equal(PARSE(d, "\x12", &st, &used), HS_STATUS_PARTIAL);
	assert_int_equal(PARSE(d, "\x12\x52", &st, &used), HS_STATUS_PARTIAL);
	assert_int_equal(PARSE(d, "OK\r\n", &st, &used), HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "\x12\x92\x12", &st, &used), HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "\x13\x12\x12", &st, &used), HS_STATUS_MALFORMED);
}

static void test_zpl(void **state)
{
	const struct hs_printer_driver *d = &hs_printer_zpl;
	struct hs_printer_status st;
	size_t used;
	static const char ok[] =
		"\x02" "030,0,0,0245,000,0,0,0,000,0,0,0\x03\r\n"
		"\x02" "001,0,0,0,1,2,4,0,00000000,1,000\x03\r\n"
		"\x02" "1234,0\x03\r\n";
	static const char trouble[] =
		"\x02" "030,1,1,0245,000,1,0,0,000,0,0,1\x03\r\n"
		"\x02" "001,0,1,1,1,2,4,0,00000000,1,000\x03\r\n"
		"\x02" "1234,0\x03\r\n";
	(void)state;

	assert_int_equal(PARSE(d, ok, &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, 0);
	assert_string_equal(st.detail, "ready");
	assert_int_equal(used, sizeof(ok) - 1);
	assert_int_equal(PARSE(d, trouble, &st, &used), HS_STATUS_COMPLETE);
	assert_int_equal(st.flags, HS_PST_PAPER_OUT | HS_PST_PAUSED | HS_PST_BUSY |
				   HS_PST_ERROR | HS_PST_COVER_OPEN);
	assert_string_equal(st.detail, "paper out paused buffer full head hot head open ribbon out");

	/* Truncated at every length: never complete, never a crash. */
	for (size_t n = 0; n < sizeof(ok) - 3; n++)
		assert_int_equal(parse(d, ok, n, &st, &used), HS_STATUS_PARTIAL);
	/* Malformed: a field missing, a flag not 0/1, no STX. */
	assert_int_equal(PARSE(d, "\x02" "030,0,0,0245,000,0,0,0,000,0,0\x03\r\n"
				  "\x02" "001,0,0,0,1,2,4,0,00000000,1,000\x03\r\n"
				  "\x02" "1234,0\x03\r\n", &st, &used), HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "\x02" "030,2,0,0245,000,0,0,0,000,0,0,0\x03\r\n"
				  "\x02" "001,0,0,0,1,2,4,0,00000000,1,000\x03\r\n"
				  "\x02" "1234,0\x03\r\n", &st, &used), HS_STATUS_MALFORMED);
	assert_int_equal(PARSE(d, "030,0,0\r\n", &st, &used), HS_STATUS_MALFORMED);
}

static void test_matching(void **state)
{
	struct hs_1284_id id;
	(void)state;

	assert_int_equal(hs_1284_parse("MFG:HP;MDL:LaserJet 4000;CMD:PJL,PCL;", 37, NULL, &id), 0);
	assert_ptr_equal(hs_printer_driver_match(&id, 0x03f0, 0x0417), &hs_printer_pjl);
	assert_int_equal(hs_1284_parse("MFG:EPSON;MDL:TM-T88V;CMD:ESC/POS;", 34, NULL, &id), 0);
	assert_ptr_equal(hs_printer_driver_match(&id, -1, -1), &hs_printer_escpos);
	assert_ptr_equal(hs_printer_driver_match(NULL, 0x04b8, 0x0202), &hs_printer_escpos);
	assert_ptr_equal(hs_printer_driver_match(NULL, 0x0a5f, 0x0099), &hs_printer_zpl);
	assert_ptr_equal(hs_printer_driver_match(NULL, 0x1234, 0x5678), &hs_printer_generic);
	assert_ptr_equal(hs_printer_driver_match(NULL, -1, -1), &hs_printer_generic);
	assert_ptr_equal(hs_printer_driver_find("zpl"), &hs_printer_zpl);
	assert_null(hs_printer_driver_find("postscript"));
	/* Every row of every driver says which device it came from. */
	for (int i = 0; hs_printer_drivers[i]; i++)
		for (size_t j = 0; j < hs_printer_drivers[i]->nmatch; j++)
			assert_non_null(hs_printer_drivers[i]->match[j].why);
}

/* USB GET_PORT_STATUS bytes as the job engine and --status read them. */
static void test_port_status(void **state)
{
	static const struct {
		int bits;
		unsigned flags;
	} t[] = {
		{ HS_PORT_SELECTED | HS_PORT_NOT_ERROR, 0 },                     /* 0x18 ready */
		{ HS_PORT_PAPER_EMPTY, HS_PST_PAPER_OUT },                        /* 0x20 */
		/* paper out drags select and fault along: the cause is named */
		{ HS_PORT_PAPER_EMPTY | HS_PORT_SELECTED, HS_PST_PAPER_OUT },     /* 0x30 */
		{ HS_PORT_NOT_ERROR, HS_PST_OFFLINE },                            /* 0x08 */
		{ 0, HS_PST_OFFLINE },
		{ HS_PORT_SELECTED, HS_PST_ERROR },                               /* 0x10 */
		{ 0xff & ~HS_PORT_PAPER_EMPTY, 0 },     /* reserved bits are ignored */
	};
	struct hs_printer_status st;
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		hs_printer_port_flags(t[i].bits, &st);
		assert_int_equal(st.known, 1);
		assert_int_equal(st.code, -1);
		if (st.flags != t[i].flags)
			fail_msg("0x%02x: flags 0x%x, wanted 0x%x", (unsigned)t[i].bits, st.flags,
				 t[i].flags);
	}
	hs_printer_port_flags(0x20, &st);
	assert_string_equal(st.detail, "USB port status 0x20");
}

static void test_quirk_rows(void **state)
{
	const char *device;
	size_t n;
	const struct hs_printer_quirk_row *rows = hs_printer_quirk_rows(&n);
	(void)state;

	/* one product, a whole vendor, both at once, and nothing */
	assert_int_equal(hs_printer_quirks(0x03f0, 0x0004, &device), HS_PQ_UNIDIRECTIONAL);
	assert_string_equal(device, "HP DeskJet 895C");
	assert_int_equal(hs_printer_quirks(0x03f0, 0x0005, NULL), 0);
	assert_int_equal(hs_printer_quirks(0x0a5f, 0x0123, NULL), HS_PQ_UNIDIRECTIONAL);
	assert_int_equal(hs_printer_quirks(0x04e8, 0x330f, NULL),
			 HS_PQ_UNIDIRECTIONAL | HS_PQ_RESET_AFTER_JOB);
	assert_int_equal(hs_printer_quirks(0x04e8, 0x1234, NULL), HS_PQ_RESET_AFTER_JOB);
	assert_int_equal(hs_printer_quirks(-1, -1, &device), 0);
	assert_null(device);
	/* every row names its device and why, with where it was reported */
	for (size_t i = 0; i < n; i++) {
		assert_non_null(rows[i].device);
		assert_non_null(strchr(rows[i].why, '('));
		assert_true(rows[i].quirks != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pjl),
		cmocka_unit_test(test_escpos),
		cmocka_unit_test(test_zpl),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_quirk_rows),
		cmocka_unit_test(test_port_status),
	};
	return cmocka_run_group_tests_name("printer_status", tests, NULL, NULL);
}
