/*
 * serial_io.c - moving bytes on a serial link within a deadline: read,
 * write paced by flow control, drain, flush, break.
 *
 * The fd is non-blocking but for the length of an unpaced write to a
 * pty; every wait is bounded by the caller's deadline. Writes may be
 * paced at the line's byte rate with the bytes in flight (the driver's
 * queue, TIOCOUTQ, and what the line cannot have sent yet) kept to a few
 * milliseconds' worth, for two reasons:
 * - DTR/DSR flow control has no kernel support on Linux: nothing is
 *   written while DSR is low (a wait for it to rise is woken by the
 *   change: serial_lines.c), and at most 16 ms of data (192 bytes) is in
 *   flight, written at once when a quarter is left, so a printer that
 *   drops DSR gets no more than that after it;
 * - with link->short_queue (print jobs), for every flow on a real port (a
 *   pty has no line to pace): what sits in the queue when the device is
 *   unplugged is lost and, after the hang-up, no longer countable; a
 *   short queue keeps that small, and its last depth seen is kept
 *   (hs_serial_pending). It is refilled every 10 ms of line time; while
 *   CTS holds it the writer sleeps until CTS moves, while XOFF holds it
 *   (which no event announces) it is looked at later each time, up to
 *   2 s.
 * Elsewhere (a pty) a write is one call that sleeps in the kernel until
 * the port took it all, ended at the deadline by the wake timer
 * (blocking_write).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "line.h"
#include "serial.h"
#include "wake_timer.h"

/* How much output pacing lets ahead of the line, in ms of data: with
 * DTR/DSR a short reaction (what the printer still gets after it drops
 * DSR), else room for late wake-ups. */
#define DTRDSR_INFLIGHT_MS 16
#define INFLIGHT_MS 40
#define MIN_INFLIGHT 8
/* ...but with DTR/DSR never more than this many bytes: after the printer
 * drops DSR it may still get what is in flight, and printers keep only a
 * little room above their busy mark. */
#define DTRDSR_MAX_INFLIGHT 192
/* With the kernel doing the handshake only the unplug count is at stake:
 * enough that a late wake-up does not starve a fast line. */
#define MAX_INFLIGHT 1024
/* Refill in steps of this much line time: the wake-ups a moving line
 * costs. Under DTR/DSR the whole allowance goes at once, when the queue
 * is down to a quarter of it. */
#define REFILL_MS 10
/* While the queue does not move (XOFF, CTS low) the next look is later
 * each time, up to this. */
#define HELD_MAX_MS 2000

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

/* The bytes pacing lets be in flight (queued and unsent). */
static int allowance(struct hs_link *l)
{
	int dsr = l->line.flow == HS_FLOW_DTRDSR;
	int cap = hs_line_cps(&l->line) * (dsr ? DTRDSR_INFLIGHT_MS : INFLIGHT_MS) / 1000;
	int max = dsr ? DTRDSR_MAX_INFLIGHT : MAX_INFLIGHT;

	return cap < MIN_INFLIGHT ? MIN_INFLIGHT : cap > max ? max : cap;
}

/* Microseconds the line takes to send n bytes, rounded up. */
static int64_t line_us(int n, int cps)
{
	return ((int64_t)n * 1000000 + cps - 1) / cps;
}

/* How many bytes pacing lets us write now; 0 means wait *wait_us first.
 * Writes come when the queue is down to the refill mark, and fill it up
 * to the allowance; the sleep in between is until it should
 * be there again. A queue that did not go down at all since the last
 * look is held by flow control (XOFF, CTS): the looks then come later
 * each time, since the kernel restarts the line by itself and what is
 * queued keeps it busy meanwhile. */
