/*
 * hsdial_term.c - hsdial as a terminal, for a person at a tty: a call
 * (or a console port: a line with no call) with stdin in raw mode, so
 * keys go out as typed (Enter is CR) and the far end's echo is the only
 * one; an escape key (C-a) and a command after it. The tty is given back
 * as found on every way out: the quit key, the carrier's loss, a failed
 * line, SIGTERM/SIGHUP/SIGINT (which end the loop, as in the bridge) and
 * exit() (atexit).
 *
 * Commands, after the escape key (as a control key or a plain letter):
 *   x quit (hanging up a call)     p hang up, stay in the terminal
 *   b send a break                 t, g toggle DTR, RTS
 *   v show the line and modem lines
 *   u, d baud up, down             f next flow control
 *   c local echo on/off            s send a file (--send-protocol)
 *   h, k this help                 the escape key again: send it
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hsdial_term.h"
#include "tool.h"

/* How long one write to the line may be held by flow control; a break. */
#define WRITE_MS 10000
#define BREAK_MS 250
#define HANGUP_MS 15000
/* How long a prompt waits for the person to type (and Enter). */
#define ASK_MS 300000


static struct termios saved;
static int raw_on;
static int at_bol = 1;  /* the terminal's cursor is at a line's start */

void hsd_term_restore(void)
{
	if (raw_on) {
		tcsetattr(0, TCSAFLUSH, &saved);
		raw_on = 0;
	}
}

/* Raw: no echo, no line editing, no signals from keys, no CR/LF
 * translation either way; 8 bits. */
static int make_raw(void)
{
	static int registered;
	struct termios t;

	if (tcgetattr(0, &saved) != 0)
		return -1;
	t = saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag = (t.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!registered) {
		atexit(hsd_term_restore);
		registered = 1;
	}
	if (tcsetattr(0, TCSAFLUSH, &t) != 0)
		return -1;
	raw_on = 1;
	return 0;
}

/* The line, through the modem while a call is up (so carrier loss is
 * seen), else the link itself. */
struct term {
	struct hs_modem *m;         /* NULL: a console port, or hung up */
	struct hs_link *link;
	const struct hsd_opts *o;
	struct hsd_bridge_result *r;
	int escaped;                /* the escape key was the last key */
	int echo;                   /* local echo */
	int dtr, rts;               /* as we set them */
	int quit;
};

/* "*** message ***" on its own line of the raw terminal. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s*** ", at_bol ? "" : "\r\n");
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(msg) - 8)
		n = (int)sizeof(msg) - 8;
	n += snprintf(msg + n, sizeof(msg) - (size_t)n, " ***\r\n");
	hsd_write_all(1, msg, (size_t)n);
	at_bol = 1;
}

/* What the line sends, or the local echo, to the terminal. */
static void show(const char *buf, size_t n)
{
	if (!n)
		return;
	hsd_write_all(1, buf, n);
	at_bol = buf[n - 1] == '\n';
}

static int line_write(struct term *t, const char *buf, size_t n)
{
	size_t done = 0;
	int rc = t->m ? hs_modem_write(t->m, buf, n, WRITE_MS, &done)
		      : hs_link_write(t->link, buf, n, WRITE_MS, &done);

	t->r->sent += done;
	return rc;
}

static const int rates[] = {
	300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600,
};

static void show_line(struct term *t)
{
	struct hs_line l;
	int s;

	if (hs_link_get_line(t->link, &l) < 0) {
		say("line: %s", hs_last_error());
		return;
	}
	say("%s: %d %d%c%d, flow %s", hs_link_info(t->link)->path, l.baud, l.bits,
	    "NOEMS"[l.parity], l.stop, hs_flow_name(l.flow));
	if ((s = hs_link_signals(t->link)) < 0)
		say("modem lines: %s", hs_last_error());
	else
		say("DTR=%d RTS=%d CTS=%d DSR=%d DCD=%d RI=%d", !!(s & HS_SIG_DTR),
		    !!(s & HS_SIG_RTS), !!(s & HS_SIG_CTS), !!(s & HS_SIG_DSR),
		    !!(s & HS_SIG_DCD), !!(s & HS_SIG_RI));
}

/* Baud up (dir 1) or down (-1) to the next standard rate. */
static void step_baud(struct term *t, int dir)
{
	struct hs_line l;
	int n = (int)(sizeof(rates) / sizeof(rates[0])), i;

	if (hs_link_get_line(t->link, &l) < 0) {
		say("baud: %s", hs_last_error());
		return;
	}
	for (i = 0; i < n && rates[i] <= l.baud; i++)
		;
	/* i: the first rate above; one below is at or under the current */
	i = dir > 0 ? i : (i >= 2 && rates[i - 1] == l.baud ? i - 2 : i - 1);
	if (i < 0 || i >= n) {
		say("baud: %d is the %s", l.baud, dir > 0 ? "highest" : "lowest");
		return;
	}
	l.baud = rates[i];
	if (hs_link_set_line(t->link, &l) < 0)
		say("baud: %s", hs_last_error());
	else
		say("baud: %d", l.baud);
}

