/*
 * test_modem_drivers.c - the modem drivers in drivers/modem: each is
 * found from its USB VID:PID and from its identity text, the generic one
 * catches everything else, the tables are well formed, the USR numeric
 * map reads its own CONNECT codes, and init sequences and hooks run
 * against a scripted modem on a real pty (modemsim.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/modem.h"
#include "handshake/error.h"
#include "modemsim.h"

static const struct hs_modem_driver *drv(const char *name)
{
	const struct hs_modem_driver *d = hs_modem_driver_find(name);
	if (!d)
		fail_msg("no driver \"%s\"", name);
	return d;
}

static const char *by_usb(int vid, int pid)
{
	struct hs_link_info info = {
		.name = "", .path = "", .description = "",
		.transport = HS_TRANSPORT_SERIAL, .usb_vid = vid, .usb_pid = pid,
		.usb_manufacturer = "", .usb_product = "", .usb_serial = "",
		.usb_bus = -1, .usb_address = -1,
	};
	return hs_modem_driver_match(&info, NULL)->name;
}

/* ident with one field set: "gmi", "gmm" or "atiN". */
static const char *by_text(const char *field, const char *text)
{
	static struct hs_modem_ident id;

	memset(&id, 0, sizeof(id));
	if (!strcmp(field, "gmi"))
		snprintf(id.manufacturer, sizeof(id.manufacturer), "%s", text);
	else if (!strcmp(field, "gmm"))
		snprintf(id.model, sizeof(id.model), "%s", text);
	else {
		int n = atoi(field + 3);
		snprintf(id.ati[n], sizeof(id.ati[n]), "%s", text);
		id.nati = n + 1;
	}
	return hs_modem_driver_match(NULL, &id)->name;
}

/* Every driver is listed once, hayes last, and each match table ends. */
static void test_registry_shape(void **state)
{
	static const char *const want[] = { "usr", "conexant", "quectel", "devserver" };
	size_t n = 0;
	(void)state;

	while (hs_modem_driver_at(n))
		n++;
	assert_true(n >= 5);
	assert_string_equal(hs_modem_driver_at(n - 1)->name, "hayes");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct hs_modem_driver *d = drv(want[i]);
		size_t rows = 0;
		assert_non_null(d->description);
		assert_non_null(d->init);
		assert_non_null(d->match);
		for (const struct hs_modem_match *r = d->match; r->vid || r->ident; r++) {
			/* a row is either a USB ID or a pattern, never both */
			assert_true((r->vid > 0 && !r->ident) || (r->vid == -1 && r->ident));
			rows++;
		}
		assert_true(rows > 0 && rows < 64);
		/* numeric maps list each code once */
		for (size_t a = 0; a < d->nnumeric; a++)
			for (size_t b = a + 1; b < d->nnumeric; b++)
				assert_int_not_equal(d->numeric[a].code, d->numeric[b].code);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(hs_modem_driver_at(i)->name,
						hs_modem_driver_at(j)->name);
}

static void test_match_usb(void **state)
{
	(void)state;
	assert_string_equal(by_usb(0x0baf, 0x0303), "usr");       /* USR5637 */
	assert_string_equal(by_usb(0x0572, 0x1329), "conexant");  /* huc56s */
	assert_string_equal(by_usb(0x0572, 0x1340), "conexant");  /* CX93010 */
	assert_string_equal(by_usb(0x0803, 0x3095), "conexant");  /* Zoom 3095 */
	assert_string_equal(by_usb(0x2c7c, 0x0125), "quectel");   /* EC25 */
	assert_string_equal(by_usb(0x2c7c, 0x0296), "quectel");   /* BG96 */
	/* rows name exact products: a vendor's other PID is not claimed */
	assert_string_equal(by_usb(0x2c7c, 0x7fff), "hayes");
	assert_string_equal(by_usb(0x0572, 0xcafe), "hayes");     /* an ADSL modem */
	/* an FTDI adapter says nothing about the modem behind it */
	assert_string_equal(by_usb(0x0403, 0x6001), "hayes");
	assert_string_equal(by_usb(-1, -1), "hayes");
	assert_string_equal(hs_modem_driver_match(NULL, NULL)->name, "hayes");
}

