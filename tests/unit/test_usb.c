/*
 * test_usb.c - the USB transport's decisions that need no device: which
 * interface a printer's descriptors lead to, where the ID is in a
 * GET_DEVICE_ID reply, how libusb errors reach callers, and that the
 * printer-class calls refuse links that are not USB printers. Moving bytes
 * is tested against the lab's emulated printer (bats), not here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/usb.h"
#include "ptypair.h"
#include "usb_priv.h"

#define NONE -1

/* ---- interface choice ------------------------------------------------- */

static const struct pick_case {
	const char *what;
	struct hs_usb_alt alts[4];
	int n, want_if, expect;
} picks[] = {
	{ "bidirectional printer, endpoints not 0x01/0x82",
	  { { 0, 0, 7, 1, 2, 0x02, 0x81 } }, 1, NONE, 0 },
	{ "unidirectional printer",
	  { { 0, 0, 7, 1, 1, 0x01, NONE } }, 1, NONE, 0 },
	{ "7/1/2 preferred over 7/1/1 in a later alt setting",
	  { { 0, 0, 7, 1, 1, 0x01, NONE }, { 0, 1, 7, 1, 2, 0x01, 0x82 } }, 2, NONE, 1 },
	{ "IPP over USB (7/1/4) left to ipp-usb, 7/1/2 behind it taken",
	  { { 0, 0, 7, 1, 4, 0x03, 0x83 }, { 1, 0, 7, 1, 2, 0x02, 0x81 } }, 2, NONE, 1 },
	{ "IPP over USB only: nothing",
	  { { 0, 0, 7, 1, 4, 0x03, 0x83 } }, 1, NONE, NONE },
	{ "1284.4 (7/1/3) is not ours",
	  { { 0, 0, 7, 1, 3, 0x02, 0x81 } }, 1, NONE, NONE },
	{ "a scanner function and a printer: the printer",
	  { { 0, 0, 0xff, 0xff, 0xff, 0x01, 0x81 }, { 1, 0, 7, 1, 2, 0x04, 0x85 } }, 2, NONE, 1 },
	{ "7/1/2 without a bulk IN is used one way, below a real 7/1/2",
	  { { 0, 0, 7, 1, 2, 0x02, NONE }, { 1, 0, 7, 1, 2, 0x03, 0x83 } }, 2, NONE, 1 },
	{ "no bulk OUT: cannot print",
	  { { 0, 0, 7, 1, 2, NONE, 0x81 } }, 1, NONE, NONE },
	{ "interface= picks that interface even if worse",
	  { { 0, 0, 7, 1, 2, 0x02, 0x81 }, { 1, 0, 7, 1, 1, 0x03, NONE } }, 2, 1, 1 },
	{ "interface= naming a non-printer: nothing",
	  { { 0, 0, 7, 1, 2, 0x02, 0x81 }, { 1, 0, 8, 6, 80, 0x03, 0x83 } }, 2, 1, NONE },
	{ "mass storage only",
	  { { 0, 0, 8, 6, 80, 0x01, 0x81 } }, 1, NONE, NONE },
	{ "no interfaces", { { 0 } }, 0, NONE, NONE },
};

static void test_pick(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		int got = hs_usb_pick(picks[i].alts, picks[i].n, picks[i].want_if);
		if (got != picks[i].expect)
			fail_msg("%s: picked %d, expected %d", picks[i].what, got,
				 picks[i].expect);
	}
}

/* ---- device-ID length ------------------------------------------------- */

struct id_case {
	const char *what;
	const uint8_t *reply;
	size_t got, cap;
	int offset;           /* 2, or -1 */
	const char *id;       /* expected ID (len = strlen) */
};

#define ID "MFG:ACME;MDL:LaserJet 9;"   /* 24 bytes */

