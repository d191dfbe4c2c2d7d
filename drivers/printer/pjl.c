/*
 * pjl.c - HP's Printer Job Language (LaserJet class and the many printers
 * that copy it). Jobs are wrapped in Universal Exit Language (UEL)
 * sequences with unsolicited status turned on; status is asked with
 * @PJL INFO STATUS and arrives, asked or not, as a block of KEY=value
 * lines ended by a form feed:
 *
 *   @PJL INFO STATUS  (or @PJL USTATUS DEVICE)
 *   CODE=40021
 *   DISPLAY="CLOSE PRINTER COVER"
 *   ONLINE=FALSE
 *   <FF>
 *
 * Codes follow the PJL Technical Reference: 10xxx informational, 11xxx a
 * tray empty while another feeds, 30xxx/35xxx warnings, 40xxx operator
 * intervention, 41xxx paper out, 42xxx/44xxx jams, 50xxx hardware.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer_driver.h"

#define UEL "\x1b%-12345X"
/* A status block longer than this is not one. */
#define PJL_STATUS_MAX 2048

static const struct hs_printer_match pjl_match[] = {
	{ .usb_vid = -1, .usb_pid = -1, .cmd = "PJL",
	  .why = "any printer listing PJL in its 1284 CMD (HP LaserJet 4000: CMD:PJL,MLC,PCL,PCLXL,POSTSCRIPT)" },
};

static unsigned flags_for(long code)
{
	long group = code / 1000;

	if (code == 10001 || code == 10006 || code == 10023)
		return 0; /* ready, toner low, printing */
	if (code == 10002)
		return HS_PST_OFFLINE;
	if (group == 10)
		return HS_PST_BUSY; /* warming up, self test, reset, ... */
	if (group == 11)
		return HS_PST_PAPER_LOW; /* one tray empty, another feeds */
	if (group == 30 || group == 35)
		return 0; /* warnings the printer prints through */
	if (code == 40021)
		return HS_PST_COVER_OPEN | HS_PST_OFFLINE;
	if (code == 40079)
		return HS_PST_OFFLINE; /* taken off line at the panel */
	if (group == 40)
		return HS_PST_ERROR | HS_PST_OFFLINE;
	if (group == 41)
		return HS_PST_PAPER_OUT | HS_PST_OFFLINE;
	return HS_PST_ERROR | HS_PST_OFFLINE; /* jams, hardware, unknown */
}

/* The value of KEY= in the block [s, end), or NULL. */
static const char *value_of(const char *s, const char *end, const char *key, size_t *n)
{
	size_t k = strlen(key);

	for (const char *line = s; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		if ((size_t)(eol - line) > k && memcmp(line, key, k) == 0) {
			const char *v = line + k;
			*n = (size_t)(eol - v);
			while (*n && (v[*n - 1] == '\r' || v[*n - 1] == ' '))
				(*n)--;
			return v;
		}
		line = eol + 1;
	}
	return NULL;
}

static int pjl_parse(const char *buf, size_t len, struct hs_printer_status *st,
		     size_t *used)
{
	const char *p = buf, *end = buf + len, *ff, *v;
	char num[16];
	size_t n;

	/* Printers pad replies with NULs and blank lines. */
	while (p < end && (*p == 0 || isspace((unsigned char)*p)))
		p++;
	if ((size_t)(end - p) < 4)
		return memcmp(p, "@PJL", (size_t)(end - p)) == 0 ? HS_STATUS_PARTIAL
								    : HS_STATUS_MALFORMED;
	if (memcmp(p, "@PJL", 4) != 0)
		return HS_STATUS_MALFORMED;
	ff = memchr(p, '\f', (size_t)(end - p));
	/* Over the limit is malformed however the bytes came: whole, or in
	 * reads that show the limit passed before the form feed. */
	if (!ff)
		return end - p > PJL_STATUS_MAX ? HS_STATUS_MALFORMED : HS_STATUS_PARTIAL;
	if (ff - p > PJL_STATUS_MAX)
		return HS_STATUS_MALFORMED;
	if (!memmem(p, (size_t)(ff - p), "INFO STATUS", 11) &&
	    !memmem(p, (size_t)(ff - p), "USTATUS", 7))
		return HS_STATUS_MALFORMED;
	v = value_of(p, ff, "CODE=", &n);
	if (!v || n == 0 || n >= sizeof(num))
		return HS_STATUS_MALFORMED;
	memcpy(num, v, n);
	num[n] = 0;
	if (strspn(num, "0123456789") != n)
		return HS_STATUS_MALFORMED;
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->code = atoi(num);
	st->flags = flags_for(st->code);
	if ((v = value_of(p, ff, "ONLINE=", &n)) && n == 5 && memcmp(v, "FALSE", 5) == 0)
		st->flags |= HS_PST_OFFLINE;
	if ((v = value_of(p, ff, "DISPLAY=", &n))) {
		/* The display text is the printer's: keep printable bytes only. */
		size_t o = (size_t)snprintf(st->detail, sizeof(st->detail), "%d ", st->code);
		for (size_t i = 0; i < n && o + 1 < sizeof(st->detail); i++)
			if (v[i] != '"' && isprint((unsigned char)v[i]))
				st->detail[o++] = v[i];
		st->detail[o] = 0;
	} else {
		snprintf(st->detail, sizeof(st->detail), "%d", st->code);
	}
	*used = (size_t)(ff + 1 - buf);
	return HS_STATUS_COMPLETE;
}

const struct hs_printer_driver hs_printer_pjl = {
	.name = "pjl",
	.description = "HP PJL (LaserJet class): UEL job wrapping, PJL status codes",
	.match = pjl_match,
	.nmatch = sizeof(pjl_match) / sizeof(pjl_match[0]),
	.job_begin = HS_BYTES(UEL "@PJL\r\n@PJL USTATUS DEVICE=ON\r\n"),
	.job_end = HS_BYTES(UEL "@PJL USTATUS DEVICE=OFF\r\n" UEL),
	.status_query = HS_BYTES(UEL "@PJL INFO STATUS\r\n" UEL),
	.reset = HS_BYTES(UEL),
	.parse_status = pjl_parse,
};
