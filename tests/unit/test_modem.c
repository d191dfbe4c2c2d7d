/*
 * test_modem.c - the modem object against a scripted modem on a real
 * pty: sync after noise, reset, identify, dial strings, dial outcomes,
 * data mode and NO CARRIER in the stream, hang-up by +++ honouring the
 * S12 guard time (a pty has no DTR/DCD), waiting for RINGs with caller
 * ID and answering, a Q1 dial where nothing can tell the outcome, and
 * the driver registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <cmocka.h>

#include "handshake/modem.h"
#include "handshake/error.h"
#include "modemsim.h"

static void test_registry(void **state)
{
	const struct hs_modem_driver *d = hs_modem_driver_find("hayes");
	struct hs_modem_ident id;
	(void)state;

	assert_non_null(d);
	assert_null(hs_modem_driver_find("no-such-driver"));
	assert_ptr_equal(hs_modem_driver_match(NULL, NULL), d);
	memset(&id, 0, sizeof(id));
	snprintf(id.model, sizeof(id.model), "Unknown Modem 2000");
	assert_ptr_equal(hs_modem_driver_match(NULL, &id), d);
	size_t n = 0;
	while (hs_modem_driver_at(n))
		n++;
	/* The generic driver is the fallback: listed last, after every
	 * driver that knows a device better. */
	assert_true(n >= 1);
	assert_ptr_equal(hs_modem_driver_at(n - 1), d);
}

static int hook_calls;

static int test_hangup_hook(struct hs_modem *m, int timeout_ms)
{
	(void)timeout_ms;
	hook_calls++;
	/* a hook talks through the modem's own engine; this modem hangs up
	 * on a vendor command it takes even in data mode */
	hs_at_set_online(hs_modem_at(m), 0);
	return hs_at_simple(hs_modem_at(m), "AT!H", 1000);
}