static void test_id_span(void **state)
{
	static const uint8_t be[] = "\x00\x1a" ID;               /* 26, big-endian */
	static const uint8_t le[] = "\x1a\x00" ID;               /* little-endian */
	static const uint8_t nul[] = "\x00\x1a" "MFG:ACME;\0MDL:LaserJet;";
	static const uint8_t longer[] = "\x00\xff" ID;           /* says 255, 26 came */
	static const uint8_t tiny[] = "\x00\x02";                /* empty ID */
	static const uint8_t one[] = "\x00";
	static const uint8_t junk[] = "\xff\xff" ID;             /* both ways absurd */
	static const struct id_case cases[] = {
		{ "big-endian, counting itself", be, 26, 1026, 2, ID },
		{ "little-endian printer", le, 26, 1026, 2, ID },
		{ "embedded NUL ends the ID", nul, 26, 1026, 2, "MFG:ACME;" },
		{ "length past what came: cut to the reply", longer, 26, 1026, 2, ID },
		{ "truncated by our buffer: big-endian over cap, so LE, still cut",
		  be, 20, 20, 2, "MFG:ACME;MDL:Laser" },
		{ "length 2: no ID", tiny, 2, 1026, -1, "" },
		{ "one byte: no length", one, 1, 1026, -1, "" },
		{ "0xFFFF both ways: what came", junk, 26, 1026, 2, ID },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct id_case *c = &cases[i];
		size_t len = 99;
		int off = hs_usb_id_span(c->reply, c->got, c->cap, &len);
		size_t want = strlen(c->id);

		if (off != c->offset)
			fail_msg("%s: offset %d, expected %d", c->what, off, c->offset);
		if (off < 0)
			continue;
		if (len != want || memcmp(c->reply + off, c->id, want) != 0)
			fail_msg("%s: got %zu bytes '%.*s', expected %zu", c->what, len,
				 (int)len, (const char *)c->reply + off, want);
	}
}

/* ---- libusb errors ---------------------------------------------------- */

