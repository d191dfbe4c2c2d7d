/*
 * at.c - the AT engine: write a command, read the reply byte by byte,
 * cut it into lines, and decide what each line is (echo, URC, final
 * result, intermediate text), all within the caller's deadline.
 *
 * Map: the engine object; input (reading, lines, garbage, the V0 "is an
 * S4 coming?" grace); what a line is; the loop (run) in its three modes;
 * the public calls.
 *
 * Why the V0 grace: in V0 a final result is "<digits><S3>" and nothing
 * else, while information text (ATS0? -> "000") still ends "<S3><S4>".
 * When a digits-only line ends in S3 and no byte follows yet, only the
 * next byte can tell, so the engine waits a short grace for it. In V1
 * this never costs anything: results are words.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_parse.h"
#include "clock.h"
#include "fail.h"
#include "handshake/at.h"

/* How long to wait for an S4 after "<digits><S3>" before deciding it was
 * a V0 result. USB-serial adapters hold bytes up to 16 ms (FTDI's latency
 * timer), so less than that would split "000\r\n" wrongly. */
#define V0_GRACE_MS 40
/* Input read and dropped before a command is bounded too: a device that
 * never stops talking is an error, not a hang. */
#define DRAIN_MAX 16384
/* Default silence that ends a reply when the modem is quiet (Q1). */
#define QUIET_IDLE_MS 250
/* Replies owed by commands that timed out are counted up to this; a
 * modem that leaves more unanswered has lost them. */
#define STALE_MAX 8
/* After garbage or an over-long line the rest may still be on its way
 * (a pty or USB adapter delivers in bursts): the next command first
 * waits for this much silence, so the rest is not taken for its reply. */
#define SETTLE_MS 50

struct hs_at {
	struct hs_link *link;
	/* input: what the last read brought, and the line being built */
	unsigned char rbuf[1024];
	size_t rpos, rlen;
	char line[HS_AT_LINE_MAX + 1];
	size_t len;
	int pending;            /* line is "<digits><S3>": S4 or not decides */
	int skip_eol;           /* dropping the rest of an over-long line */
	int ended_s3;           /* the last line ended with S3 */
	size_t garbage;         /* non-text bytes in this reply */
	/* the modem's S3/S4; old_ ones are still accepted while a command
	 * that changes them is answered */
	int s3, s4, old_s3, old_s4;
	int quiet, idle_ms;     /* Q1: no result codes; silence ends a reply */
	int online;             /* after CONNECT: bytes are data */
	int in_command;         /* a final result other than CONNECT came
	                         * since: the modem is in command mode */
	int settle;             /* drain until SETTLE_MS of silence */
	/* replies owed by commands that timed out: their final results
	 * (and the text before each) are swallowed when they come */
	int stale;
	/* the command in flight */
	char cmd[HS_AT_COMMAND_MAX + 1];
	char cmd_name[32];
	int echo_pending;       /* its echo may still come */
	int swallowed;          /* it swallowed a stale final after its echo,
	                         * or with no echo seen: maybe its own */
	/* driver data and the URC callback */
	const struct hs_at_numeric *map;
	size_t nmap;
	const char *const *urcs;
	hs_at_urc_fn urc_fn;
	void *urc_ctx;
	char urc_scratch[HS_AT_LINE_MAX + 64];
	struct hs_at_reply scratch; /* reply for callers who pass NULL */
};

enum mode {
	M_FINAL,  /* a command's reply: until its final result */
	M_POLL,   /* waiting for URCs: until one came */
	M_DRAIN,  /* reading what is there now and dropping it */
};

struct txn {
	enum mode mode;
	struct hs_at_reply *r;
	int64_t deadline;
	int quiet;              /* no final result will come */
	int done;               /* the final result came */
	int urcs;               /* URCs delivered */
	size_t drained;
};

static const char *dev(struct hs_at *at)
{
	const struct hs_link_info *i = hs_link_info(at->link);
	return i && i->path[0] ? i->path : "modem";
}

