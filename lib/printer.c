/*
 * printer.c - the printer object: open a link and pick its driver (named,
 * else from the IEEE 1284 device ID and USB ids), ask for status (the
 * driver's language, else USB GET_PORT_STATUS), reset (USB SOFT_RESET and
 * the driver's bytes), and read status the printer sends on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/ieee1284.h"
#include "handshake/usb.h"
#include "clock.h"
#include "fail.h"
#include "link_priv.h"
#include "printer_priv.h"

/* A printer answers class requests at once; one that does not within
 * this long is not worth holding up an open or a cancel for. */
#define ID_TIMEOUT_MS 2000

static int is_usb(struct hs_link *link)
{
	return hs_link_info(link)->transport == HS_TRANSPORT_USB;
}

/* The driver for what the device says it is: its 1284 ID where the link
 * can ask for one (USB printer class), and its USB ids. An ID we cannot
 * read or parse is no reason to refuse the printer: match without it. */
static const struct hs_printer_driver *match_device(struct hs_link *link)
{
	const struct hs_link_info *info = hs_link_info(link);
	struct hs_1284_id *id = NULL, parsed;
	char raw[HS_1284_MAX + 1];
	int n;

	if (is_usb(link) && (n = hs_link_device_id(link, raw, sizeof(raw), ID_TIMEOUT_MS)) > 0 &&
	    hs_1284_parse(raw, (size_t)n, info->usb_serial, &parsed) == HS_OK)
		id = &parsed;
	return hs_printer_driver_match(id, info->usb_vid, info->usb_pid);
}

int hs_printer_open(struct hs_printer **out, const char *uri, const char *driver)
{
	struct hs_printer *p;
	int rc;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_printer_open: no place for the printer");
	*out = NULL;
	if (!(p = calloc(1, sizeof(*p))))
		return hs_fail(HS_ERR_NOMEM, "out of memory");
	if (driver && !(p->drv = hs_printer_driver_find(driver))) {
		free(p);
		return hs_fail(HS_ERR_ARG,
			       "unknown printer driver '%s' (pjl, escpos, zpl or generic)", driver);
	}
	if ((rc = hs_link_open(&p->link, uri)) < 0) {
		free(p);
		return rc;
	}
	p->link->short_queue = 1;
	if (!p->drv)
		p->drv = match_device(p->link);
	p->quirks = hs_printer_quirks(hs_link_info(p->link)->usb_vid,
				      hs_link_info(p->link)->usb_pid, NULL);
	p->last.code = -1;
	*out = p;
	return HS_OK;
}

void hs_printer_close(struct hs_printer *p)
{
	if (!p)
		return;
	hs_link_close(p->link);
	free(p);
}

struct hs_link *hs_printer_link(struct hs_printer *p)
{
	return p ? p->link : NULL;
}

const char *hs_printer_driver_name(const struct hs_printer *p)
{
	return p ? p->drv->name : "";
}

int hs_printer_read_status(struct hs_printer *p, int timeout_ms)
{
	int fresh = 0;

	if ((!p->drv->parse_status && !p->backchannel) || (p->quirks & HS_PQ_UNIDIRECTIONAL))
		return 0;
	for (;;) {
		int n = hs_link_read(p->link, p->back + p->nback,
				     sizeof(p->back) - p->nback, timeout_ms);
		if (n == HS_ERR_TIMEOUT || n == HS_ERR_NOT_SUPPORTED)
			return fresh;
		if (n < 0)
			return n;
		if (p->backchannel)
			p->backchannel(p->backchannel_ctx, p->back + p->nback, (size_t)n);
		p->nback += (size_t)n;
		timeout_ms = 0; /* take what is there, then parse */
		while (p->nback && p->drv->parse_status) {
			struct hs_printer_status st;
			size_t used = 0;
			int r = p->drv->parse_status(p->back, p->nback, &st, &used);
			if (r == HS_STATUS_PARTIAL)
				break;
			if (r == HS_STATUS_COMPLETE) {
				p->last = st;
				fresh = 1;
			} else {
				used = 1; /* not ours: skip a byte and look again */
			}
			memmove(p->back, p->back + used, p->nback - used);
			p->nback -= used;
		}
		/* No status language: the bytes were only for the back channel.
		 * A partial reply as long as the buffer is not one either. */
		if (!p->drv->parse_status || p->nback == sizeof(p->back))
			p->nback = 0;
	}
}

