/*
 * test_uri.c - URI parsing: a table of valid URIs with what they mean, and
 * of invalid ones with the error code each must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "uri.h"

static const struct valid {
	const char *uri;
	const char *path;
	int baud, bits;
	enum hs_parity parity;
	int stop;
	enum hs_flow flow;
	unsigned given;
} valid[] = {
	{ "/dev/ttyUSB0", "/dev/ttyUSB0", 9600, 8, HS_PARITY_NONE, 1, HS_FLOW_NONE, 0 },
	{ "ttyS1", "/dev/ttyS1", 9600, 8, HS_PARITY_NONE, 1, HS_FLOW_NONE, 0 },
	{ "serial:/dev/ttyUSB0?baud=115200&bits=8&parity=none&stop=1&flow=rtscts",
	  "/dev/ttyUSB0", 115200, 8, HS_PARITY_NONE, 1, HS_FLOW_RTSCTS,
	  HS_URI_BAUD | HS_URI_BITS | HS_URI_PARITY | HS_URI_STOP | HS_URI_FLOW },
	{ "serial:///dev/ttyS0?baud=300&bits=7&parity=even&stop=2",
	  "/dev/ttyS0", 300, 7, HS_PARITY_EVEN, 2, HS_FLOW_NONE,
	  HS_URI_BAUD | HS_URI_BITS | HS_URI_PARITY | HS_URI_STOP },
	/* CUPS's spelling: '+' between options, soft/hard flow. */
	{ "serial:/dev/ttyS0?baud=9600+flow=soft", "/dev/ttyS0", 9600, 8,
	  HS_PARITY_NONE, 1, HS_FLOW_XONXOFF, HS_URI_BAUD | HS_URI_FLOW },
	{ "serial:/dev/ttyS0?baud=19200+bits=7+parity=odd+flow=hard", "/dev/ttyS0",
	  19200, 7, HS_PARITY_ODD, 1, HS_FLOW_RTSCTS,
	  HS_URI_BAUD | HS_URI_BITS | HS_URI_PARITY | HS_URI_FLOW },
	{ "serial:/dev/ttyUSB0?baud=9600+flow=dtrdsr", "/dev/ttyUSB0", 9600, 8,
	  HS_PARITY_NONE, 1, HS_FLOW_DTRDSR, HS_URI_BAUD | HS_URI_FLOW },
	{ "serial:/dev/ttyACM0?parity=MARK&flow=XonXoff", "/dev/ttyACM0", 9600, 8,
	  HS_PARITY_MARK, 1, HS_FLOW_XONXOFF, HS_URI_PARITY | HS_URI_FLOW },
	{ "serial:/dev/ttyACM0?parity=space&bits=5", "/dev/ttyACM0", 9600, 5,
	  HS_PARITY_SPACE, 1, HS_FLOW_NONE, HS_URI_PARITY | HS_URI_BITS },
	{ "serial:/dev/ttyUSB0?baud=250000", "/dev/ttyUSB0", 250000, 8,
	  HS_PARITY_NONE, 1, HS_FLOW_NONE, HS_URI_BAUD },
	{ "serial:/dev/serial/by-id/usb-FTDI%20X-if00", "/dev/serial/by-id/usb-FTDI X-if00",
	  9600, 8, HS_PARITY_NONE, 1, HS_FLOW_NONE, 0 },
	{ "/dev/ttyUSB0?", "/dev/ttyUSB0", 9600, 8, HS_PARITY_NONE, 1, HS_FLOW_NONE, 0 },
	/* a key given again wins: the tools append their -b/-f flags so */
	{ "serial:/dev/ttyS0?baud=9600+flow=soft&baud=115200&flow=rtscts", "/dev/ttyS0",
	  115200, 8, HS_PARITY_NONE, 1, HS_FLOW_RTSCTS, HS_URI_BAUD | HS_URI_FLOW },
};

