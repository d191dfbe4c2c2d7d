/*
 * detect.c - active detection: find the rate and framing at which a
 * command device (a modem, an AT-speaking module) answers "AT" with a
 * clean OK. The plan is in handshake/negotiate.h; the pieces here:
 *
 *   try_at()     one setting: set it, drop what was read before, send
 *                "AT\r", read until an OK, line errors, garbage, or the
 *                try's deadline, and say what it was;
 *   accept()     an OK is taken only when a second try at the same
 *                setting answers OK too (an answer that came late from
 *                an earlier try cannot pass twice);
 *   prefer()     at the rate that answered, the framings before the one
 *                that answered get another, longer try;
 *   hs_detect_modem()  the passes over every candidate, fastest first.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "detect_priv.h"
#include "fail.h"
#include "line.h"

/* After line errors arrive, how long an OK may still complete the reply
 * (to tell "damaged" from plain errors) before the try ends. */
#define ERRORS_GRACE_MS 20
/* Past this many bytes without an OK the device is not answering AT. */
#define GARBAGE_BYTES 48
/* Reply characters the line must carry besides what we sent: echo and
 * "\r\nOK\r\n", or a modem's longer "\r\nERROR\r\n". */
#define REPLY_CHARS 16

static const int default_rates[] = {
	115200, 57600, 38400, 19200, 9600, 4800, 2400, 1200, 300, 0,
};

static const struct hs_framing default_framings[] = {
	{ 8, HS_PARITY_NONE, 1 }, { 7, HS_PARITY_EVEN, 1 },
	{ 7, HS_PARITY_ODD, 1 }, { 8, HS_PARITY_EVEN, 1 },
	{ 8, HS_PARITY_NONE, 2 }, { 7, HS_PARITY_NONE, 2 }, { 0, 0, 0 },
};

void hs_search_defaults(const struct hs_detect_opts *in, struct hs_detect_opts *out)
{
	static const struct hs_detect_opts none;

	*out = in ? *in : none;
	if (!out->rates)
		out->rates = default_rates;
	if (!out->framings)
		out->framings = default_framings;
	if (out->try_ms <= 0)
		out->try_ms = 100;
	if (out->listen_ms <= 0)
		out->listen_ms = 1200;
	if (out->timeout_ms <= 0)
		out->timeout_ms = 30000;
}

int hs_detect_uri(struct hs_link *l, const struct hs_line *line, char *buf,
		  size_t cap)
{
	const char *path = hs_link_info(l)->path;
	int net = strncmp(path, "rfc2217://", 10) == 0;
	int n = snprintf(buf, cap, "%s%s?baud=%d&bits=%d&parity=%s&stop=%d%s%s",
			 net ? "" : "serial:", path, line->baud, line->bits,
			 hs_parity_name(line->parity), line->stop,
			 line->flow != HS_FLOW_NONE ? "&flow=" : "",
			 line->flow != HS_FLOW_NONE ? hs_flow_name(line->flow) : "");

	return n < 0 || (size_t)n >= cap ? hs_fail(HS_ERR_OVERFLOW, "%s: URI too long", path) : n;
}

void hs_line_name(const struct hs_line *line, char *buf, size_t cap)
{
	static const char par[] = "NOEMS";

	snprintf(buf, cap, "%d %d%c%d", line->baud, line->bits,
		 (unsigned)line->parity < 5 ? par[line->parity] : '?', line->stop);
}

unsigned long hs_errors_count(const struct hs_line_errors *e)
{
	unsigned long n = e->framing + e->parity + e->breaks + e->overruns;

	return n > e->damaged ? n : e->damaged;
}

int hs_try_set(struct hs_link *l, const struct hs_line *line,
		  struct hs_detect_try *t)
{
	memset(t, 0, sizeof(*t));
	t->line = *line;
	if (hs_link_set_line(l, line) < 0) {
		t->result = HS_TRY_REFUSED;
		return -1;
	}
	/* what came before belongs to another setting */
	hs_link_flush(l, HS_FLUSH_INPUT);
	return 0;
}

/* The errors since the caller's last look, added to t. */
void hs_try_errors(struct hs_link *l, struct hs_detect_try *t)
{
	struct hs_line_errors last;

	if (hs_link_line_errors(l, &last, NULL) == HS_OK)
		hs_errors_add(&t->errors, &last);
}

