/*
 * link.c - the public link API: parse the URI, pick the transport, check
 * arguments, turn timeouts into deadlines, and call the transport's op.
 * Every transport's bytes and state changes pass here, so this is where
 * they are traced (handshake/log.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "link_priv.h"
#include "trace.h"

#define MAX_BREAK_MS 5000

static int not_supported(struct hs_link *l, const char *what)
{
	return hs_fail(HS_ERR_NOT_SUPPORTED, "%s: %s is not supported on this %s", l->path,
		       what, l->info.transport == HS_TRANSPORT_TCP
		       ? "link (raw TCP carries bytes only; rfc2217:// carries the line too)"
		       : "port");
}

static const struct hs_transport_ops *transport_ops(enum hs_transport t)
{
	switch (t) {
	case HS_TRANSPORT_USB:
		return &hs_usb_ops;
	case HS_TRANSPORT_TCP:
		return &hs_tcp_ops;
	case HS_TRANSPORT_RFC2217:
		return &hs_rfc2217_ops;
	default:
		return &hs_serial_ops;
	}
}

static int bad_timeout(struct hs_link *l, int timeout_ms)
{
	return hs_fail(HS_ERR_ARG, "%s: timeout %d ms is negative; every wait needs a deadline",
		       l->path, timeout_ms);
}

static void trace_line(const char *func, struct hs_link *l, const char *what,
		       const char *uri)
{
	const struct hs_line *n = &l->line;

	hs_trace(HS_LOG_STATE, func, "%s %s%s%s (%s): %d baud %d%c%d flow %s",
		 l->path, what, uri ? " from " : "", uri ? uri : "",
		 hs_transport_name(l->info.transport), n->baud, n->bits,
		 "NOEMS"[(unsigned)n->parity % 5], n->stop, hs_flow_name(n->flow));
}

int hs_link_open(struct hs_link **out, const char *text)
{
	struct hs_uri uri;
	struct hs_link *l;
	int rc;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_link_open: no place for the link");
	*out = NULL;
	if ((rc = hs_uri_parse(text, &uri)) < 0)
		return rc;
	if (!(l = calloc(1, sizeof(*l))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", text);
	l->ops = transport_ops(uri.transport);
	l->fd = l->wfd = -1;
	l->info = (struct hs_link_info){
		.name = l->name, .path = l->path, .description = l->description,
		.usb_manufacturer = l->manufacturer, .usb_product = l->product,
		.usb_serial = l->serial, .usb_vid = -1, .usb_pid = -1,
		.usb_bus = -1, .usb_address = -1,
	};
	rc = l->ops->open(l, &uri);
	if (rc < 0) {
		hs_link_close(l);
		return rc;
	}
	l->line = uri.line;
	if (hs_tracing(HS_LOG_STATE))
		trace_line(__func__, l, "opened", text);
	*out = l;
	return HS_OK;
}

void hs_link_close(struct hs_link *l)
{
	char why[512];

	if (!l)
		return;
	if (hs_tracing(HS_LOG_STATE))
		hs_trace(HS_LOG_STATE, __func__, "%s closed", l->path);
	/* Closing may fail quietly (a network server that went away); the
	 * message of what failed before is the one the caller wants. */
	snprintf(why, sizeof(why), "%s", hs_last_error());
	l->ops->close(l);
	hs_fail(HS_OK, "%s", why);
	hs_lock_release(&l->lock);
	free(l);
}

int hs_link_read(struct hs_link *l, void *buf, size_t len, int timeout_ms)
{
	int rc;

	if (!l || !buf || len == 0)
		return hs_fail(HS_ERR_ARG, "hs_link_read: no link or empty buffer");
	if (timeout_ms < 0)
		return bad_timeout(l, timeout_ms);
	rc = l->ops->read(l, buf, len, hs_deadline(timeout_ms));
	if (hs_tracing(HS_LOG_DATA) && rc > 0)
		hs_trace_bytes(__func__, l->path, "in", buf, (size_t)rc);
	return rc;
}

int hs_link_write(struct hs_link *l, const void *buf, size_t len,
		  int timeout_ms, size_t *done)
{
	size_t ignored;
	int rc;

	if (!done)
		done = &ignored;
	*done = 0;
	if (!l || (!buf && len))
		return hs_fail(HS_ERR_ARG, "hs_link_write: no link or no buffer");
	if (timeout_ms < 0)
		return bad_timeout(l, timeout_ms);
	if (len == 0)
		return HS_OK;
	rc = l->ops->write(l, buf, len, hs_deadline(timeout_ms), done);
	/* what the port took, even when the rest was refused */
	if (hs_tracing(HS_LOG_DATA) && *done > 0)
		hs_trace_bytes(__func__, l->path, "out", buf, *done);
	return rc;
}

int hs_link_line_errors(struct hs_link *l, struct hs_line_errors *last,
			struct hs_line_errors *total)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "hs_link_line_errors: no link");
	return l->ops->line_errors ? l->ops->line_errors(l, last, total)
				   : not_supported(l, "counting line errors");
}

void hs_errors_add(struct hs_line_errors *sum, const struct hs_line_errors *e)
{
	sum->framing += e->framing;
	sum->parity += e->parity;
	sum->breaks += e->breaks;
	sum->overruns += e->overruns;
	sum->damaged += e->damaged;
	sum->counted |= e->counted;
}

int hs_link_mark_errors(struct hs_link *l)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "hs_link_mark_errors: no link");
	return l->ops->mark_errors ? l->ops->mark_errors(l)
				   : not_supported(l, "marking line errors in the data");
}

int hs_link_drain(struct hs_link *l, int timeout_ms)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "hs_link_drain: no link");
	if (timeout_ms < 0)
		return bad_timeout(l, timeout_ms);
	return l->ops->drain ? l->ops->drain(l, hs_deadline(timeout_ms)) : HS_OK;
}

