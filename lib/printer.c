/*
 * printer.c - the printer object: open a link and pick its driver, ask
 * for status, reset, and read status the printer sends on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "printer_priv.h"

int hs_printer_open(struct hs_printer **out, const char *uri, const char *driver)
{
	struct hs_printer *p;
	const struct hs_link_info *info;
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
	info = hs_link_info(p->link);
	if (!p->drv)
		p->drv = hs_printer_driver_match(NULL, info->usb_vid, info->usb_pid);
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

	if (!p->drv->parse_status)
		return 0;
	for (;;) {
		int n = hs_link_read(p->link, p->back + p->nback,
				     sizeof(p->back) - p->nback, timeout_ms);
		if (n == HS_ERR_TIMEOUT || n == HS_ERR_NOT_SUPPORTED)
			return fresh;
		if (n < 0)
			return n;
		p->nback += (size_t)n;
		timeout_ms = 0; /* take what is there, then parse */
		while (p->nback) {
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
		if (p->nback == sizeof(p->back))
			p->nback = 0; /* a partial reply this long is not one */
	}
}

int hs_printer_get_status(struct hs_printer *p, struct hs_printer_status *st,
			  int timeout_ms)
{
	const struct hs_bytes *q;
	int64_t deadline;
	int rc;

	if (!p || !st || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_printer_get_status: bad arguments");
	q = &p->drv->status_query;
	memset(st, 0, sizeof(*st));
	st->code = -1;
	if (!q->len) {
		snprintf(st->detail, sizeof(st->detail), "the %s driver cannot ask for status",
			 p->drv->name);
		return HS_OK;
	}
	deadline = hs_deadline(timeout_ms);
	/* Old replies would answer this query: drop them first. */
	hs_link_flush(p->link, HS_FLUSH_INPUT);
	p->nback = 0;
	if ((rc = hs_link_write(p->link, q->data, q->len, timeout_ms, NULL)) < 0)
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
	return hs_fail(HS_ERR_TIMEOUT, "%s did not answer the %s status query within %d ms",
		       hs_link_info(p->link)->path, p->drv->name, timeout_ms);
}

int hs_printer_reset(struct hs_printer *p, int timeout_ms)
{
	const struct hs_bytes *r;

	if (!p || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_printer_reset: bad arguments");
	hs_link_flush(p->link, HS_FLUSH_BOTH);
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
