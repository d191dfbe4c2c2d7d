/*
 * modem.c — a Hayes-compatible modem on the device side of a port.
 *
 * Map: state and registers; output (split into pieces on request); result
 * codes; command-line parser (AT...);
 * dialing; connection and data mode with the guarded +++ escape; incoming
 * calls (RING, caller ID, S0 auto-answer); DTR handling (&D); model ops.
 *
 * Behaviour follows the Hayes/V.250 conventions most modems share; where
 * vendors differ (numeric codes above 12, NO ANSWER vs NO CARRIER) the
 * choice is noted. Everything runs on the main loop.
 */
#include "lab.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

enum mstate {
	M_COMMAND,     /* on hook, accepting AT commands */
	M_DIALING,     /* waiting for the dial outcome */
	M_ONLINE,      /* connected, data mode */
	M_ONLINE_CMD,  /* connected, command mode after +++ or &D1 */
};

enum result { RC_OK = 0, RC_CONNECT = 1, RC_RING = 2, RC_NO_CARRIER = 3,
              RC_ERROR = 4, RC_NO_DIALTONE = 6, RC_BUSY = 7, RC_NO_ANSWER = 8 };

static const char *const result_text[] = {
	[RC_OK] = "OK", [RC_CONNECT] = "CONNECT", [RC_RING] = "RING",
	[RC_NO_CARRIER] = "NO CARRIER", [RC_ERROR] = "ERROR",
	[RC_NO_DIALTONE] = "NO DIALTONE", [RC_BUSY] = "BUSY",
	[RC_NO_ANSWER] = "NO ANSWER",
};

/* Numeric CONNECT codes: 5/10/11/12 are Hayes standard; the higher ones
 * differ between vendors, these are the common Hayes/Rockwell ones. */
static const struct { long bps; int code; } connect_codes[] = {
	{ 1200, 5 }, { 2400, 10 }, { 4800, 11 }, { 9600, 12 }, { 7200, 13 },
	{ 12000, 14 }, { 14400, 15 }, { 19200, 16 }, { 38400, 17 },
	{ 57600, 18 }, { 115200, 19 }, { 300, 1 },
};

#define NREG 40

struct modem {
	struct lab_port *p;
	enum mstate st;
	int S[NREG];               /* S-registers */
	int sreg;                  /* register selected by ATSn */
	bool echo, verbose, quiet, cid;
	int x;                     /* ATX level: 0 = no BUSY/DIALTONE/speed */
	int amp_c, amp_d;          /* &C and &D */
	GString *line;             /* command line being received */
	GByteArray *echo_buf;      /* echo not yet sent: one tx per chunk */
	bool saw_a;                /* got 'A', waiting for 'T' or '/' */
	char last[256];            /* previous command line, for A/ */
	/* call */
	struct lab_farconn *far;
	const struct lab_far *dialed;
	guint dial_timer;
	bool dial_semicolon;
	/* +++ escape */
	gint64 last_rx;            /* µs of the last byte from the host */
	gint64 last_plus;          /* µs of the last escape char */
	int esc_count;
	guint esc_timer;
	/* incoming call */
	int ring_call;             /* index of the call ringing, -1 = none */
	guint ring_timer, ri_timer;
	guint ring_sched[LAB_MAX_RINGS];
	/* --split-results: responses cut into pieces sent apart */
	GRand *split;              /* where to cut, how long to wait */
	GQueue *outq;              /* struct piece not sent yet, in order */
	guint out_timer;           /* sends the head; runs while outq has any */
};

/* Output waiting its turn behind a split response. */
struct piece {
	guint gap_ms;              /* silence before it */
	gsize len;
	uint8_t data[];
};

static struct modem *M(struct lab_port *p) { return p->model; }
static const char *dev(struct modem *m) { return m->p->cfg->name; }

