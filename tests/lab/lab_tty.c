/*
 * lab_tty.c — one emulated USB serial port: its node, its line settings
 * and modem lines, and its unplugging. (Its sysfs records are in
 * lab_sysfs.c, its opens and closes in lab_hupcl.c, the bytes on its pty
 * master in lab_uart.c.)
 *
 * umockdev backs a tty node with a pty; the program under test opens the
 * slave (as /dev/ttyUSBn), the lab holds the master. A pty has no modem
 * lines, so TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC are answered here from the
 * port's line state, TIOCMIWAIT when they change (lab_miwait.c), and
 * TIOCOUTQ from what the device has not received yet (lab_uart.c); every
 * other ioctl (TIOCEXCL, ...) runs on the real
 * pty. glibc's termios calls are raw syscalls umockdev never sees, so they
 * act on the pty. The ioctl handler runs on umockdev's worker thread: it
 * only touches the locked port state and posts changes to the main loop,
 * where the models live.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ptsname, cfsetspeed */
#endif
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>
#include <umockdev.h>

struct lab_port lab_ports[LAB_MAX_PORTS];
int lab_nports;
static UMockdevTestbed *testbed;

struct lab_port *lab_port_by_name(const char *name)
{
	for (int i = 0; i < lab_nports; i++)
		if (!strcmp(lab_ports[i].cfg->name, name))
			return &lab_ports[i];
	return NULL;
}

static int port_index(struct lab_port *p) { return (int)(p - lab_ports); }

/* ---- line settings ---------------------------------------------------- */

/* The framing the program last set, as logged (guarded by line_lock);
 * the bits it asked for in a TCSETS* ioctl are uart_mismatch.c's. */
static char line_seen[LAB_MAX_PORTS][96];
static GMutex line_lock;

/* What the pty driver throws away (it forces CS8, no parity), and a UART
 * would keep. */
#define PTY_DROPS (CSIZE | PARENB | PARODD | CMSPAR)

/* Log "line speed=19200 bits=7 parity=even stop=2 flow=rtscts" when the
 * program's termios differs from what was logged last. termios calls are
 * raw syscalls the lab never sees, so this looks whenever the program
 * does something the lab does see: writes a byte, issues an ioctl. */
void lab_port_log_line(struct lab_port *p)
{
	static const char *const sizes[] = { "5", "6", "7", "8" };
	struct termios t;
	char now[96];
	const char *parity;
	int i = port_index(p);
	unsigned asked;

	if (p->slave < 0 || tcgetattr(p->slave, &t) != 0)
		return;
	if (lab_mismatch_asked_cflag(p, &asked))
		t.c_cflag = (t.c_cflag & ~PTY_DROPS) | (asked & PTY_DROPS);
	if (!(t.c_cflag & PARENB))
		parity = "none";
	else if (t.c_cflag & CMSPAR)
		parity = t.c_cflag & PARODD ? "mark" : "space";
	else
		parity = t.c_cflag & PARODD ? "odd" : "even";
	g_snprintf(now, sizeof(now), "speed=%ld bits=%s parity=%s stop=%d flow=%s",
	           lab_port_speed(p), sizes[(t.c_cflag & CSIZE) >> 4], parity,
	           t.c_cflag & CSTOPB ? 2 : 1,
	           t.c_cflag & CRTSCTS ? "rtscts" :
	           (t.c_iflag & (IXON | IXOFF)) == (IXON | IXOFF) ? "xonxoff" : "none");
	g_mutex_lock(&line_lock);
	if (strcmp(now, line_seen[i]) != 0) {
		g_strlcpy(line_seen[i], now, sizeof(line_seen[i]));
		transcript_event(p->cfg->name, "line", "%s", now);
	}
	g_mutex_unlock(&line_lock);
}

/* ---- modem lines (umockdev worker thread) ----------------------------- */

