/*
 * uart_mismatch.c — the device's UART has a setting of its own (rate,
 * data bits, parity, stop bits); when the program's differs, what crosses
 * the wire is what two real UARTs would make of it.
 *
 * A pty passes bytes whatever the settings, so the lab models the wire:
 * the sender's bytes become a waveform (start bit, data bits LSB first,
 * parity, stop bits, the line idle high before and after), and the
 * receiver samples it as a UART does: it waits for the line to be low,
 * checks the start bit half a bit later, samples each bit in its middle,
 * and checks the first stop bit. A low stop bit is a framing error (or a
 * break when the whole character and the stop bit were low: it then waits
 * for the line to go high), a wrong parity bit a parity error; a low line
 * right after a stop bit starts the next character, as a 16550 does. One
 * burst is what the device sent in one go, or what the lab took from the
 * program in one go; the line is idle between bursts. The result depends
 * only on the bytes and the two settings: the same garbage every time.
 *
 * The device's firmware drops characters its UART flags. The program gets
 * what the kernel's n_tty would give it for flagged characters: without
 * INPCK the character as received; with INPCK and IGNPAR nothing; with
 * PARMRK \377 \0 c (\377 \0 \0 for a break, \377 \377 for a real 0xff),
 * else \0; a break is dropped with IGNBRK or BRKINT. The kernel cannot be
 * handed a flagged character through a pty master, and with PARMRK it
 * doubles every \377 the lab writes, so while the device has a setting of
 * its own the lab takes PARMRK (and ISTRIP) off the pty and does both
 * itself; TCGETS still shows the program what it set. TIOCGICOUNT counts
 * framing and parity errors and breaks as a usb-serial driver does
 * (whatever the termios flags), and the characters each way.
 *
 * The program's setting: its speed and stop bits are on the pty; its data
 * bits and parity (which the pty driver drops) from the TCSETS* ioctls
 * the lab sees, which tcsetattr() issues through the isatty shim. A port
 * can refuse rates (--refuse-rates), as adapters refuse what their divisor
 * cannot make.
 *
 * Threads: the ioctl hooks run on umockdev's worker thread, the byte
 * hooks on the main loop; mm[i].lock guards what both touch.
 */
#include "lab.h"

#include <errno.h>
#include <string.h>
#include <termios.h>
#include <linux/serial.h>

enum rxflag { RX_OK, RX_FRAME, RX_PARITY, RX_BREAK };

struct rxchar {
	uint8_t c;
	uint8_t flag;              /* enum rxflag */
};

struct counts {
	long rx, tx, frame, parity, brk;
};

static struct mm {
	GMutex lock;               /* guards the fields below */
	bool asked;                /* the program set the line by ioctl */
	tcflag_t iflag, cflag;     /* ...and these are what it asked for */
	struct lab_line dev;       /* the device's UART; baud 0: none */
	bool autobaud;             /* it takes the program's from each AT */
	bool syncing;              /* autobaud: the rest of this line is lost */
	struct counts ic;          /* TIOCGICOUNT */
	GByteArray *out;           /* the last result handed out (main) */
	GArray *chars;             /* scratch: received characters (main) */
} mm[LAB_MAX_PORTS];

static struct mm *M(struct lab_port *p) { return &mm[p - lab_ports]; }

/* ---- settings --------------------------------------------------------- */

bool lab_line_parse(char **w, int n, struct lab_line *l, GError **err)
{
	char *end;
	long baud;

	if (n < 1) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "expected RATE [FRAMING], e.g. '9600 7E1'");
		return false;
	}
	baud = strtol(w[0], &end, 10);
	if (*end || baud < 50 || baud > 4000000) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "'%s' is not a rate in 50..4000000", w[0]);
		return false;
	}
	*l = (struct lab_line){ baud, 8, 'N', 1 };
	if (n > 1) {
		const char *f = w[1];
		if (strlen(f) != 3 || f[0] < '5' || f[0] > '8' ||
		    !strchr("NEOMS", g_ascii_toupper(f[1])) ||
		    (f[2] != '1' && f[2] != '2')) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "'%s' is not a framing such as 8N1 or 7E1",
			            f);
			return false;
		}
		l->bits = f[0] - '0';
		l->parity = g_ascii_toupper(f[1]);
		l->stop = f[2] - '0';
	}
	return true;
}