static void set_defaults(struct modem *m)
{
	memset(m->S, 0, sizeof(m->S));
	m->S[0] = 0;    /* rings before auto-answer, 0 = off */
	m->S[2] = '+';  /* escape character */
	m->S[3] = '\r'; /* command line end */
	m->S[4] = '\n'; /* response line feed */
	m->S[5] = 8;    /* backspace */
	m->S[6] = 2;    /* wait for dial tone, s */
	m->S[7] = 50;   /* wait for carrier, s */
	m->S[8] = 2;    /* comma pause, s */
	m->S[10] = 14;  /* carrier loss delay, 1/10 s */
	m->S[12] = 50;  /* escape guard time, 1/50 s */
	m->echo = true, m->verbose = true, m->quiet = false, m->cid = true;
	m->x = 4;
	/* &C1 &D2: the factory profile of most modems sold since the 90s */
	m->amp_c = 1, m->amp_d = 2;
}

/* ---- output ----------------------------------------------------------- */

static gboolean out_next(gpointer data)
{
	struct modem *m = data;
	struct piece *pc = g_queue_pop_head(m->outq);

	m->out_timer = 0;
	lab_port_send(m->p, pc->data, pc->len);
	g_free(pc);
	if ((pc = g_queue_peek_head(m->outq)))
		m->out_timer = g_timeout_add(pc->gap_ms, out_next, m);
	return G_SOURCE_REMOVE;
}

/* Send n bytes now, or after what is still queued; with cut (and
 * --split-results) in pieces cut at random points, 1..GAP_MS ms apart,
 * as an emulator that writes "\r\n", "NO CARRIER", "\r\n" does. */
static void out(struct modem *m, const void *buf, size_t n, bool cut)
{
	const uint8_t *b = buf;

	for (size_t i = 0, len; i < n; i += len) {
		struct piece *pc;
		guint gap = 0;

		len = n - i;
		if (m->split && cut) {
			/* a cut after each byte with probability 1/3 */
			for (len = 1; i + len < n && g_rand_int_range(m->split, 0, 3); len++)
				;
			if (i > 0)
				gap = (guint)g_rand_int_range(m->split, 1,
				                              m->p->cfg->split_gap_ms + 1);
		}
		if (gap == 0 && g_queue_is_empty(m->outq)) {
			lab_port_send(m->p, b + i, len);
			continue;
		}
		pc = g_malloc(sizeof(*pc) + len);
		pc->gap_ms = gap;
		pc->len = len;
		memcpy(pc->data, b + i, len);
		g_queue_push_tail(m->outq, pc);
		if (!m->out_timer)
			m->out_timer = g_timeout_add(gap, out_next, m);
	}
}

/* Everything the modem says goes through here, so pending echo is always
 * sent before the response it precedes. */
static void msend(struct modem *m, const void *buf, size_t n)
{
	if (m->echo_buf->len) {
		out(m, m->echo_buf->data, m->echo_buf->len, false);
		g_byte_array_set_size(m->echo_buf, 0);
	}
	out(m, buf, n, true);
}

static void msends(struct modem *m, const char *s)
{
	msend(m, s, strlen(s));
}

/* Send "S3 S4 text S3 S4" (verbose) in one write, so the transcript shows
 * one tx event per response. */
static void framed(struct modem *m, const char *text, bool lead)
{
	GString *s = g_string_new(NULL);

	if (lead) {
		g_string_append_c(s, (char)m->S[3]);
		g_string_append_c(s, (char)m->S[4]);
	}
	g_string_append(s, text);
	g_string_append_c(s, (char)m->S[3]);
	g_string_append_c(s, (char)m->S[4]);
	msend(m, s->str, s->len);
	g_string_free(s, TRUE);
}

