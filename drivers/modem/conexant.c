/*
 * conexant.c - Conexant (ex-Rockwell) CX93010-based USB modems, sold
 * under their own name and as the Zoom 3095: a controller modem behind
 * CDC-ACM (ttyACMn), so the whole AT set runs in the modem, not in a
 * host driver.
 *
 * Sources: the Linux kernel's cdc-acm driver id table (drivers/usb/class/
 * cdc-acm.c) and the usb.ids list shipped by usbutils for the USB IDs;
 * ATI3 strings as users of these modems publish them.
 */
#include "handshake/modem.h"
#include "clock.h"

static const struct hs_modem_match match[] = {
	/* cdc-acm.c: "Hummingbird huc56s (Conexant)" (NO_UNION_NORMAL) */
	HS_MODEM_USB(0x0572, 0x1329),
	/* cdc-acm.c: "Conexant USB MODEM CX93010" */
	HS_MODEM_USB(0x0572, 0x1321),
	/* usb.ids: "CX93010 ACF Modem" */
	HS_MODEM_USB(0x0572, 0x1340),
	/* cdc-acm.c: "Shiro / Aztech USB MODEM UM-3100"; usb.ids calls
	 * it "TrendNet TFM-561 modem": same Conexant chip, other brands */
	HS_MODEM_USB(0x0572, 0x1328),
	/* cdc-acm.c: "Zoom Telephonics Model 3095F USB MODEM"; usb.ids:
	 * "V.92 56K Mini External Modem Model 3095" */
	HS_MODEM_USB(0x0803, 0x3095),
	/* ATI3 of a Zoom 3095 and of a 0572:1340 stick, as published by
	 * their users: "CX93001-EIS_V0.2002-V92", "..._V0.2013-V92" */
	HS_MODEM_IDENT("CX93001-*"),
	/* a guess: Zoom-branded firmware naming itself; unverified */
	HS_MODEM_IDENT("*Zoom*V.92*"),
	{ 0 },
};

/* The generic init; every line must say OK. */
static const char *const init[] = {
	"ATE0V1Q0X4",
	"AT&C1&D2S0=0",
	NULL,
};

/* +VCID=1 turns on formatted caller ID (DATE/TIME/NMBR/NAME lines between
 * the RINGs, which the engine delivers as URCs). It belongs to the
 * Conexant voice/caller-ID set, which not every firmware of these sticks
 * carries (OEM builds differ; a guess, not checked on each model), so its
 * ERROR must not fail the init the way a refused &C1 would. */
static int conexant_init(struct hs_modem *m, int timeout_ms)
{
	struct hs_at *at = hs_modem_at(m);
	int64_t deadline = hs_deadline(timeout_ms);
	int rc;

	for (const char *const *c = init; *c; c++)
		if ((rc = hs_at_simple(at, *c, hs_remaining(deadline))) < 0)
			return rc;
	/* HS_OK for OK and for ERROR alike; only silence or a dead link
	 * is an error here */
	return hs_at_command(at, "AT+VCID=1", NULL, hs_remaining(deadline));
}

/* The CX93001 AT command reference lists +IPR (0: autodetect, and the
 * rates it asks +IPR=? for) and +ICF; this table does not guess the
 * rates, the modem says them. */
static const struct hs_modem_dte dte = {
	.flags = HS_DTE_IPR | HS_DTE_ICF | HS_DTE_AUTOBAUD,
};

const struct hs_modem_driver hs_drv_modem_conexant = {
	.name = "conexant",
	.dte = &dte,
	.description = "Conexant CX93010 USB modem (Zoom 3095 and others)",
	.match = match,
	.init = init,
	/* the generic map is the Rockwell/Conexant numbering (13 = 7200,
	 * 14 = 12000, ... 19 = 115200): nothing to override */
	.numeric = NULL,
	.quirks = 0,
	.ati_count = 4,    /* ATI3 holds the firmware string above */
	.guard_ms = 1000,
	.reset_ms = 3000,
	.ops = { .init = conexant_init },
};
