/*
 * rfc2217.c - the rfc2217:// transport: a serial port on a device server
 * (ser2net, a console server) through Telnet COM-PORT-OPTION (RFC 2217).
 *
 * Map:
 *   open       connect, negotiate BINARY both ways, SGA and COM-PORT-OPTION
 *              (the server must say DO 44), then set the line
 *   set_line   SET-BAUDRATE, -DATASIZE, -PARITY, -STOPSIZE, SET-CONTROL for
 *              the flow; the answers say what the server set: a different
 *              value is an error that names both, no answer is noted
 *   lines      SET-CONTROL DTR/RTS; CTS, DSR, DCD, RI from its
 *              NOTIFY-MODEMSTATE (asked for with SET-MODEMSTATE-MASK)
 *   break      SET-CONTROL BREAK-ON, then -OFF
 *   flush      PURGE-DATA; input that was on its way is dropped until the
 *              answer (or HS_RFC_REPLY_MS, for servers that never answer)
 *   decode     what the server sends: options we do not use are refused,
 *              garbage and unknown commands counted and skipped
 * DTR/DSR flow is asked for (SET-CONTROL 19); a server that does not take
 * it (ser2net does not) gets its data paced here, from its DSR
 * notifications, at the line's rate (rfc2217_io.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/handshake.h"
#include "clock.h"
#include "fail.h"
#include "rfc2217.h"

/* The line errors NOTIFY-LINESTATE should report. */
#define LINESTATE_MASK (HS_CPO_LS_BREAK | HS_CPO_LS_FRAMING | HS_CPO_LS_PARITY | \
			HS_CPO_LS_OVERRUN)

static struct hs_rfc *rfc(struct hs_link *l)
{
	return l->priv;
}

static void describe(struct hs_link *l)
{
	struct hs_rfc *r = rfc(l);

	snprintf(l->description, sizeof(l->description), "RFC 2217 port at %s%s%s%s%s%s",
		 r->net.peer, r->signature[0] ? " (" : "", r->signature,
		 r->signature[0] ? ")" : "", r->notes[0] ? ": " : "", r->notes);
}

/* What the server did not do, for the link's description. */
static void note(struct hs_link *l, const char *what)
{
	struct hs_rfc *r = rfc(l);
	size_t n = strlen(r->notes);

	if (strstr(r->notes, what))
		return;
	snprintf(r->notes + n, sizeof(r->notes) - n, "%s%s", n ? "; " : "", what);
	describe(l);
}

/* ---- Telnet options --------------------------------------------------- */

static int opt_index(int opt)
{
	switch (opt) {
	case HS_TN_OPT_BINARY:
		return 0;
	case HS_TN_OPT_SGA:
		return 1;
	case HS_TN_OPT_COMPORT:
		return 2;
	default:
		return -1;
	}
}

static void send_verb(struct hs_link *l, int verb, int opt)
{
	uint8_t out[3];

	hs_rfc_send(l, out, hs_telnet_verb(verb, opt, out));
}

/* RFC 1143 in short: answer a request only when it changes the state,
 * never answer an answer to our own request, refuse what we do not use. */
static void on_verb(void *ctx, int verb, int opt)
{
	struct hs_link *l = ctx;
	struct hs_rfc *r = rfc(l);
	int i = opt_index(opt);
	int ours = verb == HS_TN_DO || verb == HS_TN_DONT;   /* about our side */
	int yes = verb == HS_TN_DO || verb == HS_TN_WILL;
	int *state, *asked;

	if (i < 0) {
		if (yes)
			send_verb(l, ours ? HS_TN_WONT : HS_TN_DONT, opt);
		return;
	}
	state = ours ? &r->us[i] : &r->them[i];
	asked = ours ? &r->us_asked[i] : &r->them_asked[i];
	if (yes && *state <= 0) {
		if (!*asked)
			send_verb(l, ours ? HS_TN_WILL : HS_TN_DO, opt);
		*state = 1;
	} else if (!yes && *state >= 0) {
		if (*state > 0 && !*asked)
			send_verb(l, ours ? HS_TN_WONT : HS_TN_DONT, opt);
		*state = -1;
	}
	*asked = 0;
	if (!ours && i == 0)
		r->tn.binary = r->them[0] > 0;
}