static const struct invalid {
	const char *uri;
	int code;
} invalid[] = {
	{ "", HS_ERR_URI },
	{ "serial:", HS_ERR_URI },
	{ "serial:?baud=9600", HS_ERR_URI },
	{ "rfc1149:/dev/pigeon", HS_ERR_URI },
	{ "serial:/dev/ttyS0?baud", HS_ERR_URI },
	{ "serial:/dev/ttyS0?=9600", HS_ERR_URI },
	{ "serial:/dev/tty%zzS0", HS_ERR_URI },
	{ "serial:/dev/tty%00S0", HS_ERR_URI },
	{ "serial:/dev/ttyS0?speed=9600", HS_ERR_URI_OPTION },
	{ "serial:/dev/ttyS0?serial=ABC", HS_ERR_URI_OPTION },
	{ "serial:/dev/ttyS0?baud=0", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?baud=fast", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?baud=-9600", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?baud=9600x", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?baud=99999999999", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?baud=", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?bits=9", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?bits=4", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?parity=q", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?stop=3", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?stop=1.5", HS_ERR_URI_VALUE },
	{ "serial:/dev/ttyS0?flow=maybe", HS_ERR_URI_VALUE },
	{ "usb:", HS_ERR_URI },
	{ "usb://ACME/LaserJet%209?serial=1", HS_ERR_URI },
	{ "usb:04b8", HS_ERR_URI },
	{ "usb:04b8:", HS_ERR_URI },
	{ "usb:12345:0001", HS_ERR_URI },
	{ "usb:04b8:0202:1", HS_ERR_URI },
	{ "usb:xyz:0202", HS_ERR_URI },
	{ "usb:0.1", HS_ERR_URI },
	{ "usb:1.200", HS_ERR_URI },
	{ "usb:04b8:0202?baud=9600", HS_ERR_URI_OPTION },
	{ "usb:04b8:0202?interface=300", HS_ERR_URI_VALUE },
	{ "usb:04b8:0202?serial=", HS_ERR_URI_VALUE },
	{ "fd:", HS_ERR_URI },
	{ "fd:x", HS_ERR_URI },
	{ "fd:0,", HS_ERR_URI },
	{ "fd:-1", HS_ERR_URI },
	{ "fd:0?flow=magic", HS_ERR_URI_VALUE },
	{ "rfc2217://", HS_ERR_URI },
	{ "rfc2217://host", HS_ERR_URI },
	{ "rfc2217://host:", HS_ERR_URI },
	{ "rfc2217://:2217", HS_ERR_URI },
	{ "rfc2217://host:0", HS_ERR_URI },
	{ "rfc2217://host:65536", HS_ERR_URI },
	{ "rfc2217://host:22x", HS_ERR_URI },
	{ "rfc2217://host:2217/", HS_ERR_URI },
	{ "rfc2217://::1:2217", HS_ERR_URI },
	{ "rfc2217://[::1]", HS_ERR_URI },
	{ "rfc2217://[::1]2217", HS_ERR_URI },
	{ "rfc2217://[]:2217", HS_ERR_URI },
	{ "rfc2217://[fe80::1%eth0]:2217", HS_ERR_URI },
	{ "rfc2217://ho st:2217", HS_ERR_URI },
	{ "rfc2217://host:2217?baud=fast", HS_ERR_URI_VALUE },
	{ "rfc2217://host:2217?serial=1", HS_ERR_URI_OPTION },
	{ "tcp://host:4001?baud=9600", HS_ERR_URI_OPTION },
	{ "tcp:host:4001", HS_ERR_URI },
	{ "telnet://host:23", HS_ERR_URI },
};

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const struct valid *v = &valid[i];
		struct hs_uri u;
		int rc = hs_uri_parse(v->uri, &u);
		if (rc != HS_OK)
			fail_msg("%s: %s", v->uri, hs_last_error());
		assert_int_equal(u.transport, HS_TRANSPORT_SERIAL);
		assert_string_equal(u.path, v->path);
		assert_int_equal(u.line.baud, v->baud);
		assert_int_equal(u.line.bits, v->bits);
		assert_int_equal(u.line.parity, v->parity);
		assert_int_equal(u.line.stop, v->stop);
		assert_int_equal(u.line.flow, v->flow);
		assert_int_equal(u.given, v->given);
	}
}