void lab_line_name(const struct lab_line *l, char *buf, size_t cap)
{
	g_snprintf(buf, cap, "%ld %d%c%d", l->baud, l->bits, l->parity,
	           l->stop);
}

/* Both ends read each other cleanly: a receiver checks one stop bit, so
 * stop bits never matter. */
static bool agree(const struct lab_line *a, const struct lab_line *b)
{
	return a->baud == b->baud && a->bits == b->bits &&
	       a->parity == b->parity;
}

static bool refused(struct lab_port *p, long baud)
{
	for (int i = 0; i < p->cfg->nrefuse; i++)
		if (p->cfg->refuse[i] == baud)
			return true;
	return false;
}

int lab_mismatch_config(struct lab_port_cfg *p, const char *key, char **w,
                        int n, GError **err)
{
	if (!strcmp(key, "line")) {
		int k = n;
		p->autobaud = n > 0 && !strcmp(w[n - 1], "autobaud");
		if (p->autobaud)
			k--;
		return lab_line_parse(w, k, &p->line, err) ? 1 : -1;
	}
	if (!strcmp(key, "refuse-rates") || !strcmp(key, "ipr")) {
		bool ipr = key[0] == 'i';
		long *v = ipr ? p->ipr : p->refuse;
		int *nv = ipr ? &p->nipr : &p->nrefuse;
		*nv = 0;
		for (int i = 0; i < n; i++) {
			char *end;
			long r = strtol(w[i], &end, 10);
			if (*end || r < (ipr ? 0 : 50) || r > 4000000 ||
			    *nv == LAB_MAX_RATES) {
				g_set_error(err, G_OPTION_ERROR,
				            G_OPTION_ERROR_BAD_VALUE,
				            "%s: '%s' is not a rate (at most %d)",
				            key, w[i], LAB_MAX_RATES);
				return -1;
			}
			v[(*nv)++] = r;
		}
		return 1;
	}
	if (!strcmp(key, "ipr-fault")) {
		if (n != 1 || strcmp(w[0], "ignore")) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "ipr-fault: only 'ignore' (OK, rate kept)");
			return -1;
		}
		p->ipr_ignore = true;
		return 1;
	}
	if (!strcmp(key, "icount")) {
		if (n != 1 || (strcmp(w[0], "yes") && strcmp(w[0], "no"))) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "icount: yes or no");
			return -1;
		}
		p->no_icount = !strcmp(w[0], "no");
		return 1;
	}
	if (!strcmp(key, "talk-interval")) {
		char *end;
		p->talk_ms = n == 1 ? strtol(w[0], &end, 10) : -1;
		if (n != 1 || *end || p->talk_ms < 1 || p->talk_ms > 60000) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "talk-interval: MS in 1..60000");
			return -1;
		}
		return 1;
	}
	return 0;
}

void lab_mismatch_device(struct lab_port *p, struct lab_line *l)
{
	struct mm *m = M(p);

	g_mutex_lock(&m->lock);
	*l = m->dev;
	g_mutex_unlock(&m->lock);
}

/* With a setting of its own the device's characters reach the program
 * through the lab's PARMRK, not the kernel's (see the top). */
static void pty_flags(struct lab_port *p)
{
	struct mm *m = M(p);
	struct termios t;
	bool own;

	g_mutex_lock(&m->lock);
	own = m->dev.baud && m->asked && (m->iflag & PARMRK);
	g_mutex_unlock(&m->lock);
	if (!own || p->slave < 0 || tcgetattr(p->slave, &t) != 0)
		return;
	if (t.c_iflag & (PARMRK | ISTRIP)) {
		t.c_iflag &= ~(tcflag_t)(PARMRK | ISTRIP);
		tcsetattr(p->slave, TCSANOW, &t);
	}
}

void lab_mismatch_set_device(struct lab_port *p, const struct lab_line *l,
                             const char *why)
{
	struct mm *m = M(p);
	char name[48];

	g_mutex_lock(&m->lock);
	m->dev = *l;
	g_mutex_unlock(&m->lock);
	lab_line_name(l, name, sizeof(name));
	transcript_event(p->cfg->name, "uart", "%s %s", name, why);
	pty_flags(p);
}

