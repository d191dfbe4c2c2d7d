/*
 * usr.c - U.S. Robotics external modems (Courier, Sportster, the USR5637
 * USB faxmodem): their identity, the hardware-flow init they want, and
 * their numeric result codes, which above 12 differ from the Rockwell/
 * Conexant numbering the generic map uses.
 *
 * Sources: "Courier High Speed Modems" user's guide (USRobotics V.34,
 * chapter 4, result code tables and &A subsets), the "Sportster High
 * Speed Modems with V.42 bis" reference guide (1994: &Fn templates, &H,
 * &R), and the usb.ids list shipped by usbutils for the USB IDs.
 */
#include "handshake/modem.h"

static const struct hs_modem_match match[] = {
	/* usb.ids: "0baf U.S. Robotics / 0303 USR5637 56K Faxmodem"
	 * (a CDC-ACM device, ttyACMn) */
	HS_MODEM_USB(0x0baf, 0x0303),
	/* usb.ids: 0baf:00ec "56K Faxmodem" and 0baf:6112 "FaxModem Model
	 * 5633"; that they speak the same result codes is a guess from the
	 * family, not checked on hardware */
	HS_MODEM_USB(0x0baf, 0x00ec),
	HS_MODEM_USB(0x0baf, 0x6112),
	/* ATI text: the manuals name the products "Courier" and
	 * "Sportster" and the maker "U.S. Robotics"/"USRobotics"; which
	 * ATIn carries the words varies by firmware, so any line may */
	HS_MODEM_IDENT("*U.S. Robotics*"),
	HS_MODEM_IDENT("*USRobotics*"),
	HS_MODEM_IDENT("*Courier*"),
	HS_MODEM_IDENT("*Sportster*"),
	{ 0 },
};

/* &F1 loads the "hardware flow control" factory template (Sportster
 * reference guide, &Fn); it resets E, V and friends, so it comes first.
 * &H1: CTS paces what we send; &R2: the modem sends to us only while RTS
 * is up (the guides' hardware flow pair). &A3: CONNECT lines name the
 * error control and compression ("CONNECT 28800/ARQ/V34/LAPM/V42BIS"),
 * which the engine parses into fields. The rest as the generic driver:
 * E0 V1 Q0 X4, DCD follows carrier, DTR low hangs up, no auto-answer. */
static const char *const init[] = {
	"AT&F1",
	"ATE0V1Q0X4",
	"AT&H1&R2&A3",
	"AT&C1&D2S0=0",
	NULL,
};

/* Courier V.34 user's guide, "Result Code" and "&A" tables. Codes 11
 * (RINGING) and 12 (VOICE) are call-progress reports with no enum here
 * and are left out, so they stay unknown rather than wrong. Code 57 is
 * listed twice in that manual (16800/ARQ and 16800/ARQ/HST); we keep the
 * plain ARQ reading. The HST/V32/VFC/V34 variants (&A2) are not mapped:
 * init selects &A3, whose verbose forms the engine parses anyway. */
static const struct hs_at_numeric numeric[] = {
	HS_AT_NUMERIC_HAYES,
	{ 13, HS_AT_CONNECT, 9600, NULL },     /* generic map: 7200 */
	{ 14, HS_AT_CONNECT, 0, "/ARQ" },      /* generic map: 12000 */
	{ 15, HS_AT_CONNECT, 1200, "/ARQ" },
	{ 16, HS_AT_CONNECT, 2400, "/ARQ" },
	{ 17, HS_AT_CONNECT, 9600, "/ARQ" },
	{ 18, HS_AT_CONNECT, 4800, NULL },
	{ 19, HS_AT_CONNECT, 4800, "/ARQ" },
	{ 20, HS_AT_CONNECT, 7200, NULL },
	{ 21, HS_AT_CONNECT, 12000, NULL },
	{ 22, HS_AT_CONNECT, 12000, "/ARQ" },
	{ 24, HS_AT_CONNECT, 7200, "/ARQ" },
	{ 25, HS_AT_CONNECT, 14400, NULL },
	{ 26, HS_AT_CONNECT, 14400, "/ARQ" },
	{ 43, HS_AT_CONNECT, 16800, NULL },
	{ 57, HS_AT_CONNECT, 16800, "/ARQ" },
	{ 85, HS_AT_CONNECT, 19200, NULL },
	{ 88, HS_AT_CONNECT, 19200, "/ARQ" },
	{ 91, HS_AT_CONNECT, 21600, NULL },
	{ 94, HS_AT_CONNECT, 21600, "/ARQ" },
	{ 99, HS_AT_CONNECT, 24000, NULL },
	{ 100, HS_AT_CONNECT, 24000, "/ARQ" },
	{ 103, HS_AT_CONNECT, 26400, NULL },
	{ 104, HS_AT_CONNECT, 26400, "/ARQ" },
	{ 107, HS_AT_CONNECT, 28800, NULL },
	{ 108, HS_AT_CONNECT, 28800, "/ARQ" },
};

/* USRobotics Sportster and Courier follow the host's rate from each AT
 * (their manuals: the serial port rate adjusts to the computer's unless
 * &B1 fixes it); they have no +IPR. */
static const struct hs_modem_dte dte = { .flags = HS_DTE_AUTOBAUD };

const struct hs_modem_driver hs_drv_modem_usr = {
	.name = "usr",
	.dte = &dte,
	.description = "U.S. Robotics Courier/Sportster external modem",
	.match = match,
	.init = init,
	.numeric = numeric,
	.nnumeric = sizeof(numeric) / sizeof(numeric[0]),
	/* The Courier and Sportster command references list ATIn but none
	 * of the V.250 +GMI/+GMM/+GMR/+GSN commands: asking costs four
	 * ERRORs and tells nothing (later USB models may answer them) */
	.quirks = HS_MODEM_QUIRK_NO_GMI,
	/* ATI0..ATI7: product code, checksum, ..., ATI3 the product name,
	 * ATI4-5 settings, ATI6 link diagnostics, ATI7 configuration */
	.ati_count = 8,
	.guard_ms = 1000,  /* S12=50 (1/50 s), the factory value */
	/* ATZ/&F on a Courier re-runs its self-test: allow more than the
	 * generic 3 s (a cautious guess, not a measured figure) */
	.reset_ms = 5000,
};