static void test_match_identity(void **state)
{
	(void)state;
	assert_string_equal(by_text("ati3", "U.S. Robotics Sportster 28800 Fax"), "usr");
	assert_string_equal(by_text("ati3", "USRobotics Courier V.Everything"), "usr");
	assert_string_equal(by_text("ati3", "CX93001-EIS_V0.2002-V92"), "conexant");
	assert_string_equal(by_text("gmi", "Quectel"), "quectel");
	assert_string_equal(by_text("ati0", "quectel"), "quectel"); /* case aside */
	assert_string_equal(by_text("ati4", "DIGI DS_TS"), "devserver");
	assert_string_equal(by_text("ati0", "Digi Device server"), "devserver");
	assert_string_equal(by_text("ati1", "Lantronix XPort"), "devserver");
	/* the generic one takes what nobody claims */
	assert_string_equal(by_text("gmm", "Unknown Modem 2000"), "hayes");
	assert_string_equal(by_text("ati0", "56000"), "hayes");
}

/* A USB ID names the device exactly: it beats a text match elsewhere. */
static void test_usb_beats_identity(void **state)
{
	struct hs_link_info info = {
		.name = "", .path = "", .description = "", .usb_vid = 0x2c7c,
		.usb_pid = 0x0125, .usb_manufacturer = "", .usb_product = "",
		.usb_serial = "",
	};
	struct hs_modem_ident id;
	(void)state;

	memset(&id, 0, sizeof(id));
	snprintf(id.ati[0], sizeof(id.ati[0]), "U.S. Robotics");
	id.nati = 1;
	assert_string_equal(hs_modem_driver_match(&info, &id)->name, "quectel");
}

/* USR codes above 12 are not the generic (Rockwell) ones. */
static void test_usr_numeric_map(void **state)
{
	const struct hs_modem_driver *usr = drv("usr");
	struct hs_at_reply *r = malloc(sizeof(*r));
	(void)state;

	assert_non_null(r);
	assert_int_equal(hs_at_parse_final("13", 1, usr->numeric, usr->nnumeric, r), 1);
	assert_int_equal(r->result, HS_AT_CONNECT);
	assert_int_equal(r->connect.speed, 9600);
	/* the same digits under the generic map mean 7200 */
	assert_int_equal(hs_at_parse_final("13", 1, NULL, 0, r), 1);
	assert_int_equal(r->connect.speed, 7200);
	assert_int_equal(hs_at_parse_final("108", 1, usr->numeric, usr->nnumeric, r), 1);
	assert_int_equal(r->result, HS_AT_CONNECT);
	assert_int_equal(r->connect.speed, 28800);
	assert_string_equal(r->connect.protocol, "ARQ");
	assert_int_equal(hs_at_parse_final("7", 1, usr->numeric, usr->nnumeric, r), 1);
	assert_int_equal(r->result, HS_AT_BUSY);
	/* 11 (RINGING) is deliberately unmapped: not a final result */
	assert_int_equal(hs_at_parse_final("11", 1, usr->numeric, usr->nnumeric, r), 0);
	free(r);
}

/* Reset runs USR's init (the &F1 template first), then reads S12; a
 * dial answered in V0 with a USR-only code comes back as its speed. */