static void test_usb_valid(void **state)
{
	struct hs_uri u;
	(void)state;

	assert_int_equal(hs_uri_parse("usb:04B8:0202?serial=X%20Y&interface=1", &u), HS_OK);
	assert_int_equal(u.transport, HS_TRANSPORT_USB);
	assert_int_equal(u.usb_vid, 0x04b8);
	assert_int_equal(u.usb_pid, 0x0202);
	assert_string_equal(u.usb_serial, "X Y");
	assert_int_equal(u.usb_interface, 1);
	assert_int_equal(u.usb_bus, -1);

	assert_int_equal(hs_uri_parse("usb:3.17", &u), HS_OK);
	assert_int_equal(u.usb_bus, 3);
	assert_int_equal(u.usb_address, 17);
	assert_int_equal(u.usb_vid, -1);
	assert_int_equal(u.usb_interface, -1);
}

static void test_fd_valid(void **state)
{
	struct hs_uri u;
	(void)state;

	assert_int_equal(hs_uri_parse("fd:0", &u), HS_OK);
	assert_int_equal(u.fd, 0);
	assert_int_equal(u.wfd, 0);
	assert_int_equal(u.given, 0);
	assert_int_equal(hs_uri_parse("fd:0,1?baud=38400", &u), HS_OK);
	assert_int_equal(u.fd, 0);
	assert_int_equal(u.wfd, 1);
	assert_int_equal(u.line.baud, 38400);
	assert_int_equal(u.given, HS_URI_BAUD);
	assert_int_equal(hs_uri_parse("/dev/ttyS0", &u), HS_OK);
	assert_int_equal(u.fd, -1);
}

static void test_net_valid(void **state)
{
	struct hs_uri u;
	(void)state;

	assert_int_equal(hs_uri_parse("rfc2217://ser2net.lan:2001?baud=19200&bits=7&parity=even&stop=2&flow=rtscts", &u), HS_OK);
	assert_int_equal(u.transport, HS_TRANSPORT_RFC2217);
	assert_string_equal(u.host, "ser2net.lan");
	assert_string_equal(u.port, "2001");
	assert_string_equal(u.path, "rfc2217://ser2net.lan:2001");
	assert_int_equal(u.line.baud, 19200);
	assert_int_equal(u.line.bits, 7);
	assert_int_equal(u.line.parity, HS_PARITY_EVEN);
	assert_int_equal(u.line.stop, 2);
	assert_int_equal(u.line.flow, HS_FLOW_RTSCTS);

	assert_int_equal(hs_uri_parse("rfc2217://192.0.2.7:7001", &u), HS_OK);
	assert_string_equal(u.host, "192.0.2.7");
	assert_int_equal(u.line.baud, 9600);
	assert_int_equal(u.given, 0);

	assert_int_equal(hs_uri_parse("rfc2217://[::1]:2217?flow=dtrdsr", &u), HS_OK);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "2217");
	assert_string_equal(u.path, "rfc2217://[::1]:2217");
	assert_int_equal(u.line.flow, HS_FLOW_DTRDSR);

	assert_int_equal(hs_uri_parse("tcp://[2001:db8::5]:4001", &u), HS_OK);
	assert_int_equal(u.transport, HS_TRANSPORT_TCP);
	assert_string_equal(u.host, "2001:db8::5");
	assert_string_equal(u.path, "tcp://[2001:db8::5]:4001");
	/* leading zeros in the port are the same port */
	assert_int_equal(hs_uri_parse("tcp://console-1:04001", &u), HS_OK);
	assert_string_equal(u.port, "4001");
}

static void test_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct hs_uri u;
		int rc = hs_uri_parse(invalid[i].uri, &u);
		if (rc != invalid[i].code)
			fail_msg("'%s': expected %s, got %s (%s)", invalid[i].uri,
				 hs_err_name(invalid[i].code), hs_err_name(rc),
				 hs_last_error());
		/* The message quotes the URI so the user sees which one. */
		if (*invalid[i].uri && !strstr(hs_last_error(), invalid[i].uri))
			fail_msg("'%s': message does not name it: %s",
				 invalid[i].uri, hs_last_error());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_usb_valid),
		cmocka_unit_test(test_fd_valid),
		cmocka_unit_test(test_net_valid),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests_name("uri", tests, NULL, NULL);
}