/* ---- what the server says --------------------------------------------- */

static void answered(struct hs_rfc_req *q, uint32_t value)
{
	q->got = value;
	q->answered = 1;
	q->waiting = 0;
	q->silent = 0;
}

static void on_signature(struct hs_link *l, const struct hs_cpo_msg *m)
{
	struct hs_rfc *r = rfc(l);
	size_t n = 0;

	if (m->len == 0) {
		/* it asks who we are */
		uint8_t body[48], out[64];
		int len = snprintf((char *)body + 2, sizeof(body) - 2, "handshake %s", hs_version());
		body[0] = HS_TN_OPT_COMPORT;
		body[1] = HS_CPO_SIGNATURE;
		hs_rfc_send(l, out, hs_telnet_sub(body, 2 + (size_t)len, out, sizeof(out)));
		return;
	}
	for (size_t i = 0; i < m->len && n + 1 < sizeof(r->signature); i++)
		r->signature[n++] = isprint(m->text[i]) ? (char)m->text[i] : '?';
	r->signature[n] = 0;
	answered(&r->req[HS_CPO_SIGNATURE], 0);
}

static void on_sub(void *ctx, const uint8_t *body, size_t n)
{
	struct hs_link *l = ctx;
	struct hs_rfc *r = rfc(l);
	struct hs_cpo_msg m;
	enum hs_cpo_group g;

	if (hs_cpo_parse(body, n, &m) != HS_CPO_OK) {
		r->junk++;
		return;
	}
	switch (m.cmd) {
	case HS_CPO_SIGNATURE:
		on_signature(l, &m);
		break;
	case HS_CPO_SET_CONTROL:
		if ((g = hs_cpo_control_group(m.value)) == HS_CPO_G_NONE)
			r->junk++;
		else
			answered(&r->ctl[g], m.value);
		break;
	case HS_CPO_NOTIFY_MODEMSTATE:
		r->modemstate = (int)(m.value & 0xFF);
		l->lines_seq++;
		break;
	case HS_CPO_NOTIFY_LINESTATE:
		r->linestate = m.value;
		if (m.value & LINESTATE_MASK)
			r->line_errors++;
		break;
	case HS_CPO_FLOWCONTROL_SUSPEND:
		r->suspended = 1;
		break;
	case HS_CPO_FLOWCONTROL_RESUME:
		r->suspended = 0;
		break;
	case HS_CPO_PURGE_DATA:
		if (r->discard && (m.value & HS_CPO_PURGE_RX))
			r->discard = 0;
		answered(&r->req[m.cmd], m.value);
		break;
	default:
		answered(&r->req[m.cmd], m.value);
		break;
	}
}

static void on_data(void *ctx, const uint8_t *buf, size_t n)
{
	struct hs_link *l = ctx;
	struct hs_rfc *r = rfc(l);

	/* pump() only reads what rx has room for, and decoding never grows */
	if (r->discard || n > sizeof(r->rx) - r->rx_off - r->rx_len)
		return;
	memcpy(r->rx + r->rx_off + r->rx_len, buf, n);
	r->rx_len += n;
}

static void on_command(void *ctx, int command)
{
	struct hs_link *l = ctx;

	/* NOP and the like mean nothing to a serial port */
	if (command < HS_TN_SE)
		rfc(l)->junk++;
}

static void on_bad(void *ctx, enum hs_tn_bad why)
{
	struct hs_link *l = ctx;

	(void)why;
	rfc(l)->junk++;
}

void hs_rfc_decode(struct hs_link *l, const uint8_t *buf, size_t n)
{
	const struct hs_telnet_sink sink = {
		.ctx = l, .data = on_data, .verb = on_verb, .sub = on_sub,
		.command = on_command, .bad = on_bad,
	};

	hs_telnet_feed(&rfc(l)->tn, buf, n, &sink);
}

/* ---- requests --------------------------------------------------------- */

static int ask(struct hs_link *l, struct hs_rfc_req *q, int cmd, uint32_t value)
{
	uint8_t out[16];

	q->asked = value;
	q->answered = 0;
	q->waiting = !q->silent;
	return hs_rfc_send(l, out, hs_cpo_request(cmd, value, out, sizeof(out)));
}