static const char *line_names(unsigned bits, GString *s)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ TIOCM_DTR, "DTR" }, { TIOCM_RTS, "RTS" }, { TIOCM_CTS, "CTS" },
		{ TIOCM_DSR, "DSR" }, { TIOCM_CD, "DCD" }, { TIOCM_RI, "RI" },
	};
	g_string_truncate(s, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (bits & names[i].bit)
			g_string_append_printf(s, "%s%s=%d", s->len ? " " : "",
			                       names[i].name, 0);
	return s->str;
}

/* log "host DTR=0 RTS=1" with only the lines that changed */
static void log_lines(struct lab_port *p, const char *who, unsigned before,
                      unsigned after)
{
	GString *s = g_string_new(NULL);
	unsigned changed = before ^ after;

	if (!changed) {
		g_string_free(s, TRUE);
		return;
	}
	line_names(changed, s);
	/* patch the =0 placeholders with the new values */
	for (char *q = strchr(s->str, '='); q; q = strchr(q + 1, '=')) {
		const char *name = q;
		while (name > s->str && name[-1] != ' ')
			name--;
		unsigned bit = !strncmp(name, "DTR", 3) ? TIOCM_DTR :
		               !strncmp(name, "RTS", 3) ? TIOCM_RTS :
		               !strncmp(name, "CTS", 3) ? TIOCM_CTS :
		               !strncmp(name, "DSR", 3) ? TIOCM_DSR :
		               !strncmp(name, "DCD", 3) ? TIOCM_CD : TIOCM_RI;
		q[1] = (after & bit) ? '1' : '0';
	}
	transcript_event(p->cfg->name, who, "%s", s->str);
	g_string_free(s, TRUE);
}

struct line_change { struct lab_port *p; unsigned before, after; };

static gboolean host_lines_main(gpointer data)
{
	struct line_change *lc = data;

	if (lc->p->ops && lc->p->ops->host_lines && !lc->p->unplugged)
		lc->p->ops->host_lines(lc->p, lc->before, lc->after);
	g_free(lc);
	return G_SOURCE_REMOVE;
}

/* called with p->lock held */
static void host_set(struct lab_port *p, unsigned after)
{
	unsigned before = p->host_lines;
	struct line_change *lc;

	after &= TIOCM_DTR | TIOCM_RTS;
	if (after == before)
		return;
	p->host_lines = after;
	log_lines(p, "host", before, after);
	lc = g_new(struct line_change, 1);
	*lc = (struct line_change){ p, before, after };
	/* high priority: a line change is seen before bytes sent after it */
	g_main_context_invoke_full(NULL, G_PRIORITY_HIGH, host_lines_main, lc,
	                            NULL);
}

/* A program that sets the line with ioctl(TCSETS*) (ser2net does, and
 * tcsetattr() through the isatty shim) tells the lab the framing it asked
 * for, before the pty driver drops data bits and parity; TCGETS* shows it
 * back (uart_mismatch.c). The kernel's termios and termios2 both start
 * with four tcflag_t. false: the port refuses that setting. */
static bool note_tcsets(struct lab_port *p, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client), *val;
	GError *err = NULL;
	bool ok;

	val = umockdev_ioctl_data_resolve(arg, 0, 4 * sizeof(tcflag_t), &err);
	if (!val) {
		g_clear_error(&err);
		return true;
	}
	ok = lab_mismatch_tcsets(p, val->data, val->data_len);
	g_object_unref(val);
	return ok;
}

static void patch_tcgets(struct lab_port *p, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client), *val;
	GError *err = NULL;

	val = umockdev_ioctl_data_resolve(arg, 0, 4 * sizeof(tcflag_t), &err);
	if (!val) {
		g_clear_error(&err);
		return;
	}
	lab_mismatch_tcgets(p, val->data, val->data_len);
	g_object_unref(val);
}

static bool is_tcsets(gulong req)
{
	/* TCSETS2, TCSETSW2, TCSETSF2: _IOW('T', 0x2B..0x2D, struct
	 * termios2), spelled out since <asm/termbits.h> clashes with
	 * <termios.h> */
	return req == TCSETS || req == TCSETSW || req == TCSETSF ||
	       req == 0x402C542B || req == 0x402C542C || req == 0x402C542D;
}

