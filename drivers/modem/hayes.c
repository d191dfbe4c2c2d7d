/*
 * hayes.c - the generic Hayes/V.250 modem: what every modem since the
 * Smartmodem understands, and the fallback when nothing more specific
 * matches. It has no match rows: it is chosen by default, never by ID.
 */
#include "handshake/modem.h"

/* E0: no echo to strip (the engine copes anyway, but it is less to read);
 * V1 Q0: word results; X4: BUSY and NO DIALTONE reported; &C1: DCD
 * follows the carrier, so carrier loss is seen; &D2: DTR low hangs up, so
 * the DTR hang-up works; S0=0: we answer, the modem does not. */
static const char *const init[] = {
	"ATE0V1Q0X4",
	"AT&C1&D2S0=0",
	NULL,
};

const struct hs_modem_driver hs_drv_modem_hayes = {
	.name = "hayes",
	.description = "Generic Hayes-compatible modem (V.250)",
	.match = NULL,
	.init = init,
	.numeric = NULL,   /* the standard map: 0-8, 10-12, common 13-19 */
	.quirks = 0,
	.ati_count = 4,
	.guard_ms = 1000,  /* S12=50, the factory value */
	.reset_ms = 3000,
};