static void next_flow(struct term *t)
{
	struct hs_line l;

	if (hs_link_get_line(t->link, &l) < 0) {
		say("flow: %s", hs_last_error());
		return;
	}
	l.flow = (enum hs_flow)((l.flow + 1) % (HS_FLOW_DTRDSR + 1));
	if (hs_link_set_line(t->link, &l) < 0)
		say("flow: %s", hs_last_error());
	else
		say("flow: %s", hs_flow_name(l.flow));
}

static void help(const struct term *t)
{
	static const char text[] =
		"  C-x  quit (hanging up a call)     C-p  hang up, stay here\r\n"
		"  C-b  send a break                 C-t  toggle DTR   C-g  toggle RTS\r\n"
		"  C-v  show the line and modem lines\r\n"
		"  C-u  baud up   C-d  baud down     C-f  next flow control\r\n"
		"  C-c  local echo on/off            C-s  send a file\r\n"
		"  C-h  this help                    the escape key again: send it\r\n";

	say("escape key C-%c, then:", t->o->escape + 'a' - 1);
	hsd_write_all(1, text, sizeof(text) - 1);
}

/* A line the person types at a prompt, echoed as typed: Enter takes it
 * (returns its length), BS/DEL erase, C-c, C-g, Esc or the escape key
 * give up (-1), as does ASK_MS without a key or a signal. The line is
 * not read meanwhile: what it sends waits in the port for the transfer. */
static int ask(struct term *t, const char *prompt, char *buf, size_t cap)
{
	size_t n = 0;
	char c;

	if (!at_bol)
		hsd_write_all(1, "\r\n", 2);
	hsd_write_all(1, "*** ", 4);
	hsd_write_all(1, prompt, strlen(prompt));
	at_bol = 0;
	for (;;) {
		struct pollfd p = { .fd = 0, .events = POLLIN };
		int rc = poll(&p, 1, ASK_MS);

		if (rc < 0 && errno == EINTR && !hsd_signal)
			continue;
		if (rc <= 0 || read(0, &c, 1) != 1)
			break;
		if (c == '\r' || c == '\n') {
			buf[n] = '\0';
			hsd_write_all(1, "\r\n", 2);
			at_bol = 1;
			return (int)n;
		}
		if (c == 0x7f || c == '\b') {
			if (n) {
				n--;
				hsd_write_all(1, "\b \b", 3);
			}
			continue;
		}
		if (c == 0x03 || c == 0x07 || c == 0x1b || c == t->o->escape)
			break;
		if ((unsigned char)c < 0x20 || n + 1 >= cap)
			continue;
		buf[n++] = c;
		hsd_write_all(1, &c, 1);
	}
	hsd_write_all(1, "\r\n", 2);
	at_bol = 1;
	return -1;
}

/* C-s: a file over the line with --send-protocol; the far end must be
 * receiving already (rb, rx, loady). */
static void send_file(struct term *t)
{
	char path[4096], prompt[64], name[64];
	struct hs_xfer_stats st;
	const char *proto = hs_xfer_protocol_name(t->o->send_protocol);

	snprintf(prompt, sizeof(prompt), "send with %s, file: ", proto);
	if (ask(t, prompt, path, sizeof(path)) <= 0) {
		say("no file sent");
		return;
	}
	hs_xfer_printable(path, name, sizeof(name));
	say("sending %s with %s", name, proto);
	if (hsd_send_file(t->link, t->o->send_protocol, path, &hsd_signal, &st) == HS_OK)
		say("%s: %llu bytes sent and confirmed by the receiver", name,
		    (unsigned long long)st.bytes);
	else
		say("%s: not sent: %s", name, hs_last_error());
}

