/*
 * modem_call.c - calls: build a dial string that keeps every character
 * of the number and cannot carry anything but a number (or, where the
 * driver says so, a host) and its modifiers; dial, answer, and wait for
 * RINGs (with caller ID) to answer after n of them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "modem_priv.h"

/* How long to let the abort of a timed-out dial reach the modem. */
#define ABORT_WRITE_MS 200

/* What a Hayes modem takes in a dial string besides dial_chars: what
 * makes the exchange ring, the modifiers, and separators it ignores. */
#define ADDRESS_CHARS "0123456789*#+ABCDabcd"
#define MODIFIER_CHARS ",WwTtPp@!;"
#define SEPARATOR_CHARS " -()."

static int in(int c, const char *set)
{
	return c && set && strchr(set, c);
}

/* Append s to out as it is, after checking every character; HS_ERR_ARG
 * names the first one not taken. *ring counts the characters that make
 * the exchange ring (or name the host). */
static int put_number(char *out, size_t cap, size_t *n, const char *s, const struct hs_dial *d,
		      int *ring, int semicolon_ok, const char *what)
{
	for (const char *p = s; *p; p++) {
		int c = (unsigned char)*p;

		if (c == ';' && (!semicolon_ok || p[1]))
			return hs_fail(HS_ERR_ARG, "%s \"%s\": ';' may only end it", what, s);
		if (d->as_is ? !isprint(c) : !(in(c, ADDRESS_CHARS) || in(c, MODIFIER_CHARS) ||
						in(c, SEPARATOR_CHARS) || in(c, d->dial_chars)))
			return hs_fail(HS_ERR_ARG, "%s \"%s\": '%c' is not a dial character%s", what,
				       isprint(c) ? s : "(unprintable)", isprint(c) ? c : '?',
				       c == ':' || isalpha(c)
				       ? " (a host or port needs a driver that dials them, such as devserver, or the number sent as is)"
				       : "");
		if (in(c, ADDRESS_CHARS) || (isalnum(c) && (in(c, d->dial_chars) || d->as_is)))
			(*ring)++;
		if (*n + 1 >= cap)
			/* the cause first: a message cut short must still say it */
			return hs_fail(HS_ERR_OVERFLOW,
				       "the dial string is too long (a command line holds %d): %s of %zu characters \"%.40s%s\"",
				       HS_AT_COMMAND_MAX, what, strlen(s), s, strlen(s) > 40 ? "..." : "");
		out[(*n)++] = (char)c;
	}
	out[*n] = 0;
	return HS_OK;
}

int hs_modem_dial_string(char *out, size_t cap, const struct hs_dial *d)
{
	size_t n = 0;
	int ring = 0, rc;

	if (!out || cap < 5 || !d || !d->number)
		return hs_fail(HS_ERR_ARG, "hs_modem_dial_string: no number or no room");
	if (cap > HS_AT_COMMAND_MAX + 1)
		cap = HS_AT_COMMAND_MAX + 1;
	memcpy(out, "ATD", 3);
	n = 3;
	if (d->method == HS_DIAL_TONE)
		out[n++] = 'T';
	else if (d->method == HS_DIAL_PULSE)
		out[n++] = 'P';
	out[n] = 0;
	if (d->prefix && d->prefix[0]) {
		if ((rc = put_number(out, cap, &n, d->prefix, d, &ring, 0, "dial prefix")) < 0)
			return rc;
		if (n + 1 >= cap)
			return hs_fail(HS_ERR_OVERFLOW, "the dial string is too long");
		out[n++] = d->wait_dialtone ? 'W' : ',';
		out[n] = 0;
	}
	ring = 0;
	if ((rc = put_number(out, cap, &n, d->number, d, &ring, 1, "number")) < 0)
		return rc;
	if (ring == 0)
		return hs_fail(HS_ERR_ARG, "number \"%s\" has nothing to dial", d->number);
	if (d->stay_command && out[n - 1] != ';') {
		if (n + 1 >= cap)
			return hs_fail(HS_ERR_OVERFLOW, "number \"%s\": the dial string is too long",
				       d->number);
		out[n++] = ';';
		out[n] = 0;
	}
	return (int)n;
}

/* Stop a modem dialing or answering: any character does. It must reach
 * the modem before the caller closes the port, which discards what the
 * port has not sent yet: drained here, within the same deadline. */
static void abandon(struct hs_modem *m)
{
	int64_t deadline = hs_deadline(ABORT_WRITE_MS);

	if (hs_at_send_raw(m->at, "\r", 1, ABORT_WRITE_MS) == HS_OK)
		hs_link_drain(m->link, hs_remaining(deadline));
}

static void went_online(struct hs_modem *m, const struct hs_at_reply *r, struct hs_at_connect *c)
{
	hs_mdm_went_online(m, &r->connect, r->code >= 0);
	if (c)
		*c = r->connect;
}

/* Q1: the modem sends no result codes, so the dial's reply ended in
 * silence (HS_AT_NONE). Only DCD can say the call is up: wait for it to
 * rise until the deadline. Without modem lines nothing can tell. (Data
 * the far end sends before the silence ends the reply is taken as reply
 * text: Q1 is for modems that cannot be set otherwise.) */
static int quiet_outcome(struct hs_modem *m, const char *cmd, struct hs_at_reply *r,
			 struct hs_at_connect *c, int64_t deadline, int timeout_ms)
{
	int sig;