/* A driver is data plus hooks; the core uses them instead of its own. */
static void test_driver_data_and_hooks(void **state)
{
	static const char *const init[] = { "ATE0", "AT\\N3", NULL };
	static const struct hs_at_numeric numeric[] = {
		{ 0, HS_AT_OK, 0, NULL }, { 4, HS_AT_ERROR, 0, NULL },
		{ 13, HS_AT_CONNECT, 9600, "/ARQ" },
	};
	static const struct hs_modem_match match[] = {
		HS_MODEM_USB(0x0baf, 0x0303), HS_MODEM_IDENT("*Sportster*"), { 0 },
	};
	static const struct hs_modem_driver drv = {
		.name = "test", .description = "a test modem", .match = match,
		.init = init, .numeric = numeric, .nnumeric = 3,
		.quirks = HS_MODEM_QUIRK_NO_GMI, .ati_count = 1,
		.ops = { .hangup = test_hangup_hook },
	};
	static const struct sim_step s[] = {
		EXPECT("ATE0\r"), SEND("0\r"),
		EXPECT("AT\\N3\r"), SEND("0\r"),
		EXPECT("ATI0\r"), SEND("\r\nU.S. Robotics Sportster\r\n0\r"),
		EXPECT("ATD1\r"), SEND("13\r"),
		EXPECT("AT!H\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_modem_ident id;
	struct hs_at_connect c;
	int rc[4];
	(void)state;

	assert_string_equal(hs_modem_get_driver(g->m)->name, "hayes");
	assert_int_equal(hs_modem_set_driver(g->m, &drv), HS_OK);
	assert_ptr_equal(hs_modem_get_driver(g->m), &drv);
	hook_calls = 0;
	rc[0] = hs_modem_init(g->m, 2000);
	rc[1] = hs_modem_identify(g->m, &id, 2000);
	rc[2] = hs_modem_dial(g->m, &(struct hs_dial){ .number = "1" }, &c, 2000);
	rc[3] = hs_modem_hangup(g->m, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc[0], HS_OK);
	assert_int_equal(rc[1], HS_OK);
	assert_int_equal(id.nati, 1);
	assert_string_equal(id.ati[0], "U.S. Robotics Sportster");
	assert_string_equal(id.manufacturer, "");
	assert_int_equal(rc[2], HS_OK);
	assert_int_equal(c.speed, 9600);
	assert_string_equal(c.protocol, "ARQ");
	assert_int_equal(rc[3], HS_OK);
	assert_int_equal(hook_calls, 1);
	assert_false(hs_modem_online(g->m));
	modem_rig_close(g);
}

static void test_sync_after_noise(void **state)
{
	static const struct sim_step s[] = {
		/* noise, ending in a piece of a line: never a reply */
		SEND("\xff\xfe line noise \x13\r\nO"),
		EXPECT("AT\r"), SEND("\r\nERROR\r\n"),
		EXPECT("AT\r"), SILENT(50),
		EXPECT("AT\r"), SEND("AT\r\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	int rc;
	(void)state;

	rc = hs_modem_sync(g->m, 5, 3000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	modem_rig_close(g);
}

/* A CONNECT instead of OK (a modem that answered a call by itself, or
 * line noise with "1\r" in it, V0's CONNECT) leaves the engine online:
 * sync stops there with the device's error, not the caller's. */
static void test_sync_connect_instead_of_ok(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT\r"), SEND("\r\n1\r"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	int rc;
	(void)state;

	rc = hs_modem_sync(g->m, 5, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_PROTOCOL);
	assert_non_null(strstr(hs_last_error(), "answered AT with CONNECT and is online"));
	modem_rig_close(g);
}

static void test_sync_gives_up(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT\r"), EXPECT("AT\r"), EXPECT("AT\r"), SILENT(100),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	int64_t t0 = hs_now_ms(), took;
	int rc;
	(void)state;

	rc = hs_modem_sync(g->m, 3, 600);
	took = hs_now_ms() - t0;
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_TIMEOUT);
	assert_true(took >= 550 && took < 1000);
	assert_non_null(strstr(hs_last_error(), g->p.path));
	modem_rig_close(g);
}

/* A modem (or the wrong speed) that answers every AT with noise: sync
 * gives up on the noise, and says so, not that time ran out. */
static void test_sync_noise_is_not_a_timeout(void **state)
{
	static char noise[300];
	static const struct sim_step s[] = {
		EXPECT("AT\r"), SENDN(noise, sizeof(noise)),
		EXPECT("AT\r"), SENDN(noise, sizeof(noise)),
		EXPECT("AT\r"), SENDN(noise, sizeof(noise)),
		END(),
	};
	struct modem_rig *g;
	int rc;
	(void)state;

	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (char)(0x80 | (i * 41 % 128));
	g = modem_rig_open(NULL, s);
	rc = hs_modem_sync(g->m, 3, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_PROTOCOL);
	assert_non_null(strstr(hs_last_error(), g->p.path));
	assert_non_null(strstr(hs_last_error(), "not text"));
	assert_null(strstr(hs_last_error(), "within 5000 ms"));
	modem_rig_close(g);
}

static void test_reset_and_guard(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATZ\r"), SEND("ATZ\r\r\nOK\r\n"),
		EXPECT("ATE0V1Q0X4\r"), SEND("ATE0V1Q0X4\r\r\nOK\r\n"),
		EXPECT("AT&C1&D2S0=0\r"), SEND("\r\nOK\r\n"),
		EXPECT("ATS12?\r"), SEND("\r\n010\r\n\r\nOK\r\n"),
		EXPECT("AT&F\r"), SEND("\r\nERROR\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	int rc1, rc2;
	(void)state;

	rc1 = hs_modem_reset(g->m, 0, 5000);
	rc2 = hs_modem_reset(g->m, 1, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc1, HS_OK);
	assert_int_equal(rc2, HS_ERR_REJECTED);
	modem_rig_close(g);
}

static void test_identify(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT+GMI\r"), SEND("\r\nHSLAB Modems Inc.\r\n\r\nOK\r\n"),
		EXPECT("AT+GMM\r"), SEND("\r\n+GMM: LAB-56K\r\n\r\nOK\r\n"),
		EXPECT("AT+GMR\r"), SEND("\r\nERROR\r\n"),
		EXPECT("AT+GSN\r"), SEND("\r\nSN\x01" "42\r\n\r\nOK\r\n"),
		EXPECT("ATI0\r"), SEND("\r\n56000\r\n\r\nOK\r\n"),
		EXPECT("ATI1\r"), SEND("\r\n255\r\n\r\nOK\r\n"),
		EXPECT("ATI2\r"), SEND("\r\nERROR\r\n"),
		EXPECT("ATI3\r"), SEND("\r\nLAB V.92\r\nRev 1.0\r\n\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_modem_ident id;
	int rc;
	(void)state;

	rc = hs_modem_identify(g->m, &id, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_string_equal(id.manufacturer, "HSLAB Modems Inc.");
	assert_string_equal(id.model, "LAB-56K");
	assert_string_equal(id.revision, "");
	/* a control byte from the device is not kept */
	assert_string_equal(id.serial, "SN42");
	assert_int_equal(id.nati, 4);
	assert_string_equal(id.ati[0], "56000");
	assert_string_equal(id.ati[1], "255");
	assert_string_equal(id.ati[2], "");
	assert_string_equal(id.ati[3], "LAB V.92; Rev 1.0");
	modem_rig_close(g);
}

static void test_identify_falls_back_to_3gpp(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT+GMI\r"), SEND("\r\nERROR\r\n"),
		EXPECT("AT+CGMI\r"), SEND("\r\n+CGMI: Quectel\r\n\r\nOK\r\n"),
		EXPECT("AT+CGMM\r"), SEND("\r\nEC25\r\n\r\nOK\r\n"),
		EXPECT("AT+CGMR\r"), SEND("\r\nEC25EFAR06A03M4G\r\n\r\nOK\r\n"),
		EXPECT("AT+CGSN\r"), SEND("\r\n867698041234567\r\n\r\nOK\r\n"),
		EXPECT("ATI0\r"), SEND("\r\nQuectel\r\nEC25\r\n\r\nOK\r\n"),
		EXPECT("ATI1\r"), SEND("\r\nERROR\r\n"),
		EXPECT("ATI2\r"), SEND("\r\nERROR\r\n"),
		EXPECT("ATI3\r"), SEND("\r\nERROR\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_modem_ident id;
	int rc;
	(void)state;

	rc = hs_modem_identify(g->m, &id, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_string_equal(id.manufacturer, "Quectel");
	assert_string_equal(id.model, "EC25");
	assert_string_equal(id.serial, "867698041234567");
	assert_string_equal(id.ati[0], "Quectel; EC25");
	modem_rig_close(g);
}

static void dial_string_is(const struct hs_dial *d, const char *want)
{
	char buf[128];
	int n = hs_modem_dial_string(buf, sizeof(buf), d);
	if (n < 0)
		fail_msg("dial string for %s: %s", d->number, hs_last_error());
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_dial_strings(void **state)
{
	static const char devserver[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-";
	char buf[32];
	(void)state;

	/* every character as given: separators are the modem's to ignore
	 * (V.250), never ours to drop */
	dial_string_is(&(struct hs_dial){ .number = "555-1234" }, "ATD555-1234");
	dial_string_is(&(struct hs_dial){ .number = "(555) 123 4567",
					  .method = HS_DIAL_TONE }, "ATDT(555) 123 4567");
	dial_string_is(&(struct hs_dial){ .number = "555.123.4567" }, "ATD555.123.4567");
	dial_string_is(&(struct hs_dial){ .number = "5551234", .method = HS_DIAL_PULSE,
					  .prefix = "9", .wait_dialtone = 1 }, "ATDP9W5551234");
	dial_string_is(&(struct hs_dial){ .number = "5551234", .method = HS_DIAL_TONE,
					  .prefix = "9" }, "ATDT9,5551234");
	dial_string_is(&(struct hs_dial){ .number = "*70,5551234", .method = HS_DIAL_TONE,
					  .stay_command = 1 }, "ATDT*70,5551234;");
	dial_string_is(&(struct hs_dial){ .number = "5551234;" }, "ATD5551234;");
	dial_string_is(&(struct hs_dial){ .number = "w@5551234!#" }, "ATDw@5551234!#");
	dial_string_is(&(struct hs_dial){ .number = "+15551234" }, "ATD+15551234");
	/* a host and port: only where the driver's modems take them */
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "127.0.0.1:23" }), HS_ERR_ARG);
	assert_non_null(strstr(hs_last_error(), "':'"));
	dial_string_is(&(struct hs_dial){ .number = "127.0.0.1:2323", .method = HS_DIAL_TONE,
					  .dial_chars = devserver }, "ATDT127.0.0.1:2323");
	dial_string_is(&(struct hs_dial){ .number = "bbs.example-host.org:23",
					  .method = HS_DIAL_TONE, .dial_chars = devserver },
		       "ATDTbbs.example-host.org:23");
	/* or as is, whatever the driver */
	dial_string_is(&(struct hs_dial){ .number = "localhost:6400", .as_is = 1 },
		       "ATDlocalhost:6400");
	/* nothing that could end the command or start another */
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "555\rATZ" }), HS_ERR_ARG);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "555\rATZ", .as_is = 1 }), HS_ERR_ARG);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "555;H" }), HS_ERR_ARG);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "555;H", .as_is = 1 }), HS_ERR_ARG);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "5551234X" }), HS_ERR_ARG);
	assert_non_null(strstr(hs_last_error(), "'X'"));
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "- ()" }), HS_ERR_ARG);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "", .as_is = 1 }), HS_ERR_ARG);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf),
		&(struct hs_dial){ .number = "12345678901234567890123456789" }), HS_ERR_OVERFLOW);
	assert_int_equal(hs_modem_dial_string(buf, sizeof(buf), NULL), HS_ERR_ARG);
}

