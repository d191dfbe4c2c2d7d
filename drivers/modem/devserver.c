/*
 * devserver.c - network device servers in modem emulation (Digi
 * PortServer/Digi One/Connect, Lantronix XPort/UDS/XPress): an embedded
 * box on the serial line that plays a Hayes modem and "dials" a TCP
 * connection (ATDT192.168.1.5:50001). They implement a small subset of
 * the command set, with their own rules.
 *
 * Sources: Digi's "Modem Emulation AT Command Set" (Digi One/PortServer
 * TS user's guides, ATIn table); Lantronix XPort and XPress DR+ user
 * guides, "Modem Mode" (result codes, compound commands, +++ timing).
 */
#include "handshake/modem.h"

static const struct hs_modem_match match[] = {
	/* Digi: "ATI4 reports DIGI DS_TS" */
	HS_MODEM_IDENT("DIGI DS_TS*"),
	/* Digi: "I0 reports product code. Example: Digi Device server" */
	HS_MODEM_IDENT("Digi Device*"),
	/* Lantronix: a guess. The XPort guide lists no ATI; it answers
	 * unknown commands with a plain OK, so most units cannot be told
	 * apart by text at all and are chosen by name ("devserver") */
	HS_MODEM_IDENT("*Lantronix*"),
	{ 0 },
};

/* One command per line: Lantronix's modem mode "treats compound AT
 * commands as unrecognized commands" and answers them OK without doing
 * anything, so "ATE0V1" would look fine and change nothing. Only E and
 * V: neither guide lists X, &C or &D in its emulation set. */
static const char *const init[] = {
	"ATE0",
	"ATV1",
	NULL,
};

/* Lantronix's numeric responses: 0 OK, 1 CONNECT, 2 RING, 3 NO
 * CARRIER, 4 ERROR, nothing else. Mapping only these keeps a stray
 * number from being read as a vendor's CONNECT speed. */
static const struct hs_at_numeric numeric[] = {
	HS_AT_NUMERIC_BASIC,
};

/* They "dial" a TCP connection: ATDT192.168.1.5:50001, and users of
 * these boxes (and of WiFi modems and modem emulators, which take the
 * same) dial host names too: ATDTbbs.example:23. Host names are
 * letters, digits, '-' and '.'; the port follows a ':'. */
static const char dial_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:";

/* A device server's serial side is set in its own configuration (or by
 * RFC 2217), not by AT commands to its modem emulation. */
static const struct hs_modem_dte dte = { .flags = 0 };

const struct hs_modem_driver hs_drv_modem_devserver = {
	.name = "devserver",
	.dte = &dte,
	.description = "Device server in modem emulation (Digi, Lantronix)",
	.match = match,
	.init = init,
	.numeric = numeric,
	.nnumeric = sizeof(numeric) / sizeof(numeric[0]),
	/* Neither guide lists +GMI..; Lantronix has a fixed escape ("no
	 * serial data for one second" around +++) and no S12 to read,
	 * so the guard is 1 s, which is Digi's default S12 too */
	.quirks = HS_MODEM_QUIRK_NO_GMI | HS_MODEM_QUIRK_NO_S12,
	.ati_count = 5,    /* Digi's product text is in ATI4 */
	.guard_ms = 1000,
	.reset_ms = 3000,
	.dial_chars = dial_chars,
};