void hs_printer_port_flags(int bits, struct hs_printer_status *st)
{
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->code = -1;
	/* A printer out of paper also deselects and raises its fault line
	 * (the 1284 status lines behind these bits move together): say
	 * "paper out", the cause, not "paper out, offline, error". */
	if (bits & HS_PORT_PAPER_EMPTY)
		st->flags = HS_PST_PAPER_OUT;
	else if (!(bits & HS_PORT_SELECTED))
		st->flags = HS_PST_OFFLINE;
	else if (!(bits & HS_PORT_NOT_ERROR))
		st->flags = HS_PST_ERROR;
	snprintf(st->detail, sizeof(st->detail), "USB port status 0x%02x", (unsigned)bits & 0xff);
}

int hs_printer_port_status(struct hs_printer *p, struct hs_printer_status *st,
			   int timeout_ms)
{
	int bits;

	if (!is_usb(p->link))
		return hs_fail(HS_ERR_NOT_SUPPORTED, "%s has no GET_PORT_STATUS",
			       hs_link_info(p->link)->path);
	bits = hs_link_port_status(p->link, timeout_ms);
	if (bits == HS_ERR_UNPLUGGED || bits == HS_ERR_TIMEOUT)
		return bits;
	/* Some printers stall the request: then the port status is merely
	 * unknown, not a reason to fail the job. */
	if (bits < 0)
		return HS_ERR_NOT_SUPPORTED;
	hs_printer_port_flags(bits, st);
	return HS_OK;
}

/* A serial printer paced by a modem line says "busy" the one way it can,
 * by holding that line low (DSR under dtrdsr, CTS under rtscts); it does
 * not say why. 1 with *st filled when it holds it, 0 when not (or the
 * port has no lines to read), < 0 when the port failed. */
static int line_held(struct hs_printer *p, struct hs_printer_status *st)
{
	struct hs_line line;
	int want, sig;

	if (hs_link_get_line(p->link, &line) < 0)
		return 0;
	if (line.flow == HS_FLOW_DTRDSR)
		want = HS_SIG_DSR;
	else if (line.flow == HS_FLOW_RTSCTS)
		want = HS_SIG_CTS;
	else
		return 0;
	if ((sig = hs_link_signals(p->link)) < 0)
		return sig == HS_ERR_NOT_SUPPORTED ? 0 : sig;
	if (sig & want)
		return 0;
	memset(st, 0, sizeof(*st));
	st->known = 1;
	st->flags = HS_PST_BUSY;
	st->code = -1;
	snprintf(st->detail, sizeof(st->detail),
		 "the printer holds %s low (flow %s): busy, out of paper or off line",
		 want == HS_SIG_DSR ? "DSR" : "CTS", hs_flow_name(line.flow));
	return 1;
}

/* Send the driver's status query and wait for its reply until deadline. */
static int ask_driver(struct hs_printer *p, struct hs_printer_status *st, int64_t deadline)
{
	const struct hs_bytes *q = &p->drv->status_query;
	int rc;

	/* Old replies would answer this query: drop them first. */
	hs_link_flush(p->link, HS_FLUSH_INPUT);
	p->nback = 0;
	if ((rc = hs_link_write(p->link, q->data, q->len, hs_remaining(deadline), NULL)) < 0)
		return rc;
	while (hs_remaining(deadline) > 0) {
		rc = hs_printer_read_status(p, hs_remaining(deadline));
		if (rc < 0)
			return rc;
		if (rc > 0) {
			*st = p->last;
			return HS_OK;
		}
	}
	return hs_fail(HS_ERR_TIMEOUT, "%s did not answer the %s status query",
		       hs_link_info(p->link)->path, p->drv->name);
}