static void test_dial_failures(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATDT1\r"), SEND("\r\nBUSY\r\n"),
		EXPECT("ATDT2\r"), SEND("\r\nNO CARRIER\r\n"),
		EXPECT("ATDT3\r"), SEND("\r\nNO DIALTONE\r\n"),
		EXPECT("ATDT4\r"), SEND("\r\nNO ANSWER\r\n"),
		EXPECT("ATDT5\r"), SEND("\r\nERROR\r\n"),
		EXPECT("ATDT6\r"), EXPECT("\r"),    /* timed out: dial aborted */
		SEND("\r\nNO CARRIER\r\n"),          /* ...and that is swallowed */
		EXPECT("ATDT7;\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	static const int want[] = {
		HS_ERR_LINE_BUSY, HS_ERR_NO_CARRIER, HS_ERR_NO_DIALTONE,
		HS_ERR_NO_ANSWER, HS_ERR_REJECTED, HS_ERR_TIMEOUT, HS_OK,
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_at_connect c;
	int rc[7];
	(void)state;

	for (int i = 0; i < 7; i++) {
		char number[4];
		snprintf(number, sizeof(number), "%d", i + 1);
		rc[i] = hs_modem_dial(g->m, &(struct hs_dial){ .number = number,
			.method = HS_DIAL_TONE, .stay_command = i == 6 }, &c, i == 5 ? 300 : 2000);
		if (rc[i] == HS_ERR_LINE_BUSY)
			assert_non_null(strstr(hs_last_error(), "BUSY"));
	}
	sim_finish(&g->sim);
	for (int i = 0; i < 7; i++)
		if (rc[i] != want[i])
			fail_msg("dial %d: %s, wanted %s", i + 1, hs_err_name(rc[i]),
				 hs_err_name(want[i]));
	assert_false(hs_modem_online(g->m));
	modem_rig_close(g);
}

/* Read exactly n data bytes (bytes that might start NO CARRIER come
 * a little later, once the modem has shown they do not). */
static void read_exact(struct hs_modem *m, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		int r = hs_modem_read(m, buf + got, n - got, 2000);
		if (r <= 0)
			fail_msg("read: %s (%s)", hs_err_name(r), hs_last_error());
		got += (size_t)r;
	}
}