/* TCFLSH (tcflush, through the lab's shim): discarding output empties
 * the UART's queue, which is the lab's; logged with what was lost */
static void flush_asked(struct lab_port *p, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gulong q = 0;

	if (!arg || (size_t)arg->data_len < sizeof(q))
		return;
	memcpy(&q, arg->data, sizeof(q));
	if (q == TCOFLUSH || q == TCIOFLUSH)
		transcript_event(p->cfg->name, "flush", "output %zu",
		                 lab_uart_flush(p));
}

static bool is_tcgets(gulong req)
{
	return req == TCGETS || req == 0x802C542A; /* TCGETS2 */
}

/* TIOCGICOUNT: the port's error and character counts */
static void icount(struct lab_port *p, UMockdevIoctlClient *client)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client), *val;
	GError *err = NULL;

	val = umockdev_ioctl_data_resolve(arg, 0, 80, &err);
	if (!val) {
		g_clear_error(&err);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return;
	}
	if (lab_mismatch_icount(p, val->data, val->data_len))
		umockdev_ioctl_client_complete(client, 0, 0);
	else
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
	g_object_unref(val);
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client,
                         gpointer data)
{
	struct lab_port *p = data;
	gulong req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg, *val;
	GError *err = NULL;
	bool unplugged;
	int *v;

	(void)h;
	g_mutex_lock(&p->lock);
	unplugged = p->unplugged;
	g_mutex_unlock(&p->lock);
	if (!unplugged)
		lab_port_log_line(p);
	if (unplugged) {
		/* a hung-up tty answers every ioctl with EIO */
		umockdev_ioctl_client_complete(client, -1, EIO);
		return TRUE;
	}
	if (req == TIOCMIWAIT) {
		/* answered when a line moves, the port hangs up or the
		 * caller has a signal pending (lab_miwait.c) */
		lab_miwait_start(p, client);
		return TRUE;
	}
	/* a break the program holds: TIOCSBRK starts it, TIOCCBRK ends it
	 * (tcsendbreak() is a syscall umockdev does not see) */
	if (req == TIOCSBRK)
		transcript_event(p->cfg->name, "break", "on");
	else if (req == TIOCCBRK)
		transcript_event(p->cfg->name, "break", "off");
	if (req == TIOCGICOUNT) {
		icount(p, client);
		return TRUE;
	}
	if (req != TIOCMGET && req != TIOCMSET && req != TIOCMBIS &&
	    req != TIOCMBIC && req != TIOCOUTQ) {
		/* termios and the rest: let the real pty answer */
		int e = 0;
		int r;
		if (is_tcsets(req) && !note_tcsets(p, client)) {
			umockdev_ioctl_client_complete(client, -1, EINVAL);
			return TRUE;
		}
		if (req == TCFLSH)
			flush_asked(p, client);
		r = umockdev_ioctl_client_execute(client, &e, &err);
		if (err) {
			g_clear_error(&err);
			return FALSE;
		}
		if (is_tcsets(req) && r == 0)
			lab_mismatch_tcsets_done(p);
		if (is_tcgets(req) && r == 0)
			patch_tcgets(p, client);
		umockdev_ioctl_client_complete(client, r, e);
		if (is_tcsets(req) && r == 0)
			lab_port_log_line(p);
		return TRUE;
	}

	arg = umockdev_ioctl_client_get_arg(client);
	val = umockdev_ioctl_data_resolve(arg, 0, sizeof(int), &err);
	if (!val) {
		g_clear_error(&err);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return TRUE;
	}
	v = (int *)(void *)val->data;
	if (req == TIOCOUTQ) {
		/* A pty's output queue always looks empty, a UART's holds
		 * what the line has not sent yet (lab_uart.c). */
		size_t q;
		if (!lab_uart_queued(p, &q)) {
			/* unplugged while we got here */
			umockdev_ioctl_client_complete(client, -1, EIO);
			g_object_unref(val);
			return TRUE;
		}
		*v = (int)MIN(q, (size_t)INT_MAX);
		goto done;
	}
	g_mutex_lock(&p->lock);
	switch (req) {
	case TIOCMGET:
		*v = (int)(p->host_lines | p->dev_lines);
		break;
	case TIOCMSET:
		host_set(p, (unsigned)*v);
		break;
	case TIOCMBIS:
		host_set(p, p->host_lines | (unsigned)*v);
		break;
	case TIOCMBIC:
		host_set(p, p->host_lines & ~(unsigned)*v);
		break;
	}
	g_mutex_unlock(&p->lock);
done:
	umockdev_ioctl_client_complete(client, 0, 0);
	g_object_unref(val);
	return TRUE;
}