void hs_try_keep(struct hs_detect_try *t, const unsigned char *buf, size_t n)
{
	size_t room = sizeof(t->reply) - t->reply_len;

	memcpy(t->reply + t->reply_len, buf, n < room ? n : room);
	t->reply_len += n < room ? n : room;
	t->received += n;
}

int hs_search_start(struct hs_search *s, const char *who, struct hs_link *l,
		    const struct hs_detect_opts *opts, struct hs_detect_result *res)
{
	memset(s, 0, sizeof(*s));
	if (!l || !res)
		return hs_fail(HS_ERR_ARG, "%s: no link or no result", who);
	memset(res, 0, sizeof(*res));
	/* damaged characters marked in what is read, where the port can (a
	 * network link cannot: its line errors stay unknown) */
	hs_link_mark_errors(l);
	s->link = l;
	s->res = res;
	hs_search_defaults(opts, &s->o);
	hs_link_get_line(l, &s->orig);
	s->start = hs_now_ms();
	s->deadline = hs_deadline(s->o.timeout_ms);
	return HS_OK;
}

void hs_search_tried(struct hs_search *s, struct hs_detect_try *t)
{
	s->res->tries++;
	s->res->sent += t->sent;
	hs_errors_add(&s->res->errors, &t->errors);
	t->ms = (int)(hs_now_ms() - s->start);
	if (s->o.on_try && s->o.on_try(t, s->o.ctx))
		s->canceled = 1;
}

int hs_search_over(const struct hs_search *s)
{
	return s->canceled || hs_remaining(s->deadline) == 0;
}

int hs_search_end(struct hs_search *s, int rc)
{
	s->res->ms = (int)(hs_now_ms() - s->start);
	if (rc < 0) {
		/* the message of what failed is the one to keep */
		char why[512];
		snprintf(why, sizeof(why), "%s", hs_last_error());
		hs_link_set_line(s->link, &s->orig);
		hs_fail(rc, "%s", why);
	}
	return rc;
}

/* "OK" on a line of its own in the reply */
static int has_ok(const unsigned char *r, size_t n)
{
	for (size_t i = 0; i + 3 < n + 1 && i + 2 < n; i++)
		if (r[i] == 'O' && r[i + 1] == 'K' && r[i + 2] == '\r' &&
		    (i == 0 || r[i - 1] == '\n'))
			return 1;
	return 0;
}

static int try_at(struct hs_link *l, const struct hs_line *line, int wait_ms,
		  int twice, int64_t end, struct hs_detect_try *t)
{
	static const char at2[] = "AT\rAT\r";
	size_t len = twice ? 6 : 3, done = 0;
	unsigned char buf[64];
	int64_t deadline;
	int ok = 0, rc;

	if (hs_try_set(l, line, t) < 0)
		return HS_OK;
	rc = hs_link_write(l, at2, len, 1000, &done);
	t->sent = done;
	if (rc < 0 && rc != HS_ERR_TIMEOUT && rc != HS_ERR_STALL)
		return rc;
	deadline = hs_deadline(wait_ms + (int)(((int)len + REPLY_CHARS) * 1000 /
					       hs_line_cps(line)));
	if (deadline > end)
		deadline = end;
	for (;;) {
		int n = hs_link_read(l, buf, sizeof(buf), hs_remaining(deadline));
		if (n == HS_ERR_TIMEOUT)
			break;
		if (n < 0)
			return n;
		hs_try_keep(t, buf, (size_t)n);
		hs_try_errors(l, t);
		ok = has_ok(t->reply, t->reply_len);
		if (ok || t->received > GARBAGE_BYTES)
			break;
		if (hs_errors_count(&t->errors)) {
			int64_t grace = hs_deadline(ERRORS_GRACE_MS);
			if (grace < deadline)
				deadline = grace;
		}
	}
	if (ok && !hs_errors_count(&t->errors))
		t->result = HS_TRY_OK;
	else if (ok)
		t->result = HS_TRY_DAMAGED;
	else if (hs_errors_count(&t->errors))
		t->result = HS_TRY_ERRORS;
	else
		t->result = t->received ? HS_TRY_GARBLED : HS_TRY_SILENT;
	return HS_OK;
}

/* One try at line; the try is counted and reported. */
static int attempt(struct hs_search *s, const struct hs_line *line, int wait_ms,
		   struct hs_detect_try *t)
{
	int rc = try_at(s->link, line, wait_ms, s->twice, s->deadline, t);

	if (rc == HS_OK)
		hs_search_tried(s, t);
	return rc;
}