static void reply_reset(struct hs_at_reply *r)
{
	r->result = HS_AT_NONE;
	r->code = -1;
	r->final[0] = 0;
	memset(&r->connect, 0, sizeof(r->connect));
	r->nlines = 0;
	r->len = 0;
	r->text[0] = 0;
}

/* ---- input ------------------------------------------------------------ */

static int is_term(const struct hs_at *at, int b)
{
	return b == '\r' || b == '\n' || b == at->s3 || b == at->s4 ||
	       b == at->old_s3 || b == at->old_s4;
}

/* Text a modem sends: printable ASCII and tab. Anything else is noise
 * (wrong speed, line hits) and is counted, not kept. */
static int is_text(int b)
{
	return (b >= 0x20 && b < 0x7f) || b == '\t';
}

static int fill(struct hs_at *at, int timeout_ms)
{
	int fd = hs_link_fd(at->link), rc;

	/* A look without waiting (the drain before every command) should
	 * cost one poll(), not a timeout error with its message. */
	if (timeout_ms == 0 && fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 0) == 0) {
			at->rpos = at->rlen = 0;
			return HS_ERR_TIMEOUT;
		}
	}
	rc = hs_link_read(at->link, at->rbuf, sizeof(at->rbuf), timeout_ms);

	at->rpos = 0;
	at->rlen = rc > 0 ? (size_t)rc : 0;
	return rc;
}

/* ---- what a line is --------------------------------------------------- */

static void deliver(struct hs_at *at, struct txn *t, const struct hs_at_urc *u)
{
	t->urcs++;
	if (at->urc_fn)
		at->urc_fn(at->urc_ctx, u);
}

static void deliver_simple(struct hs_at *at, struct txn *t, enum hs_at_urc_kind kind,
			   const char *line, const char *key)
{
	struct hs_at_urc u = { .kind = kind, .line = line, .key = key, .value = "" };
	deliver(at, t, &u);
}

static int append_text(struct hs_at *at, struct hs_at_reply *r, const char *line, size_t n)
{
	if (r->len + n + 2 > HS_AT_TEXT_MAX)
		return hs_fail(HS_ERR_OVERFLOW,
			       "%s replied more than %d bytes of text to %s; not kept",
			       dev(at), HS_AT_TEXT_MAX, at->cmd[0] ? at->cmd : "the wait");
	memcpy(r->text + r->len, line, n);
	r->len += n;
	r->text[r->len++] = '\n';
	r->text[r->len] = 0;
	r->nlines++;
	return HS_OK;
}

