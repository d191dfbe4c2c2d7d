/*
 * chat_run.c - running a chat script on a link, with chat(8)'s semantics:
 * bytes are read one at a time so nothing after the last expected string
 * is taken from the program that uses the line next (pppd); each expect
 * checks its string, then the ABORT strings, after every byte; REPORT
 * strings fire once and capture the rest of their line.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_priv.h"
#include "clock.h"
#include "fail.h"

#define DEFAULT_TIMEOUT_S 45
#define MAX_STRINGS 50
#define BREAK_MS 250

struct run {
	struct hs_link *link;
	const struct hs_chat_opts *o;
	int timeout_s;
	int echo;
	char *aborts[MAX_STRINGS];
	int n_aborts;
	char *reports[MAX_STRINGS];
	int n_reports;
	char report[256];     /* the REPORT line being gathered */
	int gathering;
	/* the latest bytes received, NUL-free: never fewer than the longest
	 * string there is to match, HS_CHAT_STR_MAX */
	char seen[2 * HS_CHAT_STR_MAX];
	size_t n_seen;
	/* received text not logged yet: chat -v logs it a line (or 80
	 * bytes) at a time */
	unsigned char text[80];
	size_t n_text;
};

/* chat -v's "visible" text (its %v): the top bit as M-, control
 * characters as ^X, a tab as itself. */
static size_t visible(char *out, size_t cap, const unsigned char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned c = s[i];
		if (c & 0x80) {
			out[o++] = 'M';
			out[o++] = '-';
			c &= 0x7f;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			out[o++] = '^';
			out[o++] = (char)(c ^ 0x40);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
	return o;
}

/* "WHAT (TEXT)" as chat -v logs it; a \q string as "??????". */
static void logf_visible(struct run *r, const char *what, const char *s, size_t n, int quiet)
{
	char line[HS_CHAT_STR_MAX * 4 + 64];
	size_t o;

	if (!r->o || !r->o->log)
		return;
	o = (size_t)snprintf(line, sizeof(line), "%s (", what);
	if (quiet)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "??????");
	else
		o += visible(line + o, sizeof(line) - o - 2, (const unsigned char *)s, n);
	snprintf(line + o, sizeof(line) - o, ")");
	r->o->log(r->o->ctx, line);
}

static void logs(struct run *r, const char *text)
{
	if (r->o && r->o->log)
		r->o->log(r->o->ctx, text);
}

/* The received text gathered so far, as one log line. */
static void log_text(struct run *r)
{
	char line[sizeof(r->text) * 4 + 1];

	visible(line, sizeof(line), r->text, r->n_text);
	logs(r, line);
	r->n_text = 0;
}

/* A received byte into the log: a line at its \n (which is not
 * logged; an empty line too), or 80 bytes without one. */
static void text_byte(struct run *r, unsigned char b)
{
	if (b == '\n') {
		log_text(r);
		return;
	}
	r->text[r->n_text++] = b;
	if (r->n_text == sizeof(r->text))
		log_text(r);
}

/* The rest of the text, then how the expect ended. */
static void text_end(struct run *r, const char *how)
{
	if (r->n_text)
		log_text(r);
	logs(r, how);
}

/* A deadline timeout_s seconds away, in 64 bits: chat takes any TIMEOUT
 * that fits an int (its alarm()), and int milliseconds end at 24 days. */
static int64_t deadline_s(int timeout_s)
{
	return hs_now_ms() + (int64_t)timeout_s * 1000;
}

/* TIMEOUT's argument as chat reads it: the leading number (atoi), and
 * chat's default when that is not positive. Past INT_MAX, INT_MAX. */
static int timeout_arg(const char *s)
{
	long long v = strtoll(s, NULL, 10);

	if (v <= 0)
		return DEFAULT_TIMEOUT_S;
	return v > INT_MAX ? INT_MAX : (int)v;
}

static int ends_with(const struct run *r, const char *s)
{
	size_t n = strlen(s);
	return n && r->n_seen >= n && memcmp(r->seen + r->n_seen - n, s, n) == 0;
}