static void result_speed(struct modem *m, enum result r, long speed)
{
	char buf[64];

	if (m->quiet)
		return;
	if (m->x == 0 && (r == RC_BUSY || r == RC_NO_DIALTONE || r == RC_NO_ANSWER))
		r = RC_NO_CARRIER;   /* X0 reports only the basic codes */
	if (m->x == 0)
		speed = 0;
	if (m->verbose) {
		if (r == RC_CONNECT && speed)
			g_snprintf(buf, sizeof(buf), "CONNECT %ld", speed);
		else
			g_strlcpy(buf, result_text[r], sizeof(buf));
		framed(m, buf, true);
	} else {
		/* numeric: the code and S3, nothing else */
		int code = (int)r;
		for (size_t i = 0; speed && r == RC_CONNECT &&
		     i < G_N_ELEMENTS(connect_codes); i++)
			if (connect_codes[i].bps == speed)
				code = connect_codes[i].code;
		g_snprintf(buf, sizeof(buf), "%d%c", code, (char)m->S[3]);
		msends(m, buf);
	}
}

static void result(struct modem *m, enum result r)
{
	result_speed(m, r, 0);
}

/* information text (ATI, ATSn?): framed like a verbose result; in V0 the
 * leading line end is left out */
static void info(struct modem *m, const char *text)
{
	framed(m, text, m->verbose);
}

/* ---- call state ------------------------------------------------------- */

static void set_state(struct modem *m, enum mstate st, const char *what)
{
	m->st = st;
	transcript_event(dev(m), "state", "%s", what);
}

static void carrier(struct modem *m, bool on)
{
	/* &C0: DCD always on; &C1: DCD follows the carrier */
	lab_port_set_lines(m->p, TIOCM_CD, m->amp_c == 0 ? true : on);
}

static void esc_reset(struct modem *m)
{
	if (m->esc_timer)
		g_source_remove(m->esc_timer);
	m->esc_timer = 0;
	m->esc_count = 0;
}

static void stop_ringing(struct modem *m)
{
	if (m->ring_timer)
		g_source_remove(m->ring_timer);
	if (m->ri_timer)
		g_source_remove(m->ri_timer);
	m->ring_timer = m->ri_timer = 0;
	if (m->ring_call >= 0)
		lab_port_set_lines(m->p, TIOCM_RI, false);
	m->ring_call = -1;
	m->S[1] = 0;
}

/* Go on hook. The result code, if any, is the caller's business. */
static void hangup(struct modem *m, const char *why)
{
	if (m->dial_timer)
		g_source_remove(m->dial_timer);
	m->dial_timer = 0;
	farend_close(m->far);
	m->far = NULL;
	esc_reset(m);
	stop_ringing(m);
	carrier(m, false);
	set_state(m, M_COMMAND, why);
}

static void far_data(void *mm, const uint8_t *buf, size_t n)
{
	struct modem *m = mm;

	/* in online-command mode a real modem holds or drops remote data;
	 * this one drops it (documented); data is never split */
	if (m->st == M_ONLINE)
		out(m, buf, n, false);
}

static void far_drop(void *mm)
{
	struct modem *m = mm;

	hangup(m, "NO-CARRIER remote");
	result(m, RC_NO_CARRIER);
}

static void connect_to(struct modem *m, const struct lab_far *f)
{
	GError *err = NULL;
	char what[64];

	m->far = farend_open(f, dev(m), far_data, far_drop, m, &err);
	if (!m->far) {
		transcript_event(dev(m), "state", "NO-CARRIER %s", err->message);
		g_error_free(err);
		hangup(m, "COMMAND");
		result(m, RC_NO_CARRIER);
		return;
	}
	carrier(m, true);
	g_snprintf(what, sizeof(what), "CONNECT %ld", m->p->cfg->connect_speed);
	set_state(m, M_ONLINE, what);
	m->last_rx = g_get_monotonic_time();
	result_speed(m, RC_CONNECT, m->p->cfg->connect_speed);
	faults_connected(m->p);
}

void modem_carrier_loss(struct lab_port *p)
{
	struct modem *m = M(p);

	if (p->ops != &lab_modem_ops || !m)
		return;
	if (m->st == M_ONLINE || m->st == M_ONLINE_CMD) {
		hangup(m, "NO-CARRIER fault");
		result(m, RC_NO_CARRIER);
	}
}

/* ---- dialing ---------------------------------------------------------- */