/* A whole line is in at->line; numeric says it was a V0 frame. */
static int line_done(struct hs_at *at, struct txn *t, int numeric)
{
	struct hs_at_reply *r = t->r;
	struct hs_at_connect saved;
	struct hs_at_urc u;
	size_t n = at->len;
	const char *line = at->line;

	at->line[n] = 0;
	at->len = 0;
	if (t->mode == M_FINAL && at->echo_pending && !numeric &&
	    hs_atp_is_echo(line, at->cmd)) {
		/* Our echo: the modem answers in order, so late replies to
		 * older commands came before it or not at all; what follows
		 * is ours, and what was swallowed was theirs. */
		at->echo_pending = 0;
		at->stale = 0;
		at->swallowed = 0;
		return HS_OK;
	}
	if (hs_atp_urc(line, t->mode == M_FINAL ? at->cmd_name : "", at->urcs, &u,
			    at->urc_scratch, sizeof(at->urc_scratch))) {
		deliver(at, t, &u);
		return HS_OK;
	}
	saved = r->connect;
	if (hs_at_parse_final(line, numeric, at->map, at->nmap, r)) {
		enum hs_at_result res = r->result;
		if (res != HS_AT_RING)
			at->in_command = res != HS_AT_CONNECT;
		if (res == HS_AT_CONNECT && at->stale > 0) {
			/* Never swallowed: whoever's it is, the modem is
			 * online now and what follows is data. During a
			 * command it is that command's answer. */
			at->stale = 0;
		}
		if (res == HS_AT_RING || t->mode != M_FINAL || at->stale > 0) {
			if (res == HS_AT_RING) {
				deliver_simple(at, t, HS_URC_RING, line, "RING");
			} else if (at->stale > 0) {
				at->stale--;
				at->swallowed = t->mode == M_FINAL;
			} else if (res == HS_AT_NO_CARRIER) {
				deliver_simple(at, t, HS_URC_NO_CARRIER, line, "NO CARRIER");
			} else if (res == HS_AT_CONNECT) {
				/* Answered by itself (S0), or the late answer to
				 * a dial that timed out: what follows is data. */
				struct hs_at_urc u = { .kind = HS_URC_CONNECT, .line = line,
						       .key = "CONNECT", .value = r->final + 7,
						       .connect = &r->connect };
				while (*u.value == ' ')
					u.value++;
				at->online = 1;
				deliver(at, t, &u);
				t->done = 1;
				return HS_OK;
			}
			r->result = HS_AT_NONE;
			r->code = -1;
			r->final[0] = 0;
			r->connect = saved;
			return HS_OK;
		}
		at->echo_pending = 0;
		t->done = 1;
		return HS_OK;
	}
	/* Text while a reply is owed is that reply's: it goes with the
	 * final result that will be swallowed. */
	if (t->mode != M_FINAL || at->stale > 0)
		return HS_OK;
	at->echo_pending = 0;
	hs_atp_connect_info(line, &r->connect);
	return append_text(at, r, line, n);
}

/* One byte of input. */
static int feed(struct hs_at *at, struct txn *t, int b)
{
	int rc;

	if (at->pending) {
		/* "<digits><S3>" then S4: information text; else a V0 result. */
		int info = b == at->s4 || (b == '\n' && at->s3 != '\n');
		at->pending = 0;
		rc = line_done(at, t, !info);
		if (info || rc < 0)
			return rc;
		if (t->done) {
			at->rpos--; /* not ours: leave it for the next reader */
			return rc;
		}
	}
	if (at->skip_eol) {
		at->skip_eol = !is_term(at, b);
		return HS_OK;
	}
	if (is_term(at, b)) {
		if (at->len == 0)
			return HS_OK;
		at->ended_s3 = b == at->s3;
		at->line[at->len] = 0;
		if (at->ended_s3 && hs_atp_is_number(at->line)) {
			at->pending = 1;
			return HS_OK;
		}
		return line_done(at, t, 0);
	}
	if (!is_text(b)) {
		if (++at->garbage > HS_AT_GARBAGE_MAX && t->mode != M_DRAIN) {
			at->garbage = 0;
			at->len = 0;
			at->skip_eol = 1;
			return hs_fail(HS_ERR_PROTOCOL,
				       "%s sent more than %d bytes that are not text in reply to %s: wrong speed, or not a modem?",
				       dev(at), HS_AT_GARBAGE_MAX, at->cmd[0] ? at->cmd : "the wait");
		}
		return HS_OK;
	}
	if (at->len >= HS_AT_LINE_MAX) {
		at->len = 0;
		at->skip_eol = 1;
		if (t->mode == M_DRAIN)
			return HS_OK;
		return hs_fail(HS_ERR_OVERFLOW,
			       "%s sent a line longer than %d bytes in reply to %s; dropped",
			       dev(at), HS_AT_LINE_MAX, at->cmd[0] ? at->cmd : "the wait");
	}
	at->line[at->len++] = (char)b;
	return HS_OK;
}

/* ---- the loop --------------------------------------------------------- */

