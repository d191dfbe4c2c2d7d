/*
 * fuzz_uri.c - the device URI parser (lib/uri.c): serial paths and their
 * options, CUPS's '+' spelling, usb:VID:PID and usb:BUS.DEV, fd:R,W,
 * tcp://host:port and rfc2217://host:port[?options].
 *
 * Input: the URI (a NUL ends it early, as for any C caller).
 * Invariants: a URI is accepted with every field in range and every
 * string ended within its buffer, or refused with an HS_ERR_URI* code
 * (or HS_ERR_ARG) and a message naming it; never both; a serial link
 * names a path; a network link names a host of safe characters and a
 * port 1..65535; the same text parses the same way twice.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/error.h"
#include "harness.h"
#include "uri.h"

static void check_ok(const char *text, const struct hs_uri *u)
{
	const struct hs_line *l = &u->line;

	FUZZ_CHECK(fuzz_terminated(u->path, sizeof(u->path)), "path");
	FUZZ_CHECK(fuzz_terminated(u->usb_serial, sizeof(u->usb_serial)), "usb serial");
	FUZZ_CHECK(l->baud >= 1 && l->baud <= 16000000, "baud %d", l->baud);
	FUZZ_CHECK(l->bits >= 5 && l->bits <= 8, "bits %d", l->bits);
	FUZZ_CHECK(l->stop == 1 || l->stop == 2, "stop %d", l->stop);
	FUZZ_CHECK(l->parity <= HS_PARITY_SPACE && l->flow <= HS_FLOW_DTRDSR, "parity/flow");
	FUZZ_CHECK(!(u->given & ~0x1fu), "given %#x", u->given);
	if (u->transport == HS_TRANSPORT_USB) {
		FUZZ_CHECK((u->usb_vid >= 0) == (u->usb_pid >= 0), "vid without pid");
		FUZZ_CHECK((u->usb_vid >= 0) != (u->usb_bus >= 0), "both or neither of VID:PID and BUS.DEV");
		FUZZ_CHECK(u->usb_vid <= 0xffff && u->usb_pid <= 0xffff, "ids");
		FUZZ_CHECK(u->usb_bus <= 255 && u->usb_address <= 127, "bus.dev");
		FUZZ_CHECK(u->usb_interface >= -1 && u->usb_interface <= 255, "interface");
		FUZZ_CHECK(u->fd == -1, "usb with an fd");
	} else if (u->transport == HS_TRANSPORT_TCP || u->transport == HS_TRANSPORT_RFC2217) {
		long port = strtol(u->port, NULL, 10);
		FUZZ_CHECK(fuzz_terminated(u->host, sizeof(u->host)), "host");
		FUZZ_CHECK(fuzz_terminated(u->port, sizeof(u->port)), "port");
		FUZZ_CHECK(u->host[0] != 0, "network link '%s' without a host", text);
		FUZZ_CHECK(strspn(u->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789.-_:") == strlen(u->host),
			   "host '%s' has characters no host has", u->host);
		FUZZ_CHECK(port >= 1 && port <= 65535, "port '%s'", u->port);
		FUZZ_CHECK(u->fd == -1 && u->usb_vid == -1 && u->usb_bus == -1, "network with fd or usb ids");
	} else {
		FUZZ_CHECK(u->transport == HS_TRANSPORT_SERIAL, "transport %d", (int)u->transport);
		FUZZ_CHECK(u->path[0] != 0, "serial link '%s' without a path", text);
		FUZZ_CHECK((u->fd >= 0) == (u->wfd >= 0), "fd %d wfd %d", u->fd, u->wfd);
		FUZZ_CHECK(u->fd >= 0 || u->path[0] == '/', "path '%s' is not absolute", u->path);
		FUZZ_CHECK(u->usb_vid == -1 && u->usb_bus == -1, "serial with usb ids");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct hs_uri *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	int ra, rb;

	if (!a || !b)
		abort();
	ra = hs_uri_parse(text, a);
	if (ra == HS_OK) {
		check_ok(text, a);
	} else {
		FUZZ_CHECK(ra == HS_ERR_URI || ra == HS_ERR_URI_OPTION || ra == HS_ERR_URI_VALUE ||
				   ra == HS_ERR_ARG,
			   "error %d", ra);
		FUZZ_CHECK(hs_last_error()[0] != 0, "refused without a message");
	}
	rb = hs_uri_parse(text, b);
	FUZZ_CHECK(ra == rb, "parsed twice: %d then %d", ra, rb);
	FUZZ_CHECK(ra != HS_OK || memcmp(a, b, sizeof(*a)) == 0, "parsed twice, differently");
	free(a);
	free(b);
	free(text);
	return 0;
}
