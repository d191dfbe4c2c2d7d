/*
 * serial.c - the serial transport: open a tty, take it exclusively, learn
 * its identity, set the line, drive DTR/RTS and read CTS/DSR/DCD/RI.
 *
 * Ports that libserialport knows (those with /sys/class/tty/<name>: UARTs,
 * USB-serial, CDC-ACM) are opened with it and get identity and modem lines
 * from it. libserialport 0.1.1 cannot open a pty (no sysfs entry, and ptys
 * reject TIOCMGET), so ptys are opened with plain open() and have no modem
 * lines. Line settings go through termios (line.c) for both.
 *
 * fd: links borrow descriptors a parent opened (pppd's connect script):
 * the parent holds the locks and set the line, so we take no lock, change
 * the line only when the URI asks, and give the descriptors back as found.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "devpath.h"
#include "fail.h"
#include "line.h"
#include "serial.h"

/* Bounded copy: device strings are cut, never overflowed. */
static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

static int open_failed(const char *path, int err)
{
	char match[128];

	switch (hs_errno_code(err)) {
	case HS_ERR_BUSY:
		return hs_lock_busy(path);
	case HS_ERR_PERMISSION:
		/* udev's kernel name: the path below /dev */
		snprintf(match, sizeof(match), "SUBSYSTEM==\"tty\", KERNEL==\"%.64s\"",
			 strncmp(path, "/dev/", 5) == 0 ? path + 5 : path);
		return hs_fail_permission(path, match, "dialout");
	case HS_ERR_UNPLUGGED:
	case HS_ERR_NO_DEVICE:
		return hs_fail(HS_ERR_NO_DEVICE,
			       "%s: no device answers behind it (%s); is it plugged in?",
			       path, strerror(err));
	case EMFILE:
	case ENFILE:
		return hs_fail_no_fds(path, err);
	default:
		return hs_fail(hs_errno_code(err), "cannot open %s: %s", path,
			       strerror(err));
	}
}

/* A path that leads to nothing: missing, or through a file that is not
 * a folder (/dev/tty/USB0): both mean the device is not there. */
static int no_such_path(const char *path, int err)
{
	char file[PATH_MAX], why[PATH_MAX + 32] = "";

	if (err == ENOTDIR && hs_devpath_not_dir(path, file, sizeof(file)) == 0)
		snprintf(why, sizeof(why), " (%s is not a folder)", file);
	if (err == ENOENT || err == ENOTDIR)
		return hs_fail(HS_ERR_NO_DEVICE,
			       "%s does not exist%s; is the device plugged in? (see ls /dev/serial/by-id)",
			       path, why);
	return hs_fail(hs_errno_code(err), "%s: %s", path, strerror(err));
}

/* Open through libserialport; 1 if it knows the port, 0 if not, < 0 error. */
static int open_sp(struct hs_link *l, struct hs_serial *s)
{
	struct sp_port *p;
	int vid, pid, bus, addr;

	if (sp_get_port_by_name(l->path, &p) != SP_OK)
		return 0;
	if (sp_open(p, SP_MODE_READ_WRITE) != SP_OK) {
		int err = sp_last_error_code();
		sp_free_port(p);
		return open_failed(l->path, err);
	}
	s->port = p;
	sp_get_port_handle(p, &l->fd);
	/* libserialport opens without O_CLOEXEC: a program we start (hsdial
	 * --exec) must not keep the port open after us */
	fcntl(l->fd, F_SETFD, fcntl(l->fd, F_GETFD) | FD_CLOEXEC);
	l->wfd = l->fd;
	copy(l->description, sizeof(l->description), sp_get_port_description(p));
	if (sp_get_port_transport(p) == SP_TRANSPORT_USB) {
		if (sp_get_port_usb_vid_pid(p, &vid, &pid) == SP_OK) {
			l->info.usb_vid = vid;
			l->info.usb_pid = pid;
		}
		if (sp_get_port_usb_bus_address(p, &bus, &addr) == SP_OK) {
			l->info.usb_bus = bus;
			l->info.usb_address = addr;
		}
		copy(l->manufacturer, sizeof(l->manufacturer),
		     sp_get_port_usb_manufacturer(p));
		copy(l->product, sizeof(l->product), sp_get_port_usb_product(p));
		copy(l->serial, sizeof(l->serial), sp_get_port_usb_serial(p));
	}
	l->info.transport = HS_TRANSPORT_SERIAL;
	return 1;
}