/* A real serial driver raises DTR and RTS whenever the port is opened with
 * a non-zero speed, and with HUPCL drops them when the last user closes
 * it; modems rely on both. Both happen in lab_hupcl.c, in the order the
 * kernel saw the opens and closes. umockdev tells of this open before it
 * serves the client's first ioctl: the main loop handles the opens and
 * closes queued so far (this one among them) now, so the lines rise
 * before the program can change them, never after. */
static void on_client_connected(UMockdevIoctlBase *h,
                                UMockdevIoctlClient *client, gpointer data)
{
	struct lab_port *p = data;
	struct termios t;

	(void)h;
	(void)client;
	if (lab_hupcl_sync(p))
		return;
	/* no inotify watch or no main loop: raise them here, at once */
	g_mutex_lock(&p->lock);
	if (!p->unplugged && tcgetattr(p->slave, &t) == 0 &&
	    cfgetospeed(&t) != B0)
		host_set(p, p->host_lines | TIOCM_DTR | TIOCM_RTS);
	g_mutex_unlock(&p->lock);
}

/* host lines changed on the main thread: log, then tell the model */
void lab_port_host_set(struct lab_port *p, unsigned after)
{
	unsigned before;

	g_mutex_lock(&p->lock);
	before = p->host_lines;
	p->host_lines = after;
	log_lines(p, "host", before, after);
	g_mutex_unlock(&p->lock);
	if (before != after && p->ops && p->ops->host_lines)
		p->ops->host_lines(p, before, after);
}

/* ---- setup ------------------------------------------------------------ */

bool lab_tty_add(void *tb, struct lab_port *p, int index, GError **err)
{
	UMockdevIoctlBase *h;
	char *pts;
	struct termios t;

	testbed = tb;
	g_mutex_init(&p->lock);
	g_snprintf(p->devnode, sizeof(p->devnode), "/dev/%s", p->cfg->name);
	if (!lab_sysfs_add(testbed, p, index, err))
		return false;
	/* before anything can open the node, or it gets the default handler */
	h = umockdev_ioctl_base_new();
	g_signal_connect(h, "handle-ioctl", G_CALLBACK(on_ioctl), p);
	g_signal_connect(h, "client-connected", G_CALLBACK(on_client_connected),
	                 p);
	if (!umockdev_testbed_attach_ioctl(testbed, p->devnode, h, err))
		return false;
	p->master = umockdev_testbed_get_dev_fd(testbed, p->devnode);
	if (p->master < 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		            "%s has no pty", p->devnode);
		return false;
	}
	pts = ptsname(p->master);
	if (pts)
		g_strlcpy(p->pts, pts, sizeof(p->pts));
	p->slave = pts ? open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	if (p->slave < 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot open %s: %s", pts ? pts : "pty slave",
		            g_strerror(errno));
		return false;
	}
	/* a fresh usb-serial port comes up at 9600 baud */
	if (tcgetattr(p->slave, &t) == 0) {
		cfsetspeed(&t, B9600);
		t.c_cflag |= HUPCL;
		tcsetattr(p->slave, TCSANOW, &t);
	}
	fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
	fcntl(p->master, F_SETFD, FD_CLOEXEC);
	lab_uart_init(p);
	return true;
}

/* ---- lines the device sets, and what the host set ------------------- */