static void take_byte(struct run *r, char c)
{
	if (r->n_seen == sizeof(r->seen)) {
		/* Keep the newest HS_CHAT_STR_MAX bytes: as long as any
		 * string we match. */
		memmove(r->seen, r->seen + r->n_seen - HS_CHAT_STR_MAX, HS_CHAT_STR_MAX);
		r->n_seen = HS_CHAT_STR_MAX;
	}
	r->seen[r->n_seen++] = c;
}

static void gather_report(struct run *r, char c)
{
	if (!r->gathering) {
		for (int i = 0; i < r->n_reports; i++) {
			if (!ends_with(r, r->reports[i]))
				continue;
			snprintf(r->report, sizeof(r->report), "%s", r->reports[i]);
			/* A REPORT string fires once, as in chat. */
			free(r->reports[i]);
			memmove(&r->reports[i], &r->reports[i + 1],
				sizeof(char *) * (size_t)(r->n_reports - i - 1));
			r->n_reports--;
			r->gathering = 1;
			return;
		}
		return;
	}
	if (!iscntrl((unsigned char)c)) {
		size_t n = strlen(r->report);
		if (n + 1 < sizeof(r->report)) {
			r->report[n] = c;
			r->report[n + 1] = 0;
		}
		return;
	}
	r->gathering = 0;
	if (r->o && r->o->report)
		r->o->report(r->o->ctx, r->report);
}

/* Wait for s (cleaned); returns an hs_chat_status. */
static int expect_one(struct run *r, const char *raw)
{
	struct hs_clean c;
	int64_t deadline;

	if (hs_chat_clean(raw, 0, r->o, &c) < 0) {
		/* chat's own limit and exit code */
		hs_fail(HS_ERR_ARG, "chat: expect string longer than %d bytes: %.40s...",
			HS_CHAT_STR_MAX, raw);
		return HS_CHAT_BAD_SCRIPT;
	}
	c.out[c.len] = 0;
	logf_visible(r, "expect", c.shown, c.shown_len, c.quiet);
	if (c.len == 0) {
		logs(r, "got it");
		return HS_CHAT_OK;
	}
	deadline = deadline_s(r->timeout_s);
	r->n_text = 0;
	for (;;) {
		unsigned char b;
		int rc = hs_link_read(r->link, &b, 1, hs_remaining(deadline));
		if (rc == HS_ERR_TIMEOUT) {
			hs_fail(HS_ERR_TIMEOUT, "chat: %s: '%s' did not arrive within %d s",
				hs_link_info(r->link)->path, (char *)c.out, r->timeout_s);
			/* chat logs no partial line then, only its alarm */
			logs(r, "alarm");
			return HS_CHAT_TIMEOUT;
		}
		if (rc < 0)
			return HS_CHAT_IO;
		b &= 0x7f;
		if (r->echo && r->o && r->o->echo)
			r->o->echo(r->o->ctx, (const char *)&b, 1);
		if (r->o && r->o->received)
			r->o->received(r->o->ctx, (const char *)&b, 1);
		text_byte(r, b);
		if (b == 0)
			continue; /* a NUL can match nothing and would end strings */
		take_byte(r, (char)b);
		gather_report(r, (char)b);
		if (ends_with(r, (char *)c.out)) {
			/* chat's own words, newline included */
			text_end(r, " -- got it\n");
			return HS_CHAT_OK;
		}
		for (int i = 0; i < r->n_aborts; i++) {
			if (ends_with(r, r->aborts[i])) {
				hs_fail(HS_ERR_ARG, "chat: %s: aborted on '%s'",
					hs_link_info(r->link)->path, r->aborts[i]);
				text_end(r, " -- failed");
				return HS_CHAT_ABORT + i;
			}
		}
	}
}