	if (!m->has_lines) {
		abandon(m);
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s: the modem sends no result codes (Q1) and the port has no DCD: cannot tell whether %s connected",
			       hs_mdm_dev(m), cmd);
	}
	while ((sig = hs_link_signals(m->link)) >= 0 && !(sig & HS_SIG_DCD) &&
	       hs_remaining(deadline) > 0)
		hs_link_wait_signals(m->link, HS_SIG_DCD, hs_remaining(deadline));
	if (sig < 0)
		return sig;
	if (!(sig & HS_SIG_DCD)) {
		abandon(m);
		return hs_fail(HS_ERR_TIMEOUT,
			       "%s: %s: no carrier (DCD) within %d ms and no result codes (Q1); call abandoned",
			       hs_mdm_dev(m), cmd, timeout_ms);
	}
	memset(&r->connect, 0, sizeof(r->connect)); /* speed unknown */
	hs_at_set_online(m->at, 1);
	went_online(m, r, c);
	return HS_OK;
}

/* Send cmd, whose answer is CONNECT or why not. */
static int call_command(struct hs_modem *m, const char *cmd, int ok_is_fine,
			struct hs_at_connect *c, int timeout_ms)
{
	struct hs_at_reply *r = malloc(sizeof(*r));
	int64_t deadline = hs_deadline(timeout_ms);
	int rc;

	if (!r)
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	hs_mdm_note_dcd(m);
	rc = hs_at_command(m->at, cmd, r, timeout_ms);
	if (rc == HS_ERR_TIMEOUT) {
		/* Any character stops a Hayes modem dialing or answering; its
		 * NO CARRIER is then swallowed as the late reply. */
		abandon(m);
		rc = hs_fail(HS_ERR_TIMEOUT, "%s: no answer to %s within %d ms; call abandoned",
			     hs_mdm_dev(m), cmd, timeout_ms);
	} else if (rc == HS_OK && r->result == HS_AT_CONNECT) {
		went_online(m, r, c);
	} else if (rc == HS_OK && r->result == HS_AT_NONE && !ok_is_fine) {
		rc = quiet_outcome(m, cmd, r, c, deadline, timeout_ms);
	} else if (rc == HS_OK && (r->result == HS_AT_OK || r->result == HS_AT_NONE) && ok_is_fine) {
		if (c)
			memset(c, 0, sizeof(*c));
	} else if (rc == HS_OK) {
		rc = hs_at_result_error(m->at, r, cmd);
		if (rc == HS_OK)
			rc = hs_fail(HS_ERR_PROTOCOL, "%s: %s answered %s, not CONNECT",
				     hs_mdm_dev(m), cmd, hs_at_result_name(r->result));
	}
	free(r);
	return rc;
}

int hs_modem_dial(struct hs_modem *m, const struct hs_dial *d, struct hs_at_connect *c,
		  int timeout_ms)
{
	char cmd[HS_AT_COMMAND_MAX + 1];
	struct hs_dial mine;
	int rc;

	if (!m || !d || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_dial: no modem, no number or negative timeout");
	if (m->online)
		return hs_fail(HS_ERR_ARG, "%s: already connected; hang up first", hs_mdm_dev(m));
	mine = *d;
	if (!mine.dial_chars)
		mine.dial_chars = m->drv->dial_chars;
	if ((rc = hs_modem_dial_string(cmd, sizeof(cmd), &mine)) < 0) {
		char why[256];
		snprintf(why, sizeof(why), "%s", hs_last_error());
		return hs_fail(rc, "%s: %s driver: %s", hs_mdm_dev(m), m->drv->name, why);
	}
	return call_command(m, cmd, d->stay_command, c, timeout_ms);
}

int hs_modem_answer(struct hs_modem *m, struct hs_at_connect *c, int timeout_ms)
{
	if (!m || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_answer: no modem or negative timeout");
	if (m->online)
		return hs_fail(HS_ERR_ARG, "%s: already connected", hs_mdm_dev(m));
	return call_command(m, "ATA", 0, c, timeout_ms);
}

int hs_modem_wait_call(struct hs_modem *m, int rings, struct hs_modem_call *call,
		       struct hs_at_connect *c, int timeout_ms)
{
	int64_t deadline;
	int rc;

	if (!m || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_wait_call: no modem or negative timeout");
	if (m->online)
		return hs_fail(HS_ERR_ARG, "%s: already connected", hs_mdm_dev(m));
	deadline = hs_deadline(timeout_ms);
	memset(&m->call, 0, sizeof(m->call));
	m->last_ring_ms = 0;
	hs_mdm_note_dcd(m); /* the modem may answer by itself (S0) */
	while (m->call.rings < (rings > 0 ? rings : 1)) {
		/* Blocks in poll() on the port: no wakeups while it is quiet. */
		rc = hs_at_poll(m->at, hs_remaining(deadline));
		if (rc == HS_ERR_TIMEOUT)
			return hs_fail(HS_ERR_TIMEOUT, "%s: %s within %d ms", hs_mdm_dev(m),
				       m->call.rings ? "the caller gave up" : "no call",
				       timeout_ms);
		if (rc < 0)
			return rc;
		if (m->online)
			break; /* the modem answered by itself (S0) */
	}
	if (call)
		*call = m->call;
	if (m->online) {
		if (c)
			*c = m->connect;
		return HS_OK;
	}
	if (rings <= 0)
		return HS_OK;
	return hs_modem_answer(m, c, hs_remaining(deadline));
}