int hs_link_pending(struct hs_link *l)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "hs_link_pending: no link");
	return l->ops->pending ? l->ops->pending(l) : 0;
}

int hs_link_flush(struct hs_link *l, enum hs_flush which)
{
	if (!l || which < HS_FLUSH_INPUT || which > HS_FLUSH_BOTH)
		return hs_fail(HS_ERR_ARG, "hs_link_flush: no link or bad selector");
	if (hs_tracing(HS_LOG_STATE))
		hs_trace(HS_LOG_STATE, __func__, "%s flush%s%s", l->path,
			 which & HS_FLUSH_INPUT ? " input" : "",
			 which & HS_FLUSH_OUTPUT ? " output" : "");
	return l->ops->flush ? l->ops->flush(l, which) : not_supported(l, "flush");
}

int hs_link_send_break(struct hs_link *l, int duration_ms)
{
	if (!l || duration_ms < 1 || duration_ms > MAX_BREAK_MS)
		return hs_fail(HS_ERR_ARG, "hs_link_send_break: duration must be 1..%d ms",
			       MAX_BREAK_MS);
	if (hs_tracing(HS_LOG_STATE))
		hs_trace(HS_LOG_STATE, __func__, "%s break %d ms", l->path, duration_ms);
	return l->ops->send_break ? l->ops->send_break(l, duration_ms)
				  : not_supported(l, "break");
}

int hs_link_get_line(struct hs_link *l, struct hs_line *line)
{
	if (!l || !line)
		return hs_fail(HS_ERR_ARG, "hs_link_get_line: no link or no line");
	*line = l->line;
	return HS_OK;
}

int hs_link_set_line(struct hs_link *l, const struct hs_line *line)
{
	int rc;

	if (!l || !line)
		return hs_fail(HS_ERR_ARG, "hs_link_set_line: no link or no line");
	if (!l->ops->set_line)
		return not_supported(l, "changing the line settings");
	if ((rc = l->ops->set_line(l, line)) == HS_OK) {
		l->line = *line;
		if (hs_tracing(HS_LOG_STATE))
			trace_line(__func__, l, "set", NULL);
	}
	return rc;
}

static int set_signal(struct hs_link *l, int sig, int on)
{
	int rc;

	if (!l)
		return hs_fail(HS_ERR_ARG, "no link");
	if (!l->ops->set_signal)
		return not_supported(l, "setting modem lines");
	rc = l->ops->set_signal(l, sig, on != 0);
	if (hs_tracing(HS_LOG_STATE) && rc == HS_OK)
		hs_trace(HS_LOG_STATE, __func__, "%s %s=%d", l->path,
			 sig == HS_SIG_DTR ? "DTR" : "RTS", on != 0);
	return rc;
}

int hs_link_set_dtr(struct hs_link *l, int on)
{
	return set_signal(l, HS_SIG_DTR, on);
}

int hs_link_set_rts(struct hs_link *l, int on)
{
	return set_signal(l, HS_SIG_RTS, on);
}

int hs_link_signals(struct hs_link *l)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "hs_link_signals: no link");
	return l->ops->signals ? l->ops->signals(l) : not_supported(l, "reading modem lines");
}

static void trace_signals(struct hs_link *l, int was, int now)
{
	static const char *const names[] = { "DTR", "RTS", "CTS", "DSR", "DCD", "RI" };
	char text[64] = "";
	size_t n = 0;

	for (int i = 0; i < 6; i++)
		if ((was ^ now) & (1 << i))
			n += (size_t)snprintf(text + n, sizeof(text) - n, " %s=%d", names[i],
					      !!(now & (1 << i)));
	hs_trace(HS_LOG_STATE, "hs_link_wait_signals", "%s changed:%s", l->path, text);
}

int hs_link_wait_signals(struct hs_link *l, int mask, int timeout_ms)
{
	int64_t deadline;
	int first, now;

	if (!l || mask <= 0)
		return hs_fail(HS_ERR_ARG, "hs_link_wait_signals: no link or empty mask");
	if (timeout_ms < 0)
		return bad_timeout(l, timeout_ms);
	deadline = hs_deadline(timeout_ms);
	if ((first = hs_link_signals(l)) < 0)
		return first;
	if (!l->ops->wait_signals)
		return not_supported(l, "waiting for modem lines");
	now = l->ops->wait_signals(l, mask, first, deadline);
	if (now >= 0 && hs_tracing(HS_LOG_STATE))
		trace_signals(l, first, now);
	return now;
}

int hs_link_fd(struct hs_link *l)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "hs_link_fd: no link");
	return l->ops->poll_fd ? l->ops->poll_fd(l) : l->fd;
}

int hs_carrier_watch(struct hs_link *l, enum hs_watch op)
{
	return l && l->ops->carrier_watch ? l->ops->carrier_watch(l, op) : 0;
}

const struct hs_link_info *hs_link_info(struct hs_link *l)
{
	return l ? &l->info : NULL;
}

const char *hs_flow_name(enum hs_flow flow)
{
	static const char *const names[] = { "none", "rtscts", "xonxoff", "dtrdsr" };
	return (unsigned)flow < 4 ? names[flow] : "?";
}

const char *hs_parity_name(enum hs_parity parity)
{
	static const char *const names[] = { "none", "odd", "even", "mark", "space" };
	return (unsigned)parity < 5 ? names[parity] : "?";
}

const char *hs_transport_name(enum hs_transport transport)
{
	static const char *const names[] = { "serial", "pty", "usb", "tcp", "rfc2217", "pipe" };
	return (unsigned)transport < 6 ? names[transport] : "?";
}
