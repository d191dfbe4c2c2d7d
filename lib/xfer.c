/*
 * xfer.c - what the sender and the receiver share: protocol names, the
 * options' defaults, reading the link byte by byte within a deadline
 * (with cancel looked at while waiting), cancelling with CAN, and the
 * counts reported to the progress callback.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "xfer_priv.h"

static const char *const names[] = {
	[HS_XFER_XMODEM] = "xmodem",
	[HS_XFER_XMODEM_CRC] = "xmodem-crc",
	[HS_XFER_XMODEM_1K] = "xmodem-1k",
	[HS_XFER_YMODEM] = "ymodem",
	[HS_XFER_YMODEM_G] = "ymodem-g",
	[HS_XFER_ZMODEM] = "zmodem",
};

const char *hs_xfer_protocol_name(enum hs_xfer_protocol p)
{
	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

int hs_xfer_protocol_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return hs_fail(HS_ERR_ARG, "unknown protocol '%s': xmodem, xmodem-crc, xmodem-1k, ymodem, ymodem-g or zmodem",
		       name ? name : "");
}

void xf_init(struct xf *x, struct hs_link *link, const struct hs_xfer_opts *o,
	     int sending)
{
	memset(x, 0, sizeof(*x));
	x->link = link;
	x->dev = hs_link_info(link)->path;
	if (o)
		x->o = *o;
	if (x->o.timeout_ms <= 0)
		x->o.timeout_ms = XF_TIMEOUT_MS;
	if (x->o.retries <= 0)
		x->o.retries = XF_RETRIES;
	if (x->o.start_ms <= 0)
		x->o.start_ms = XF_START_MS;
	if (x->o.crc_tries <= 0)
		x->o.crc_tries = XF_CRC_TRIES;
	x->sending = sending;
	x->st.protocol = x->o.protocol;
	x->st.block_size = 128;
	x->file = (struct hs_xfer_file){
		.name = x->name, .path = x->path, .size = -1, .mtime = -1,
		.message = x->message,
	};
}

int xf_finish(struct xf *x, struct hs_xfer_stats *out, int rc)
{
	char text[1024];

	if (rc == HS_ERR_CANCELED)
		xf_send_cancel(x);
	if (rc < 0)
		hs_fail(rc, "%s", xf_error_text(x, rc, text, sizeof(text)));
	if (out) {
		*out = x->st;
		out->file = NULL;
	}
	return rc;
}

int xf_canceled(const struct xf *x)
{
	return x->o.cancel && *x->o.cancel;
}

/* While a cancel flag can be raised, no wait is longer than this. */
#define CANCEL_LOOK_MS 200

int xf_more(struct xf *x, int64_t deadline)
{
	for (;;) {
		int left = hs_remaining(deadline), slice = left, n;

		/* What has come is used first: a cancel that comes with the
		 * last ACK of a transfer (hsdial hangs its program up when the
		 * call ends) must not lose that ACK. The protocol loops look
		 * at the flag once a block, so a stream cannot hide it. */
		if (xf_canceled(x))
			slice = 0;
		else if (x->o.cancel && slice > CANCEL_LOOK_MS)
			slice = CANCEL_LOOK_MS;
		n = hs_link_read(x->link, x->in, sizeof(x->in), slice);
		if (n > 0) {
			x->in_pos = 0;
			x->in_len = (size_t)n;
			return n;
		}
		if (n != HS_ERR_TIMEOUT)
			return xf_link_error(x, n);
		if (xf_canceled(x))
			return xf_fail(x, HS_ERR_CANCELED, "canceled");
		if (left == slice)
			return n;
	}
}

int xf_getc(struct xf *x, int64_t deadline)
{
	if (x->in_pos == x->in_len) {
		int rc = xf_more(x, deadline);
		if (rc < 0)
			return rc;
	}
	return x->in[x->in_pos++];
}

int xf_read(struct xf *x, uint8_t *buf, size_t n, int gap_ms, size_t *got)
{
	*got = 0;
	while (*got < n) {
		size_t k;

		if (x->in_pos == x->in_len) {
			int rc = xf_more(x, hs_deadline(gap_ms));
			if (rc < 0)
				return rc;
		}
		k = x->in_len - x->in_pos;
		if (k > n - *got)
			k = n - *got;
		memcpy(buf + *got, x->in + x->in_pos, k);
		x->in_pos += k;
		*got += k;
	}
	return (int)n;
}

int xf_purge(struct xf *x, int quiet_ms)
{
	int64_t limit = hs_deadline(x->o.timeout_ms);

	x->in_pos = x->in_len = 0;
	while (hs_remaining(limit) > 0) {
		int64_t quiet = hs_deadline(quiet_ms);
		int rc = xf_more(x, quiet < limit ? quiet : limit);

		x->in_pos = x->in_len = 0;
		if (rc == HS_ERR_TIMEOUT)
			return HS_OK;
		if (rc < 0)
			return rc;
	}
	return HS_OK;
}

