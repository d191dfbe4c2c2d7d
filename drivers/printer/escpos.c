/*
 * escpos.c - Epson ESC/POS receipt printers (TM series and the many
 * compatibles). Status is asked with real-time DLE EOT n commands, which
 * the printer answers at once, even while busy: n=1 printer status, n=2
 * off-line cause, n=4 paper roll sensor, one byte each. Every status byte
 * has bits 1 and 4 set and bits 0 and 7 clear, which tells a status byte
 * from anything else on the back channel.
 */
#include <stdio.h>
#include <string.h>

#include "printer_driver.h"

static const struct hs_printer_match escpos_match[] = {
	{ .usb_vid = -1, .usb_pid = -1, .cmd = "ESC/POS",
	  .why = "printers listing ESC/POS in their 1284 CMD (Epson TM-T88V: CMD:ESC/POS)" },
	{ .usb_vid = -1, .usb_pid = -1, .cmd = "ESCPOS",
	  .why = "the same, spelled without the slash by some compatibles" },
	{ .usb_vid = 0x04b8, .usb_pid = 0x0202, .why = "Epson TM-T88 series, USB" },
	{ .usb_vid = 0x04b8, .usb_pid = 0x0e15, .why = "Epson TM-T20II, USB" },
};

static int is_status_byte(unsigned char b)
{
	return (b & 0x93) == 0x12;
}

static int escpos_parse(const char *buf, size_t len, struct hs_printer_status *st,
			size_t *used)
{
	const unsigned char *b = (const unsigned char *)buf;
	char *d;

	for (size_t i = 0; i < len && i < 3; i++)
		if (!is_status_byte(b[i]))
			return HS_STATUS_MALFORMED;
	if (len < 3)
		return HS_STATUS_PARTIAL;
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->code = b[0] << 16 | b[1] << 8 | b[2];
	if (b[0] & 0x08)
		st->flags |= HS_PST_OFFLINE;
	if (b[1] & 0x04)
		st->flags |= HS_PST_COVER_OPEN;
	if (b[1] & 0x20)
		st->flags |= HS_PST_PAPER_OUT;
	if (b[1] & 0x40)
		st->flags |= HS_PST_ERROR;
	if (b[2] & 0x0c)
		st->flags |= HS_PST_PAPER_LOW;
	if (b[2] & 0x60)
		st->flags |= HS_PST_PAPER_OUT;
	d = st->detail;
	snprintf(d, sizeof(st->detail), "status %02x %02x %02x", b[0], b[1], b[2]);
	*used = 3;
	return HS_STATUS_COMPLETE;
}

const struct hs_printer_driver hs_printer_escpos = {
	.name = "escpos",
	.description = "Epson ESC/POS receipt printers: DLE EOT real-time status",
	.match = escpos_match,
	.nmatch = sizeof(escpos_match) / sizeof(escpos_match[0]),
	.status_query = HS_BYTES("\x10\x04\x01\x10\x04\x02\x10\x04\x04"),
	.reset = HS_BYTES("\x1b\x40"),
	.parse_status = escpos_parse,
};
