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
 * raises an eventfd that sits beside the port in the epoll set that
 * hs_link_fd() returns: the caller's poll wakes, its next read looks at
 * DCD. Nothing wakes while the carrier stays.
 *
 * The set is made the first time hs_link_fd() is asked (a program keeps
 * what it got), and only where a watch can run: a port with modem lines
 * and the library's wake signal (wake_timer.c) free to use.
 *
 * A line that moves between the thread's look at DCD and the start of
 * its wait is seen by neither; so the wait is cut into slices, 100 ms at
 * first, doubling to 5 s, after each of which the thread looks again.
 * Stopping: the thread is sent the wake signal, again every millisecond
 * until it has gone (one sent just before it starts to wait is lost).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "serial.h"
#include "wake_timer.h"
#include "wakefd.h"

#define SLICE_FIRST_MS 100
#define SLICE_MAX_MS 5000
/* how long a stop may take before the thread is left to itself */
#define STOP_MS 2000
/* wakes in a row with DCD still up that make a wait not a wait */
#define MAX_EMPTY_WAKES 16

struct hs_carrier {
	struct hs_wakefd wake;
	pthread_t thread;
	int running;            /* a thread was started and not joined */
	int abandoned;          /* it would not stop: left to itself */
	int fd;                 /* the thread's descriptor of the port */
	atomic_int stop;        /* asked to end */
	atomic_int ended;       /* the thread is done: look at DCD */
};

static int can_watch(const struct hs_link *l)
{
	const struct hs_serial *s = l->priv;

	return s->port && !s->borrowed && hs_wake_usable();
}

static struct hs_carrier *make_set(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = -1;
	if (hs_wakefd_open(&c->wake) < 0) {
		free(c);
		return NULL;
	}
	hs_wakefd_watch(&c->wake, l->fd, EPOLLIN);
	s->carrier = c;
	return c;
}

int hs_serial_poll_fd(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	if (s->carrier)
		return s->carrier->wake.epfd;
	if (!s->fd_given && can_watch(l) && make_set(l))
		return s->carrier->wake.epfd;
	s->fd_given = 1;
	return l->fd;
}

static void *watch(void *arg)
{
	struct hs_carrier *c = arg;
	int slice = SLICE_FIRST_MS, empty = 0;

	hs_wake_unblock();
	/* a driver whose wait returns at once, again and again, with DCD
	 * still up does not really wait: leave DCD to the caller's looks */
	while (!atomic_load(&c->stop) && empty < MAX_EMPTY_WAKES) {
		int bits, err, rc;

		if (ioctl(c->fd, TIOCMGET, &bits) != 0 || !(bits & TIOCM_CD))
			break;
		rc = hs_lines_miwait(c->fd, HS_SIG_DCD, hs_deadline(slice), &err);
		if (rc < 0)
			break;
		empty = rc == 1 ? empty + 1 : 0;
		if (rc == 0 && slice < SLICE_MAX_MS)
			slice = slice * 2 < SLICE_MAX_MS ? slice * 2 : SLICE_MAX_MS;
	}
	atomic_store(&c->ended, 1);
	hs_wakefd_poke(&c->wake);
	return NULL;
}

/* A second descriptor of the port for the thread. The port is ours
 * (TIOCEXCL): let this one open through, then close it again. */
static int second_fd(struct hs_link *l)
{
	int excl = ioctl(l->fd, TIOCNXCL) == 0, fd;

	fd = open(l->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (excl)
		ioctl(l->fd, TIOCEXCL);
	return fd;
}

static int start(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = s->carrier;
	sigset_t all, old;
	int rc;

	if (!c || c->abandoned)
		return 0;
	if (c->running)
		return !atomic_load(&c->ended);
	if ((c->fd = second_fd(l)) < 0)
		return 0;
	atomic_store(&c->stop, 0);
	atomic_store(&c->ended, 0);
	/* the thread takes no signal of the program's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, watch, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(c->fd);
		c->fd = -1;
		return 0;
	}
	c->running = 1;
	return 1;
}

static void stop(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = s ? s->carrier : NULL;
	int64_t give_up = hs_deadline(STOP_MS);

	if (!c || !c->running || c->abandoned)
		return;
	atomic_store(&c->stop, 1);
	while (pthread_tryjoin_np(c->thread, NULL) == EBUSY) {
		if (hs_remaining(give_up) == 0) {
			/* stuck in a driver: it keeps its descriptor and
			 * the set, the caller looks at DCD from now on */
			pthread_detach(c->thread);
			c->abandoned = 1;
			return;
		}
		hs_wake_thread(c->thread);
		poll(NULL, 0, 1);
	}
	close(c->fd);
	c->fd = -1;
	c->running = 0;
	hs_wakefd_drain(&c->wake);
}

static int watching(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct hs_carrier *c = s->carrier;

	if (!c || !c->running || c->abandoned)
		return 0;
	if (!atomic_load(&c->ended))
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
	if (s->carrier->abandoned) {
		/* the thread may still use it: let it have it */
		s->carrier = NULL;
		return;
	}
	hs_wakefd_close(&s->carrier->wake);
	free(s->carrier);
	s->carrier = NULL;
}
