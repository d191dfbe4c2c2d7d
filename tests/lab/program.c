/*
 * program.c — a port whose device is a program (--port 'NAME program',
 * --program CMD): lrzsz's sx, rb and the like sit on the far end of an
 * emulated USB-serial port, as on a real line, and the lab carries the
 * bytes both ways at the line rate the program under test set (bps/10
 * bytes a second each way), through --damage when asked.
 *
 * CMD runs under /bin/sh in the lab's folder, without umockdev's preload,
 * its stdin and stdout a socketpair whose other end the lab holds (a
 * socket rather than a pty: lrzsz flushes its tty right after its last
 * ACK, and a pty would lose that byte). Its stderr is the lab's. The lab
 * carries what the command under test wrote after it exits, then closes
 * CMD's stdin and waits --program-wait seconds (default 10) for it to
 * end, then stops it. Logged: "DEVICE program start CMD", "DEVICE
 * program exit STATUS" (128+N when killed by signal N), "DEVICE program
 * killed".
 */
#include "lab.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

/* Bytes are carried in slices: when the line's budget runs out the lab
 * sleeps until it holds FIFO_BYTES again (a UART's FIFO), and the budget
 * may grow to BURST_S of line time, more than a late wake-up lasts, so
 * wake-ups cost no line time. */
#define FIFO_BYTES 16
#define BURST_S 0.010

struct program {
	struct lab_port *p;
	GPid pid;
	bool running;
	int fd;                    /* our end of the socketpair */
	guint child_watch, in_watch, out_watch, rx_timer, tx_timer;
	double rx_tokens, tx_tokens;   /* line budgets, bytes */
	gint64 rx_last, tx_last;       /* µs of their last refill */
	long speed;                /* bps last seen in termios */
	GByteArray *pending;       /* from the host, not taken by CMD yet */
	gint64 ended;              /* µs when the lab first asked if busy:
	                            * the command under test had exited */
	bool eof_sent;             /* CMD's stdin is closed */
};

static struct program *G(struct lab_port *p) { return p->model; }

static double rate(struct program *g)
{
	long s = lab_port_speed_seen(g->p, &g->speed);

	return (double)(s > 0 ? s : 9600) / 10;
}

static double cap(double r)
{
	return MAX(FIFO_BYTES, r * BURST_S);
}

static void refill(double *tokens, gint64 *last, double r)
{
	gint64 now = g_get_monotonic_time();

	*tokens = MIN(*tokens + r * (double)(now - *last) / 1e6, cap(r));
	*last = now;
}

/* ms until a bucket holds a FIFO's worth again */
static guint wait_ms(double tokens, double r)
{
	return (guint)ceil((MIN(cap(r), FIFO_BYTES) - tokens) * 1000 / r) + 1;
}

/* ---- host to program --------------------------------------------------- */

static gboolean on_out(gint fd, GIOCondition cond, gpointer data);

static void feed(struct program *g)
{
	while (g->pending->len) {
		ssize_t n = write(g->fd, g->pending->data, g->pending->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!g->out_watch)
				g->out_watch = g_unix_fd_add(g->fd, G_IO_OUT, on_out, g);
			return;
		}
		if (n <= 0) {
			/* CMD is gone: the line goes nowhere */
			g_byte_array_set_size(g->pending, 0);
			return;
		}
		g_byte_array_remove_range(g->pending, 0, (guint)n);
	}
}

static gboolean on_out(gint fd, GIOCondition cond, gpointer data)
{
	struct program *g = data;

	(void)fd, (void)cond;
	g->out_watch = 0;
	feed(g);
	return G_SOURCE_REMOVE;
}

static gboolean rx_kick(gpointer data)
{
	struct program *g = data;

	g->rx_timer = 0;
	lab_port_kick(g->p);
	return G_SOURCE_REMOVE;
}

static size_t program_budget(struct lab_port *p)
{
	struct program *g = G(p);
	double r = rate(g);

	refill(&g->rx_tokens, &g->rx_last, r);
	if (g->rx_tokens >= 1)
		return (size_t)g->rx_tokens;
	/* wake the port when the line can carry more, not at its next poll */
	if (!g->rx_timer)
		g->rx_timer = g_timeout_add(wait_ms(g->rx_tokens, r), rx_kick, g);
	return 0;
}

static void program_rx(struct lab_port *p, const uint8_t *buf, size_t n)
{
	struct program *g = G(p);

	g->rx_tokens -= (double)n;
	g_byte_array_append(g->pending, buf, (guint)n);
	if (!g->out_watch)
		feed(g);
}

/* ---- program to host --------------------------------------------------- */

static gboolean on_in(gint fd, GIOCondition cond, gpointer data);

static gboolean tx_resume(gpointer data)
{
	struct program *g = data;

	g->tx_timer = 0;
	if (!g->in_watch && g->fd >= 0)
		g->in_watch = g_unix_fd_add(g->fd, G_IO_IN | G_IO_HUP, on_in, g);
	return G_SOURCE_REMOVE;
}

