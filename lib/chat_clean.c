/*
 * chat_clean.c - chat(8)'s escape processing. Expect strings and send
 * strings share the escapes; \c, \d, \p, \K, \N, \T and \U mean
 * something only when sending, and a send string ends in \r unless it
 * ends in \c. Beside the bytes, the text chat itself would make of the
 * string, for logs that read as chat's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chat_priv.h"

#define ACTION 0xff

struct out {
	struct hs_clean *c;
	int sending;
	int full;
	int shown_ended;  /* chat's text ended at a NUL */
};

/* Text as chat's clean() writes it (see hs_clean.shown). */
static void show(struct out *o, unsigned char b)
{
	if (o->shown_ended || o->c->shown_len + 1 >= sizeof(o->c->shown))
		return;
	if (b == 0) {
		o->shown_ended = 1;
		return;
	}
	o->c->shown[o->c->shown_len++] = (char)b;
	o->c->shown[o->c->shown_len] = 0;
}

/* A sent escape chat keeps as itself: "\d" in the text. */
static void show_escaped(struct out *o, unsigned char b)
{
	show(o, '\\');
	show(o, b);
}

static void put_raw(struct out *o, unsigned char b)
{
	if (o->c->len >= HS_CHAT_STR_MAX) {
		o->full = 1;
		return;
	}
	o->c->out[o->c->len++] = b;
}

static void put_action(struct out *o, unsigned char what)
{
	put_raw(o, ACTION);
	put_raw(o, what);
}

/* A byte to send or expect, unshown. When sending, a 0xff byte is data
 * however it came (typed, octal, \T, $VAR): doubled, so the runner
 * never takes it and the byte after it for an action. */
static void put_only(struct out *o, unsigned char b)
{
	if (b == ACTION && o->sending)
		put_action(o, ACTION);
	else
		put_raw(o, b);
}

/* The same, shown as itself. */
static void put(struct out *o, unsigned char b)
{
	put_only(o, b);
	show(o, b);
}

static void put_str(struct out *o, const char *s)
{
	while (*s)
		put(o, (unsigned char)*s++);
}

int hs_chat_clean(const char *s, int sending, const struct hs_chat_opts *opts,
		  struct hs_clean *c)
{
	struct out o = { .c = c, .sending = sending };

	memset(c, 0, sizeof(*c));
	c->add_return = sending;
	c->shown[0] = 0;
	while (*s) {
		unsigned char ch = (unsigned char)*s++;

		if (ch == '^') {
			/* ^X is control-X; a lone trailing ^ is itself. */
			if (!*s) {
				put(&o, '^');
				break;
			}
			ch = (unsigned char)(*s++ & 0x1f);
			if (ch)
				put(&o, ch);
			continue;
		}
		if (ch == '$' && opts && opts->use_env) {
			char name[128];
			size_t n = 0;
			while ((isalnum((unsigned char)*s) || *s == '_') && n < sizeof(name) - 1)
				name[n++] = *s++;
			name[n] = 0;
			const char *v = getenv(name);
			if (v)
				put_str(&o, v);
			continue;
		}
		if (ch != '\\') {
			put(&o, ch);
			continue;
		}
		ch = (unsigned char)*s++;
		switch (ch) {
		case 0:
			/* A trailing backslash: sent as itself (shown doubled),
			 * dropped from an expect string, as chat does. */
			if (sending) {
				put_only(&o, '\\');
				show_escaped(&o, '\\');
			}
			s--;
			break;
		case 'b': put(&o, '\b'); break;
		case 'r': put(&o, '\r'); break;
		case 'n': put(&o, '\n'); break;
		case 's': put(&o, ' '); break;
		case 't': put(&o, '\t'); break;
		case '\\':
			put_only(&o, '\\');
			if (sending)
				show(&o, '\\');
			show(&o, '\\');
			break;
		case 'q': c->quiet = 1; break;
		case 'c':
			if (sending && !*s)
				c->add_return = 0;
			else
				put(&o, 'c');
			break;
		case 'd':
		case 'p':
		case 'K':
			if (sending) {
				put_action(&o, ch);
				show_escaped(&o, ch);
			} else {
				put(&o, ch);
			}
			break;
		case 'N':
			if (sending) {
				put_only(&o, 0);
				show_escaped(&o, 0);
			} else {
				put(&o, 'N');
			}
			break;
		case 'T':
		case 'U': {
			const char *num = opts ? (ch == 'T' ? opts->phone : opts->phone2) : NULL;
			if (sending && num) {
				put_str(&o, num);
			} else if (sending) {
				/* no number given: chat sends the letter */
				put_only(&o, ch);
				show_escaped(&o, ch);
			} else {
				put(&o, '\\');
				put(&o, ch);
			}
			break;
		}
		default:
			if (ch >= '0' && ch <= '7') {
				unsigned v = ch - '0';
				for (int i = 0; i < 2 && *s >= '0' && *s <= '7'; i++)
					v = v * 8 + (unsigned)(*s++ - '0');
				/* chat drops \0 from expect strings: it could never match. */
				if ((v & 0xff) || sending) {
					put_only(&o, (unsigned char)v);
					if (sending && ((v & 0xff) == '\\' || !(v & 0xff)))
						show(&o, '\\');
					show(&o, (unsigned char)v);
				}
			} else {
				/* an escape chat does not know: the letter, shown
				 * escaped when sent */
				put_only(&o, ch);
				if (sending)
					show(&o, '\\');
				show(&o, ch);
			}
		}
	}
	if (c->add_return)
		show(&o, '\r');
	return o.full ? -1 : 0;
}