int xf_drop_pending(struct xf *x)
{
	int can = 0;

	for (;;) {
		while (x->in_pos < x->in_len) {
			uint8_t c = x->in[x->in_pos++];
			can = c == XM_CAN ? can + 1 : 0;
			if (can == 2)
				return HS_ERR_ABORTED;
		}
		int n = hs_link_read(x->link, x->in, sizeof(x->in), 0);
		if (n == HS_ERR_TIMEOUT)
			return HS_OK;
		if (n < 0)
			return xf_link_error(x, n);
		x->in_pos = 0;
		x->in_len = (size_t)n;
	}
}

int xf_write(struct xf *x, const void *buf, size_t n)
{
	size_t done = 0;
	int rc = hs_link_write(x->link, buf, n, x->o.timeout_ms, &done);

	if (rc == HS_ERR_TIMEOUT || rc == HS_ERR_STALL)
		return xf_fail(x, HS_ERR_TIMEOUT,
			       "the line took only %zu of %zu bytes in %d ms: the peer does not read",
			       done, n, x->o.timeout_ms);
	return rc < 0 ? xf_link_error(x, rc) : rc;
}

int xf_putc(struct xf *x, uint8_t c)
{
	return xf_write(x, &c, 1);
}

void xf_send_cancel(struct xf *x)
{
	static const uint8_t cancel[16] = {
		XM_CAN, XM_CAN, XM_CAN, XM_CAN, XM_CAN, XM_CAN, XM_CAN, XM_CAN,
		XM_BS, XM_BS, XM_BS, XM_BS, XM_BS, XM_BS, XM_BS, XM_BS,
	};
	char keep[512];
	size_t done;

	/* best effort: the line may be gone, which is why we are here; its
	 * failing must not hide why */
	snprintf(keep, sizeof(keep), "%s", hs_last_error());
	/* The rest of a block still queued would only delay the cancel
	 * (at 9600 baud a 1K block is a second): drop it. A pipe cannot. */
	hs_link_flush(x->link, HS_FLUSH_OUTPUT);
	hs_link_write(x->link, cancel, sizeof(cancel), 2000, &done);
	hs_link_drain(x->link, 2000);
	hs_fail(HS_ERR_IO, "%s", keep);
}

const char *hs_xfer_printable(const char *name, char *buf, size_t cap)
{
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && k + 5 < cap; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			buf[k++] = (char)*p;
		else
			k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", *p);
	}
	buf[k] = 0;
	return buf;
}

static const char *count_text(struct xf *x, char *buf, size_t cap)
{
	char esc[HS_XFER_NAME_MAX * 4 + 1];
	const char *what = x->sending ? "confirmed by the receiver" : "written";

	if (x->name[0] && x->st.bytes != x->file.bytes)
		snprintf(buf, cap, "%llu bytes in all %s; %llu of %s",
			 (unsigned long long)x->st.bytes, what,
			 (unsigned long long)x->file.bytes, hs_xfer_printable(x->name, esc, sizeof(esc)));
	else if (x->name[0])
		snprintf(buf, cap, "%llu bytes of %s %s", (unsigned long long)x->file.bytes,
			 hs_xfer_printable(x->name, esc, sizeof(esc)), what);
	else
		snprintf(buf, cap, "%llu bytes %s", (unsigned long long)x->st.bytes, what);
	return buf;
}

int xf_fail(struct xf *x, int code, const char *fmt, ...)
{
	char why[512], text[1024];
	va_list ap;
	int k;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* the device is named once, and not for a local file's trouble */
	k = code == HS_ERR_FILE || strncmp(why, x->dev, strlen(x->dev)) == 0 ? 0 :
	    snprintf(x->why, sizeof(x->why), "%s: ", x->dev);
	snprintf(x->why + k, sizeof(x->why) - (size_t)k, "%s", why);
	x->why_rc = code;
	return hs_fail(code, "%s", xf_error_text(x, code, text, sizeof(text)));
}

int xf_cancel_fail(struct xf *x, int code, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	xf_send_cancel(x);
	return xf_fail(x, code, "%s", why);
}

int xf_link_error(struct xf *x, int rc)
{
	snprintf(x->why, sizeof(x->why), "%s", hs_last_error());
	x->why_rc = rc;
	return rc;
}

const char *xf_error_text(struct xf *x, int rc, char *buf, size_t cap)
{
	char count[HS_XFER_NAME_MAX * 4 + 128];

	snprintf(buf, cap, "%s (%s)", x->why_rc == rc && x->why[0] ? x->why : hs_last_error(),
		 count_text(x, count, sizeof(count)));
	return buf;
}

void xf_progress(struct xf *x)
{
	if (x->o.progress) {
		x->st.file = &x->file;
		x->o.progress(x->o.ctx, &x->st);
	}
}

void xf_file_begin(struct xf *x, const char *name, const char *path, int64_t size,
		   int64_t mtime, unsigned mode)
{
	snprintf(x->name, sizeof(x->name), "%s", name ? name : "");
	snprintf(x->path, sizeof(x->path), "%s", path ? path : "");
	x->message[0] = 0;
	x->file.size = size;
	x->file.mtime = mtime;
	x->file.mode = mode;
	x->file.bytes = 0;
	x->file.padding = HS_XFER_PAD_NONE;
	x->file.status = HS_OK;
}

void xf_file_done(struct xf *x)
{
	x->st.files++;
	if (x->o.file_done)
		x->o.file_done(x->o.ctx, &x->file);
}