int hs_printer_get_status(struct hs_printer *p, struct hs_printer_status *st,
			  int timeout_ms)
{
	struct hs_printer_status port;
	int64_t deadline;
	int rc, have_port;

	if (!p || !st || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_printer_get_status: bad arguments");
	deadline = hs_deadline(timeout_ms);
	memset(st, 0, sizeof(*st));
	st->code = -1;
	/* A USB printer has a status byte (paper, on line, error) whatever
	 * language it speaks: ask that first. One that says it cannot print
	 * would not take the driver's query either. */
	rc = hs_printer_port_status(p, &port, timeout_ms);
	if (rc < 0 && rc != HS_ERR_NOT_SUPPORTED && rc != HS_ERR_TIMEOUT)
		return rc;
	have_port = rc == HS_OK;
	if (have_port && (port.flags || !p->drv->status_query.len)) {
		*st = port;
		return HS_OK;
	}
	/* A query would wait behind the held line: what the line says is
	 * all there is to know. */
	if ((rc = line_held(p, st)) != 0)
		return rc < 0 ? rc : HS_OK;
	if (p->quirks & HS_PQ_UNIDIRECTIONAL) {
		snprintf(st->detail, sizeof(st->detail),
			 "this printer cannot answer over USB (quirk: unidirectional)");
		return HS_OK;
	}
	if (!p->drv->status_query.len) {
		snprintf(st->detail, sizeof(st->detail), "the %s driver cannot ask for status",
			 p->drv->name);
		return HS_OK;
	}
	rc = ask_driver(p, st, deadline);
	if (rc == HS_ERR_TIMEOUT && have_port) {
		/* Its CMD says it speaks the language, but it did not answer:
		 * the port status is still true. */
		*st = port;
		snprintf(st->detail, sizeof(st->detail),
			 "USB port status; no answer to the %s status query", p->drv->name);
		return HS_OK;
	}
	if (rc == HS_ERR_TIMEOUT)
		return hs_fail(rc, "%s did not answer the %s status query within %d ms",
			       hs_link_info(p->link)->path, p->drv->name, timeout_ms);
	return rc;
}

int hs_printer_reset(struct hs_printer *p, int timeout_ms)
{
	const struct hs_bytes *r;
	int rc;

	if (!p || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_printer_reset: bad arguments");
	hs_link_flush(p->link, HS_FLUSH_BOTH);
	/* SOFT_RESET first: it empties the printer's own buffer, so the
	 * driver's reset bytes are not queued behind the old job.
	 * A printer that stalls both forms of the request cannot do it; the
	 * driver's bytes are then all the reset there is. */
	if (is_usb(p->link) && (rc = hs_link_soft_reset(p->link, timeout_ms)) < 0 &&
	    (rc == HS_ERR_UNPLUGGED || rc == HS_ERR_TIMEOUT))
		return rc;
	r = &p->drv->reset;
	if (!r->len)
		return HS_OK;
	return hs_link_write(p->link, r->data, r->len, timeout_ms, NULL);
}

const char *hs_printer_flags_text(unsigned flags, char *buf, size_t cap)
{
	static const struct {
		unsigned flag;
		const char *text;
	} names[] = {
		{ HS_PST_PAPER_OUT, "paper out" }, { HS_PST_OFFLINE, "offline" },
		{ HS_PST_COVER_OPEN, "cover open" }, { HS_PST_ERROR, "error" },
		{ HS_PST_PAUSED, "paused" }, { HS_PST_BUSY, "busy" },
		{ HS_PST_PAPER_LOW, "paper low" },
	};
	size_t o = 0;

	if (!cap)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && o < cap; i++)
		if (flags & names[i].flag)
			o += (size_t)snprintf(buf + o, cap - o, "%s%s",
					      o ? ", " : "", names[i].text);
	if (!flags)
		snprintf(buf, cap, "ready");
	return buf;
}