static int run(struct hs_at *at, struct txn *t, int idle_ms)
{
	int64_t last_rx = hs_now_ms();

	for (;;) {
		int wait, rc;

		while (at->rpos < at->rlen && !at->online) {
			rc = feed(at, t, at->rbuf[at->rpos++]);
			if (rc < 0)
				return rc;
			if (t->done || (t->mode == M_POLL && t->urcs))
				return HS_OK;
		}
		if (t->mode == M_DRAIN) {
			wait = at->settle ? SETTLE_MS : 0;
			if (t->drained > DRAIN_MAX) {
				hs_link_flush(at->link, HS_FLUSH_INPUT);
				return hs_fail(HS_ERR_PROTOCOL,
					       "%s keeps sending: over %d bytes nobody asked for before %s",
					       dev(at), DRAIN_MAX, at->cmd);
			}
		} else {
			wait = hs_remaining(t->deadline);
		}
		if (at->pending && wait > V0_GRACE_MS)
			wait = V0_GRACE_MS;
		if (t->quiet && idle_ms > 0) {
			int left = (int)(last_rx + idle_ms - hs_now_ms());
			if (left < wait)
				wait = left > 0 ? left : 0;
		}
		rc = fill(at, wait);
		if (rc > 0) {
			last_rx = hs_now_ms();
			t->drained += (size_t)rc;
			continue;
		}
		if (rc != HS_ERR_TIMEOUT)
			return rc;
		if (at->pending) {
			/* nothing after "<digits><S3>": a V0 result */
			at->pending = 0;
			if ((rc = line_done(at, t, 1)) < 0)
				return rc;
			if (t->done || (t->mode == M_POLL && t->urcs))
				return HS_OK;
			continue;
		}
		if (t->mode == M_DRAIN)
			return HS_OK;
		if (t->quiet && (hs_remaining(t->deadline) == 0 ||
				 (idle_ms > 0 && hs_now_ms() - last_rx >= idle_ms)))
			return HS_OK;
		if (hs_remaining(t->deadline) == 0)
			return HS_ERR_TIMEOUT;
	}
}

/* After "CONNECT...<S3>" the S4 that ends the frame is not data. */
static void eat_frame_end(struct hs_at *at, int64_t deadline)
{
	int wait = hs_remaining(deadline);

	if (!at->ended_s3)
		return;
	if (at->rpos == at->rlen) {
		if (fill(at, wait < V0_GRACE_MS ? wait : V0_GRACE_MS) <= 0)
			return;
	}
	if (at->rbuf[at->rpos] == at->s4)
		at->rpos++;
}

/* Read and drop what is waiting; URCs in it still go to the callback,
 * and a late final of a timed-out command pays its debt. */
static int drain(struct hs_at *at)
{
	struct txn t = { .mode = M_DRAIN, .r = &at->scratch };
	int rc;

	reply_reset(&at->scratch);
	rc = run(at, &t, 0);
	at->len = 0;
	at->pending = 0;
	at->skip_eol = 0;
	at->settle = 0;
	if (rc == HS_OK && at->online) {
		eat_frame_end(at, hs_deadline(V0_GRACE_MS));
		return hs_fail(HS_ERR_PROTOCOL,
			       "%s answered a call by itself (CONNECT) and is online; %s was not sent",
			       dev(at), at->cmd);
	}
	return rc;
}

static void apply_settings(struct hs_at *at, const struct hs_atp_settings *s)
{
	if (s->quiet >= 0)
		at->quiet = s->quiet;
	if (s->s3 > 0)
		at->s3 = s->s3;
	if (s->s4 > 0)
		at->s4 = s->s4;
	at->old_s3 = at->s3;
	at->old_s4 = at->s4;
}

/* Wait for the final result of what was sent (cmd, or "" for none). */
/* One more reply owed (a command timed out, or its reply overflowed). */
static void owe_one(struct hs_at *at)
{
	if (at->stale < STALE_MAX)
		at->stale++;
}

