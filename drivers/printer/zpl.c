/*
 * zpl.c - Zebra ZPL label printers. ~HS (host status) is answered with
 * three framed strings, <STX>fields<ETX><CR><LF> each:
 *
 *   1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l  b paper out, c paused,
 *      f buffer full, k under temperature, l over temperature
 *   2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www  o head up, p ribbon out
 *   3: xxxx,y
 *
 * Flags are single digits 0 or 1; anything else is not a ~HS reply.
 */
#include <stdio.h>
#include <string.h>

#include "printer_driver.h"

#define STX 0x02
#define ETX 0x03
#define ZPL_STATUS_MAX 512

static const struct hs_printer_match zpl_match[] = {
	{ .usb_vid = -1, .usb_pid = -1, .cmd = "ZPL",
	  .why = "printers listing ZPL in their 1284 CMD (Zebra GK420d: CMD:ZPL)" },
	{ .usb_vid = 0x0a5f, .usb_pid = -1, .why = "Zebra Technologies' USB vendor id" },
};

/* Split one frame's fields at ','; returns the count (max cap). */
static int fields(const char *s, size_t n, const char *out[], size_t lens[], int cap)
{
	int k = 0;
	const char *start = s;

	for (size_t i = 0; i <= n && k < cap; i++) {
		if (i == n || s[i] == ',') {
			out[k] = start;
			lens[k++] = (size_t)(s + i - start);
			start = s + i + 1;
		}
	}
	return k;
}

static int flag(const char *f, size_t n, int *v)
{
	if (n != 1 || (f[0] != '0' && f[0] != '1'))
		return 0;
	*v = f[0] == '1';
	return 1;
}

static int zpl_parse(const char *buf, size_t len, struct hs_printer_status *st,
		     size_t *used)
{
	const char *frame[3];
	size_t flen[3], pos = 0;
	const char *f1[12], *f2[11];
	size_t l1[12], l2[11];
	int paper, pause, full, cold, hot, head, ribbon;

	for (int i = 0; i < 3; i++) {
		while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
			pos++;
		if (pos == len)
			return len > ZPL_STATUS_MAX ? HS_STATUS_MALFORMED : HS_STATUS_PARTIAL;
		if (buf[pos] != STX)
			return HS_STATUS_MALFORMED;
		const char *etx = memchr(buf + pos, ETX, len - pos);
		if (!etx)
			return len > ZPL_STATUS_MAX ? HS_STATUS_MALFORMED : HS_STATUS_PARTIAL;
		/* Over the limit is malformed however the bytes came: whole, or
		 * in reads that show the limit passed before this ETX. */
		if (etx - buf > ZPL_STATUS_MAX)
			return HS_STATUS_MALFORMED;
		frame[i] = buf + pos + 1;
		flen[i] = (size_t)(etx - frame[i]);
		pos = (size_t)(etx + 1 - buf);
	}
	while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	if (fields(frame[0], flen[0], f1, l1, 12) != 12 ||
	    fields(frame[1], flen[1], f2, l2, 11) != 11 ||
	    !flag(f1[1], l1[1], &paper) || !flag(f1[2], l1[2], &pause) ||
	    !flag(f1[5], l1[5], &full) || !flag(f1[10], l1[10], &cold) ||
	    !flag(f1[11], l1[11], &hot) || !flag(f2[2], l2[2], &head) ||
	    !flag(f2[3], l2[3], &ribbon))
		return HS_STATUS_MALFORMED;
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->code = -1;
	st->flags = (paper ? HS_PST_PAPER_OUT : 0) | (pause ? HS_PST_PAUSED : 0) |
		    (full ? HS_PST_BUSY : 0) | (cold || hot || ribbon ? HS_PST_ERROR : 0) |
		    (head ? HS_PST_COVER_OPEN : 0);
	snprintf(st->detail, sizeof(st->detail), "%s%s%s%s%s%s%s",
		 paper ? "paper out " : "", pause ? "paused " : "",
		 full ? "buffer full " : "", cold ? "head cold " : "",
		 hot ? "head hot " : "", head ? "head open " : "",
		 ribbon ? "ribbon out " : "");
	if (st->detail[0])
		st->detail[strlen(st->detail) - 1] = 0;
	else
		snprintf(st->detail, sizeof(st->detail), "ready");
	*used = pos;
	return HS_STATUS_COMPLETE;
}

const struct hs_printer_driver hs_printer_zpl = {
	.name = "zpl",
	.description = "Zebra ZPL label printers: ~HS host status",
	.match = zpl_match,
	.nmatch = sizeof(zpl_match) / sizeof(zpl_match[0]),
	.status_query = HS_BYTES("~HS"),
	.reset = HS_BYTES("~JA"),
	.parse_status = zpl_parse,
};