static void test_data_mode_and_carrier_loss(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATDT5551234\r"), SEND("\r\nCONNECT 33600/V42BIS\r\nwel"),
		SEND("come\r\n"),
		EXPECT("ping\r\n"),
		/* "\r\nNO" could start NO CARRIER: held, then given as data */
		SEND("pong\r\nNO"), GO(),
		SEND("W\r\n"), GO(),
		SEND("bye\r\nNO CAR"), SEND("RIER\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_at_connect c;
	char buf[64];
	size_t got = 0;
	int rc, n;
	(void)state;

	rc = hs_modem_dial(g->m, &(struct hs_dial){ .number = "5551234",
		.method = HS_DIAL_TONE }, &c, 2000);
	assert_int_equal(rc, HS_OK);
	assert_true(hs_modem_online(g->m));
	assert_int_equal(c.speed, 33600);
	assert_string_equal(c.compression, "V42BIS");
	read_exact(g->m, buf, 9);
	assert_memory_equal(buf, "welcome\r\n", 9);
	assert_int_equal(hs_modem_write(g->m, "ping\r\n", 6, 1000, NULL), HS_OK);
	read_exact(g->m, buf, 8);
	assert_memory_equal(buf, "pong\r\nNO", 8);
	sim_go(&g->sim);
	read_exact(g->m, buf, 3);
	assert_memory_equal(buf, "W\r\n", 3);
	sim_go(&g->sim);
	got = 0;
	while ((n = hs_modem_read(g->m, buf + got, sizeof(buf) - got, 2000)) > 0)
		got += (size_t)n;
	sim_finish(&g->sim);
	assert_int_equal(n, HS_ERR_NO_CARRIER);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "bye", 3);
	assert_false(hs_modem_online(g->m));
	assert_int_equal(hs_modem_read(g->m, buf, sizeof(buf), 100), HS_ERR_NO_CARRIER);
	assert_int_equal(hs_modem_write(g->m, "x", 1, 100, NULL), HS_ERR_NO_CARRIER);
	modem_rig_close(g);
}