static int transact(struct hs_at *at, struct hs_at_reply *r, int64_t deadline,
		    int quiet, int owe, int timeout_ms)
{
	struct txn t = { .mode = M_FINAL, .r = r, .deadline = deadline, .quiet = quiet };
	int rc;

	at->garbage = 0;
	at->swallowed = 0;
	rc = run(at, &t, at->idle_ms);
	if (rc == HS_ERR_TIMEOUT) {
		/* Its final result may still come: owe it, unless this
		 * command swallowed one that was not shown (by coming before
		 * its echo) to be an older command's: then that was probably
		 * its own, and the older one's never came. */
		if (owe && !at->swallowed)
			owe_one(at);
		return hs_fail(HS_ERR_TIMEOUT,
			       "%s: no result code for %s within %d ms (is the modem on, at this speed, and not set Q1?)",
			       dev(at), at->cmd[0] ? at->cmd : "the wait", timeout_ms);
	}
	if (rc == HS_ERR_OVERFLOW && !at->swallowed)
		owe_one(at); /* the reply was real and its end is still coming */
	if (rc == HS_ERR_OVERFLOW || rc == HS_ERR_PROTOCOL)
		at->settle = 1;
	if (rc < 0)
		return rc;
	if (r->result == HS_AT_CONNECT) {
		eat_frame_end(at, deadline);
		at->online = 1;
	}
	return HS_OK;
}

/* ---- public ----------------------------------------------------------- */

int hs_at_open(struct hs_at **out, struct hs_link *link)
{
	struct hs_at *at;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_at_open: no place for the engine");
	*out = NULL;
	if (!link)
		return hs_fail(HS_ERR_ARG, "hs_at_open: no link");
	if (!(at = calloc(1, sizeof(*at))))
		return hs_fail(HS_ERR_NOMEM, "hs_at_open: out of memory");
	at->link = link;
	at->s3 = at->old_s3 = '\r';
	at->s4 = at->old_s4 = '\n';
	at->idle_ms = QUIET_IDLE_MS;
	at->map = hs_at_default_numeric(&at->nmap);
	*out = at;
	return HS_OK;
}

void hs_at_free(struct hs_at *at)
{
	free(at);
}

struct hs_link *hs_at_link(struct hs_at *at)
{
	return at ? at->link : NULL;
}

void hs_at_set_urc_handler(struct hs_at *at, hs_at_urc_fn fn, void *ctx)
{
	if (at)
		at->urc_fn = fn, at->urc_ctx = ctx;
}

void hs_at_set_urcs(struct hs_at *at, const char *const *prefixes)
{
	if (at)
		at->urcs = prefixes;
}

void hs_at_set_numeric_map(struct hs_at *at, const struct hs_at_numeric *map, size_t n)
{
	if (!at)
		return;
	if (map && n) {
		at->map = map;
		at->nmap = n;
	} else {
		at->map = hs_at_default_numeric(&at->nmap);
	}
}

int hs_at_set_line_chars(struct hs_at *at, int s3, int s4)
{
	if (!at || s3 <= 0 || s3 > 127 || s4 <= 0 || s4 > 127 || s3 == s4)
		return hs_fail(HS_ERR_ARG, "hs_at_set_line_chars: S3 and S4 must be distinct, 1..127");
	at->s3 = at->old_s3 = s3;
	at->s4 = at->old_s4 = s4;
	return HS_OK;
}

void hs_at_set_quiet(struct hs_at *at, int quiet, int idle_ms)
{
	if (!at)
		return;
	at->quiet = quiet != 0;
	at->idle_ms = idle_ms >= 0 ? idle_ms : QUIET_IDLE_MS;
}

int hs_at_quiet(const struct hs_at *at)
{
	return at ? at->quiet : 0;
}