static int send_string(struct run *r, const char *raw)
{
	struct hs_clean c;
	int64_t deadline = deadline_s(r->timeout_s);
	size_t start = 0;

	if (strcmp(raw, "EOT") == 0)
		raw = "^D\\c";
	else if (strcmp(raw, "BREAK") == 0)
		raw = "\\K\\c";
	if (hs_chat_clean(raw, 1, r->o, &c) < 0) {
		hs_fail(HS_ERR_ARG, "chat: send string longer than %d bytes: %.40s...",
			HS_CHAT_STR_MAX, raw);
		return HS_CHAT_BAD_SCRIPT;
	}
	if (c.add_return)
		c.out[c.len++] = '\r';
	logf_visible(r, "send", c.shown, c.shown_len, c.quiet);
	for (size_t i = 0; i <= c.len; i++) {
		int rc;
		if (i < c.len && c.out[i] != 0xff)
			continue;
		rc = hs_link_write(r->link, c.out + start, i - start,
				   hs_remaining(deadline), NULL);
		if (rc < 0)
			return rc == HS_ERR_TIMEOUT || rc == HS_ERR_STALL ? HS_CHAT_TIMEOUT
									  : HS_CHAT_IO;
		if (i == c.len)
			break;
		switch (c.out[++i]) {
		case 'd':
			hs_nap(1000, hs_deadline(1000));
			break;
		case 'p':
			hs_nap(100, hs_deadline(100));
			break;
		case 'K':
			/* A port without break (a pty) just goes on, as chat does. */
			hs_link_send_break(r->link, BREAK_MS);
			break;
		default: /* 0xff 0xff: a literal 0xff byte */
			start = i;
			continue;
		}
		start = i + 1;
	}
	return HS_CHAT_OK;
}

/* ABORT "BUSY" and friends: returns an hs_chat_status. */
static int add_string(struct run *r, char **list, int *n, const char *raw,
		      const char *what)
{
	struct hs_clean c;

	if (*n >= MAX_STRINGS || hs_chat_clean(raw, 0, r->o, &c) < 0 || c.len == 0) {
		hs_fail(HS_ERR_ARG, "chat: too many, empty or too long %s strings ('%s')",
			what, raw);
		return HS_CHAT_BAD_SCRIPT;
	}
	c.out[c.len] = 0;
	if (!(list[*n] = strdup((char *)c.out))) {
		hs_fail(HS_ERR_NOMEM, "chat: out of memory");
		return HS_CHAT_IO;
	}
	(*n)++;
	logf_visible(r, list == r->aborts ? "abort on" : "report", c.shown, c.shown_len, 0);
	return HS_CHAT_OK;
}

static void clear_string(struct run *r, char **list, int *n, const char *raw)
{
	struct hs_clean c;

	if (hs_chat_clean(raw, 0, r->o, &c) < 0)
		return;
	c.out[c.len] = 0;
	for (int i = 0; i < *n; i++) {
		if (strcmp(list[i], (char *)c.out) != 0)
			continue;
		free(list[i]);
		memmove(&list[i], &list[i + 1], sizeof(char *) * (size_t)(*n - i - 1));
		(*n)--;
		i--;
		logf_visible(r, list == r->aborts ? "clear abort on" : "clear report",
			     c.shown, c.shown_len, 0);
	}
}

/* expect[-send-expect...]: split on '-' not preceded by a backslash. */
static int expect_word(struct run *r, const char *word)
{
	/* a copy to cut up: the word may be any length before cleaning */
	char *buf = strdup(word), *p = buf;
	char *parts[64];
	int n = 0, rc = HS_CHAT_TIMEOUT;

	if (!buf) {
		hs_fail(HS_ERR_NOMEM, "chat: out of memory");
		return HS_CHAT_IO;
	}
	if (!*word) {
		/* '': expect nothing, and chat logs nothing of it */
		free(buf);
		return HS_CHAT_OK;
	}
	parts[n++] = p;
	for (; *p && n < 64; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '-') {
			*p = 0;
			parts[n++] = p + 1;
		}
	}
	for (int i = 0; i < n; i += 2) {
		rc = expect_one(r, parts[i]);
		if (rc != HS_CHAT_TIMEOUT || i + 1 >= n)
			break;
		if ((rc = send_string(r, parts[i + 1])) != HS_CHAT_OK)
			break;
		rc = HS_CHAT_TIMEOUT;
	}
	free(buf);
	return rc;
}