static int ask_cmd(struct hs_link *l, int cmd, uint32_t value)
{
	return ask(l, &rfc(l)->req[cmd], cmd, value);
}

static int ask_control(struct hs_link *l, uint32_t value)
{
	return ask(l, &rfc(l)->ctl[hs_cpo_control_group(value)], HS_CPO_SET_CONTROL, value);
}

/* Wait for q's answer until the deadline: 1 answered, 0 not (noted, and
 * the kind is not waited for again), < 0 the connection failed. */
static int await(struct hs_link *l, struct hs_rfc_req *q, int64_t deadline, const char *what)
{
	char text[64];
	int rc;

	while (q->waiting) {
		if ((rc = hs_rfc_wait(l, deadline)) < 0)
			return rc;
		if (rc == 0 && q->waiting) {
			q->waiting = 0;
			q->silent = 1;
			snprintf(text, sizeof(text), "no answer to %s", what);
			note(l, text);
		}
	}
	return q->answered;
}

static int mismatch(struct hs_link *l, const char *what, const char *asked, const char *got)
{
	return hs_fail(HS_ERR_NOT_SUPPORTED, "%s: the server set %s %s when %s was asked",
		       l->path, what, got, asked);
}

static int check_number(struct hs_link *l, int rc, struct hs_rfc_req *q, const char *what,
			uint32_t tolerance)
{
	char a[16], g[16];

	if (rc <= 0 || (q->got + tolerance >= q->asked && q->got <= q->asked + tolerance))
		return rc < 0 ? rc : HS_OK;
	snprintf(a, sizeof(a), "%u", q->asked);
	snprintf(g, sizeof(g), "%u", q->got);
	return mismatch(l, what, a, g);
}

static const char *flow_text(uint32_t value)
{
	int f = hs_cpo_flow_from(value);
	return f < 0 ? "another flow control" : hs_flow_name((enum hs_flow)f);
}

/* The flow: what the server did about SET-CONTROL. */
static int check_flow(struct hs_link *l, int rc, const struct hs_line *line)
{
	struct hs_rfc *r = rfc(l);
	struct hs_rfc_req *q = &r->ctl[HS_CPO_G_FLOW];

	r->pace_dsr = 0;
	if (rc < 0)
		return rc;
	if (line->flow == HS_FLOW_DTRDSR && (rc == 0 || q->got != q->asked)) {
		/* Not done by the server: pace from its DSR notifications. */
		r->pace_dsr = 1;
		note(l, "DTR/DSR flow paced here");
		return rc == 0 || q->got == HS_CPO_FLOW_NONE ? HS_OK
			: ask_control(l, HS_CPO_FLOW_NONE);
	}
	if (rc > 0 && q->got != q->asked)
		return mismatch(l, "flow control", hs_flow_name(line->flow), flow_text(q->got));
	return HS_OK;
}

