/*
 * handshake/ieee1284.h - IEEE 1284 device IDs, the "MFG:ACME;MDL:Laser 9;
 * CMD:PJL,PCL;" strings printers report: read as CUPS reads them, with
 * make and model the string CUPS derives (drivers and PPDs are matched on
 * it); driver matching by MFG/MDL/CMD.
 *
 * The ID comes from the device and is untrusted: it is bounded
 * (HS_1284_MAX), control characters (but line ends and blanks at its
 * end) make it invalid, and every field is cut to its buffer.
 */
#ifndef HANDSHAKE_IEEE1284_H
#define HANDSHAKE_IEEE1284_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HS_1284_MAX 1024       /* longest ID accepted, without its length */
#define HS_1284_FIELD 256      /* each value is cut to this (with NUL) */
#define HS_1284_CMDS 32        /* command sets kept */

/* Each field is the value of its long key name when the ID has it, else
 * of the short one; of a key given twice, the last value (as CUPS). */
struct hs_1284_id {
	char mfg[HS_1284_FIELD];   /* MANUFACTURER or MFG */
	char mdl[HS_1284_FIELD];   /* MODEL or MDL */
	char des[HS_1284_FIELD];   /* DESCRIPTION or DES */
	char cls[HS_1284_FIELD];   /* CLASS or CLS, e.g. PRINTER */
	char sn[HS_1284_FIELD];    /* SERIALNUMBER, SERN or SN */
	char cmd[HS_1284_FIELD];   /* COMMAND SET or CMD, as given */
	char cmds[HS_1284_CMDS][32]; /* cmd split at ',' and trimmed */
	int ncmds;
	/* CUPS's make-and-model: "HP LaserJet 4", "EPSON TM-T88V", "Kyocera
	 * Mita KM-1510", "Unknown" when the ID names no model */
	char make_model[HS_1284_FIELD * 2];
};

/*
 * Parse an ID of len bytes (no length prefix). usb_serial (may be NULL)
 * fills sn when the ID has none. Blanks and line ends at the end (many
 * printers send "...;\r\n") are not part of the ID. Pairs are read as
 * CUPS reads them: a key runs to the next ':', a value to the next ';'.
 * Returns 0, or HS_ERR_PROTOCOL when the ID is empty, over HS_1284_MAX,
 * has other control characters, or names neither a manufacturer nor a
 * model nor a description.
 */
int hs_1284_parse(const char *id, size_t len, const char *usb_serial,
		  struct hs_1284_id *out);

/* Does the ID list this command set (case-insensitive)? */
int hs_1284_has_cmd(const struct hs_1284_id *id, const char *cmd);

/*
 * Does a driver's match row fit? Each of mfg, mdl_prefix and cmd may be
 * NULL (anything); comparisons ignore case; mdl_prefix matches the start
 * of MDL. Returns a score: 0 no match, higher is more specific.
 */
int hs_1284_match(const struct hs_1284_id *id, const char *mfg,
		  const char *mdl_prefix, const char *cmd);

#ifdef __cplusplus
}
#endif
#endif