void lab_mismatch_set_autobaud(struct lab_port *p, bool on)
{
	M(p)->autobaud = on;
}

bool lab_mismatch_autobaud(struct lab_port *p)
{
	return M(p)->autobaud;
}

void lab_mismatch_start(struct lab_port *p)
{
	struct mm *m = M(p);

	m->out = g_byte_array_new();
	m->chars = g_array_new(FALSE, FALSE, sizeof(struct rxchar));
	m->autobaud = p->cfg->autobaud;
	if (p->cfg->line.baud)
		lab_mismatch_set_device(p, &p->cfg->line,
		                        p->cfg->autobaud ? "autobaud" : "start");
}

/* the host's termios: what it asked for where the lab saw it */
static void host_termios(struct lab_port *p, struct lab_line *l,
                         tcflag_t *iflag)
{
	static const int sizes[] = { 5, 6, 7, 8 };
	struct mm *m = M(p);
	struct termios t;
	tcflag_t c;

	memset(&t, 0, sizeof(t));
	if (p->slave >= 0)
		tcgetattr(p->slave, &t);
	c = t.c_cflag;
	*iflag = t.c_iflag;
	g_mutex_lock(&m->lock);
	if (m->asked) {
		c = m->cflag;
		*iflag = m->iflag;
	} else {
		/* set behind the lab's back: the kernel's PARMRK would
		 * double the lab's marks, so none are made */
		*iflag &= ~(tcflag_t)PARMRK;
	}
	g_mutex_unlock(&m->lock);
	l->baud = lab_port_speed(p);
	l->bits = sizes[(c & CSIZE) >> 4];
	l->parity = !(c & PARENB) ? 'N' : (c & CMSPAR) ?
	            (c & PARODD ? 'M' : 'S') : (c & PARODD ? 'O' : 'E');
	l->stop = t.c_cflag & CSTOPB ? 2 : 1;
}

void lab_mismatch_host(struct lab_port *p, struct lab_line *l)
{
	tcflag_t iflag;

	host_termios(p, l, &iflag);
}

/* ---- the wire --------------------------------------------------------- */

static int parity_of(unsigned data, int bits, char parity)
{
	int ones = __builtin_popcount(data & ((1u << bits) - 1));

	switch (parity) {
	case 'E': return ones & 1;
	case 'O': return !(ones & 1);
	case 'M': return 1;
	default:  return 0;
	}
}

/* Re-time the bytes `tx` sent into the characters `rx` receives. Time is
 * counted in ticks such that a sender's bit is 2*rx->baud ticks and a
 * receiver's 2*tx->baud: both whole numbers, and so is half a bit. */
static void retime(const struct lab_line *tx, const struct lab_line *rx,
                   const uint8_t *in, size_t n, GArray *out)
{
	int fbits = 1 + tx->bits + (tx->parity != 'N') + tx->stop;
	size_t w = n * (size_t)fbits;
	uint8_t *wave = g_malloc(w ? w : 1);
	int64_t sb = 2 * (int64_t)rx->baud, rb = 2 * (int64_t)tx->baud;
	int64_t half = tx->baud, end = (int64_t)w * sb, t = 0;
	int rpar = rx->parity != 'N';
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		wave[k++] = 0;
		for (int b = 0; b < tx->bits; b++)
			wave[k++] = (in[i] >> b) & 1;
		if (tx->parity != 'N')
			wave[k++] = (uint8_t)parity_of(in[i], tx->bits, tx->parity);
		for (int s = 0; s < tx->stop; s++)
			wave[k++] = 1;
	}
