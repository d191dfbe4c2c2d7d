/*
 * test_ieee1284.c - device-ID parsing: long and short keys, trimming, CMD
 * lists, CUPS-style make and model, the serial fallback, bounds and bad
 * IDs, and driver matching scores; a table of real printers' IDs from
 * public sources with the make, model and driver each must give; and
 * malformed IDs as they come off the wire (GET_DEVICE_ID replies with
 * bad length prefixes, decoded by usb_pure.c, then parsed); and make and
 * model equal to CUPS's on every row of cups_make_model.tsv.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/error.h"
#include "handshake/ieee1284.h"
#include "printer_driver.h"
#include "usb_priv.h"

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
	assert_string_equal(id.make_model, "Zebra Technologies ZTC GK420d");
	assert_string_equal(id.sn, "ZBR77"); /* from USB when SN is missing */
	assert_int_equal(id.ncmds, 1);

	/* As in CUPS: the last of a repeated key wins, the long name beats
	 * the short one, unknown keys are ignored. */
	parse_ok("MFG:EPSON;MDL:TM-T88V;MDL:other;XYZ:1;CMD:ESC/POS", NULL, &id);
	assert_string_equal(id.mdl, "other");
	assert_string_equal(id.make_model, "EPSON other");
	parse_ok("MODEL:Laser 5;MDL:Laser 6;MFG:ACME;COMMAND SET:PJL;CMD:ZPL;", NULL, &id);
	assert_string_equal(id.mdl, "Laser 5");
	assert_true(hs_1284_has_cmd(&id, "PJL"));
	assert_false(hs_1284_has_cmd(&id, "ZPL"));
}

/* Each rule of CUPS's derivation once. Every expected string is CUPS's
 * own: these IDs were run through cups_make_model.sh like the table. */