static const struct lab_far *lookup(struct modem *m, const char *number)
{
	struct lab_port_cfg *c = m->p->cfg;

	for (int i = 0; i < c->nfars; i++)
		if (!g_ascii_strcasecmp(c->fars[i].number, number))
			return &c->fars[i];
	return &c->default_far;
}

static gboolean dial_done(gpointer data)
{
	struct modem *m = data;
	const struct lab_far *f = m->dialed;

	m->dial_timer = 0;
	if (m->dial_semicolon) {
		/* ATD...; dials and stays in command mode */
		set_state(m, M_COMMAND, "COMMAND dialled");
		result(m, RC_OK);
		return G_SOURCE_REMOVE;
	}
	switch (f->kind) {
	case FAR_BUSY:
		hangup(m, "BUSY");
		result(m, RC_BUSY);
		break;
	case FAR_NODIALTONE:
		hangup(m, "NO-DIALTONE");
		result(m, RC_NO_DIALTONE);
		break;
	case FAR_NOANSWER:
		/* the far end rang out for S7 seconds: X4 modems say NO ANSWER
		 * (some only with @ and say NO CARRIER otherwise) */
		hangup(m, "NO-ANSWER");
		result(m, RC_NO_ANSWER);
		break;
	default:
		connect_to(m, f);
		break;
	}
	return G_SOURCE_REMOVE;
}

/* ATD: parse modifiers, then wait for the outcome like a real line would */
static void dial(struct modem *m, const char *s)
{
	char number[64] = "";
	size_t n = 0;
	double delay = 0.2;

	m->dial_semicolon = false;
	for (; *s; s++) {
		char c = (char)toupper((unsigned char)*s);
		if (isdigit((unsigned char)c) || strchr("*#ABCD", c)) {
			if (n < sizeof(number) - 1)
				number[n++] = c;
		} else if (c == ',') {
			delay += m->S[8];
		} else if (c == ';') {
			m->dial_semicolon = true;
			break;
		}
		/* T, P (tone/pulse), W (wait for tone), !, @, R, spaces,
		 * - ( ) change nothing for an emulated line */
	}
	number[n] = 0;
	stop_ringing(m); /* going off hook to dial ignores a ringing call */
	m->dialed = lookup(m, number);
	m->st = M_DIALING;
	transcript_event(dev(m), "state", "DIALING %s", number);
	if (m->dialed->kind == FAR_NODIALTONE && !m->dial_semicolon)
		delay = 0.1; /* no tone: fails before dialing (W or not) */
	else if (m->dialed->kind == FAR_NOANSWER && !m->dial_semicolon)
		delay += m->S[7];
	m->dial_timer = g_timeout_add((guint)(delay * 1000), dial_done, m);
}

/* ---- incoming calls --------------------------------------------------- */

static gboolean ri_off(gpointer data)
{
	struct modem *m = data;

	m->ri_timer = 0;
	lab_port_set_lines(m->p, TIOCM_RI, false);
	return G_SOURCE_REMOVE;
}

static void answer(struct modem *m)
{
	const struct lab_ring *r = &m->p->cfg->rings[m->ring_call];
	const struct lab_far *f = r->number[0] ? lookup(m, r->number)
	                                       : &m->p->cfg->default_far;
	static const struct lab_far loop = { .kind = FAR_LOOPBACK };

	stop_ringing(m);
	transcript_event(dev(m), "state", "ANSWER");
	/* a caller listed as busy etc. still is a caller: talk loopback */
	if (f->kind != FAR_LOOPBACK && f->kind != FAR_SCRIPT &&
	    f->kind != FAR_TCP)
		f = &loop;
	connect_to(m, f);
}