static gboolean on_in(gint fd, GIOCondition cond, gpointer data)
{
	struct program *g = data;
	uint8_t buf[4096];
	double r = rate(g);
	ssize_t n;

	(void)cond;
	refill(&g->tx_tokens, &g->tx_last, r);
	if (g->tx_tokens < 1) {
		/* the line is busy: read on when it has room */
		g->in_watch = 0;
		g->tx_timer = g_timeout_add(wait_ms(g->tx_tokens, r), tx_resume, g);
		return G_SOURCE_REMOVE;
	}
	n = read(fd, buf, MIN(sizeof(buf), (size_t)g->tx_tokens));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		g->in_watch = 0;
		return G_SOURCE_REMOVE;
	}
	g->tx_tokens -= (double)n;
	lab_port_send(g->p, buf, (size_t)n);
	return G_SOURCE_CONTINUE;
}

/* ---- the program itself ------------------------------------------------ */

static void on_exit_(GPid pid, gint status, gpointer data)
{
	struct program *g = data;

	g->running = false;
	g->child_watch = 0;
	g_spawn_close_pid(pid);
	transcript_event(g->p->cfg->name, "program", "exit %d",
	                 WIFEXITED(status) ? WEXITSTATUS(status) :
	                 128 + WTERMSIG(status));
}

static void program_start(struct lab_port *p)
{
	struct program *g = g_new0(struct program, 1);
	char *argv[] = { "/bin/sh", "-c", p->cfg->program, NULL };
	char **env = g_get_environ();
	GError *err = NULL;
	int sv[2];

	p->model = g;
	g->p = p;
	g->fd = -1;
	g->speed = -1;
	g->pending = g_byte_array_new();
	g->rx_last = g->tx_last = g_get_monotonic_time();
	if (!p->cfg->program[0]) {
		transcript_event(p->cfg->name, "program", "none (--program)");
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		transcript_event(p->cfg->name, "program", "no socketpair: %s",
		                 g_strerror(errno));
		return;
	}
	/* the far end is a real program on a real machine: no testbed */
	env = g_environ_unsetenv(env, "LD_PRELOAD");
	env = g_environ_unsetenv(env, "UMOCKDEV_DIR");
	transcript_event(p->cfg->name, "program", "start %s", p->cfg->program);
	if (!g_spawn_async_with_fds(NULL, argv, env, G_SPAWN_DO_NOT_REAP_CHILD,
	                            NULL, NULL, &g->pid, sv[1], sv[1], -1, &err)) {
		transcript_event(p->cfg->name, "program", "cannot start: %s",
		                 err->message);
		g_error_free(err);
		close(sv[0]);
		close(sv[1]);
		g_strfreev(env);
		return;
	}
	g_strfreev(env);
	close(sv[1]);
	g->fd = sv[0];
	g_unix_set_fd_nonblocking(g->fd, TRUE, NULL);
	g->running = true;
	g->child_watch = g_child_watch_add(g->pid, on_exit_, g);
	g->in_watch = g_unix_fd_add(g->fd, G_IO_IN | G_IO_HUP, on_in, g);
}

/* After the command under test ends, the line still carries what it
 * wrote (at the line's speed); then CMD gets end of file, as when the
 * host hangs up, and program-wait seconds to finish (its last ACK,
 * closing a file), no more. */
static bool program_busy(struct lab_port *p)
{
	struct program *g = G(p);
	gint64 now = g_get_monotonic_time();
	size_t queued = 0;

	if (!g->ended)
		g->ended = now;
	/* the host UART's queue, as the printer asks it (lab_uart.c) */
	if ((lab_uart_queued(p, &queued) && queued > 0) || g->pending->len)
		return g->running;
	if (g->fd >= 0 && !g->eof_sent) {
		shutdown(g->fd, SHUT_WR);
		g->eof_sent = true;
	}
	return g->running && now - g->ended < p->cfg->program_wait * G_USEC_PER_SEC;
}

static void program_stop(struct lab_port *p)
{
	struct program *g = G(p);

	if (g->running) {
		kill(g->pid, SIGTERM);
		transcript_event(p->cfg->name, "program", "killed");
	}
	if (g->child_watch)
		g_source_remove(g->child_watch);
	if (g->in_watch)
		g_source_remove(g->in_watch);
	if (g->out_watch)
		g_source_remove(g->out_watch);
	if (g->rx_timer)
		g_source_remove(g->rx_timer);
	if (g->tx_timer)
		g_source_remove(g->tx_timer);
	g->child_watch = g->in_watch = g->out_watch = g->rx_timer = g->tx_timer = 0;
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	g->running = false;
}

const struct lab_model_ops lab_program_ops = {
	.name = "program",
	.start = program_start,
	.rx = program_rx,
	.rx_budget = program_budget,
	.busy = program_busy,
	.stop = program_stop,
};
