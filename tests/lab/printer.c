/*
 * printer.c — a serial printer on the device side of a port.
 *
 * The line delivers bytes at the speed the program set (bps/10 bytes per
 * second, read from the pty's termios), into a finite buffer; the
 * mechanism prints from the buffer at print-rate and appends what it
 * printed to the output file. At the high watermark the printer says busy
 * (XOFF, or DSR and CTS low); at the low watermark ready again (XON, DSR
 * and CTS high). Bytes that arrive with the buffer full are lost, as on a
 * real printer whose host ignores the handshake, and are logged.
 * Paper-out after N printed bytes stops the mechanism for T ms.
 *
 * The output is the ruler tests measure with, so it is exact: an unplug
 * takes the host's adapter away, not the printer, which goes on printing
 * what it holds; at the end "printed N lost L held H" accounts for every
 * byte received (held: still in the buffer, a printer stuck or out of
 * paper when the lab stopped).
 */
#include "lab.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#define TICK_MS 10

struct printer {
	struct lab_port *p;
	GByteArray *buf;           /* received, not yet printed */
	FILE *out;                 /* everything printed */
	double tokens;             /* line budget in bytes (token bucket) */
	double ink;                /* print budget in bytes */
	gint64 last;               /* µs of the last tick */
	long speed;                /* bps last seen in termios */
	long printed;              /* bytes printed so far */
	long lost;                 /* bytes dropped on overflow */
	bool busy;                 /* handshake says busy */
	bool paper_out;
	bool paper_done;           /* paper-out already happened */
	bool stuck;                /* fault: busy forever */
	guint tick;
	guint paper_timer;
};

static struct printer *P(struct lab_port *p) { return p->model; }

static long line_bps(struct printer *pr)
{
	long s = lab_port_speed_seen(pr->p, &pr->speed);

	return s > 0 ? s : 9600;
}

static void signal_busy(struct printer *pr, bool busy)
{
	const struct lab_port_cfg *c = pr->p->cfg;
	uint8_t ch = busy ? 0x13 : 0x11;

	if (busy == pr->busy)
		return;
	pr->busy = busy;
	transcript_event(c->name, "printer", "%s fill=%u",
	                 busy ? "xoff" : "xon", pr->buf->len);
	if (c->busy_xon)
		lab_port_send(pr->p, &ch, 1);
	if (c->busy_dsr)
		lab_port_set_lines(pr->p, TIOCM_DSR | TIOCM_CTS, !busy);
}

static void update_busy(struct printer *pr)
{
	const struct lab_port_cfg *c = pr->p->cfg;

	if (pr->p->unplugged)
		return; /* no host to tell */
	if (pr->stuck || pr->paper_out || pr->buf->len >= c->high)
		signal_busy(pr, true);
	else if (pr->buf->len <= c->low)
		signal_busy(pr, false);
}

static gboolean paper_back(gpointer data)
{
	struct printer *pr = data;

	pr->paper_timer = 0;
	pr->paper_out = false;
	transcript_event(pr->p->cfg->name, "printer", "paper-ok");
	update_busy(pr);
	return G_SOURCE_REMOVE;
}

/* the mechanism: print from the buffer at print-rate */
static void print_some(struct printer *pr, double secs)
{
	const struct lab_port_cfg *c = pr->p->cfg;
	size_t n;

	if (pr->paper_out || pr->stuck)
		return;
	if (c->print_rate > 0) {
		pr->ink = MIN(pr->ink + (double)c->print_rate * secs,
		              (double)c->print_rate / 10 + 1);
		n = MIN((size_t)pr->ink, pr->buf->len);
		pr->ink -= (double)n;
	} else {
		n = pr->buf->len;
	}
	if (c->paperout_after >= 0 && !pr->paper_done)
		n = MIN(n, (size_t)(c->paperout_after - pr->printed));
	if (n > 0) {
		if (pr->out) {
			fwrite(pr->buf->data, 1, n, pr->out);
			fflush(pr->out);
		}
		g_byte_array_remove_range(pr->buf, 0, (guint)n);
		pr->printed += (long)n;
	}
	if (c->paperout_after >= 0 && !pr->paper_done &&
	    pr->printed >= c->paperout_after) {
		pr->paper_done = true;
		pr->paper_out = true;
		transcript_event(c->name, "printer", "paper-out");
		pr->paper_timer = g_timeout_add((guint)c->paperout_ms,
		                                paper_back, pr);
	}
}

