/*
 * serial_io.c - moving bytes on a serial link within a deadline: read,
 * write paced by flow control, drain, flush, break.
 *
 * The fd is always non-blocking; every wait is a poll() bounded by the
 * caller's deadline. Writes may be paced at the line's byte rate with the
 * bytes in flight (the driver's queue, TIOCOUTQ, and what the line cannot
 * have sent yet) kept to a few milliseconds' worth, for two reasons:
 * - DTR/DSR flow control has no kernel support on Linux: nothing is
 *   written while DSR is low, and at most 32 bytes are in flight, so a
 *   printer that drops DSR loses nothing it cannot buffer;
 * - with link->short_queue (print jobs), for every flow on a real port (a
 *   pty has no line to pace): what sits in the queue when the device is
 *   unplugged is lost and, after the hang-up, no longer countable; a
 *   short queue keeps that small, and its last depth seen is kept
 *   (hs_serial_pending).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "line.h"
#include "serial.h"

/* How much output pacing lets ahead of the line, in ms of data: with
 * DTR/DSR a short reaction, else room for late wake-ups. */
#define DTRDSR_INFLIGHT_MS 10
#define INFLIGHT_MS 40
#define MIN_INFLIGHT 8
/* ...but with DTR/DSR never more than this many bytes: after the printer
 * drops DSR it may still get what is in flight plus one more slice, and
 * printers keep only a little room above their busy mark. */
#define DTRDSR_MAX_INFLIGHT 32
/* With the kernel doing the handshake only the unplug count is at stake:
 * enough that a late wake-up does not starve a fast line. */
#define MAX_INFLIGHT 1024
/* How often a wait for a modem line looks at it. */
#define SIGNAL_POLL_MS 2

int hs_serial_fail(struct hs_link *l, const char *what, int err)
{
	int code = hs_errno_code(err);

	if (code == HS_ERR_UNPLUGGED)
		return hs_fail(code, "%s went away during %s (%s): was it unplugged?",
			       l->path, what, strerror(err));
	return hs_fail(code, "%s: %s failed: %s", l->path, what, strerror(err));
}

/* poll() one fd for events until the deadline: 1 ready, 0 timed out. */
static int wait_fd(struct hs_link *l, short events, int64_t deadline, short *got)
{
	int rc = hs_poll_until(events == POLLOUT ? l->wfd : l->fd, events, deadline, got);

	return rc < 0 ? hs_serial_fail(l, "poll", -rc) : rc;
}

int hs_serial_read(struct hs_link *l, void *buf, size_t len, int64_t deadline)
{
	hs_marks_read_start(l);
	for (;;) {
		short got = 0;
		int rc = wait_fd(l, POLLIN, deadline, &got);
		ssize_t n;

		if (rc < 0)
			return rc;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT, "%s: nothing received before the deadline",
				       l->path);
		n = read(l->fd, buf, len);
		if (n > 0) {
			size_t kept = hs_marks_strip(l, buf, (size_t)n);
			if (kept > 0)
				return (int)kept;
			continue; /* only (part of) a line-error mark */
		}
		if (n == 0 && l->info.transport == HS_TRANSPORT_PIPE)
			return hs_fail(HS_ERR_UNPLUGGED,
				       "%s: the program on the other end closed the line", l->path);
		if (n == 0)
			return hs_fail(HS_ERR_UNPLUGGED,
				       "%s hung up during read: was it unplugged?", l->path);
		if (errno != EAGAIN && errno != EINTR)
			return hs_serial_fail(l, "read", errno);
		if (got & (POLLHUP | POLLERR))
			return hs_serial_fail(l, "read", EIO);
	}
}

/* The driver's output queue; the depth last seen is kept for after a
 * hang-up, when the port no longer answers. */
static int read_queue(struct hs_link *l, int *queued)
{
	struct hs_serial *s = l->priv;

	*queued = 0;
	if (ioctl(l->wfd, TIOCOUTQ, queued) != 0)
		return -1;
	if (*queued < 0)
		*queued = 0;
	s->queue_seen = *queued;
	return 0;
}

/* How many bytes pacing lets us write now: 0 means wait. */
static size_t paced_room(struct hs_link *l, int *wait_ms)
{
	struct hs_serial *s = l->priv;
	int cps = hs_line_cps(&l->line);
	int dsr = l->line.flow == HS_FLOW_DTRDSR;
	double cap = (double)cps * (dsr ? DTRDSR_INFLIGHT_MS : INFLIGHT_MS) / 1000;
	int max = dsr ? DTRDSR_MAX_INFLIGHT : MAX_INFLIGHT;
	int64_t now = hs_now_ms();
	int queued;

	if (cap < MIN_INFLIGHT)
		cap = MIN_INFLIGHT;
	if (cap > max)
		cap = max;
	s->bucket += (double)(now - s->bucket_ms) * cps / 1000;
	s->bucket_ms = now;
	if (s->bucket > cap)
		s->bucket = cap;
	read_queue(l, &queued);
	double room = s->bucket < cap - queued ? s->bucket : cap - queued;
	/* Without DSR to watch, write in quarters: fewer wake-ups. */
	double least = dsr || cap < 4 * MIN_INFLIGHT ? 1 : cap / 4;
	if (room >= least)
		return (size_t)room;
	*wait_ms = 1 + (int)((least - room) * 1000 / cps);
	return 0;
}