static int set_line(struct hs_link *l, const struct hs_line *line)
{
	struct hs_rfc *r = rfc(l);
	int64_t deadline;
	int rc, parity = hs_cpo_parity(line->parity), stop = hs_cpo_stopsize(line->stop);
	char a[16], g[16];

	if (line->baud <= 0 || line->bits < 5 || line->bits > 8 || parity < 0 || stop < 0)
		return hs_fail(HS_ERR_ARG, "%s: line settings out of range", l->path);
	if ((rc = ask_cmd(l, HS_CPO_SET_BAUDRATE, (uint32_t)line->baud)) < 0 ||
	    (rc = ask_cmd(l, HS_CPO_SET_DATASIZE, (uint32_t)line->bits)) < 0 ||
	    (rc = ask_cmd(l, HS_CPO_SET_PARITY, (uint32_t)parity)) < 0 ||
	    (rc = ask_cmd(l, HS_CPO_SET_STOPSIZE, (uint32_t)stop)) < 0 ||
	    (rc = ask_control(l, (uint32_t)hs_cpo_flow(line->flow))) < 0)
		return rc;
	/* One wait for all: they went out together. Drivers round odd rates
	 * to what their divisor can do (2%, as for a local port). */
	deadline = hs_deadline(HS_RFC_REPLY_MS);
	rc = await(l, &r->req[HS_CPO_SET_BAUDRATE], deadline, "SET-BAUDRATE");
	if ((rc = check_number(l, rc, &r->req[HS_CPO_SET_BAUDRATE], "the rate to",
			       (uint32_t)line->baud / 50)) < 0)
		return rc;
	rc = await(l, &r->req[HS_CPO_SET_DATASIZE], deadline, "SET-DATASIZE");
	if ((rc = check_number(l, rc, &r->req[HS_CPO_SET_DATASIZE], "data bits to", 0)) < 0)
		return rc;
	rc = await(l, &r->req[HS_CPO_SET_PARITY], deadline, "SET-PARITY");
	if (rc > 0 && r->req[HS_CPO_SET_PARITY].got != (uint32_t)parity) {
		int got = hs_cpo_parity_from(r->req[HS_CPO_SET_PARITY].got);
		snprintf(g, sizeof(g), "%s", got < 0 ? "?" : hs_parity_name((enum hs_parity)got));
		snprintf(a, sizeof(a), "%s", hs_parity_name(line->parity));
		return mismatch(l, "parity", a, g);
	}
	if (rc < 0)
		return rc;
	rc = await(l, &r->req[HS_CPO_SET_STOPSIZE], deadline, "SET-STOPSIZE");
	if ((rc = check_number(l, rc, &r->req[HS_CPO_SET_STOPSIZE], "stop bits to", 0)) < 0)
		return rc;
	rc = await(l, &r->ctl[HS_CPO_G_FLOW], deadline, "SET-CONTROL (flow)");
	return check_flow(l, rc, line);
}

/* ---- the ops ---------------------------------------------------------- */

static int negotiate(struct hs_link *l, int64_t deadline)
{
	struct hs_rfc *r = rfc(l);
	static const struct { int verb, opt; } wanted[] = {
		{ HS_TN_WILL, HS_TN_OPT_BINARY }, { HS_TN_DO, HS_TN_OPT_BINARY },
		{ HS_TN_WILL, HS_TN_OPT_SGA }, { HS_TN_DO, HS_TN_OPT_SGA },
		{ HS_TN_WILL, HS_TN_OPT_COMPORT },
	};
	int64_t settled = 0;
	int rc;

	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		int k = opt_index(wanted[i].opt);
		if (wanted[i].verb == HS_TN_WILL)
			r->us_asked[k] = 1;
		else
			r->them_asked[k] = 1;
		send_verb(l, wanted[i].verb, wanted[i].opt);
	}
	/* COM-PORT-OPTION is what we came for; BINARY both ways keeps the
	 * data as it is. A server that leaves BINARY unsettled a while after
	 * it agreed to COM-PORT-OPTION is used in text mode. */
	while (r->us[2] == 0 || r->us[0] == 0 || r->them[0] == 0) {
		int64_t until = deadline;
		if (r->us[2] < 0)
			break;
		if (r->us[2] > 0) {
			if (!settled)
				settled = hs_deadline(HS_RFC_REPLY_MS);
			if (settled < until)
				until = settled;
		}
		if ((rc = hs_rfc_wait(l, until)) < 0)
			return rc;
		if (rc == 0 && r->us[2] > 0)
			break;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT,
				       "%s did not finish the Telnet negotiation within %d ms: is it an RFC 2217 port?",
				       r->net.peer, HS_NET_OPEN_MS);
	}
	if (r->us[2] < 0)
		return hs_fail(HS_ERR_PROTOCOL,
			       "%s refused COM-PORT-OPTION: it is not an RFC 2217 port (try tcp://)",
			       r->net.peer);
	return HS_OK;
}