static int check_cmd(struct hs_at *at, const char *cmd)
{
	size_t n;

	if (!cmd)
		return hs_fail(HS_ERR_ARG, "%s: no command", dev(at));
	n = strlen(cmd);
	if (n == 0 || n > HS_AT_COMMAND_MAX)
		return hs_fail(HS_ERR_ARG, "%s: a command must be 1..%d bytes", dev(at),
			       HS_AT_COMMAND_MAX);
	for (size_t i = 0; i < n; i++)
		if (!is_text((unsigned char)cmd[i]) || is_term(at, (unsigned char)cmd[i]))
			return hs_fail(HS_ERR_ARG,
				       "%s: command has a control or line-end character at %zu",
				       dev(at), i);
	if (at->online)
		return hs_fail(HS_ERR_ARG,
			       "%s is online (data mode): escape to command mode first", dev(at));
	return HS_OK;
}

int hs_at_command(struct hs_at *at, const char *cmd, struct hs_at_reply *reply,
		  int timeout_ms)
{
	struct hs_atp_settings s;
	char line[HS_AT_COMMAND_MAX + 2];
	int64_t deadline;
	size_t n, done;
	int rc, quiet;

	if (!at)
		return hs_fail(HS_ERR_ARG, "hs_at_command: no engine");
	if ((rc = check_cmd(at, cmd)) < 0)
		return rc;
	if (timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "%s: timeout %d ms is negative", dev(at), timeout_ms);
	if (!reply)
		reply = &at->scratch;
	deadline = hs_deadline(timeout_ms);
	snprintf(at->cmd, sizeof(at->cmd), "%s", cmd);
	if ((rc = drain(at)) < 0)
		return rc;
	reply_reset(reply);
	hs_atp_scan_settings(cmd, &s);
	quiet = s.quiet >= 0 ? s.quiet : at->quiet;
	/* The reply to ATS3=n already ends in the new S3: accept both. */
	if (s.s3 > 0)
		at->s3 = s.s3;
	if (s.s4 > 0)
		at->s4 = s.s4;
	n = strlen(cmd);
	memcpy(line, cmd, n);
	line[n++] = (char)at->old_s3;
	hs_atp_command_name(cmd, at->cmd_name, sizeof(at->cmd_name));
	at->echo_pending = 1;
	rc = hs_link_write(at->link, line, n, hs_remaining(deadline), &done);
	if (rc < 0) {
		at->s3 = at->old_s3, at->s4 = at->old_s4;
		return rc;
	}
	rc = transact(at, reply, deadline, quiet, 1, timeout_ms);
	if (rc == HS_OK && (reply->result == HS_AT_OK ||
			    (quiet && reply->result == HS_AT_NONE))) {
		apply_settings(at, &s);
	} else {
		at->s3 = at->old_s3;
		at->s4 = at->old_s4;
	}
	return rc;
}

int hs_at_simple(struct hs_at *at, const char *cmd, int timeout_ms)
{
	struct hs_at_reply *r;
	int rc;

	if (!at)
		return hs_fail(HS_ERR_ARG, "hs_at_simple: no engine");
	r = &at->scratch;
	if ((rc = hs_at_command(at, cmd, r, timeout_ms)) < 0)
		return rc;
	if (r->result == HS_AT_OK || r->result == HS_AT_NONE)
		return HS_OK;
	return hs_at_result_error(at, r, cmd);
}

int hs_at_send_raw(struct hs_at *at, const void *buf, size_t len, int timeout_ms)
{
	if (!at || (!buf && len))
		return hs_fail(HS_ERR_ARG, "hs_at_send_raw: no engine or no bytes");
	return hs_link_write(at->link, buf, len, timeout_ms, NULL);
}

