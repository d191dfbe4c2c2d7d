/*
 * serial_carrier.c - a call's DCD watched without looking at it over and
 * over, and the descriptor hs_link_fd() gives for a port with modem lines.
 *
 * TIOCMIWAIT sleeps in the driver until a line moves, but it blocks its
 * caller, and the caller of hs_link_fd() runs an event loop. So while a
 * call whose carrier DCD follows is up, a thread of the library's own
 * sleeps in TIOCMIWAIT for DCD. It waits on a second descriptor of the
 * port: some stacks let one call at a time through a descriptor
 * (umockdev's preload does), and a thread asleep on the link's own would
 * hold up its reads. When DCD falls, or the wait cannot go on, the thread
 * raises an eventfd of its own that sits beside the port in the epoll set
 * that hs_link_fd() returns: the caller's poll wakes, its next read looks
 * at DCD. Nothing wakes while the carrier stays.
 *
 * The second open has two costs, both brief and once a call: the port's
 * TIOCEXCL is lifted for it (another program could open the port then;
 * lock files and flock still keep cooperating ones out), and a driver
 * raises DTR and RTS on every open (those we had lowered are lowered
 * again).
 *
 * The set is made the first time hs_link_fd() is asked (a program keeps
 * what it got), and only where a watch can run: a port with modem lines
 * and the library's wake signal (wake_timer.c) free to use.
 *
 * A line that moves between the thread's look at DCD and the start of
 * its wait is seen by neither; so the wait is cut into slices, 100 ms at
 * first, doubling to 5 s, after each of which the thread looks again.
 * A fall in that moment is thus seen up to a slice late; on a real port
 * the moment is microseconds long.
 * Stopping: the thread is sent the wake signal, again every millisecond
 * until it has gone (one sent just before it starts to wait is lost). A
 * thread stuck in a driver that ignores signals is left after 2 s: it
 * frees what is its own when it returns, its eventfd is taken out of the
 * set, and the link's calls look at DCD from then on.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "serial.h"
#include "wake_timer.h"

#define SLICE_FIRST_MS 100
#define SLICE_MAX_MS 5000
/* how long a stop may take before the thread is left to itself */
#define STOP_MS 2000

/* One call's watch: shared by the thread and the link until both let
 * go of it (refs), as a thread left to itself outlives its link. */
struct watcher {
	pthread_t thread;
	int fd;                 /* the thread's descriptor of the port */
	int evfd;               /* raised when the thread is done */
	atomic_int stop;        /* asked to end */
	atomic_int ended;       /* the thread is done: look at DCD */
	atomic_int refs;
};

struct hs_carrier {
	int epfd;               /* what hs_link_fd returns */
	struct watcher *w;      /* this call's watch, or NULL */
	int stuck;              /* a watch would not stop: start no more */
};

static void drop(struct watcher *w)
{
	if (atomic_fetch_sub(&w->refs, 1) != 1)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->evfd >= 0)
		close(w->evfd);
	free(w);
}

static int can_watch(const struct hs_link *l)
{
	const struct hs_serial *s = l->priv;

	return s->port && !s->borrowed && hs_wake_usable();
}

static struct hs_carrier *make_set(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = calloc(1, sizeof(*c));
	struct epoll_event e = { .events = EPOLLIN, .data.fd = l->fd };

	if (!c)
		return NULL;
	if ((c->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD, l->fd, &e) != 0) {
		if (c->epfd >= 0)
			close(c->epfd);
		free(c);
		return NULL;
	}
	s->carrier = c;
	return c;
}

int hs_serial_poll_fd(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	if (s->carrier)
		return s->carrier->epfd;
	if (!s->fd_given && can_watch(l) && make_set(l))
		return s->carrier->epfd;
	s->fd_given = 1;
	return l->fd;
}