#define LEVEL(at) ((at) >= end ? 1 : wave[(at) / sb])
	while (t < end) {
		struct rxchar ch = { 0, RX_OK };
		unsigned data = 0;
		int64_t s, st;
		int pbit = 0, stop;

		if (LEVEL(t)) {
			/* hunt: the next sender bit that is low */
			size_t b = (size_t)(t / sb) + 1;
			while (b < w && wave[b])
				b++;
			if (b >= w)
				break;
			t = (int64_t)b * sb;
		}
		s = t + half;
		if (LEVEL(s)) {        /* a glitch, not a start bit */
			t = s;
			continue;
		}
		for (int i = 0; i < rx->bits; i++)
			if (LEVEL(s + (1 + i) * rb))
				data |= 1u << i;
		if (rpar)
			pbit = LEVEL(s + (1 + rx->bits) * rb);
		st = s + (1 + rx->bits + rpar) * rb;
		stop = LEVEL(st);
		ch.c = (uint8_t)data;
		if (!stop && !data && !pbit) {
			ch.flag = RX_BREAK;
			/* after a break a UART waits for the line to go high */
			t = st;
			while (t < end && !LEVEL(t)) {
				size_t b = (size_t)(t / sb) + 1;
				while (b < w && !wave[b])
					b++;
				t = (int64_t)b * sb;
			}
		} else {
			if (rpar && pbit != parity_of(data, rx->bits, rx->parity))
				ch.flag = RX_PARITY;
			else if (!stop)
				ch.flag = RX_FRAME;
			t = st;
		}
		g_array_append_val(out, ch);
	}
#undef LEVEL
	g_free(wave);
}

/* Count what the receiving UART flagged; returns how many it flagged. */
static long count(struct mm *m, const GArray *chars, bool to_host)
{
	long bad = 0;

	g_mutex_lock(&m->lock);
	for (guint i = 0; i < chars->len; i++) {
		const struct rxchar *c = &g_array_index(chars, struct rxchar, i);
		if (to_host) {
			m->ic.rx++;
			m->ic.frame += c->flag == RX_FRAME;
			m->ic.parity += c->flag == RX_PARITY;
			m->ic.brk += c->flag == RX_BREAK;
		}
		bad += c->flag != RX_OK;
	}
	g_mutex_unlock(&m->lock);
	return bad;
}

const uint8_t *lab_mismatch_to_device(struct lab_port *p, const uint8_t *in,
                                      size_t n, size_t *out_n)
{
	struct mm *m = M(p);
	struct lab_line host, dev;
	tcflag_t iflag;
	long bad;

	g_mutex_lock(&m->lock);
	m->ic.tx += (long)n;
	dev = m->dev;
	g_mutex_unlock(&m->lock);
	*out_n = n;
	if (!dev.baud || n == 0)
		return in;
	host_termios(p, &host, &iflag);
	if (m->autobaud && host.baud && !agree(&host, &dev)) {
		/* it measures the new rate on this line's "AT": the line is
		 * lost, the next one is understood */
		lab_mismatch_set_device(p, &host, "autobaud");
		dev = host;
		m->syncing = true;
	}
	if (m->syncing) {
		const uint8_t *cr = memchr(in, '\r', n);
		transcript_event(p->cfg->name, "uart-dropped",
		                 "%zu: autobaud", cr ? (size_t)(cr + 1 - in) : n);
		if (!cr) {
			*out_n = 0;
			return in;
		}
		m->syncing = false;
		n -= (size_t)(cr + 1 - in);
		in = cr + 1;
		*out_n = n;
	}
	if (agree(&host, &dev) || n == 0)
		return in;
	g_array_set_size(m->chars, 0);
	if (host.baud)
		retime(&host, &dev, in, n, m->chars);
	bad = count(m, m->chars, false);
	g_byte_array_set_size(m->out, 0);
	for (guint i = 0; i < m->chars->len; i++) {
		const struct rxchar *c = &g_array_index(m->chars, struct rxchar, i);
		if (c->flag == RX_OK)
			g_byte_array_append(m->out, &c->c, 1);
	}
	if (bad)
		transcript_event(p->cfg->name, "uart-dropped", "%ld of %u",
		                 bad, m->chars->len);
	*out_n = m->out->len;
	return m->out->data;
}

/* One character into what the program reads, as n_tty delivers it. */
static void deliver(GByteArray *out, struct rxchar c, tcflag_t iflag)
{
	static const uint8_t mark[2] = { 0xff, 0 };

	if (c.flag == RX_BREAK) {
		if (iflag & (IGNBRK | BRKINT))
			return;
		if (iflag & PARMRK)
			g_byte_array_append(out, mark, 2);
		g_byte_array_append(out, &mark[1], 1);
		return;
	}
	if (c.flag != RX_OK && (iflag & INPCK)) {
		if (iflag & IGNPAR)
			return;
		if (iflag & PARMRK)
			g_byte_array_append(out, mark, 2);
		else
			c.c = 0;
		g_byte_array_append(out, &c.c, 1);
		return;
	}
	if (c.flag == RX_OK && (iflag & ISTRIP))
		c.c &= 0x7f;
	if (c.flag == RX_OK && c.c == 0xff && (iflag & PARMRK))
		g_byte_array_append(out, mark, 1);
	g_byte_array_append(out, &c.c, 1);
}