/* Open a tty libserialport does not know: a pty (socat, emulators). */
static int open_tty(struct hs_link *l)
{
	l->fd = open(l->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (l->fd < 0)
		return open_failed(l->path, errno);
	l->wfd = l->fd;
	if (!isatty(l->fd))
		return hs_fail(HS_ERR_NOT_TTY, "%s is not a serial port", l->path);
	copy(l->description, sizeof(l->description), "pseudo-terminal");
	l->info.transport = HS_TRANSPORT_PTY;
	return HS_OK;
}

/* A pipe or socket: a program between us and the line (hsdial --exec
 * hands its program pipes). Bytes only, no line settings. */
static int is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Borrow the descriptors of an fd: link. */
static int open_fd(struct hs_link *l, struct hs_serial *s, const struct hs_uri *u)
{
	const char *tty;
	int pipes = 0;

	s->borrowed = 1;
	copy(l->path, sizeof(l->path), u->path);
	copy(l->name, sizeof(l->name), u->path);
	for (int i = 0; i < 2; i++) {
		int fd = i ? u->wfd : u->fd;
		if ((s->saved_flags[i] = fcntl(fd, F_GETFL)) < 0)
			return hs_fail(HS_ERR_NO_DEVICE, "%s: descriptor %d is not open", u->path, fd);
		if (!isatty(fd) && !is_pipe(fd))
			return hs_fail(HS_ERR_NOT_TTY,
				       "%s: descriptor %d is neither a serial port nor a pipe",
				       u->path, fd);
		pipes += !isatty(fd);
		fcntl(fd, F_SETFL, s->saved_flags[i] | O_NONBLOCK);
	}
	l->fd = u->fd;
	l->wfd = u->wfd;
	if (pipes) {
		copy(l->description, sizeof(l->description), "pipe");
		l->info.transport = HS_TRANSPORT_PIPE;
		return HS_OK;
	}
	if ((tty = ttyname(l->fd)))
		copy(l->description, sizeof(l->description), tty);
	l->info.transport = HS_TRANSPORT_PTY;
	if (tcgetattr(l->fd, &s->saved) != 0)
		return hs_fail(HS_ERR_NOT_TTY, "%s is not a serial port", l->path);
	return HS_OK;
}

static void close_fd(struct hs_link *l, struct hs_serial *s)
{
	if (s->line_set)
		tcsetattr(l->fd, TCSANOW, &s->saved);
	fcntl(l->fd, F_SETFL, s->saved_flags[0]);
	fcntl(l->wfd, F_SETFL, s->saved_flags[1]);
}

static void serial_close(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	if (!s)
		return;
	hs_serial_carrier_close(l);
	if (s->borrowed) {
		if (l->fd >= 0)
			close_fd(l, s);
	} else if (l->fd >= 0) {
		/* Unsent output would make close() wait for the driver's
		 * closing_wait (30 s): callers drain first if they care. A
		 * pty has no such wait, and flushing it would discard what
		 * the far end has not read yet. */
		if (l->info.transport != HS_TRANSPORT_PTY)
			tcflush(l->fd, TCOFLUSH);
		if (s->saved_lines >= 0 && s->port) {
			sp_set_dtr(s->port, s->saved_lines & HS_SIG_DTR ? SP_DTR_ON : SP_DTR_OFF);
			sp_set_rts(s->port, s->saved_lines & HS_SIG_RTS ? SP_RTS_ON : SP_RTS_OFF);
		}
		tcsetattr(l->fd, TCSANOW, &s->saved);
		hs_lock_fd_release(l->fd);
	}
	if (s->port) {
		sp_close(s->port);
		sp_free_port(s->port);
	} else if (l->fd >= 0 && !s->borrowed) {
		close(l->fd);
	}
	l->fd = -1;
	free(s);
	l->priv = NULL;
}

static int serial_set_line(struct hs_link *l, const struct hs_line *line)
{
	struct hs_serial *s = l->priv;
	int rc;

	if (l->info.transport == HS_TRANSPORT_PIPE)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s is a pipe: it has no line settings to change", l->path);
	if (line->flow == HS_FLOW_DTRDSR && !s->port)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s has no modem lines, so flow=dtrdsr cannot work on it; use xonxoff or none",
			       l->path);
	s->line_set = 1;
	/* a flow control of its own: what held the last one holds nothing */
	s->held_by = s->held_ms = 0;
	if ((rc = hs_line_apply(l->fd, line, s->marks, l->path)) == HS_OK)
		hs_marks_start(l);
	return rc;
}