/* The key after the escape key. */
static void command(struct term *t, char key)
{
	int c = key == t->o->escape ? key : key & 0x1f;
	int rc;

	if (c == t->o->escape) {
		if (line_write(t, &key, 1) < 0)
			say("%s", hs_last_error());
		return;
	}
	switch (c + '@') {
	case 'X':
		t->quit = 1;
		break;
	case 'P':
		if (!t->m) {
			say("no call to hang up");
			break;
		}
		say("hanging up");
		if ((rc = hs_modem_hangup(t->m, HANGUP_MS)) < 0) {
			say("hang-up failed: %s", hs_last_error());
			break;
		}
		t->m = NULL;
		t->r->on_hook = 1;
		say("hung up; the line stays open (C-%c C-x quits)", t->o->escape + 'a' - 1);
		break;
	case 'B':
		if (hs_link_send_break(t->link, BREAK_MS) < 0)
			say("break: %s", hs_last_error());
		else
			say("break sent");
		break;
	case 'T':
	case 'G': {
		int *on = c + '@' == 'T' ? &t->dtr : &t->rts;
		rc = c + '@' == 'T' ? hs_link_set_dtr(t->link, !*on) : hs_link_set_rts(t->link, !*on);
		if (rc < 0) {
			say("%s", hs_last_error());
			break;
		}
		*on = !*on;
		say("%s %s", c + '@' == 'T' ? "DTR" : "RTS", *on ? "up" : "down");
		break;
	}
	case 'V':
		show_line(t);
		break;
	case 'U':
	case 'D':
		step_baud(t, c + '@' == 'U' ? 1 : -1);
		break;
	case 'F':
		next_flow(t);
		break;
	case 'C':
		t->echo = !t->echo;
		say("local echo %s", t->echo ? "on" : "off");
		break;
	case 'S':
		send_file(t);
		break;
	case 'H':
	case 'K':
		help(t);
		break;
	default:
		say("C-%c: no such command (C-%c C-h: help)", (c & 0x1f) + 'a' - 1,
		    t->o->escape + 'a' - 1);
		break;
	}
}

/* Keys from the person: commands, or mapped and sent (and echoed).
 * Returns 0, or the error of a write to the line. */
static int keys(struct term *t, const char *buf, size_t n)
{
	char out[2 * 4096], one[2], echo[4];
	int rc;

	for (size_t i = 0; i < n && !t->quit; i++) {
		size_t m;
		if (t->escaped) {
			t->escaped = 0;
			command(t, buf[i]);
			continue;
		}
		if (buf[i] == t->o->escape) {
			t->escaped = 1;
			continue;
		}
		/* a run of plain keys goes out in one write */
		size_t j = i;
		while (j < n && buf[j] != t->o->escape)
			j++;
		m = hsd_map(t->o->omap, buf + i, j - i, out);
		if (m && (rc = line_write(t, out, m)) < 0)
			return rc;
		for (size_t k = i; t->echo && k < j; k++) {
			one[0] = buf[k];
			show(echo, hsd_map(t->o->emap, one, 1, echo));
		}
		i = j - 1;
	}
	return 0;
}

void hsd_term(struct hs_modem *m, struct hs_link *link, const struct hsd_opts *o,
	      struct hsd_bridge_result *r)
{
	struct term t = { .m = m, .link = link, .o = o, .r = r, .dtr = 1, .rts = 1 };
	char buf[4096], out[2 * sizeof(buf)], shown[sizeof(buf) + HS_XFER_AUTOSTART_HOLD];
	int link_fd = hs_link_fd(link);
	struct hsd_zmodem z;

	memset(r, 0, sizeof(*r));
	r->exec_status = -1;
	hsd_zmodem_init(&z, o);
	if (make_raw() < 0) {
		tool_warn("stdin is not a terminal I can set: %s", strerror(errno));
		r->end = HSD_END_ERROR;
		r->err = HS_ERR_IO;
		return;
	}
	say("terminal on %s: escape key C-%c, C-%c C-h for help",
	    hs_link_info(link)->path, o->escape + 'a' - 1, o->escape + 'a' - 1);
	while (!t.quit) {
		struct pollfd p[2] = {
			{ .fd = link_fd, .events = POLLIN },
			{ .fd = 0, .events = POLLIN },
		};
		/* no wakeups while nothing happens: the modem says how long
		 * it may sleep (DCD to look at, held bytes) */
		int rc = hsd_poll(p, 2, t.m ? hs_modem_wait_ms(t.m) : -1, r);

		if (rc == HSD_POLL_END)
			break;
		if (rc == HSD_POLL_AGAIN)
			continue;
		if (rc == 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			int start;
			size_t n;

			if ((rc = hsd_line_read(t.m, link, buf, sizeof(buf), r)) < 0)
				break;
			n = hsd_zmodem_scan(&z, buf, (size_t)rc, shown, &start);
			show(out, hsd_map(o->imap, shown, n, out));
			if (start) {
				hsd_term_restore();
				hsd_zmodem_receive(link, o);
				if (make_raw() < 0)
					break;
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* the terminal went away */
				r->end = HSD_END_EOF;
				break;
			}
			if ((rc = keys(&t, buf, (size_t)n)) < 0) {
				r->end = rc == HS_ERR_NO_CARRIER ? HSD_END_CARRIER : HSD_END_ERROR;
				r->err = rc;
				break;
			}
		}
	}
	if (t.quit)
		r->end = HSD_END_QUIT;
	if (r->end == HSD_END_CARRIER)
		say("the carrier was lost");
	hsd_term_restore();
}
