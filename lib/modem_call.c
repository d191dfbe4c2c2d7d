/*
 * modem_call.c - calls: build a dial string that cannot carry anything
 * but a number and its modifiers, dial, answer, and wait for RINGs (with
 * caller ID) to answer after n of them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "modem_priv.h"

/* How long to let the abort of a timed-out dial reach the modem. */
#define ABORT_WRITE_MS 200

/* Append the dial characters of s to out; HS_ERR_ARG on anything that
 * is not one. digits counts what would make the exchange ring. */
static int put_number(char *out, size_t cap, size_t *n, const char *s, int *digits,
		      int allow_semicolon, const char *what)
{
	for (; *s; s++) {
		char c = (char)toupper((unsigned char)*s);

		if (strchr(" -().", c))
			continue;
		if (c == ';' && (!allow_semicolon || s[1]))
			return hs_fail(HS_ERR_ARG, "%s: ';' may only end the number", what);
		if (!isdigit((unsigned char)c) && !strchr("*#ABCD+,W@!TP;", c))
			return hs_fail(HS_ERR_ARG, "%s: '%c' is not a dial character",
				       what, isprint((unsigned char)*s) ? *s : '?');
		if (isdigit((unsigned char)c) || strchr("*#ABCD+", c))
			(*digits)++;
		if (*n + 1 >= cap)
			return hs_fail(HS_ERR_OVERFLOW, "%s: the dial string is too long", what);
		out[(*n)++] = c;
	}
	out[*n] = 0;
	return HS_OK;
}

int hs_modem_dial_string(char *out, size_t cap, const struct hs_dial *d)
{
	size_t n = 0;
	int digits = 0, rc;

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
		if ((rc = put_number(out, cap, &n, d->prefix, &digits, 0, "dial prefix")) < 0)
			return rc;
		if ((rc = put_number(out, cap, &n, d->wait_dialtone ? "W" : ",", &digits, 0,
				     "dial prefix")) < 0)
			return rc;
	}
	digits = 0;
	if ((rc = put_number(out, cap, &n, d->number, &digits, 1, "number")) < 0)
		return rc;
	if (digits == 0)
		return hs_fail(HS_ERR_ARG, "number \"%s\" has no digits to dial", d->number);
	if (d->stay_command && out[n - 1] != ';') {
		if (n + 1 >= cap)
			return hs_fail(HS_ERR_OVERFLOW, "number: the dial string is too long");
		out[n++] = ';';
		out[n] = 0;
	}
	return (int)n;
}

static void went_online(struct hs_modem *m, const struct hs_at_reply *r, struct hs_at_connect *c)
{
	m->online = 1;
	m->carrier_lost = 0;
	m->dcd_up = 0;
	m->online_ms = hs_now_ms();
	m->nhold = 0;
	m->last_tx_ms = hs_now_ms();
	m->connect = r->connect;
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
		hs_at_send_raw(m->at, "\r", 1, ABORT_WRITE_MS);
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
		hs_at_send_raw(m->at, "\r", 1, ABORT_WRITE_MS);
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
	rc = hs_at_command(m->at, cmd, r, timeout_ms);
	if (rc == HS_ERR_TIMEOUT) {
		/* Any character stops a Hayes modem dialing or answering; its
		 * NO CARRIER is then swallowed as the late reply. */
		hs_at_send_raw(m->at, "\r", 1, ABORT_WRITE_MS);
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
	int rc;

	if (!m || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_dial: no modem or negative timeout");
	if (m->online)
		return hs_fail(HS_ERR_ARG, "%s: already connected; hang up first", hs_mdm_dev(m));
	if ((rc = hs_modem_dial_string(cmd, sizeof(cmd), d)) < 0)
		return rc;
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