/* Read as an event loop does: hs_modem_read(0) whenever the link polls
 * readable or hs_modem_wait_ms() says; the data and how it ended.
 * HS_ERR_CANCELED: the loop was told to sleep until input, none came,
 * and yet the call had not ended (it would have slept forever). */
static int read_like_a_loop(struct hs_modem *m, char *buf, size_t cap, size_t *got)
{
	int64_t deadline = hs_deadline(5000);
	int n;

	*got = 0;
	while (hs_remaining(deadline) > 0) {
		struct pollfd f = { .fd = hs_link_fd(hs_modem_link(m)), .events = POLLIN };
		int wait = hs_modem_wait_ms(m);
		if (poll(&f, 1, wait < 0 || wait > hs_remaining(deadline)
			 ? hs_remaining(deadline) : wait) == 0 && wait < 0)
			return HS_ERR_CANCELED;
		n = hs_modem_read(m, buf + *got, cap - *got, 0);
		if (n > 0)
			*got += (size_t)n;
		else if (n != HS_ERR_TIMEOUT)
			return n;
	}
	return HS_ERR_TIMEOUT;
}

/* Dial "1" on script s (CONNECT, then GO, then what the test is
 * about), read like a loop until the call ends: it must end by NO
 * CARRIER with exactly want given as data. */
static void call_ends_with(const struct sim_step *s, const char *want)
{
	struct modem_rig *g = modem_rig_open(NULL, s);
	char buf[64];
	size_t got;
	int rc;

	assert_int_equal(hs_modem_dial(g->m, &(struct hs_dial){ .number = "1" }, NULL, 2000),
			 HS_OK);
	/* CONNECT read alone: nothing came with it */
	assert_int_equal(hs_modem_read(g->m, buf, sizeof(buf), 0), HS_ERR_TIMEOUT);
	sim_go(&g->sim);
	rc = read_like_a_loop(g->m, buf, sizeof(buf), &got);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_NO_CARRIER);
	assert_int_equal(got, strlen(want));
	assert_memory_equal(buf, want, got);
	assert_false(hs_modem_online(g->m));
	modem_rig_close(g);
}

/* A modem emulator on a pty (no DCD) writes "\r\n", "NO CARRIER",
 * "\r\n" apart: the call ends, and none of it is data, even when read
 * without waiting each time. */
static void test_no_carrier_in_pieces(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATD1\r"), SEND("\r\nCONNECT\r\n"), GO(),
		SEND("line\r\n"), SILENT(20),
		SEND("\r\n"), SILENT(20), SEND("NO CARR"), SILENT(20), SEND("IER"),
		SILENT(20), SEND("\r\n"),
		END(),
	};
	(void)state;
	call_ends_with(s, "line\r\n");
}

/* Data and NO CARRIER in one write: the data, then the loss, with no
 * input between to wake a loop up. */
static void test_data_and_no_carrier_at_once(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATD1\r"), SEND("\r\nCONNECT\r\n"), GO(),
		SEND("bye\r\nNO CARRIER\r\n"),
		END(),
	};
	(void)state;
	call_ends_with(s, "bye");
}