static void test_error_codes(void **state)
{
	static const struct { int usb, hs; } map[] = {
		{ LIBUSB_SUCCESS, HS_OK },
		{ LIBUSB_ERROR_NO_DEVICE, HS_ERR_UNPLUGGED },
		{ LIBUSB_ERROR_TIMEOUT, HS_ERR_TIMEOUT },
		{ LIBUSB_ERROR_ACCESS, HS_ERR_PERMISSION },
		{ LIBUSB_ERROR_BUSY, HS_ERR_BUSY },
		{ LIBUSB_ERROR_NOT_FOUND, HS_ERR_NO_DEVICE },
		{ LIBUSB_ERROR_NO_MEM, HS_ERR_NOMEM },
		{ LIBUSB_ERROR_INVALID_PARAM, HS_ERR_ARG },
		{ LIBUSB_ERROR_NOT_SUPPORTED, HS_ERR_NOT_SUPPORTED },
		{ LIBUSB_ERROR_OVERFLOW, HS_ERR_OVERFLOW },
		{ LIBUSB_ERROR_PIPE, HS_ERR_IO },
		{ LIBUSB_ERROR_IO, HS_ERR_IO },
		{ LIBUSB_ERROR_OTHER, HS_ERR_IO },
		{ -12345, HS_ERR_IO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		assert_int_equal(hs_usb_code(map[i].usb), map[i].hs);
}

static void test_error_messages(void **state)
{
	const char *node = "/dev/bus/usb/003/007";
	int rc;

	(void)state;
	rc = hs_usb_fail(node, LIBUSB_ERROR_TIMEOUT, "a write");
	assert_int_equal(rc, HS_ERR_TIMEOUT);
	assert_string_equal(hs_last_error(),
			    "/dev/bus/usb/003/007: a write timed out (busy, offline or out of paper?)");

	/* no count: the write's *done has it, the job engine says it once */
	rc = hs_usb_fail(node, LIBUSB_ERROR_NO_DEVICE, "a write");
	assert_int_equal(rc, HS_ERR_UNPLUGGED);
	assert_string_equal(hs_last_error(),
			    "/dev/bus/usb/003/007 went away during a write: was it unplugged?");

	/* the node does not exist here: the udev rule and group lp */
	rc = hs_usb_fail(node, LIBUSB_ERROR_ACCESS, "open");
	assert_int_equal(rc, HS_ERR_PERMISSION);
	assert_non_null(strstr(hs_last_error(), node));
	assert_non_null(strstr(hs_last_error(), "lp"));
	assert_non_null(strstr(hs_last_error(), "udev"));

	rc = hs_usb_fail(node, LIBUSB_ERROR_BUSY, "claiming the printer interface");
	assert_int_equal(rc, HS_ERR_BUSY);
	assert_non_null(strstr(hs_last_error(), "another program"));

	rc = hs_usb_fail(node, LIBUSB_ERROR_PIPE, "GET_PORT_STATUS");
	assert_int_equal(rc, HS_ERR_IO);
	assert_non_null(strstr(hs_last_error(), "stalled"));
}

/* ---- the public calls on links that are not USB printers -------------- */

static void test_not_usb(void **state)
{
	char id[64] = "x";

	(void)state;
	assert_int_equal(hs_link_device_id(NULL, id, sizeof(id), 100), HS_ERR_ARG);
	assert_int_equal(id[0], 0);
	assert_int_equal(hs_link_device_id(NULL, NULL, 0, 100), HS_ERR_ARG);
	assert_int_equal(hs_link_port_status(NULL, 100), HS_ERR_ARG);
	assert_int_equal(hs_link_soft_reset(NULL, 100), HS_ERR_ARG);
}

static void test_serial_link(void **state)
{
	struct ptypair pty;
	struct hs_link *l;
	char id[64];

	(void)state;
	ptypair_open(&pty);
	assert_int_equal(hs_link_open(&l, pty.path), HS_OK);
	assert_int_equal(hs_link_device_id(l, id, sizeof(id), 100), HS_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(hs_last_error(), "not a USB printer"));
	assert_int_equal(hs_link_port_status(l, 100), HS_ERR_NOT_SUPPORTED);
	assert_int_equal(hs_link_soft_reset(l, 100), HS_ERR_NOT_SUPPORTED);
	assert_int_equal(hs_link_port_status(l, -1), HS_ERR_ARG);
	hs_link_close(l);
	ptypair_close(&pty);
}

static void test_usb_open_missing(void **state)
{
	struct hs_link *l = (void *)1;
	int rc;

	(void)state;
	/* nothing answers to this VID:PID here: a clear error, no link */
	rc = hs_link_open(&l, "usb:fffe:fffd?serial=NOPE");
	assert_true(rc == HS_ERR_NO_DEVICE || rc == HS_ERR_IO);
	assert_null(l);
	assert_non_null(strstr(hs_last_error(), "usb:fffe:fffd"));
}

static void test_list_printers(void **state)
{
	struct hs_usb_printer *list = (void *)1;
	int n;

	(void)state;
	/* Without a USB bus (a container) the list is empty or an error,
	 * never a crash, and *out is defined either way. */
	n = hs_usb_list_printers(&list);
	if (n >= 0) {
		for (int i = 0; i < n; i++) {
			assert_int_equal(strncmp(list[i].uri, "usb:", 4), 0);
			assert_true(list[i].protocol == 1 || list[i].protocol == 2);
		}
		hs_usb_free_printers(list);
	} else {
		assert_null(list);
	}
	assert_int_equal(hs_usb_list_printers(NULL), HS_ERR_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_id_span),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_not_usb),
		cmocka_unit_test(test_serial_link),
		cmocka_unit_test(test_usb_open_missing),
		cmocka_unit_test(test_list_printers),
	};
	return cmocka_run_group_tests_name("usb", tests, NULL, NULL);
}