void lab_port_set_lines(struct lab_port *p, unsigned mask, bool on)
{
	unsigned before, after;

	g_mutex_lock(&p->lock);
	before = p->dev_lines;
	p->dev_lines = after = on ? (before | mask) : (before & ~mask);
	log_lines(p, "dev", before, p->dev_lines);
	g_mutex_unlock(&p->lock);
	lab_miwait_lines(p, before, after);
}

unsigned lab_port_host_lines(struct lab_port *p)
{
	unsigned v;
	g_mutex_lock(&p->lock);
	v = p->host_lines;
	g_mutex_unlock(&p->lock);
	return v;
}

unsigned lab_port_dev_lines(struct lab_port *p)
{
	unsigned v;
	g_mutex_lock(&p->lock);
	v = p->dev_lines;
	g_mutex_unlock(&p->lock);
	return v;
}

long lab_port_speed(struct lab_port *p)
{
	struct termios t;

	if (tcgetattr(p->slave, &t) != 0)
		return 0;
	return lab_speed_bps(cfgetospeed(&t));
}

long lab_speed_bps(speed_t code)
{
	static const struct { speed_t s; long bps; } speeds[] = {
		{ B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 },
		{ B150, 150 }, { B200, 200 }, { B300, 300 }, { B600, 600 },
		{ B1200, 1200 }, { B1800, 1800 }, { B2400, 2400 },
		{ B4800, 4800 }, { B9600, 9600 }, { B19200, 19200 },
		{ B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 },
		{ B230400, 230400 }, { B460800, 460800 }, { B921600, 921600 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(speeds); i++)
		if (code == speeds[i].s)
			return speeds[i].bps;
	return 0;
}

long lab_port_speed_seen(struct lab_port *p, long *seen)
{
	long s = lab_port_speed(p);

	if (s != *seen) {
		*seen = s;
		transcript_event(p->cfg->name, "termios", "speed=%ld", s);
	}
	return s;
}

void lab_port_stop(struct lab_port *p)
{
	if (p->stopped)
		return;
	p->stopped = true;
	if (p->ops && p->ops->stop)
		p->ops->stop(p);
}

/* What a real unplug does to the program: the usb-serial core hangs the tty
 * up (reads return 0 or EIO, writes EIO), then the node disappears and
 * udev sees "remove". */
void lab_port_unplug(struct lab_port *p)
{
	bool hung;
	int hang_errno;

	if (p->unplugged)
		return;
	g_mutex_lock(&p->lock);
	p->unplugged = true;
	g_mutex_unlock(&p->lock);
	lab_miwait_hangup(p);
	if (p->ops && p->ops->unplug)
		p->ops->unplug(p);
	else
		lab_port_stop(p);
	lab_uart_stop(p);
	/* The kernel hangs the tty up on unplug: reads return 0, writes and
	 * ioctls fail with EIO. TIOCVHANGUP does exactly that but needs
	 * CAP_SYS_ADMIN (and the raw syscall: umockdev's ioctl() wrapper in
	 * this process answers ENOTTY for /dev/pts fds). Closing the master
	 * does the same for anyone: the master fd is umockdev's, which closes
	 * it again at the end, so /dev/null takes its number meanwhile. */
	hung = syscall(SYS_ioctl, p->slave, TIOCVHANGUP) == 0;
	{
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul >= 0 && dup2(nul, p->master) >= 0)
			hung = true;
		if (nul >= 0)
			close(nul);
	}
	hang_errno = errno;
	{
		char *sys = g_strconcat("/sys", p->syspath, NULL);
#ifndef LAB_UMOCKDEV_REMOVE_UEVENT
		/* umockdev < 0.18.4 removes devices without telling udev */
		umockdev_testbed_uevent(testbed, sys, "remove");
#endif
		umockdev_testbed_remove_device(testbed, sys);
		g_free(sys);
	}
	if (!hung)
		transcript_event(p->cfg->name, "unplug-partial",
		                 "cannot hang up: %s", g_strerror(hang_errno));
	lab_hupcl_unwatch(p);
	close(p->slave);
	p->slave = -1;
	/* logged last: a test that sees it may rely on the device being gone */
	transcript_event(p->cfg->name, "unplug", NULL);
}
