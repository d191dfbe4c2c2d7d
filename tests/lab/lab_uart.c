/*
 * lab_uart.c — the host's UART behind an emulated port: bytes both ways
 * between the pty master and the device model, and an exact transmit
 * queue (TIOCOUTQ).
 *
 * The pty stands for the host's UART. What the program writes goes into
 * the pty's flip buffer, which a kernel worker later hands to the master
 * (much later on a busy machine); FIONREAD on the master counts only what
 * was handed over, so the pty alone cannot say how much is queued. The
 * lab therefore takes everything off the pty into its own queue (as a
 * usb-serial driver keeps a transmit FIFO): n_tty's read() waits for the
 * worker whenever it finds nothing, so a read that ends in EAGAIN has
 * seen every byte written before it. The device receives from that queue
 * at the line rate and never past a pending after-bytes fault, and
 * TIOCOUTQ is its length. Past UART_QUEUE_MAX bytes the lab leaves the
 * rest in the pty, so a program that outruns the line blocks in write()
 * as on a real port.
 *
 * A real UART stops sending when its flow control says so: after our
 * XOFF if the program set IXON, while our CTS is low if it set CRTSCTS.
 * The kernel does neither for a pty master, so the lab holds the queue
 * then.
 *
 * Threads: the queue is filled on the main loop and by TIOCOUTQ on
 * umockdev's worker thread; p->lock guards it. The device is fed on the
 * main loop only.
 */
#include "lab.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>

/* a usb-serial driver's transmit FIFO is a page */
#define UART_QUEUE_MAX 4096
/* how soon to look again when the device takes nothing now */
#define RETRY_MS 5

/* device -> host bytes the pty did not take yet, per port */
static GByteArray *outq[LAB_MAX_PORTS];
static guint outwatch[LAB_MAX_PORTS];

static int port_index(struct lab_port *p) { return (int)(p - lab_ports); }

void lab_uart_init(struct lab_port *p)
{
	p->uart = g_byte_array_new();
	outq[port_index(p)] = g_byte_array_new();
}

/* ---- host -> device --------------------------------------------------- */

/* Move what the pty holds into the queue, up to UART_QUEUE_MAX; false
 * when the pty is gone (EIO: every slave closed, which with ours open
 * means unplug). Called with p->lock held. */
