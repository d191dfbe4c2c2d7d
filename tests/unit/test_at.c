/*
 * test_at.c - the AT engine against a scripted modem on a real pty:
 * echo on, off and partial; V0 numeric results; Q1 and deadlines; CONNECT
 * and its suffix; +CME/+CMS errors; late replies after a timeout; URCs
 * and caller ID in the middle of a reply; over-long lines, garbage, split
 * reads, S3/S4; and the line parser on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/at.h"
#include "handshake/error.h"
#include "modemsim.h"

struct rig {
	struct ptypair p;
	struct hs_link *link;
	struct hs_at *at;
	struct sim sim;
	struct hs_at_reply r;
	/* URCs seen */
	int nurc;
	char urc[16][96];
};

static void on_urc(void *ctx, const struct hs_at_urc *u)
{
	struct rig *g = ctx;
	if (g->nurc < 16)
		snprintf(g->urc[g->nurc++], sizeof(g->urc[0]), "%d|%s|%s", (int)u->kind,
			 u->key, u->value);
}

static struct rig *rig_open(const struct sim_step *script)
{
	struct rig *g = calloc(1, sizeof(*g));
	char uri[128];

	assert_non_null(g);
	ptypair_open(&g->p);
	snprintf(uri, sizeof(uri), "serial:%s", g->p.path);
	if (hs_link_open(&g->link, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	assert_int_equal(hs_at_open(&g->at, g->link), HS_OK);
	hs_at_set_urc_handler(g->at, on_urc, g);
	sim_start(&g->sim, &g->p, script);
	return g;
}

static void rig_close(struct rig *g)
{
	hs_at_free(g->at);
	hs_link_close(g->link);
	ptypair_close(&g->p);
	free(g);
}

static void line_is(struct rig *g, int i, const char *want)
{
	char buf[HS_AT_LINE_MAX + 1];
	assert_true(hs_at_reply_line(&g->r, i, buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

static void test_echo_off(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATI3\r"), SEND("\r\nACME 56K Voice\r\n\r\nOK\r\n"),
		EXPECT("AT+GMM\r"), SEND("\r\n"), SEND("MODEL"), SEND(" 9\r"), SEND("\n\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc1, rc2;
	(void)state;

	rc1 = hs_at_command(g->at, "ATI3", &g->r, 2000);
	assert_int_equal(rc1, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_int_equal(g->r.nlines, 1);
	line_is(g, 0, "ACME 56K Voice");
	rc2 = hs_at_command(g->at, "AT+GMM", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc2, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_string_equal(g->r.text, "MODEL 9\n");
	rig_close(g);
}

static void test_echo_on_and_partial(void **state)
{
	static const struct sim_step s[] = {
		/* whole echo, in the same write as the reply */
		EXPECT("ATI3\r"), SEND("ATI3\r\r\nACME\r\n\r\nOK\r\n"),
		/* echo split over writes */
		EXPECT("ATI0\r"), SEND("AT"), SEND("I0\r"), SEND("\r\n56000\r\n\r\nOK\r\n"),
		/* the modem lost the first characters of the echo */
		EXPECT("AT+GMI\r"), SEND("GMI\r\r\nHSLAB\r\n\r\nOK\r\n"),
		/* an echo that is only the start of the command */
		EXPECT("AT&V1\r"), SEND("AT&\r\r\nPROFILE\r\n\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc[4];
	(void)state;

	rc[0] = hs_at_command(g->at, "ATI3", &g->r, 2000);
	assert_int_equal(rc[0], HS_OK);
	assert_string_equal(g->r.text, "ACME\n");
	rc[1] = hs_at_command(g->at, "ATI0", &g->r, 2000);
	assert_int_equal(rc[1], HS_OK);
	assert_string_equal(g->r.text, "56000\n");
	rc[2] = hs_at_command(g->at, "AT+GMI", &g->r, 2000);
	assert_int_equal(rc[2], HS_OK);
	assert_string_equal(g->r.text, "HSLAB\n");
	rc[3] = hs_at_command(g->at, "AT&V1", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc[3], HS_OK);
	assert_string_equal(g->r.text, "PROFILE\n");
	assert_int_equal(g->r.result, HS_AT_OK);
	rig_close(g);
}

static void test_v0_numeric(void **state)
{
	static const struct sim_step s[] = {
		/* E1 V0: echo, information text still ends CR LF, result "0\r" */
		EXPECT("ATS0?\r"), SEND("ATS0?\r000\r\n0\r"),
		/* a digits-only information line split from its LF */
		EXPECT("ATS7?\r"), SEND("ATS7?\r050\r"), SEND("\n0\r"),
		EXPECT("ATX\r"), SEND("ATX\r4\r"),
		EXPECT("ATD5551234\r"), SEND("ATD5551234\r7\r"),
		EXPECT("ATD5551235\r"), SEND("ATD5551235\r10\r+++data"),
		END(),
	};
	struct rig *g = rig_open(s);
	char data[16] = "";
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATS0?", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_int_equal(g->r.code, 0);
	assert_string_equal(g->r.text, "000\n");
	assert_int_equal(hs_at_command(g->at, "ATS7?", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_string_equal(g->r.text, "050\n");
	assert_int_equal(hs_at_command(g->at, "ATX", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_ERROR);
	assert_int_equal(g->r.code, 4);
	assert_int_equal(hs_at_command(g->at, "ATD5551234", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_BUSY);
	assert_int_equal(hs_at_result_error(g->at, &g->r, "ATD5551234"), HS_ERR_LINE_BUSY);
	rc = hs_at_command(g->at, "ATD5551235", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_CONNECT);
	assert_int_equal(g->r.connect.speed, 2400);
	assert_true(hs_at_online(g->at));
	/* what came after "10\r" is data, even "+++" */
	size_t n = hs_at_take_input(g->at, data, sizeof(data) - 1);
	assert_int_equal(n, 7);
	assert_string_equal(data, "+++data");
	assert_int_equal(hs_at_command(g->at, "AT", &g->r, 100), HS_ERR_ARG);
	rig_close(g);
}

static void test_driver_numeric_map(void **state)
{
	/* A vendor whose 13 means CONNECT 9600/ARQ (not 7200). */
	static const struct hs_at_numeric usr[] = {
		{ 0, HS_AT_OK, 0, NULL }, { 13, HS_AT_CONNECT, 9600, "/ARQ" },
	};
	static const struct sim_step s[] = {
		EXPECT("ATD1\r"), SEND("13\r"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	hs_at_set_numeric_map(g->at, usr, 2);
	rc = hs_at_command(g->at, "ATD1", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_CONNECT);
	assert_int_equal(g->r.connect.speed, 9600);
	assert_string_equal(g->r.connect.protocol, "ARQ");
	rig_close(g);
}

static void test_q1_deadline(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATQ1\r"), SEND("ATQ1\r"),     /* echo, no result */
		EXPECT("ATI0\r"), SEND("ATI0\r\r\n56000\r\n"),
		EXPECT("AT\r"),                      /* whole deadline */
		EXPECT("ATQ0\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int64_t t0, took;
	int rc;
	(void)state;

	t0 = hs_now_ms();
	assert_int_equal(hs_at_command(g->at, "ATQ1", &g->r, 3000), HS_OK);
	took = hs_now_ms() - t0;
	assert_int_equal(g->r.result, HS_AT_NONE);
	assert_true(hs_at_quiet(g->at));
	/* ended by 250 ms of silence, well before the deadline */
	assert_true(took >= 250 && took < 1500);
	assert_int_equal(hs_at_command(g->at, "ATI0", &g->r, 3000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_NONE);
	assert_string_equal(g->r.text, "56000\n");
	/* idle 0: only the deadline ends it */
	hs_at_set_quiet(g->at, 1, 0);
	t0 = hs_now_ms();
	assert_int_equal(hs_at_command(g->at, "AT", &g->r, 400), HS_OK);
	took = hs_now_ms() - t0;
	assert_true(took >= 400 && took < 900);
	assert_int_equal(g->r.result, HS_AT_NONE);
	rc = hs_at_command(g->at, "ATQ0", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_false(hs_at_quiet(g->at));
	rig_close(g);
}

static void test_no_result_times_out(void **state)
{
	static const struct sim_step s[] = { EXPECT("AT\r"), END() };
	struct rig *g = rig_open(s);
	int64_t t0 = hs_now_ms(), took;
	int rc;
	(void)state;

	rc = hs_at_command(g->at, "AT", &g->r, 300);
	took = hs_now_ms() - t0;
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_TIMEOUT);
	assert_true(took >= 300 && took < 700);
	assert_non_null(strstr(hs_last_error(), g->p.path));
	rig_close(g);
}

static void test_connect_suffix(void **state)
{
	static const struct sim_step s[] = {
		/* the LF that ends the CONNECT frame comes apart: not data */
		EXPECT("ATD5551234\r"), SEND("\r\nCONNECT 33600/V42BIS\r"), SEND("\nhello"),
		END(),
	};
	struct rig *g = rig_open(s);
	char data[16] = "";
	int rc;
	(void)state;

	rc = hs_at_command(g->at, "ATD5551234", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_CONNECT);
	assert_int_equal(g->r.connect.speed, 33600);
	assert_string_equal(g->r.connect.suffix, "/V42BIS");
	assert_string_equal(g->r.connect.compression, "V42BIS");
	assert_string_equal(g->r.connect.protocol, "");
	assert_string_equal(g->r.final, "CONNECT 33600/V42BIS");
	/* the data may still be on its way: read it from the link */
	size_t n = hs_at_take_input(g->at, data, sizeof(data) - 1);
	link_read_exact(g->link, data + n, 5 - n, 2000);
	assert_memory_equal(data, "hello", 5);
	rig_close(g);
}

static void test_v0_ring_during_command(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATI0\r"), SEND("2\r\r\nNMBR = 5551234\r\n56000\r\n0\r"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	rc = hs_at_command(g->at, "ATI0", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_string_equal(g->r.text, "56000\n");
	assert_int_equal(g->nurc, 2);
	assert_string_equal(g->urc[0], "0|RING|");
	assert_string_equal(g->urc[1], "2|NMBR|5551234");
	rig_close(g);
}

/* A wait (nothing sent) that times out owes nothing: the next command's
 * reply is its own. */
static void test_wait_result_owes_nothing(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("+++"), SILENT(100),
		EXPECT("ATH0\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_send_raw(g->at, "+++", 3, 1000), HS_OK);
	assert_int_equal(hs_at_wait_result(g->at, &g->r, 150), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "ATH0", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	rig_close(g);
}

static void test_parse_final(void **state)
{
	struct hs_at_reply r;
	(void)state;

	memset(&r, 0, sizeof(r));
	assert_true(hs_at_parse_final("CONNECT 115200/ARQ/V32/LAPM/V42BIS", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_CONNECT);
	assert_int_equal(r.connect.speed, 115200);
	assert_string_equal(r.connect.protocol, "LAPM");
	assert_string_equal(r.connect.compression, "V42BIS");
	assert_string_equal(r.connect.modulation, "V32");
	memset(&r, 0, sizeof(r));
	assert_true(hs_at_parse_final("CONNECT 28800/ARQ", 0, NULL, 0, &r));
	assert_string_equal(r.connect.protocol, "ARQ");
	memset(&r, 0, sizeof(r));
	assert_true(hs_at_parse_final("CONNECT 31200 V.42bis", 0, NULL, 0, &r));
	assert_int_equal(r.connect.speed, 31200);
	assert_string_equal(r.connect.compression, "V42BIS");
	memset(&r, 0, sizeof(r));
	assert_true(hs_at_parse_final("CONNECT", 0, NULL, 0, &r));
	assert_int_equal(r.connect.speed, 0);
	assert_false(hs_at_parse_final("CONNECTED", 0, NULL, 0, &r));
	assert_true(hs_at_parse_final("NO DIALTONE", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_NO_DIALTONE);
	assert_true(hs_at_parse_final("NO DIAL TONE", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_NO_DIALTONE);
	assert_true(hs_at_parse_final("NO ANSWER", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_NO_ANSWER);
	assert_true(hs_at_parse_final("BUSY", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_BUSY);
	assert_true(hs_at_parse_final("NO CARRIER", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_NO_CARRIER);
	assert_true(hs_at_parse_final("+CMS ERROR: 500", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_CMS_ERROR);
	assert_int_equal(r.code, 500);
	assert_true(hs_at_parse_final("+CME ERROR: SIM not inserted", 0, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_CME_ERROR);
	assert_int_equal(r.code, -1);
	/* numbers are results only in V0 frames, and only known ones */
	assert_false(hs_at_parse_final("0", 0, NULL, 0, &r));
	assert_true(hs_at_parse_final("8", 1, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_NO_ANSWER);
	assert_true(hs_at_parse_final("6", 1, NULL, 0, &r));
	assert_int_equal(r.result, HS_AT_NO_DIALTONE);
	assert_false(hs_at_parse_final("99", 1, NULL, 0, &r));
	assert_false(hs_at_parse_final("OKAY", 0, NULL, 0, &r));
	assert_string_equal(hs_at_result_name(HS_AT_CME_ERROR), "+CME ERROR");
}

static void test_cme_cms_error(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT+CPIN?\r"), SEND("\r\n+CME ERROR: 10\r\n"),
		EXPECT("AT+CMGS=1\r"), SEND("\r\n+CMS ERROR: 500\r\n"),
		EXPECT("AT+CPIN?\r"), SEND("\r\n+CME ERROR: 10\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "AT+CPIN?", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_CME_ERROR);
	assert_int_equal(g->r.code, 10);
	assert_int_equal(hs_at_command(g->at, "AT+CMGS=1", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_CMS_ERROR);
	assert_int_equal(g->r.code, 500);
	rc = hs_at_simple(g->at, "AT+CPIN?", 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_REJECTED);
	assert_non_null(strstr(hs_last_error(), "+CME ERROR: 10"));
	assert_non_null(strstr(hs_last_error(), g->p.path));
	rig_close(g);
}

/* The late OK comes after the next command was sent, before its reply. */
static void test_late_reply_after_next_command(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATS7=60\r"),
		EXPECT("ATI9\r"), SEND("\r\nOK\r\n"), SEND("\r\nERROR\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATS7=60", &g->r, 200), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "ATI9", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_ERROR);
	rig_close(g);
}

/* The late OK comes while no command waits: it is dropped then. */
static void test_late_reply_while_idle(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATS7=60\r"), GO(), SEND("\r\nOK\r\n"),
		EXPECT("ATI9\r"), SEND("\r\nERROR\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATS7=60", &g->r, 200), HS_ERR_TIMEOUT);
	sim_go(&g->sim);
	/* the late OK arrives while we wait for URCs: not one */
	assert_int_equal(hs_at_poll(g->at, 300), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "ATI9", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_ERROR);
	assert_int_equal(g->nurc, 0);
	rig_close(g);
}

/* With echo on, everything before the echo of the new command is old. */
static void test_late_reply_before_echo(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATS7=60\r"),
		EXPECT("ATI9\r"), SEND("\r\nOK\r\nATI9\r\r\nINFO\r\n\r\nERROR\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATS7=60", &g->r, 200), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "ATI9", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_ERROR);
	assert_string_equal(g->r.text, "INFO\n");
	rig_close(g);
}

/* (A) Echo on: the late reply of a timed-out command, text and OK, comes
 * before the next command's echo; none of it is the next reply. */
static void test_late_text_before_echo(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT+COPS=?\r"), SEND("AT+COPS=?\r"),
		EXPECT("AT\r"),
		SEND("\r\n+COPS: (2,\"NET\",\"NET\",\"00101\",7)\r\n\r\nOK\r\n"),
		SEND("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "AT+COPS=?", &g->r, 200), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_int_equal(g->r.nlines, 0);
	assert_string_equal(g->r.text, "");
	rig_close(g);
}

/* (B) Echo on, two timeouts in a row: the second command swallowed the
 * first one's late OK before its own echo, so its own reply is still
 * owed; the third command must not take that late ERROR. */
static void test_two_timeouts_echo_on(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATI3\r"), SEND("ATI3\r"),
		EXPECT("ATI4\r"), SEND("\r\nOK\r\n"), SEND("ATI4\r"),
		EXPECT("AT\r"), SEND("\r\nERROR\r\n"), SEND("AT\r\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATI3", &g->r, 200), HS_ERR_TIMEOUT);
	assert_int_equal(hs_at_command(g->at, "ATI4", &g->r, 300), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	rig_close(g);
}

/* (B) Echo off, two timeouts with nothing heard: two replies are owed,
 * and both are swallowed before the third command's own. */
static void test_two_timeouts_echo_off(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATI3\r"),
		EXPECT("ATI4\r"),
		EXPECT("AT\r"), SEND("\r\nOK\r\n\r\nERROR\r\n"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATI3", &g->r, 200), HS_ERR_TIMEOUT);
	assert_int_equal(hs_at_command(g->at, "ATI4", &g->r, 200), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	rig_close(g);
}

/* (C) Echo off: the late reply's text goes with its late OK, not into
 * the next command's reply. */
static void test_late_text_echo_off(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATI3\r"),
		EXPECT("AT\r"), SEND("\r\nACME 56K\r\n\r\nOK\r\n"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATI3", &g->r, 200), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_int_equal(g->r.nlines, 0);
	rig_close(g);
}

/* A late CONNECT is never swallowed: the modem is online whatever. */
static void test_late_connect_goes_online(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATD5551234\r"), GO(), SEND("\r\nCONNECT 9600\r\nxy"),
		END(),
	};
	struct rig *g = rig_open(s);
	char data[4];
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATD5551234", &g->r, 200), HS_ERR_TIMEOUT);
	sim_go(&g->sim);
	rc = hs_at_poll(g->at, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, 1);
	assert_true(hs_at_online(g->at));
	assert_string_equal(g->urc[0], "6|CONNECT|9600");
	size_t n = hs_at_take_input(g->at, data, sizeof(data));
	link_read_exact(g->link, data + n, 2 - n, 2000);
	assert_memory_equal(data, "xy", 2);
	rig_close(g);
}

/* A timed-out command whose reply never comes costs at most one more
 * command: the engine cannot tell that OK from a late one. */
static void test_lost_reply_costs_one_command(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATS7=60\r"),
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATS7=60", &g->r, 200), HS_ERR_TIMEOUT);
	assert_int_equal(hs_at_command(g->at, "AT", &g->r, 300), HS_ERR_TIMEOUT);
	rc = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	rig_close(g);
}

static void test_urcs_during_command(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT+GMM\r"),
		SEND("\r\nRING\r\n\r\nDATE = 0101\r\nTIME = 1200\r\nNMBR = 5551234\r\n"
		     "NAME = ALICE\r\n\r\nMODEL X\r\n\r\n+CRING: VOICE\r\n\r\nOK\r\n"),
		EXPECT("AT+CLIP?\r"),
		SEND("\r\n+CLIP: 0,1\r\n\r\n+CLIP: \"5551234\",129\r\n"),
		SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "AT+GMM", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_string_equal(g->r.text, "MODEL X\n");
	assert_int_equal(g->nurc, 6);
	assert_string_equal(g->urc[0], "0|RING|");
	assert_string_equal(g->urc[1], "2|DATE|0101");
	assert_string_equal(g->urc[2], "2|TIME|1200");
	assert_string_equal(g->urc[3], "2|NMBR|5551234");
	assert_string_equal(g->urc[4], "2|NAME|ALICE");
	assert_string_equal(g->urc[5], "1|+CRING|VOICE");
	/* While AT+CLIP? runs, +CLIP: lines are its reply, not URCs. */
	rc = hs_at_command(g->at, "AT+CLIP?", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(g->r.nlines, 2);
	line_is(g, 0, "+CLIP: 0,1");
	assert_int_equal(g->nurc, 6);
	rig_close(g);
}

static void test_urcs_while_idle(void **state)
{
	static const struct sim_step s[] = {
		SEND("\r\n+CLIP: \"5551234\",129\r\n"), GO(),
		SEND("\r\nRING\r\n"), GO(),
		SEND("\r\nNO CARRIER\r\n"), GO(),
		SEND("2\r"),  /* V0 RING */
		END(),
	};
	struct rig *g = rig_open(s);
	(void)state;

	assert_int_equal(hs_at_poll(g->at, 2000), 1);
	assert_string_equal(g->urc[0], "3|+CLIP|\"5551234\",129");
	sim_go(&g->sim);
	assert_int_equal(hs_at_poll(g->at, 2000), 1);
	assert_string_equal(g->urc[1], "0|RING|");
	sim_go(&g->sim);
	assert_int_equal(hs_at_poll(g->at, 2000), 1);
	assert_string_equal(g->urc[2], "4|NO CARRIER|");
	sim_go(&g->sim);
	assert_int_equal(hs_at_poll(g->at, 2000), 1);
	assert_string_equal(g->urc[3], "0|RING|");
	sim_finish(&g->sim);
	rig_close(g);
}

static void test_overlong_line(void **state)
{
	static char flood[5000 + 16];
	static struct sim_step s[] = {
		EXPECT("ATI4\r"), { .op = SIM_SEND, .bytes = flood },
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g;
	int rc1, rc2;
	(void)state;

	memset(flood, 'x', 5000);
	strcpy(flood + 5000, "\r\n\r\nOK\r\n");
	g = rig_open(s);
	rc1 = hs_at_command(g->at, "ATI4", &g->r, 2000);
	assert_int_equal(rc1, HS_ERR_OVERFLOW);
	assert_non_null(strstr(hs_last_error(), g->p.path));
	/* the rest of the line and its OK are not the next reply */
	rc2 = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc2, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_int_equal(g->r.nlines, 0);
	rig_close(g);
}

static void test_garbage_flood(void **state)
{
	static char noise[3000];
	static struct sim_step s[] = {
		EXPECT("AT\r"), { .op = SIM_SEND, .bytes = noise, .len = sizeof(noise) },
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g;
	int64_t t0;
	int rc1, rc2;
	(void)state;

	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (char)(0x80 | (i * 37 % 128));
	g = rig_open(s);
	t0 = hs_now_ms();
	rc1 = hs_at_command(g->at, "AT", &g->r, 5000);
	assert_int_equal(rc1, HS_ERR_PROTOCOL);
	assert_true(hs_now_ms() - t0 < 2000); /* an error, not a timeout */
	assert_non_null(strstr(hs_last_error(), g->p.path));
	rc2 = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc2, HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	rig_close(g);
}

static void test_text_flood(void **state)
{
	static char lines[12000];
	static struct sim_step s[] = {
		EXPECT("AT&V\r"), { .op = SIM_SEND, .bytes = lines },
		END(),
	};
	struct rig *g;
	int rc;
	(void)state;

	for (size_t i = 0; i + 10 < sizeof(lines); i += 9)
		memcpy(lines + i, "S00=000\r\n", 9);
	g = rig_open(s);
	rc = hs_at_command(g->at, "AT&V", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_OVERFLOW);
	rig_close(g);
}

static void test_line_chars(void **state)
{
	static const struct sim_step s[] = {
		/* S3 '$' takes effect for the reply to the command setting it */
		EXPECT("ATS3=36\r"), SEND("$\nOK$\n"),
		EXPECT("ATI0$"), SEND("$\n56000$\n$\nOK$\n"),
		EXPECT("ATS3=13S4=10$"), SEND("\r\nOK\r\n"),
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct rig *g = rig_open(s);
	int rc;
	(void)state;

	assert_int_equal(hs_at_command(g->at, "ATS3=36", &g->r, 2000), HS_OK);
	assert_int_equal(g->r.result, HS_AT_OK);
	assert_int_equal(hs_at_command(g->at, "ATI0", &g->r, 2000), HS_OK);
	assert_string_equal(g->r.text, "56000\n");
	assert_int_equal(hs_at_command(g->at, "ATS3=13S4=10", &g->r, 2000), HS_OK);
	rc = hs_at_command(g->at, "AT", &g->r, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(hs_at_set_line_chars(g->at, '\r', '\r'), HS_ERR_ARG);
	rig_close(g);
}

static void test_bad_commands(void **state)
{
	static const struct sim_step s[] = { END() };
	struct rig *g = rig_open(s);
	char longcmd[HS_AT_COMMAND_MAX + 8];
	(void)state;

	sim_finish(&g->sim);
	assert_int_equal(hs_at_command(g->at, "AT\rATZ", &g->r, 100), HS_ERR_ARG);
	assert_int_equal(hs_at_command(g->at, "", &g->r, 100), HS_ERR_ARG);
	assert_int_equal(hs_at_command(g->at, "AT", &g->r, -1), HS_ERR_ARG);
	memset(longcmd, 'A', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = 0;
	assert_int_equal(hs_at_command(g->at, longcmd, &g->r, 100), HS_ERR_ARG);
	assert_int_equal(hs_at_open(NULL, g->link), HS_ERR_ARG);
	rig_close(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_off),
		cmocka_unit_test(test_echo_on_and_partial),
		cmocka_unit_test(test_v0_numeric),
		cmocka_unit_test(test_driver_numeric_map),
		cmocka_unit_test(test_q1_deadline),
		cmocka_unit_test(test_no_result_times_out),
		cmocka_unit_test(test_connect_suffix),
		cmocka_unit_test(test_v0_ring_during_command),
		cmocka_unit_test(test_wait_result_owes_nothing),
		cmocka_unit_test(test_parse_final),
		cmocka_unit_test(test_cme_cms_error),
		cmocka_unit_test(test_late_reply_after_next_command),
		cmocka_unit_test(test_late_reply_while_idle),
		cmocka_unit_test(test_late_reply_before_echo),
		cmocka_unit_test(test_late_text_before_echo),
		cmocka_unit_test(test_two_timeouts_echo_on),
		cmocka_unit_test(test_two_timeouts_echo_off),
		cmocka_unit_test(test_late_text_echo_off),
		cmocka_unit_test(test_late_connect_goes_online),
		cmocka_unit_test(test_lost_reply_costs_one_command),
		cmocka_unit_test(test_urcs_during_command),
		cmocka_unit_test(test_urcs_while_idle),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_garbage_flood),
		cmocka_unit_test(test_text_flood),
		cmocka_unit_test(test_line_chars),
		cmocka_unit_test(test_bad_commands),
	};
	return cmocka_run_group_tests_name("at", tests, NULL, NULL);
}