/* A V0 modem says NO CARRIER as "3\r": taken as the end of the call
 * only as the very last thing it sent, after a quiet pause, and never
 * after a digit ("13\r" is a number); elsewhere it is data. */
static void test_v0_no_carrier_at_the_end(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATD1\r"), SEND("1\r"), GO(),
		/* (pieces 5 ms apart, as emulators write them: a pause is
		 * what takes over HOLD_MS) */
		SEND("a3\rb3"), SILENT(5), SEND("\rc"),
		SILENT(5), SEND("data3"), SILENT(5), SEND("\r"),
		END(),
	};
	(void)state;
	call_ends_with(s, "a3\rb3\rcdata");
}

/* ...and "3\r" that is not it stays data: after a digit ("13\r" is a
 * number), or after a verbose (V1) CONNECT, even at the end and quiet. */
static void test_v0_code_elsewhere_is_data(void **state)
{
	static const struct sim_step after_digit[] = {
		EXPECT("ATD1\r"), SEND("1\r"), GO(),
		SEND("data13\r"), SILENT(300), SEND("\r\nNO CARRIER\r\n"),
		END(),
	};
	static const struct sim_step after_v1[] = {
		EXPECT("ATD1\r"), SEND("\r\nCONNECT\r\n"), GO(),
		SEND("data3\r"), SILENT(300), SEND("\r\nNO CARRIER\r\n"),
		END(),
	};
	(void)state;
	call_ends_with(after_digit, "data13\r");
	call_ends_with(after_v1, "data3\r");
}

/* With nothing held, nothing is due: a loop may sleep until input (no
 * DCD to look at on a pty); held bytes are due within the hold. */
static void test_wait_ms_idle(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATD1\r"), SEND("\r\nCONNECT\r\n"), GO(), SEND("ab\r"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	char buf[8];
	int n;
	(void)state;

	assert_int_equal(hs_modem_dial(g->m, &(struct hs_dial){ .number = "1" }, NULL, 2000),
			 HS_OK);
	/* data may have come with CONNECT: read at once */
	assert_int_equal(hs_modem_wait_ms(g->m), 0);
	assert_int_equal(hs_modem_read(g->m, buf, sizeof(buf), 0), HS_ERR_TIMEOUT);
	assert_int_equal(hs_modem_wait_ms(g->m), -1);
	sim_go(&g->sim);
	/* "\r" may start NO CARRIER: held, and due within the hold */
	n = hs_modem_read(g->m, buf, sizeof(buf), 2000);
	assert_int_equal(n, 2);
	assert_true(hs_modem_wait_ms(g->m) >= 0);
	sim_finish(&g->sim);
	modem_rig_close(g);
}