int hs_at_wait_result(struct hs_at *at, struct hs_at_reply *reply, int timeout_ms)
{
	if (!at || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_at_wait_result: no engine or negative timeout");
	if (at->online)
		return hs_fail(HS_ERR_ARG, "%s is online (data mode)", dev(at));
	if (!reply)
		reply = &at->scratch;
	reply_reset(reply);
	at->cmd[0] = 0;
	at->cmd_name[0] = 0;
	at->echo_pending = 0;
	return transact(at, reply, hs_deadline(timeout_ms), 0, 0, timeout_ms);
}

int hs_at_poll(struct hs_at *at, int timeout_ms)
{
	struct txn t = { .mode = M_POLL };
	int rc;

	if (!at || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_at_poll: no engine or negative timeout");
	if (at->online)
		return hs_fail(HS_ERR_ARG, "%s is online (data mode)", dev(at));
	t.r = &at->scratch;
	t.deadline = hs_deadline(timeout_ms);
	reply_reset(t.r);
	at->cmd[0] = 0;
	at->cmd_name[0] = 0;
	at->garbage = 0;
	rc = run(at, &t, 0);
	if (rc == HS_OK && at->online)
		eat_frame_end(at, t.deadline);
	if (rc == HS_ERR_TIMEOUT)
		return hs_fail(HS_ERR_TIMEOUT, "%s: nothing unsolicited within %d ms",
			       dev(at), timeout_ms);
	return rc < 0 ? rc : t.urcs;
}

size_t hs_at_take_input(struct hs_at *at, void *buf, size_t len)
{
	size_t n;

	if (!at || !buf)
		return 0;
	n = at->rlen - at->rpos;
	if (n > len)
		n = len;
	memcpy(buf, at->rbuf + at->rpos, n);
	at->rpos += n;
	return n;
}

int hs_at_online(const struct hs_at *at)
{
	return at ? at->online : 0;
}

int hs_at_in_command(const struct hs_at *at)
{
	return at && !at->online && at->in_command;
}

void hs_at_set_online(struct hs_at *at, int online)
{
	if (!at)
		return;
	at->online = online != 0;
	if (online)
		at->in_command = 0;
	if (!online) {
		/* what was read as data is not a reply */
		at->rpos = at->rlen = 0;
		at->len = 0;
		at->pending = at->skip_eol = 0;
	}
}

int hs_at_result_error(struct hs_at *at, const struct hs_at_reply *r, const char *cmd)
{
	const char *d = at ? dev(at) : "modem";
	const char *what = cmd && cmd[0] ? cmd : "the command";

	if (!r)
		return hs_fail(HS_ERR_ARG, "hs_at_result_error: no reply");
	switch (r->result) {
	case HS_AT_OK:
	case HS_AT_CONNECT:
	case HS_AT_NONE:
		return HS_OK;
	case HS_AT_NO_CARRIER:
		return hs_fail(HS_ERR_NO_CARRIER, "%s: %s: NO CARRIER", d, what);
	case HS_AT_BUSY:
		return hs_fail(HS_ERR_LINE_BUSY, "%s: %s: BUSY (the line called is busy)", d, what);
	case HS_AT_NO_DIALTONE:
		return hs_fail(HS_ERR_NO_DIALTONE,
			       "%s: %s: NO DIALTONE (is the phone line plugged in?)", d, what);
	case HS_AT_NO_ANSWER:
		return hs_fail(HS_ERR_NO_ANSWER, "%s: %s: NO ANSWER", d, what);
	case HS_AT_CME_ERROR:
	case HS_AT_CMS_ERROR:
	case HS_AT_ERROR:
		return hs_fail(HS_ERR_REJECTED, "%s: the modem answered %s to %s", d,
			       r->final[0] ? r->final : "ERROR", what);
	default:
		return hs_fail(HS_ERR_PROTOCOL, "%s: %s: unexpected %s", d, what,
			       hs_at_result_name(r->result));
	}
}

int hs_at_reply_line(const struct hs_at_reply *r, int i, char *buf, size_t cap)
{
	const char *p, *end;

	if (!r || !buf || cap == 0 || i < 0 || i >= r->nlines)
		return -1;
	p = r->text;
	while (i-- > 0)
		p = strchr(p, '\n') + 1;
	end = strchr(p, '\n');
	size_t n = (size_t)(end - p);
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return (int)n;
}
