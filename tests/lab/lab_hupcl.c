/*
 * lab_hupcl.c — noticing opens and the last close of a port.
 *
 * A real serial driver raises DTR and RTS on every open and, with HUPCL,
 * drops them when the last user closes the port; a modem with &D2 hangs
 * up then. umockdev reports opens but not closes, and its per-open client
 * vanishes on close(fd) even while a dup keeps the file open (every shell
 * redirection does that). inotify on the pty slave reports each open and
 * each end of an open file description, in order, but merges identical
 * consecutive events; so the count it gives is checked against /proc when
 * it says "last close". Both edges are handled here, on the main loop, in
 * the kernel's order: a raise on open handled apart from the closes (on
 * umockdev's thread) and a late one (when the main loop got to the
 * IN_OPEN) both lost that order - the late raise undid a "dtr 0" the
 * program had already sent. So umockdev's "client connected", which comes
 * before the client's first ioctl is served and after the kernel queued
 * its IN_OPEN, waits for the main loop to handle the queue
 * (lab_hupcl_sync).
 */
#include "lab.h"

#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>

static int ino_fd = -1;

static bool slave_open_elsewhere(const char *pts)
{
	GDir *proc = g_dir_open("/proc", 0, NULL);
	const char *pid;
	char self[16];
	bool found = false;

	if (!proc)
		return true; /* cannot tell: assume still open */
	g_snprintf(self, sizeof(self), "%d", (int)getpid());
	while (!found && (pid = g_dir_read_name(proc))) {
		char *fddir;
		GDir *fds;
		const char *fd;

		if (!g_ascii_isdigit(pid[0]) || !strcmp(pid, self))
			continue;
		fddir = g_build_filename("/proc", pid, "fd", NULL);
		fds = g_dir_open(fddir, 0, NULL);
		while (fds && !found && (fd = g_dir_read_name(fds))) {
			char *link = g_build_filename(fddir, fd, NULL);
			char *target = g_file_read_link(link, NULL);
			found = target && !strcmp(target, pts);
			g_free(target);
			g_free(link);
		}
		if (fds)
			g_dir_close(fds);
		g_free(fddir);
	}
	g_dir_close(proc);
	return found;
}

static void port_opened(struct lab_port *p)
{
	struct termios t;

	p->holders++;
	if (tcgetattr(p->slave, &t) == 0 && cfgetospeed(&t) != B0)
		lab_port_host_set(p, lab_port_host_lines(p) | TIOCM_DTR | TIOCM_RTS);
	/* an on-open fault: the opener's first ioctl waits for this */
	faults_opened(p);
}

/* inotify events read but not yet handled; lookahead needs them */
static GByteArray *ino_pending;

static void ino_read(void)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	while ((n = read(ino_fd, buf, sizeof(buf))) > 0)
		g_byte_array_append(ino_pending, (guint8 *)buf, (guint)n);
}

/* is an open of watch wd queued after offset off? */
static bool open_queued(int wd, size_t off)
{
	while (off + sizeof(struct inotify_event) <= ino_pending->len) {
		struct inotify_event e;
		memcpy(&e, ino_pending->data + off, sizeof(e));
		if (e.wd == wd && (e.mask & IN_OPEN))
			return true;
		off += sizeof(e) + e.len;
	}
	return false;
}

/* A close that may have been the last one. If someone still holds the
 * slave it may be a newcomer whose open came after this close: its
 * IN_OPEN is queued before its fd shows in /proc, so look ahead. */
static void port_closed(struct lab_port *p, size_t next)
{
	struct termios t;

	if (--p->holders > 0)
		return;
	p->holders = 0;
	if (!open_queued(p->ino_wd, next) && slave_open_elsewhere(p->pts)) {
		ino_read();
		if (!open_queued(p->ino_wd, next)) {
			p->holders = 1; /* merged opens: still in use */
			return;
		}
	}
	transcript_event(p->cfg->name, "closed", NULL);
	if (tcgetattr(p->slave, &t) == 0 && (t.c_cflag & HUPCL))
		lab_port_host_set(p, 0);
}

static gboolean on_inotify(gint fd, GIOCondition cond, gpointer data)
{
	size_t off = 0;

	(void)fd;
	(void)cond;
	(void)data;
	ino_read();
	while (off + sizeof(struct inotify_event) <= ino_pending->len) {
		struct inotify_event e;
		struct lab_port *p = NULL;

		memcpy(&e, ino_pending->data + off, sizeof(e));
		off += sizeof(e) + e.len;
		for (int i = 0; i < lab_nports; i++)
			if (lab_ports[i].ino_wd == e.wd)
				p = &lab_ports[i];
		if (!p || p->unplugged)
			continue;
		if (e.mask & IN_OPEN)
			port_opened(p);
		else
			port_closed(p, off);
	}
	g_byte_array_remove_range(ino_pending, 0, (guint)MIN(off,
	                          ino_pending->len));
	return G_SOURCE_CONTINUE;
}

void lab_hupcl_watch(struct lab_port *p)
{
	if (ino_fd < 0) {
		ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (ino_fd < 0)
			return;
		ino_pending = g_byte_array_new();
		g_unix_fd_add(ino_fd, G_IO_IN, on_inotify, NULL);
	}
	p->ino_wd = inotify_add_watch(ino_fd, p->pts, IN_OPEN |
	                              IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
}

/* one wait of umockdev's thread for the main loop; freed by whichever
 * side lets go last (the waiter may give up first) */
struct open_sync {
	GMutex lock;
	GCond cond;
	bool done;
	gint refs;
};

static void sync_unref(struct open_sync *s)
{
	if (!g_atomic_int_dec_and_test(&s->refs))
		return;
	g_mutex_clear(&s->lock);
	g_cond_clear(&s->cond);
	g_free(s);
}

static gboolean sync_main(gpointer data)
{
	struct open_sync *s = data;

	if (ino_fd >= 0)
		on_inotify(ino_fd, G_IO_IN, NULL);
	g_mutex_lock(&s->lock);
	s->done = true;
	g_cond_signal(&s->cond);
	g_mutex_unlock(&s->lock);
	sync_unref(s);
	return G_SOURCE_REMOVE;
}

bool lab_hupcl_sync(struct lab_port *p)
{
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	struct open_sync *s;
	bool done;

	if (ino_fd < 0 || p->ino_wd < 0)
		return false;
	s = g_new0(struct open_sync, 1);
	g_mutex_init(&s->lock);
	g_cond_init(&s->cond);
	s->refs = 2;
	g_main_context_invoke_full(NULL, G_PRIORITY_HIGH, sync_main, s, NULL);
	g_mutex_lock(&s->lock);
	while (!s->done && g_cond_wait_until(&s->cond, &s->lock, end))
		;
	done = s->done;
	g_mutex_unlock(&s->lock);
	sync_unref(s);
	return done;
}

void lab_hupcl_unwatch(struct lab_port *p)
{
	if (ino_fd >= 0 && p->ino_wd > 0)
		inotify_rm_watch(ino_fd, p->ino_wd);
	p->ino_wd = -1;
}