static void *watch(void *arg)
{
	struct watcher *w = arg;
	int slice = SLICE_FIRST_MS, empty = 0;
	uint64_t one = 1;

	hs_wake_unblock();
	/* a driver whose wait returns at once, again and again, with DCD
	 * still up does not really wait: leave DCD to the caller's looks */
	while (!atomic_load(&w->stop) && empty < HS_MIWAIT_MAX_EMPTY) {
		int bits, err, rc;

		if (ioctl(w->fd, TIOCMGET, &bits) != 0 || !(bits & TIOCM_CD))
			break;
		rc = hs_lines_miwait(w->fd, HS_SIG_DCD, hs_deadline(slice), &err);
		if (rc < 0)
			break;
		empty = rc == 1 ? empty + 1 : 0;
		if (rc == 0 && slice < SLICE_MAX_MS)
			slice = slice * 2 < SLICE_MAX_MS ? slice * 2 : SLICE_MAX_MS;
	}
	atomic_store(&w->ended, 1);
	if (write(w->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the count is full, so it is readable anyway */
	}
	drop(w);
	return NULL;
}

/* A second descriptor of the port for the thread. The port is ours
 * (TIOCEXCL): let this one open through, then close it again; the open
 * raised DTR and RTS: lower those we had lowered. */
static int second_fd(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	int excl = ioctl(l->fd, TIOCNXCL) == 0, fd, bits, off;

	fd = open(l->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (excl)
		ioctl(l->fd, TIOCEXCL);
	if (fd >= 0 && s->saved_lines >= 0 && ioctl(l->fd, TIOCMGET, &bits) == 0) {
		off = (!(s->lines & HS_SIG_DTR) ? bits & TIOCM_DTR : 0) |
		      (!(s->lines & HS_SIG_RTS) ? bits & TIOCM_RTS : 0);
		if (off)
			ioctl(l->fd, TIOCMBIC, &off);
	}
	return fd;
}

static void stop(struct hs_link *l);

static int start(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = s->carrier;
	struct epoll_event e = { .events = EPOLLIN };
	struct watcher *w;
	sigset_t all, old;
	int rc;

	if (!c || c->stuck)
		return 0;
	if (c->w) {
		if (!atomic_load(&c->w->ended))
			return 1;
		stop(l); /* a watch from an earlier call that ended unasked */
	}
	if (!(w = calloc(1, sizeof(*w))))
		return 0;
	w->fd = second_fd(l);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	atomic_init(&w->refs, 2);
	e.data.fd = w->evfd;
	if (w->fd < 0 || w->evfd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, w->evfd, &e) != 0) {
		atomic_init(&w->refs, 1);
		drop(w);
		return 0;
	}
	/* the thread takes no signal of the program's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, watch, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, w->evfd, NULL);
		atomic_init(&w->refs, 1);
		drop(w);
		return 0;
	}
	c->w = w;
	return 1;
}

static void stop(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = s ? s->carrier : NULL;
	struct watcher *w = c ? c->w : NULL;
	int64_t give_up = hs_deadline(STOP_MS);

	if (!w)
		return;
	c->w = NULL;
	atomic_store(&w->stop, 1);
	while (pthread_tryjoin_np(w->thread, NULL) == EBUSY) {
		if (hs_remaining(give_up) == 0) {
			/* stuck in a driver: it frees its own when it
			 * returns; the link looks at DCD from now on */
			pthread_detach(w->thread);
			c->stuck = 1;
			break;
		}
		hs_wake_thread(w->thread);
		poll(NULL, 0, 1);
	}
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, w->evfd, NULL);
	drop(w);
}

static int watching(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = s->carrier;

	if (!c || !c->w)
		return 0;
	if (!atomic_load(&c->w->ended))
		return 1;
	stop(l);
	return 0;
}

int hs_serial_carrier_watch(struct hs_link *l, enum hs_watch op)
{
	switch (op) {
	case HS_WATCH_START:
		return start(l);
	case HS_WATCH_ASK:
		return watching(l);
	case HS_WATCH_STOP:
		stop(l);
		return 0;
	}
	return 0;
}

void hs_serial_carrier_close(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	if (!s || !s->carrier)
		return;
	stop(l);
	close(s->carrier->epfd);
	free(s->carrier);
	s->carrier = NULL;
}
