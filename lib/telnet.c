/*
 * telnet.c - the Telnet framing codec: a byte-at-a-time state machine for
 * what a peer sends (data runs are handed over whole), and the encoders
 * for what we send. See telnet.h.
 */
#include <string.h>

#include "telnet.h"

enum { S_DATA, S_IAC, S_VERB, S_SB, S_SB_IAC };

void hs_telnet_init(struct hs_telnet *t)
{
	memset(t, 0, sizeof(*t));
	t->state = S_DATA;
}

static void emit_data(const struct hs_telnet_sink *s, const uint8_t *p, size_t n)
{
	if (n && s->data)
		s->data(s->ctx, p, n);
}

static void sub_byte(struct hs_telnet *t, uint8_t b)
{
	if (t->nsub < sizeof(t->sub))
		t->sub[t->nsub++] = b;
	else
		t->over = 1;
}

static void sub_end(struct hs_telnet *t, const struct hs_telnet_sink *s)
{
	if (t->over) {
		if (s->bad)
			s->bad(s->ctx, HS_TN_BAD_OVERSIZED);
	} else if (s->sub) {
		s->sub(s->ctx, t->sub, t->nsub);
	}
	t->nsub = 0;
	t->over = 0;
}

/* The byte after an IAC outside a subnegotiation. */
static void after_iac(struct hs_telnet *t, const uint8_t *p,
		      const struct hs_telnet_sink *s)
{
	switch (*p) {
	case HS_TN_IAC:
		emit_data(s, p, 1);
		t->cr = 0;
		t->state = S_DATA;
		break;
	case HS_TN_WILL:
	case HS_TN_WONT:
	case HS_TN_DO:
	case HS_TN_DONT:
		t->verb = *p;
		t->state = S_VERB;
		break;
	case HS_TN_SB:
		t->nsub = 0;
		t->over = 0;
		t->state = S_SB;
		break;
	case HS_TN_SE:
		if (s->bad)
			s->bad(s->ctx, HS_TN_BAD_STRAY_SE);
		t->state = S_DATA;
		break;
	default:
		if (s->command)
			s->command(s->ctx, *p);
		t->state = S_DATA;
		break;
	}
}

/* A run of plain data from p: up to the next IAC, or in text mode up to
 * and including a CR (whose NUL, if any, is then dropped). */
static size_t data_run(struct hs_telnet *t, const uint8_t *p, size_t n,
		       const struct hs_telnet_sink *s)
{
	size_t i = 0;

	if (t->cr) {
		t->cr = 0;
		if (*p == 0)
			return 1;
	}
	while (i < n && p[i] != HS_TN_IAC) {
		if (!t->binary && p[i] == '\r') {
			t->cr = 1;
			i++;
			break;
		}
		i++;
	}
	emit_data(s, p, i);
	return i;
}

void hs_telnet_feed(struct hs_telnet *t, const uint8_t *in, size_t n,
		    const struct hs_telnet_sink *s)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *p = in + i;

		switch (t->state) {
		case S_DATA:
			if (*p == HS_TN_IAC) {
				t->state = S_IAC;
				t->cr = 0;
				i++;
			} else {
				i += data_run(t, p, n - i, s);
			}
			continue;
		case S_IAC:
			after_iac(t, p, s);
			break;
		case S_VERB:
			if (s->verb)
				s->verb(s->ctx, t->verb, *p);
			t->state = S_DATA;
			break;
		case S_SB:
			if (*p == HS_TN_IAC)
				t->state = S_SB_IAC;
			else
				sub_byte(t, *p);
			break;
		case S_SB_IAC:
			if (*p == HS_TN_IAC) {
				sub_byte(t, *p);
				t->state = S_SB;
			} else if (*p == HS_TN_SE) {
				sub_end(t, s);
				t->state = S_DATA;
			} else {
				/* A command inside a subnegotiation: the peer
				 * lost track. Drop the body, take the command. */
				if (s->bad)
					s->bad(s->ctx, HS_TN_BAD_SB_COMMAND);
				t->nsub = 0;
				t->over = 0;
				after_iac(t, p, s);
			}
			break;
		}
		i++;
	}
}

size_t hs_telnet_escape(const uint8_t *in, size_t n, size_t *used,
			uint8_t *out, size_t cap, int binary)
{
	size_t i = 0, o = 0;

	for (; i < n; i++) {
		int twice = in[i] == HS_TN_IAC || (!binary && in[i] == '\r');

		if (o + 1 + (size_t)twice > cap)
			break;
		out[o++] = in[i];
		if (twice)
			out[o++] = in[i] == HS_TN_IAC ? HS_TN_IAC : 0;
	}
	*used = i;
	return o;
}

size_t hs_telnet_verb(int verb, int option, uint8_t *out)
{
	out[0] = HS_TN_IAC;
	out[1] = (uint8_t)verb;
	out[2] = (uint8_t)option;
	return 3;
}

size_t hs_telnet_sub(const uint8_t *body, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0, used;

	if (cap < 4)
		return 0;
	out[o++] = HS_TN_IAC;
	out[o++] = HS_TN_SB;
	o += hs_telnet_escape(body, n, &used, out + o, cap - 2 - o, 1);
	if (used < n)
		return 0;
	out[o++] = HS_TN_IAC;
	out[o++] = HS_TN_SE;
	return o;
}