static int rfc_open(struct hs_link *l, const struct hs_uri *u)
{
	int64_t deadline = hs_deadline(HS_NET_OPEN_MS);
	struct hs_rfc *r;
	int rc;

	if (!(r = calloc(1, sizeof(*r))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", u->path);
	r->net.fd = r->wake.epfd = r->wake.evfd = -1;
	r->modemstate = -1;
	hs_telnet_init(&r->tn);
	l->priv = r;
	l->info.transport = HS_TRANSPORT_RFC2217;
	if ((rc = hs_net_link_open(l, &r->net, u, "RFC 2217 port", deadline)) < 0)
		return rc;
	if ((rc = hs_wakefd_open(&r->wake)) < 0)
		return hs_fail(HS_ERR_IO, "%s: cannot make a pollable fd: %s", l->path, strerror(-rc));
	l->fd = r->wake.epfd;
	l->wfd = r->net.fd;
	hs_rfc_pump(l);
	if ((rc = negotiate(l, deadline)) < 0)
		return rc;
	/* Who it is (not waited for), and tell us every line change. */
	if ((rc = ask_cmd(l, HS_CPO_SIGNATURE, 0)) < 0 ||
	    (rc = ask_cmd(l, HS_CPO_SET_MODEMSTATE_MASK, 0xFF)) < 0 ||
	    (rc = ask_cmd(l, HS_CPO_SET_LINESTATE_MASK, LINESTATE_MASK)) < 0)
		return rc;
	/* The server raised DTR and RTS when it opened the port. */
	r->lines = HS_SIG_DTR | HS_SIG_RTS;
	l->lines_lag_ms = HS_RFC_LINES_LAG_MS;
	l->lines_told = 1; /* every change: the mask asked is 0xFF */
	if ((rc = set_line(l, &u->line)) < 0)
		return rc;
	r->opened = 1;
	describe(l);
	return HS_OK;
}

/* Until the server has passed on all it took. It reads our stream in
 * order and takes more only once what it holds went to its port (ser2net,
 * pyserial's server), so the answer to a request sent after the data
 * says the data is out of its hands: a query of the rate, which every
 * server answers. One that does not answer it: until it acknowledged
 * every byte. */
static int rfc_drain(struct hs_link *l, int64_t deadline)
{
	struct hs_rfc *r = rfc(l);
	struct hs_rfc_req *q = &r->req[HS_CPO_SET_BAUDRATE];
	int rc;

	while (r->tx_len) {
		if ((rc = hs_rfc_wait(l, deadline)) < 0)
			return rc;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT, "%s: %zu bytes still unsent at the deadline",
				       l->path, r->tx_len);
	}
	if (!q->silent) {
		uint8_t out[16];
		q->waiting = 1;
		q->answered = 0;
		if ((rc = hs_rfc_send(l, out, hs_cpo_request(HS_CPO_SET_BAUDRATE, 0, out,
							       sizeof(out)))) < 0)
			return rc;
		while (q->waiting) {
			if ((rc = hs_rfc_wait(l, deadline)) < 0)
				return rc;
			if (rc == 0) {
				q->waiting = 0;
				return hs_fail(HS_ERR_TIMEOUT,
					       "%s: the server had not passed everything on to its port by the deadline",
					       l->path);
			}
		}
	}
	return hs_net_drain(&r->net, deadline);
}

static void rfc_close(struct hs_link *l)
{
	struct hs_rfc *r = rfc(l);

	if (!r)
		return;
	/* What was accepted goes out, briefly waited for; the server puts
	 * the port back when the connection ends. A notification arriving
	 * after our close() would reset the connection, and a server that is
	 * reset drops what it has not written to its port yet: ask for none
	 * first. */
	if (r->opened && !r->net.failed) {
		ask_cmd(l, HS_CPO_SET_MODEMSTATE_MASK, 0);
		ask_cmd(l, HS_CPO_SET_LINESTATE_MASK, 0);
		rfc_drain(l, hs_deadline(HS_RFC_REPLY_MS));
	}
	hs_net_close(&r->net, hs_deadline(r->opened ? HS_NET_CLOSE_MS : 0));
	hs_wakefd_close(&r->wake);
	free(r);
	l->priv = NULL;
	l->fd = l->wfd = -1;
}

static int rfc_set_line(struct hs_link *l, const struct hs_line *line)
{
	int rc = set_line(l, line);

	describe(l);
	return rc;
}

static int rfc_set_signal(struct hs_link *l, int sig, int on)
{
	struct hs_rfc *r = rfc(l);
	int dtr = sig == HS_SIG_DTR;
	uint32_t v = dtr ? (on ? HS_CPO_DTR_ON : HS_CPO_DTR_OFF) : (on ? HS_CPO_RTS_ON : HS_CPO_RTS_OFF);
	struct hs_rfc_req *q = &r->ctl[dtr ? HS_CPO_G_DTR : HS_CPO_G_RTS];
	int rc;

	if ((rc = ask_control(l, v)) < 0 ||
	    (rc = await(l, q, hs_deadline(HS_RFC_REPLY_MS), dtr ? "SET-CONTROL (DTR)" : "SET-CONTROL (RTS)")) < 0)
		return rc;
	if (rc > 0 && q->got != v)
		return hs_fail(HS_ERR_NOT_SUPPORTED, "%s: the server left %s %s when asked to turn it %s",
			       l->path, dtr ? "DTR" : "RTS", on ? "off" : "on", on ? "on" : "off");
	r->lines = on ? r->lines | sig : r->lines & ~sig;
	describe(l);
	return HS_OK;
}

static int rfc_signals(struct hs_link *l)
{
	struct hs_rfc *r = rfc(l);
	int rc = hs_rfc_pump(l);

	if (rc < 0)
		return rc;
	return r->lines | (r->modemstate < 0 ? 0 : hs_cpo_signals((unsigned)r->modemstate));
}

/* Woken by the server's notifications: no polling. */
static int rfc_wait_signals(struct hs_link *l, int mask, int first, int64_t deadline)
{
	for (;;) {
		int now = rfc_signals(l), rc;

		if (now < 0)
			return now;
		if ((now ^ first) & mask)
			return now;
		if ((rc = hs_rfc_wait(l, deadline)) < 0)
			return rc;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT,
				       "%s: the server reported no change of the modem lines before the deadline",
				       l->path);
	}
}