static gboolean ring_tick(gpointer data)
{
	struct modem *m = data;
	const struct lab_port_cfg *c = m->p->cfg;
	const struct lab_ring *r = &c->rings[m->ring_call];

	m->S[1]++;
	transcript_event(dev(m), "state", "RING %d", m->S[1]);
	lab_port_set_lines(m->p, TIOCM_RI, true);
	if (m->ri_timer)
		g_source_remove(m->ri_timer);
	m->ri_timer = g_timeout_add((guint)(c->ring_interval * 500), ri_off, m);
	result(m, RC_RING);
	if (m->S[1] == 1 && m->cid && (r->number[0] || r->name[0])) {
		/* caller ID (MDMF as modems print it) between 1st and 2nd ring,
		 * one block: "\r\nDATE = MMDD\r\nTIME = HHMM\r\nNMBR = ...
		 * \r\nNAME = ...\r\n" */
		time_t now = time(NULL);
		struct tm tm;
		GString *b = g_string_new(NULL);
		char eol[3] = { (char)m->S[3], (char)m->S[4], 0 };

		localtime_r(&now, &tm);
		g_string_append_printf(b, "%sDATE = %02d%02d%sTIME = %02d%02d%s",
		                       eol, tm.tm_mon + 1, tm.tm_mday, eol,
		                       tm.tm_hour, tm.tm_min, eol);
		if (r->number[0])
			g_string_append_printf(b, "NMBR = %s%s", r->number, eol);
		if (r->name[0])
			g_string_append_printf(b, "NAME = %s%s", r->name, eol);
		if (!m->quiet)
			msend(m, b->str, b->len);
		g_string_free(b, TRUE);
	}
	if (m->S[0] > 0 && m->S[1] >= m->S[0]) {
		m->ring_timer = 0;
		answer(m);
		return G_SOURCE_REMOVE;
	}
	if (m->S[1] >= c->ring_max) {
		m->ring_timer = 0;
		stop_ringing(m);
		transcript_event(dev(m), "state", "RING-END caller gave up");
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean ring_start(gpointer data)
{
	struct lab_port *p = data;
	struct modem *m = M(p);
	int i;

	for (i = 0; i < p->cfg->nrings; i++)
		if (m->ring_sched[i] &&
		    p->cfg->rings[i].at <= lab_now() + 0.001)
			break;
	if (i == p->cfg->nrings)
		return G_SOURCE_REMOVE;
	m->ring_sched[i] = 0;
	if (m->st != M_COMMAND || m->ring_call >= 0) {
		transcript_event(dev(m), "state", "RING-MISSED line busy");
		return G_SOURCE_REMOVE;
	}
	m->ring_call = i;
	m->S[1] = 0;
	ring_tick(m);
	if (m->ring_call >= 0 && m->st == M_COMMAND)
		m->ring_timer = g_timeout_add(
			(guint)(p->cfg->ring_interval * 1000), ring_tick, m);
	return G_SOURCE_REMOVE;
}

/* ---- command interpreter ---------------------------------------------- */

static int num(const char **s, int dflt)
{
	int v = 0;

	if (!isdigit((unsigned char)**s))
		return dflt;
	while (isdigit((unsigned char)**s))
		v = v * 10 + (*(*s)++ - '0');
	return v;
}

/* ATI: configured lines, or a default identification */
static void identify(struct modem *m)
{
	const struct lab_port_cfg *c = m->p->cfg;

	if (c->nati == 0) {
		info(m, "HSLAB Hayes-compatible modem");
		return;
	}
	for (int i = 0; i < c->nati; i++)
		framed(m, c->ati[i], i == 0 && m->verbose);
}

/* Extended (+ or #) commands: the few a landline modem knows. Returns
 * false for ERROR. *s is advanced past the command. */
static bool extended(struct modem *m, const char **s)
{
	char name[32];
	size_t n = 0;
	const char *arg;

	while (**s && (isalnum((unsigned char)**s) || **s == '+' ||
	               **s == '#') && n < sizeof(name) - 1) {
		name[n++] = (char)toupper((unsigned char)**s);
		(*s)++;
	}
	name[n] = 0;
	arg = *s;
	while (**s && **s != ';')
		(*s)++;
	if (**s == ';')
		(*s)++;
	if (!strcmp(name, "+VCID") || !strcmp(name, "#CID")) {
		if (*arg == '=') {
			m->cid = arg[1] != '0';
		} else if (*arg == '?') {
			info(m, m->cid ? "1" : "0");
		}
		return true;
	}
	if (!strcmp(name, "+GMI")) {
		info(m, m->p->cfg->manufacturer);
		return true;
	}
	if (!strcmp(name, "+GMM")) {
		info(m, m->p->cfg->product);
		return true;
	}
	if (!strcmp(name, "+FCLASS"))
		return *arg != '=' || arg[1] == '0';
	{
		/* +IPR, +ICF: the serial side (modem_dte.c) */
		char text[256];
		bool ok;
		if (modem_dte_command(m->p, name, arg, &ok, text, sizeof(text))) {
			if (text[0])
				info(m, text);
			return ok;
		}
	}
	return false;
}

/* Execute one command line (the text after AT). */
static void execute(struct modem *m, const char *s)
{
	bool ok = true;

	transcript_event(dev(m), "command", "\"AT%s\"", s);
	while (ok && *s) {
		char c = (char)toupper((unsigned char)*s++);
		int v;

		switch (c) {
		case ' ':
			break;
		case 'E': v = num(&s, 0); ok = v <= 1; m->echo = v; break;
		case 'V': v = num(&s, 0); ok = v <= 1; m->verbose = v; break;
		case 'Q': v = num(&s, 0); ok = v <= 1; m->quiet = v; break;
		case 'X': v = num(&s, 0); ok = v <= 4; m->x = v; break;
		case 'L': case 'M': case 'B': case 'N': case 'Y':
			num(&s, 0);
			break;
		case 'H':
			v = num(&s, 0);
			if (v == 0 && m->st != M_COMMAND)
				hangup(m, "COMMAND ATH");
			break;
		case 'Z':
			num(&s, 0);
			if (m->st != M_COMMAND)
				hangup(m, "COMMAND ATZ");
			set_defaults(m);
			carrier(m, false);
			modem_dte_restore(m->p);
			s += strlen(s);
			break;
		case 'I':
			num(&s, 0);
			identify(m);
			break;
		case 'O':
			num(&s, 0);
			if (m->st == M_ONLINE_CMD) {
				set_state(m, M_ONLINE, "ONLINE");
				m->last_rx = g_get_monotonic_time();
				result_speed(m, RC_CONNECT,
				             m->p->cfg->connect_speed);
			} else {
				result(m, RC_NO_CARRIER);
			}
			return;
		case 'A':
			if (m->ring_call >= 0) {
				answer(m);
			} else {
				/* off hook with nobody calling: no carrier */
				result(m, RC_NO_CARRIER);
			}
			return;
		case 'D':
			if (m->st != M_COMMAND) {
				ok = false;
				break;
			}
			dial(m, s);
			return;
		case 'S': {
			int r = num(&s, m->sreg);
			if (r >= NREG) {
				ok = false;
				break;
			}
			m->sreg = r;
			if (*s == '=') {
				s++;
				v = num(&s, 0);
				ok = v <= 255;
				m->S[r] = v;
			} else if (*s == '?') {
				char buf[8];
				s++;
				g_snprintf(buf, sizeof(buf), "%03d", m->S[r]);
				info(m, buf);
			}
			break;
		}
		case '&':
			c = (char)toupper((unsigned char)*s);
			if (!c) {
				ok = false;
				break;
			}
			s++;
			v = num(&s, 0);
			if (c == 'F') {
				if (m->st != M_COMMAND)
					hangup(m, "COMMAND AT&F");
				set_defaults(m);
				carrier(m, false);
			} else if (c == 'C') {
				ok = v <= 1;
				m->amp_c = v;
				carrier(m, m->st == M_ONLINE ||
				           m->st == M_ONLINE_CMD);
			} else if (c == 'D') {
				ok = v <= 3;
				m->amp_d = v;
			} else if (c == 'W') {
				modem_dte_store(m->p);
			}
			/* &K, &Q, &S, &V...: accepted, no effect here (&W keeps
			 * only the DTE setting) */
			break;
		case '\\': case '%':
			if (*s)
				s++;
			num(&s, 0);
			break;
		case '+': case '#':
			s--;
			ok = extended(m, &s);
			break;
		default:
			ok = false;
			break;
		}
	}
	result(m, ok ? RC_OK : RC_ERROR);
	/* a new DTE rate or framing applies after the result code */
	modem_dte_commit(m->p);
}

/* Command-mode input: find "AT", collect the line, run it on S3. */
static void command_byte(struct modem *m, uint8_t b)
{
	if (m->st == M_DIALING) {
		/* any key aborts dialing, as on every Hayes modem */
		hangup(m, "COMMAND dial aborted");
		result(m, RC_NO_CARRIER);
		return;
	}
	if (m->echo)
		g_byte_array_append(m->echo_buf, &b, 1);
	if (m->line->len == 0 && !m->saw_a) {
		if (b == 'A' || b == 'a')
			m->saw_a = true;
		return;
	}
	if (m->line->len == 0 && m->saw_a) {
		if (b == '/') {           /* A/ repeats the last line */
			m->saw_a = false;
			execute(m, m->last);
		} else if (b == 'T' || b == 't') {
			g_string_append_c(m->line, 'T');
		} else {
			m->saw_a = (b == 'A' || b == 'a');
		}
		return;
	}
	if (b == (uint8_t)m->S[3]) {
		char *cmd = g_strdup(m->line->str + 1);
		g_string_truncate(m->line, 0);
		m->saw_a = false;
		g_strlcpy(m->last, cmd, sizeof(m->last));
		execute(m, cmd);
		g_free(cmd);
		return;
	}
	if (b == (uint8_t)m->S[5]) {
		if (m->line->len > 1)
			g_string_truncate(m->line, m->line->len - 1);
		return;
	}
	if (b == (uint8_t)m->S[4] || b < 0x20)
		return;
	if (m->line->len < 250)
		g_string_append_c(m->line, (char)b);
}

/* ---- data mode and the +++ escape ------------------------------------- */

static gint64 guard_us(struct modem *m)
{
	return (gint64)m->S[12] * 20000; /* S12 is in 1/50 s */
}

/* the held escape chars were data after all */
static void esc_flush(struct modem *m)
{
	uint8_t plus[3];
	int n = m->esc_count;

	esc_reset(m);
	memset(plus, m->S[2], sizeof(plus));
	if (n && m->far)
		farend_write(m->far, plus, (size_t)n);
}

static gboolean esc_check(gpointer data)
{
	struct modem *m = data;

	m->esc_timer = 0;
	if (m->esc_count == 3) {
		/* guard silence after the third char: escape */
		m->esc_count = 0;
		set_state(m, M_ONLINE_CMD, "ONLINE-COMMAND escape");
		result(m, RC_OK);
	} else {
		esc_flush(m);
	}
	return G_SOURCE_REMOVE;
}

static void data_bytes(struct modem *m, const uint8_t *buf, size_t n)
{
	gint64 now = g_get_monotonic_time();
	gint64 guard = guard_us(m);
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		bool esc = m->S[2] <= 127 && buf[i] == (uint8_t)m->S[2];

		if (esc && m->esc_count == 0 && now - m->last_rx >= guard) {
			/* guard silence before: may be an escape */
			if (m->far && i > start)
				farend_write(m->far, buf + start, i - start);
			m->esc_count = 1;
		} else if (esc && m->esc_count > 0 && m->esc_count < 3 &&
		           now - m->last_plus < guard) {
			m->esc_count++;
		} else {
			if (m->esc_count) {
				/* something broke the sequence: data */
				if (m->far && i > start)
					farend_write(m->far, buf + start,
					             i - start);
				esc_flush(m);
				start = i;
			}
			m->last_rx = now;
			continue;
		}
		/* an escape char was held */
		start = i + 1;
		m->last_plus = now;
		m->last_rx = now;
		if (m->esc_timer)
			g_source_remove(m->esc_timer);
		m->esc_timer = g_timeout_add((guint)(guard / 1000) + 1,
		                             esc_check, m);
	}
	if (!m->esc_count && m->far && n > start)
		farend_write(m->far, buf + start, n - start);
}

/* ---- model ops -------------------------------------------------------- */

static void modem_rx(struct lab_port *p, const uint8_t *buf, size_t n)
{
	struct modem *m = M(p);

	if (m->st == M_ONLINE) {
		data_bytes(m, buf, n);
		return;
	}
	for (size_t i = 0; i < n && m->st != M_ONLINE; i++) {
		command_byte(m, buf[i]);
		if (m->st == M_ONLINE && i + 1 < n) {
			/* bytes right after CONNECT are data */
			data_bytes(m, buf + i + 1, n - i - 1);
			break;
		}
	}
	msend(m, NULL, 0);
}

static void modem_lines(struct lab_port *p, unsigned before, unsigned after)
{
	struct modem *m = M(p);
	bool dtr_drop = (before & TIOCM_DTR) && !(after & TIOCM_DTR);

	if (!dtr_drop)
		return;
	switch (m->amp_d) {
	case 1: /* &D1: back to command mode, call stays up */
		if (m->st == M_ONLINE) {
			esc_reset(m);
			set_state(m, M_ONLINE_CMD, "ONLINE-COMMAND DTR");
			result(m, RC_OK);
		}
		break;
	case 2: /* &D2: hang up */
	case 3: /* &D3: hang up and reset */
		if (m->st != M_COMMAND) {
			hangup(m, "NO-CARRIER DTR");
			result(m, RC_NO_CARRIER);
		}
		if (m->amp_d == 3)
			set_defaults(m);
		break;
	default: /* &D0: DTR ignored */
		break;
	}
}

static void modem_start(struct lab_port *p)
{
	struct modem *m = g_new0(struct modem, 1);

	p->model = m;
	m->p = p;
	m->line = g_string_new(NULL);
	m->echo_buf = g_byte_array_new();
	m->ring_call = -1;
	m->outq = g_queue_new();
	if (p->cfg->split_seed >= 0) {
		m->split = g_rand_new_with_seed((guint32)p->cfg->split_seed);
		transcript_event(dev(m), "split", "%ld %d", p->cfg->split_seed,
		                 p->cfg->split_gap_ms);
	}
	set_defaults(m);
	/* powered and ready: DSR (&S0) and CTS on, no carrier yet */
	lab_port_set_lines(p, TIOCM_DSR | TIOCM_CTS, true);
	carrier(m, false);
	transcript_event(dev(m), "state", "COMMAND");
	for (int i = 0; i < p->cfg->nrings; i++)
		m->ring_sched[i] = g_timeout_add(
			(guint)(p->cfg->rings[i].at * 1000), ring_start, p);
}

static void modem_stop(struct lab_port *p)
{
	struct modem *m = M(p);

	if (!m)
		return;
	if (m->dial_timer)
		g_source_remove(m->dial_timer);
	m->dial_timer = 0;
	for (int i = 0; i < p->cfg->nrings; i++)
		if (m->ring_sched[i])
			g_source_remove(m->ring_sched[i]);
	memset(m->ring_sched, 0, sizeof(m->ring_sched));
	esc_reset(m);
	if (m->ring_timer)
		g_source_remove(m->ring_timer);
	if (m->ri_timer)
		g_source_remove(m->ri_timer);
	m->ring_timer = m->ri_timer = 0;
	farend_close(m->far);
	m->far = NULL;
	if (m->out_timer)
		g_source_remove(m->out_timer);
	m->out_timer = 0;
	g_queue_free_full(m->outq, g_free);
	m->outq = NULL;
	if (m->split)
		g_rand_free(m->split);
	m->split = NULL;
}

const struct lab_model_ops lab_modem_ops = {
	.name = "modem",
	.start = modem_start,
	.rx = modem_rx,
	.host_lines = modem_lines,
	.stop = modem_stop,
};