static void test_usr_reset_init_and_v0_dial(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATZ\r"), SEND("ATZ\r\r\nOK\r\n"),
		EXPECT("AT&F1\r"), SEND("AT&F1\r\r\nOK\r\n"),
		EXPECT("ATE0V1Q0X4\r"), SEND("ATE0V1Q0X4\r\r\nOK\r\n"),
		EXPECT("AT&H1&R2&A3\r"), SEND("\r\nOK\r\n"),
		EXPECT("AT&C1&D2S0=0\r"), SEND("\r\nOK\r\n"),
		EXPECT("ATS12?\r"), SEND("\r\n050\r\n\r\nOK\r\n"),
		EXPECT("ATV0\r"), SEND("0\r"),
		EXPECT("ATDT5551234\r"), SEND("26\r"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(drv("usr"), s);
	struct hs_at_connect c;
	int rc[3];
	(void)state;

	rc[0] = hs_modem_reset(g->m, 0, 8000);
	rc[1] = hs_at_simple(hs_modem_at(g->m), "ATV0", 2000);
	rc[2] = hs_modem_dial(g->m, &(struct hs_dial){ .number = "5551234",
			      .method = HS_DIAL_TONE }, &c, 3000);
	sim_finish(&g->sim);
	assert_int_equal(rc[0], HS_OK);
	assert_int_equal(rc[1], HS_OK);
	assert_int_equal(rc[2], HS_OK);
	assert_int_equal(c.speed, 14400);
	assert_string_equal(c.protocol, "ARQ");
	assert_true(hs_modem_online(g->m));
	modem_rig_close(g);
}

/* Conexant's init hook: caller ID refused is fine, a refused &C1 not. */
static void test_conexant_init_hook(void **state)
{
	static const struct sim_step ok[] = {
		EXPECT("ATE0V1Q0X4\r"), SEND("\r\nOK\r\n"),
		EXPECT("AT&C1&D2S0=0\r"), SEND("\r\nOK\r\n"),
		EXPECT("AT+VCID=1\r"), SEND("\r\nERROR\r\n"),
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	static const struct sim_step refused[] = {
		EXPECT("ATE0V1Q0X4\r"), SEND("\r\nOK\r\n"),
		EXPECT("AT&C1&D2S0=0\r"), SEND("\r\nERROR\r\n"),
		SILENT(100),
		END(),
	};
	struct modem_rig *g = modem_rig_open(drv("conexant"), ok);
	int rc, rc2;
	(void)state;

	assert_non_null(drv("conexant")->ops.init);
	rc = hs_modem_init(g->m, 3000);
	/* the engine is in step afterwards: the next command gets its OK */
	rc2 = hs_at_simple(hs_modem_at(g->m), "AT", 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(rc2, HS_OK);
	modem_rig_close(g);

	g = modem_rig_open(drv("conexant"), refused);
	rc = hs_modem_init(g->m, 3000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_REJECTED);
	modem_rig_close(g);
}

struct urcs_seen {
	int n;
	char line[4][64];
};

static void on_urc(void *ctx, const struct hs_at_urc *u)
{
	struct urcs_seen *s = ctx;
	if (s->n < 4)
		snprintf(s->line[s->n], sizeof(s->line[0]), "%s", u->line);
	s->n++;
}

/* A 3GPP module: identity from +CGMI.. first, registration and SMS URCs
 * between replies go to the callback, +CME ERROR keeps its number, and
 * what it said picks this driver again. */
static void test_quectel_identify_urcs_cme(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT+CGMI\r"), SEND("\r\n+CREG: 1\r\n\r\nQuectel\r\n\r\nOK\r\n"),
		EXPECT("AT+CGMM\r"), SEND("\r\nEC25\r\n\r\nOK\r\n"),
		EXPECT("AT+CGMR\r"), SEND("\r\n+CMTI: \"SM\",3\r\nEC25EFAR06A06M4G\r\n\r\nOK\r\n"),
		EXPECT("AT+CGSN\r"), SEND("\r\n866758040000000\r\n\r\nOK\r\n"),
		EXPECT("ATI0\r"), SEND("\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"),
		EXPECT("AT+CPIN?\r"), SEND("\r\n+CME ERROR: 10\r\n"),
		EXPECT("AT+CREG?\r"), SEND("\r\n+CREG: 0,1\r\n\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(drv("quectel"), s);
	struct hs_modem_ident id;
	struct hs_at_reply *r = malloc(sizeof(*r));
	struct urcs_seen seen = { 0 };
	int rc[3];
	(void)state;

	assert_non_null(r);
	hs_modem_set_urc_handler(g->m, on_urc, &seen);
	rc[0] = hs_modem_identify(g->m, &id, 5000);
	rc[1] = hs_at_command(hs_modem_at(g->m), "AT+CPIN?", r, 2000);
	assert_int_equal(r->result, HS_AT_CME_ERROR);
	assert_int_equal(r->code, 10);
	rc[2] = hs_at_command(hs_modem_at(g->m), "AT+CREG?", r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc[0], HS_OK);
	assert_int_equal(rc[1], HS_OK);
	assert_int_equal(rc[2], HS_OK);
	assert_string_equal(id.manufacturer, "Quectel");
	assert_string_equal(id.model, "EC25");
	assert_int_equal(id.nati, 1);
	/* the +CREG? answer is the reply, not a URC */
	assert_int_equal(r->result, HS_AT_OK);
	assert_non_null(strstr(r->text, "+CREG: 0,1"));
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.line[0], "+CREG: 1");
	assert_string_equal(seen.line[1], "+CMTI: \"SM\",3");
	assert_string_equal(hs_modem_driver_match(NULL, &id)->name, "quectel");
	free(r);
	modem_rig_close(g);
}

/* A device server: one command per line (compound ones are ignored by
 * Lantronix units), no +GMI, and its ATI4 names it. */
static void test_devserver_init_and_identify(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATE0\r"), SEND("ATE0\r\r\nOK\r\n"),
		EXPECT("ATV1\r"), SEND("\r\nOK\r\n"),
		EXPECT("ATI0\r"), SEND("\r\nDigi Device server\r\n\r\nOK\r\n"),
		EXPECT("ATI1\r"), SEND("\r\n255\r\n\r\nOK\r\n"),
		EXPECT("ATI2\r"), SEND("\r\nOK\r\n"),
		EXPECT("ATI3\r"), SEND("\r\nOK\r\n"),
		EXPECT("ATI4\r"), SEND("\r\nDIGI DS_TS\r\n\r\nOK\r\n"),
		/* nothing more may be asked: ATI5..9 tell nothing */
		GO(), SILENT(100),
		END(),
	};
	struct modem_rig *g = modem_rig_open(drv("devserver"), s);
	struct hs_modem_ident id;
	int rc[2];
	(void)state;

	rc[0] = hs_modem_init(g->m, 3000);
	rc[1] = hs_modem_identify(g->m, &id, 5000);
	sim_go(&g->sim);
	sim_finish(&g->sim);
	assert_int_equal(rc[0], HS_OK);
	assert_int_equal(rc[1], HS_OK);
	assert_int_equal(id.nati, 5);
	assert_string_equal(id.ati[4], "DIGI DS_TS");
	assert_string_equal(id.manufacturer, "");
	assert_string_equal(hs_modem_driver_match(NULL, &id)->name, "devserver");
	modem_rig_close(g);
}

/* A device server dials a TCP host: the number is HOST:PORT, dots,
 * letters and colon kept; the generic driver refuses the same number
 * and says which character, rather than dial something else. */
static void test_devserver_dials_host_port(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATDT192.168.1.5:50001\r"), SEND("\r\nCONNECT\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(drv("devserver"), s);
	struct hs_modem *hayes;
	int rc;
	(void)state;

	rc = hs_modem_dial(g->m, &(struct hs_dial){ .number = "192.168.1.5:50001",
			   .method = HS_DIAL_TONE }, NULL, 3000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_true(hs_modem_online(g->m));
	assert_int_equal(hs_modem_open(&hayes, g->link, drv("hayes")), HS_OK);
	rc = hs_modem_dial(hayes, &(struct hs_dial){ .number = "192.168.1.5:50001",
			   .method = HS_DIAL_TONE }, NULL, 3000);
	assert_int_equal(rc, HS_ERR_ARG);
	assert_non_null(strstr(hs_last_error(), "':'"));
	assert_non_null(strstr(hs_last_error(), "hayes"));
	hs_modem_free(hayes);
	modem_rig_close(g);
}

/* Opened with no driver on a pty (no USB IDs), a modem is generic. */
static void test_open_without_driver_is_generic(void **state)
{
	struct ptypair p;
	struct hs_link *link;
	struct hs_modem *m;
	char uri[128];
	(void)state;

	ptypair_open(&p);
	snprintf(uri, sizeof(uri), "serial:%s", p.path);
	assert_int_equal(hs_link_open(&link, uri), HS_OK);
	assert_int_equal(hs_modem_open(&m, link, NULL), HS_OK);
	assert_string_equal(hs_modem_get_driver(m)->name, "hayes");
	hs_modem_free(m);
	hs_link_close(link);
	ptypair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_shape),
		cmocka_unit_test(test_match_usb),
		cmocka_unit_test(test_match_identity),
		cmocka_unit_test(test_usb_beats_identity),
		cmocka_unit_test(test_usr_numeric_map),
		cmocka_unit_test(test_usr_reset_init_and_v0_dial),
		cmocka_unit_test(test_conexant_init_hook),
		cmocka_unit_test(test_quectel_identify_urcs_cme),
		cmocka_unit_test(test_devserver_init_and_identify),
		cmocka_unit_test(test_devserver_dials_host_port),
		cmocka_unit_test(test_open_without_driver_is_generic),
	};
	return cmocka_run_group_tests_name("modem_drivers", tests, NULL, NULL);
}