/* An OK at line: ask again, and keep it only if it answers again. */
static int accept(struct hs_search *s, const struct hs_line *line, int wait_ms,
		  struct hs_detect_try *first)
{
	struct hs_detect_try t;
	int rc = attempt(s, line, 2 * wait_ms, &t);

	if (rc < 0)
		return rc;
	if (t.result != HS_TRY_OK)
		return 0;
	s->res->line = *line;
	memcpy(s->res->reply, first->reply, first->reply_len);
	s->res->reply_len = first->reply_len;
	return 1;
}

static int same_framing(const struct hs_line *a, const struct hs_framing *f)
{
	return a->bits == f->bits && a->parity == f->parity && a->stop == f->stop;
}

/* At the rate that answered, framings listed before the one found get a
 * longer try: the first in the list that answers wins. */
static int prefer(struct hs_search *s, int wait_ms)
{
	struct hs_line found = s->res->line, line = found;

	for (const struct hs_framing *f = s->o.framings; f->bits; f++) {
		struct hs_detect_try t;
		int rc;

		if (same_framing(&found, f) || hs_search_over(s))
			break;
		line.bits = f->bits, line.parity = f->parity, line.stop = f->stop;
		if ((rc = attempt(s, &line, 4 * wait_ms, &t)) < 0)
			return rc;
		if (t.result != HS_TRY_OK)
			continue;
		if ((rc = accept(s, &line, 2 * wait_ms, &t)) < 0)
			return rc;
		if (rc) {
			s->res->also = found;
			s->res->also_result = HS_TRY_OK;
			break;
		}
	}
	/* leave the link where the answer came from */
	return hs_link_set_line(s->link, &s->res->line);
}

int hs_detect_modem(struct hs_link *l, const struct hs_detect_opts *opts,
		    struct hs_detect_result *res)
{
	struct hs_search s;
	struct hs_line line;
	int wait_ms, refused[64] = { 0 }, rc, found = 0, nrefused = 0;
	char damaged[48] = "";

	if ((rc = hs_search_start(&s, "hs_detect_modem", l, opts, res)) < 0)
		return rc;
	for (wait_ms = s.o.try_ms; !found && rc == HS_OK && !hs_search_over(&s);
	     wait_ms *= 2) {
		int k = 0;
		/* after a pass that found nothing, AT twice: a modem nobody
		 * said autobauds may spend each first AT on the rate */
		s.twice = s.o.at_twice || wait_ms > s.o.try_ms;
		for (const int *r = s.o.rates; *r && !found && rc == HS_OK; r++) {
			for (const struct hs_framing *f = s.o.framings; f->bits; f++, k++) {
				struct hs_detect_try t;

				if (hs_search_over(&s))
					break;
				if (k < 64 && refused[k])
					continue;
				line = s.orig;
				line.baud = *r, line.bits = f->bits;
				line.parity = f->parity, line.stop = f->stop;
				if ((rc = attempt(&s, &line, wait_ms, &t)) < 0)
					break;
				if (t.result == HS_TRY_REFUSED && k < 64) {
					refused[k] = 1;
					nrefused++;
				}
				if (t.result == HS_TRY_DAMAGED && !res->also.baud) {
					res->also = line;
					res->also_result = HS_TRY_DAMAGED;
					hs_line_name(&line, damaged, sizeof(damaged));
				}
				if (t.result != HS_TRY_OK)
					continue;
				if ((rc = accept(&s, &line, wait_ms, &t)) < 0)
					break;
				if ((found = rc) != 0) {
					rc = prefer(&s, wait_ms);
					break;
				}
				rc = HS_OK;
			}
		}
	}
	if (rc == HS_OK && found)
		res->confidence = 100;
	else if (rc == HS_OK && s.canceled)
		rc = hs_fail(HS_ERR_CANCELED, "%s: detection stopped after %d tries",
			     hs_link_info(l)->path, res->tries);
	else if (rc == HS_OK)
		rc = hs_fail(HS_ERR_NO_ANSWER,
			     "%s: nothing answered at any setting (%d tries in %.1f s%s%s%s)",
			     hs_link_info(l)->path, res->tries,
			     (double)(hs_now_ms() - s.start) / 1000.0,
			     nrefused ? "; the port refused some settings" : "",
			     damaged[0] ? "; an OK with line errors at " : "", damaged);
	return hs_search_end(&s, rc);
}