const uint8_t *lab_mismatch_to_host(struct lab_port *p, const uint8_t *in,
                                    size_t n, size_t *out_n)
{
	struct mm *m = M(p);
	struct lab_line host, dev;
	tcflag_t iflag;
	long bad;

	lab_mismatch_device(p, &dev);
	*out_n = n;
	if (!dev.baud || n == 0) {
		g_mutex_lock(&m->lock);
		m->ic.rx += (long)n;
		g_mutex_unlock(&m->lock);
		return in;
	}
	host_termios(p, &host, &iflag);
	g_array_set_size(m->chars, 0);
	if (agree(&host, &dev)) {
		for (size_t i = 0; i < n; i++) {
			struct rxchar c = { in[i], RX_OK };
			g_array_append_val(m->chars, c);
		}
	} else if (host.baud) {
		retime(&dev, &host, in, n, m->chars);
	}
	bad = count(m, m->chars, true);
	g_byte_array_set_size(m->out, 0);
	for (guint i = 0; i < m->chars->len; i++)
		deliver(m->out, g_array_index(m->chars, struct rxchar, i), iflag);
	if (bad)
		transcript_event(p->cfg->name, "uart-errors", "%ld of %u",
		                 bad, m->chars->len);
	*out_n = m->out->len;
	return m->out->data;
}

/* ---- termios ioctls (worker thread) ----------------------------------- */

bool lab_mismatch_tcsets(struct lab_port *p, const void *k, size_t len)
{
	struct mm *m = M(p);
	const tcflag_t *f = k;
	struct termios t;

	if (len < 4 * sizeof(tcflag_t))
		return true;
	memset(&t, 0, sizeof(t));
	t.c_cflag = f[2];
	if (refused(p, lab_speed_bps(cfgetospeed(&t))))
		return false;
	g_mutex_lock(&m->lock);
	m->iflag = f[0];
	m->cflag = f[2];
	m->asked = true;
	g_mutex_unlock(&m->lock);
	return true;
}

void lab_mismatch_tcsets_done(struct lab_port *p)
{
	pty_flags(p);
}

void lab_mismatch_tcgets(struct lab_port *p, void *k, size_t len)
{
	const tcflag_t framing = CSIZE | PARENB | PARODD | CMSPAR;
	const tcflag_t mine = PARMRK | ISTRIP;
	struct mm *m = M(p);
	tcflag_t *f = k;

	if (len < 4 * sizeof(tcflag_t))
		return;
	g_mutex_lock(&m->lock);
	if (m->asked) {
		f[0] = (f[0] & ~mine) | (m->iflag & mine);
		f[2] = (f[2] & ~framing) | (m->cflag & framing);
	}
	g_mutex_unlock(&m->lock);
}

bool lab_mismatch_asked_cflag(struct lab_port *p, unsigned *cflag)
{
	struct mm *m = M(p);
	bool asked;

	g_mutex_lock(&m->lock);
	asked = m->asked;
	*cflag = m->cflag;
	g_mutex_unlock(&m->lock);
	return asked;
}

bool lab_mismatch_icount(struct lab_port *p, void *out, size_t len)
{
	struct serial_icounter_struct ic;
	struct mm *m = M(p);

	if (p->cfg->no_icount)
		return false;
	memset(&ic, 0, sizeof(ic));
	g_mutex_lock(&m->lock);
	ic.rx = (int)m->ic.rx;
	ic.tx = (int)m->ic.tx;
	ic.frame = (int)m->ic.frame;
	ic.parity = (int)m->ic.parity;
	ic.brk = (int)m->ic.brk;
	g_mutex_unlock(&m->lock);
	memcpy(out, &ic, MIN(len, sizeof(ic)));
	return true;
}