static void test_hangup_escape_guard(void **state)
{
	/* S12=10: 200 ms of silence before and after "+++" */
	static const struct sim_step s[] = {
		EXPECT("ATS12?\r"), SEND("\r\n010\r\n\r\nOK\r\n"),
		EXPECT("ATD5551234\r"), SEND("\r\nCONNECT 33600\r\n"),
		EXPECT("hello"),
		EXPECT_GAP("+++", 200),
		SILENT(200),
		SEND("\r\nOK\r\n"),
		EXPECT("ATH0\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	int rc;
	(void)state;

	assert_int_equal(hs_modem_guard_time(g->m, 2000), 200);
	assert_int_equal(hs_modem_dial(g->m, &(struct hs_dial){ .number = "5551234" }, NULL,
				       2000), HS_OK);
	assert_int_equal(hs_modem_write(g->m, "hello", 5, 1000, NULL), HS_OK);
	/* a pty has no DTR/DCD: the default policy falls back to +++ */
	rc = hs_modem_hangup(g->m, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_false(hs_modem_online(g->m));
	modem_rig_close(g);
}

/* A Hayes modem whose guard time is short (S12=10), for the escapes. */
static const struct hs_modem_driver quick = {
	.name = "quick", .description = "a Hayes modem with S12=10",
	.guard_ms = 200,
};

/* A modem this object never talked to may be online (another program
 * left a call up): hang-up escapes first, guard time before and after
 * "+++", then ATH0. Without modem lines nothing else can tell. */
static void test_hangup_unknown_state_escapes(void **state)
{
	static const struct sim_step s[] = {
		EXPECT_GAP("+++", 200),
		SILENT(200),
		SEND("\r\nOK\r\n"),
		EXPECT("ATH0\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(&quick, s);
	int rc;
	(void)state;

	rc = hs_modem_hangup(g->m, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	modem_rig_close(g);
}

/* Before a first command on a line without DCD (a pty): +++ framed by
 * the guard time; OK says a call was up. Once the modem is known to be
 * in command mode nothing more is sent. */
static void test_command_mode_escapes_unknown_state(void **state)
{
	static const struct sim_step s[] = {
		EXPECT_GAP("+++", 200),
		SILENT(200),
		SEND("\r\nOK\r\n"),
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(&quick, s);
	(void)state;

	assert_int_equal(hs_modem_command_mode(g->m, 5000), 1);
	assert_int_equal(hs_modem_command_mode(g->m, 5000), 0);
	assert_int_equal(hs_modem_sync(g->m, 1, 2000), HS_OK);
	sim_finish(&g->sim);
	modem_rig_close(g);
}

/* A modem in command mode already does not answer +++ (no line end):
 * 0, and the next command works. */
static void test_command_mode_no_answer(void **state)
{
	static const struct sim_step s[] = {
		EXPECT_GAP("+++", 200),
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(&quick, s);
	(void)state;

	assert_int_equal(hs_modem_command_mode(g->m, 5000), 0);
	assert_int_equal(hs_modem_sync(g->m, 1, 2000), HS_OK);
	sim_finish(&g->sim);
	modem_rig_close(g);
}

/* Once the modem answered a command, it is in command mode: ATH0 alone. */
static void test_hangup_known_command_mode(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("AT\r"), SEND("\r\nOK\r\n"),
		EXPECT("ATH0\r"), SEND("\r\nOK\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	int rc;
	(void)state;

	assert_int_equal(hs_modem_sync(g->m, 1, 2000), HS_OK);
	rc = hs_modem_hangup(g->m, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	modem_rig_close(g);
}

static void test_hangup_dtr_only_cannot_on_pty(void **state)
{
	static const struct sim_step s[] = { END() };
	struct modem_rig *g = modem_rig_open(NULL, s);
	(void)state;

	sim_finish(&g->sim);
	hs_modem_set_hangup_policy(g->m, HS_HANGUP_DTR);
	assert_int_equal(hs_modem_hangup(g->m, 500), HS_ERR_NOT_SUPPORTED);
	modem_rig_close(g);
}

struct urcs {
	int n;
	char last[64];
};

static void count_urc(void *ctx, const struct hs_at_urc *u)
{
	struct urcs *c = ctx;
	c->n++;
	snprintf(c->last, sizeof(c->last), "%s", u->line);
}

static void test_wait_call_caller_id_answer(void **state)
{
	static const struct sim_step s[] = {
		SEND("\r\nRING\r\n"),
		SEND("\r\nDATE = 1124\r\nTIME = 1905\r\nNMBR = 5551234\r\nNAME = ALICE\r\n"),
		SEND("\r\nRING\r\n"),
		EXPECT("ATA\r"), SEND("\r\nCONNECT 33600/ARQ/LAPM\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_modem_call call;
	struct hs_at_connect c;
	struct urcs seen = { 0 };
	int rc;
	(void)state;

	hs_modem_set_urc_handler(g->m, count_urc, &seen);
	rc = hs_modem_wait_call(g->m, 2, &call, &c, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(call.rings, 2);
	assert_string_equal(call.number, "5551234");
	assert_string_equal(call.name, "ALICE");
	assert_string_equal(call.date, "1124");
	assert_string_equal(call.time, "1905");
	assert_int_equal(c.speed, 33600);
	assert_string_equal(c.protocol, "LAPM");
	assert_true(hs_modem_online(g->m));
	assert_int_equal(seen.n, 6);
	assert_string_equal(seen.last, "RING");
	modem_rig_close(g);
}

static void test_wait_call_modem_answers_itself(void **state)
{
	static const struct sim_step s[] = {
		SEND("\r\nRING\r\n"), GO(),
		SEND("\r\nRING\r\n\r\nCONNECT 28800/REL\r\nhi"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_modem_call call;
	struct hs_at_connect c;
	char buf[4];
	int rc;
	(void)state;

	/* S0=2 on the modem: it answers before our 3 rings */
	assert_int_equal(hs_at_poll(hs_modem_at(g->m), 2000), 1);
	sim_go(&g->sim);
	rc = hs_modem_wait_call(g->m, 3, &call, &c, 5000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_OK);
	assert_true(hs_modem_online(g->m));
	assert_int_equal(c.speed, 28800);
	assert_string_equal(c.protocol, "REL");
	read_exact(g->m, buf, 2);
	assert_memory_equal(buf, "hi", 2);
	modem_rig_close(g);
}

static void test_wait_call_times_out(void **state)
{
	static const struct sim_step s[] = {
		SEND("\r\n+CLIP: \"5550000\",129\r\n\r\nRING\r\n"),
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_modem_call call;
	int64_t t0 = hs_now_ms(), took;
	int rc;
	(void)state;

	rc = hs_modem_wait_call(g->m, 0, &call, NULL, 2000);
	assert_int_equal(rc, HS_OK);
	assert_int_equal(call.rings, 1);
	assert_string_equal(call.number, "5550000");
	t0 = hs_now_ms();
	rc = hs_modem_wait_call(g->m, 2, &call, NULL, 300);
	took = hs_now_ms() - t0;
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_TIMEOUT);
	assert_true(took >= 300 && took < 700);
	modem_rig_close(g);
}

/* Q1: ATD's reply ends in silence. Only DCD could say the call is up,
 * and a pty has none: a clear error, the dial aborted, not "online". */
static void test_dial_quiet_without_dcd(void **state)
{
	static const struct sim_step s[] = {
		EXPECT("ATQ1\r"),                   /* no result code */
		EXPECT("ATD1\r"), EXPECT("\r"),      /* silence, then abort */
		END(),
	};
	struct modem_rig *g = modem_rig_open(NULL, s);
	struct hs_at_connect c;
	int rc;
	(void)state;

	rc = hs_at_command(hs_modem_at(g->m), "ATQ1", NULL, 2000);
	assert_int_equal(rc, HS_OK);
	rc = hs_modem_dial(g->m, &(struct hs_dial){ .number = "1" }, &c, 2000);
	sim_finish(&g->sim);
	assert_int_equal(rc, HS_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(hs_last_error(), "Q1"));
	assert_false(hs_modem_online(g->m));
	modem_rig_close(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_driver_data_and_hooks),
		cmocka_unit_test(test_sync_after_noise),
		cmocka_unit_test(test_sync_connect_instead_of_ok),
		cmocka_unit_test(test_sync_gives_up),
		cmocka_unit_test(test_sync_noise_is_not_a_timeout),
		cmocka_unit_test(test_reset_and_guard),
		cmocka_unit_test(test_identify),
		cmocka_unit_test(test_identify_falls_back_to_3gpp),
		cmocka_unit_test(test_dial_strings),
		cmocka_unit_test(test_dial_failures),
		cmocka_unit_test(test_dial_quiet_without_dcd),
		cmocka_unit_test(test_data_mode_and_carrier_loss),
		cmocka_unit_test(test_no_carrier_in_pieces),
		cmocka_unit_test(test_data_and_no_carrier_at_once),
		cmocka_unit_test(test_v0_no_carrier_at_the_end),
		cmocka_unit_test(test_v0_code_elsewhere_is_data),
		cmocka_unit_test(test_wait_ms_idle),
		cmocka_unit_test(test_hangup_escape_guard),
		cmocka_unit_test(test_hangup_unknown_state_escapes),
		cmocka_unit_test(test_hangup_known_command_mode),
		cmocka_unit_test(test_command_mode_escapes_unknown_state),
		cmocka_unit_test(test_command_mode_no_answer),
		cmocka_unit_test(test_hangup_dtr_only_cannot_on_pty),
		cmocka_unit_test(test_wait_call_caller_id_answer),
		cmocka_unit_test(test_wait_call_modem_answers_itself),
		cmocka_unit_test(test_wait_call_times_out),
	};
	return cmocka_run_group_tests_name("modem", tests, NULL, NULL);
}