static void test_make_model_like_cups(void **state)
{
	static const struct {
		const char *id, *want;
	} t[] = {
		{ "MFG:Hewlett-Packard;MDL:HP LaserJet 4;", "HP LaserJet 4" },
		{ "MFG:HP;MDL:HP LaserJet 4;", "HP LaserJet 4" },
		{ "MFG:HP;MDL:LaserJet 4;", "HP LaserJet 4" },
		{ "MFG:ACME;MDL:ACMEjet 5;", "ACMEjet 5" },       /* MDL starts with MFG */
		{ "MFG:Hewlett-Packard;MDL:hp;", "HP hp" },
		{ "MFG:Lexmark International;MDL:E2;", "Lexmark  E2" },
		{ "MDL:DeskJet 500;", "HP DeskJet 500" },
		{ "MDL:designjet 7;", "HP designjet 7" },
		{ "MDL:laserwriter 8;", "Apple LaserWriter 8" },
		{ "MDL:Eastman Kodak 1;", "Kodak  Kodak 1" },
		{ "MDL:xprint 2;", "Xerox xprint 2" },
		{ "MDL:ColorPoint 3;", "Seiko ColorPoint 3" },
		{ "MDL:Fiery X;", "EFI Fiery X" },
		{ "MDL:PS 1;", "Canon PS 1" },
		{ "MDL:colorpass 5;", "Canon colorpass 5" },
		{ "MDL:(Kodak Printer) x;", "Kodak Printer" },
		{ "MFG:Agfa;MDL:Accuset 1000;", "AGFA Accuset 1000" },
		{ "MFG:herk;MDL:herk 9;", "LHAG 9" },
		{ "MFG:Linotype;MDL:Linotype-Hell 3;", "LHAG-Hell 3" },
		{ "MFG:ACME;DES:ACME Label Printer;", "ACME Label Printer" },
		{ "DES:hp deskjet 990c;", "hp deskjet 990c" },
		{ "MFG:ACME;DES:PRINTER;", "Unknown" },
		{ "DES:12345678 90;", "Unknown" },
		{ "MFG:ACME;MDL:;", "ACME" },                   /* an empty MDL is one */
		{ "MFG:ACME;MDL: ;DES:ACME Big One;", "ACME" },
		{ "MFG:HPX;MFG:HP;MDL:HP LaserJet;", "HP LaserJet" },
		{ "MFG:ACME;MDL:Model 1;MDL:", "ACME Model 1" }, /* no value: no pair */
		{ "MFG:ACME;garbage;MDL:X;", "Unknown" }, /* the key runs to the next ':' */
		{ "MFG:HP;MDL:Laser", "HP Laser" },
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
		"", "MFG ACME;", "CLS:PRINTER;", "MFG:AC\x01ME;", "MFG:ACME;\nMDL:X;", " \r\n",
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

/* Real IDs, each as its public source prints it, with the make and model
 * CUPS would show and the driver hs_printer_driver_match must pick. */
static void test_real_world_ids(void **state)
{
	static const struct {
		const char *id, *make_model, *driver;
		int ncmds;
	} t[] = {
		/* cups-filters ppd/Fuji_Xerox-DocuPrint_CM305_df-PDF.ppd (Debian
		 * cups-filters: /usr/share/ppd/cupsfilters/) */
		{ "MFG:FUJI XEROX;CMD:PJL,PCLXL,PCL,PDF,HBPL,POSTSCRIPT;MDL:DocuPrint CM305 df;"
		  "DES:FUJI XEROX DocuPrint CM305 df;CLS:PRINTER;",
		  "FUJI XEROX DocuPrint CM305 df", "pjl", 6 },
		/* cups-filters ppd/HP-Color_LaserJet_CM3530_MFP-PDF.ppd: PJL is
		 * listed twice, MDL repeats the make */
		{ "MFG:Hewlett-Packard;CMD:PJL,BIDI-ECP,PCLXL,PCL,PDF,PJL,POSTSCRIPT;"
		  "MDL:HP Color LaserJet CM3530 MFP;CLS:PRINTER;"
		  "DES:Hewlett-Packard Color LaserJet CM3530 MFP;DRV:DPDF,R0,M0;",
		  "HP Color LaserJet CM3530 MFP", "pjl", 7 },
		/* cups-filters ppd/Generic-PDF_Printer-PDF.ppd */
		{ "MFG:Generic;CMD:PJL,PDF;MDL:PDF Printer;CLS:PRINTER;DES:Generic PDF Printer;"
		  "DRV:DPDF,R1,M0;",
		  "Generic PDF Printer", "pjl", 2 },
		/* cups-filters ppd/Ricoh-PDF_Printer-PDF.ppd */
		{ "MFG:RICOH;CMD:PJL,PDF;MDL:PDF Printer;CLS:PRINTER;DES:Ricoh PDF Printer;"
		  "DRV:DPDF,R1,M0;",
		  "RICOH PDF Printer", "pjl", 2 },
		/* CUPS ppdc/sample.drv, "LaserJet Series PCL 4/5" and "DeskJet
		 * Series" (Debian cups: /usr/share/cups/drv/sample.drv) */
		{ "MFG:HP;MDL:HP LaserJet;CMD:PCL;", "HP LaserJet", "generic", 1 },
		{ "MFG:HP;MDL:HP DeskJet;CMD:PCL;", "HP DeskJet", "generic", 1 },
		/* cups-filters drv/cupsfilters.drv, the IPP Everywhere model */
		{ "MFG:Generic;MDL:IPP Everywhere Printer;DES:Generic IPP Everywhere Printer;"
		  "CLS:PRINTER;CMD:PWGRaster;DRV:Dpwgraster,R1,M0;",
		  "Generic IPP Everywhere Printer", "generic", 1 },
		/* michaelrsweet/lprint lprint-zpl.h, Zebra ZD611d: long key names
		 * and a blank before the ';' */
		{ "MANUFACTURER:Zebra Technologies ;COMMAND SET:ZPL;MODEL:ZTC ZD611-203dpi ZPL;",
		  "Zebra Technologies ZTC ZD611-203dpi ZPL", "zpl", 1 },
		/* michaelrsweet/lprint lprint-zpl.h, Zebra GX420d */
		{ "MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;MODEL:ZTC GX420d;",
		  "Zebra Technologies ZTC GX420d", "zpl", 1 },
		/* michaelrsweet/lprint lprint-brother.h, Brother QL-820NWB */
		{ "MFG:Brother;CMD:PT-CBP;MDL:QL-820NWB;", "Brother QL-820NWB", "generic", 1 },
		/* Brother's own QL-820NWB CUPS PPD (QL820NWB.PPD): blanks after
		 * the colons and no final ';' */
		{ "MFG: Brother;MDL: QL-820NWB", "Brother QL-820NWB", "generic", 0 },
		/* an Epson ESC/P-R inkjet PPD (ET-3830 Series): upper-case EPSON
		 * in DES, Epson in MFG, no CMD */
		{ "MFG:Epson;MDL:ET-3830 Series;DES:EPSON ET-3830 Series;",
		  "Epson ET-3830 Series", "generic", 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hs_1284_id id;
		const struct hs_printer_driver *d;

		parse_ok(t[i].id, NULL, &id);
		if (strcmp(id.make_model, t[i].make_model) != 0)
			fail_msg("'%s': make and model '%s', wanted '%s'", t[i].id,
				 id.make_model, t[i].make_model);
		if (id.ncmds != t[i].ncmds)
			fail_msg("'%s': %d command sets, wanted %d", t[i].id, id.ncmds,
				 t[i].ncmds);
		d = hs_printer_driver_match(&id, -1, -1);
		if (strcmp(d->name, t[i].driver) != 0)
			fail_msg("'%s': driver %s, wanted %s", t[i].id, d->name, t[i].driver);
	}
}

/* CUPS's sample.drv also has "CMD:PCL;" and "CMD:PS;": match patterns for
 * any PCL or PostScript printer, not IDs a device sends. As an ID they
 * name nothing, and are refused. */
static void test_pattern_is_not_an_id(void **state)
{
	struct hs_1284_id id;
	(void)state;

	assert_int_equal(hs_1284_parse("CMD:PCL;", 8, NULL, &id), HS_ERR_PROTOCOL);
	assert_non_null(strstr(hs_last_error(), "no manufacturer, model or description"));
	assert_int_equal(hs_1284_parse("CMD:PS;", 7, NULL, &id), HS_ERR_PROTOCOL);
}

/* A GET_DEVICE_ID reply of got bytes (for a cap-byte request) through the
 * length decoding and the parser, as hs_link_device_id and
 * hs_printer_open do it. Returns the parse result; *id is filled. */
static int from_wire(const uint8_t *reply, size_t got, size_t cap, struct hs_1284_id *id)
{
	size_t len;
	int off = hs_usb_id_span(reply, got, cap, &len);

	memset(id, 0, sizeof(*id));
	if (off < 0)
		return HS_ERR_PROTOCOL;
	return hs_1284_parse((const char *)reply + off, len, "USBSERIAL", id);
}

static void test_malformed_on_the_wire(void **state)
{
	/* "MFG:HP;MDL:LaserJet 4;" is 22 bytes: 24 with its length */
	static const uint8_t be[] = "\x00\x18" "MFG:HP;MDL:LaserJet 4;";
	static const uint8_t le[] = "\x18\x00" "MFG:HP;MDL:LaserJet 4;";
	/* a length that does not count itself: the last 2 bytes are lost,
	 * as CUPS loses them too; what is left still names the printer */
	static const uint8_t short2[] = "\x00\x16" "MFG:HP;MDL:LaserJet 4;";
	/* more promised than sent: cut to what came */
	static const uint8_t over[] = "\x01\x00" "MFG:HP;MDL:LaserJet 4;";
	/* zero both ways: no ID at all */
	static const uint8_t zero[] = "\x00\x00" "MFG:HP;MDL:LaserJet 4;";
	/* an embedded NUL ends the ID where C code would end it */
	static const uint8_t nul[] = "\x00\x18" "MFG:HP;\0DL:LaserJet 4;";
	/* no terminator on the last pair */
	static const uint8_t noterm[] = "\x00\x1a" "MFG:HP;MDL:LaserJet 4000";
	struct hs_1284_id id;
	(void)state;

	assert_int_equal(from_wire(be, sizeof(be) - 1, 1026, &id), HS_OK);
	assert_string_equal(id.make_model, "HP LaserJet 4");
	assert_string_equal(id.sn, "USBSERIAL"); /* no SN: the USB serial */
	assert_int_equal(from_wire(le, sizeof(le) - 1, 1026, &id), HS_OK);
	assert_string_equal(id.make_model, "HP LaserJet 4");
	assert_int_equal(from_wire(short2, sizeof(short2) - 1, 1026, &id), HS_OK);
	assert_string_equal(id.mdl, "LaserJet");
	assert_int_equal(from_wire(over, sizeof(over) - 1, 1026, &id), HS_OK);
	assert_string_equal(id.make_model, "HP LaserJet 4");
	assert_int_equal(from_wire(zero, sizeof(zero) - 1, 1026, &id), HS_ERR_PROTOCOL);
	assert_int_equal(from_wire(nul, sizeof(nul) - 1, 1026, &id), HS_OK);
	assert_string_equal(id.make_model, "Unknown");
	assert_string_equal(id.mdl, "");
	assert_int_equal(from_wire(noterm, sizeof(noterm) - 1, 1026, &id), HS_OK);
	assert_string_equal(id.make_model, "HP LaserJet 4000");
}

/* A printer that claims a 10 KiB ID: our request asks for HS_1284_MAX + 2
 * bytes, so at most that arrives; 10242 (0x2802) is over that cap, so the
 * length is read little-endian (0x0228 = 552) and the ID is cut there.
 * Whatever it is cut to, the result is bounded and the printer named. */
static void test_10k_id(void **state)
{
	const size_t big = 10 * 1024;
	uint8_t *reply = malloc(big + 2);
	struct hs_1284_id id;
	size_t len;
	(void)state;

	assert_non_null(reply);
	memset(reply + 2, 'x', big);
	memcpy(reply + 2, "MFG:ACME;MDL:Big ID;DES:", 24);
	reply[0] = (uint8_t)((big + 2) >> 8);
	reply[1] = (uint8_t)(big + 2);
	assert_int_equal(hs_usb_id_span(reply, HS_1284_MAX + 2, HS_1284_MAX + 2, &len), 2);
	assert_int_equal(len, 0x0228 - 2);
	assert_int_equal(from_wire(reply, HS_1284_MAX + 2, HS_1284_MAX + 2, &id), HS_OK);
	assert_string_equal(id.make_model, "ACME Big ID");
	assert_int_equal(strlen(id.des), HS_1284_FIELD - 1); /* cut to its field */
	/* the whole 10 KiB handed to the parser directly is refused */
	assert_int_equal(hs_1284_parse((const char *)reply + 2, big, NULL, &id),
			 HS_ERR_PROTOCOL);
	assert_non_null(strstr(hs_last_error(), "10240 bytes, over 1024"));
	free(reply);
}

static void test_control_characters(void **state)
{
	static const struct {
		const char *id;
		size_t at;
	} bad[] = {
		{ "MFG:HP;MDL:Laser\x1b" "E;", 16 },   /* ESC: a PCL reset */
		{ "MFG:HP;\tMDL:LaserJet;", 7 },       /* tab */
		{ "MFG:HP;MDL:Laser\r\nJet;", 16 },   /* a line end inside */
		{ "MFG:HP;MDL:Laser\x7fJet;", 16 },     /* DEL */
		{ "\x0cMFG:HP;MDL:LaserJet;", 0 },      /* a form feed in front */
	};
	struct hs_1284_id id;
	char where[32];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (hs_1284_parse(bad[i].id, strlen(bad[i].id), NULL, &id) != HS_ERR_PROTOCOL)
			fail_msg("'%s' was accepted", bad[i].id);
		snprintf(where, sizeof(where), "at byte %zu", bad[i].at);
		if (!strstr(hs_last_error(), where))
			fail_msg("'%s': '%s' does not say %s", bad[i].id, hs_last_error(), where);
	}
	/* Printers end their ID with a line end or blanks: not part of it */
	parse_ok("MFG:HP;MDL:LaserJet 4000;CMD:PJL,PCL;\r\n", NULL, &id);
	assert_string_equal(id.make_model, "HP LaserJet 4000");
	assert_true(hs_1284_has_cmd(&id, "PJL"));
	parse_ok("MFG:HP;MDL:LaserJet 4000\r\n \t", NULL, &id);
	assert_string_equal(id.mdl, "LaserJet 4000");
	/* Latin-1 and UTF-8 bytes are not control characters: kept as sent */
	parse_ok("MFG:Olivetti;MDL:PR2 Plus \xc3\xa9" "dition;", NULL, &id);
	assert_string_equal(id.mdl, "PR2 Plus \xc3\xa9" "dition");
}

/* cups_make_model.tsv beside this file: every real ID in it gives the
 * make and model CUPS gave (see the table's header for how it was made). */
static void test_cups_table(void **state)
{
	char path[512], line[2048];
	const char *slash = strrchr(__FILE__, '/');
	int rows = 0, wrong = 0;
	FILE *f;
	(void)state;

	snprintf(path, sizeof(path), "%.*scups_make_model.tsv",
		 slash ? (int)(slash - __FILE__ + 1) : 0, __FILE__);
	if (!(f = fopen(path, "r")))
		fail_msg("%s: %s (run from the top of the tree)", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		struct hs_1284_id id;

		line[strcspn(line, "\n")] = 0;
		if (line[0] == '#' || !line[0])
			continue;
		if (!tab)
			fail_msg("%s: no tab in '%s'", path, line);
		*tab = 0;
		rows++;
		if (hs_1284_parse(line, strlen(line), NULL, &id) != HS_OK) {
			print_error("'%s': %s\n", line, hs_last_error());
			wrong++;
		} else if (strcmp(id.make_model, tab + 1) != 0) {
			print_error("'%s': '%s', CUPS says '%s'\n", line, id.make_model, tab + 1);
			wrong++;
		}
	}
	fclose(f);
	if (rows < 40 || wrong)
		fail_msg("%s: %d of %d rows differ from CUPS", path, wrong, rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_make_model_like_cups),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_long_values_are_cut),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_real_world_ids),
		cmocka_unit_test(test_pattern_is_not_an_id),
		cmocka_unit_test(test_malformed_on_the_wire),
		cmocka_unit_test(test_10k_id),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_cups_table),
	};
	return cmocka_run_group_tests_name("ieee1284", tests, NULL, NULL);
}