static const char *const keywords[] = {
	"ABORT", "CLR_ABORT", "REPORT", "CLR_REPORT", "TIMEOUT", "ECHO",
	"HANGUP", "SAY", NULL,
};

static int keyword(struct run *r, const char *kw, const char *arg)
{
	struct hs_clean c;

	if (!strcmp(kw, "ABORT"))
		return add_string(r, r->aborts, &r->n_aborts, arg, "ABORT");
	if (!strcmp(kw, "REPORT"))
		return add_string(r, r->reports, &r->n_reports, arg, "REPORT");
	if (!strcmp(kw, "CLR_ABORT"))
		clear_string(r, r->aborts, &r->n_aborts, arg);
	else if (!strcmp(kw, "CLR_REPORT"))
		clear_string(r, r->reports, &r->n_reports, arg);
	else if (!strcmp(kw, "TIMEOUT")) {
		char line[64];
		r->timeout_s = timeout_arg(arg);
		snprintf(line, sizeof(line), "timeout set to %d seconds", r->timeout_s);
		logs(r, line);
	} else if (!strcmp(kw, "ECHO")) {
		r->echo = strcmp(arg, "ON") == 0;
	} else if (!strcmp(kw, "SAY")) {
		/* chat cleans it as a send string and prints that text: its
		 * \r included, unless it ends in \c */
		if (hs_chat_clean(arg, 1, r->o, &c) == 0 && r->o && r->o->say)
			r->o->say(r->o->ctx, c.shown);
	}
	/* HANGUP ON/OFF is about SIGHUP in chat; our reads already end with
	 * an unplugged error on hang-up, so it changes nothing here. */
	return HS_CHAT_OK;
}

/* A REPORT line still being gathered when the script ends: read the rest
 * of it (up to a control character, 1 s a byte, as chat does) and stop
 * there, leaving what follows on the line. */
static void finish_report(struct run *r)
{
	unsigned char b;

	while (r->gathering && hs_link_read(r->link, &b, 1, 1000) == 1)
		gather_report(r, (char)(b & 0x7f));
	if (r->gathering && r->o && r->o->report)
		r->o->report(r->o->ctx, r->report);
}

static int is_keyword(const char *w)
{
	for (int i = 0; keywords[i]; i++)
		if (strcmp(w, keywords[i]) == 0)
			return 1;
	return 0;
}

int hs_chat_run(struct hs_chat *chat, struct hs_link *link,
		const struct hs_chat_opts *opts)
{
	struct run r = { .link = link, .o = opts };
	int rc = HS_CHAT_OK, expecting = 1;

	if (!chat || !link) {
		hs_fail(HS_ERR_ARG, "hs_chat_run: no script or no link");
		return HS_CHAT_BAD_SCRIPT;
	}
	r.timeout_s = opts && opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S;
	r.echo = opts && opts->echo_on;
	for (int i = 0; i < chat->n && rc == HS_CHAT_OK; i++) {
		const char *w = chat->words[i];
		if (expecting && is_keyword(w)) {
			if (i + 1 >= chat->n) {
				hs_fail(HS_ERR_ARG, "chat: %s needs an argument", w);
				rc = HS_CHAT_BAD_SCRIPT;
				break;
			}
			rc = keyword(&r, w, chat->words[++i]);
			continue;
		}
		rc = expecting ? expect_word(&r, w) : send_string(&r, w);
		expecting = !expecting;
	}
	finish_report(&r);
	if (rc >= HS_CHAT_ABORT && opts && opts->log) {
		char line[300];
		snprintf(line, sizeof(line), "Failed (%s)", r.aborts[rc - HS_CHAT_ABORT]);
		opts->log(opts->ctx, line);
	} else if (rc == HS_CHAT_TIMEOUT) {
		logs(&r, "Failed");
	}
	for (int i = 0; i < r.n_aborts; i++)
		free(r.aborts[i]);
	for (int i = 0; i < r.n_reports; i++)
		free(r.reports[i]);
	return rc;
}