/* The count is the caller's (*done), not part of the message. */
static int stalled(struct hs_link *l, const char *why)
{
	return hs_fail(HS_ERR_STALL, "%s held the output (%s) until the deadline", l->path, why);
}

/* The port took no more before the deadline: flow control or slowness. */
static int held_up(struct hs_link *l)
{
	if (l->line.flow == HS_FLOW_NONE)
		return hs_fail(HS_ERR_TIMEOUT, "%s: write timed out", l->path);
	return stalled(l, hs_flow_name(l->line.flow));
}

int hs_serial_write(struct hs_link *l, const void *buf, size_t len,
		    int64_t deadline, size_t *done)
{
	const char *p = buf;
	struct hs_serial *s = l->priv;
	int refused = 0;  /* writes in a row that took nothing */
	int dsr = l->line.flow == HS_FLOW_DTRDSR;
	int paced = dsr || (s->port && l->short_queue);

	*done = 0;
	while (*done < len) {
		size_t chunk = len - *done;
		short got = 0;
		ssize_t n;
		int rc;

		if (paced) {
			int sig = HS_SIG_DSR, wait_ms = SIGNAL_POLL_MS;
			size_t room;
			if (dsr && (sig = hs_serial_signals(l)) < 0)
				return sig;
			room = sig & HS_SIG_DSR ? paced_room(l, &wait_ms) : 0;
			if (room == 0) {
				if (hs_remaining(deadline) == 0 && dsr)
					return stalled(l, sig & HS_SIG_DSR ? "DSR pacing" : "DSR low");
				if (hs_remaining(deadline) == 0)
					return held_up(l);
				hs_nap(wait_ms, deadline);
				continue;
			}
			if (chunk > room)
				chunk = room;
		}
		rc = wait_fd(l, POLLOUT, deadline, &got);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return held_up(l);
		n = write(l->wfd, p + *done, chunk);
		if (n > 0) {
			*done += (size_t)n;
			/* in the queue now, as far as we can know: after a
			 * hang-up the count must not include them */
			s->queue_seen += (int)n;
			refused = 0;
			if (paced)
				s->bucket -= (double)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return hs_serial_fail(l, "write", errno);
		} else if (got & (POLLHUP | POLLERR)) {
			return hs_serial_fail(l, "write", EIO);
		} else if (n < 0 && errno == EAGAIN) {
			/* A pty stopped by XOFF polls writable but takes nothing:
			 * back off instead of spinning until the deadline. */
			refused = refused < 8 ? refused + 1 : 8;
			if (hs_remaining(deadline) == 0)
				return held_up(l);
			hs_nap(refused, deadline);
		}
	}
	return HS_OK;
}

/* After a hang-up the port cannot say what it held, and what it held is
 * lost: the depth last seen is the best count there is. */
int hs_serial_pending(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	int queued;

	if (read_queue(l, &queued) == 0)
		return queued;
	if (hs_errno_code(errno) == HS_ERR_UNPLUGGED)
		return s->queue_seen;
	return hs_serial_fail(l, "TIOCOUTQ", errno);
}

int hs_serial_drain(struct hs_link *l, int64_t deadline)
{
	/* a pipe cannot say what it holds; the program behind it drains */
	if (l->info.transport == HS_TRANSPORT_PIPE)
		return HS_OK;
	for (;;) {
		int queued;
		if (read_queue(l, &queued) != 0)
			return hs_serial_fail(l, "drain", errno);
		if (queued <= 0)
			return HS_OK;
		if (hs_remaining(deadline) == 0)
			return hs_fail(HS_ERR_TIMEOUT,
				       "%s: %d bytes still unsent at the deadline", l->path, queued);
		hs_nap(1 + queued * 1000 / hs_line_cps(&l->line), deadline);
	}
}

int hs_serial_flush(struct hs_link *l, enum hs_flush which)
{
	if ((which & HS_FLUSH_INPUT) && tcflush(l->fd, TCIFLUSH) != 0)
		return hs_serial_fail(l, "flush", errno);
	if ((which & HS_FLUSH_OUTPUT) && tcflush(l->wfd, TCOFLUSH) != 0)
		return hs_serial_fail(l, "flush", errno);
	return HS_OK;
}

int hs_serial_break(struct hs_link *l, int duration_ms)
{
	/* tcsendbreak() picks its own duration; hold the line ourselves. */
	if (ioctl(l->wfd, TIOCSBRK) != 0)
		return hs_serial_fail(l, "break", errno);
	hs_nap(duration_ms, hs_deadline(duration_ms));
	if (ioctl(l->wfd, TIOCCBRK) != 0)
		return hs_serial_fail(l, "break", errno);
	return HS_OK;
}