static int rfc_break(struct hs_link *l, int duration_ms)
{
	struct hs_rfc_req *q = &rfc(l)->ctl[HS_CPO_G_BREAK];
	int rc;

	if ((rc = ask_control(l, HS_CPO_BREAK_ON)) < 0 ||
	    (rc = await(l, q, hs_deadline(HS_RFC_REPLY_MS), "SET-CONTROL (break)")) < 0)
		return rc;
	hs_nap(duration_ms, hs_deadline(duration_ms));
	if ((rc = ask_control(l, HS_CPO_BREAK_OFF)) < 0 ||
	    (rc = await(l, q, hs_deadline(HS_RFC_REPLY_MS), "SET-CONTROL (break)")) < 0)
		return rc;
	return HS_OK;
}

static int rfc_flush(struct hs_link *l, enum hs_flush which)
{
	struct hs_rfc *r = rfc(l);
	uint32_t v = which == HS_FLUSH_BOTH ? HS_CPO_PURGE_BOTH
		   : which == HS_FLUSH_INPUT ? HS_CPO_PURGE_RX : HS_CPO_PURGE_TX;
	int rc;

	if ((rc = hs_rfc_pump(l)) < 0)
		return rc;
	if (which & HS_FLUSH_INPUT) {
		r->rx_off = r->rx_len = 0;
		/* what the server sends before its answer was on its way */
		r->discard = !r->req[HS_CPO_PURGE_DATA].silent;
	}
	rc = ask_cmd(l, HS_CPO_PURGE_DATA, v);
	if (rc >= 0)
		rc = await(l, &r->req[HS_CPO_PURGE_DATA], hs_deadline(HS_RFC_REPLY_MS), "PURGE-DATA");
	r->discard = 0;
	hs_rfc_pump(l);
	return rc < 0 ? rc : HS_OK;
}

const struct hs_transport_ops hs_rfc2217_ops = {
	.name = "rfc2217",
	.open = rfc_open,
	.close = rfc_close,
	.read = hs_rfc_read,
	.write = hs_rfc_write,
	.drain = rfc_drain,
	.pending = hs_rfc_pending,
	.flush = rfc_flush,
	.send_break = rfc_break,
	.set_line = rfc_set_line,
	.set_signal = rfc_set_signal,
	.signals = rfc_signals,
	.wait_signals = rfc_wait_signals,
};