static int serial_open(struct hs_link *l, const struct hs_uri *u)
{
	struct hs_serial *s;
	struct stat st;
	int rc, bits;

	if (!(s = calloc(1, sizeof(*s))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", u->path);
	s->saved_lines = -1;
	l->priv = s;
	if (u->fd >= 0) {
		if ((rc = open_fd(l, s, u)) < 0)
			return rc;
		if (u->given)
			return serial_set_line(l, &u->line);
		/* the parent's PARMRK, if it set one */
		s->marks = (s->saved.c_iflag & PARMRK) && !(s->saved.c_iflag & ISTRIP);
		hs_marks_start(l);
		return HS_OK;
	}
	if ((rc = hs_devpath_resolve(u->path, l->path, sizeof(l->path))) < 0)
		return no_such_path(u->path, -rc);
	copy(l->name, sizeof(l->name),
	     strncmp(l->path, "/dev/", 5) == 0 ? l->path + 5 : l->path);
	if (stat(l->path, &st) != 0 || !S_ISCHR(st.st_mode))
		return hs_fail(HS_ERR_NOT_TTY, "%s is not a serial port", u->path);
	if ((rc = hs_lock_file(&l->lock, l->path)) < 0)
		return rc;
	rc = open_sp(l, s);
	if (rc == 0)
		rc = open_tty(l);
	if (rc < 0)
		return rc;
	if ((rc = hs_lock_fd(l->fd, l->path)) < 0)
		return rc;
	if (tcgetattr(l->fd, &s->saved) != 0)
		return hs_fail(HS_ERR_NOT_TTY, "%s is not a serial port", l->path);
	if (s->port && ioctl(l->fd, TIOCMGET, &bits) == 0) {
		s->saved_lines = (bits & TIOCM_DTR ? HS_SIG_DTR : 0) |
				 (bits & TIOCM_RTS ? HS_SIG_RTS : 0);
		s->lines = s->saved_lines;
	}
	return serial_set_line(l, &u->line);
}

static int serial_set_signal(struct hs_link *l, int sig, int on)
{
	struct hs_serial *s = l->priv;
	enum sp_return r;

	if (!s->port)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s has no modem lines (DTR, RTS, CTS, DSR, DCD, RI): not supported on this port",
			       l->path);
	r = sig == HS_SIG_DTR ? sp_set_dtr(s->port, on ? SP_DTR_ON : SP_DTR_OFF)
			      : sp_set_rts(s->port, on ? SP_RTS_ON : SP_RTS_OFF);
	if (r != SP_OK)
		return hs_fail(hs_errno_code(sp_last_error_code()), "%s: cannot set %s: %s",
			       l->path, sig == HS_SIG_DTR ? "DTR" : "RTS",
			       strerror(sp_last_error_code()));
	s->lines = on ? s->lines | sig : s->lines & ~sig;
	return HS_OK;
}

int hs_serial_signals(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	enum sp_signal in;
	int mask;

	if (!s->port)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s has no modem lines (DTR, RTS, CTS, DSR, DCD, RI): not supported on this port",
			       l->path);
	if (sp_get_signals(s->port, &in) != SP_OK) {
		return hs_serial_fail(l, "a read of the modem lines", sp_last_error_code());
	}
	mask = s->lines & (HS_SIG_DTR | HS_SIG_RTS);
	mask |= in & SP_SIG_CTS ? HS_SIG_CTS : 0;
	mask |= in & SP_SIG_DSR ? HS_SIG_DSR : 0;
	mask |= in & SP_SIG_DCD ? HS_SIG_DCD : 0;
	mask |= in & SP_SIG_RI ? HS_SIG_RI : 0;
	return mask;
}

const struct hs_transport_ops hs_serial_ops = {
	.name = "serial",
	.open = serial_open,
	.close = serial_close,
	.read = hs_serial_read,
	.write = hs_serial_write,
	.drain = hs_serial_drain,
	.pending = hs_serial_pending,
	.flush = hs_serial_flush,
	.send_break = hs_serial_break,
	.set_line = serial_set_line,
	.line_errors = hs_serial_line_errors,
	.mark_errors = hs_serial_mark_errors,
	.set_signal = serial_set_signal,
	.signals = hs_serial_signals,
	.wait_signals = hs_serial_wait_signals,
	.poll_fd = hs_serial_poll_fd,
	.carrier_watch = hs_serial_carrier_watch,
};