static gboolean tick(gpointer data)
{
	struct printer *pr = data;
	gint64 now = g_get_monotonic_time();
	double secs = (double)(now - pr->last) / 1e6;

	pr->last = now;
	print_some(pr, secs);
	if (pr->p->unplugged)
		return G_SOURCE_CONTINUE; /* no line any more: just print */
	/* the line delivers at most bps/10 bytes a second; the bucket holds
	 * two ticks' worth: a late tick must not lose line time (GLib fires
	 * late), and a UART's FIFO allows no bigger burst than that */
	double rate = (double)line_bps(pr) / 10;
	pr->tokens = MIN(pr->tokens + rate * secs, 2 * rate * TICK_MS / 1000.0);
	update_busy(pr);
	if (pr->tokens >= 1)
		lab_port_kick(pr->p);
	return G_SOURCE_CONTINUE;
}

static size_t printer_budget(struct lab_port *p)
{
	struct printer *pr = P(p);

	return pr->tokens >= 1 ? (size_t)pr->tokens : 0;
}

static void printer_rx(struct lab_port *p, const uint8_t *b, size_t n)
{
	struct printer *pr = P(p);
	size_t room = p->cfg->buffer - MIN(p->cfg->buffer, pr->buf->len);
	size_t take = MIN(n, room);

	pr->tokens -= (double)n;
	g_byte_array_append(pr->buf, b, (guint)take);
	if (take < n) {
		pr->lost += (long)(n - take);
		transcript_event(p->cfg->name, "printer", "overflow %zu",
		                 n - take);
	}
	update_busy(pr);
}

static void printer_start(struct lab_port *p)
{
	struct printer *pr = g_new0(struct printer, 1);
	const struct lab_port_cfg *c = p->cfg;

	p->model = pr;
	pr->p = p;
	pr->buf = g_byte_array_new();
	pr->last = g_get_monotonic_time();
	pr->speed = -1;
	if (c->output[0]) {
		pr->out = fopen(c->output, "wb");
		if (!pr->out)
			fprintf(stderr, "hslab: %s: cannot write %s: %s\n",
			        c->name, c->output, g_strerror(errno));
	}
	/* online and ready: DSR and CTS on */
	lab_port_set_lines(p, TIOCM_DSR | TIOCM_CTS, true);
	line_bps(pr);
	pr->tick = g_timeout_add(TICK_MS, tick, pr);
}

/* still printing: bytes in the buffer or waiting in the line (none
 * after an unplug) */
static bool printer_busy(struct lab_port *p)
{
	struct printer *pr = P(p);
	size_t queued;

	if (!pr || pr->stuck)
		return false;
	return pr->buf->len > 0 || (lab_uart_queued(p, &queued) && queued > 0);
}

/* the host's adapter went away: the printer keeps what it has */
static void printer_unplug(struct lab_port *p)
{
	(void)p;
}

static void printer_stop(struct lab_port *p)
{
	struct printer *pr = P(p);

	if (!pr)
		return;
	if (pr->tick)
		g_source_remove(pr->tick);
	if (pr->paper_timer)
		g_source_remove(pr->paper_timer);
	pr->tick = pr->paper_timer = 0;
	if (pr->out)
		fclose(pr->out);
	pr->out = NULL;
	transcript_event(p->cfg->name, "printer", "printed %ld lost %ld held %u",
	                 pr->printed, pr->lost, pr->buf->len);
}

/* fault: busy forever (XOFF/DSR low, nothing printed) */
void printer_stuck(struct lab_port *p)
{
	struct printer *pr = P(p);

	if (p->ops != &lab_printer_ops || !pr)
		return;
	pr->stuck = true;
	update_busy(pr);
}

const struct lab_model_ops lab_printer_ops = {
	.name = "printer",
	.start = printer_start,
	.rx = printer_rx,
	.rx_budget = printer_budget,
	.busy = printer_busy,
	.unplug = printer_unplug,
	.stop = printer_stop,
};