static bool take_from_pty(struct lab_port *p)
{
	uint8_t buf[4096];

	while (p->uart->len < UART_QUEUE_MAX) {
		size_t room = UART_QUEUE_MAX - p->uart->len;
		ssize_t n = read(p->master, buf, MIN(room, sizeof(buf)));

		if (n > 0) {
			g_byte_array_append(p->uart, buf, (guint)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
	return true;
}

static bool line_stopped(struct lab_port *p)
{
	struct termios t;

	if (tcgetattr(p->slave, &t) != 0)
		return false;
	if ((t.c_iflag & IXON) && p->xoff)
		return true;
	if ((t.c_cflag & CRTSCTS) && !(lab_port_dev_lines(p) & TIOCM_CTS))
		return true;
	return false;
}

/* --uart paced: a character takes 10 bit times at the speed the
 * program set */
static gint64 char_us(struct lab_port *p)
{
	long bps = lab_port_speed(p);

	return 10 * G_USEC_PER_SEC / (bps > 0 ? bps : 9600);
}

/* --uart paced: the characters the line has carried since line_t, when
 * the first of them started; a line idle for longer starts afresh, so
 * a byte reaches the device a character time after it was written. */
static size_t line_room(struct lab_port *p)
{
	gint64 now = g_get_monotonic_time(), c = char_us(p);

	if (now - p->line_t > 2 * c)
		p->line_t = now;
	return (size_t)((now - p->line_t) / c);
}

/* how many queued bytes the device takes now */
static size_t device_room(struct lab_port *p)
{
	size_t room = 4096; /* one rx event at most */

	if (line_stopped(p))
		return 0;
	if (p->ops && p->ops->rx_budget)
		room = MIN(room, p->ops->rx_budget(p));
	if (p->cfg->uart_paced)
		room = MIN(room, line_room(p));
	return MIN(room, faults_rx_room(p));
}

static gboolean on_master_in(gint fd, GIOCondition cond, gpointer data);

static gboolean retry(gpointer data)
{
	struct lab_port *p = data;

	p->retry = 0;
	lab_port_kick(p);
	return G_SOURCE_REMOVE;
}

/* Take what the pty has, hand the device what it takes now, and decide
 * what wakes us next: new bytes (the master's watch, unless the queue is
 * full and the pty holds more), or a short retry while bytes wait. */
static void service(struct lab_port *p)
{
	bool pty_ok = true, full;
	size_t left;

	while (!p->unplugged) {
		uint8_t buf[4096];
		size_t room = device_room(p), n;

		g_mutex_lock(&p->lock);
		pty_ok = take_from_pty(p);
		n = MIN(room, p->uart->len);
		memcpy(buf, p->uart->data, n);
		g_byte_array_remove_range(p->uart, 0, (guint)n);
		g_mutex_unlock(&p->lock);
		if (n == 0)
			break;
		if (p->cfg->uart_paced)
			p->line_t += (gint64)n * char_us(p);
		lab_port_log_line(p);
		p->rx_total += (long)n;
		{
			/* what the line delivers (--damage), and what the
			 * device's UART makes of it (uart_mismatch.c), is
			 * what the device gets */
			size_t got;
			const uint8_t *in = lab_damage(p, true, buf, n, &got);
			in = lab_mismatch_to_device(p, in, got, &got);
			transcript_bytes(p->cfg->name, "rx", in, got);
			if (p->ops && p->ops->rx && got)
				p->ops->rx(p, in, got);
		}
		if (!p->unplugged)
			faults_rx(p, n);
	}
	if (p->unplugged)
		return;
	g_mutex_lock(&p->lock);
	left = p->uart->len;
	full = left >= UART_QUEUE_MAX;
	g_mutex_unlock(&p->lock);
	if ((full || !pty_ok) && p->watch) {
		g_source_remove(p->watch);
		p->watch = 0;
	} else if (!full && pty_ok && !p->watch) {
		p->watch = g_unix_fd_add(p->master, G_IO_IN, on_master_in, p);
	}
	if (left && pty_ok && !p->retry)
		p->retry = g_timeout_add(RETRY_MS, retry, p);
}

static gboolean on_master_in(gint fd, GIOCondition cond, gpointer data)
{
	struct lab_port *p = data;
	guint watch = p->watch;

	(void)fd;
	(void)cond;
	service(p);
	/* service() removed or replaced the watch if it had to */
	return p->watch == watch && watch ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void lab_port_kick(struct lab_port *p)
{
	if (!p->unplugged)
		service(p);
}

static gboolean kick_main(gpointer data)
{
	lab_port_kick(data);
	return G_SOURCE_REMOVE;
}

bool lab_uart_queued(struct lab_port *p, size_t *queued)
{
	size_t n, before;

	g_mutex_lock(&p->lock);
	if (p->unplugged) {
		/* the queue went with the adapter: the port answers EIO,
		 * never "empty", which would say it all went out */
		g_mutex_unlock(&p->lock);
		return false;
	}
	before = p->uart->len;
	take_from_pty(p);
	n = p->uart->len;
	/* what was taken here left the pty: the master's watch will not
	 * fire for it, so the main loop must be told to feed the device */
	if (n > before)
		g_main_context_invoke_full(NULL, G_PRIORITY_HIGH, kick_main, p,
		                           NULL);
	if (n >= UART_QUEUE_MAX) {
		/* more in the pty than the queue holds: count what the
		 * master has (raw syscall: see lab_port_unplug) */
		int more = 0;
		if (syscall(SYS_ioctl, p->master, FIONREAD, &more) == 0 &&
		    more > 0)
			n += (size_t)more;
	}
	g_mutex_unlock(&p->lock);
	*queued = n;
	return true;
}

size_t lab_uart_flush(struct lab_port *p)
{
	size_t n;

	g_mutex_lock(&p->lock);
	if (p->unplugged) {
		g_mutex_unlock(&p->lock);
		return 0;
	}
	take_from_pty(p);
	n = p->uart->len;
	g_byte_array_set_size(p->uart, 0);
	g_mutex_unlock(&p->lock);
	return n;
}

/* ---- device -> host --------------------------------------------------- */

/* who wants to hear that a port's device -> host queue emptied */
static struct {
	void (*fn)(struct lab_port *p, void *data);
	void *data;
} on_sent[LAB_MAX_PORTS];

/* Write what the pty takes now; true when nothing is left. */
static bool write_out(struct lab_port *p)
{
	int i = port_index(p);
	ssize_t n;

	while (outq[i]->len) {
		n = write(p->master, outq[i]->data, outq[i]->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0) {
			g_byte_array_set_size(outq[i], 0);
			break;
		}
		g_byte_array_remove_range(outq[i], 0, (guint)n);
	}
	return true;
}

static gboolean flush_out(gint fd, GIOCondition cond, gpointer data)
{
	struct lab_port *p = data;
	int i = port_index(p);

	(void)fd;
	(void)cond;
	if (!write_out(p))
		return G_SOURCE_CONTINUE;
	outwatch[i] = 0;
	/* from the main loop, never from inside a send: a sender that
	 * refills here does not recurse */
	if (on_sent[i].fn)
		on_sent[i].fn(p, on_sent[i].data);
	return G_SOURCE_REMOVE;
}

void lab_port_send_raw(struct lab_port *p, const void *buf, size_t n)
{
	int i = port_index(p);
	struct termios t;
	bool ixany;

	if (n == 0 || p->unplugged || p->silent)
		return;
	/* track XOFF/XON as the host's line discipline sees them (IXANY:
	 * any byte restarts output) */
	ixany = tcgetattr(p->slave, &t) == 0 && (t.c_iflag & IXANY);
	for (size_t k = 0; k < n; k++) {
		uint8_t c = ((const uint8_t *)buf)[k];
		if (c == 0x13)
			p->xoff = true;
		else if (c == 0x11 || ixany)
			p->xoff = false;
	}
	g_byte_array_append(outq[i], buf, (guint)n);
	if (!outwatch[i] && !write_out(p))
		outwatch[i] = g_unix_fd_add(p->master, G_IO_OUT, flush_out, p);
}

void lab_port_send(struct lab_port *p, const void *buf, size_t n)
{
	if (n == 0 || p->unplugged || p->silent)
		return;
	transcript_bytes(p->cfg->name, "tx", buf, n);
	/* the device sent buf; the host gets what the line (--damage)
	 * makes of it, as its own UART reads that (uart_mismatch.c) */
	buf = lab_damage(p, false, buf, n, &n);
	buf = lab_mismatch_to_host(p, buf, n, &n);
	lab_port_send_raw(p, buf, n);
}

size_t lab_port_tx_pending(struct lab_port *p)
{
	return outq[port_index(p)]->len;
}

void lab_port_on_sent(struct lab_port *p, void (*fn)(struct lab_port *p, void *data),
                      void *data)
{
	on_sent[port_index(p)].fn = fn;
	on_sent[port_index(p)].data = data;
}

void lab_port_sends(struct lab_port *p, const char *s)
{
	lab_port_send(p, s, strlen(s));
}

/* ---- start and stop --------------------------------------------------- */

void lab_tty_start_io(struct lab_port *p)
{
	p->watch = g_unix_fd_add(p->master, G_IO_IN, on_master_in, p);
	lab_hupcl_watch(p);
}

/* Unplugged: what the queue held is lost with the adapter, and nothing
 * moves any more. Called with p->unplugged set. */
void lab_uart_stop(struct lab_port *p)
{
	int i = port_index(p);

	if (p->watch)
		g_source_remove(p->watch);
	if (p->retry)
		g_source_remove(p->retry);
	if (outwatch[i])
		g_source_remove(outwatch[i]);
	p->watch = p->retry = outwatch[i] = 0;
	g_mutex_lock(&p->lock);
	g_byte_array_set_size(p->uart, 0);
	g_mutex_unlock(&p->lock);
}
