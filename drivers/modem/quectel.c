/*
 * quectel.c - Quectel 3GPP cellular modules (EC2x, EG9x, BG96, EG06,
 * AG35): a 27.007 AT port on USB (option driver, ttyUSBn). They name
 * themselves through +CGMI/+CGMM, report errors as "+CME ERROR: n" and
 * push network registration and SMS arrival as unsolicited lines.
 *
 * Sources: the usb.ids list shipped by usbutils ("2c7c Quectel Wireless
 * Solutions") for the USB IDs; Quectel's "EC25&EC21 AT Commands Manual"
 * (V1.3, 2018) for +CGMI's answer, +CMEE, the URCs and "RDY".
 */
#include "handshake/modem.h"

static const struct hs_modem_match match[] = {
	/* usb.ids, vendor 2c7c; one PID per module family, whatever the
	 * interface layout (the AT port is one of several) */
	HS_MODEM_USB(0x2c7c, 0x0121),  /* EC21 LTE modem */
	HS_MODEM_USB(0x2c7c, 0x0125),  /* EC25 LTE modem */
	HS_MODEM_USB(0x2c7c, 0x0191),  /* EG91 LTE modem */
	HS_MODEM_USB(0x2c7c, 0x0195),  /* EG95 LTE modem */
	HS_MODEM_USB(0x2c7c, 0x0296),  /* BG96 CAT-M1/NB-IoT modem */
	HS_MODEM_USB(0x2c7c, 0x0306),  /* EG06/EP06/EM06 LTE-A modem */
	HS_MODEM_USB(0x2c7c, 0x0435),  /* AG35 LTE modem */
	/* AT+CGMI answers "Quectel" (EC25 manual); ATI's first line is the
	 * same word. Older UC20/M95 modules sat behind other vendors' USB
	 * IDs, so the name is what finds them */
	HS_MODEM_IDENT("Quectel*"),
	{ 0 },
};

/* E0 V1 Q0 as everywhere; &C1&D2 so DCD and DTR mean carrier and hang-up
 * in a data call; +CMEE=1: errors as "+CME ERROR: <n>" with a number the
 * engine parses, not a bare ERROR (2 would give English text, whose
 * wording differs between firmware releases). No X4 or S0: the cellular
 * network reports busy/no answer itself and calls are not auto-answered
 * by default. */
static const char *const init[] = {
	"ATE0V1Q0",
	"AT&C1&D2",
	"AT+CMEE=1",
	NULL,
};

/* Unsolicited lines of a 27.007 module (EC25 manual): registration
 * changes (+CREG/+CGREG/+CEREG with their =1/=2 settings), a new SMS
 * stored (+CMTI), Quectel's own indications (+QIND), and "RDY" once the
 * firmware is up after a reset. The engine still takes a line as a
 * reply when it answers the command just sent (AT+CREG? -> +CREG: 0,1). */
static const char *const urcs[] = {
	"+CREG:",
	"+CGREG:",
	"+CEREG:",
	"+CMTI:",
	"+QIND:",
	"RDY",
	NULL,
};

/* EC25 manual, AT+IPR: the fixed rates below, no autobaud on the EC2x
 * (older UC20/M95 modules had it, and say so to AT+IPR=?); +ICF too. */
static const int rates[] = {
	4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 0,
};

static const struct hs_modem_dte dte = {
	.flags = HS_DTE_IPR | HS_DTE_ICF,
	.rates = rates,
};

const struct hs_modem_driver hs_drv_modem_quectel = {
	.name = "quectel",
	.dte = &dte,
	.description = "Quectel 3GPP cellular module (EC25, BG96, ...)",
	.match = match,
	.init = init,
	.numeric = NULL,   /* used in V1 only; the core's map stands */
	.urcs = urcs,
	/* identify with +CGMI/+CGMM/+CGMR/+CGSN first */
	.quirks = HS_MODEM_QUIRK_3GPP,
	.ati_count = 1,    /* ATI: "Quectel", model, "Revision: ..." */
	.guard_ms = 1000,  /* "+++" needs 1 s of silence each side */
	/* after ATZ/AT&F the module answers at once; a power cycle ("RDY")
	 * takes longer but is not a reset this call waits for */
	.reset_ms = 3000,
};