static size_t paced_room(struct hs_link *l, int64_t *wait_us)
{
	struct hs_serial *s = l->priv;
	int cps = hs_line_cps(&l->line), cap = allowance(l), queued, mark, want = 0;

	if (l->line.flow == HS_FLOW_DTRDSR)
		mark = cap / 4;
	else
		mark = cap - cps * REFILL_MS / 1000 > 0 ? cap - cps * REFILL_MS / 1000 : 0;
	read_queue(l, &queued);
	if (queued <= mark) {
		s->held_ms = 0;
		want = cap - queued;
	} else if (queued >= s->last_queue) {
		/* kept across calls: a caller that writes again after its
		 * deadline looks once, then waits as long as before */
		int next = s->held_ms ? 2 * s->held_ms : REFILL_MS;
		s->held_ms = next < HELD_MAX_MS ? next : HELD_MAX_MS;
		*wait_us = (int64_t)s->held_ms * 1000;
	} else {
		s->held_ms = 0;
		*wait_us = line_us(queued - mark, cps);
	}
	s->last_queue = queued;
	return (size_t)want;
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

/* Wait until bit (HS_SIG_DSR under DTR/DSR, HS_SIG_CTS under RTS/CTS)
 * is up, woken by the change where the port can tell (serial_lines.c):
 * 0 when it was up, 1 when it rose, or an error (the deadline: the
 * flow's stall). Which line held the output, and since when, is kept for
 * the next call. Under DTR/DSR nothing may go out while DSR is low; under
 * RTS/CTS the kernel holds the queue itself and this only spares the
 * looks at it, so a port whose lines cannot be read gives 0 there. */
static int line_up(struct hs_link *l, int bit, int64_t deadline)
{
	struct hs_serial *s = l->priv;
	int sig = hs_serial_signals(l), waited = 0;

	if (sig < 0 && bit == HS_SIG_CTS)
		return 0;
	while (sig >= 0 && !(sig & bit)) {
		if (!s->held_by) {
			s->held_by = bit;
			s->held_since_us = hs_now_us();
		}
		if (hs_remaining(deadline) == 0 ||
		    (sig = hs_serial_wait_signals(l, bit, sig, deadline)) == HS_ERR_TIMEOUT)
			return bit == HS_SIG_DSR ? stalled(l, "DSR low") : held_up(l);
		waited = 1;
	}
	if (sig < 0)
		return sig;
	s->held_by = 0;
	return waited;
}

/* After DSR was low: the kernel kept sending meanwhile (it knows nothing
 * of DSR), so a queue that had time to empty is taken as empty, and the
 * whole allowance goes as DSR rises, with no look at the queue first.
 * 0 when it may not have emptied. */
static size_t drained_room(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	if (hs_now_us() - s->held_since_us < line_us(s->last_queue, hs_line_cps(&l->line)))
		return 0;
	s->last_queue = s->queue_seen = s->held_ms = 0;
	return (size_t)allowance(l);
}

/* How much of chunk pacing lets go now: HS_OK with *chunk cut to it, or
 * an error (the deadline passed while DSR was low or the queue held).
 * Under DTR/DSR the line is looked at last, right before the write, and
 * once DSR rises the write follows with no other call in between. Under
 * RTS/CTS a queue that does not move is CTS low: the writer sleeps until
 * CTS moves, so the refill comes as the line restarts and nothing wakes
 * meanwhile. */
static int pace(struct hs_link *l, size_t *chunk, int64_t deadline)
{
	struct hs_serial *s = l->priv;
	int dtrdsr = l->line.flow == HS_FLOW_DTRDSR;

	for (;;) {
		int64_t wait_us = 0;
		size_t room = 0;
		int rc, looked = 0;

		/* the line that held the output at the last call is asked
		 * first: the queue has not grown meanwhile */
		if (s->held_by) {
			if ((rc = line_up(l, s->held_by, deadline)) < 0)
				return rc;
			room = dtrdsr ? drained_room(l) : 0;
			looked = 1;
		}
		if (room == 0)
			room = paced_room(l, &wait_us);
		/* DSR rising after a wait here leaves room as it was: the
		 * queue only went down meanwhile */
		if (room > 0 && dtrdsr && !looked && (rc = line_up(l, HS_SIG_DSR, deadline)) < 0)
			return rc;
		if (room > 0) {
			if (*chunk > room)
				*chunk = room;
			return HS_OK;
		}
		if (hs_remaining(deadline) == 0)
			break;
		if (s->held_ms && l->line.flow == HS_FLOW_RTSCTS && !looked) {
			if ((rc = line_up(l, HS_SIG_CTS, deadline)) < 0)
				return rc;
			if (rc > 0)
				continue;
		}
		hs_nap_us(wait_us, deadline);
		if (hs_remaining(deadline) == 0)
			break; /* the next look is the next call's */
	}
	return dtrdsr ? stalled(l, "DSR pacing") : held_up(l);
}

/* Wait until the port that refused bytes polls writable again: HS_OK, or
 * the deadline (held_up) or an error. */
static int writable(struct hs_link *l, int64_t deadline)
{
	struct hs_serial *s = l->priv;
	short got = 0;
	int rc = wait_fd(l, POLLOUT, deadline, &got);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return held_up(l);
	if (got & (POLLHUP | POLLERR))
		return hs_serial_fail(l, "write", EIO);
	s->refused = 0;
	return HS_OK;
}

/* n more bytes written: in the queue now, as far as we can know (after
 * a hang-up the count must not include them). */
static void took(struct hs_serial *s, size_t *done, ssize_t n)
{
	*done += (size_t)n;
	s->queue_seen += (int)n;
	s->last_queue += (int)n;
}

/* An unpaced write as cat makes it: one call that sleeps in the kernel
 * until the port took it all, where a non-blocking one returns each time
 * the port is full (a pty's buffer: every few KiB) and needs a poll
 * before the next. The descriptor blocks for this call only (what else
 * uses it expects O_NONBLOCK), and the wake timer ends the sleep at the
 * deadline: the write then returns its partial count. HS_OK with *done
 * all of it, the deadline (held_up), an error, or HS_ERR_NOT_SUPPORTED
 * (the timer or the flags cannot be had) before anything was written. */
static int blocking_write(struct hs_link *l, const char *p, size_t len,
			  int64_t deadline, size_t *done)
{
	struct hs_serial *s = l->priv;
	struct hs_wake_timer t;
	int err = 0;

	if (s->wflags == 0 && (s->wflags = fcntl(l->wfd, F_GETFL)) == 0)
		s->wflags = -1;
	if (s->wflags < 0 || !(s->wflags & O_NONBLOCK) || hs_wake_arm(&t, deadline) != HS_OK)
		return HS_ERR_NOT_SUPPORTED;
	if (fcntl(l->wfd, F_SETFL, s->wflags & ~O_NONBLOCK) != 0) {
		hs_wake_disarm(&t);
		s->wflags = -1;
		return HS_ERR_NOT_SUPPORTED;
	}
	while (*done < len) {
		ssize_t n = write(l->wfd, p + *done, len - *done);

		if (n > 0) {
			took(s, done, n);
		} else if (n == 0 || errno != EINTR) {
			err = n == 0 ? EIO : errno;
			break;
		}
		if (*done < len && hs_remaining(deadline) == 0)
			break;
	}
	fcntl(l->wfd, F_SETFL, s->wflags);
	hs_wake_disarm(&t);
	if (err)
		return hs_serial_fail(l, "write", err);
	return *done < len ? held_up(l) : HS_OK;
}

/* Writes go first and poll() only when the port would block: one call
 * per slice on a line that keeps up. */
int hs_serial_write(struct hs_link *l, const void *buf, size_t len,
		    int64_t deadline, size_t *done)
{
	const char *p = buf;
	struct hs_serial *s = l->priv;
	int refused = 0;  /* writes in a row that took nothing */
	int paced = l->line.flow == HS_FLOW_DTRDSR || (s->port && l->short_queue);

	*done = 0;
	/* Ptys only: on a serial port (the lab's emulated ones, at least) a
	 * ZMODEM stream at 9600 baud written this way reached the far end
	 * damaged, where non-blocking writes and polls deliver it whole. */
	if (!paced && !s->port && !s->refused) {
		/* A write the pty has room for costs one call: the timer and
		 * the flags are for the rest, when it is full. */
		ssize_t n = write(l->wfd, p, len);
		int rc;

		if (n > 0) {
			took(s, done, n);
			if (*done == len)
				return HS_OK;
		}
		if ((n > 0 || errno == EAGAIN || errno == EINTR) &&
		    (rc = blocking_write(l, p, len, deadline, done)) != HS_ERR_NOT_SUPPORTED)
			return rc;
	}
	while (*done < len) {
		size_t chunk = len - *done;
		ssize_t n;
		int rc;

		/* The port refused bytes until the last deadline (a pty that
		 * the far end's XOFF stopped): wait until it takes again. */
		if (s->refused && (rc = writable(l, deadline)) < 0)
			return rc;
		if (paced && (rc = pace(l, &chunk, deadline)) < 0)
			return rc;
		n = write(l->wfd, p + *done, chunk);
		if (n > 0) {
			took(s, done, n);
			refused = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return hs_serial_fail(l, "write", errno);
		s->refused = 1;
		if ((rc = writable(l, deadline)) < 0)
			return rc;
		/* A port that polls writable but takes nothing: back off
		 * instead of spinning until the deadline. */
		if (refused++ > 0)
			hs_nap(refused < 8 ? refused : 8, deadline);
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
